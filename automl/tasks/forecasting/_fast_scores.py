"""Fast scoring of stacked forecasts for ensemble selection, checked against the exact scorer.

Greedy selection scores hundreds of candidate ensembles on the same origins, series and
actuals. :func:`forecasting.forecast_metrics` re-reads the training panel on every call (each
series' range and MASE scale), which dominates on large panels (75 ms for 400 series x 48
periods with 700 training rows each). :class:`FastScorer` computes what depends only on the
origins once, and then each candidate's primary metric with a few per-series sums in numpy, by
the definitions of :mod:`forecasting._metrics` (each metric per series, averaged over the
series where it is defined; the weighted quantile loss pooled; then the mean over origins):

- ``mean_absolute_error``, ``root_mean_squared_error``, their normalized forms (each series'
  target range over its training and scored actuals; an empty range scores 0 if exact else 1;
  clipped at 1), ``symmetric_mean_absolute_percentage_error``,
  ``mean_absolute_percentage_error`` (actuals close to 0 left out), and
  ``weighted_quantile_loss``;
- ``mean_absolute_scaled_error`` with each series' scale read from the exact scorer itself
  (its per-series MAE over its MASE on a probe forecast), so the scale's fallbacks are its own.

``r2_score`` and ``spearman_correlation`` are not computed here (their pooled fallbacks need the
exact scorer). :func:`checked_fast_scorer` returns a fast scorer only when it agrees with the
exact one on the given candidates (relative 1e-9), else None: the caller then scores exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

    from automl.tasks.forecasting._ensemble import StackedForecasts
    from automl.tasks.forecasting._folds import FoldData, ForecastPlan

__all__ = ["SUPPORTED", "FastScorer", "checked_fast_scorer"]

FloatArray = NDArray[np.float64]
SUPPORTED = frozenset(
    {
        "mean_absolute_error",
        "root_mean_squared_error",
        "normalized_mean_absolute_error",
        "normalized_root_mean_squared_error",
        "mean_absolute_scaled_error",
        "symmetric_mean_absolute_percentage_error",
        "mean_absolute_percentage_error",
        "weighted_quantile_loss",
    }
)
"""The primary metrics :class:`FastScorer` computes."""
_TOLERANCE = 1e-9


class _Origin:
    """What one origin's scores need besides the forecast (computed once)."""

    def __init__(
        self, data: FoldData, keys: pd.DataFrame, start: int, end: int, plan: ForecastPlan
    ) -> None:
        import pandas as pd

        from forecasting import score_forecast

        self.start, self.end = start, end
        rows = keys.iloc[start:end][["unique_id", "ds"]]
        actual = rows.merge(data.actual, on=["unique_id", "ds"], how="left")
        self.y: FloatArray = actual["y"].to_numpy(dtype=np.float64)
        codes, series = pd.factorize(actual["unique_id"], sort=True)
        self.codes = codes.astype(np.int64)
        self.n = len(series)
        self.count = self.sum(np.ones_like(self.y))
        train = data.train.loc[data.train["unique_id"].isin(series)]
        grouped = train.groupby("unique_id", sort=True)["y"]
        low = grouped.min().reindex(series).to_numpy(np.float64)
        high = grouped.max().reindex(series).to_numpy(np.float64)
        y_low = np.full(self.n, np.inf)
        y_high = np.full(self.n, -np.inf)
        np.minimum.at(y_low, self.codes, self.y)
        np.maximum.at(y_high, self.codes, self.y)
        self.spread = np.fmax(high, y_high) - np.fmin(low, y_low)
        self.usable = ~np.isclose(self.y, 0.0)
        self.used = self.sum(self.usable.astype(np.float64))
        self.abs_y = self.sum(np.abs(self.y))
        self.scale = np.ones(self.n)
        if plan.primary_metric == "mean_absolute_scaled_error":
            probe = actual[["unique_id", "ds"]].assign(yhat=self.y + 1.0)
            table = score_forecast(
                data.actual, probe, data.train, seasonality=plan.seasonality,
                metrics=["mean_absolute_error", "mean_absolute_scaled_error"],
            ).per_series.reindex(series)  # fmt: skip
            self.scale = table["mean_absolute_error"].to_numpy(np.float64) / table[
                "mean_absolute_scaled_error"
            ].to_numpy(np.float64)

    def sum(self, values: FloatArray) -> FloatArray:
        return np.bincount(self.codes, weights=values, minlength=self.n).astype(np.float64)


class FastScorer:
    """The primary metric of a stacked forecast (see the module docstring).

    Args:
        folds: The cached folds (origin order).
        stacked: The stacked forecasts' layout.
        plan: The experiment's plan (metric, quantiles, seasonality).

    Raises:
        ValueError: A primary metric outside :data:`SUPPORTED`.
    """

    def __init__(
        self, folds: Sequence[FoldData], stacked: StackedForecasts, plan: ForecastPlan
    ) -> None:
        if plan.primary_metric not in SUPPORTED:
            raise ValueError(
                f"`primary_metric` must be one of {', '.join(sorted(SUPPORTED))} for fast "
                f"scoring, got {plan.primary_metric!r}"
            )
        self.metric = plan.primary_metric
        self.quantiles = tuple(plan.quantiles)
        self.origins = [
            _Origin(data, stacked.keys, start, end, plan)
            for data, (start, end) in zip(folds, stacked.bounds, strict=True)
        ]

    def __call__(self, values: FloatArray) -> float:
        """The mean over origins of the metric (NaN where undefined on every origin)."""
        scores = [self._origin(o, values[o.start : o.end]) for o in self.origins]
        finite = [score for score in scores if not math.isnan(score)]
        return float(np.mean(finite)) if finite else math.nan

    def _origin(self, origin: _Origin, values: FloatArray) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.metric == "weighted_quantile_loss":
                return self._wql(origin, values)
            per_series = self._per_series(origin, values[:, 0])
        defined = np.isfinite(per_series)
        return float(per_series[defined].mean()) if defined.any() else math.nan

    def _per_series(self, origin: _Origin, yhat: FloatArray) -> FloatArray:
        error = origin.y - yhat
        metric = self.metric
        if metric in ("mean_absolute_error", "normalized_mean_absolute_error"):
            base = origin.sum(np.abs(error)) / origin.count
        elif metric in ("root_mean_squared_error", "normalized_root_mean_squared_error"):
            base = np.sqrt(origin.sum(error**2) / origin.count)
        elif metric == "mean_absolute_scaled_error":
            result: FloatArray = origin.sum(np.abs(error)) / origin.count / origin.scale
            return result
        elif metric == "symmetric_mean_absolute_percentage_error":
            denominator = np.abs(origin.y) + np.abs(yhat)
            terms = np.where(denominator == 0, 0.0, 2.0 * np.abs(error) / denominator)
            result = 100.0 * origin.sum(terms) / origin.count
            return result
        else:  # mean_absolute_percentage_error
            terms = np.where(origin.usable, np.abs(error / origin.y), 0.0)
            result = np.where(origin.used > 0, 100.0 * origin.sum(terms) / origin.used, np.nan)
            return result
        if not metric.startswith("normalized_"):
            return base
        empty = origin.spread == 0
        value = np.where(empty, np.where(base == 0, 0.0, 1.0), base / origin.spread)
        clipped: FloatArray = np.minimum(value, 1.0)
        return clipped

    def _wql(self, origin: _Origin, values: FloatArray) -> float:
        total = float(origin.abs_y.sum())
        if total == 0:
            return math.nan
        pooled = []
        for k, q in enumerate(self.quantiles, start=1):
            diff = origin.y - values[:, k]
            pooled.append(float((2.0 * origin.sum(np.maximum(q * diff, (q - 1.0) * diff))).sum()))
        return float(np.mean(pooled) / total)


def checked_fast_scorer(
    folds: Sequence[FoldData],
    stacked: StackedForecasts,
    plan: ForecastPlan,
    exact: Callable[[FloatArray], float],
    checks: int = 3,
) -> FastScorer | None:
    """A :class:`FastScorer` when the primary metric is supported and it gives the exact
    scorer's values on the first ``checks`` candidates; else None."""
    if plan.primary_metric not in SUPPORTED or not stacked.arrays:
        return None
    fast = FastScorer(folds, stacked, plan)
    for values in stacked.arrays[:checks]:
        mine, theirs = fast(values), exact(values)
        if math.isnan(mine) and math.isnan(theirs):
            continue
        if not abs(mine - theirs) <= _TOLERANCE * max(1.0, abs(theirs)):
            return None
    return fast
