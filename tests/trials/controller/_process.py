"""Running :mod:`tests.trials.controller._script` in a subprocess and watching its store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from trials.store import Workspace

REPO = Path(__file__).resolve().parents[3]


def start_sweep(
    workspace: Path, name: str, trials: int, sleep: float, log: Path
) -> subprocess.Popen[str]:
    """Start the sweep of ``_script`` in a new process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.trials.controller._script",
            str(workspace),
            name,
            str(trials),
            str(sleep),
            str(log),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(
    check: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 30.0
) -> None:
    """Wait until ``check()`` holds, failing early if the process ended."""
    deadline = time.monotonic() + timeout
    while not check():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the sweep ended early ({process.returncode}): {out}\n{err}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the sweep")
        time.sleep(0.05)


def statuses(workspace: Path, name: str) -> list[str]:
    """Statuses of the experiment's trial runs, [] before it exists."""
    with Workspace(workspace) as ws:
        if name not in {e.name for e in ws.list_experiments()}:
            return []
        return [r.status.value for r in ws.runs(name, kind="trial")]


def starts(log: Path) -> list[int]:
    """Trial indexes in the order their trials started (from the trials' own log)."""
    if not log.exists():
        return []
    return [int(line) for line in log.read_text().split()]
