"""Opening workspaces: where they are, SQLite settings, closing, import cost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trials import StoreError, Workspace

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_folder_layout_and_sqlite_settings(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws") as ws:
        assert ws.location == str(tmp_path / "ws")
        assert ws.backend == "sqlite"
        assert ws.artifact_root == tmp_path / "ws" / "artifacts"
        assert ws.artifact_root.is_dir()
        with ws._engine.connect() as conn:  # settings of the pooled connections
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
        assert pragmas == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "busy_timeout": 30000,
            "foreign_keys": 1,
        }
    with sqlite3.connect(tmp_path / "ws" / "workspace.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_location_from_environment_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTOML_WORKSPACE", str(tmp_path / "from_env"))
    with Workspace() as ws:
        assert ws.location == str(tmp_path / "from_env")
    monkeypatch.delenv("AUTOML_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    with Workspace() as ws:
        assert ws.location == str(tmp_path / "automl_workspace")
    assert (tmp_path / "automl_workspace" / "workspace.db").is_file()


def test_url_workspaces_take_an_artifact_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'db' / 'store.db'}"
    with Workspace(url, artifact_root=tmp_path / "files") as ws:
        assert ws.artifact_root == tmp_path / "files"
        assert ws.location == url
    monkeypatch.setenv("AUTOML_ARTIFACT_ROOT", str(tmp_path / "env_files"))
    with Workspace(url) as ws:
        assert ws.artifact_root == tmp_path / "env_files"
    monkeypatch.delenv("AUTOML_ARTIFACT_ROOT")
    monkeypatch.chdir(tmp_path)
    with Workspace(url) as ws:
        assert ws.artifact_root == tmp_path / "automl_workspace" / "artifacts"


@pytest.mark.parametrize(
    ("location", "kwargs", "error", "match"),
    [
        ("folder", {"artifact_root": "x"}, ValueError, "`artifact_root` must be None for a folder"),
        ("file", {}, ValueError, "`location` must be a folder .*which is a file"),
        ("sqlite://", {}, ValueError, "`location` must be a file-backed database"),
        ("sqlite:///:memory:", {}, ValueError, "`location` must be a file-backed database"),
        ("mysql://u@h/db", {}, ValueError, "got a 'mysql' URL"),
        (42, {}, TypeError, "`location` must be a folder path or a database URL, got 42"),
    ],
)
def test_bad_locations(
    tmp_path: Path, location: object, kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    (tmp_path / "file").write_text("not a folder")
    resolved = {"folder": tmp_path / "ws", "file": tmp_path / "file"}.get(location, location)  # type: ignore[call-overload]
    with pytest.raises(error, match=match):
        Workspace(resolved, **kwargs)  # type: ignore[arg-type]


def test_closed_workspace_refuses_use(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    experiment = ws.get_or_create_experiment("e", kind="sweep")
    writer = ws.writer()
    writer.start_run(experiment.id)
    ws.close()
    ws.close()  # closing twice is fine
    assert experiment.name == "e"  # records stay usable
    with pytest.raises(StoreError, match=r"Workspace\('.*'\) is closed; open a new Workspace"):
        ws.list_experiments()
    with pytest.raises(StoreError, match="is closed"):
        writer.commit()
    with pytest.raises(StoreError, match="is closed"):
        ws.writer()


def test_import_is_cheap_and_open_is_fast(tmp_path: Path) -> None:
    Workspace(tmp_path / "ws").close()
    code = (
        "import sys, time\n"
        "import trials, trials.store\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'pandas', 'alembic') if m in sys.modules)\n"
        "print('heavy', heavy)\n"
        "import sqlalchemy, pandas\n"
        "start = time.perf_counter()\n"
        f"ws = trials.Workspace({str(tmp_path / 'ws')!r})\n"
        "print('open_ms', (time.perf_counter() - start) * 1000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["heavy"] == "[]"
    # Generous bound: the fast path is a few milliseconds, but CI machines vary.
    assert float(lines["open_ms"]) < 1000


def test_open_existing_workspace_timing(tmp_path: Path) -> None:
    Workspace(tmp_path / "ws").close()
    start = time.perf_counter()
    for _ in range(10):
        Workspace(tmp_path / "ws").close()
    per_open_ms = (time.perf_counter() - start) * 100
    print(f"\nopening an existing SQLite workspace: {per_open_ms:.1f} ms")


def test_unreachable_database_names_the_url_without_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://user:secret@127.0.0.1:1/db"
    with pytest.raises(
        StoreError,
        match=r"(?s)cannot open the workspace database at postgresql\+psycopg://user:\*\*\*@127\.0\.0\.1:1/db"
        r".*check that the server is running",
    ):
        Workspace(url, artifact_root=tmp_path / "files")
