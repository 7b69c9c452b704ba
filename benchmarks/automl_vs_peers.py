"""AutoML next to peers: our AutoML, FLAML, AutoGluon and two untuned baselines on the dev suite.

Datasets: ``shared/data/tabular/*.csv.gz`` (``manifest.csv`` gives each one's task: binary,
multiclass or regression; the label is the column ``target``). Systems (column ``system``):

- ``openaml``: ``AutoMLConfig(task, training_data=train, label_column_name="target",
  primary_metric=M, experiment_timeout_minutes=budget/60, max_concurrent_iterations=2,
  workspace=<fresh folder>, seed=0).fit(show_output=False)``, every other setting at its
  default; M = AUC_weighted (binary), log_loss (multiclass), root_mean_squared_error.
- ``flaml``: ``AutoML().fit(X, y, task, time_budget=budget, metric=roc_auc|log_loss|rmse,
  n_jobs=2, seed=0)``, FLAML's default estimators (catboost not installed, as with
  ``flaml[automl]``).
- ``autogluon``: ``TabularPredictor(label, problem_type, eval_metric=roc_auc|log_loss|
  root_mean_squared_error).fit(train, time_limit=budget, presets="medium_quality",
  num_cpus=2)``, with CPU torch 2.13.0 (its NN_TORCH model runs) and without fastai (its
  NN_FASTAI model is skipped: fastai would pull spacy and torchvision); the ``note`` column
  lists the models it trained.
- ``lightgbm_default``: ``LGBMClassifier``/``LGBMRegressor`` defaults (n_jobs=2,
  random_state=0), string columns as pandas ``category`` (categories from the training split).
- ``random_forest_300``: ``RandomForest*(n_estimators=300, n_jobs=2, random_state=0)`` after
  ``OrdinalEncoder`` (unknown -> -1) on string columns and a median ``SimpleImputer``.

Protocol, the same for every system: rows with a missing label are dropped, and one 75/25
``train_test_split(random_state=0)`` (stratified for classification) is made once per dataset
in this process and written as parquet to a fresh temporary folder, so every system gets the
same rows. Each (system, dataset) runs in its own fresh interpreter
(``peer_scripts/automl_peer.py``: our venv for openaml and the baselines, a pinned peer venv
under ``.peers/`` for FLAML and AutoGluon, see ``_peers.py``), in a fresh working folder,
killed with every process it started after ``budget x 3 + 120`` s. The child times the fit
(fit_s: everything the system does, imports excluded and reported as import_s), predicts the
whole test set (predict_rows_per_s) and 50 single-row frames after a warm-up (median:
single_row_ms), and saves its test predictions; this process scores them with one code path
for all: binary -> ROC AUC of P(sorted(classes)[1]); multiclass -> log-loss over the sorted
classes (probabilities clipped to [1e-15, 1] and renormalised; a class a system never
predicts is a column of zeros); regression -> RMSE. peak_rss_mb is the larger of the
child's own max RSS and its largest descendant's (``getrusage``); tree_rss_peak_mb is the
sampled sum over the child and all its live descendants (our AutoML trains in worker
processes). overrun: fit_s > budget x 1.05 + 5 (our AutoML's promise). A failure (error,
crash, timeout, a peer that does not install) is a row with failed=True and the error, and
the benchmark goes on. Rows are appended to ``benchmarks/results/automl_vs_peers.csv``; a
(system, dataset, budget_s) row already there and not failed is skipped unless ``--force``,
so the suite can run across sittings. On a 2-core machine, run nothing else meanwhile.

    python benchmarks/automl_vs_peers.py [--budget 60] [--datasets adult,car]
        [--systems openaml,flaml,autogluon,lightgbm_default,random_forest_300]
        [--suite dev|long] [--force] [--results PATH]
    python benchmarks/automl_vs_peers.py --summary [--markdown] [--results PATH]

``--suite dev`` (default): every dataset of the manifest, budget 60 s. ``--suite long``:
budget 300 s on adult, credit_g, house_prices, jungle_chess, optdigits, phoneme, telco_churn,
wine_quality_white. ``--summary`` prints, per budget, each system's mean rank (1 = best,
failures ranked last), mean normalised score (1 = best, 0 = worst on each dataset; a failure
counts 0), failures and overruns, and our gap to lightgbm_default on datasets of >= 2000 rows.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _child_process import child_env, run_child
from _peers import PeerError, PeerSpecs, python_for
from _results import append, budget_groups, flat, git_commit, machine, read_rows, row_key, table

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPT = HERE / "peer_scripts" / "automl_peer.py"
DATA = REPO.parent / "shared" / "data" / "tabular"
RESULTS = HERE / "results" / "automl_vs_peers.csv"
LABEL = "target"
SEED = 0
TEST_SIZE = 0.25
GAP_MIN_ROWS = 2000  # the gap table's datasets

SYSTEMS = ("openaml", "flaml", "autogluon", "lightgbm_default", "random_forest_300")
# Pinned peer venvs: system -> (folder under .peers/, requirements, packages it must not hold).
# FLAML needs xgboost < 3; xgboost-cpu is the same package without the 200 MB CUDA library.
# AutoGluon 1.6.3 accepts torch >= 2.10, < 2.14: the CPU build 2.13.0+cpu (the local label
# keeps pip from ever choosing a CUDA build).
PEERS: PeerSpecs = {
    "flaml": (
        "flaml-2.7.0",
        [
            "flaml==2.7.0",
            "xgboost-cpu==2.1.4",
            "lightgbm==4.7.0",
            "scikit-learn==1.9.1",
            "scipy==1.17.1",
            "pandas==2.3.3",
            "pyarrow==24.0.0",
            "numpy==2.4.6",
        ],
        ("torch",),
    ),
    "autogluon": (
        "autogluon-1.6.3",
        [
            "autogluon.tabular[lightgbm,catboost,xgboost]==1.6.3",
            "torch==2.13.0+cpu",
            "xgboost-cpu==3.2.0",
            "lightgbm==4.7.0",
            "catboost==1.2.10",
            "scikit-learn==1.9.1",
            "pandas==2.3.3",
            "pyarrow==24.0.0",
            "numpy==2.4.6",
        ],
        (),
    ),
}
SUITES = {
    "dev": (60.0, None),  # None: every dataset of the manifest
    "long": (
        300.0,
        [
            "adult",
            "credit_g",
            "house_prices",
            "jungle_chess",
            "optdigits",
            "phoneme",
            "telco_churn",
            "wine_quality_white",
        ],
    ),
}
METRICS = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}
HIGHER_IS_BETTER = {"roc_auc": True, "log_loss": False, "rmse": False}
COLUMNS = [
    "timestamp",
    "machine",
    "git_commit",
    "system",
    "version",
    "dataset",
    "task",
    "rows",
    "budget_s",
    "metric",
    "score",
    "failed",
    "error",
    "fit_s",
    "overrun",
    "import_s",
    "predict_s",
    "predict_rows_per_s",
    "single_row_ms",
    "peak_rss_mb",
    "tree_rss_peak_mb",
    "best_model",
    "load_before",
    "note",
]


@dataclass(frozen=True)
class Dataset:
    name: str
    task: str  # binary | multiclass | regression

    @property
    def path(self) -> Path:
        return DATA / f"{self.name}.csv.gz"


@dataclass(frozen=True)
class Split:
    folder: Path  # train.parquet, test.parquet (features only), meta.json
    rows: int  # after dropping missing labels
    y_test: Any  # numpy array
    classes: list[Any]


# ---------------------------------------------------------------- data


def manifest() -> list[Dataset]:
    with (DATA / "manifest.csv").open(newline="") as handle:
        return [Dataset(row["name"], row["task"]) for row in csv.DictReader(handle)]


def plain(value: Any) -> Any:
    """A numpy scalar as its Python value (JSON-ready)."""
    return value.item() if hasattr(value, "item") else value


def make_split(dataset: Dataset) -> Split:
    """Load, drop missing labels, split 75/25 once and write the split for the children."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    frame = pd.read_csv(dataset.path)
    if LABEL not in frame.columns:
        raise ValueError(f"{dataset.path} has no {LABEL!r} column")
    frame = frame[frame[LABEL].notna()].reset_index(drop=True)
    classification = dataset.task != "regression"
    train, test = train_test_split(
        frame,
        test_size=TEST_SIZE,
        random_state=SEED,
        stratify=frame[LABEL] if classification else None,
    )
    classes = sorted(plain(c) for c in frame[LABEL].unique()) if classification else []
    folder = Path(tempfile.mkdtemp(prefix=f"automl-vs-peers-{dataset.name}-"))
    train.reset_index(drop=True).to_parquet(folder / "train.parquet", index=False)
    test.drop(columns=[LABEL]).reset_index(drop=True).to_parquet(
        folder / "test.parquet", index=False
    )
    meta = {"task": dataset.task, "label": LABEL, "classes": classes}
    (folder / "meta.json").write_text(json.dumps(meta))
    return Split(folder, len(frame), test[LABEL].to_numpy(), classes)


def score(task: str, split: Split, predictions: Any) -> float:
    """The benchmark's metric of ``predictions`` (see the module docstring)."""
    import numpy as np
    from sklearn.metrics import log_loss, roc_auc_score

    if task == "regression":
        error = np.asarray(split.y_test, dtype=np.float64) - predictions
        return float(np.sqrt(np.mean(error**2)))
    if not np.isfinite(predictions).all():
        raise ValueError("predicted probabilities hold NaN or inf")
    if task == "binary":
        positive = split.classes[1]
        truth = np.array([plain(v) == positive for v in split.y_test])
        return float(roc_auc_score(truth, predictions[:, 1]))
    proba = np.clip(predictions, 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    truth = [plain(v) for v in split.y_test]
    return float(log_loss(truth, proba, labels=split.classes))


# ---------------------------------------------------------------- running


def child_timeout(budget: float) -> float:
    return budget * 3 + 120


def run_system(
    system: str, python: Path, split: Split, budget: float
) -> tuple[dict[str, Any], Any]:
    """Run one system on one split in a fresh interpreter: (its answer, its predictions)."""
    import numpy as np

    workdir = Path(tempfile.mkdtemp(prefix=f"automl-vs-peers-{system}-"))
    command = [
        str(python),
        str(SCRIPT),
        "--system",
        system,
        "--data",
        str(split.folder),
        "--budget",
        str(budget),
        "--seed",
        str(SEED),
        "--workdir",
        str(workdir),
    ]
    try:
        outcome = run_child(
            command,
            cwd=workdir,
            env=child_env(ours=system in ("openaml", "lightgbm_default", "random_forest_300")),
            limit=child_timeout(budget),
            limit_note="budget x 3 + 120",
        )
        if outcome.failed:
            return outcome.answer, None
        return outcome.answer, np.load(workdir / "predictions.npy")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(system: str, dataset: Dataset, split: Split | None, budget: float) -> dict[str, str]:
    """One row of the results: run ``system`` on ``split`` and score it."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        system=system,
        dataset=dataset.name,
        task=dataset.task,
        budget_s=f"{budget:g}",
        metric=METRICS[dataset.task],
        failed="True",
        load_before=f"{os.getloadavg()[0]:.2f}",
    )
    if split is None:
        row["error"] = "the dataset could not be loaded or split"
        return row
    row["rows"] = str(split.rows)
    try:
        python = python_for(system, PEERS)
    except PeerError as exc:
        row["error"] = flat(f"peer install failed: {exc}")
        return row
    answer, predictions = run_system(system, python, split, budget)
    row["version"] = str(answer.get("version", ""))
    if "error" in answer:
        row["error"] = flat(answer["error"])
        return row
    try:
        value = score(dataset.task, split, predictions)
    except Exception as exc:  # a bad prediction is this system's failure, not the benchmark's
        row["error"] = flat(f"scoring failed: {type(exc).__name__}: {exc}")
        return row
    n_test = len(split.y_test)
    fit_s = float(answer["fit_s"])
    row.update(
        score=f"{value:.6g}",
        failed="False",
        fit_s=f"{fit_s:.2f}",
        overrun=str(fit_s > budget * 1.05 + 5),
        import_s=f"{answer['import_s']:.2f}",
        predict_s=f"{answer['predict_s']:.4f}",
        predict_rows_per_s=f"{n_test / max(answer['predict_s'], 1e-9):.0f}",
        single_row_ms=f"{answer['single_row_ms']:.2f}",
        peak_rss_mb=f"{max(answer['rss_self_mb'], answer['rss_children_mb']):.0f}",
        tree_rss_peak_mb=f"{answer['tree_rss_peak_mb']:.0f}",
        best_model=flat(answer.get("best_model", ""), 200),
        note=flat(answer.get("note", "")),
    )
    return row


# ---------------------------------------------------------------- results file


# ---------------------------------------------------------------- summary


def oriented(row: dict[str, str]) -> float:
    """The row's score with higher = better; -inf for a failure."""
    if row["failed"] == "True" or not row["score"]:
        return -math.inf
    value = float(row["score"])
    return value if HIGHER_IS_BETTER[row["metric"]] else -value


def ranks(values: dict[str, float]) -> dict[str, float]:
    """Rank 1 = highest value; ties share their mean rank."""
    ordered = sorted(values, key=lambda k: -values[k])
    out: dict[str, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and values[ordered[j + 1]] == values[ordered[i]]:
            j += 1
        for k in ordered[i : j + 1]:
            out[k] = (i + j) / 2 + 1
        i = j + 1
    return out


def normalised(values: dict[str, float]) -> dict[str, float]:
    """(value - worst) / (best - worst) over the successful systems; a failure is 0."""
    finite = [v for v in values.values() if math.isfinite(v)]
    if not finite:
        return dict.fromkeys(values, 0.0)
    best, worst = max(finite), min(finite)
    return {
        k: (0.0 if not math.isfinite(v) else 1.0 if best == worst else (v - worst) / (best - worst))
        for k, v in values.items()
    }


def gap(ours: dict[str, str], base: dict[str, str]) -> str:
    """openaml vs lightgbm_default: AUC difference, or relative log-loss / RMSE in %."""
    if oriented(ours) == -math.inf or oriented(base) == -math.inf:
        return "n/a (failed)"
    a, b = float(ours["score"]), float(base["score"])
    if ours["metric"] == "roc_auc":
        return f"{a - b:+.4f} AUC"
    return f"{(a - b) / b * 100:+.1f}% {ours['metric']}" if b else "n/a"


def summary(path: Path, markdown: bool) -> None:
    groups = budget_groups(read_rows(path), SYSTEMS)
    if not groups:
        print(f"no results in {path}")
        return
    for group in groups:
        budget, at, systems = group.budget, group.rows, group.systems
        by_dataset, complete = group.by_dataset, group.complete
        rank_sum = dict.fromkeys(systems, 0.0)
        norm_sum = dict.fromkeys(systems, 0.0)
        for name in complete:
            values = {s: oriented(by_dataset[name][s]) for s in systems}
            for s, value in ranks(values).items():
                rank_sum[s] += value
            for s, value in normalised(values).items():
                norm_sum[s] += value
        body = []
        for s in systems:
            mine = [r for r in at if r["system"] == s]
            n = len(complete)
            body.append(
                [
                    s,
                    f"{rank_sum[s] / n:.2f}" if n else "-",
                    f"{norm_sum[s] / n:.3f}" if n else "-",
                    str(sum(r["failed"] == "True" for r in mine)),
                    str(sum(r["overrun"] == "True" for r in mine)),
                    str(len(mine)),
                ]
            )
        title = (
            f"budget {budget:g} s: {len(by_dataset)} datasets, mean rank and normalised score "
            f"over the {len(complete)} that every system ran"
        )
        print(f"\n### {title}\n" if markdown else f"\n{title}")
        head = ["system", "mean rank", "normalised score", "failures", "overruns", "runs"]
        print("\n".join(table(head, body, markdown)))

        gaps = []
        for name in sorted(by_dataset):
            got = by_dataset[name]
            if "openaml" not in got or "lightgbm_default" not in got:
                continue
            rows_n = got["openaml"]["rows"] or got["lightgbm_default"]["rows"]
            if not rows_n or int(rows_n) < GAP_MIN_ROWS:
                continue
            ours, base = got["openaml"], got["lightgbm_default"]
            gaps.append(
                [name, rows_n, ours["metric"], ours["score"], base["score"], gap(ours, base)]
            )
        if gaps:
            note = "openaml vs lightgbm_default on datasets of >= 2000 rows"
            note += " (AUC: + is better; log-loss, RMSE: - is better)"
            print(f"\n{note}:\n" if markdown else f"\n{note}:")
            head = ["dataset", "rows", "metric", "openaml", "lightgbm_default", "gap"]
            print("\n".join(table(head, gaps, markdown)))


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, help="seconds per fit (default: the suite's)")
    parser.add_argument("--datasets", help="comma-separated names (default: the suite's)")
    parser.add_argument("--systems", help=f"comma-separated, of {','.join(SYSTEMS)}")
    parser.add_argument("--suite", choices=sorted(SUITES), default="dev")
    parser.add_argument("--force", action="store_true", help="rerun rows already measured")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the CSV to append to")
    parser.add_argument("--summary", action="store_true", help="summarise the results file")
    parser.add_argument("--markdown", action="store_true", help="the summary as markdown")
    args = parser.parse_args()
    if args.summary:
        summary(args.results, args.markdown)
        return

    suite_budget, suite_datasets = SUITES[args.suite]
    budget = float(args.budget if args.budget is not None else suite_budget)
    if budget <= 0:
        parser.error("--budget must be > 0")
    known = {d.name: d for d in manifest()}
    names = args.datasets.split(",") if args.datasets else suite_datasets or list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown datasets {unknown}; known: {', '.join(sorted(known))}")
    systems = args.systems.split(",") if args.systems else list(SYSTEMS)
    if bad := [s for s in systems if s not in SYSTEMS]:
        parser.error(f"unknown systems {bad}; known: {', '.join(SYSTEMS)}")

    done = {row_key(r) for r in read_rows(args.results) if r["failed"] == "False"}
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    context = {"timestamp": stamp, "machine": machine(), "git_commit": git_commit()}
    todo = [
        (known[n], s) for n in names for s in systems if args.force or (s, n, budget) not in done
    ]
    skipped = len(names) * len(systems) - len(todo)
    print(
        f"{len(todo)} runs at budget {budget:g} s ({skipped} already measured; --force reruns "
        f"them); each child is killed after {child_timeout(budget):.0f} s",
        flush=True,
    )
    started = time.perf_counter()
    for i, name in enumerate(names):
        runs = [s for d, s in todo if d.name == name]
        if not runs:
            continue
        dataset = known[name]
        try:
            split: Split | None = make_split(dataset)
        except Exception as exc:
            print(f"{name}: could not load or split: {type(exc).__name__}: {exc}", flush=True)
            split = None
        try:
            for system in runs:
                row = {**measure(system, dataset, split, budget), **context}
                append(args.results, row, COLUMNS)  # row by row: an interrupted run keeps its rows
                if row["failed"] == "True":
                    outcome = f"FAILED: {row['error'][:200]}"
                else:
                    over = "  OVERRUN" if row["overrun"] == "True" else ""
                    outcome = (
                        f"{row['metric']}={float(row['score']):.4f}  fit {row['fit_s']} s{over}"
                        f"  best {row['best_model'][:40]}"
                    )
                elapsed = time.perf_counter() - started
                print(
                    f"[{i + 1}/{len(names)} {elapsed / 60:5.1f} min] {name:<20} {system:<18} "
                    f"{outcome}",
                    flush=True,
                )
        finally:
            if split is not None:
                shutil.rmtree(split.folder, ignore_errors=True)
    print(f"\nresults appended to {args.results}")
    summary(args.results, markdown=False)


if __name__ == "__main__":
    main()
