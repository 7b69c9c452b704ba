"""LocalExecutor: trials in a pool of reused worker processes on this machine."""

from __future__ import annotations

import atexit
import math
import multiprocessing
import multiprocessing.util  # import before registering our atexit hook, see below
import pickle
import weakref
from collections.abc import Sequence
from multiprocessing.connection import wait
from pathlib import Path
from time import monotonic
from typing import Any, Literal, TypeAlias

from trials.executors import _process_tree
from trials.executors._base import Executor
from trials.executors._events import ArtifactLogged, Event, Reported, TrialFinished, TrialStarted
from trials.executors._gpus import GpuPool, check_gpu_ids, check_gpu_request, detect_gpus
from trials.executors._handle import RunningTrial, WorkerHandle
from trials.executors._local_limits import TrialLimits
from trials.executors._logs import STDERR_NAME, STDOUT_NAME, log_sizes, read_tail
from trials.executors._payload import encode_run
from trials.executors._protocol import (
    ANSWER,
    ARTIFACT,
    CANCEL,
    EXIT,
    FINISHED,
    READY,
    REPORT,
)
from trials.executors._spec import Resources, TrialSpec

__all__ = ["LocalExecutor", "StartMethod"]

StartMethod: TypeAlias = Literal["forkserver", "spawn"]

_MIB = 1024 * 1024
_MAX_START_FAILURES = 3
_START_HINT = (
    "its error is printed on this process's stderr. A script that starts trials must do so "
    'under `if __name__ == "__main__":`, since workers import the main module'
)
_DUMP = pickle.dumps
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_LIVE: weakref.WeakSet[LocalExecutor] = weakref.WeakSet()


def _shutdown_all() -> None:
    for executor in list(_LIVE):
        executor.shutdown()


# atexit runs hooks last-registered first: registered after multiprocessing's own (imported
# above), ours kills the workers before multiprocessing joins its child processes, which
# would otherwise wait forever for workers blocked reading their pipe.
atexit.register(_shutdown_all)


class LocalExecutor(Executor):
    """Runs trials in a pool of worker processes on this machine, reused across trials.

    A Python trial runs inside a worker; a command runs as the worker's child. Each trial
    gets its thread cap and ``CUDA_VISIBLE_DEVICES`` set before it starts, its stdout and
    stderr in its artifact folder, and is killed (the worker is replaced) when it crashes
    the process, runs past its timeout or goes over its memory cap. A command that logs
    with MLflow (``mlflow.log_metric``) has those metrics reported too, when MLflow is
    installed here.

    Args:
        max_concurrency: Number of worker processes, i.e. trials at once.
        gpus: GPU ids to hand out (``[0, 1]``); None: those in ``CUDA_VISIBLE_DEVICES``,
            else those ``nvidia-smi -L`` lists, else none.
        start_method: How workers start: ``"forkserver"`` (fast, default) or ``"spawn"``.
        memory_check_interval: Seconds between samples of the resident memory of trials
            that have a memory cap (taken while :meth:`poll` runs).

    Example:
        >>> from trials.executors import LocalExecutor, TrialSpec
        >>> with LocalExecutor(max_concurrency=2) as executor:  # doctest: +SKIP
        ...     executor.submit(TrialSpec("run-1", 0, {"lr": 0.1}, train, Path("out/run-1")))
        ...     events = executor.poll(timeout=1.0)
    """

    def __init__(
        self,
        max_concurrency: int = 1,
        *,
        gpus: Sequence[int | str] | None = None,
        start_method: StartMethod = "forkserver",
        memory_check_interval: float = 0.1,
    ) -> None:
        if (
            not isinstance(max_concurrency, int)
            or isinstance(max_concurrency, bool)
            or max_concurrency < 1
        ):
            raise ValueError(
                f"`max_concurrency` must be an integer >= 1, got {max_concurrency!r}; it is "
                "the number of worker processes (trials running at once)"
            )
        methods = [
            m for m in ("forkserver", "spawn") if m in multiprocessing.get_all_start_methods()
        ]
        if start_method not in methods:
            raise ValueError(
                f"`start_method` must be one of {', '.join(map(repr, methods))}, "
                f"got {start_method!r}"
            )
        self._gpu_ids = None if gpus is None else check_gpu_ids(gpus)
        if (
            not isinstance(memory_check_interval, (int, float))
            or isinstance(memory_check_interval, bool)
            or not 0 < memory_check_interval <= 60
        ):
            raise ValueError(
                "`memory_check_interval` must be a number of seconds in (0, 60], "
                f"got {memory_check_interval!r}"
            )
        self._max_concurrency = max_concurrency
        self._start_method = start_method
        self._limits = TrialLimits(float(memory_check_interval))
        self._context: Any = None
        self._pool: GpuPool | None = None
        self._workers: list[WorkerHandle] = []
        self._by_run: dict[str, WorkerHandle] = {}
        self._events: list[Event] = []
        self._owners: dict[Any, WorkerHandle] = {}
        self._waitables: list[Any] | None = None
        self._start_failures = 0
        self._started = False
        self._closed = False

    @property
    def max_concurrency(self) -> int:
        """Number of worker processes."""
        return self._max_concurrency

    @property
    def gpus(self) -> tuple[str, ...]:
        """The GPU ids this executor hands out (detected on first use when not given)."""
        return self._gpus().ids

    def __repr__(self) -> str:
        return (
            f"LocalExecutor(max_concurrency={self._max_concurrency}, "
            f"start_method={self._start_method!r})"
        )

    def start(self) -> None:
        """Start the worker processes (done by ``with`` or the first ``submit``)."""
        if self._closed:
            raise RuntimeError("this LocalExecutor was shut down; create a new one")
        if self._started:
            return
        self._context = multiprocessing.get_context(self._start_method)
        self._workers = [self._new_worker() for _ in range(self._max_concurrency)]
        self._started = True
        _LIVE.add(self)

    def capacity(self, resources: Resources | None = None) -> int:
        """How many more trials it can take now (with these resources' GPUs, if given)."""
        self.start()
        idle = sum(1 for worker in self._workers if worker.trial is None)
        if resources is None or not resources.gpus or not idle:
            return idle
        if resources.gpus > len(self._gpus()):
            return 0
        return self._gpus().count_placeable(resources.gpus, idle)

    def submit(self, spec: TrialSpec) -> None:
        """Start ``spec`` on an idle worker; a :class:`TrialStarted` event follows.

        Raises:
            TypeError: The target or params cannot be sent to a worker process.
            ValueError: The trial can never run here (more GPUs than exist, a memory
                cap where memory cannot be measured, a run id already running).
            RuntimeError: No idle worker or not enough free GPUs now (check
                :meth:`capacity` first), or the executor was shut down.
        """
        self.start()
        if not isinstance(spec, TrialSpec):
            raise TypeError(f"`spec` must be a TrialSpec, got {type(spec).__name__}")
        run_id = spec.run_id
        if run_id in self._by_run:
            raise ValueError(f"`run_id` {run_id!r} is already running; each trial needs its own")
        resources = spec.resources
        if resources.custom:
            raise ValueError(
                f"trial {run_id!r} asks for custom resources {dict(resources.custom)!r}, which "
                "only RayExecutor schedules; leave `custom` empty for LocalExecutor"
            )
        if resources.gpus:
            check_gpu_request(run_id, resources.gpus, self._gpus().ids)
        if resources.mem_in_mb is not None and not _process_tree.available():
            raise ValueError(
                "`mem_in_mb` needs /proc to measure resident memory (Linux); this platform "
                "has none: leave mem_in_mb=None here"
            )
        idle = [worker for worker in self._workers if worker.trial is None]
        if not idle:
            raise RuntimeError(
                f"all {self._max_concurrency} workers are busy; submit only while capacity() > 0"
            )
        gpu_ids: tuple[str, ...] = ()
        if resources.gpus:
            placed = self._gpus().place(resources.gpus)
            if placed is None:
                raise RuntimeError(
                    f"no GPU has room for {resources.gpus:g} GPU(s) now; submit only while "
                    "capacity(spec.resources) > 0"
                )
            gpu_ids = placed
        try:
            payload = encode_run(spec, ",".join(gpu_ids))
        except TypeError:
            self._gpus().release(gpu_ids, resources.gpus)
            raise
        mem_cap = None if resources.mem_in_mb is None else resources.mem_in_mb * _MIB
        worker = self._choose_worker(idle, gpu_ids, mem_cap)
        if not worker.send(payload):  # it died while idle and we had not noticed yet
            worker = self._replace(worker)
            if not worker.send(payload):
                self._gpus().release(gpu_ids, resources.gpus)
                raise RuntimeError("could not start a worker process")
        if gpu_ids and worker.pinned_gpus is None:
            worker.pinned_gpus = gpu_ids
        now = monotonic()
        deadline = None if resources.timeout is None else now + resources.timeout
        worker.trial = RunningTrial(spec, gpu_ids, now, deadline, mem_cap)
        self._by_run[run_id] = worker
        self._events.append(TrialStarted(run_id, worker.pid, gpu_ids))

    def poll(self, timeout: float) -> list[Event]:
        """Wait up to ``timeout`` seconds for events; returns as soon as there are some."""
        if (
            not isinstance(timeout, (int, float))
            or isinstance(timeout, bool)
            or not timeout >= 0
            or math.isinf(timeout)
        ):
            raise ValueError(f"`timeout` must be a number of seconds >= 0, got {timeout!r}")
        self.start()
        end = monotonic() + timeout
        while True:
            now = monotonic()
            for worker, reason in self._limits.over(list(self._workers), now):
                if worker.trial is not None:  # not ended by an earlier kill of this pass
                    self._kill_trial(worker, "failed", reason)
            soonest = min(end, self._limits.next_check(self._workers))
            wait_for = 0.0 if self._events else max(0.0, soonest - now)
            ready = wait(self._wait_list(), wait_for)
            if ready:
                self._handle_ready(ready)
            if self._start_failures >= _MAX_START_FAILURES:
                raise RuntimeError(
                    f"worker processes died {self._start_failures} times in a row before they "
                    f"could start; {_START_HINT}"
                )
            if self._events or monotonic() >= end:
                break
        events, self._events = self._events, []
        return events

    def answer(self, run_id: str, step: int, stop: bool, reason: str | None = None) -> None:
        """Send the controller's decision on the report at ``step``."""
        worker = self._by_run.get(run_id)
        if worker is None or worker.trial is None:
            return
        if stop and worker.trial.stop_reason is None:
            worker.trial.stop_reason = reason or f"stopped early at step {step}"
        worker.send(_DUMP((ANSWER, run_id, step, bool(stop), reason), _PROTOCOL))

    def cancel(self, run_id: str, *, kill: bool, reason: str | None = None) -> None:
        """Ask a trial to stop (``kill=False``) or kill it now (``kill=True``)."""
        worker = self._by_run.get(run_id)
        if worker is None or worker.trial is None:
            return
        reason = reason or "canceled"
        if kill:
            self._kill_trial(worker, "canceled", reason)
        else:
            worker.send(_DUMP((CANCEL, run_id, reason), _PROTOCOL))

    def shutdown(self) -> None:
        """Kill running trials (no events follow) and stop the workers; idempotent."""
        if self._closed:
            return
        self._closed = True
        _LIVE.discard(self)
        goodbye = _DUMP((EXIT,), _PROTOCOL)
        for worker in self._workers:
            if worker.trial is None:
                worker.stop(goodbye)
            else:
                worker.kill()
        for worker in self._workers:
            worker.process.join(timeout=2.0)
            if worker.alive():
                worker.kill()
            worker.close()
        self._workers = []
        self._by_run.clear()
        self._owners.clear()
        self._waitables = None

    # -- workers ------------------------------------------------------------------------

    def _new_worker(self) -> WorkerHandle:
        self._waitables = None
        return WorkerHandle(self._context, die_with_parent=self._start_method == "forkserver")

    def _replace(self, worker: WorkerHandle) -> WorkerHandle:
        if worker.alive():
            worker.kill()
        worker.close()
        fresh = self._new_worker()
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def _choose_worker(
        self, idle: list[WorkerHandle], gpu_ids: tuple[str, ...], mem_cap: int | None
    ) -> WorkerHandle:
        worker = None
        if gpu_ids:
            worker = next((w for w in idle if w.pinned_gpus == gpu_ids), None)
        if worker is None:
            worker = next((w for w in idle if w.pinned_gpus is None), None)
        if worker is None:
            # Every idle worker has run trials on other GPUs and CUDA may hold them fixed.
            worker = self._replace(idle[0])
        if mem_cap is not None and _process_tree.resident_bytes([worker.pid]) >= mem_cap:
            # Memory a previous trial kept would count against this one from the start.
            worker = self._replace(worker)
        return worker

    def _wait_list(self) -> list[Any]:
        if self._waitables is None:
            owners: dict[Any, WorkerHandle] = {}
            for worker in self._workers:
                owners[worker.conn] = worker
                owners[worker.sentinel] = worker
            self._owners = owners
            self._waitables = list(owners)
        return self._waitables

    # -- events -------------------------------------------------------------------------

    def _handle_ready(self, ready: list[Any]) -> None:
        dead: list[WorkerHandle] = []
        for item in ready:  # messages first: a dying worker's last words still count
            worker = self._owners.get(item)
            if worker is not None and item is worker.conn and not self._take_messages(worker):
                dead.append(worker)
        for item in ready:
            worker = self._owners.get(item)
            if worker is not None and item == worker.sentinel and worker not in dead:
                dead.append(worker)
        for worker in dead:
            if worker in self._workers:
                self._worker_died(worker)

    def _take_messages(self, worker: WorkerHandle) -> bool:
        """Turn a worker's waiting messages into events; False once its pipe is closed."""
        messages, is_open = worker.receive_ready()
        for message in messages:
            tag = message[0]
            if tag == READY:
                worker.ready = True
                self._start_failures = 0
                continue
            trial = worker.trial
            if trial is None:
                continue
            run_id = trial.spec.run_id
            if tag == REPORT:
                trial.last_metrics.update(message[2])
                self._events.append(Reported(run_id, message[1], message[2], message[3]))
            elif tag == ARTIFACT:
                self._events.append(
                    ArtifactLogged(run_id, message[1], Path(message[2]), message[3])
                )
            elif tag == FINISHED:
                _, status, metrics, reason, error, duration, out_size, err_size = message
                self._finish(worker, status, metrics, reason, error, duration, (out_size, err_size))
        return is_open

    def _finish(
        self,
        worker: WorkerHandle,
        status: Any,
        metrics: dict[str, float],
        reason: str | None,
        error: str | None,
        duration: float,
        log_sizes: tuple[int | None, int | None],
    ) -> None:
        trial = worker.trial
        if trial is None:
            return
        spec = trial.spec
        run_id = spec.run_id
        for name, size in zip((STDOUT_NAME, STDERR_NAME), log_sizes, strict=True):
            if size is not None:
                self._events.append(ArtifactLogged(run_id, name, spec.artifact_dir / name, size))
        if trial.last_metrics:
            metrics = {**trial.last_metrics, **metrics}
        if trial.gpu_ids:
            self._gpus().release(trial.gpu_ids, spec.resources.gpus)
        worker.trial = None
        del self._by_run[run_id]
        self._events.append(TrialFinished(run_id, status, metrics, reason, error, duration))

    def _worker_died(self, worker: WorkerHandle) -> None:
        self._take_messages(worker)
        worker.process.join(timeout=1.0)
        trial = worker.trial
        if not worker.ready:
            self._start_failures += 1
        if trial is not None:
            tail = read_tail(trial.spec.artifact_dir / STDERR_NAME)
            reason = f"worker process died ({worker.exit_description()})"
            if not worker.ready:
                cause = worker.exit_description()
                reason = f"the worker process could not start ({cause}); {_START_HINT}"
            duration = monotonic() - trial.started
            self._finish(
                worker,
                "failed",
                {},
                reason,
                tail or None,
                duration,
                log_sizes(trial.spec.artifact_dir),
            )
        _process_tree.kill_orphans(worker.pid)  # e.g. the command it was running
        if self._start_failures < _MAX_START_FAILURES:
            self._replace(worker)

    def _kill_trial(self, worker: WorkerHandle, status: str, reason: str) -> None:
        trial = worker.trial
        self._take_messages(worker)
        if worker.trial is not trial:
            return  # it finished on its own just in time
        worker.kill()
        self._take_messages(worker)
        if worker.trial is trial and trial is not None:
            if status == "canceled" and trial.stop_reason is not None:
                status, reason = "early_terminated", trial.stop_reason
            duration = monotonic() - trial.started
            self._finish(
                worker, status, {}, reason, None, duration, log_sizes(trial.spec.artifact_dir)
            )
        self._replace(worker)

    # -- GPUs ---------------------------------------------------------------------------

    def _gpus(self) -> GpuPool:
        if self._pool is None:
            self._pool = GpuPool(detect_gpus() if self._gpu_ids is None else self._gpu_ids)
        return self._pool
