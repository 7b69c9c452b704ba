"""Small hand-made and generated out-of-fold predictions for the ensemble tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from automl.ensembles import ChildPredictions


def child(run_id: str, oof: Any, algorithm: str = "LightGBM", **kwargs: Any) -> ChildPredictions:
    return ChildPredictions(run_id, algorithm, float("nan"), np.asarray(oof), **kwargs)


def complementary_binary(n: int = 40) -> tuple[list[ChildPredictions], NDArray[np.int_]]:
    """Two children, each sure and right on its half of the rows, unsure and wrong elsewhere.

    Each alone scores 0.75 accuracy; their average is right on every row.
    """
    y = np.tile([0, 1], n // 2)
    half = np.arange(n) < n // 2
    truth_prob = np.where(y == 1, 1.0, 0.0)
    sure_right = np.abs(truth_prob - 0.1)  # P(class 1): 0.9 for ones, 0.1 for zeros
    unsure = np.where(y == 1, 0.45, 0.55)  # wrong, but barely
    a = np.where(half, sure_right, np.where(np.arange(n) % 4 < 2, unsure, sure_right))
    b = np.where(~half, sure_right, np.where(np.arange(n) % 4 < 2, unsure, sure_right))
    return [child("a", a), child("b", b, "XGBoost")], y


class RowModel:
    """A "fitted model" whose input is row indices into fixed predictions (for wiring tests)."""

    def __init__(self, outputs: Any, classes: Any = None) -> None:
        self.outputs = np.asarray(outputs, dtype=float)
        if classes is not None:
            self.classes_ = np.asarray(classes)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        out: NDArray[np.float64] = self.outputs[np.asarray(X, dtype=int)]
        return out if out.ndim == 2 else np.column_stack([1 - out, out])

    def predict(self, X: Any) -> NDArray[np.float64]:
        out: NDArray[np.float64] = self.outputs[np.asarray(X, dtype=int)]
        return out


def noisy_multiclass(
    n_children: int, n: int, k: int, seed: int = 0
) -> tuple[list[ChildPredictions], NDArray[np.int_]]:
    """Children with independent noise around the truth (averaging helps)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    onehot = np.eye(k)[y]
    children = []
    for j in range(n_children):
        logits = onehot * rng.uniform(0.5, 1.5) + rng.normal(0.0, 1.0, (n, k))
        proba = np.exp(logits)
        proba /= proba.sum(axis=1, keepdims=True)
        children.append(child(f"run_{j}", proba, f"Algo{j % 3}"))
    return children, y
