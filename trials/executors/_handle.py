"""One worker process as the executor sees it, and the trial it is running."""

from __future__ import annotations

import contextlib
import pickle
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from trials.executors import _process_tree
from trials.executors._spec import TrialSpec
from trials.executors._worker import worker_main

__all__ = ["RunningTrial", "WorkerHandle"]


@dataclass(slots=True)
class RunningTrial:
    """The executor's bookkeeping for one trial while a worker runs it."""

    spec: TrialSpec
    gpu_ids: tuple[str, ...]
    started: float
    deadline: float | None
    mem_cap_bytes: int | None
    last_metrics: dict[str, float] = field(default_factory=dict)
    stop_reason: str | None = None  # the controller answered stop=True


class WorkerHandle:
    """A worker process, its pipe, and what it is doing.

    Attributes:
        trial: The trial it runs, None while idle.
        ready: True once the process said it started.
        pinned_gpus: The GPUs of the first GPU trial it ran. CUDA reads
            ``CUDA_VISIBLE_DEVICES`` once per process, so a worker that may have
            initialised CUDA only takes trials with the same GPUs.
    """

    __slots__ = ("conn", "pid", "pinned_gpus", "process", "ready", "sentinel", "trial")

    def __init__(self, context: BaseContext, die_with_parent: bool) -> None:
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(theirs, die_with_parent), name="openaml-worker"
        )
        process.start()
        theirs.close()
        self.process: Any = process
        self.conn: Connection = ours
        self.pid: int = process.pid
        self.sentinel: int = process.sentinel
        self.trial: RunningTrial | None = None
        self.pinned_gpus: tuple[str, ...] | None = None
        self.ready = False

    def send(self, payload: bytes) -> bool:
        """Send a pickled message; False when the worker is gone."""
        try:
            self.conn.send_bytes(payload)
        except OSError:
            return False
        return True

    def receive_ready(self) -> tuple[list[tuple[Any, ...]], bool]:
        """Every message already waiting, and whether the pipe is still open."""
        messages: list[tuple[Any, ...]] = []
        conn = self.conn
        try:
            while conn.poll():
                messages.append(pickle.loads(conn.recv_bytes()))
        except (EOFError, OSError):
            return messages, False
        return messages, True

    def alive(self) -> bool:
        """True while the process runs."""
        return bool(self.process.exitcode is None)

    def exit_description(self) -> str:
        """How the process ended, e.g. ``signal SIGABRT`` or ``exit code 3``."""
        code = self.process.exitcode
        if code is None:
            return "unknown cause"
        if code < 0:
            import signal

            try:
                return f"signal {signal.Signals(-code).name}"
            except ValueError:
                return f"signal {-code}"
        return f"exit code {code}"

    def kill(self) -> None:
        """Kill the worker's whole process tree and reap it."""
        _process_tree.kill_tree(self.pid)
        self.process.join(timeout=5.0)

    def stop(self, payload: bytes) -> None:
        """Ask an idle worker to exit (it also exits when the pipe closes)."""
        self.send(payload)
        self.conn.close()

    def close(self) -> None:
        """Release the pipe and the process object (after the process ended)."""
        self.conn.close()
        with contextlib.suppress(ValueError):  # still running: left to the garbage collector
            self.process.close()
