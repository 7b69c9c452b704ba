"""Trials: the run store and registries, executors, policies and the experiment controller.

Importing this package is cheap: SQLAlchemy and pandas load when a workspace is opened.
"""

from __future__ import annotations

from trials._context import TrialContext
from trials._controller import Controller, ControllerOptions
from trials._limits import Limits
from trials._result import BestTrial, SweepResult
from trials._resume import ExperimentConfigError, ExperimentInUseError
from trials._searcher import Objective, SamplerSearcher, Searcher, TrialOutcome, TrialRequest
from trials._sweep import Sweep
from trials._sweep_yaml import SweepJob, SweepJobError, load_sweep_job, parse_sweep_job
from trials._targets import CommandTemplate, FunctionTarget, TrialTarget
from trials.executors import CommandTarget, Executor, LocalExecutor, RayExecutor, Resources
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
    "BestTrial",
    "CommandTarget",
    "CommandTemplate",
    "Controller",
    "ControllerOptions",
    "DatasetRegistry",
    "DatasetVersion",
    "EarlyTerminationPolicy",
    "Executor",
    "Experiment",
    "ExperimentConfigError",
    "ExperimentInUseError",
    "FunctionTarget",
    "Limits",
    "LocalExecutor",
    "MedianStoppingPolicy",
    "ModelRegistry",
    "ModelVersion",
    "NoTerminationPolicy",
    "NotFoundError",
    "Objective",
    "RayExecutor",
    "Resources",
    "Run",
    "RunStatus",
    "SamplerSearcher",
    "Searcher",
    "StatusChange",
    "StoreError",
    "StoreWriter",
    "Sweep",
    "SweepJob",
    "SweepJobError",
    "SweepResult",
    "TrialContext",
    "TrialOutcome",
    "TrialRequest",
    "TrialTarget",
    "TruncationSelectionPolicy",
    "Workspace",
    "WorkspaceVersionError",
    "load_sweep_job",
    "make_policy",
    "parse_sweep_job",
]
