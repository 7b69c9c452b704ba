"""The main job: an AutoML experiment on the bundled German-credit data.

`AutoMLConfig(...).fit()` profiles the data (guardrails), picks the validation by Azure's rule
(3-fold cross-validation for these 1,000 rows), featurizes once per fold, then searches: the
learners' portfolios first, cheapest first, then Bayesian optimisation over the learners'
spaces, two children at a time in worker processes; a voting ensemble is the last child. The
best model is refitted on all rows and registered in the workspace with its lineage.
Everything is recorded in ./automl_workspace (SQLite).

    python examples/demo.py [--workspace automl_workspace] [--minutes 1] [--name NAME]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from automl import AutoMLConfig

DATA = Path(__file__).resolve().parent / "data" / "credit_g.csv"


def automl_command() -> str:
    """How to call the CLI from here: `automl` when on PATH, else the virtualenv's script."""
    if shutil.which("automl"):
        return "automl"
    return os.path.relpath(Path(sys.executable).with_name("automl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="automl_workspace")
    parser.add_argument("--minutes", type=float, default=1.0, help="experiment timeout")
    parser.add_argument("--name", default=None, help="experiment name (a new one by default)")
    args = parser.parse_args()
    name = args.name or f"credit-g-{time.strftime('%Y%m%d-%H%M%S')}"

    print(f"AutoML on {DATA.name}: classification of `target`, AUC_weighted, {args.minutes} min")
    result = AutoMLConfig(
        task="classification",
        training_data=pd.read_csv(DATA),
        label_column_name="target",
        primary_metric="AUC_weighted",
        experiment_timeout_minutes=args.minutes,
        max_concurrent_iterations=2,
        workspace=args.workspace,
        experiment_name=name,
        seed=0,
    ).fit()

    print(f"\n{result.validation}")
    print(f"Search ended: {result.status_reason}")
    board = result.leaderboard
    columns = ["index", "algorithm", "status", "AUC_weighted", "accuracy", "fit_time"]
    print("\nLeaderboard (best first, read from the store):")
    print(board[columns].head(12).to_string(index=False, float_format="%.4f"))
    cli = f"{automl_command()} --workspace {args.workspace}"
    print(
        f"\nBest: {board.iloc[0]['algorithm']} with AUC_weighted {result.best_score:.4f}; "
        f"registered as model {result.registered_model_name} "
        f"version {result.registered_model_version}.\n"
        f"Next: {cli} runs ls --experiment {name}\n"
        f"      {cli} models show {result.registered_model_name}"
    )


if __name__ == "__main__":
    main()
