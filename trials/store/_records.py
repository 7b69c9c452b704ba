"""What the store hands back: run statuses and frozen records of stored rows.

Records are plain frozen dataclasses, detached from the database: reading one twice gives
two equal records, and changing the workspace afterwards does not change a record already
read. Timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ArtifactRecord",
    "DatasetVersion",
    "Experiment",
    "ModelVersion",
    "Run",
    "RunStatus",
    "StatusChange",
    "from_epoch",
]


class RunStatus(enum.StrEnum):
    """Status of a run, with Azure ML's meanings.

    ``queued`` and ``running`` are active; the others are terminal. ``interrupted`` marks a
    run left ``running`` by a controller that died; a resumed experiment runs it again.
    """

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    EARLY_TERMINATED = "early_terminated"
    INTERRUPTED = "interrupted"

    @property
    def is_terminal(self) -> bool:
        """True when the run has ended (any status but ``queued`` and ``running``)."""
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING)


def from_epoch(value: float | None) -> datetime | None:
    """Convert stored epoch seconds into an aware UTC datetime (``None`` stays ``None``)."""
    if value is None:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


@dataclass(frozen=True)
class Experiment:
    """An experiment: a named series of runs in a workspace.

    Attributes:
        id: Database id, used by :meth:`StoreWriter.start_run`.
        name: Unique name in the workspace.
        kind: What drives it, e.g. ``"sweep"`` or ``"automl"``.
        fingerprint: Hash of the search-defining configuration, compared on resume.
        config: The configuration as JSON-compatible data.
        created_at: When it was created.
        updated_at: When a run of it was last written.
    """

    id: int
    name: str
    kind: str
    fingerprint: str | None
    config: Any
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StatusChange:
    """One entry of a run's status history."""

    status: RunStatus
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class Run:
    """A run: the parent run of an experiment, a trial, an ensemble, ...

    Attributes:
        id: Client-generated id, e.g. ``"3f9c0a6d1b2e4f57"``.
        experiment_id: Id of its experiment.
        experiment: Name of its experiment.
        parent_id: Id of the parent run, ``None`` for a top-level run.
        kind: ``"parent"``, ``"trial"``, ``"ensemble"``, ...
        index: Trial index within the experiment, where it has one.
        status: Current status.
        status_reason: Why it has that status (e.g. the policy that stopped it).
        error: Error text of a failed run.
        params: Parameters (JSON-compatible, nested as given).
        tags: Mutable tags.
        properties: Properties (set once by the controller; by convention not edited by users).
        created_at: When the run was created.
        started_at: When it first started running.
        ended_at: When it reached a terminal status.
        cancel_requested: Whether a cancel was requested.
        cancel_requested_at: When the cancel was requested.
    """

    id: str
    experiment_id: int
    experiment: str
    parent_id: str | None
    kind: str
    index: int | None
    status: RunStatus
    status_reason: str | None
    error: str | None
    params: Mapping[str, Any]
    tags: Mapping[str, Any]
    properties: Mapping[str, Any]
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    cancel_requested: bool = False
    cancel_requested_at: datetime | None = None

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from start to end (to now while running); ``None`` if it never started."""
        if self.started_at is None:
            return None
        end = self.ended_at if self.ended_at is not None else datetime.now(tz=UTC)
        return (end - self.started_at).total_seconds()


@dataclass(frozen=True)
class ArtifactRecord:
    """A file stored for a run under ``runs/<run_id>/<name>`` in the artifact root."""

    run_id: str
    name: str
    size: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class ModelVersion:
    """A registered version of a named model.

    Attributes:
        name: Model name.
        version: Version number, 1 for the first registration of the name.
        source_run_id: Run that produced it, if given.
        kind: ``"file"`` or ``"folder"``.
        artifact_path: Path of the stored file or folder, relative to the artifact root.
        sha256: sha256 of the file; for a folder, of its sorted manifest of
            (relative path, file sha256).
        size: Size in bytes (sum over files for a folder).
        tags: Mutable tags.
        lineage: Provenance recorded at registration (immutable).
        description: Free text.
        created_at: When it was registered.
        manifest: For a folder, ``{relative path: sha256}`` of every file.
    """

    name: str
    version: int
    source_run_id: str | None
    kind: Literal["file", "folder"]
    artifact_path: str
    sha256: str
    size: int
    tags: Mapping[str, Any]
    lineage: Mapping[str, Any]
    description: str | None
    created_at: datetime
    manifest: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetVersion:
    """A registered version of a named dataset.

    Attributes:
        name: Dataset name.
        version: Version number, 1 for the first registration of the name.
        fingerprint: sha256 of the content (column names, dtypes and values), so the same
            table registered from a CSV, a Parquet file or a DataFrame is recognised.
        profile: ``{"rows": n, "columns": [{"name", "dtype", "missing_pct", "distinct"}]}``.
        format: Stored format, ``"csv"`` or ``"parquet"``.
        artifact_path: Path of the stored file, relative to the artifact root.
        sha256: sha256 of the stored file.
        size: Size of the stored file in bytes.
        description: Free text.
        tags: Mutable tags.
        created_at: When it was registered.
    """

    name: str
    version: int
    fingerprint: str
    profile: Mapping[str, Any]
    format: str
    artifact_path: str
    sha256: str
    size: int
    description: str | None
    tags: Mapping[str, Any]
    created_at: datetime

    @property
    def rows(self) -> int:
        """Number of rows."""
        return int(self.profile.get("rows", 0))

    @property
    def ref(self) -> str:
        """``"name:version"``, the reference :meth:`DatasetRegistry.resolve` accepts."""
        return f"{self.name}:{self.version}"
