"""A page of experiments with what a listing shows: parent run, child count, best score.

One query selects the page (newest first, filtered in the database), a second reads the
page's parent runs, a third counts their children, and a fourth reads the best final value
of each primary metric from ``latest_metrics`` (walking the page's children by
``parent_id``); nothing scales with the number of runs in the workspace. This module imports
SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from trials.store import _schema as t
from trials.store._queries import _experiment, _run, _run_query, get_experiment, get_run
from trials.store._records import Experiment, Run
from trials.store._validation import describe, parse_status

__all__ = ["ExperimentSummary", "experiment_page", "metric_names", "objective_of"]

_MAX_PAGE = 500


@dataclass(frozen=True)
class ExperimentSummary:
    """One row of an experiment listing.

    Attributes:
        experiment: The experiment.
        parent: Its parent run (the top-level run its controller opened), None before one.
        children: How many child runs the parent has.
        metric: The primary metric (from the experiment's ``objective``), None if unknown.
        goal: ``"maximize"`` or ``"minimize"``, None if unknown.
        best: Best final value of ``metric`` among completed children, None if none.
    """

    experiment: Experiment
    parent: Run | None
    children: int
    metric: str | None
    goal: str | None
    best: float | None


def objective_of(config: Any) -> tuple[str | None, Literal["maximize", "minimize"] | None]:
    """``(metric, goal)`` from an experiment's stored configuration (controller layout)."""
    objective = config.get("objective") if isinstance(config, Mapping) else None
    if not isinstance(objective, Mapping):
        return None, None
    metric, goal = objective.get("primary_metric"), objective.get("goal")
    checked: Literal["maximize", "minimize"] | None = None
    if goal == "maximize" or goal == "minimize":
        checked = goal
    return (metric if isinstance(metric, str) else None), checked


def _check_page(limit: object, offset: object) -> tuple[int, int]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= _MAX_PAGE:
        raise ValueError(f"`limit` must be an integer in [1, {_MAX_PAGE}], got {describe(limit)}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"`offset` must be an integer >= 0, got {describe(offset)}")
    return limit, offset


def _parents() -> sa.Subquery:
    r = t.runs
    return (
        sa.select(r.c.experiment_id, sa.func.min(r.c.id).label("parent_id"))
        .where(r.c.parent_id.is_(None), r.c.kind == "parent")
        .group_by(r.c.experiment_id)
        .subquery("parents")
    )


def _bests(conn: sa.Connection, wanted: Mapping[str, tuple[str, str]]) -> dict[str, float | None]:
    """``{parent id: best final value of its metric among completed children}`` in one query.

    Grouped by status rather than filtered on it, so that SQLite walks the children by
    ``parent_id`` (filtering on ``status`` made it scan every completed run instead).
    """
    r, m = t.runs, t.latest_metrics
    keys = sorted({metric for metric, _ in wanted.values()})
    query = (
        sa.select(
            r.c.parent_id, m.c.key, r.c.status, sa.func.max(m.c.value), sa.func.min(m.c.value)
        )
        .select_from(r.join(m, m.c.run_id == r.c.id))
        .where(r.c.parent_id.in_(list(wanted)), m.c.key.in_(keys))
        .group_by(r.c.parent_id, m.c.key, r.c.status)
    )
    best: dict[str, float | None] = dict.fromkeys(wanted)
    for parent_id, key, status, high, low in conn.execute(query):
        metric, goal = wanted[parent_id]
        value = high if goal == "maximize" else low
        if status == "completed" and key == metric and value is not None:
            best[parent_id] = float(value)
    return best


def experiment_page(
    conn: sa.Connection,
    *,
    limit: int = 25,
    offset: int = 0,
    name_contains: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    task: str | None = None,
) -> tuple[list[ExperimentSummary], int]:
    """Return ``(one page of experiments newest first, how many match in all)``.

    Args:
        conn: An open connection.
        limit: Page size, 1 to 500.
        offset: Experiments to skip.
        name_contains: Only names containing this text (case-insensitive).
        kind: Only experiments of this kind (``"automl"``, ``"sweep"``).
        status: Only experiments whose parent run has this status.
        task: Only AutoML experiments of this task (``searcher.definition.task`` of the
            stored configuration).
    """
    limit, offset = _check_page(limit, offset)
    e = t.experiments
    parents = _parents()
    query = sa.select(e).select_from(e)
    count = sa.select(sa.func.count()).select_from(e)
    conditions: list[sa.ColumnElement[bool]] = []
    if name_contains:
        if not isinstance(name_contains, str):
            raise TypeError(f"`name_contains` must be a string, got {describe(name_contains)}")
        conditions.append(e.c.name.icontains(name_contains, autoescape=True))
    if kind:
        conditions.append(e.c.kind == kind)
    if task:
        conditions.append(e.c.config[("searcher", "definition", "task")].as_string() == task)
    if status:
        wanted = parse_status(status).value
        joined = e.join(parents, parents.c.experiment_id == e.c.id).join(
            t.runs, t.runs.c.id == parents.c.parent_id
        )
        query = sa.select(e).select_from(joined)
        count = sa.select(sa.func.count()).select_from(joined)
        conditions.append(t.runs.c.status == wanted)
    query = query.where(*conditions).order_by(e.c.created_at.desc(), e.c.id.desc())
    total = int(conn.execute(count.where(*conditions)).scalar_one())
    experiments = [_experiment(row) for row in conn.execute(query.limit(limit).offset(offset))]
    if not experiments:
        return [], total
    ids = [experiment.id for experiment in experiments]
    r = t.runs
    parent_rows = conn.execute(
        _run_query(conn)
        .where(r.c.experiment_id.in_(ids), r.c.parent_id.is_(None), r.c.kind == "parent")
        .order_by(r.c.id)
    )
    parent_of: dict[int, Run] = {}
    for row in parent_rows:
        parent_of.setdefault(row.experiment_id, _run(row))
    parent_ids = [run.id for run in parent_of.values()]
    counts: dict[str, int] = {}
    if parent_ids:
        counted = sa.select(r.c.parent_id, sa.func.count()).where(r.c.parent_id.in_(parent_ids))
        counts = {pid: int(n) for pid, n in conn.execute(counted.group_by(r.c.parent_id))}
    objectives = {experiment.id: objective_of(experiment.config) for experiment in experiments}
    by_parent = {
        parent.id: (metric, goal)
        for experiment_id, parent in parent_of.items()
        for metric, goal in [objectives[experiment_id]]
        if metric is not None and goal is not None
    }
    best = _bests(conn, by_parent) if by_parent else {}
    page = []
    for experiment in experiments:
        parent = parent_of.get(experiment.id)
        metric, goal = objectives[experiment.id]
        children = 0 if parent is None else counts.get(parent.id, 0)
        value = None if parent is None else best.get(parent.id)
        page.append(ExperimentSummary(experiment, parent, children, metric, goal, value))
    return page, total


def metric_names(conn: sa.Connection, experiment: str, parent_id: str | None = None) -> list[str]:
    """The names of the metrics the non-parent runs of ``experiment`` logged, sorted.

    These are the metric columns of :meth:`Workspace.leaderboard`; the columns after them
    are parameters. One indexed query over ``latest_metrics``.
    """
    r, m = t.runs, t.latest_metrics
    conditions = [r.c.experiment_id == get_experiment(conn, experiment).id, r.c.kind != "parent"]
    if parent_id is not None:
        get_run(conn, parent_id)
        conditions.append(r.c.parent_id == parent_id)
    query = sa.select(m.c.key).distinct().join_from(m, r, m.c.run_id == r.c.id)
    return sorted(conn.execute(query.where(*conditions)).scalars())
