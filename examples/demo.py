"""The main job, until `AutoMLConfig(...).fit()` lands: a Bayesian search recorded in a run store.

A histogram gradient-boosting classifier is tuned on the bundled German-credit data with the
Bayesian sampler (Optuna TPE). Every trial is a child run in the workspace (params, the score of
each cross-validation fold as a step metric, status), the leaderboard is read back from the
store, and the best configuration, refitted on all rows, is registered as a model version with
its lineage.

    python examples/demo.py [--workspace automl_workspace] [--trials 20] [--seed 0]
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

from search_spaces import BayesianSampler, SearchSpace, loguniform, quniform
from trials import Workspace

DATA = Path(__file__).resolve().parent / "data" / "credit_g.csv"
LABEL = "target"
METRIC = "accuracy"

SPACE = SearchSpace(
    {
        "learning_rate": loguniform(math.log(0.01), math.log(0.3)),
        "max_leaf_nodes": quniform(4, 64, 1),
        "min_samples_leaf": quniform(2, 60, 1),
        "l2_regularization": loguniform(math.log(1e-4), math.log(10.0)),
        "max_iter": quniform(50, 300, 10),
    }
)


def load_data() -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.read_csv(DATA)
    features = frame.drop(columns=[LABEL])
    for column in features.select_dtypes(include="object"):
        features[column] = features[column].astype("category")
    return features, frame[LABEL]


def make_model(params: dict[str, Any], seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=params["learning_rate"],
        max_leaf_nodes=int(params["max_leaf_nodes"]),
        min_samples_leaf=int(params["min_samples_leaf"]),
        l2_regularization=params["l2_regularization"],
        max_iter=int(params["max_iter"]),
        categorical_features="from_dtype",
        random_state=seed,
    )


def cross_validate(params: dict[str, Any], X: pd.DataFrame, y: pd.Series, seed: int) -> list[float]:
    folds = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    scores = []
    for train, valid in folds.split(X, y):
        model = make_model(params, seed).fit(X.iloc[train], y.iloc[train])
        scores.append(float(np.mean(model.predict(X.iloc[valid]) == y.iloc[valid].to_numpy())))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="automl_workspace")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    console = Console()

    X, y = load_data()
    workspace = Workspace(args.workspace)
    experiment_name = f"demo-credit-g-{time.strftime('%Y%m%d-%H%M%S')}"
    experiment = workspace.get_or_create_experiment(
        experiment_name,
        kind="sweep",
        fingerprint=SPACE.fingerprint(),
        config={"search_space": SPACE.to_dict(), "sampler": "bayesian", "seed": args.seed},
    )
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent", params={"trials": args.trials})
    writer.commit()

    sampler = BayesianSampler(SPACE, seed=args.seed, goal="maximize")
    console.print(f"[bold]{experiment_name}[/bold]: {args.trials} trials, Bayesian sampling")
    for index in range(args.trials):
        params = sampler.ask(index)
        run_id = writer.start_run(experiment.id, parent_id=parent, index=index, params=params)
        writer.commit()
        scores = cross_validate(params, X, y, args.seed)
        for fold in range(len(scores)):  # running mean over folds, one step per fold
            writer.log_metrics(run_id, {METRIC: float(np.mean(scores[: fold + 1]))}, step=fold)
        writer.log_metrics(
            run_id, {METRIC: float(np.mean(scores)), "fold_std": float(np.std(scores))}
        )
        writer.set_status(run_id, "completed")
        writer.commit()
        sampler.tell(index, params, float(np.mean(scores)))
        console.print(f"  trial {index:>2}: {METRIC}={np.mean(scores):.4f}")

    leaderboard = workspace.leaderboard(experiment_name, metric=METRIC, goal="maximize")
    columns = ["index", METRIC, "learning_rate", "max_leaf_nodes", "min_samples_leaf", "max_iter"]
    console.print("\n[bold]Leaderboard (read from the store)[/bold]")
    console.print(leaderboard[columns].head(10).to_string(index=False))

    best = leaderboard.iloc[0]
    best_params = workspace.get_run(best["run_id"]).params
    with tempfile.TemporaryDirectory() as folder:
        model_file = Path(folder) / "model.joblib"
        joblib.dump(make_model(best_params, args.seed).fit(X, y), model_file)
        version = workspace.models.register(
            "credit-g-hist-gbm",
            model_file,
            run_id=best["run_id"],
            tags={"task": "classification", "primary_metric": METRIC},
            code_dir=Path(__file__).resolve().parent,
        )
    writer.set_status(parent, "completed")
    writer.commit()
    workspace.close()
    cli = _automl_command()
    console.print(
        f"\nBest trial {int(best['index'])}: {METRIC}={best[METRIC]:.4f}; registered as model "
        f"[bold]{version.name}[/bold] version {version.version}.\n"
        f"Next: `{cli} --workspace {args.workspace} runs ls --experiment {experiment_name}`\n"
        f"      `{cli} --workspace {args.workspace} models show {version.name}`",
        soft_wrap=True,
    )


def _automl_command() -> str:
    """How to call the CLI from here: `automl` when on PATH, else the virtualenv's script."""
    if shutil.which("automl"):
        return "automl"
    return os.path.relpath(Path(sys.executable).with_name("automl"))


if __name__ == "__main__":
    main()
