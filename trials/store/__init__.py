"""The run store: experiments, runs, metrics, artifacts, models and datasets of a workspace.

Importing this package is cheap; SQLAlchemy, Alembic and pandas load when a
:class:`Workspace` is opened or queried.
"""

from __future__ import annotations

from trials.store._datasets import DatasetRegistry
from trials.store._errors import (
    ArtifactIntegrityError,
    NotFoundError,
    StoreError,
    WorkspaceVersionError,
)
from trials.store._records import (
    ArtifactRecord,
    DatasetVersion,
    Experiment,
    ModelVersion,
    Run,
    RunStatus,
    StatusChange,
)
from trials.store._registry import ModelRegistry
from trials.store._workspace import Workspace
from trials.store._writer import StoreWriter

__all__ = [
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
]
