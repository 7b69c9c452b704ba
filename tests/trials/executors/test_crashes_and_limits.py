"""Crash isolation, timeouts and memory caps: the trial fails, the executor goes on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trials.executors import _targets
from tests.trials.executors._helpers import collect, finished, run, spec, started
from trials.executors import LocalExecutor, Resources

pytestmark = pytest.mark.timeout(60)
Make = Callable[..., LocalExecutor]


def test_abort_kills_only_the_worker_and_the_next_trial_runs(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    events = run(executor, spec(tmp_path, "crash", _targets.aborts))
    end = finished(events)
    assert end.status == "failed"
    assert end.reason == "worker process died (signal SIGABRT)"
    assert end.error is not None and "aborts" in end.error  # faulthandler's traceback
    later = run(executor, spec(tmp_path, "next", _targets.pid))
    assert finished(later).status == "completed"
    assert started(later).pid != started(events).pid  # a replacement worker


def test_trial_past_its_timeout_is_killed(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=1)
    trial = spec(tmp_path, "slow", _targets.sleeps, resources=Resources(timeout=0.5))
    end = finished(run(executor, trial))
    assert end.status == "failed"
    assert end.reason == "exceeded trial timeout of 0.5 s"
    assert 0.4 < end.duration_s < 5.0
    assert finished(run(executor, spec(tmp_path, "next", _targets.trivial))).status == "completed"


def test_trial_over_its_memory_cap_is_killed(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=1)
    trial = spec(
        tmp_path, "hog", _targets.allocates, {"mb": 400}, resources=Resources(mem_in_mb=150)
    )
    end = finished(run(executor, trial))
    assert end.status == "failed"
    assert end.reason is not None
    assert end.reason.startswith("exceeded memory cap of 150 MB (resident ")
    resident = int(end.reason.split("resident ")[1].split(" MB")[0])
    assert 150 < resident <= 450
    assert finished(run(executor, spec(tmp_path, "next", _targets.trivial))).status == "completed"


def test_other_trials_are_unaffected_by_a_crash(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=2)
    executor.submit(spec(tmp_path, "waiting", _targets.waits_for_stop))
    crash = run(executor, spec(tmp_path, "crash", _targets.aborts))
    assert finished(crash).status == "failed"
    executor.cancel("waiting", kill=False)
    end = finished(collect(executor, ["waiting"])["waiting"])
    assert (end.status, end.metrics) == ("canceled", {"stopped": 1.0})
