"""Reading experiments, runs, status history, cancel requests and artifact records.

Functions take an open connection and return frozen records. This module imports
SQLAlchemy; :class:`~trials.store.Workspace` loads it when it is first used.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from trials.store import _schema as t
from trials.store._errors import NotFoundError
from trials.store._records import (
    ArtifactRecord,
    Experiment,
    Run,
    RunStatus,
    StatusChange,
    from_epoch,
)
from trials.store._validation import describe, list_names, parse_status

__all__ = [
    "ACTIVE",
    "artifact_record",
    "artifacts",
    "cancel_requested",
    "check_run_id",
    "children",
    "count_runs",
    "create_experiment",
    "get_experiment",
    "get_or_create_experiment",
    "get_run",
    "list_experiments",
    "request_cancel",
    "run_history",
    "runs",
]

ACTIVE = (RunStatus.QUEUED.value, RunStatus.RUNNING.value)

_RUN_COLUMNS = (*t.runs.c, t.experiments.c.name.label("experiment_name"))


def check_run_id(run_id: object, field: str = "run_id") -> str:
    """Return ``run_id`` if it is a non-empty string, else raise :class:`TypeError`."""
    if not isinstance(run_id, str) or not run_id:
        raise TypeError(f"`{field}` must be a run id (a non-empty string), got {describe(run_id)}")
    return run_id


def _experiment(row: sa.Row[Any]) -> Experiment:
    return Experiment(
        id=row.id,
        name=row.name,
        kind=row.kind,
        fingerprint=row.fingerprint,
        config=row.config,
        created_at=from_epoch(row.created_at),  # type: ignore[arg-type]
        updated_at=from_epoch(row.updated_at),  # type: ignore[arg-type]
    )


def _run(row: sa.Row[Any]) -> Run:
    return Run(
        id=row.id,
        experiment_id=row.experiment_id,
        experiment=row.experiment_name,
        parent_id=row.parent_id,
        kind=row.kind,
        index=row.trial_index,
        status=RunStatus(row.status),
        status_reason=row.status_reason,
        error=row.error,
        params=row.params or {},
        tags=row.tags or {},
        properties=row.properties or {},
        created_at=from_epoch(row.created_at),  # type: ignore[arg-type]
        started_at=from_epoch(row.started_at),
        ended_at=from_epoch(row.ended_at),
        cancel_requested=bool(row.cancel_requested),
        cancel_requested_at=from_epoch(row.cancel_requested_at),
    )


def _experiment_names(conn: sa.Connection) -> list[str]:
    query = sa.select(t.experiments.c.name).order_by(t.experiments.c.created_at.desc())
    return list(conn.execute(query.limit(21)).scalars())


def get_experiment(conn: sa.Connection, experiment: str | int) -> Experiment:
    """Return the experiment named ``experiment`` (or with that id, given an int).

    Raises:
        NotFoundError: no such experiment; the message lists the most recent ones.
    """
    if isinstance(experiment, bool) or not isinstance(experiment, (str, int)):
        raise TypeError(
            f"`experiment` must be an experiment name (str) or id (int), got {describe(experiment)}"
        )
    column = t.experiments.c.name if isinstance(experiment, str) else t.experiments.c.id
    row = conn.execute(sa.select(t.experiments).where(column == experiment)).first()
    if row is None:
        names = list_names(_experiment_names(conn), empty="none yet")
        raise NotFoundError(f"no experiment {experiment!r} in this workspace; experiments: {names}")
    return _experiment(row)


def list_experiments(conn: sa.Connection) -> list[Experiment]:
    """Return every experiment, oldest first."""
    query = sa.select(t.experiments).order_by(t.experiments.c.created_at, t.experiments.c.id)
    return [_experiment(row) for row in conn.execute(query)]


def create_experiment(
    conn: sa.Connection, name: str, kind: str, fingerprint: str | None, config: Any
) -> Experiment:
    """Insert an experiment inside the caller's write transaction and return it."""
    now = time.time()
    row = conn.execute(
        sa.insert(t.experiments)
        .values(
            name=name,
            kind=kind,
            fingerprint=fingerprint,
            config=config,
            created_at=now,
            updated_at=now,
        )
        .returning(*t.experiments.c)
    ).one()
    return _experiment(row)


def get_or_create_experiment(
    engine: sa.Engine, name: str, kind: str, fingerprint: str | None, config: Any
) -> tuple[Experiment, bool]:
    """Return ``(experiment, created)``; safe when two processes create the same name."""
    for _ in range(5):
        with engine.begin() as conn:
            row = conn.execute(sa.select(t.experiments).where(t.experiments.c.name == name))
            existing = row.first()
            if existing is not None:
                return _experiment(existing), False
            try:
                with conn.begin_nested():
                    return create_experiment(conn, name, kind, fingerprint, config), True
            except sa.exc.IntegrityError:
                continue  # created by someone else since the select: read it next time
    raise RuntimeError(f"could not create or read experiment {name!r}")  # pragma: no cover


def _run_query(conn: sa.Connection) -> sa.Select[Any]:
    return sa.select(*_RUN_COLUMNS).join_from(
        t.runs, t.experiments, t.runs.c.experiment_id == t.experiments.c.id
    )


def get_run(conn: sa.Connection, run_id: str) -> Run:
    """Return the run with id ``run_id``.

    Raises:
        NotFoundError: no such run.
    """
    check_run_id(run_id)
    row = conn.execute(_run_query(conn).where(t.runs.c.id == run_id)).first()
    if row is None:
        raise NotFoundError(
            f"no run {run_id!r} in this workspace; "
            "list runs with `automl runs ls` or Workspace.runs()"
        )
    return _run(row)


def run_history(conn: sa.Connection, run_id: str) -> list[StatusChange]:
    """Return the status changes of ``run_id``, oldest first."""
    get_run(conn, run_id)
    h = t.run_status_history
    query = sa.select(h.c.status, h.c.reason, h.c.at).where(h.c.run_id == run_id)
    return [
        StatusChange(RunStatus(r.status), r.reason, from_epoch(r.at))  # type: ignore[arg-type]
        for r in conn.execute(query.order_by(h.c.id))
    ]


def _statuses(status: object) -> list[str]:
    if isinstance(status, str):
        return [parse_status(status).value]
    if isinstance(status, Iterable):
        return [parse_status(s).value for s in status]
    return [parse_status(status).value]


def _filtered(
    conn: sa.Connection,
    query: sa.Select[Any],
    experiment: str | int | None,
    status: object,
    parent_id: str | None,
    kind: str | None,
) -> sa.Select[Any]:
    if experiment is not None:
        query = query.where(t.runs.c.experiment_id == get_experiment(conn, experiment).id)
    if status is not None:
        query = query.where(t.runs.c.status.in_(_statuses(status)))
    if parent_id is not None:
        query = query.where(t.runs.c.parent_id == check_run_id(parent_id, "parent_id"))
    if kind is not None:
        query = query.where(t.runs.c.kind == kind)
    return query


def runs(
    conn: sa.Connection,
    *,
    experiment: str | int | None = None,
    status: object = None,
    parent_id: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Run]:
    """Return runs matching every filter given, in creation order."""
    for field, value in (("limit", limit), ("offset", offset)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 0
        ):
            raise ValueError(f"`{field}` must be an integer >= 0, got {describe(value)}")
    query = _filtered(conn, _run_query(conn), experiment, status, parent_id, kind)
    query = query.order_by(t.runs.c.created_at, t.runs.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_run(row) for row in conn.execute(query)]


def count_runs(
    conn: sa.Connection,
    *,
    experiment: str | int | None = None,
    status: object = None,
    parent_id: str | None = None,
    kind: str | None = None,
) -> int:
    """Return how many runs match every filter given."""
    query = sa.select(sa.func.count()).select_from(t.runs)
    return int(
        conn.execute(_filtered(conn, query, experiment, status, parent_id, kind)).scalar_one()
    )


def children(conn: sa.Connection, run_id: str) -> list[Run]:
    """Return the child runs of ``run_id``, by trial index (runs without one last)."""
    get_run(conn, run_id)
    query = _run_query(conn).where(t.runs.c.parent_id == run_id)
    query = query.order_by(
        t.runs.c.trial_index.is_(None), t.runs.c.trial_index, t.runs.c.created_at, t.runs.c.id
    )
    return [_run(row) for row in conn.execute(query)]


def request_cancel(conn: sa.Connection, run_id: str) -> bool:
    """Flag ``run_id`` for cancellation inside the caller's write transaction.

    Returns:
        ``True`` if the run was active and is now flagged; ``False`` if it had already
        ended (nothing to cancel).
    """
    get_run(conn, run_id)
    result = conn.execute(
        sa.update(t.runs)
        .where(t.runs.c.id == run_id, t.runs.c.status.in_(ACTIVE))
        .values(cancel_requested=True, cancel_requested_at=time.time())
    )
    return bool(result.rowcount)


def cancel_requested(conn: sa.Connection, experiment: str | int) -> set[str]:
    """Return the ids of active runs of ``experiment`` whose cancellation was requested."""
    experiment_id = get_experiment(conn, experiment).id
    query = sa.select(t.runs.c.id).where(
        t.runs.c.experiment_id == experiment_id,
        t.runs.c.status.in_(ACTIVE),
        t.runs.c.cancel_requested.is_(True),
    )
    return set(conn.execute(query).scalars())


def _artifact(row: sa.Row[Any]) -> ArtifactRecord:
    return ArtifactRecord(
        run_id=row.run_id,
        name=row.path,
        size=row.size,
        sha256=row.sha256,
        created_at=from_epoch(row.created_at),  # type: ignore[arg-type]
    )


def artifacts(conn: sa.Connection, run_id: str) -> list[ArtifactRecord]:
    """Return the artifacts recorded for ``run_id``, by name."""
    get_run(conn, run_id)
    a = t.artifacts
    query = sa.select(a).where(a.c.run_id == run_id).order_by(a.c.path)
    return [_artifact(row) for row in conn.execute(query)]


def artifact_record(conn: sa.Connection, run_id: str, name: str) -> ArtifactRecord:
    """Return the record of artifact ``name`` of ``run_id``.

    Raises:
        NotFoundError: no such run, or the run has no artifact of that name (the message
            lists the names it has).
    """
    a = t.artifacts
    row = conn.execute(sa.select(a).where(a.c.run_id == run_id, a.c.path == name)).first()
    if row is None:
        names = list_names((r.name for r in artifacts(conn, run_id)), empty="none")
        raise NotFoundError(f"run {run_id!r} has no artifact {name!r}; its artifacts: {names}")
    return _artifact(row)
