"""Limits over the whole experiment: the timeout, and extending a finished sweep."""

from __future__ import annotations

import time
from typing import Any

import pytest

from search_spaces import uniform
from tests.trials.controller import _targets
from trials._sweep import Sweep
from trials.store import Workspace

pytestmark = pytest.mark.timeout(60)


def _sweep(workspace: Workspace, name: str, **limits: Any) -> Sweep:
    return Sweep(
        _targets.slow_curve,
        {"x": uniform(0.5, 1.0), "sleep": 0.15, "steps": 4},
        primary_metric="score",
        goal="maximize",
        max_concurrent_trials=2,
        workspace=workspace,
        experiment_name=name,
        seed=5,
        **limits,
    )


def test_timeout_stops_the_sweep_in_time_and_cancels_running_trials(workspace: Workspace) -> None:
    started = time.monotonic()
    result = _sweep(workspace, "timed", timeout=1.5).run()
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 1.5 + 2.0
    assert (result.status, result.status_reason) == (
        "completed",
        "experiment timeout of 1.5 s reached",
    )
    runs = workspace.children(result.parent_run_id)
    canceled = [r for r in runs if r.status.value == "canceled"]
    assert canceled and all(r.status_reason == "experiment timeout" for r in canceled)
    assert {r.status.value for r in runs} <= {"completed", "canceled"}
    assert not [r for r in runs if not r.status.is_terminal]
    active = workspace.get_run(result.parent_run_id).properties["active_seconds"]
    assert 1.5 <= active < 1.5 + 1.0


def test_the_timeout_counts_active_time_over_runs(workspace: Workspace) -> None:
    first = _sweep(workspace, "resumed-timeout", timeout=1.0).run()
    done_first = first.n_trials
    again = _sweep(workspace, "resumed-timeout", timeout=1.0).run()  # nothing left
    assert again.status_reason == "experiment timeout of 1 s reached"
    assert again.n_trials == done_first
    started = time.monotonic()
    third = _sweep(workspace, "resumed-timeout", timeout=2.0).run()  # one more second
    assert time.monotonic() - started < 1.0 + 2.0
    assert third.n_trials > done_first
    assert third.parent_run_id == first.parent_run_id
    active = workspace.get_run(third.parent_run_id).properties["active_seconds"]
    assert 2.0 <= active < 3.0


def test_raising_max_total_trials_extends_a_finished_sweep(
    workspace: Workspace, tmp_path: Any
) -> None:
    def sweep(ws: Workspace, name: str, trials: int) -> Sweep:
        return Sweep(
            _targets.curve,
            {"x": uniform(0.0, 1.0), "lr": uniform(0.1, 0.9), "steps": 3},
            primary_metric="score",
            goal="maximize",
            sampling_algorithm="bayesian",
            early_termination={"type": "bandit", "slack_factor": 0.2},
            max_total_trials=trials,
            workspace=ws,
            experiment_name=name,
        )

    first = sweep(workspace, "grow", 6).run()
    first_runs = {r.index: r.id for r in workspace.children(first.parent_run_id)}
    second = sweep(workspace, "grow", 13).run()
    runs = workspace.children(second.parent_run_id)
    assert [r.index for r in runs] == list(range(13))  # nothing ran twice
    assert {r.index: r.id for r in runs if r.index < 6} == first_runs
    assert second.n_trials == 13 and second.status_reason == "reached max_total_trials=13"
    # The same sweep run in one go (same seed, adopted from the stored experiment) agrees:
    seed = workspace.get_experiment("grow").config["searcher"]["sampler"]["seed"]
    with Workspace(tmp_path / "one-go") as other:
        one_go = Sweep(
            _targets.curve,
            {"x": uniform(0.0, 1.0), "lr": uniform(0.1, 0.9), "steps": 3},
            primary_metric="score",
            goal="maximize",
            sampling_algorithm="bayesian",
            early_termination={"type": "bandit", "slack_factor": 0.2},
            max_total_trials=13,
            workspace=other,
            seed=seed,
        ).run()
        expected = [
            (r.index, dict(r.params), r.status) for r in other.children(one_go.parent_run_id)
        ]
    assert [(r.index, dict(r.params), r.status) for r in runs] == expected


def test_a_lower_limit_runs_nothing_more(workspace: Workspace) -> None:
    _sweep(workspace, "lower", max_total_trials=3).run()
    result = _sweep(workspace, "lower", max_total_trials=2).run()
    assert result.n_trials == 3 and result.status == "completed"
    assert workspace.count_runs("lower", kind="trial") == 3
