"""Regression metrics of Azure Automated ML (also used to score forecasts).

Definitions follow ``azureml.training.tabular.score._regression``: scikit-learn's formulas
with Azure's guards (R² clipped to [-1, 1], normalized errors divided by the target range and
clipped to [0, 1], RMSLE undefined with negative values, MAPE in percent over the rows whose
true value is not close to zero, Spearman at its worst value for constant inputs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from automl.metrics._spec import MetricSpec, Scoring, UndefinedMetricError

__all__ = ["REGRESSION_SPECS", "RegressionScoring"]

FloatArray = NDArray[np.float64]


class RegressionScoring(Scoring):
    """True and predicted values of one scoring call, with cached shared pieces.

    Args:
        y_true: True target values.
        y_pred: Predicted values.
        weight: Row weights (positive total), or None.
        y_min: Lower end of the target range used by the normalized metrics.
        y_max: Upper end of that range.
    """

    def __init__(
        self,
        y_true: FloatArray,
        y_pred: FloatArray,
        weight: FloatArray | None,
        y_min: float,
        y_max: float,
    ) -> None:
        super().__init__()
        self.y_true = y_true
        self.y_pred = y_pred
        self.weight = weight
        self.y_min = y_min
        self.y_max = y_max

    @cached_property
    def residual(self) -> FloatArray:
        """``y_true - y_pred``."""
        return self.y_true - self.y_pred

    @cached_property
    def abs_error(self) -> FloatArray:
        """``|y_true - y_pred|``."""
        return np.abs(self.residual)

    def mean(self, values: FloatArray) -> float:
        """Weighted mean of ``values``."""
        return float(np.average(values, weights=self.weight))

    @cached_property
    def has_negatives(self) -> bool:
        """Whether ``y_true`` or ``y_pred`` holds a negative value (no logarithm then)."""
        return bool((self.y_true < 0).any() or (self.y_pred < 0).any())


Compute: TypeAlias = Callable[[RegressionScoring], float]


def explained_variance(case: RegressionScoring) -> float:
    """scikit-learn's explained variance (1 or 0 when ``y_true`` is constant)."""
    spread = case.mean((case.y_true - case.mean(case.y_true)) ** 2)
    unexplained = case.mean((case.residual - case.mean(case.residual)) ** 2)
    if spread == 0:
        return 1.0 if unexplained == 0 else 0.0
    return 1.0 - unexplained / spread


def r2_score(case: RegressionScoring) -> float:
    """R², clipped to [-1, 1] as Azure does; a single row scores 1 if exact else 0."""
    if case.y_true.size == 1:
        return 1.0 if case.y_true[0] == case.y_pred[0] else 0.0
    total = case.mean((case.y_true - case.mean(case.y_true)) ** 2)
    residual = case.mean(case.residual**2)
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    value = 1.0 - residual / total
    if value < -1.0:
        case.note(f"R² of {value:.6g} clipped to -1 (Azure's range).")
        return -1.0
    return value


def _average_ranks(values: FloatArray) -> FloatArray:
    """Ranks from 1, ties sharing their average rank (scipy's ``rankdata`` default)."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts).astype(np.float64)
    return (ends - (counts - 1) / 2.0)[inverse]


def spearman_correlation(case: RegressionScoring) -> float:
    """Spearman's rank correlation; -1 (Azure's worst value) when an input is constant."""
    for values, what in ((case.y_true, "y_true"), (case.y_pred, "y_pred")):
        if values.size < 2 or bool(np.all(values == values[0])):
            case.note(f"{what} is constant: scored -1, the worst value (as Azure does).")
            return -1.0
    true_ranks = _average_ranks(case.y_true)
    pred_ranks = _average_ranks(case.y_pred)
    true_ranks -= true_ranks.mean()
    pred_ranks -= pred_ranks.mean()
    denominator = math.sqrt(float(true_ranks @ true_ranks) * float(pred_ranks @ pred_ranks))
    return float(np.clip(float(true_ranks @ pred_ranks) / denominator, -1.0, 1.0))


def mean_absolute_error(case: RegressionScoring) -> float:
    """Weighted mean of ``|y_true - y_pred|``."""
    return case.mean(case.abs_error)


def median_absolute_error(case: RegressionScoring) -> float:
    """Median of ``|y_true - y_pred|`` (scikit-learn's weighted median with weights)."""
    if case.weight is None:
        return float(np.median(case.abs_error))
    from sklearn.metrics import median_absolute_error as weighted_median

    return float(weighted_median(case.y_true, case.y_pred, sample_weight=case.weight))


def root_mean_squared_error(case: RegressionScoring) -> float:
    """Square root of the weighted mean squared error."""
    return math.sqrt(case.mean(case.residual**2))


def root_mean_squared_log_error(case: RegressionScoring) -> float:
    """RMSE of ``log1p`` values; undefined (NaN) when any value is negative."""
    if case.has_negatives:
        raise UndefinedMetricError("undefined when y_true or y_pred holds negative values")
    return math.sqrt(case.mean((np.log1p(case.y_true) - np.log1p(case.y_pred)) ** 2))


def mean_absolute_percentage_error(case: RegressionScoring) -> float:
    """Azure's MAPE, in percent, over the rows whose true value is not close to zero."""
    usable = ~np.isclose(case.y_true, 0.0)
    if not usable.any():
        raise UndefinedMetricError("undefined: every true value is (close to) zero")
    if not usable.all():
        case.note(f"{int((~usable).sum())} rows with a true value close to zero left out.")
    errors = 100.0 * np.abs(case.residual[usable] / case.y_true[usable])
    weight = None if case.weight is None else case.weight[usable]
    if weight is not None and weight.sum() <= 0:
        raise UndefinedMetricError("undefined: the usable rows have zero total weight")
    return float(np.average(errors, weights=weight))


def _normalized(base: Compute, logarithmic: bool = False) -> Compute:
    """``base / (y_max - y_min)`` clipped to [0, 1], Azure's normalized error."""

    def compute(case: RegressionScoring) -> float:
        if logarithmic and case.has_negatives:
            raise UndefinedMetricError("undefined when y_true or y_pred holds negative values")
        if case.y_min == case.y_max:
            exact = bool(np.array_equal(case.y_true, case.y_pred))
            case.note(
                "The target range is empty (y_min == y_max): scored "
                f"{'0 (exact predictions)' if exact else '1, the worst value'}, as Azure does."
            )
            return 0.0 if exact else 1.0
        if logarithmic:
            if case.y_min <= -1.0:
                raise UndefinedMetricError("undefined when y_min <= -1 (no log1p)")
            spread = abs(math.log1p(case.y_max) - math.log1p(case.y_min))
        else:
            spread = abs(case.y_max - case.y_min)
        value = base(case) / spread
        if value > 1.0:
            case.note(f"{value:.6g} clipped to 1 (Azure caps normalized errors at 1).")
            return 1.0
        return value

    return compute


def _spec(
    name: str,
    description: str,
    compute: Compute,
    *,
    maximize: bool = False,
    weighted: bool = True,
    primary: bool = False,
    bounds: tuple[float, float] = (0.0, math.inf),
) -> MetricSpec:
    return MetricSpec(
        name=name,
        tasks=("regression", "forecasting"),
        goal="maximize" if maximize else "minimize",
        needs_proba=False,
        supports_sample_weight=weighted,
        uses_positive_label=False,
        azure_primary=primary,
        bounds=bounds,
        description=description,
        compute=compute,
    )


REGRESSION_SPECS: tuple[MetricSpec, ...] = (
    _spec("explained_variance", "Explained Variance", explained_variance, maximize=True,
          bounds=(-math.inf, 1.0)),
    _spec("r2_score", "R2 Score", r2_score, maximize=True, primary=True, bounds=(-1.0, 1.0)),
    _spec("spearman_correlation", "Spearman Correlation", spearman_correlation, maximize=True,
          weighted=False, primary=True, bounds=(-1.0, 1.0)),
    _spec("mean_absolute_error", "Mean Absolute Error", mean_absolute_error),
    _spec("median_absolute_error", "Median Absolute Error", median_absolute_error),
    _spec("root_mean_squared_error", "Root Mean Squared Error", root_mean_squared_error),
    _spec("root_mean_squared_log_error", "Root Mean Squared Log Error",
          root_mean_squared_log_error),
    _spec("mean_absolute_percentage_error", "Mean Absolute Percentage Error",
          mean_absolute_percentage_error),
    _spec("normalized_mean_absolute_error", "Normalized Mean Absolute Error",
          _normalized(mean_absolute_error), primary=True, bounds=(0.0, 1.0)),
    _spec("normalized_median_absolute_error", "Normalized Median Absolute Error",
          _normalized(median_absolute_error), bounds=(0.0, 1.0)),
    _spec("normalized_root_mean_squared_error", "Normalized Root Mean Squared Error",
          _normalized(root_mean_squared_error), primary=True, bounds=(0.0, 1.0)),
    _spec("normalized_root_mean_squared_log_error", "Normalized Root Mean Squared Log Error",
          _normalized(root_mean_squared_log_error, logarithmic=True), bounds=(0.0, 1.0)),
)  # fmt: skip
"""Azure's scalar regression metrics (``Metric.SCALAR_REGRESSION_SET``)."""
