"""The worker process: one long-lived process that runs trial after trial.

Per trial it receives one ``RUN`` message, sets the thread cap and ``CUDA_VISIBLE_DEVICES``,
points fds 1 and 2 at the trial's log files, calls ``train(params, ctx)`` (or runs the
command), and sends one ``FINISHED`` message; reports and artifacts go out as they happen.
An exception in the trial is caught and recorded; anything that kills the process is the
executor's to notice (it watches the process sentinel) and to record.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from trials._context import Decision, TrialContext
from trials.executors._execute import TrialEnvironment, execute
from trials.executors._logs import LogCapture
from trials.executors._protocol import (
    ANSWER,
    ARTIFACT,
    CANCEL,
    EXIT,
    FINISHED,
    READY,
    REPORT,
    RUN,
)

__all__ = ["worker_main"]

_DUMP = pickle.dumps
_LOAD = pickle.loads
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class _PipeLink:
    """A trial context's line to the executor: the worker's pipe."""

    __slots__ = ("_conn", "_run_id")

    def __init__(self, conn: Connection, run_id: str) -> None:
        self._conn = conn
        self._run_id = run_id

    def send_report(self, step: int, metrics: dict[str, float], awaits_decision: bool) -> None:
        self._conn.send_bytes(_DUMP((REPORT, step, metrics, awaits_decision), _PROTOCOL))

    def send_artifact(self, name: str, path: str, size: int) -> None:
        self._conn.send_bytes(_DUMP((ARTIFACT, name, path, size), _PROTOCOL))

    def next_decision(self, block: bool) -> Decision | None:
        conn = self._conn
        while block or conn.poll():
            try:
                message = _LOAD(conn.recv_bytes())
            except EOFError:
                _executor_gone()
            tag = message[0]
            # Answers and cancels for trials that already ended are stale: skip them.
            if tag == ANSWER and message[1] == self._run_id:
                return Decision(message[2], bool(message[3]), message[4])
            if tag == CANCEL and message[1] == self._run_id:
                return Decision(None, True, message[2])
        return None


def _executor_gone() -> NoReturn:
    """The executor's end of the pipe closed: nobody will record anything, so stop the
    whole process group (this worker and any command it started) at once."""
    if os.getpgid(0) == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(1)


def _prepare_process(die_with_parent: bool) -> None:
    """Lead a process group (so the executor can kill the whole tree), print a Python
    traceback into the trial's stderr on a hard crash, write no core files, and (under
    forkserver) die with the executor."""
    import faulthandler
    import resource

    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    faulthandler.enable()
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    if die_with_parent and sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]


def worker_main(conn: Connection, die_with_parent: bool) -> None:
    """Run trials sent through ``conn`` until told to exit or the executor goes away."""
    _prepare_process(die_with_parent)
    logs = LogCapture()
    environment = TrialEnvironment()
    try:
        conn.send_bytes(_DUMP((READY,), _PROTOCOL))
    except OSError:
        return
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            message = _LOAD(data)
        except Exception as exc:  # e.g. the target's module is not importable
            conn.send_bytes(_DUMP(_unloadable(exc), _PROTOCOL))
            continue
        tag = message[0]
        if tag == RUN:
            _run_trial(conn, message, logs, environment)
        elif tag == EXIT:
            return


def _unloadable(exc: BaseException) -> tuple[Any, ...]:
    reason = (
        f"the worker could not load the trial: {type(exc).__name__}: {exc}; the target must "
        "be importable by a fresh Python process (a function at the top level of a module "
        "on sys.path)"
    )
    return (FINISHED, "failed", {}, reason, traceback.format_exc(), 0.0, None, None)


def _run_trial(
    conn: Connection, message: tuple[Any, ...], logs: LogCapture, environment: TrialEnvironment
) -> None:
    (_, run_id, index, params, target, cpus, cuda, artifact_dir, deterministic, metric) = message
    environment.apply(cpus, cuda)
    ctx = TrialContext(
        run_id=run_id,
        index=index,
        params=params,
        artifact_dir=Path(artifact_dir),
        deterministic=deterministic,
        link=_PipeLink(conn, run_id),
    )
    captured = logs.begin(artifact_dir)
    started = time.perf_counter()
    if captured:
        outcome = execute(target, params, ctx, metric, conn)
    else:
        outcome = ("failed", {}, f"cannot write the trial's logs in {artifact_dir}", None)
    duration = time.perf_counter() - started
    stdout_size, stderr_size = logs.end()
    environment.restore()
    status, metrics, reason, error = outcome
    conn.send_bytes(
        _DUMP(
            (FINISHED, status, metrics, reason, error, duration, stdout_size, stderr_size),
            _PROTOCOL,
        )
    )
