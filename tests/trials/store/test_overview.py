"""Workspace.experiment_page: newest first, filters, pages, parent, children and best score."""

from __future__ import annotations

import pytest

from trials import Workspace
from trials.store._overview import ExperimentSummary


def _experiment(
    workspace: Workspace, name: str, kind: str, goal: str, scores: list[float], status: str
) -> None:
    config = {
        "objective": {"primary_metric": "score", "goal": goal},
        "searcher": {"definition": {"task": "regression" if goal == "minimize" else "x"}},
    }
    experiment = workspace.get_or_create_experiment(name, kind=kind, config=config)
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent")
    for index, score in enumerate(scores):
        child = writer.start_run(experiment.id, parent_id=parent, index=index)
        writer.log_metrics(child, {"score": score}, step=0)
        writer.set_status(child, "completed")
    failed = writer.start_run(experiment.id, parent_id=parent, index=len(scores))
    writer.log_metrics(failed, {"score": 1000.0}, step=0)  # a failed child never counts
    writer.set_status(failed, "failed")
    if status != "running":
        writer.set_status(parent, status)
    writer.commit()


def names(rows: list[ExperimentSummary]) -> list[str]:
    return [row.experiment.name for row in rows]


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    _experiment(workspace, "alpha", "automl", "maximize", [0.5, 0.9, 0.7], "completed")
    _experiment(workspace, "beta", "sweep", "minimize", [3.0, 1.5], "running")
    _experiment(workspace, "Gamma_100%", "automl", "minimize", [2.0], "canceled")
    workspace.get_or_create_experiment("empty", kind="automl")
    return workspace


def test_page_newest_first_with_parent_children_and_best(filled: Workspace) -> None:
    page, total = filled.experiment_page(limit=10)
    assert total == 4
    assert [row.experiment.name for row in page] == ["empty", "Gamma_100%", "beta", "alpha"]
    by_name = {row.experiment.name: row for row in page}
    assert by_name["alpha"].best == pytest.approx(0.9)
    assert by_name["beta"].best == pytest.approx(1.5)
    assert by_name["alpha"].children == 4
    assert by_name["alpha"].metric == "score" and by_name["alpha"].goal == "maximize"
    assert by_name["beta"].parent is not None and by_name["beta"].parent.status == "running"
    assert by_name["empty"].parent is None and by_name["empty"].best is None
    assert by_name["empty"].children == 0


def test_page_filters_and_offsets(filled: Workspace) -> None:
    page, total = filled.experiment_page(limit=2, offset=1)
    assert total == 4 and [row.experiment.name for row in page] == ["Gamma_100%", "beta"]
    assert names(filled.experiment_page(kind="sweep")[0]) == ["beta"]
    assert names(filled.experiment_page(name_contains="GAM")[0]) == ["Gamma_100%"]
    assert names(filled.experiment_page(name_contains="100%")[0]) == ["Gamma_100%"]
    assert names(filled.experiment_page(name_contains="a_")[0]) == ["Gamma_100%"]
    assert names(filled.experiment_page(task="regression")[0]) == ["Gamma_100%", "beta"]
    assert filled.experiment_page(task="forecasting") == ([], 0)
    page, total = filled.experiment_page(status="completed")
    assert total == 1 and names(page) == ["alpha"]
    assert filled.experiment_page(status="failed") == ([], 0)


def test_page_rejects_bad_arguments(workspace: Workspace) -> None:
    with pytest.raises(ValueError, match=r"`limit` must be an integer in \[1, 500\], got 0"):
        workspace.experiment_page(limit=0)
    with pytest.raises(ValueError, match=r"`offset` must be an integer >= 0, got -1"):
        workspace.experiment_page(offset=-1)
    with pytest.raises(ValueError, match="status"):
        workspace.experiment_page(status="sleeping")


def test_metric_names_of_an_experiment(filled: Workspace) -> None:
    assert filled.metric_names("alpha") == ["score"]
    parent = filled.runs("beta", kind="parent")[0].id
    assert filled.metric_names("beta", parent_id=parent) == ["score"]
    assert filled.metric_names("empty") == []
    with pytest.raises(LookupError, match="no experiment 'nope'"):
        filled.metric_names("nope")
