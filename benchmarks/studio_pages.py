"""Studio page timings on a big workspace: 200 experiments, 20,000 runs, every page < 300 ms.

The workspace is built once and cached (``--cache``, default ``<tmp>/openaml-bench/
studio_pages``; rebuilt when its recipe changes or with ``--rebuild``), written through the
store's own writer API (``Workspace.writer()``: experiments, runs, metrics, statuses,
artifacts) and registries, as the controller writes them, with synthetic seeded content:

- 200 AutoML experiments (2/3 classification, 1/3 regression; a few failed or canceled),
  each a parent run and its children, 20,000 runs in all; one experiment, ``big-500``, has
  500 children, the others 98 or 99. A child has a learner, its hyperparameters, 8 or 6 final
  metrics, step curves of the primary metric (4 steps) for boosted learners, cost and fit
  time; one child in 40 failed with an error text.
- The best child of each experiment holds out-of-fold predictions (``oof.joblib``, 1,000
  rows) and its logs, each parent an ``explanation.json``; one model version is registered
  per completed experiment and the repository's three example CSVs as datasets.

Then the real studio (``automl studio``: uvicorn, one process) serves the workspace on a free
loopback port, and each page and JSON call is requested over HTTP with httpx (keep-alive):
``--warmup`` untimed requests, then ``--repeats`` timed ones, one URL after the other. A
time is the client's wall time from sending the request to having read the whole body, so it
includes the server's work and loopback HTTP. One row times the experiment page together with
the five JSON calls its script makes (detail, leaderboard, three charts), one after the
other. Each URL's median, p95 and max are appended to ``benchmarks/results/studio_pages.csv``
(one row per URL, with timestamp, machine and git commit), and printed. The target: every
median and p95 under 300 ms.

    python benchmarks/studio_pages.py [--repeats 20] [--warmup 3] [--cache DIR] [--rebuild]
    python benchmarks/studio_pages.py --summary [--markdown] [--results PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import append, git_commit, machine, read_rows, table

from automl.studio import studio_in_background

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results" / "studio_pages.csv"
CACHE = Path(tempfile.gettempdir()) / "openaml-bench" / "studio_pages"
TARGET_MS = 300.0
EXPERIMENTS = 200
RUNS = 20_000
BIG = "big-500"
BIG_CHILDREN = 500
SEED = 0
RECIPE = {
    "experiments": EXPERIMENTS,
    "runs": RUNS,
    "big_children": BIG_CHILDREN,
    "seed": SEED,
    "version": 1,
}
COLUMNS = [
    "timestamp",
    "machine",
    "commit",
    "experiments",
    "runs",
    "page",
    "path",
    "repeats",
    "median_ms",
    "p95_ms",
    "max_ms",
    "bytes",
    "status",
    "within_target",
]

CLASSIFICATION = [
    "accuracy",
    "AUC_weighted",
    "balanced_accuracy",
    "f1_score_weighted",
    "log_loss",
    "precision_score_weighted",
    "recall_score_weighted",
    "norm_macro_recall",
]
REGRESSION = [
    "normalized_root_mean_squared_error",
    "r2_score",
    "spearman_correlation",
    "normalized_mean_absolute_error",
    "root_mean_squared_error",
    "mean_absolute_error",
]
LEARNERS: dict[str, dict[str, tuple[str, float, float]]] = {
    "LightGBM": {
        "num_leaves": ("int", 4, 256),
        "learning_rate": ("log", 0.01, 0.3),
        "n_estimators": ("int", 50, 1000),
    },
    "XGBoost": {
        "max_depth": ("int", 2, 10),
        "learning_rate": ("log", 0.01, 0.3),
        "subsample": ("float", 0.5, 1.0),
    },
    "RandomForest": {"n_estimators": ("int", 50, 500), "max_features": ("float", 0.1, 1.0)},
    "ExtremeRandomTrees": {"n_estimators": ("int", 50, 500), "max_features": ("float", 0.1, 1.0)},
    "DecisionTree": {"max_depth": ("int", 2, 32), "min_samples_leaf": ("int", 1, 50)},
    "LogisticRegression": {"C": ("log", 1e-3, 100.0)},
    "ElasticNet": {"alpha": ("log", 1e-4, 10.0), "l1_ratio": ("float", 0.0, 1.0)},
}
BOOSTED = {"LightGBM", "XGBoost"}
CLASSIFIERS = [
    "LightGBM",
    "XGBoost",
    "RandomForest",
    "ExtremeRandomTrees",
    "DecisionTree",
    "LogisticRegression",
]
REGRESSORS = ["LightGBM", "XGBoost", "RandomForest", "DecisionTree", "ElasticNet"]
FEATURES = [f"feature_{i}" for i in range(20)]
PAGE_CALLS = ["leaderboard", "charts/search", "charts/best-model", "charts/feature-importance"]


# ---------------------------------------------------------------- the workspace


def _hyperparameters(rng: random.Random, learner: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, (kind, low, high) in LEARNERS[learner].items():
        if kind == "int":
            values[name] = rng.randint(int(low), int(high))
        elif kind == "log":
            values[name] = round(10 ** rng.uniform(math.log10(low), math.log10(high)), 6)
        else:
            values[name] = round(rng.uniform(low, high), 4)
    return values


def _config(task: str, metric: str, goal: str) -> dict[str, Any]:
    """The stored configuration of an AutoML experiment (the controller's layout)."""
    definition = {
        "task": task,
        "label_column_name": "target",
        "primary_metric": metric,
        "validation_size": None,
        "n_cross_validations": 5,
        "seed": SEED,
    }
    return {
        "kind": "automl",
        "searcher": {
            "type": "automl",
            "definition": definition,
            "task": task,
            "primary_metric": metric,
        },
        "policy": {"type": "none"},
        "objective": {"primary_metric": metric, "goal": goal},
        "target": {"type": "function", "name": "automl._child:train"},
    }


def _oof(rng: random.Random, task: str) -> bytes:
    """Out-of-fold predictions of 1,000 rows, as an AutoML child saves them."""
    import joblib
    import numpy as np

    generator = np.random.default_rng(rng.randrange(2**32))
    if task == "classification":
        y = generator.choice(np.array(["bad", "good"]), size=1000, p=[0.3, 0.7])
        signal_ = (y == "good") * 1.2 + generator.normal(size=1000)
        good = 1 / (1 + np.exp(-signal_))
        oof: dict[str, Any] = {"y": y, "predictions": np.column_stack([1 - good, good])}
    else:
        y = generator.normal(50, 10, size=1000)
        oof = {"y": y, "predictions": y + generator.normal(0, 4, size=1000)}
    buffer = io.BytesIO()
    joblib.dump(oof, buffer)
    return buffer.getvalue()


def _children_per_experiment() -> list[int]:
    """Children of each experiment so that parents + children = RUNS, BIG first."""
    rest = RUNS - EXPERIMENTS - BIG_CHILDREN
    base, extra = divmod(rest, EXPERIMENTS - 1)
    return [BIG_CHILDREN] + [base + (1 if i < extra else 0) for i in range(EXPERIMENTS - 1)]


def _write_experiment(workspace: Any, rng: random.Random, number: int, children: int) -> None:
    task = "regression" if number % 3 == 2 else "classification"
    metric, goal = (
        ("AUC_weighted", "maximize")
        if task == "classification"
        else ("normalized_root_mean_squared_error", "minimize")
    )
    metrics = CLASSIFICATION if task == "classification" else REGRESSION
    learners = CLASSIFIERS if task == "classification" else REGRESSORS
    name = BIG if number == 0 else f"exp-{number:03d}-{task}"
    outcome = "failed" if number % 40 == 13 else "canceled" if number % 50 == 27 else "completed"
    writer = workspace.writer()
    experiment = writer.create_experiment(name, kind="automl", config=_config(task, metric, goal))
    parent = writer.start_run(
        experiment.id,
        kind="parent",
        properties={
            "limits": {"max_total_trials": children, "max_concurrent_trials": 2},
            "explanation.metric": metric,
        },
    )
    best: tuple[float, str] | None = None
    for index in range(children):
        learner = rng.choice(learners)
        child = writer.start_run(
            experiment.id,
            parent_id=parent,
            index=index,
            params={"learner": learner, "hyperparameters": _hyperparameters(rng, learner)},
            tags={"learner": learner, "phase": "portfolio" if index < 8 else "bayesian"},
        )
        if index % 40 == 39:
            writer.set_status(child, "failed", error=f"ValueError: {learner} diverged (seeded)")
            continue
        quality = rng.betavariate(8, 3)  # higher is better
        values = {m: round(rng.uniform(0.4, 0.95), 6) for m in metrics}
        values[metric] = round(
            0.6 + 0.35 * quality if goal == "maximize" else 0.3 - 0.25 * quality, 6
        )
        if learner in BOOSTED:
            for step in range(1, 4):
                writer.log_metrics(child, {metric: values[metric] * (0.9 + 0.03 * step)}, step)
        writer.log_metrics(
            child,
            {**values, "cost": rng.uniform(1e5, 1e7), "fit_time": rng.uniform(0.05, 20)},
            step=4,
        )
        writer.set_status(child, "completed")
        score = values[metric] if goal == "maximize" else -values[metric]
        if best is None or score > best[0]:
            best = (score, child)
    if best is None:  # every child failed: not with 39 of 40 completing
        raise RuntimeError(f"experiment {name!r} has no completed child")
    writer.log_artifact(best[1], _oof(rng, task), "oof.joblib")
    writer.log_artifact(best[1], f"training {name} child\n".encode() * 50, "stdout.txt")
    writer.log_artifact(best[1], b"", "stderr.txt")
    importances = sorted(((rng.uniform(0, 0.05), f) for f in FEATURES), reverse=True)
    raw = [{"name": f, "importance": value, "std": 0.002} for value, f in importances]
    explanation = {"metric": metric, "raw": raw, "engineered": raw, "note": None}
    writer.log_artifact(parent, json.dumps(explanation).encode(), "explanation.json")
    reason = {
        "completed": f"reached max_total_trials={children}",
        "failed": "the controller failed (seeded)",
        "canceled": "canceled by the user",
    }[outcome]
    writer.set_status(parent, outcome, reason=reason)
    writer.commit()
    if outcome == "completed":
        folder = workspace.artifact_root / ".bench-model"
        folder.mkdir(exist_ok=True)
        (folder / "model.joblib").write_bytes(_oof(rng, task)[:4096])
        workspace.models.register(
            name,
            folder / "model.joblib",
            run_id=best[1],
            tags={"algorithm": "seeded", "task": task},
        )


def build(cache: Path, rebuild: bool) -> Path:
    """The cached workspace (built now when missing, stale or ``rebuild``)."""
    from trials import Workspace

    folder, marker = cache / "ws", cache / "recipe.json"
    if not rebuild and marker.is_file() and json.loads(marker.read_text()) == RECIPE:
        return folder
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    started = time.perf_counter()
    rng = random.Random(SEED)
    with Workspace(folder) as workspace:
        for path in sorted((REPO / "examples" / "data").glob("*.csv")):
            workspace.datasets.register(path.stem, path)
        for number, children in enumerate(_children_per_experiment()):
            _write_experiment(workspace, rng, number, children)
        runs = workspace.count_runs()
    if runs != RUNS:
        raise RuntimeError(f"the workspace must hold {RUNS} runs, got {runs}")
    marker.write_text(json.dumps(RECIPE))
    print(
        f"built {EXPERIMENTS} experiments, {runs} runs in {folder} "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    return folder


# ---------------------------------------------------------------- timing


def urls(client: Any) -> list[tuple[str, str]]:
    """(page, path) of every page and JSON call measured, ids read from the API."""
    listing = client.get("/api/experiments").json()
    late = listing["pages"]
    board = client.get(f"/api/experiments/{BIG}/leaderboard?limit=3").json()["rows"]
    best, ids = board[0]["run_id"], ",".join(row["run_id"] for row in board)
    model = client.get("/api/models").json()[0]["name"]
    return [
        ("experiments list, page 1", "/"),
        ("experiments list, page 1 (JSON)", "/api/experiments?page=1"),
        (f"experiments list, page {late} (last)", f"/?page={late}"),
        (f"experiments list, page {late} (JSON)", f"/api/experiments?page={late}"),
        ("experiments list, filtered", "/?task=regression&status=completed"),
        ("new experiment wizard", "/experiments/new"),
        ("experiment page, 500 children", f"/experiments/{BIG}"),
        ("experiment detail (JSON)", f"/api/experiments/{BIG}"),
        ("leaderboard (JSON, the page's 200 rows)", f"/api/experiments/{BIG}/leaderboard"),
        ("leaderboard (JSON, all 500 rows)", f"/api/experiments/{BIG}/leaderboard?limit=500"),
        ("charts: search (JSON)", f"/api/experiments/{BIG}/charts/search"),
        ("charts: best model (JSON)", f"/api/experiments/{BIG}/charts/best-model"),
        ("charts: feature importance (JSON)", f"/api/experiments/{BIG}/charts/feature-importance"),
        (
            "experiment page, 500 children, and its 5 JSON calls (in sequence)",
            " ".join(
                [f"/experiments/{BIG}", f"/api/experiments/{BIG}"]
                + [f"/api/experiments/{BIG}/{call}" for call in PAGE_CALLS]
            ),
        ),
        ("run page", f"/runs/{best}"),
        ("run (JSON)", f"/api/runs/{best}"),
        ("run logs (JSON)", f"/api/runs/{best}/logs"),
        ("compare page, 3 runs", f"/compare?runs={ids}"),
        ("step curves, 3 runs (JSON)", f"/api/curves?runs={ids}"),
        ("models page", "/models"),
        ("models (JSON)", "/api/models"),
        ("model page", f"/models/{model}"),
        ("datasets page", "/datasets"),
        ("datasets (JSON)", "/api/datasets"),
        ("dataset page", "/datasets/credit_g"),
        ("dataset preview (JSON)", "/api/datasets/credit_g/1/preview"),
    ]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def measure(base: str, repeats: int, warmup: int) -> list[dict[str, str]]:
    """One row per URL (or URLs in sequence): median, p95 and max of ``repeats`` timings."""
    import httpx

    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    common = {
        "timestamp": stamp,
        "machine": machine(),
        "commit": git_commit(),
        "experiments": str(EXPERIMENTS),
        "runs": str(RUNS),
    }
    rows = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for page, path in urls(client):
            for _ in range(warmup):
                client.get(path)
            times, size, status = [], 0, 0
            for _ in range(repeats):
                started = time.perf_counter()
                responses = [client.get(part) for part in path.split()]  # one after the other
                times.append((time.perf_counter() - started) * 1000)
                size = sum(len(response.content) for response in responses)
                status = max(response.status_code for response in responses)
            median, p95 = statistics.median(times), _p95(times)
            rows.append(
                {
                    **common,
                    "page": page,
                    "path": path,
                    "repeats": str(repeats),
                    "median_ms": f"{median:.1f}",
                    "p95_ms": f"{p95:.1f}",
                    "max_ms": f"{max(times):.1f}",
                    "bytes": str(size),
                    "status": str(status),
                    "within_target": str(status == 200 and p95 < TARGET_MS),
                }
            )
            print(
                f"{page[:60]:60s} {median:7.1f} ms median {p95:7.1f} ms p95  {status}", flush=True
            )
    return rows


# ---------------------------------------------------------------- summary, main


def summary(path: Path, markdown: bool) -> None:
    """The latest run's rows as a table."""
    rows = read_rows(path)
    if not rows:
        print(f"no results in {path}")
        return
    last = [r for r in rows if r["timestamp"] == rows[-1]["timestamp"]]
    head = ["page", "median ms", "p95 ms", f"< {TARGET_MS:g} ms"]
    body = [
        [r["page"], r["median_ms"], r["p95_ms"], "yes" if r["within_target"] == "True" else "NO"]
        for r in last
    ]
    title = (
        f"{last[0]['timestamp']}, {last[0]['machine']}, commit {last[0]['commit']}: "
        f"{last[0]['experiments']} experiments, {last[0]['runs']} runs, "
        f"{last[0]['repeats']} requests each"
    )
    print(f"\n{title}\n" if markdown else f"\n{title}")
    print("\n".join(table(head, body, markdown)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed requests per URL")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per URL first")
    parser.add_argument("--cache", type=Path, default=CACHE, help="where the workspace is kept")
    parser.add_argument("--rebuild", action="store_true", help="build the workspace again")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the CSV to append to")
    parser.add_argument("--summary", action="store_true", help="summarise the results file")
    parser.add_argument("--markdown", action="store_true", help="the summary as markdown")
    args = parser.parse_args()
    if args.summary:
        summary(args.results, args.markdown)
        return 0
    if args.repeats < 1 or args.warmup < 0:
        parser.error(f"--repeats must be >= 1 and --warmup >= 0, got {args.repeats}, {args.warmup}")
    folder = build(args.cache, args.rebuild)
    with studio_in_background(folder) as base:
        rows = measure(base, args.repeats, args.warmup)
    for row in rows:
        append(args.results, row, COLUMNS)
    summary(args.results, markdown=False)
    return 0 if all(r["within_target"] == "True" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
