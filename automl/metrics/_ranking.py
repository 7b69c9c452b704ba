"""Ranking curves from one sort: ROC AUC and average precision, with weights and ties.

The same definitions as scikit-learn's ``roc_auc_score`` (trapezoidal area under the ROC
curve, ties between scores counted as one threshold) and ``average_precision_score``
(``AP = sum_n (R_n - R_{n-1}) P_n`` over the distinct thresholds, no interpolation), computed
from one ``argsort`` per column so that AUC and AP of a class share the sort.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["Curve", "average_precision", "binary_curve", "roc_auc"]

FloatArray = NDArray[np.float64]
Curve = tuple[FloatArray, FloatArray]
"""Cumulative (false positives, true positives) at each distinct threshold, high to low."""


def binary_curve(
    positive: NDArray[np.bool_], score: FloatArray, weight: FloatArray | None
) -> Curve:
    """Cumulative weighted false and true positives at every distinct score, descending.

    Args:
        positive: Whether each row belongs to the positive class.
        score: The score of each row (higher means more likely positive).
        weight: Row weights, or None for weight one.

    Returns:
        ``(fps, tps)``: at threshold ``i`` (the i-th largest distinct score), the weight of
        the negative and positive rows scored at or above it.
    """
    order = np.argsort(score)[::-1]
    ranked = score[order]
    hits = positive[order]
    if weight is None:
        tps = np.cumsum(hits, dtype=np.float64)
        fps = np.arange(1, hits.size + 1, dtype=np.float64) - tps
    else:
        ranked_weight = weight[order]
        tps = np.cumsum(np.where(hits, ranked_weight, 0.0))
        fps = np.cumsum(np.where(hits, 0.0, ranked_weight))
    last_of_tie = np.flatnonzero(ranked[1:] != ranked[:-1])
    ends = np.append(last_of_tie, hits.size - 1)
    return fps[ends], tps[ends]


def roc_auc(curve: Curve) -> float:
    """Area under the ROC curve, or NaN when the rows hold one class only (by weight)."""
    fps, tps = curve
    if fps.size == 0 or fps[-1] <= 0 or tps[-1] <= 0:
        return float("nan")
    fpr = np.concatenate(([0.0], fps / fps[-1]))
    tpr = np.concatenate(([0.0], tps / tps[-1]))
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2.0)


def average_precision(curve: Curve) -> float:
    """Average precision (scikit-learn's step-wise definition), NaN with no positive row."""
    fps, tps = curve
    if tps.size == 0 or tps[-1] <= 0:
        return float("nan")
    predicted = tps + fps
    precision = np.zeros_like(tps)
    np.divide(tps, predicted, out=precision, where=predicted != 0)
    recall = tps / tps[-1]
    gains = np.diff(np.concatenate(([0.0], recall)))
    return float(np.sum(gains * precision))
