"""Fixtures running every store test against SQLite and against PostgreSQL.

PostgreSQL comes from ``AUTOML_TEST_POSTGRES_URL``, an admin URL such as
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; each test gets a database of its
own, created before and dropped after. Without the variable the PostgreSQL tests are skipped
locally and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import missing_requirement
from trials import Workspace

POSTGRES_ENV = "AUTOML_TEST_POSTGRES_URL"
POSTGRES_MISSING = (
    "PostgreSQL server not available: install it (e.g. `apt-get install postgresql`) and set "
    "AUTOML_TEST_POSTGRES_URL=postgresql+psycopg://USER@HOST:PORT/postgres"
)


@dataclass(frozen=True)
class StoreLocation:
    """Where a test's workspace lives: a folder, or a database URL plus an artifact root."""

    backend: str
    location: str
    artifact_root: Path | None

    def open(self) -> Workspace:
        """Open a new :class:`Workspace` on this location."""
        if self.artifact_root is None:
            return Workspace(self.location)
        return Workspace(self.location, artifact_root=self.artifact_root)


def _postgres_database(tmp_path: Path) -> Iterator[StoreLocation]:
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        missing_requirement(POSTGRES_MISSING)
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        missing_requirement(f"{POSTGRES_MISSING} ({POSTGRES_ENV} is set but: {exc.orig})")
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield StoreLocation("postgres", url, tmp_path / "artifacts")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreLocation]:
    """A fresh, empty workspace location on each backend."""
    if request.param == "sqlite":
        yield StoreLocation("sqlite", str(tmp_path / "workspace"), None)
    else:
        yield from _postgres_database(tmp_path)


@pytest.fixture
def open_workspace(store_location: StoreLocation) -> Iterator[Callable[[], Workspace]]:
    """Open (another) workspace on the test's location; all are closed afterwards."""
    opened: list[Workspace] = []

    def _open() -> Workspace:
        ws = store_location.open()
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.close()


@pytest.fixture
def workspace(open_workspace: Callable[[], Workspace]) -> Workspace:
    """A fresh workspace, on SQLite and on PostgreSQL."""
    return open_workspace()
