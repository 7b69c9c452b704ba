"""Running a command-line trial inside a worker.

The worker starts the command as its child (so the command's memory counts in the
worker's process tree and dies with it), hands it one end of a socket pair through
``AUTOML_TRIAL_CHANNEL=fd:N``, and relays the command's requests (``trials.report``) to the
trial context while waiting, without threads, on three things at once: that socket, its own
pipe to the executor (answers and cancels) and the command's exit (a pidfd).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from trials._context import TrialContext
from trials.executors._logs import STDERR_NAME, last_line, read_tail
from trials.executors._spec import CommandTarget
from trials.report import CHANNEL_ENV

__all__ = ["run_command"]

Outcome = tuple[str, dict[str, float], str | None, str | None]

# The folder holding the `trials` package, so a command can `from trials import report`
# from a source checkout; an installed package is found without help (and adding
# site-packages to another interpreter's path could mix incompatible packages).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_INSTALLED = Path(_PACKAGE_ROOT).name in {"site-packages", "dist-packages"}


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


def run_command(target: CommandTarget, ctx: TrialContext, conn: Connection) -> Outcome:
    """Run the command to its end; returns (status, metrics, reason, error)."""
    ours, theirs = socket.socketpair()
    try:
        try:
            process = subprocess.Popen(
                list(target.argv),
                cwd=target.cwd,
                env=_environment(target, ctx, theirs.fileno()),
                stdin=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
            )
        except OSError as exc:
            return "failed", {}, f"could not start the command {target.argv[0]!r}: {exc}", None
        finally:
            theirs.close()
        returncode = _serve(process, ours, ctx, conn)
    finally:
        ours.close()
    if returncode == 0:
        status, reason = ctx.status_on_return()
        return status, {}, reason, None
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
    process: subprocess.Popen[bytes], sock: socket.socket, ctx: TrialContext, conn: Connection
) -> int:
    """Answer the command's requests until it exits; returns its exit status."""
    try:
        pidfd: int | None = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # pragma: no cover - not Linux >= 5.3
        pidfd = None
    buffer = b""
    waitables: list[Any] = [sock, conn] if pidfd is None else [sock, conn, pidfd]
    try:
        while True:
            ready = wait(waitables, timeout=None if pidfd is not None else 0.05)
            if sock in ready:
                data = sock.recv(65536)
                if not data:
                    waitables.remove(sock)  # the command closed it; wait for its exit
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    sock.sendall(_handle(line, ctx) + b"\n")
            if conn in ready:
                ctx.should_stop()  # takes in answers and cancels
            if (pidfd is not None and pidfd in ready) or (
                pidfd is None and process.poll() is not None
            ):
                return process.wait()
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _handle(line: bytes, ctx: TrialContext) -> bytes:
    try:
        request = json.loads(line)
        op = request.get("op") if isinstance(request, dict) else None
        if op == "report":
            metrics = request.get("metrics")
            if not isinstance(metrics, dict):
                raise TypeError(f"report() metrics must be a mapping, got {metrics!r}")
            ctx.report_metrics(request.get("step"), metrics)
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
