"""One Ray Tune configuration for benchmarks/sweep_overhead.py and benchmarks/ray_overhead.py
(run inside the Ray peer venv).

Starts a local Ray (``ray.init(num_cpus=concurrency)``, outside the measured window:
``startup_s``), optionally warms it up with a Tuner of ``--warm-up`` trials on another storage
folder (outside the window too: ``warm_up_s``), then times ``tune.Tuner(...)`` +
``tuner.fit()``: a function trainable that reports ``{"score": x}`` once, random search
(``search_alg=None``), ``max_concurrent_trials`` at once, results written to a fresh storage
folder. ``--reuse-actors 1`` (default) passes ``reuse_actors=True``; ``0`` leaves TuneConfig's
default (``False``: a new trial actor, hence a new worker process, per trial). Verifies the
returned ResultGrid afterwards.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

# Before Ray is imported: no dashboard, no usage stats, quiet console.
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_DISABLE_DASHBOARD", "1")
os.environ.setdefault("RAY_DEDUP_LOGS", "0")
os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")
os.environ.setdefault("TUNE_DISABLE_STRICT_METRIC_CHECKING", "1")

from _common import main_guard

WINDOW = (
    "tune.Tuner(...) + tuner.fit(): trial actors start (reused), trials, result/checkpoint "
    "files in storage_path; ray.init excluded"
)
WINDOW_DEFAULT = (
    "tune.Tuner(...) + tuner.fit(): one new trial actor per trial (reuse_actors=False, the "
    "default), trials, result/checkpoint files in storage_path; ray.init excluded"
)


def trainable(config: dict[str, Any]) -> None:
    from ray import tune

    report = getattr(tune, "report", None)
    if report is None:  # Ray < 2.41
        from ray import train as report_module

        report = report_module.report
    report({"score": config["x"]})


def body(args: Any) -> dict[str, Any]:
    if args.sampler != "random":
        raise ValueError("only random search (search_alg=None) is measured for Ray Tune")
    import ray
    from ray import tune

    started = time.perf_counter()
    ray.init(
        num_cpus=args.concurrency,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=True,
        logging_level="ERROR",
        _temp_dir=str(Path(args.workdir) / "ray_tmp"),
    )
    extra: dict[str, Any] = {"startup_s": time.perf_counter() - started}
    try:
        run_config_cls = getattr(tune, "RunConfig", None)
        if run_config_cls is None:  # older Ray
            from ray.train import RunConfig as run_config_cls
        # reuse_actors=False is TuneConfig's default: "defaults" pass nothing.
        reuse = {"reuse_actors": True} if args.reuse_actors else {}

        def tuner(n_trials: int, storage: str) -> Any:
            return tune.Tuner(
                trainable,
                param_space={"x": tune.uniform(0, 1)},
                tune_config=tune.TuneConfig(
                    num_samples=n_trials,
                    max_concurrent_trials=args.concurrency,
                    search_alg=None,
                    **reuse,
                ),
                run_config=run_config_cls(
                    name="sweep-overhead",
                    storage_path=str(Path(args.workdir) / storage),
                    verbose=0,
                ),
            )

        if args.warm_up > 0:
            started = time.perf_counter()
            tuner(args.warm_up, "warm_up_results").fit()
            extra["warm_up_s"] = time.perf_counter() - started
        started = time.perf_counter()
        results = tuner(args.n_trials, "ray_results").fit()
        seconds = time.perf_counter() - started
    finally:
        ray.shutdown()

    problems = []
    if len(results) != args.n_trials or results.num_errors:
        problems.append(f"{len(results)} results, {results.num_errors} errors")
    for result in results:
        if result.error is not None or result.metrics.get("score") != result.config.get("x"):
            problems.append("some trials lack their config or score")
            break
    return {
        "version": ray.__version__,
        "seconds": seconds,
        "n_completed": len(results) - results.num_errors,
        "verified": not problems,
        "window": WINDOW if args.reuse_actors else WINDOW_DEFAULT,
        "note": "; ".join(problems),
        **extra,
    }


if __name__ == "__main__":
    main_guard(body, __doc__.splitlines()[0])
