"""What the iterative learners share: adaptive early stopping, chunk bookkeeping, model views.

LightGBM, XGBoost and CatBoost train in one library call and report back through a callback
after every round; :class:`RoundTracker` turns those rounds into chunks (``on_chunk`` calls)
and early-stopping decisions, so a chunked fit grows exactly the model an unchunked fit would.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

from automl.learners._base import FitData, chunk_ends

__all__ = [
    "BoosterView",
    "RoundTracker",
    "adaptive_patience",
    "expected_rounds",
    "histogram_tree_cost",
    "min_patience",
]


def min_patience(n_rows: int) -> int:
    """AutoGluon's floor on patience: 300 rounds up to 10k rows, down to 20 from 150k rows."""
    return max(20, round(300 * min(1.0, 10_000 / max(1, n_rows))))


def adaptive_patience(best_round: int, n_rows: int) -> int:
    """Rounds without improvement before stopping: ``max(floor, round(0.3 * best + 20))``.

    AutoGluon's adaptive rule for its boosters (``autogluon/core/utils/early_stopping.py``):
    a model that improved late is given more patience.
    """
    return max(min_patience(n_rows), round(0.3 * best_round + 20))


def expected_rounds(n_estimators: int, learning_rate: float) -> float:
    """Rounds a booster is expected to run under early stopping.

    About ``20 / learning_rate`` rounds to converge plus 150 spent confirming it (the
    patience, 20-300 rounds by data size, is taken as a constant so that cost never falls
    as rows grow), capped by ``n_estimators``; a counted guess, only used to rank configs.
    """
    return min(float(n_estimators), 20.0 / learning_rate + 150.0)


def histogram_tree_cost(
    n_rows: int, n_features: float, leaves: float, *, row_cost: float, split_cost: float
) -> float:
    """Counted work of one histogram tree (about nanoseconds on one core).

    Building histograms visits each row and feature about ``1 + log2(leaves) / 2`` times
    (the smaller child is built, the larger one subtracted); finding splits scans every bin
    of every feature in every leaf, a fixed cost per tree that dominates on small data. The
    two constants were fitted to single-thread timings on 2k and 20k rows x 20 features.
    """
    rows = row_cost * n_rows * n_features * (1.0 + 0.5 * math.log2(max(2.0, leaves)))
    return rows + split_cost * leaves * n_features


class RoundTracker:
    """Turns per-round callbacks into chunk reports and early-stopping decisions.

    Args:
        data: The fit request (``on_chunk``, ``chunks``, ``eval_set``).
        total: The iterations upper bound.
        view: ``view(n_iterations)`` builds a model view predicting with that many rounds.
    """

    def __init__(self, data: FitData, total: int, view: Callable[[int], Any]) -> None:
        self._data = data
        self._ends = chunk_ends(total, data.chunks)
        self._view = view
        self._rows = data.n_rows
        self.early_stopping = data.eval_set is not None
        self.best_round = -1  # 0-based round with the lowest validation loss
        self.best_loss = math.inf
        self.stopped_by_callback = False
        self._reported_step = 0

    @property
    def used_rounds(self) -> int | None:
        """Rounds the final model should use when early stopping tracked a best round."""
        return self.best_round + 1 if self.early_stopping and self.best_round >= 0 else None

    def after_round(self, done: int, loss: float | None) -> bool:
        """Record round ``done`` (1-based count) and its validation loss; True means stop."""
        stop = False
        if self.early_stopping and loss is not None:
            if loss < self.best_loss:
                self.best_loss, self.best_round = loss, done - 1
            elif done - 1 - self.best_round >= adaptive_patience(self.best_round, self._rows):
                stop = True
        step = bisect.bisect_left(self._ends, done) + 1
        at_boundary = done in self._ends
        if (at_boundary or stop) and step > self._reported_step:
            self._reported_step = step
            model_rounds = self.used_rounds or done
            if self._data.report(step, self._view(model_rounds)) and not stop:
                self.stopped_by_callback = True
                stop = True
        return stop


class BoosterView:
    """A model as it stands between two chunks: predicts with a booster's first rounds.

    Valid only inside ``on_chunk``; it is not the fitted estimator.

    Args:
        raw: ``raw(X)`` gives regression values, the positive-class probability (binary) or
            class probabilities (multiclass).
        classes: Sorted class labels (classification), or None for regression.
    """

    def __init__(self, raw: Callable[[Any], Any], classes: Any | None) -> None:
        self._raw = raw
        self.classes_ = classes

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, one column per class in ``classes_`` order."""
        import numpy as np

        proba = np.asarray(self._raw(X), dtype=np.float64)
        if proba.ndim == 1:
            proba = np.column_stack([1.0 - proba, proba])
        return proba

    def predict(self, X: Any) -> Any:
        """Class labels (classification) or values (regression)."""
        import numpy as np

        if self.classes_ is None:
            return np.asarray(self._raw(X))
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
