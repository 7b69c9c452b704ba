"""Train a gradient-boosting classifier on the German credit data, reporting as it grows.

Run on its own::

    python train.py --data ../data/credit_g.csv --learning_rate 0.1

or as the trial of a sweep (``automl sweep sweep.yaml``): each chunk of 10 boosting
iterations is one step, at which the script reports the validation accuracy and asks whether
the sweep's early-termination policy wants it to stop.
"""

from __future__ import annotations

import argparse

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split

from trials import report

ITERATIONS_PER_STEP = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="CSV file with a `target` column")
    parser.add_argument("--learning_rate", type=float, default=0.1)
    parser.add_argument("--max_leaf_nodes", type=int, default=31)
    parser.add_argument("--min_samples_leaf", type=int, default=20)
    parser.add_argument("--l2_regularization", type=float, default=0.0)
    parser.add_argument("--max_iter", type=int, default=200, help="boosting iterations in all")
    parser.add_argument("--valid_fraction", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=0, help="split and model seed")
    return parser.parse_args()


def load(path: str) -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.read_csv(path)
    y = frame.pop("target")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("category")
    return frame, y


def main() -> None:
    args = parse_args()
    X, y = load(args.data)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X, y, test_size=args.valid_fraction, stratify=y, random_state=args.seed
    )
    model = HistGradientBoostingClassifier(
        learning_rate=args.learning_rate,
        max_leaf_nodes=args.max_leaf_nodes,
        min_samples_leaf=args.min_samples_leaf,
        l2_regularization=args.l2_regularization,
        categorical_features="from_dtype",
        early_stopping=False,  # the sweep's policy does the stopping
        warm_start=True,  # each fit adds trees to the previous ones
        random_state=args.seed,
    )
    in_trial = report.in_trial()
    steps = max(1, args.max_iter // ITERATIONS_PER_STEP)
    for step in range(1, steps + 1):
        model.set_params(max_iter=step * ITERATIONS_PER_STEP)
        model.fit(X_train, y_train)
        accuracy = float(model.score(X_valid, y_valid))
        if in_trial:
            report.report(step=step, accuracy=accuracy)
            if report.should_stop():
                print(f"stopped by the sweep after step {step}")
                break
        else:
            print(f"step {step:3d}  iterations {model.n_iter_:4d}  accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
