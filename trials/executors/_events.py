"""What an executor tells its controller: the events returned by ``Executor.poll``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

__all__ = [
    "ArtifactLogged",
    "Event",
    "Reported",
    "TrialFinished",
    "TrialStarted",
    "TrialStatus",
]

TrialStatus: TypeAlias = Literal["completed", "failed", "early_terminated", "canceled"]


@dataclass(frozen=True, slots=True)
class TrialStarted:
    """A trial was handed to a worker.

    Attributes:
        run_id: The trial's run id.
        pid: Process id of the worker that runs it (a command runs as its child).
        gpu_ids: The values put in ``CUDA_VISIBLE_DEVICES`` for it (empty: no GPU).
    """

    run_id: str
    pid: int
    gpu_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reported:
    """The trial reported intermediate metrics (``ctx.report``).

    Attributes:
        run_id: The trial's run id.
        step: The report's step (strictly increasing within a trial).
        metrics: Metric name -> finite value.
        awaits_decision: True when the trial blocks until ``Executor.answer`` is called
            for this step (deterministic mode).
    """

    run_id: str
    step: int
    metrics: dict[str, float]
    awaits_decision: bool


@dataclass(frozen=True, slots=True)
class ArtifactLogged:
    """A file was saved in the trial's artifact folder (its logs included).

    Attributes:
        run_id: The trial's run id.
        name: Name relative to the artifact folder, with ``/`` separators.
        path: Where the file is.
        size: Its size in bytes.
    """

    run_id: str
    name: str
    path: Path
    size: int


@dataclass(frozen=True, slots=True)
class TrialFinished:
    """The trial ended; always the last event of a trial.

    Attributes:
        run_id: The trial's run id.
        status: ``completed``, ``failed``, ``early_terminated`` (it returned after a stop
            decision) or ``canceled``.
        metrics: Final metrics: the last reported value of every metric, overridden by
            what the function returned.
        reason: One line saying why, for every status but ``completed``.
        error: The traceback (or the tail of stderr) of a failed trial, else None.
        duration_s: Seconds the trial ran.
    """

    run_id: str
    status: TrialStatus
    metrics: dict[str, float]
    reason: str | None
    error: str | None
    duration_s: float


Event: TypeAlias = TrialStarted | Reported | ArtifactLogged | TrialFinished
