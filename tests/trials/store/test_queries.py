"""Reading: experiments, runs with filters and pages, children, metrics, cancel requests."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from trials import Experiment, NotFoundError, RunStatus, Workspace


@pytest.fixture
def populated(workspace: Workspace) -> tuple[Experiment, str, list[str]]:
    """An experiment with a parent run and five trials of mixed statuses."""
    experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    workspace.get_or_create_experiment("other", kind="automl")
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent")
    statuses = ["completed", "failed", "completed", "running", "queued"]
    trials = []
    for index, status in enumerate(statuses):
        run_id = writer.start_run(experiment.id, parent_id=parent, index=index)
        if status != "running":
            writer.set_status(run_id, status)
        trials.append(run_id)
    writer.commit()
    return experiment, parent, trials


def test_list_and_get_experiments(
    workspace: Workspace, populated: tuple[Experiment, str, list[str]]
) -> None:
    assert [e.name for e in workspace.list_experiments()] == ["exp", "other"]
    assert workspace.get_experiment("other").kind == "automl"
    with pytest.raises(NotFoundError, match=r"no experiment 'nope'.*experiments: 'other', 'exp'"):
        workspace.get_experiment("nope")


def test_runs_filters(workspace: Workspace, populated: tuple[Experiment, str, list[str]]) -> None:
    experiment, parent, trials = populated
    assert [r.id for r in workspace.runs("exp")] == [parent, *trials]
    assert [r.id for r in workspace.runs(experiment.id, kind="trial")] == trials
    assert [r.id for r in workspace.runs("exp", status="completed")] == [trials[0], trials[2]]
    both = workspace.runs("exp", status=[RunStatus.FAILED, "queued"])
    assert [r.id for r in both] == [trials[1], trials[4]]
    assert [r.id for r in workspace.runs(parent_id=parent)] == trials
    assert workspace.runs("other") == []
    assert len(workspace.runs()) == 6
    with pytest.raises(NotFoundError, match="no experiment 'missing'"):
        workspace.runs("missing")
    with pytest.raises(ValueError, match="`status` must be one of 'queued', 'running'"):
        workspace.runs("exp", status="done")


def test_runs_pages_and_counts(
    workspace: Workspace, populated: tuple[Experiment, str, list[str]]
) -> None:
    _, parent, trials = populated
    assert [r.id for r in workspace.runs("exp", kind="trial", limit=2)] == trials[:2]
    assert [r.id for r in workspace.runs("exp", kind="trial", limit=2, offset=2)] == trials[2:4]
    assert workspace.runs("exp", kind="trial", offset=10) == []
    assert workspace.count_runs("exp") == 6
    assert workspace.count_runs("exp", status="completed") == 2
    assert workspace.count_runs(parent_id=parent, status=["running", "queued"]) == 2
    with pytest.raises(ValueError, match="`limit` must be an integer >= 0, got -1"):
        workspace.runs(limit=-1)
    with pytest.raises(ValueError, match=r"`offset` must be an integer >= 0, got 1\.5"):
        workspace.runs(offset=1.5)  # type: ignore[arg-type]


def test_children_by_trial_index(workspace: Workspace) -> None:
    experiment = workspace.get_or_create_experiment("exp", kind="automl")
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent")
    late = writer.start_run(experiment.id, parent_id=parent, index=1)
    early = writer.start_run(experiment.id, parent_id=parent, index=0)
    ensemble = writer.start_run(experiment.id, parent_id=parent, kind="ensemble")
    writer.commit()
    assert [r.id for r in workspace.children(parent)] == [early, late, ensemble]
    assert workspace.children(early) == []
    with pytest.raises(NotFoundError, match="no run 'ghost'"):
        workspace.children("ghost")


def test_get_run_errors(workspace: Workspace) -> None:
    with pytest.raises(NotFoundError, match="no run 'abc' in this workspace"):
        workspace.get_run("abc")
    with pytest.raises(TypeError, match="`run_id` must be a run id"):
        workspace.get_run(42)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="no run 'abc'"):
        workspace.run_history("abc")


def test_metric_history_and_final_values(workspace: Workspace) -> None:
    experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id)
    writer.log_metrics(run_id, {"loss": 0.9, "acc": 0.1}, step=1)
    writer.commit()
    writer.log_metrics(run_id, {"loss": 0.5}, step=2)
    writer.log_metrics(run_id, {"loss": 0.7}, step=1)  # late report of an earlier step
    writer.log_metrics(run_id, {"acc": float("nan")}, step=2)
    writer.log_metrics(run_id, {"score": 3})  # no step: step 0
    writer.log_metrics(run_id, {"score": 4})
    writer.commit()

    history = workspace.metric_history(run_id)
    assert list(history.columns) == ["step", "key", "value", "timestamp"]
    assert str(history["timestamp"].dtype).startswith("datetime64")
    assert history["step"].dtype == "int64"
    rows = list(zip(history["key"], history["step"], history["value"], strict=True))
    assert rows[:2] == [("acc", 1, 0.1), ("acc", 2, rows[1][2])]
    assert math.isnan(rows[1][2])
    assert rows[2:] == [
        ("loss", 1, 0.9),
        ("loss", 1, 0.7),
        ("loss", 2, 0.5),
        ("score", 0, 3.0),
        ("score", 0, 4.0),
    ]
    loss = workspace.metric_history(run_id, key="loss")
    assert loss["value"].tolist() == [0.9, 0.7, 0.5]
    assert workspace.metric_history(run_id, key="none").empty

    finals = workspace.final_metrics(run_id)
    assert finals["loss"] == 0.5  # highest step wins, not the last logged
    assert finals["score"] == 4.0  # same step: the later value
    assert math.isnan(finals["acc"])


def test_metric_history_of_a_run_without_metrics(workspace: Workspace) -> None:
    experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    with workspace.writer() as writer:
        run_id = writer.start_run(experiment.id)
    frame = workspace.metric_history(run_id)
    assert isinstance(frame, pd.DataFrame) and frame.empty
    assert list(frame.columns) == ["step", "key", "value", "timestamp"]
    assert workspace.final_metrics(run_id) == {}


def test_cancel_channel(workspace: Workspace, populated: tuple[Experiment, str, list[str]]) -> None:
    experiment, _, trials = populated
    assert workspace.cancel_requested(experiment.id) == set()
    assert workspace.request_cancel(trials[3]) is True  # running
    assert workspace.request_cancel(trials[4]) is True  # queued
    assert workspace.request_cancel(trials[0]) is False  # completed: nothing to cancel
    assert workspace.cancel_requested(experiment.id) == {trials[3], trials[4]}
    assert workspace.cancel_requested("exp") == {trials[3], trials[4]}
    run = workspace.get_run(trials[3])
    assert run.cancel_requested and run.cancel_requested_at is not None
    assert not workspace.get_run(trials[0]).cancel_requested

    # The controller honours it: the run ends and leaves the channel.
    with workspace.writer() as writer:
        writer.set_status(trials[3], "canceled", reason="canceled by user")
    assert workspace.cancel_requested(experiment.id) == {trials[4]}
    with pytest.raises(NotFoundError, match="no run 'ghost'"):
        workspace.request_cancel("ghost")
    with pytest.raises(NotFoundError, match="no experiment 999"):
        workspace.cancel_requested(999)
