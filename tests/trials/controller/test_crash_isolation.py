"""A sweep survives trials that abort, hang past their timeout or blow their memory cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from search_spaces import choice
from tests.trials.controller import _targets
from trials import Resources, Sweep, Workspace

pytestmark = pytest.mark.timeout(90)


def test_abort_timeout_and_memory_cap_each_fail_one_trial_and_the_sweep_completes(
    tmp_path: Path,
) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        result = Sweep(
            _targets.misbehaves,
            {"mode": choice("ok", "abort", "hang", "hog")},
            primary_metric="score",
            goal="maximize",
            sampling_algorithm="grid",
            max_total_trials=4,
            max_concurrent_trials=2,
            trial_timeout=5,
            resources=Resources(mem_in_mb=150),
            workspace=workspace,
        ).run()
        runs = {run.params["mode"]: run for run in workspace.children(result.parent_run_id)}
        assert result.status == "completed"
        assert runs["ok"].status.value == "completed"
        assert {mode: runs[mode].status.value for mode in ("abort", "hang", "hog")} == {
            "abort": "failed",
            "hang": "failed",
            "hog": "failed",
        }
        assert runs["abort"].status_reason == "worker process died (signal SIGABRT)"
        assert runs["hang"].status_reason == "exceeded trial timeout of 5.0 s"
        reason = runs["hog"].status_reason or ""
        assert reason.startswith("exceeded memory cap of 150 MB"), reason
        assert result.best_trial is not None and result.best_trial.params == {"mode": "ok"}
