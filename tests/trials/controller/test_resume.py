"""Resuming an experiment: after a killed controller, and refusing a changed search."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest

from search_spaces import uniform
from tests.trials.controller import _script, _targets
from tests.trials.controller._process import start_sweep, starts, statuses, wait_until
from trials._resume import ExperimentConfigError, ExperimentInUseError
from trials._sweep import Sweep
from trials.store import Workspace

pytestmark = pytest.mark.timeout(90)


def test_resume_after_the_controller_was_killed(tmp_path: Path) -> None:
    folder, log = tmp_path / "ws", tmp_path / "starts.txt"
    process = start_sweep(folder, "killed", trials=8, sleep=0.3, log=log)
    try:
        wait_until(
            lambda: (
                statuses(folder, "killed").count("completed") >= 2
                and statuses(folder, "killed").count("running") >= 1
            ),
            process,
        )
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        process.kill()
        process.communicate()
    left = statuses(folder, "killed")
    finished_before = left.count("completed")
    assert "running" in left
    with Workspace(folder) as ws:
        before = {
            r.index: r.id for r in ws.runs("killed", kind="trial") if r.status.value == "completed"
        }
        result = _script.sweep(str(folder), "killed", 8, 0.3, str(log)).run()
        runs = ws.runs("killed", kind="trial")
    assert result.status_counts == {"completed": 8}
    by_status = Counter(r.status.value for r in runs)
    assert by_status["completed"] == 8 and set(by_status) <= {"completed", "interrupted"}
    assert by_status["interrupted"] == len(left) - finished_before
    completed = {r.index: r.id for r in runs if r.status.value == "completed"}
    assert sorted(completed) == list(range(8))
    assert {i: completed[i] for i in before} == before  # finished trials kept, not rerun
    interrupted = [r for r in runs if r.status.value == "interrupted"]
    for run in interrupted:
        assert run.status_reason is not None and "runs again" in run.status_reason
        assert completed[run.index] != run.id  # rerun as a new record, same index
    ran = Counter(starts(log))
    assert all(ran[i] == 1 for i in before)  # no finished trial started twice
    parent = ws_parent_status(folder, "killed")
    assert parent == ["running", "interrupted", "running", "completed"]


def ws_parent_status(folder: Path, name: str) -> list[str]:
    with Workspace(folder) as ws:
        parent = ws.runs(name, kind="parent")[0]
        return [change.status.value for change in ws.run_history(parent.id)]


def _sweep(workspace: Workspace, **changes: object) -> Sweep:
    arguments: dict[str, object] = {
        "primary_metric": "score",
        "goal": "maximize",
        "max_total_trials": 2,
        "workspace": workspace,
        "experiment_name": "fixed",
        "seed": 1,
    }
    arguments.update(changes)
    space = arguments.pop("space", {"x": uniform(0, 1)})
    return Sweep(_targets.trivial, space, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"seed": 2}, r"changed `searcher\.sampler\.seed` \(was 1, now 2\)"),
        (
            {"space": {"x": uniform(0, 2)}},
            r"`searcher\.search_space\.x\.max_value` \(was 1\.0, now 2\.0\)",
        ),
        ({"goal": "minimize"}, r"`objective\.goal` \(was 'maximize', now 'minimize'\)"),
        ({"early_termination": {"type": "median_stopping"}}, r"`policy\.type` \(was 'none'"),
        ({"sampling_algorithm": "bayesian"}, r"`searcher\.sampler\.class` \(was 'RandomSampler'"),
    ],
)
def test_a_changed_search_is_refused(
    workspace: Workspace, changes: dict[str, object], match: str
) -> None:
    _sweep(workspace).run()
    with pytest.raises(ExperimentConfigError, match=match) as raised:
        _sweep(workspace, max_total_trials=5, **changes).run()
    assert "use a new experiment_name" in str(raised.value)


def test_limits_and_concurrency_may_change(workspace: Workspace) -> None:
    _sweep(workspace).run()
    result = _sweep(workspace, max_total_trials=4, max_concurrent_trials=2, trial_timeout=30).run()
    assert result.n_trials == 4


def test_another_kind_of_experiment_is_refused(workspace: Workspace) -> None:
    workspace.get_or_create_experiment("fixed", kind="automl")
    with pytest.raises(ExperimentConfigError, match="is a 'automl' experiment, not a 'sweep' one"):
        _sweep(workspace).run()


def test_a_seedless_sweep_resumes_with_its_stored_seed(workspace: Workspace) -> None:
    first = _sweep(workspace, seed=None, experiment_name="seedless").run()
    second = _sweep(workspace, seed=None, experiment_name="seedless", max_total_trials=3).run()
    assert first.parent_run_id == second.parent_run_id and second.n_trials == 3


def test_an_experiment_in_use_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    log = tmp_path / "starts.txt"
    process = start_sweep(workspace_folder(workspace), "busy", trials=4, sleep=1.0, log=log)
    try:
        wait_until(lambda: "running" in statuses(workspace_folder(workspace), "busy"), process)
        with pytest.raises(
            ExperimentInUseError, match=r"experiment 'busy' is being run by process \d+"
        ):
            _script.sweep(str(workspace_folder(workspace)), "busy", 4, 1.0, str(log)).run()
    finally:
        process.kill()
        process.communicate()


def workspace_folder(workspace: Workspace) -> Path:
    return Path(workspace.location)
