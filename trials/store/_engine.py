"""Database engines for a workspace: SQLite tuned for concurrent writers, or PostgreSQL.

SQLite (the embedded default) runs in WAL mode with ``synchronous=NORMAL`` (a commit does
not fsync; a crash of the machine, not of the process, may lose the last commits), a 30 s
busy timeout and foreign keys on. Write transactions start with ``BEGIN IMMEDIATE``: the
write lock is taken up front, so two processes writing at once queue on the busy timeout
instead of failing with "database is locked" when a read lock would have to be upgraded.
Read transactions start with a plain ``BEGIN`` and, in WAL mode, never block a writer.

This module imports SQLAlchemy; it is loaded when a workspace is opened, not at import.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from trials.store._validation import dumps

__all__ = ["BUSY_TIMEOUT_S", "READ_OPTION", "create_store_engine", "redact"]

BUSY_TIMEOUT_S = 30.0
#: Execution option marking a connection as read-only (plain BEGIN on SQLite).
READ_OPTION = "openaml_read"


def redact(url: str) -> str:
    """Return ``url`` with its password hidden, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _forget_pools_in_child() -> None:
    # A forked child must not use its parent's connections; it opens its own on next use.
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_in_child)


def _on_sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy (the "begin" hook below), not the sqlite3 module, emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _set_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    # Switching a new database to WAL takes an exclusive lock, and SQLite may answer "database
    # is locked" at once (without its busy handler) when another connection opens the same new
    # file at that moment: retry within the busy timeout.
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _on_sqlite_begin(conn: sa.Connection) -> None:
    if conn.get_execution_options().get(READ_OPTION):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: str | sa.URL) -> tuple[sa.Engine, sa.Engine]:
    """Create the engine for ``url`` and its read-only variant sharing the same pool.

    Args:
        url: A SQLAlchemy URL: ``sqlite:///path/to/file.db`` or
            ``postgresql+psycopg://user@host:port/db``.

    Returns:
        ``(engine, read_engine)``: use ``engine.begin()`` to write and
        ``read_engine.connect()`` to read.

    Raises:
        ValueError: the URL names a backend other than SQLite or PostgreSQL.
        ImportError: the PostgreSQL driver is missing, with what to install.
    """
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = sa.create_engine(
            parsed,
            connect_args={"timeout": BUSY_TIMEOUT_S},
            json_serializer=dumps,
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    elif backend == "postgresql":
        if "+" not in parsed.drivername:  # plain postgresql:// means psycopg 3 here
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            engine = sa.create_engine(parsed, json_serializer=dumps, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise ImportError(
                f"a PostgreSQL workspace needs the psycopg driver ({exc.name} is missing): "
                "pip install 'openaml[postgres]'"
            ) from exc
    else:
        raise ValueError(
            "`location` must be a folder, a sqlite:/// URL or a postgresql+psycopg:// URL, "
            f"got a {backend!r} URL: {parsed.render_as_string(hide_password=True)}"
        )
    _ENGINES.add(engine)
    return engine, engine.execution_options(**{READ_OPTION: True})
