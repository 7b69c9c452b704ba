"""Executors: where and how trials run.

An executor takes :class:`TrialSpec` objects, runs them, and reports what happens as
events (:class:`TrialStarted`, :class:`Reported`, :class:`ArtifactLogged`,
:class:`TrialFinished`). :class:`LocalExecutor` runs them in a pool of reused worker
processes on this machine; :class:`RayExecutor` runs them as Ray tasks on a local Ray or a
cluster (Ray itself is imported only when a RayExecutor is created). ``executor.share(name,
value)`` offers a read-only value to every trial (Ray's object store; the local executor's
trials read the caller's files and it shares nothing), read inside a trial with
:func:`shared_value`.

Example:
    >>> from pathlib import Path
    >>> from trials.executors import LocalExecutor, Resources, TrialSpec
    >>> spec = TrialSpec(  # doctest: +SKIP
    ...     run_id="run-1", index=0, params={"lr": 0.1}, target=train,
    ...     artifact_dir=Path("artifacts/run-1"), resources=Resources(timeout=60.0),
    ... )
    >>> with LocalExecutor(max_concurrency=2) as executor:  # doctest: +SKIP
    ...     executor.submit(spec)
    ...     events = executor.poll(timeout=1.0)
"""

from trials.executors._base import Executor
from trials.executors._events import (
    ArtifactLogged,
    Event,
    Reported,
    TrialFinished,
    TrialStarted,
    TrialStatus,
)
from trials.executors._local import LocalExecutor, StartMethod
from trials.executors._make import make_executor
from trials.executors._ray import RayExecutor
from trials.executors._ray_task import shared_value
from trials.executors._spec import CommandTarget, Resources, TrainFunction, TrialSpec

__all__ = [
    "ArtifactLogged",
    "CommandTarget",
    "Event",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "Reported",
    "Resources",
    "StartMethod",
    "TrainFunction",
    "TrialFinished",
    "TrialSpec",
    "TrialStarted",
    "TrialStatus",
    "make_executor",
    "shared_value",
]
