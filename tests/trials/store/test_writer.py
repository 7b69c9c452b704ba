"""Batched writes: runs, metrics, statuses with history, tags, properties, atomic commits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from trials import Experiment, NotFoundError, RunStatus, StoreWriter, Workspace


@pytest.fixture
def experiment(workspace: Workspace) -> Experiment:
    return workspace.get_or_create_experiment(
        "exp", kind="sweep", fingerprint="abc", config={"space": {"C": [1, 2]}}
    )


def test_start_run_is_buffered_until_commit_then_readable(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    run_id = writer.start_run(
        experiment.id,
        index=3,
        params={"model": {"C": 0.5}, "seed": np.int64(7)},
        tags={"team": "a"},
        properties={"searcher": "random"},
    )
    assert writer.pending == 1
    with pytest.raises(NotFoundError, match=f"no run '{run_id}'"):
        workspace.get_run(run_id)
    assert writer.commit() == 1
    assert writer.pending == 0

    run = workspace.get_run(run_id)
    assert run.id == run_id
    assert run.experiment_id == experiment.id
    assert run.experiment == "exp"
    assert run.kind == "trial"
    assert run.index == 3
    assert run.status is RunStatus.RUNNING
    assert run.params == {"model": {"C": 0.5}, "seed": 7}
    assert run.tags == {"team": "a"}
    assert run.properties == {"searcher": "random"}
    assert run.started_at is not None and run.ended_at is None
    assert run.created_at.tzinfo is not None
    assert not run.cancel_requested


def test_set_status_appends_history_and_sets_times(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id, status="queued")
    writer.commit()
    queued = workspace.get_run(run_id)
    assert queued.status is RunStatus.QUEUED
    assert queued.started_at is None and queued.ended_at is None

    writer.set_status(run_id, "running")
    writer.commit()
    started = workspace.get_run(run_id).started_at
    assert started is not None

    writer.set_status(run_id, RunStatus.FAILED, reason="exit code 1", error="Traceback: boom")
    writer.commit()
    run = workspace.get_run(run_id)
    assert run.status is RunStatus.FAILED
    assert run.status_reason == "exit code 1"
    assert run.error == "Traceback: boom"
    assert run.started_at == started
    assert run.ended_at is not None and run.ended_at >= started
    assert run.duration_seconds is not None and run.duration_seconds >= 0

    history = workspace.run_history(run_id)
    assert [(h.status, h.reason) for h in history] == [
        (RunStatus.QUEUED, None),
        (RunStatus.RUNNING, None),
        (RunStatus.FAILED, "exit code 1"),
    ]
    assert [h.at for h in history] == sorted(h.at for h in history)


def test_start_and_end_in_one_batch_keeps_full_history(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id)
    writer.set_status(run_id, "early_terminated", reason="BanditPolicy at step 4")
    writer.commit()
    run = workspace.get_run(run_id)
    assert run.status is RunStatus.EARLY_TERMINATED
    assert run.status_reason == "BanditPolicy at step 4"
    assert run.started_at is not None and run.ended_at is not None
    statuses = [h.status for h in workspace.run_history(run_id)]
    assert statuses == [RunStatus.RUNNING, RunStatus.EARLY_TERMINATED]


def test_running_again_clears_the_end(workspace: Workspace, experiment: Experiment) -> None:
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id)
    writer.commit()
    writer.set_status(run_id, "interrupted", reason="controller died")
    writer.commit()
    first_start = workspace.get_run(run_id).started_at
    writer.set_status(run_id, "running")
    writer.commit()
    run = workspace.get_run(run_id)
    assert run.status is RunStatus.RUNNING
    assert run.ended_at is None
    assert run.started_at == first_start


def test_tags_and_properties_merge_in_new_and_committed_runs(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id, tags={"a": "1"}, properties={"p": 1})
    writer.set_tags(run_id, {"b": "2"})
    writer.commit()
    assert workspace.get_run(run_id).tags == {"a": "1", "b": "2"}

    writer.set_tags(run_id, {"a": "changed", "c": 3})
    writer.set_tags(run_id, {"d": None})
    writer.set_properties(run_id, {"q": [1, 2]})
    writer.commit()
    run = workspace.get_run(run_id)
    assert run.tags == {"a": "changed", "b": "2", "c": 3, "d": None}
    assert run.properties == {"p": 1, "q": [1, 2]}


def test_parent_and_child_in_one_batch(workspace: Workspace, experiment: Experiment) -> None:
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent", index=None)
    child = writer.start_run(experiment.id, parent_id=parent, index=0)
    writer.commit()
    assert workspace.get_run(child).parent_id == parent
    assert [r.id for r in workspace.children(parent)] == [child]


def test_uncommitted_writes_are_invisible_to_another_workspace(
    open_workspace: Callable[[], Workspace],
) -> None:
    writer_ws, reader_ws = open_workspace(), open_workspace()
    experiment = writer_ws.get_or_create_experiment("shared", kind="sweep")
    assert reader_ws.get_experiment("shared").id == experiment.id

    writer = writer_ws.writer()
    first = writer.start_run(experiment.id, index=0)
    writer.log_metrics(first, {"acc": 0.5})
    writer.commit()
    second = writer.start_run(experiment.id, index=1)
    writer.log_metrics(second, {"acc": 0.7})
    writer.set_status(first, "completed")
    writer.set_tags(first, {"seen": "no"})

    assert [r.id for r in reader_ws.runs("shared")] == [first]
    assert reader_ws.get_run(first).status is RunStatus.RUNNING
    assert reader_ws.get_run(first).tags == {}
    with pytest.raises(NotFoundError):
        reader_ws.get_run(second)

    writer.commit()
    assert {r.id for r in reader_ws.runs("shared")} == {first, second}
    assert reader_ws.get_run(first).status is RunStatus.COMPLETED
    assert reader_ws.get_run(first).tags == {"seen": "no"}
    assert reader_ws.final_metrics(second) == {"acc": 0.7}


def test_failed_commit_writes_nothing_and_keeps_the_buffer(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    good = writer.start_run(experiment.id)
    writer.log_metrics(good, {"acc": 1.0})
    writer.set_status("no-such-run", "completed")
    with pytest.raises(NotFoundError, match=r"run id\(s\) 'no-such-run' that do not exist"):
        writer.commit()
    assert writer.pending == 3
    with pytest.raises(NotFoundError):
        workspace.get_run(good)
    assert writer.discard() == 3
    assert writer.pending == 0
    assert writer.commit() == 0


def test_unknown_experiment_id_fails_at_commit(workspace: Workspace) -> None:
    writer = workspace.writer()
    writer.start_run(12345)
    with pytest.raises(NotFoundError, match=r"experiment id\(s\) \[12345\] that do not exist"):
        writer.commit()


def test_writer_context_manager_commits_on_success_only(
    workspace: Workspace, experiment: Experiment
) -> None:
    with workspace.writer() as writer:
        kept = writer.start_run(experiment.id)
    assert workspace.get_run(kept).id == kept

    with pytest.raises(RuntimeError), workspace.writer() as writer:
        lost = writer.start_run(experiment.id)
        raise RuntimeError("controller crashed")
    with pytest.raises(NotFoundError):
        workspace.get_run(lost)


def test_create_experiment_and_get_or_create(workspace: Workspace) -> None:
    writer = workspace.writer()
    created = writer.create_experiment("new", kind="automl", fingerprint="f1", config={"a": 1})
    assert created.name == "new" and created.kind == "automl"
    assert created.fingerprint == "f1" and created.config == {"a": 1}
    with pytest.raises(ValueError, match="`name` must be a new experiment name, got 'new'"):
        writer.create_experiment("new", kind="automl")
    again = workspace.get_or_create_experiment("new", kind="automl", fingerprint="other")
    assert again.id == created.id
    assert again.fingerprint == "f1"  # stored as created; comparing is the caller's job
    assert workspace.get_experiment("new") == again


def test_experiment_updated_at_moves_with_its_runs(
    workspace: Workspace, experiment: Experiment
) -> None:
    writer = workspace.writer()
    writer.start_run(experiment.id)
    writer.commit()
    assert workspace.get_experiment("exp").updated_at >= experiment.updated_at


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda w, e: w.start_run("1"), TypeError, "`experiment_id` must be an int"),
        (lambda w, e: w.start_run(e, kind=""), ValueError, "`kind` must be a non-empty string"),
        (lambda w, e: w.start_run(e, index=-1), ValueError, "`index` must be an integer >= 0"),
        (lambda w, e: w.start_run(e, status="done"), ValueError, "`status` must be one of"),
        (lambda w, e: w.start_run(e, params=[1]), TypeError, "`params` must be a mapping"),
        (lambda w, e: w.start_run(e, params={1: 2}), TypeError, "`params` keys must be strings"),
        (
            lambda w, e: w.start_run(e, params={"f": object()}),
            TypeError,
            "`params` must be JSON-serializable",
        ),
        (lambda w, e: w.start_run(e, parent_id=5), TypeError, "`run_id` must be a run id"),
        (lambda w, e: w.set_status("r", "finished"), ValueError, "`status` must be one of"),
        (lambda w, e: w.set_status("r", "failed", reason=3), TypeError, "`reason` must be"),
        (lambda w, e: w.log_metrics("r", [1.0]), TypeError, "`metrics` must be a mapping"),
        (lambda w, e: w.log_metrics("r", {"a": "x"}), TypeError, "metric 'a' must be a real"),
        (lambda w, e: w.log_metrics("r", {"a": True}), TypeError, "metric 'a' must be a real"),
        (lambda w, e: w.log_metrics("r", {"": 1.0}), ValueError, "metric names must be"),
        (lambda w, e: w.log_metrics("r", {"a": 1.0}, step=-2), ValueError, "`step` must be"),
        (lambda w, e: w.set_tags("", {"a": 1}), TypeError, "`run_id` must be a run id"),
        (lambda w, e: w.set_tags("r", "a=1"), TypeError, "`tags` must be a mapping"),
    ],
)
def test_bad_arguments_raise_in_house_format(
    workspace: Workspace,
    experiment: Experiment,
    call: Callable[[StoreWriter, int], object],
    error: type[Exception],
    match: str,
) -> None:
    writer = workspace.writer()
    with pytest.raises(error, match=match):
        call(writer, experiment.id)
    assert writer.pending == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": "", "kind": "sweep"}, ValueError, "`name` must be a non-empty string"),
        ({"name": "x", "kind": ""}, ValueError, "`kind` must be a non-empty string"),
        ({"name": "x", "kind": "s", "fingerprint": 3}, TypeError, "`fingerprint` must be"),
        ({"name": "x", "kind": "s", "config": {1, 2}}, TypeError, "`config` must be JSON"),
    ],
)
def test_bad_experiment_arguments(
    workspace: Workspace, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        workspace.get_or_create_experiment(**kwargs)  # type: ignore[arg-type]
