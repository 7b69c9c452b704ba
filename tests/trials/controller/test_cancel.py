"""Stopping a sweep: Ctrl-C once or twice, and cancel requests through the store."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from search_spaces import uniform
from tests.trials.controller import _targets
from tests.trials.controller._process import start_sweep, starts, statuses, wait_until
from trials._result import SweepResult
from trials._sweep import Sweep
from trials.store import Workspace

pytestmark = pytest.mark.timeout(60)


def _interrupt(tmp_path: Path, presses: int) -> tuple[dict[str, Any], list[str], list[int], float]:
    """Presses Ctrl-C once both first trials run (each sleeps long enough that neither ends
    first, even on a loaded machine); returns the result, statuses, starts and the seconds
    from the first press to the end."""
    folder, log = tmp_path / "ws", tmp_path / "starts.txt"
    process = start_sweep(folder, "ctrl-c", trials=10, sleep=4.0, log=log)
    try:
        # Both running in the store and both inside the target (their start written), so
        # that a kill cannot come before a trial's first line.
        wait_until(
            lambda: statuses(folder, "ctrl-c").count("running") == 2 and len(starts(log)) == 2,
            process,
        )
        pressed_at = time.monotonic()
        for _ in range(presses):
            process.send_signal(signal.SIGINT)
            time.sleep(0.2)
        out, err = process.communicate(timeout=30)
        elapsed = time.monotonic() - pressed_at
    finally:
        process.kill()
    assert process.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    return result, statuses(folder, "ctrl-c"), starts(log), elapsed


def test_ctrl_c_once_lets_running_trials_finish(tmp_path: Path) -> None:
    result, runs, started, _ = _interrupt(tmp_path, presses=1)
    assert result["status"] == "canceled"
    assert result["reason"] == "canceled by the user (Ctrl-C)"
    assert runs == ["completed", "completed"] and sorted(started) == [0, 1]  # none after


def test_ctrl_c_twice_kills_running_trials(tmp_path: Path) -> None:
    result, runs, started, elapsed = _interrupt(tmp_path, presses=2)
    assert elapsed < 3.5  # killed, not waited for (each trial sleeps 4 s)
    assert result["status"] == "canceled" and result["counts"] == {"canceled": 2}
    assert runs == ["canceled", "canceled"] and sorted(started) == [0, 1]


def _in_thread(sweep: Sweep) -> tuple[threading.Thread, list[SweepResult]]:
    results: list[SweepResult] = []
    thread = threading.Thread(target=lambda: results.append(sweep.run()), daemon=True)
    thread.start()
    return thread, results


def _sleepy(workspace: Workspace, name: str, trials: int) -> Sweep:
    return Sweep(
        _targets.slow_curve,
        {"x": uniform(0.5, 1.0), "sleep": 0.05, "steps": 20},
        primary_metric="score",
        goal="maximize",
        max_total_trials=trials,
        max_concurrent_trials=2,
        workspace=workspace,
        experiment_name=name,
        seed=0,
    )


def _running(workspace: Workspace, name: str) -> list[str]:
    try:
        return [r.id for r in workspace.runs(name, kind="trial", status="running")]
    except Exception:  # the experiment does not exist yet
        return []


def _wait(check: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_cancel_request_of_the_parent_cancels_the_sweep(workspace: Workspace) -> None:
    thread, results = _in_thread(_sleepy(workspace, "cancel-parent", trials=10))
    _wait(lambda: len(_running(workspace, "cancel-parent")) == 2)
    parent = workspace.runs("cancel-parent", kind="parent")[0]
    asked = time.monotonic()
    assert workspace.request_cancel(parent.id)
    thread.join(timeout=20)
    assert time.monotonic() - asked < 2.0
    (result,) = results
    assert (result.status, result.status_reason) == ("canceled", "canceled on request")
    runs = workspace.runs("cancel-parent", kind="trial")
    assert [r.status.value for r in runs] == ["canceled", "canceled"]
    assert {r.status_reason for r in runs} == {"canceled: the experiment was canceled"}
    assert workspace.get_run(parent.id).status.value == "canceled"
    # Running it again resumes it: the old cancel request does not cancel it again.
    again = _sleepy(workspace, "cancel-parent", trials=3)
    again_result = again.run()
    assert again_result.status == "completed" and again_result.n_trials == 3


def test_cancel_request_of_a_trial_kills_only_that_trial(workspace: Workspace) -> None:
    thread, results = _in_thread(_sleepy(workspace, "cancel-child", trials=3))
    _wait(lambda: len(_running(workspace, "cancel-child")) == 2)
    victim = _running(workspace, "cancel-child")[0]
    assert workspace.request_cancel(victim)
    thread.join(timeout=30)
    (result,) = results
    assert result.status == "completed" and result.status_counts == {"canceled": 1, "completed": 2}
    run = workspace.get_run(victim)
    assert (run.status.value, run.status_reason) == ("canceled", "canceled on request")
