"""Leaderboards: one row per trial, flattened params, final metrics, best first, NaN last."""

from __future__ import annotations

import math

import pytest

from trials import NotFoundError, Workspace

# (index, final accuracy or None when never logged, parameters)
TRIALS = [
    (0, 0.70, {"model": {"name": "svm", "C": 1.0}, "lr": 0.1}),
    (1, None, {"model": {"name": "svm", "C": 2.0}, "lr": 0.2}),
    (2, 0.90, {"model": {"name": "knn", "k": 5}, "lr": 0.3}),
    (3, math.nan, {"model": {"name": "svm", "C": 3.0}, "lr": 0.4}),
    (4, 0.80, {"model": {"name": "knn", "k": 9}, "lr": 0.5}),
    (5, 0.70, {"model": {"name": "svm", "C": 4.0}, "lr": 0.6}),
]


@pytest.fixture
def board(workspace: Workspace) -> tuple[Workspace, str]:
    experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent")
    writer.log_metrics(parent, {"acc": 0.99})  # the parent is not a leaderboard row
    for index, acc, params in TRIALS:
        run_id = writer.start_run(experiment.id, parent_id=parent, index=index, params=params)
        writer.log_metrics(run_id, {"loss": 5.0, "acc": 0.0}, step=0)
        if acc is not None:
            writer.log_metrics(run_id, {"acc": acc, "loss": 1.0 - index / 10}, step=1)
        writer.set_status(run_id, "completed" if acc is not None else "failed", reason="r")
    writer.commit()
    return workspace, parent


def test_maximize_best_first_nan_last(board: tuple[Workspace, str]) -> None:
    workspace, _ = board
    frame = workspace.leaderboard("exp", "acc", "maximize")
    assert frame["index"].tolist() == [2, 4, 0, 5, 1, 3]
    accs = frame["acc"].tolist()
    assert accs[:4] == [0.90, 0.80, 0.70, 0.70]
    assert accs[4] == 0.0  # index 1 only logged step 0
    assert math.isnan(accs[5])


def test_minimize_best_first_nan_last(board: tuple[Workspace, str]) -> None:
    workspace, _ = board
    frame = workspace.leaderboard("exp", "acc", "minimize")
    assert frame["index"].tolist() == [1, 0, 5, 4, 2, 3]
    loss = workspace.leaderboard("exp", "loss", "minimize")
    assert loss["index"].tolist() == [5, 4, 3, 2, 0, 1]
    assert loss["loss"].tolist()[0] == pytest.approx(0.5)


def test_columns_params_and_durations(board: tuple[Workspace, str]) -> None:
    workspace, _ = board
    frame = workspace.leaderboard("exp", "acc", "maximize")
    assert list(frame.columns) == [
        "run_id",
        "index",
        "kind",
        "status",
        "status_reason",
        "duration_seconds",
        "acc",
        "loss",
        "model.name",
        "model.C",
        "lr",
        "model.k",
    ]
    best = frame.iloc[0]
    assert best["model.name"] == "knn" and best["model.k"] == 5 and best["lr"] == 0.3
    assert frame.iloc[2]["model.C"] == 1.0
    assert set(frame["status"]) == {"completed", "failed"}
    assert (frame["duration_seconds"] >= 0).all()
    assert len(set(frame["run_id"])) == len(TRIALS)


def test_pages_and_parent_filter(board: tuple[Workspace, str]) -> None:
    workspace, parent = board
    page = workspace.leaderboard("exp", "acc", "maximize", limit=2, offset=1)
    assert page["index"].tolist() == [4, 0]
    assert page["loss"].tolist() == pytest.approx([0.6, 1.0])
    children = workspace.leaderboard("exp", "acc", "maximize", parent_id=parent)
    assert len(children) == len(TRIALS)
    with pytest.raises(NotFoundError, match="no run 'ghost'"):
        workspace.leaderboard("exp", "acc", "maximize", parent_id="ghost")


def test_name_clashes_get_prefixes(workspace: Workspace) -> None:
    experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    with workspace.writer() as writer:
        run_id = writer.start_run(experiment.id, index=0, params={"status": "x", "score": 1})
        writer.log_metrics(run_id, {"score": 0.5, "index": 2.0})
    frame = workspace.leaderboard("exp", "score", "maximize")
    assert frame.loc[0, "score"] == 0.5
    assert frame.loc[0, "metric.index"] == 2.0
    assert frame.loc[0, "param.status"] == "x"
    assert frame.loc[0, "param.score"] == 1


def test_empty_experiment_has_the_metric_column(workspace: Workspace) -> None:
    workspace.get_or_create_experiment("exp", kind="sweep")
    frame = workspace.leaderboard("exp", "acc", "maximize")
    assert frame.empty
    assert "acc" in frame.columns


def test_leaderboard_errors(board: tuple[Workspace, str]) -> None:
    workspace, _ = board
    with pytest.raises(
        ValueError, match=r"`metric` must be one of .*'acc', 'loss'.*got 'accuracy'"
    ):
        workspace.leaderboard("exp", "accuracy", "maximize")
    with pytest.raises(ValueError, match="`goal` must be 'maximize' or 'minimize', got 'max'"):
        workspace.leaderboard("exp", "acc", "max")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="no experiment 'nope'"):
        workspace.leaderboard("nope", "acc", "maximize")
    with pytest.raises(ValueError, match="`limit` must be an integer >= 0"):
        workspace.leaderboard("exp", "acc", "maximize", limit=-3)


def test_the_ranking_metric_is_the_first_metric_column(workspace: Workspace) -> None:
    experiment = workspace.get_or_create_experiment("columns", kind="sweep")
    writer = workspace.writer()
    run_id = writer.start_run(experiment.id, index=0, params={"lr": 0.1})
    writer.log_metrics(run_id, {"a_first": 1.0, "zeta": 2.0, "m_score": 3.0})
    writer.set_status(run_id, "completed")
    writer.commit()
    board = workspace.leaderboard("columns", metric="m_score", goal="maximize")
    metric_columns = [c for c in board.columns if c in {"a_first", "zeta", "m_score"}]
    assert metric_columns == ["m_score", "a_first", "zeta"]
