"""Bring a workspace's schema to the revision this code knows, or refuse a newer one.

The fast path reads ``alembic_version`` directly: when it already holds
:data:`~trials.store._schema.HEAD_REVISION`, opening a workspace costs one query and Alembic
is never imported. Otherwise Alembic upgrades the database inside one write transaction (on
PostgreSQL also under an advisory lock), so two processes opening a fresh workspace at once
migrate it exactly once.
"""

from __future__ import annotations

from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from trials.store._errors import WorkspaceVersionError
from trials.store._schema import HEAD_REVISION

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "known_revisions", "read_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any constant: serialises concurrent first opens of one PostgreSQL database.
_PG_LOCK_KEY = 0x6F70656E616D6C


def read_revision(conn: sa.Connection, *, in_transaction: bool = False) -> str | None:
    """Return the revision stored in ``alembic_version``, ``None`` for an empty database.

    Outside a transaction that must survive, the table is simply queried (one round trip);
    inside one, its existence is checked first, since a failed query would abort it on
    PostgreSQL.
    """
    query = sa.text("SELECT version_num FROM alembic_version")
    if in_transaction:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(query).scalar()
    try:
        return conn.execute(query).scalar()
    except sa.exc.DBAPIError:
        conn.rollback()
        if sa.inspect(conn).has_table("alembic_version"):
            raise
        return None


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """Return an Alembic config for the shipped migrations (no ``alembic.ini`` needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def known_revisions() -> list[str]:
    """Return every revision this code ships, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _openaml_version() -> str:
    try:
        return importlib_metadata.version("openaml")
    except importlib_metadata.PackageNotFoundError:
        return "unknown"


def _refuse(found: str, where: str) -> WorkspaceVersionError:
    return WorkspaceVersionError(
        f"the workspace at {where} has schema revision {found!r}, which this openaml "
        f"({_openaml_version()}) does not know; the newest revision it knows is "
        f"{HEAD_REVISION!r}. The workspace was written by a newer openaml: upgrade openaml "
        "(pip install -U openaml) to open it"
    )


def upgrade(engine: sa.Engine, read_engine: sa.Engine, where: str) -> str:
    """Make sure the database at ``engine`` has the newest schema; return its revision.

    Args:
        engine: Engine whose ``begin()`` opens a write transaction.
        read_engine: Engine for the read-only check of the fast path.
        where: Location for messages (a folder or a redacted URL).

    Raises:
        WorkspaceVersionError: the stored revision is unknown to this code.
    """
    with read_engine.connect() as conn:
        found = read_revision(conn)
    if found == HEAD_REVISION:
        return found
    known = known_revisions()
    if found is not None and found not in known:
        raise _refuse(found, where)
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        # Another process may have migrated while we waited for the lock.
        found = read_revision(conn, in_transaction=True)
        if found == HEAD_REVISION:
            return found
        if found is not None and found not in known:
            raise _refuse(found, where)
        command.upgrade(alembic_config(conn), "head")
    return HEAD_REVISION
