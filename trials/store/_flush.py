"""Writing a :class:`~trials.store._writer.Batch` in one transaction with bulk statements.

Each kind of row is written with one ``executemany`` (inserts of runs, history, metrics and
artifact records; updates of statuses, tags and properties; an upsert of the latest metric
values). References to runs and experiments that are not in the batch are checked first, so
a bad id fails with a clear message instead of a foreign-key error. This module imports
SQLAlchemy.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from trials.store import _schema as t
from trials.store._errors import NotFoundError
from trials.store._validation import list_names
from trials.store._writer import Batch

__all__ = ["flush"]

_CHUNK = 5000


def _existing(conn: sa.Connection, column: sa.Column[Any], ids: Iterable[Any]) -> set[Any]:
    wanted = list(ids)
    found: set[Any] = set()
    if not wanted:
        return found
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
    return found


def _check_references(conn: sa.Connection, batch: Batch) -> None:
    experiment_ids = {row["experiment_id"] for row in batch.new_runs.values()}
    missing_experiments = experiment_ids - _existing(conn, t.experiments.c.id, experiment_ids)
    if missing_experiments:
        raise NotFoundError(
            f"start_run() was given experiment id(s) {sorted(missing_experiments)} that do not "
            "exist in this workspace; create the experiment first "
            "(Workspace.get_or_create_experiment) and pass its .id"
        )
    referenced = {row["parent_id"] for row in batch.new_runs.values() if row["parent_id"]}
    referenced.update(batch.status_updates, batch.tag_merges, batch.property_merges)
    referenced.update(row["run_id"] for row in batch.metrics)
    referenced.update(run_id for run_id, _ in batch.artifacts)
    referenced.difference_update(batch.new_runs)
    missing = referenced - _existing(conn, t.runs.c.id, referenced)
    if missing:
        raise NotFoundError(
            f"the batch refers to run id(s) {list_names(sorted(missing))} that do not exist in "
            "this workspace (nothing was written; the batch is kept: fix it or discard() it)"
        )


def _status_updates(conn: sa.Connection, batch: Batch) -> None:
    r = t.runs
    stmt = (
        sa.update(r)
        .where(r.c.id == sa.bindparam("b_id"))
        .values(
            status=sa.bindparam("b_status"),
            status_reason=sa.bindparam("b_reason"),
            error=sa.bindparam("b_error"),
            started_at=sa.func.coalesce(
                r.c.started_at, sa.bindparam("b_started", type_=sa.Double())
            ),
            ended_at=sa.bindparam("b_ended", type_=sa.Double()),
        )
    )
    conn.execute(
        stmt,
        [
            {
                "b_id": run_id,
                "b_status": u["status"],
                "b_reason": u["status_reason"],
                "b_error": u["error"],
                "b_started": u["started_at"],
                "b_ended": u["ended_at"],
            }
            for run_id, u in batch.status_updates.items()
        ],
    )


def _json_merges(conn: sa.Connection, batch: Batch) -> None:
    r = t.runs
    ids = set(batch.tag_merges) | set(batch.property_merges)
    query = sa.select(r.c.id, r.c.tags, r.c.properties).where(r.c.id.in_(ids))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = []
    for row in conn.execute(query):
        rows.append(
            {
                "b_id": row.id,
                "b_tags": {**(row.tags or {}), **batch.tag_merges.get(row.id, {})},
                "b_properties": {**(row.properties or {}), **batch.property_merges.get(row.id, {})},
            }
        )
    stmt = (
        sa.update(r)
        .where(r.c.id == sa.bindparam("b_id"))
        .values(
            tags=sa.bindparam("b_tags", type_=sa.JSON()),
            properties=sa.bindparam("b_properties", type_=sa.JSON()),
        )
    )
    conn.execute(stmt, rows)


def _latest_metrics(conn: sa.Connection, metrics: list[dict[str, Any]]) -> None:
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for row in metrics:
        key = (row["run_id"], row["key"])
        current = best.get(key)
        if current is None or row["step"] >= current["step"]:
            best[key] = row
    lm = t.latest_metrics
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = insert(lm)
    stmt = stmt.on_conflict_do_update(
        index_elements=[lm.c.run_id, lm.c.key],
        set_={"step": stmt.excluded.step, "value": stmt.excluded.value, "at": stmt.excluded.at},
        where=stmt.excluded.step >= lm.c.step,
    )
    conn.execute(stmt, list(best.values()))


def _artifacts(conn: sa.Connection, batch: Batch) -> None:
    a = t.artifacts
    conn.execute(
        sa.delete(a).where(a.c.run_id == sa.bindparam("b_run"), a.c.path == sa.bindparam("b_path")),
        [{"b_run": run_id, "b_path": path} for run_id, path in batch.artifacts],
    )
    conn.execute(sa.insert(a), list(batch.artifacts.values()))


def _touch_experiments(conn: sa.Connection, batch: Batch) -> None:
    touched = {row["experiment_id"] for row in batch.new_runs.values()}
    for run_id in (*batch.status_updates, *(row["run_id"] for row in batch.metrics)):
        experiment_id = batch.experiment_of.get(run_id)
        if experiment_id is not None:
            touched.add(experiment_id)
    if touched:
        conn.execute(
            sa.update(t.experiments)
            .where(t.experiments.c.id.in_(sorted(touched)))
            .values(updated_at=time.time())
        )


def flush(engine: sa.Engine, batch: Batch) -> None:
    """Write ``batch`` in one transaction (all of it, or nothing).

    Raises:
        NotFoundError: the batch refers to a run or an experiment that does not exist.
    """
    with engine.begin() as conn:
        _check_references(conn, batch)
        if batch.new_runs:
            conn.execute(sa.insert(t.runs), list(batch.new_runs.values()))
        if batch.status_updates:
            _status_updates(conn, batch)
        if batch.tag_merges or batch.property_merges:
            _json_merges(conn, batch)
        if batch.history:
            conn.execute(sa.insert(t.run_status_history), batch.history)
        if batch.metrics:
            conn.execute(sa.insert(t.metrics), batch.metrics)
            _latest_metrics(conn, batch.metrics)
        if batch.artifacts:
            _artifacts(conn, batch)
        _touch_experiments(conn, batch)
