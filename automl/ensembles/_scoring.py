"""Scoring many candidate ensembles on the same rows without re-checking the inputs.

Greedy selection scores hundreds of candidate averages. :func:`automl.metrics.compute_metrics`
checks and encodes its inputs on every call; here the labels are encoded and the weights
checked once (by :class:`~automl.ensembles._data.EnsembleData`), and each candidate builds
the metrics package's own scoring state and calls the metric's registered ``compute``, so the
value is the one ``compute_metrics`` gives (the tests check this for every metric).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from automl.metrics import METRICS
from automl.metrics._classification import ClassificationScoring
from automl.metrics._regression import RegressionScoring
from automl.metrics._spec import Scoring, UndefinedMetricError

__all__ = ["Scorer"]

FloatArray = NDArray[np.float64]
_FAST_AUC = frozenset({"AUC_binary", "AUC_macro", "AUC_weighted"})


class Scorer:
    """The value of one metric for predictions laid out as in ``EnsembleData``.

    Args:
        task: The task (``"forecasting"`` is scored with the regression metrics).
        metric: The metric name.
        y: Class indices (classification) or true values, in internal row order.
        weight: Row weights in the same order, or None.
        classes: The class labels (classification), else None.
        positive: Index of the positive class of the ``*_binary`` metrics, or None.
        y_range: ``(y_min, y_max)`` for the normalized regression metrics.
        fold_bounds: ``(start, end)`` of each fold's rows; with more than one fold the value
            is the mean of the per-fold values, NaN folds left out (Azure's CV rule).
    """

    def __init__(
        self,
        *,
        task: str,
        metric: str,
        y: NDArray[Any],
        weight: FloatArray | None,
        classes: NDArray[Any] | None,
        positive: int | None,
        y_range: tuple[float, float],
        fold_bounds: tuple[tuple[int, int], ...],
    ) -> None:
        self.task = task
        self.spec = METRICS[metric]
        self.y = y
        self.weight = weight
        self.classes = classes
        self.positive = positive
        self.y_range = y_range
        self.fold_bounds = fold_bounds

    def value(self, prediction: FloatArray, rows: NDArray[np.intp] | None = None) -> float:
        """The metric value of ``prediction``, or NaN when the metric is undefined.

        Args:
            prediction: ``(n_classes, n_rows)`` averaged probabilities, or ``(n_rows,)``.
            rows: Score only these internal rows, as one group (folds ignored).
        """
        if rows is not None:
            return self._one(_columns(prediction, rows), rows)
        if len(self.fold_bounds) == 1:
            return self._one(prediction, None)
        values = [
            self._one(_columns(prediction, slice(start, end)), slice(start, end))
            for start, end in self.fold_bounds
        ]
        finite = [v for v in values if not math.isnan(v)]
        return float(np.mean(finite)) if finite else math.nan

    def _one(self, prediction: FloatArray, rows: NDArray[np.intp] | slice | None) -> float:
        if rows is None:
            y, weight = self.y, self.weight
        else:
            y = self.y[rows]
            weight = None if self.weight is None else self.weight[rows]
        if weight is not None and weight.sum() <= 0:
            return math.nan
        if self.spec.name in _FAST_AUC:
            return self._auc(prediction, y, weight)
        scoring: Scoring
        if self.classes is not None:
            # Probability metrics read no predicted labels: skip the argmax for them.
            predicted = y if self.spec.needs_proba else np.argmax(prediction, axis=0)
            scoring = ClassificationScoring(
                y, predicted, prediction.T, weight, self.classes, self.positive
            )
        else:
            scoring = RegressionScoring(y, prediction, weight, *self.y_range)
        scoring.current = self.spec.name
        try:
            with (
                np.errstate(divide="ignore", invalid="ignore", over="ignore"),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore", RuntimeWarning)
                return float(self.spec.compute(scoring))
        except UndefinedMetricError:
            return math.nan

    def _auc(self, prediction: FloatArray, y: NDArray[Any], weight: FloatArray | None) -> float:
        """AUC_binary, AUC_macro or AUC_weighted by the metrics package's definitions.

        The one-vs-rest AUCs dominate a multiclass selection (a sort per class and
        candidate); :func:`_ovr_auc` computes each in about half the time of the general
        ranking curve. The tests check the values against ``compute_metrics``.
        """
        if self.spec.name == "AUC_binary":
            if self.positive is None:
                return math.nan
            return _ovr_auc(prediction[self.positive], y == self.positive, weight)
        n_classes = prediction.shape[0]
        counts = np.bincount(y, minlength=n_classes)
        present = np.flatnonzero(counts)  # Azure averages over the classes in y_true
        if present.size < 2:
            return math.nan
        values = np.array([_ovr_auc(prediction[c], y == c, weight) for c in present])
        usable = ~np.isnan(values)
        if not usable.any():
            return math.nan
        if self.spec.name == "AUC_macro":
            return float(np.mean(values[usable]))
        per_class = (
            counts if weight is None else np.bincount(y, weights=weight, minlength=n_classes)
        )
        support = np.asarray(per_class[present], dtype=np.float64)
        return float(np.sum(values[usable] * support[usable]) / support[usable].sum())


def _ovr_auc(score: FloatArray, positive: NDArray[np.bool_], weight: FloatArray | None) -> float:
    """ROC AUC of one class against the rest: the (weighted) Mann-Whitney statistic.

    Equal to the trapezoidal area of the ROC curve with tied scores as one threshold (a
    tied positive-negative pair counts one half); NaN when a side has no weight.
    """
    order = np.argsort(score)
    ranked = score[order]
    hits = positive[order]
    distinct = ranked[1:] != ranked[:-1]
    if weight is None and bool(distinct.all()):
        n_pos = int(np.count_nonzero(hits))
        n_neg = hits.size - n_pos
        if n_pos == 0 or n_neg == 0:
            return math.nan
        rank_sum = float(np.flatnonzero(hits).sum()) + n_pos  # ranks from 1, no ties
        return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
    row_weight = np.ones(hits.size) if weight is None else weight[order]
    positive_weight = np.where(hits, row_weight, 0.0)
    starts = np.flatnonzero(np.concatenate(([True], distinct)))
    positives = np.add.reduceat(positive_weight, starts)
    negatives = np.add.reduceat(row_weight - positive_weight, starts)
    total_pos, total_neg = float(positives.sum()), float(negatives.sum())
    if total_pos <= 0 or total_neg <= 0:
        return math.nan
    below = np.cumsum(negatives) - negatives
    return float(np.sum(positives * (below + 0.5 * negatives)) / (total_pos * total_neg))


def _columns(prediction: FloatArray, rows: NDArray[np.intp] | slice) -> FloatArray:
    """The given rows of a prediction in internal layout (rows are the last axis)."""
    if prediction.ndim == 1:
        return prediction[rows]
    return np.ascontiguousarray(prediction[:, rows])
