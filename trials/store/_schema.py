"""The workspace's tables, as SQLAlchemy Core.

This module is the schema the code reads and writes; the Alembic migrations in
``trials/store/migrations/versions`` create it (a test checks that migrating an empty
database gives exactly these tables). Changing a table here means adding a migration and
moving :data:`HEAD_REVISION`.

Timestamps are stored as epoch seconds (double precision): the same on SQLite and
PostgreSQL, cheap to write in bulk, and sortable.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "HEAD_REVISION",
    "artifacts",
    "dataset_versions",
    "datasets",
    "experiments",
    "latest_metrics",
    "metadata",
    "metrics",
    "model_versions",
    "models",
    "run_status_history",
    "runs",
]

#: The Alembic revision of the schema below (the newest migration this code ships).
HEAD_REVISION = "0001"

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_RUN_ID = 64
_NAME = 256


def _time(name: str, *, nullable: bool = False) -> sa.Column[float]:
    return sa.Column(name, sa.Double(), nullable=nullable)


experiments = sa.Table(
    "experiments",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(_NAME), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("fingerprint", sa.String(128), nullable=True),
    sa.Column("config", sa.JSON(), nullable=True),
    _time("created_at"),
    _time("updated_at"),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(_RUN_ID), primary_key=True),
    sa.Column("experiment_id", sa.Integer(), sa.ForeignKey("experiments.id"), nullable=False),
    sa.Column("parent_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("trial_index", sa.Integer(), nullable=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("status_reason", sa.Text(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Column("params", sa.JSON(), nullable=False),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("properties", sa.JSON(), nullable=False),
    _time("created_at"),
    _time("started_at", nullable=True),
    _time("ended_at", nullable=True),
    sa.Column("cancel_requested", sa.Boolean(), nullable=False, default=False),
    _time("cancel_requested_at", nullable=True),
    # Listing pages: by experiment in creation order, by experiment and status, children.
    sa.Index("ix_runs_experiment_id_created_at", "experiment_id", "created_at"),
    sa.Index("ix_runs_experiment_id_status", "experiment_id", "status"),
    sa.Index("ix_runs_parent_id_trial_index", "parent_id", "trial_index"),
    sa.Index("ix_runs_status_created_at", "status", "created_at"),
)

run_status_history = sa.Table(
    "run_status_history",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    _time("at"),
    sa.Index("ix_run_status_history_run_id", "run_id"),
)

metrics = sa.Table(
    "metrics",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("key", sa.String(250), nullable=False),
    sa.Column("step", sa.BigInteger(), nullable=False),
    # NULL stands for NaN: SQLite cannot store NaN, so both backends write NULL.
    sa.Column("value", sa.Double(), nullable=True),
    _time("at"),
    sa.Index("ix_metrics_run_id_key_step", "run_id", "key", "step"),
)

# The value at the highest step of every (run, key), kept by the writer, so leaderboards
# never scan the full metric history.
latest_metrics = sa.Table(
    "latest_metrics",
    metadata,
    sa.Column("run_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("key", sa.String(250), primary_key=True),
    sa.Column("step", sa.BigInteger(), nullable=False),
    sa.Column("value", sa.Double(), nullable=True),
    _time("at"),
)

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("run_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), primary_key=True),
    sa.Column("path", sa.String(1024), primary_key=True),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    _time("created_at"),
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    _time("created_at"),
)

dataset_versions = sa.Table(
    "dataset_versions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("dataset_id", sa.Integer(), sa.ForeignKey("datasets.id"), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("profile", sa.JSON(), nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("tags", sa.JSON(), nullable=False),
    _time("created_at"),
    sa.UniqueConstraint("dataset_id", "version"),
)

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    _time("created_at"),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("model_id", sa.Integer(), sa.ForeignKey("models.id"), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("source_run_id", sa.String(_RUN_ID), sa.ForeignKey("runs.id"), nullable=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("manifest", sa.JSON(), nullable=True),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("lineage", sa.JSON(), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    _time("created_at"),
    sa.UniqueConstraint("model_id", "version"),
    sa.Index("ix_model_versions_source_run_id", "source_run_id"),
)
