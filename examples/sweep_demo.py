"""A Bayesian sweep of your own training function, recorded in a run store (`trials.Sweep`).

A histogram gradient-boosting classifier is tuned on the bundled German-credit data with
`trials.Sweep`: Bayesian sampling (Optuna TPE), a Bandit policy that stops trials whose
running cross-validation accuracy lags, two trials at a time in worker processes. Every trial
is a child run in the workspace (params, the running accuracy after each fold as a step
metric, status and reason), the leaderboard is read back from the store, and the best
configuration, refitted on all rows, is registered as a model version with its lineage.
Running it again with the same `--name` resumes that sweep.

    python examples/sweep_demo.py [--workspace automl_workspace] [--trials 20] [--seed 0] [--name N]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from rich.console import Console
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold

from search_spaces import SearchSpace, choice, loguniform, quniform
from trials import BanditPolicy, Sweep, TrialContext

DATA = Path(__file__).resolve().parent / "data" / "credit_g.csv"
LABEL = "target"
METRIC = "accuracy"
FOLDS = 3

SPACE = SearchSpace(
    {
        "learning_rate": loguniform(math.log(0.01), math.log(0.3)),
        "max_leaf_nodes": choice(7, 15, 31, 63),
        "min_samples_leaf": quniform(2, 60, 1),
        "l2_regularization": loguniform(math.log(1e-4), math.log(10.0)),
        "max_iter": quniform(30, 200, 10),
    }
)


def load_data() -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.read_csv(DATA)
    features = frame.drop(columns=[LABEL])
    for column in features.select_dtypes(include="object"):
        features[column] = features[column].astype("category")
    return features, frame[LABEL]


def make_model(params: dict[str, Any], seed: int = 0) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=params["learning_rate"],
        max_leaf_nodes=params["max_leaf_nodes"],
        min_samples_leaf=params["min_samples_leaf"],
        l2_regularization=params["l2_regularization"],
        max_iter=params["max_iter"],
        categorical_features="from_dtype",
        random_state=seed,
    )


def train(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """One trial: 3-fold CV, reporting the running mean accuracy after each fold."""
    X, y = load_data()
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    scores: list[float] = []
    for fold, (fit_rows, valid_rows) in enumerate(folds.split(X, y), start=1):
        model = make_model(params).fit(X.iloc[fit_rows], y.iloc[fit_rows])
        predicted = model.predict(X.iloc[valid_rows])
        scores.append(float(np.mean(predicted == y.iloc[valid_rows].to_numpy())))
        ctx.report(step=fold, **{METRIC: float(np.mean(scores))})
        if ctx.should_stop():  # the policy stopped this trial: the rest of the folds are saved
            break
    return {METRIC: float(np.mean(scores)), "fold_std": float(np.std(scores))}


def automl_command() -> str:
    """How to call the CLI from here: `automl` when on PATH, else the virtualenv's script."""
    if shutil.which("automl"):
        return "automl"
    return os.path.relpath(Path(sys.executable).with_name("automl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="automl_workspace")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=None, help="experiment name (a new one by default)")
    args = parser.parse_args()
    console = Console()
    name = args.name or f"demo-credit-g-{time.strftime('%Y%m%d-%H%M%S')}"

    console.print(
        f"[bold]{name}[/bold]: {args.trials} trials, Bayesian sampling, Bandit policy, "
        f"2 at a time; workspace {args.workspace}"
    )
    result = Sweep(
        train,
        SPACE,
        primary_metric=METRIC,
        goal="maximize",
        sampling_algorithm="bayesian",
        early_termination=BanditPolicy(slack_factor=0.03, delay_evaluation=1),
        max_total_trials=args.trials,
        max_concurrent_trials=2,
        trial_timeout=300,
        workspace=args.workspace,
        experiment_name=name,
        seed=args.seed,
    ).run(quiet=False)

    board = result.leaderboard
    columns = ["index", "status", METRIC, *SPACE.keys()]
    console.print("\n[bold]Leaderboard (read from the store)[/bold]")
    print(board[columns].head(10).to_string(index=False, float_format="%.4g"))
    if result.best_trial is None:
        console.print("No trial completed; nothing to register.")
        return

    X, y = load_data()
    with tempfile.TemporaryDirectory() as folder:
        model_file = Path(folder) / "model.joblib"
        joblib.dump(make_model(result.best_trial.params).fit(X, y), model_file)
        version = result.register_best_model(
            "credit-g-hist-gbm",
            model_file,
            tags={"task": "classification", "primary_metric": METRIC},
            code_dir=Path(__file__).resolve().parent,
        )
    cli = f"{automl_command()} --workspace {args.workspace}"
    console.print(
        f"\nBest trial {result.best_trial.index}: {METRIC}="
        f"{result.best_trial.metrics[METRIC]:.4f}; registered as model "
        f"[bold]{version.name}[/bold] version {version.version}.\n"
        f"Next: `{cli} runs ls --experiment {name}`\n"
        f"      `{cli} models show {version.name}`",
        soft_wrap=True,
    )


if __name__ == "__main__":
    main()
