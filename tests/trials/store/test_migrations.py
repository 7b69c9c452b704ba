"""Schema revisions: fresh workspaces at head, upgrades of older ones, newer ones refused."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.trials.store.conftest import StoreLocation
from trials import Workspace, WorkspaceVersionError
from trials.store import _migrate, _schema

REPO_ROOT = Path(__file__).resolve().parents[3]


def _engine(ws: Workspace) -> sa.Engine:
    return ws._engine  # the test inspects the database behind the API


def test_fresh_workspace_is_at_head(workspace: Workspace) -> None:
    assert _migrate.known_revisions()[-1] == _schema.HEAD_REVISION
    assert workspace.revision == _schema.HEAD_REVISION
    with _engine(workspace).connect() as conn:
        stored = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    assert stored == [_schema.HEAD_REVISION]


def test_migrated_schema_matches_the_code(workspace: Workspace) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with _engine(workspace).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), _schema.metadata)
    assert diff == []


def test_reopening_is_a_no_op_without_alembic(
    workspace: Workspace, store_location: StoreLocation
) -> None:
    # The fast path reads alembic_version and never imports Alembic.
    code = (
        "import sys\n"
        "from trials import Workspace\n"
        "location, root = sys.argv[1], sys.argv[2] or None\n"
        "ws = Workspace(location) if root is None else Workspace(location, artifact_root=root)\n"
        "print(ws.revision, 'alembic' in sys.modules)\n"
    )
    root = "" if store_location.artifact_root is None else str(store_location.artifact_root)
    done = subprocess.run(
        [sys.executable, "-c", code, store_location.location, root],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert done.stdout.split() == [_schema.HEAD_REVISION, "False"]


def test_unknown_revision_is_refused(open_workspace: Callable[[], Workspace]) -> None:
    ws = open_workspace()
    with _engine(ws).begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    ws.close()
    with pytest.raises(
        WorkspaceVersionError,
        match=r"schema revision '9999_from_the_future', which this openaml \(.*\) does not know; "
        r"the newest revision it knows is '0001'.*upgrade openaml",
    ):
        open_workspace()


def test_older_workspace_is_upgraded(open_workspace: Callable[[], Workspace]) -> None:
    from alembic import command

    ws = open_workspace()
    with _engine(ws).begin() as conn:
        command.downgrade(_migrate.alembic_config(conn), "base")
    with _engine(ws).connect() as conn:
        assert not sa.inspect(conn).has_table("runs")
    ws.close()
    upgraded = open_workspace()
    assert upgraded.revision == _schema.HEAD_REVISION
    experiment = upgraded.get_or_create_experiment("after-upgrade", kind="sweep")
    assert upgraded.get_experiment("after-upgrade") == experiment


def test_concurrent_first_opens_migrate_once(store_location: StoreLocation) -> None:
    opened: list[Workspace] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(store_location.open())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert {ws.revision for ws in opened} == {_schema.HEAD_REVISION}
    finally:
        for ws in opened:
            ws.close()
