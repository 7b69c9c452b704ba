"""One configuration of our engine for benchmarks/sweep_overhead.py and
benchmarks/ray_overhead.py (run with our venv).

Times ``Sweep(...)`` + ``.run(quiet=True)`` on a fresh workspace folder, then verifies in the
store that every trial is there: completed, with its parameter and its metric (score == x),
and (untimed) that trials ran in processes other than this one.

``--executor local`` (default): the Sweep builds its LocalExecutor, whose worker-pool start
and shutdown are in the window. ``--executor ray``: a RayExecutor that starts a local Ray
(``num_cpus=concurrency``, no dashboard) is started first (``startup_s``) and warmed up by a
Sweep of ``--warm-up`` trials on another workspace (``warm_up_s``), both outside the window;
the timed Sweep gets that executor, which it leaves running (one Ray task per trial).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from _common import main_guard

WINDOW = (
    "Sweep(...) + .run(): workspace open and schema, worker-pool start (processes), "
    "trials, store commits, pool shutdown"
)
WINDOW_RAY = (
    "Sweep(...) + .run() on a started, warmed-up RayExecutor: workspace open and schema, "
    "one Ray task per trial (+ mailbox actor calls), store commits; ray.init and warm-up excluded"
)
EXPERIMENT = "sweep-overhead"


def ray_executor(args: Any) -> Any:
    """A RayExecutor on a local Ray of ``concurrency`` CPUs, not started yet."""
    for name, value in (("RAY_USAGE_STATS_ENABLED", "0"), ("RAY_DEDUP_LOGS", "0")):
        os.environ.setdefault(name, value)
    from trials.executors import RayExecutor

    return RayExecutor(
        max_concurrency=args.concurrency,
        num_cpus=args.concurrency,
        init_options={
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": True,
            "logging_level": "ERROR",
            "_temp_dir": str(Path(args.workdir) / "ray_tmp"),
        },
    )


def isolation_problems(sweep_class: Any, args: Any, executor: Any = "local") -> list[str]:
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
        executor=executor,
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
    executor: Any = ray_executor(args) if args.executor == "ray" else "local"

    def sweep(workspace: Path, n_trials: int) -> Any:
        return Sweep(
            train,
            {"x": uniform(0.0, 1.0)},
            primary_metric="score",
            goal="maximize",
            sampling_algorithm=algorithm,
            max_total_trials=n_trials,
            max_concurrent_trials=args.concurrency,
            workspace=workspace,
            experiment_name=EXPERIMENT,
            seed=args.seed,
            executor=executor,
        )

    extra: dict[str, Any] = {}
    notes = [import_note]
    workspace = Path(args.workdir) / "workspace"
    try:
        if args.executor == "ray":
            import ray

            notes.append(f"ray {ray.__version__}")
            started = time.perf_counter()
            executor.start()
            extra["startup_s"] = time.perf_counter() - started
            if args.warm_up > 0:
                started = time.perf_counter()
                sweep(Path(args.workdir) / "warm-up", args.warm_up).run(quiet=True)
                extra["warm_up_s"] = time.perf_counter() - started
        started = time.perf_counter()
        sweep(workspace, args.n_trials).run(quiet=True)
        seconds = time.perf_counter() - started
        completed, problems = store_problems(workspace, args.n_trials, Workspace)
        problems += isolation_problems(Sweep, args, executor)
    finally:
        if args.executor == "ray":
            executor.shutdown()  # ours: the Sweeps left it running
    return {
        "version": ours_version,
        "seconds": seconds,
        "n_completed": completed,
        "verified": not problems,
        "window": WINDOW_RAY if args.executor == "ray" else WINDOW,
        "note": "; ".join(filter(None, [*problems, *notes])),
        **extra,
    }


def store_problems(workspace: Path, n_trials: int, workspace_class: Any) -> tuple[int, list[str]]:
    """(completed trials, what is wrong) in the store after the timed sweep: every trial must
    be there, completed, with its parameter and its metric (score == x)."""
    with workspace_class(workspace) as ws:
        completed = ws.count_runs(EXPERIMENT, status="completed", kind="trial")
        total = ws.count_runs(EXPERIMENT, kind="trial")
        board = ws.leaderboard(EXPERIMENT, "score", "maximize")
    problems = []
    if completed != n_trials or total != n_trials:
        problems.append(f"{completed} completed of {total} trial runs, expected {n_trials}")
    if "x" not in board.columns or "score" not in board.columns:
        problems.append(f"leaderboard lacks x or score (columns {list(board.columns)})")
    else:
        if len(board) != n_trials:
            problems.append(f"leaderboard has {len(board)} rows")
        if board["score"].isna().any() or board["x"].isna().any():
            problems.append("some trials lack their param or metric")
        elif not ((board["score"] - board["x"]).abs() < 1e-12).all():
            problems.append("some stored score differs from its stored x")
    return int(completed), problems


if __name__ == "__main__":
    main_guard(body, __doc__.splitlines()[0])
