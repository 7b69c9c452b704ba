"""The run store's public names, and that importing them loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trials
import trials.store

REPO_ROOT = Path(__file__).resolve().parents[3]

STORE_NAMES = {
    "ArtifactIntegrityError",
    "ArtifactRecord",
    "DatasetRegistry",
    "DatasetVersion",
    "Experiment",
    "ModelRegistry",
    "ModelVersion",
    "NotFoundError",
    "Run",
    "RunStatus",
    "StatusChange",
    "StoreError",
    "StoreWriter",
    "Workspace",
    "WorkspaceVersionError",
}


def test_store_names_are_exported() -> None:
    assert set(trials.store.__all__) == STORE_NAMES
    assert set(trials.__all__) >= STORE_NAMES
    for name in STORE_NAMES:
        assert getattr(trials, name) is getattr(trials.store, name)


def test_run_statuses() -> None:
    assert [s.value for s in trials.RunStatus] == [
        "queued",
        "running",
        "completed",
        "failed",
        "canceled",
        "early_terminated",
        "interrupted",
    ]
    assert not trials.RunStatus.RUNNING.is_terminal
    assert trials.RunStatus.EARLY_TERMINATED.is_terminal


def test_import_trials_loads_no_database_or_dataframe_library() -> None:
    code = (
        "import sys, trials, trials.store\n"
        "heavy = ('sqlalchemy', 'alembic', 'pandas', 'psycopg')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert done.stdout.strip() == "[]"
