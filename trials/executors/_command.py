"""Running a command-line trial inside a worker.

The worker starts the command as its child (so the command's memory counts in the
worker's process tree and dies with it), hands it one end of a socket pair through
``AUTOML_TRIAL_CHANNEL=fd:N``, and relays the command's requests (``trials.report``) to the
trial context while waiting, without threads, on three things at once: that socket, its own
pipe to the executor (answers and cancels) and the command's exit (a pidfd). When MLflow is
installed it also reads, between those waits, the metrics the command logs with MLflow
(see :mod:`._mlflow`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from trials._context import TrialContext
from trials.executors import _process_tree
from trials.executors._logs import STDERR_NAME, last_line, read_tail
from trials.executors._mlflow import (
    STOP_GRACE_S,
    MetricRelay,
    MlflowStore,
    point_mlflow_at_trial,
)
from trials.executors._spec import CommandTarget
from trials.report import CHANNEL_ENV

__all__ = ["run_command"]

Outcome = tuple[str, dict[str, float], str | None, str | None]

# The folder holding the `trials` package, so a command can `from trials import report`
# from a source checkout; an installed package is found without help (and adding
# site-packages to another interpreter's path could mix incompatible packages).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_INSTALLED = Path(_PACKAGE_ROOT).name in {"site-packages", "dist-packages"}
_DECISION_POLL_S = 0.1


def _environment(target: CommandTarget, ctx: TrialContext, channel_fd: int) -> dict[str, str]:
    env = dict(os.environ)  # the worker's: thread caps and CUDA_VISIBLE_DEVICES already set
    env.setdefault("PYTHONUNBUFFERED", "1")  # keep the logs of a command that gets killed
    env.update(target.env)
    if not _INSTALLED:
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if _PACKAGE_ROOT not in paths:
            env["PYTHONPATH"] = os.pathsep.join([*paths, _PACKAGE_ROOT])
    env[CHANNEL_ENV] = f"fd:{channel_fd}"
    env["AUTOML_RUN_ID"] = ctx.run_id
    env["AUTOML_ARTIFACT_DIR"] = str(ctx.artifact_dir)
    return env


def run_command(target: CommandTarget, ctx: TrialContext, conn: Connection | None) -> Outcome:
    """Run the command to its end; returns (status, metrics, reason, error).

    ``conn`` is the worker's pipe to the executor, waited on for answers and cancels; with
    None (a Ray worker), the context is asked every :data:`_DECISION_POLL_S` instead.
    """
    ours, theirs = socket.socketpair()
    mlflow_store: MlflowStore | None = None
    try:
        try:
            env = _environment(target, ctx, theirs.fileno())
            mlflow_store = point_mlflow_at_trial(env, target.env, ctx.artifact_dir)
            process = subprocess.Popen(
                list(target.argv),
                cwd=target.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
            )
        except OSError as exc:
            return "failed", {}, f"could not start the command {target.argv[0]!r}: {exc}", None
        finally:
            theirs.close()
        relay = None if mlflow_store is None else MetricRelay(mlflow_store.root, ctx)
        returncode, ended_by_us = _serve(process, ours, ctx, conn, relay)
    finally:
        ours.close()
        if mlflow_store is not None:
            mlflow_store.close()
    metrics = {} if relay is None else relay.finish()
    if returncode == 0 or ended_by_us:
        status, reason = ctx.status_on_return()
        return status, metrics, reason, None
    tail = read_tail(ctx.artifact_dir / STDERR_NAME)
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        reason = f"the command was killed by signal {name}"
    else:
        reason = f"the command exited with status {returncode}"
    line = last_line(tail)
    return "failed", {}, f"{reason}: {line}" if line else reason, tail or None


def _serve(
    process: subprocess.Popen[bytes],
    sock: socket.socket,
    ctx: TrialContext,
    conn: Connection | None,
    relay: MetricRelay | None,
) -> tuple[int, bool]:
    """Answer the command's requests until it exits; returns its exit status and whether
    the worker ended it (told to stop, it could not hear it)."""
    try:
        pidfd: int | None = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # pragma: no cover - not Linux >= 5.3
        pidfd = None
    buffer = b""
    waitables: list[Any] = [sock] if conn is None else [sock, conn]
    if pidfd is not None:
        waitables.append(pidfd)
    poll_s = _DECISION_POLL_S if conn is None else None
    kill_at: float | None = None  # set once the worker sent SIGTERM to end the command
    try:
        while True:
            ready = wait(waitables, timeout=_timeout(pidfd, relay, kill_at, poll_s))
            if sock in ready:
                try:
                    data = sock.recv(65536)
                except OSError:  # reset: the command died, e.g. ended by the worker
                    data = b""
                if not data:
                    waitables.remove(sock)  # the command closed it; wait for its exit
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    reply = _handle(line, ctx, relay) + b"\n"
                    with contextlib.suppress(OSError):  # the command is gone
                        sock.sendall(reply)
            if conn is None or conn in ready:
                ctx.should_stop()  # takes in answers and cancels
            if (pidfd is not None and pidfd in ready) or (
                pidfd is None and process.poll() is not None
            ):
                return process.wait(), kill_at is not None
            if relay is not None:
                if time.monotonic() >= relay.next_poll:
                    relay.poll()
                if relay.must_end_command:
                    kill_at = _end_command(process.pid, kill_at)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _timeout(
    pidfd: int | None, relay: MetricRelay | None, kill_at: float | None, poll_s: float | None
) -> float | None:
    timeout = None if pidfd is not None else 0.05
    if poll_s is not None:
        timeout = poll_s if timeout is None else min(timeout, poll_s)
    due = min(
        relay.next_poll if relay is not None else math.inf,
        kill_at if kill_at is not None else math.inf,
    )
    if due == math.inf:
        return timeout
    wait_s = max(0.0, due - time.monotonic())
    return wait_s if timeout is None else min(timeout, wait_s)


def _end_command(pid: int, kill_at: float | None) -> float:
    """SIGTERM to the command and its descendants first, SIGKILL once the grace is over;
    returns when to escalate next (never, once killed)."""
    now = time.monotonic()
    if kill_at is None:
        _signal_tree(pid, signal.SIGTERM)
        return now + STOP_GRACE_S
    if now >= kill_at:
        _signal_tree(pid, signal.SIGKILL)
        return math.inf
    return kill_at


def _signal_tree(pid: int, signum: int) -> None:
    # The command is our child and not yet reaped, so its pid is still its own.
    pids = _process_tree.tree_pids([pid])[pid] if _process_tree.available() else [pid]
    for member in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, signum)


def _handle(line: bytes, ctx: TrialContext, relay: MetricRelay | None) -> bytes:
    if relay is not None:
        relay.listening = True  # it talks to trials.report, so it hears a stop: its own call
    try:
        request = json.loads(line)
        op = request.get("op") if isinstance(request, dict) else None
        if op == "report":
            metrics = request.get("metrics")
            if not isinstance(metrics, dict):
                raise TypeError(f"report() metrics must be a mapping, got {metrics!r}")
            if relay is None:
                ctx.report_metrics(request.get("step"), metrics)
            else:
                relay.channel_report(request.get("step"), metrics)
            reply: dict[str, Any] = {"ok": True}
        elif op == "should_stop":
            reply = {"ok": True, "stop": ctx.should_stop()}
        elif op == "log_artifact":
            reply = {"ok": True, "path": str(ctx.log_artifact(request["path"], request["name"]))}
        else:
            raise ValueError(f"unknown request {line[:200]!r}")
    except (TypeError, ValueError, KeyError, OSError) as exc:
        reply = {"error": str(exc), "kind": type(exc).__name__}
    return json.dumps(reply).encode()
