"""One configuration of our engine for benchmarks/sweep_overhead.py (run with our venv).

Times ``Sweep(...)`` + ``.run(quiet=True)`` on a fresh workspace folder, then verifies in the
store that every trial is there: completed, with its parameter and its metric (score == x).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from _common import main_guard

WINDOW = (
    "Sweep(...) + .run(): workspace open and schema, worker-pool start (processes), "
    "trials, store commits, pool shutdown"
)
EXPERIMENT = "sweep-overhead"


def isolation_problems(sweep_class: Any, args: Any) -> list[str]:
    """Untimed check, after the measured run: a few trials with the same settings return the
    id of the process they ran in; none may be this (the controller's) process."""
    import os

    from trivial import train_where

    from search_spaces import uniform
    from trials import Workspace

    workspace = Path(args.workdir) / "isolation-check"
    sweep_class(
        train_where,
        {"x": uniform(0.0, 1.0)},
        primary_metric="score",
        goal="maximize",
        sampling_algorithm="random",
        max_total_trials=10,
        max_concurrent_trials=args.concurrency,
        workspace=workspace,
        experiment_name=EXPERIMENT,
        seed=args.seed,
    ).run(quiet=True)
    with Workspace(workspace) as ws:
        board = ws.leaderboard(EXPERIMENT, "score", "maximize")
    pids = set(board["pid"].astype(int)) if "pid" in board.columns else set()
    if not pids or os.getpid() in pids or len(board) != 10:
        return [f"isolation check failed: trial pids {sorted(pids)}, controller {os.getpid()}"]
    return []


def body(args: Any) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours_version = version("openaml")
    except PackageNotFoundError:
        ours_version = "unknown"
    import_note = ""
    try:
        from trials import Sweep
    except ImportError:
        try:  # written but not exported yet: measure it all the same, and say so
            from trials._sweep import Sweep

            import_note = "Sweep imported from trials._sweep (not yet exported by trials)"
        except ImportError:
            return {"version": ours_version, "error": "trials.Sweep not available"}
    from trivial import train

    from search_spaces import uniform
    from trials import Workspace

    algorithm = {"random": "random", "tpe": "bayesian"}[args.sampler]
    workspace = Path(args.workdir) / "workspace"
    started = time.perf_counter()
    sweep = Sweep(
        train,
        {"x": uniform(0.0, 1.0)},
        primary_metric="score",
        goal="maximize",
        sampling_algorithm=algorithm,
        max_total_trials=args.n_trials,
        max_concurrent_trials=args.concurrency,
        workspace=workspace,
        experiment_name=EXPERIMENT,
        seed=args.seed,
    )
    sweep.run(quiet=True)
    seconds = time.perf_counter() - started

    with Workspace(workspace) as ws:
        completed = ws.count_runs(EXPERIMENT, status="completed", kind="trial")
        total = ws.count_runs(EXPERIMENT, kind="trial")
        board = ws.leaderboard(EXPERIMENT, "score", "maximize")
    problems = []
    if completed != args.n_trials or total != args.n_trials:
        problems.append(f"{completed} completed of {total} trial runs, expected {args.n_trials}")
    if "x" not in board.columns or "score" not in board.columns:
        problems.append(f"leaderboard lacks x or score (columns {list(board.columns)})")
    else:
        if len(board) != args.n_trials:
            problems.append(f"leaderboard has {len(board)} rows")
        if board["score"].isna().any() or board["x"].isna().any():
            problems.append("some trials lack their param or metric")
        elif not ((board["score"] - board["x"]).abs() < 1e-12).all():
            problems.append("some stored score differs from its stored x")
    problems += isolation_problems(Sweep, args)
    return {
        "version": ours_version,
        "seconds": seconds,
        "n_completed": int(completed),
        "verified": not problems,
        "window": WINDOW,
        "note": "; ".join(filter(None, [*problems, import_note])),
    }


if __name__ == "__main__":
    main_guard(body, __doc__.splitlines()[0])
