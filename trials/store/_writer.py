"""The batched writer: runs, metrics, statuses, tags and artifacts, committed together.

A controller writes through one :class:`StoreWriter`: every call only buffers in memory
(microseconds), and :meth:`StoreWriter.commit` writes the whole buffer in ONE transaction
with bulk inserts and updates. A report is durable once committed; a process killed before
the commit loses only the buffer. Run ids are generated here, so a run can be referred to
(as a parent, in metrics) before it is committed.
"""

from __future__ import annotations

import math
import numbers
import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from trials.store import _artifacts
from trials.store._records import ArtifactRecord, Experiment, RunStatus, from_epoch
from trials.store._validation import (
    check_mapping,
    check_optional_str,
    describe,
    parse_status,
)

if TYPE_CHECKING:
    from trials.store._workspace import Workspace

__all__ = ["Batch", "StoreWriter", "new_run_id"]

_MAX_KEY = 250


def new_run_id() -> str:
    """Return a new random run id: 16 hex digits (64 random bits)."""
    return secrets.token_hex(8)


def _check_run_id(run_id: object) -> str:
    if not isinstance(run_id, str) or not run_id:
        raise TypeError(f"`run_id` must be a run id (a non-empty string), got {describe(run_id)}")
    return run_id


def _check_int(field: str, value: object, *, allow_none: bool = True) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise ValueError(f"`{field}` must be an integer >= 0 or None, got {describe(value)}")
    return int(value)


def _status_times(status: RunStatus, now: float) -> tuple[float | None, float | None]:
    """``(started_at, ended_at)`` implied by moving to ``status`` at ``now``."""
    if status is RunStatus.QUEUED:
        return None, None
    if status is RunStatus.RUNNING:
        return now, None
    return None, now


@dataclass
class Batch:
    """What a writer has buffered since its last commit (read by the flush)."""

    new_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    status_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    tag_merges: dict[str, dict[str, Any]] = field(default_factory=dict)
    property_merges: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    experiment_of: dict[str, int] = field(default_factory=dict)
    operations: int = 0


class StoreWriter:
    """Buffers writes in memory and commits them in one transaction.

    Not thread-safe: use one writer per thread (the controller is the single writer of its
    experiment). Obtain one with :meth:`Workspace.writer`.

    Example:
        >>> import tempfile
        >>> from trials import Workspace
        >>> with Workspace(tempfile.mkdtemp()) as ws:
        ...     exp = ws.get_or_create_experiment("demo", kind="sweep")
        ...     writer = ws.writer()
        ...     run_id = writer.start_run(exp.id, index=0, params={"lr": 0.1})
        ...     writer.log_metrics(run_id, {"loss": 0.5}, step=1)
        ...     writer.set_status(run_id, "completed")
        ...     writer.commit()  # the number of calls written, in one transaction
        ...     ws.get_run(run_id).status
        3
        <RunStatus.COMPLETED: 'completed'>
    """

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace
        self._batch = Batch()
        # Experiments of the runs this writer started, kept across commits.
        self._experiment_of: dict[str, int] = {}
        # Creation times strictly increase, so creation order survives a coarse clock.
        self._last_created = 0.0

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit on a clean exit; keep the buffer uncommitted when an exception escapes."""
        if exc_type is None:
            self.commit()

    @property
    def pending(self) -> int:
        """Number of buffered calls not yet committed."""
        return self._batch.operations

    def create_experiment(
        self,
        name: str,
        *,
        kind: str,
        fingerprint: str | None = None,
        config: Any = None,
    ) -> Experiment:
        """Create an experiment now (not buffered) and return it.

        Raises:
            ValueError: an experiment of that name exists; use
                :meth:`Workspace.get_or_create_experiment` to resume it.
        """
        experiment, created = self._ws._create_experiment(name, kind, fingerprint, config)
        if not created:
            raise ValueError(
                f"`name` must be a new experiment name, got {name!r}, which already exists; "
                "use Workspace.get_or_create_experiment() to continue it, or pick another name"
            )
        return experiment

    def start_run(
        self,
        experiment_id: int,
        *,
        parent_id: str | None = None,
        kind: str = "trial",
        index: int | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        status: str | RunStatus = RunStatus.RUNNING,
    ) -> str:
        """Buffer a new run and return its id (usable right away, before the commit).

        Args:
            experiment_id: :attr:`Experiment.id` of its experiment.
            parent_id: Id of the parent run (committed or buffered earlier).
            kind: ``"parent"``, ``"trial"``, ``"ensemble"``, ...
            index: Trial index within the experiment.
            params: Parameters, JSON-serializable (nested dicts allowed).
            tags: Initial tags.
            properties: Initial properties.
            status: Initial status, ``"running"`` by default (which also sets its start).
        """
        if isinstance(experiment_id, bool) or not isinstance(experiment_id, numbers.Integral):
            raise TypeError(
                f"`experiment_id` must be an int (Experiment.id), got {describe(experiment_id)}"
            )
        if parent_id is not None:
            _check_run_id(parent_id)
        if not isinstance(kind, str) or not kind or len(kind) > 32:
            raise ValueError(
                f"`kind` must be a non-empty string (<= 32 chars), got {describe(kind)}"
            )
        run_status = parse_status(status)
        now = max(time.time(), self._last_created + 1e-6)
        self._last_created = now
        started, ended = _status_times(run_status, now)
        run_id = new_run_id()
        self._batch.new_runs[run_id] = {
            "id": run_id,
            "experiment_id": int(experiment_id),
            "parent_id": parent_id,
            "kind": kind,
            "trial_index": _check_int("index", index),
            "status": run_status.value,
            "status_reason": None,
            "error": None,
            "params": check_mapping("params", params),
            "tags": check_mapping("tags", tags),
            "properties": check_mapping("properties", properties),
            "created_at": now,
            "started_at": started,
            "ended_at": ended,
            "cancel_requested": False,
            "cancel_requested_at": None,
        }
        self._batch.history.append(
            {"run_id": run_id, "status": run_status.value, "reason": None, "at": now}
        )
        self._experiment_of[run_id] = int(experiment_id)
        self._batch.operations += 1
        return run_id

    def log_metrics(
        self, run_id: str, metrics: Mapping[str, float], step: int | None = None
    ) -> None:
        """Buffer metric values of ``run_id`` at ``step`` (0 when ``None``).

        Logging a key again at the same step keeps both values in the history; the later
        one is the run's final value if no higher step follows. NaN is kept as NaN.
        """
        _check_run_id(run_id)
        if not isinstance(metrics, Mapping):
            raise TypeError(
                f"`metrics` must be a mapping of name to number, got {describe(metrics)}"
            )
        at_step = _check_int("step", step) or 0
        now = time.time()
        rows: list[dict[str, Any]] = []
        for key, value in metrics.items():
            if not isinstance(key, str) or not key or len(key) > _MAX_KEY:
                raise ValueError(
                    f"metric names must be non-empty strings of at most {_MAX_KEY} characters, "
                    f"got {describe(key)}"
                )
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"metric {key!r} must be a real number, got {describe(value)}")
            number = float(value)
            rows.append(
                {
                    "run_id": run_id,
                    "key": key,
                    "step": at_step,
                    "value": None if math.isnan(number) else number,
                    "at": now,
                }
            )
        self._batch.metrics.extend(rows)
        self._batch.operations += 1

    def set_status(
        self,
        run_id: str,
        status: str | RunStatus,
        reason: str | None = None,
        error: str | None = None,
    ) -> None:
        """Buffer a status change of ``run_id``: appends to its history, sets its times.

        ``running`` sets the start time (if not set yet) and clears the end; a terminal
        status sets the end time. ``reason`` and ``error`` replace the previous ones.
        """
        _check_run_id(run_id)
        run_status = parse_status(status)
        check_optional_str("reason", reason)
        check_optional_str("error", error)
        now = time.time()
        started, ended = _status_times(run_status, now)
        self._batch.history.append(
            {"run_id": run_id, "status": run_status.value, "reason": reason, "at": now}
        )
        self._batch.operations += 1
        target = self._batch.new_runs.get(run_id) or self._batch.status_updates.get(run_id)
        if target is None:
            self._batch.status_updates[run_id] = {
                "status": run_status.value,
                "status_reason": reason,
                "error": error,
                "started_at": started,
                "ended_at": ended,
            }
            return
        target.update(status=run_status.value, status_reason=reason, error=error, ended_at=ended)
        if target.get("started_at") is None:
            target["started_at"] = started

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        """Buffer tags for ``run_id``: added to its tags, replacing values of the same keys."""
        self._merge(run_id, "tags", check_mapping("tags", tags), self._batch.tag_merges)

    def set_properties(self, run_id: str, properties: Mapping[str, Any]) -> None:
        """Buffer properties for ``run_id``, merged like :meth:`set_tags`."""
        merged = check_mapping("properties", properties)
        self._merge(run_id, "properties", merged, self._batch.property_merges)

    def _merge(
        self,
        run_id: str,
        column: str,
        values: dict[str, Any],
        pending: dict[str, dict[str, Any]],
    ) -> None:
        _check_run_id(run_id)
        self._batch.operations += 1
        new = self._batch.new_runs.get(run_id)
        if new is not None:
            new[column] = {**new[column], **values}
        else:
            pending.setdefault(run_id, {}).update(values)

    def log_artifact(
        self, run_id: str, source: str | PathLike[str] | bytes, name: str
    ) -> ArtifactRecord:
        """Copy a file (or bytes) to ``runs/<run_id>/<name>`` now; buffer its record.

        Args:
            run_id: The run it belongs to.
            source: Path of a file to copy, or the content as bytes.
            name: Relative name, e.g. ``"model.pkl"`` or ``"plots/roc.png"``. Logging the
                same name again replaces the file and its record.

        Returns:
            The record (sha256 and size of the stored copy). A file already in place (a
            trial's own artifact folder) is hashed there, not copied onto itself.
        """
        _check_run_id(run_id)
        relative = _artifacts.check_relative_name("name", name)
        dest = self._ws.artifact_root / "runs" / run_id / relative
        if isinstance(source, (bytes, bytearray, memoryview)):
            sha, size = _artifacts.write_bytes(bytes(source), dest)
        elif isinstance(source, (str, PathLike)):
            path = Path(source)
            if not path.is_file():
                raise FileNotFoundError(f"`source` must be an existing file, got {str(path)!r}")
            if path == dest or (dest.is_file() and os.path.samefile(path, dest)):
                sha, size = _artifacts.sha256_file(dest)
            else:
                sha, size = _artifacts.copy_file(path, dest)
        else:
            raise TypeError(f"`source` must be a file path or bytes, got {describe(source)}")
        now = time.time()
        self._batch.artifacts[(run_id, relative)] = {
            "run_id": run_id,
            "path": relative,
            "size": size,
            "sha256": sha,
            "created_at": now,
        }
        self._batch.operations += 1
        return ArtifactRecord(run_id, relative, size, sha, from_epoch(now))  # type: ignore[arg-type]

    def commit(self) -> int:
        """Write everything buffered in one transaction; return the number of calls written.

        On failure nothing is written and the buffer is kept, so the commit can be retried
        (or dropped with :meth:`discard`).

        Raises:
            NotFoundError: a buffered call refers to a run or experiment that does not exist.
        """
        batch = self._batch
        if batch.operations == 0:
            return 0
        from trials.store import _flush

        batch.experiment_of = self._experiment_of
        _flush.flush(self._ws._write_engine(), batch)
        self._batch = Batch()
        return batch.operations

    def discard(self) -> int:
        """Drop everything buffered (files already copied stay); return how many calls."""
        dropped = self._batch.operations
        self._batch = Batch()
        return dropped
