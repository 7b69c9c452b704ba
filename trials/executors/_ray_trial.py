"""One trial as :class:`RayExecutor` tracks it: its attempts, its messages turned into
events in the order it sent them, its files (logs as they grow) written into the workspace,
and how a failed attempt reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from time import monotonic
from typing import Any

from trials.executors._events import (
    ArtifactLogged,
    Event,
    Reported,
    TrialFinished,
    TrialStarted,
    TrialStatus,
)
from trials.executors._logs import STDERR_NAME, STDOUT_NAME
from trials.executors._ray_mailbox import Message
from trials.executors._ray_task import ARTIFACT, LOG, MEMORY, REPORT, STARTED, AttemptResult
from trials.executors._spec import TrialSpec

__all__ = ["RayTrial", "failure_reason", "is_retryable"]

_MIB = 1024 * 1024

# Failures of the machinery, not of the trial: another attempt may succeed.
_RETRYABLE = frozenset(
    {
        "WorkerCrashedError",
        "NodeDiedError",
        "LocalRayletDiedError",
        "ObjectLostError",
        "OutOfMemoryError",
    }
)


@dataclass(slots=True)
class RayTrial:
    """The executor's bookkeeping for one trial across its attempts."""

    spec: TrialSpec
    demand: dict[str, float]
    began: float
    ref: Any = None  # the running attempt's ObjectRef
    attempt: int = 0
    deadline: float | None = None
    started: bool = False  # TrialStarted was emitted
    next_seq: int = 0  # the next message of the current attempt to emit
    early: dict[int, Message] = field(default_factory=dict)  # arrived before their turn
    result: AttemptResult | None = None  # held until its messages are all emitted
    last_step: int = -1
    last_metrics: dict[str, float] = field(default_factory=dict)
    stop_reason: str | None = None  # the controller answered stop=True
    decided: bool = False  # decisions were filed in the mailbox
    save_error: str | None = None  # a file that came back could not be written
    logs: dict[str, int] = field(default_factory=dict)  # log name -> bytes written so far
    memory_reason: str | None = None  # the attempt went over its memory cap

    @property
    def complete(self) -> bool:
        """True once the attempt returned and every message it sent was emitted."""
        return self.result is not None and self.next_seq >= self.result[6]

    def next_attempt(self) -> None:
        """Forget the failed attempt's place in its messages; the next one starts over."""
        self.attempt += 1
        self.next_seq = 0
        self.early.clear()
        self.result = None
        self.logs.clear()

    def receive(self, message: Message, events: list[Event]) -> None:
        """Take one message of the current attempt; emit those now in order."""
        attempt, seq = message[1], message[2]
        if attempt != self.attempt or seq < self.next_seq:
            return  # an earlier attempt's
        self.early[seq] = message
        while self.next_seq in self.early:
            self._emit(self.early.pop(self.next_seq), events)
            self.next_seq += 1

    def _emit(self, message: Message, events: list[Event]) -> None:
        run_id = self.spec.run_id
        tag = message[3]
        if tag == STARTED:
            timeout = self.spec.resources.timeout
            self.deadline = None if timeout is None else monotonic() + timeout
            if not self.started:
                self.started = True
                events.append(TrialStarted(run_id, message[4], tuple(message[6])))
        elif tag == REPORT:
            step, metrics, awaits = message[4], message[5], message[6]
            if step <= self.last_step:
                return  # a retried attempt repeats what an earlier one reported
            self.last_step = step
            self.last_metrics.update(metrics)
            events.append(Reported(run_id, step, metrics, awaits))
        elif tag == ARTIFACT:
            name, data = message[4], message[5]
            try:
                path = write_file(self.spec.artifact_dir, name, data)
            except OSError as exc:
                self.save_error = self.save_error or f"could not save the trial's files: {exc}"
                return
            events.append(ArtifactLogged(run_id, name, path, len(data)))
        elif tag == LOG:
            self._append_log(message[4], message[5], message[6])
        elif tag == MEMORY:
            resident, cap = message[4], message[5]
            self.memory_reason = (
                f"exceeded memory cap of {cap // _MIB} MB (resident {resident // _MIB} MB)"
            )

    def _append_log(self, name: str, offset: int, data: bytes) -> None:
        if name not in (STDOUT_NAME, STDERR_NAME):
            return
        path = self.spec.artifact_dir / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "r+b" if offset and path.exists() else "wb") as handle:
                handle.seek(offset)
                handle.write(data)
                handle.truncate()
        except OSError as exc:
            self.save_error = self.save_error or f"could not save the trial's logs: {exc}"
            return
        self.logs[name] = offset + len(data)

    def log_events(self, events: list[Event]) -> None:
        """The logs shipped while it ran, for a trial that ends without returning (killed,
        its worker or node lost): stdout first."""
        run_id = self.spec.run_id
        for name in sorted(self.logs, key=lambda name: name != STDOUT_NAME):
            path = self.spec.artifact_dir / name
            events.append(ArtifactLogged(run_id, name, path, self.logs[name]))

    def end(self, events: list[Event]) -> None:
        """Write the returned attempt's files and emit its logs and its end."""
        if self.result is None:
            raise RuntimeError(f"trial {self.spec.run_id!r} ended before its attempt returned")
        _, status, metrics, reason, error, duration, _, files = self.result
        run_id = self.spec.run_id
        logs: list[ArtifactLogged] = []
        for name, data in files:
            try:
                path = write_file(self.spec.artifact_dir, name, data)
            except OSError as exc:
                self.save_error = self.save_error or f"could not save the trial's files: {exc}"
                continue
            if name in (STDOUT_NAME, STDERR_NAME):
                logs.append(ArtifactLogged(run_id, name, path, len(data)))
        logs.sort(key=lambda event: event.name != STDOUT_NAME)
        events.extend(logs)
        if self.save_error is not None and status != "failed":
            status, reason, error = "failed", self.save_error, None
        self.finish(events, status, metrics, reason, error, duration)

    def finish(
        self,
        events: list[Event],
        status: TrialStatus | str,
        metrics: dict[str, float],
        reason: str | None,
        error: str | None,
        duration: float,
    ) -> None:
        """Emit the trial's end (and its start, if it never said it started)."""
        run_id = self.spec.run_id
        if not self.started:  # it failed before it could say so
            events.append(TrialStarted(run_id, 0, ()))
            self.started = True
        if self.last_metrics:
            metrics = {**self.last_metrics, **metrics}
        final: Any = status  # one of TrialStatus: the attempt's outcome or ours
        events.append(TrialFinished(run_id, final, metrics, reason, error, duration))


def write_file(folder: Path, name: str, data: bytes) -> Path:
    """Write a file that came back from a trial into its artifact folder."""
    relative = PurePosixPath(name)
    if not name or relative.is_absolute() or ".." in relative.parts:
        raise OSError(f"refusing the file name {name!r}: it leaves the artifact folder")
    path = folder.joinpath(*relative.parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _kinds(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def is_retryable(exc: BaseException) -> bool:
    """True for a failure of Ray's machinery (a worker or node that died, a lost result)."""
    return not _kinds(exc).isdisjoint(_RETRYABLE)


def failure_reason(exc: BaseException) -> str:
    """One line saying why an attempt failed, from the exception ``ray.get`` raised."""
    kinds = _kinds(exc)
    if "NodeDiedError" in kinds or "LocalRayletDiedError" in kinds:
        return "the Ray node running the trial died"
    if "WorkerCrashedError" in kinds:
        return "the Ray worker process running the trial died (crashed or was killed)"
    if "OutOfMemoryError" in kinds:
        return "Ray's memory monitor killed the trial: its node ran low on memory"
    if "ObjectLostError" in kinds:
        return "the trial's result was lost with the Ray node that held it"
    cause = getattr(exc, "cause", None) if "RayTaskError" in kinds else None
    if isinstance(cause, BaseException):
        if "RayActorError" in _kinds(cause):
            return "the trial lost its line to the executor (the mailbox actor died)"
        text = str(cause).strip().splitlines()
        detail = f"{type(cause).__name__}: {text[0]}" if text else type(cause).__name__
        return f"the Ray worker could not run the trial: {detail[:250]}"
    text = str(exc).strip().splitlines()
    return f"Ray failed to run the trial: {type(exc).__name__}" + (f": {text[0]}" if text else "")
