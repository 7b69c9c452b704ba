"""One benchmark child: a fresh interpreter in a session of its own, a deadline, its answer.

A benchmark runs every (system, dataset) in a child process so that imports, memory and
crashes stay the child's. :func:`run_child` starts it with ``start_new_session`` (so that the
child and every process it starts, workers in process groups of their own included, can be
killed together by :func:`kill_session`), waits for it up to a deadline, kills the session
when the deadline passes and, always, when the child has ended (workers it left behind), and
reads its answer: the last stdout line ``RESULT {json}`` (see ``peer_scripts/_common.py``).
Used by benchmarks/automl_vs_peers.py and benchmarks/forecasting_vs_peers.py.

    >>> outcome = run_child([python, script, "--budget", "60"], cwd=workdir,  # doctest: +SKIP
    ...                     env=child_env(ours=True), limit=300.0, limit_note="budget x 3 + 120")
    >>> outcome.answer  # doctest: +SKIP
    {'version': '...', 'fit_s': 58.2, ...}
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["PREFIX", "ChildOutcome", "child_env", "kill_session", "run_child"]

REPO = Path(__file__).resolve().parent.parent
PREFIX = "RESULT "  # the children's answer line (peer_scripts/_common.py)


@dataclass(frozen=True)
class ChildOutcome:
    """What one child gave back.

    Attributes:
        answer: The child's JSON answer; on failure ``{"error": ...}`` (the child's own
            error, or why there is no answer: killed at the deadline, no ``RESULT`` line).
        seconds: Wall-clock seconds from the start of the child to its end (or its kill).
        returncode: The child's exit status (None when it was killed at the deadline).
    """

    answer: dict[str, Any]
    seconds: float
    returncode: int | None

    @property
    def failed(self) -> bool:
        """Whether the answer is an error."""
        return "error" in self.answer


def kill_session(session: int) -> None:
    """Kill every process of ``session`` (a child started with ``start_new_session``): the
    child and whatever it started, workers in process groups of their own included."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == session:  # state, ppid, pgrp, session
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)


def child_env(ours: bool) -> dict[str, str]:
    """This process's environment for a child: the repository on ``PYTHONPATH`` for a child
    that runs our packages (``ours``), no ``PYTHONPATH`` at all for a peer's (peers must
    not see our packages)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if ours:
        env["PYTHONPATH"] = str(REPO)
    return env


def parse_answer(stdout: str) -> dict[str, Any] | None:
    """The JSON of the last ``RESULT`` line of ``stdout``, or None when there is none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(PREFIX):
            return dict(json.loads(line[len(PREFIX) :]))
    return None


def _drain(process: subprocess.Popen[str], wait: float = 30.0) -> None:
    """Reap a killed child; give up on its pipes after ``wait`` seconds (a descendant that
    left the session with ``setsid`` may hold them open and escapes :func:`kill_session`)."""
    try:
        process.communicate(timeout=wait)
    except subprocess.TimeoutExpired:
        process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def run_child(
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limit: float,
    limit_note: str,
) -> ChildOutcome:
    """Run ``command`` in a session of its own and return its answer.

    Args:
        command: The interpreter, the child script and its arguments.
        cwd: The child's working folder.
        env: The child's environment (see :func:`child_env`).
        limit: Seconds after which the child and everything it started is killed.
        limit_note: How the limit was set, for the error of a killed child
            (``"budget x 3 + 120"``).

    Returns:
        The child's answer; an ``error`` answer when it was killed, printed no ``RESULT``
        line (the tail of its stderr, or stdout, says why) or answered with an error.
    """
    if limit <= 0:
        raise ValueError(f"`limit` must be > 0 seconds, got {limit!r}")
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=dict(env),
        start_new_session=True,
    )
    try:
        try:
            stdout, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            kill_session(process.pid)
            seconds = time.perf_counter() - started
            _drain(process)
            error = f"killed after {limit:.0f} s ({limit_note})"
            return ChildOutcome({"error": error}, seconds, None)
        seconds = time.perf_counter() - started
        answer = parse_answer(stdout)
        if answer is None:
            tail = " | ".join((stderr or stdout).strip().splitlines()[-5:])
            error = f"no result (exit {process.returncode}): {tail[-500:]}"
            return ChildOutcome({"error": error}, seconds, process.returncode)
        return ChildOutcome(answer, seconds, process.returncode)
    finally:
        kill_session(process.pid)  # workers the child left behind
