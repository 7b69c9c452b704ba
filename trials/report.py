"""Report from a command-line trial, with the same verbs as ``ctx``.

A training script run as a sweep's command uses it like this::

    from trials import report

    for epoch in range(1, 11):
        loss = fit_one_epoch()
        report.report(step=epoch, loss=loss)
        if report.should_stop():
            break
    report.log_artifact("model.pt")

The executor that runs the command sets ``AUTOML_TRIAL_CHANNEL`` (``fd:N``, a socket it
passes to the command); each call sends one JSON line and waits for a one-line JSON reply,
so validation errors surface here as ``TypeError``/``ValueError`` and, in deterministic
mode, ``report()`` returns once the controller has decided. Outside a trial every verb
raises ``RuntimeError``; guard with :func:`in_trial` to run the script on its own.

Only the standard library is used, so importing this module costs nothing.
"""

from __future__ import annotations

import json
import os
import socket
from typing import Any

__all__ = ["CHANNEL_ENV", "in_trial", "log_artifact", "report", "should_stop"]

CHANNEL_ENV = "AUTOML_TRIAL_CHANNEL"
"""The environment variable through which a command reaches its executor."""

_ERRORS: dict[str, type[Exception]] = {
    "TypeError": TypeError,
    "ValueError": ValueError,
    "FileNotFoundError": FileNotFoundError,
    "IsADirectoryError": IsADirectoryError,
}


class _Channel:
    def __init__(self, fd: int) -> None:
        self._socket = socket.socket(fileno=fd)
        self._reader = self._socket.makefile("rb")

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        self._socket.sendall(json.dumps(message).encode() + b"\n")
        line = self._reader.readline()
        if not line:
            raise RuntimeError("the executor closed the trial channel; is the trial over?")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise _ERRORS.get(reply.get("kind", ""), RuntimeError)(reply["error"])
        return reply


_channel: _Channel | None = None


def in_trial() -> bool:
    """True when this process runs as a trial (the channel variable is set)."""
    return bool(os.environ.get(CHANNEL_ENV))


def _connect() -> _Channel:
    global _channel
    if _channel is None:
        value = os.environ.get(CHANNEL_ENV, "")
        if not value:
            raise RuntimeError(
                f"trials.report is used outside a trial: {CHANNEL_ENV} is not set. Run the "
                "script as a sweep's command (automl sweep ...), or guard the calls with "
                "`if report.in_trial():` to run it on its own"
            )
        if not value.startswith("fd:") or not value[3:].isdigit():
            raise RuntimeError(f"{CHANNEL_ENV} must look like 'fd:N', got {value!r}")
        _channel = _Channel(int(value[3:]))
    return _channel


def report(step: int | None = None, **metrics: float) -> None:
    """Report intermediate metrics, e.g. ``report(step=epoch, loss=0.25)``.

    Same rules as ``ctx.report``: finite numbers, strictly increasing steps (the previous
    + 1 when omitted); in deterministic mode it returns once the controller decided.
    """
    values: dict[str, Any] = {}
    for name, value in metrics.items():
        # numpy and torch scalars are not JSON: send plain floats, let the executor judge.
        if isinstance(value, (int, float)) or not hasattr(type(value), "__float__"):
            values[name] = value
        else:
            values[name] = float(value)
    _connect().request({"op": "report", "step": step, "metrics": values})


def should_stop() -> bool:
    """True once the controller decided to stop this trial or it was canceled."""
    return bool(_connect().request({"op": "should_stop"})["stop"])


def log_artifact(path: str | os.PathLike[str], name: str | None = None) -> str:
    """Copy a file into the trial's artifact folder; returns where the copy is."""
    reply = _connect().request({"op": "log_artifact", "path": os.path.abspath(path), "name": name})
    return str(reply["path"])
