"""Trials: the run store and registries, executors, policies and the experiment controller.

Importing this package is cheap: SQLAlchemy and pandas load when a workspace is opened.
"""

from __future__ import annotations

from trials._context import TrialContext
from trials.executors import CommandTarget, Executor, LocalExecutor, Resources
from trials.policies import (
    AshaPolicy,
    BanditPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    make_policy,
)
from trials.store import (
    ArtifactIntegrityError,
    ArtifactRecord,
    DatasetRegistry,
    DatasetVersion,
    Experiment,
    ModelRegistry,
    ModelVersion,
    NotFoundError,
    Run,
    RunStatus,
    StatusChange,
    StoreError,
    StoreWriter,
    Workspace,
    WorkspaceVersionError,
)

__all__ = [
    "ArtifactIntegrityError",
    "ArtifactRecord",
    "AshaPolicy",
    "BanditPolicy",
    "CommandTarget",
    "DatasetRegistry",
    "DatasetVersion",
    "EarlyTerminationPolicy",
    "Executor",
    "Experiment",
    "LocalExecutor",
    "MedianStoppingPolicy",
    "ModelRegistry",
    "ModelVersion",
    "NoTerminationPolicy",
    "NotFoundError",
    "Resources",
    "Run",
    "RunStatus",
    "StatusChange",
    "StoreError",
    "StoreWriter",
    "TrialContext",
    "TruncationSelectionPolicy",
    "Workspace",
    "WorkspaceVersionError",
    "make_policy",
]
