"""One Optuna configuration for benchmarks/sweep_overhead.py (run inside the Optuna peer venv).

Times ``optuna.create_study(...)`` + ``study.optimize(objective, n_trials, n_jobs)`` with a
trivial objective; ``n_jobs`` runs trials in threads of this one process (Optuna's design),
not in worker processes. Then verifies the trials, re-read from the storage.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from _common import main_guard

WINDOW = (
    "create_study (storage + schema) + study.optimize(n_jobs): threads of one process, "
    "trials, storage writes"
)


def objective(trial: Any) -> float:
    x = trial.suggest_float("x", 0, 1)
    return x


def body(args: Any) -> dict[str, Any]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the equivalent of our quiet=True
    if args.sampler == "random":
        sampler = optuna.samplers.RandomSampler(seed=args.seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=args.seed)
    if args.storage == "memory":
        storage = None
    elif args.storage == "sqlite":
        storage = f"sqlite:///{Path(args.workdir) / 'optuna.db'}"
    else:
        raise ValueError(f"unknown storage {args.storage!r}")

    started = time.perf_counter()
    study = optuna.create_study(
        study_name="sweep-overhead", storage=storage, sampler=sampler, direction="maximize"
    )
    created = time.perf_counter() - started
    study.optimize(objective, n_trials=args.n_trials, n_jobs=args.concurrency)
    seconds = time.perf_counter() - started

    if storage is not None:  # re-read from the database, not from this study object's cache
        study = optuna.load_study(study_name="sweep-overhead", storage=storage)
    trials = study.get_trials(deepcopy=False)
    done = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    problems = []
    if len(done) != args.n_trials or len(trials) != args.n_trials:
        problems.append(f"{len(done)} complete of {len(trials)} trials, expected {args.n_trials}")
    if any("x" not in t.params or t.value is None or t.value != t.params["x"] for t in done):
        problems.append("some trials lack their param or value")
    return {
        "version": optuna.__version__,
        "seconds": seconds,
        "n_completed": len(done),
        "verified": not problems,
        "window": WINDOW,
        "note": "; ".join([*problems, f"create_study {created:.3f} s of the window"]),
    }


if __name__ == "__main__":
    main_guard(body, __doc__.splitlines()[0])
