"""Small generated data in both input kinds the learners take, and helpers for the suite.

``native``: a pandas frame with four float32 columns and two ``category`` columns (one with
missing values); ``one_hot_scaled``: the same rows standardized and one-hot encoded, dense or
CSR. Rows 0-199 train, rows 200-239 validate.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse

from automl.learners import LEARNERS, Learner

N_TRAIN = 200
N_ROWS = 240
CAP = {"n_estimators": 12, "iterations": 12, "max_iter": 12, "max_epochs": 6, "hidden_size": 64}
"""Caps (iterations, network width) that keep every fit in the suite fast."""

CASES = [(name, task) for name, cls in LEARNERS.items() for task in cls.info.tasks]
"""Every (learner name, task) pair the zoo supports."""


class Recorder:
    """An ``on_chunk`` hook that records the steps and asks to stop at ``stop_at``."""

    def __init__(self, stop_at: int | None = None) -> None:
        self.steps: list[int] = []
        self.stop_at = stop_at

    def __call__(self, step: int, model: Any) -> bool:
        self.steps.append(step)
        return self.stop_at is not None and step >= self.stop_at


class Split(NamedTuple):
    X: Any
    y: Any
    X_valid: Any
    y_valid: Any


@cache
def frame(seed: int = 0) -> pd.DataFrame:
    """The native frame: x0-x3 float32, c0 (3 levels and missing), c1 (5 levels)."""
    rng = np.random.default_rng(seed)
    data = {f"x{i}": rng.normal(size=N_ROWS).astype(np.float32) for i in range(4)}
    c0 = rng.choice(["a", "b", "c"], N_ROWS).astype(object)
    c0[rng.random(N_ROWS) < 0.1] = None
    data["c0"] = pd.Categorical(c0, categories=["a", "b", "c"])
    data["c1"] = pd.Categorical(rng.choice(["p", "q", "r", "s", "t"], N_ROWS))
    return pd.DataFrame(data)


def _score(seed: int) -> np.ndarray:
    X = frame(seed)
    rng = np.random.default_rng(seed + 1)
    score = X["x0"] + 0.5 * X["x1"] - X["x2"] * X["x3"] + (X["c0"] == "a") - (X["c1"] == "t")
    return score.to_numpy(np.float64) + 0.3 * rng.normal(size=N_ROWS)


def target(task: str, n_classes: int = 2, seed: int = 0) -> np.ndarray:
    """Binary labels "no"/"yes", multiclass labels 10/20/30..., or a float target near 100."""
    score = _score(seed)
    if task == "regression":
        return 100.0 + 10.0 * score
    edges = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    codes = np.searchsorted(edges, score)
    labels = np.array(["no", "yes"]) if n_classes == 2 else 10 * np.arange(1, n_classes + 1)
    return labels[codes]


def one_hot_scaled(X: pd.DataFrame, *, as_sparse: bool = False) -> Any:
    """Standardized numeric columns and one-hot categoricals (missing as its own column)."""
    numeric = X.select_dtypes("number").to_numpy(np.float64)
    blocks = [(numeric - numeric.mean(axis=0)) / numeric.std(axis=0)]
    for name in X.select_dtypes("category").columns:
        blocks.append(pd.get_dummies(X[name], dummy_na=True).to_numpy(np.float64))
    matrix = np.hstack(blocks)
    return sparse.csr_matrix(matrix) if as_sparse else matrix


def split(kind: str, task: str, n_classes: int = 2, *, as_sparse: bool = False) -> Split:
    """Train and validation parts for a learner's input kind."""
    X = frame() if kind == "native" else one_hot_scaled(frame(), as_sparse=as_sparse)
    y = target(task, n_classes)
    if kind == "native":
        return Split(X.iloc[:N_TRAIN], y[:N_TRAIN], X.iloc[N_TRAIN:], y[N_TRAIN:])
    return Split(X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:])


def data_for(learner: Learner, task: str, n_classes: int = 2, **kwargs: Any) -> Split:
    """The split in ``learner``'s input kind."""
    return split(learner.info.input_kind, task, n_classes, **kwargs)


def capped(learner: Learner, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the iterations parameter capped (see :data:`CAP`)."""
    out = dict(params)
    for name in {learner.info.iterations_param, "hidden_size"} & set(out):
        out[name] = min(int(out[name]), CAP[name])
    name = learner.info.iterations_param
    if name is not None and name not in out:
        out[name] = CAP[name]
    return out


def sizes(learner: Learner, task: str, n_classes: int = 2) -> dict[str, int]:
    """``n_rows``/``n_features``/``n_classes`` of the training split."""
    X = data_for(learner, task, n_classes).X
    return {
        "n_rows": N_TRAIN,
        "n_features": int(X.shape[1]),
        "n_classes": n_classes if task == "classification" else 0,
    }


def fit_small(
    learner: Learner,
    task: str,
    params: dict[str, Any] | None = None,
    *,
    n_classes: int = 2,
    seed: int = 0,
    **fit_kwargs: Any,
) -> Any:
    """Build with capped ``params`` (default: the first portfolio config) and fit."""
    base = (
        learner.portfolio(task, **sizes(learner, task, n_classes))[0] if params is None else params
    )
    data = data_for(learner, task, n_classes)
    model = learner.build(capped(learner, base), task, seed=seed)
    return learner.fit(model, data.X, data.y, **fit_kwargs)
