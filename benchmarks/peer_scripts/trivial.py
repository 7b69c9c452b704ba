"""The trivial trial of benchmarks/sweep_overhead.py, importable by worker processes.

Our `Sweep` sends trials to worker processes by reference (module + name), so the function
lives at the top level of a module on the workers' ``sys.path`` (the benchmark puts this folder
on ``PYTHONPATH``). It returns the same metric the peers' objectives return: ``score = x``.
"""

from __future__ import annotations

from typing import Any


def train(params: dict[str, Any], ctx: Any) -> dict[str, float]:
    """Trivial objective: report ``score = params["x"]`` as the trial's final metric."""
    return {"score": float(params["x"])}


def train_where(params: dict[str, Any], ctx: Any) -> dict[str, float]:
    """The trivial objective plus the process id it ran in (for the isolation check)."""
    import os

    return {"score": float(params["x"]), "pid": float(os.getpid())}
