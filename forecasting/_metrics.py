"""Forecasting metrics: Azure's forecasting set, plus MASE, sMAPE, MAPE and weighted quantile loss.

Every metric except the weighted quantile loss is computed **per series** and then averaged
with an unweighted mean over the series where it is defined (series where it is undefined are
left out and the reason is kept in :attr:`ForecastScores.notes`). The weighted quantile loss is
the standard pooled ratio (its weights are the series' scales), see below.

Definitions, with ``e = y - yhat`` over the ``n`` scored rows of one series:

* ``mean_absolute_error``: ``mean|e|``; ``root_mean_squared_error``: ``sqrt(mean e^2)``.
* ``normalized_mean_absolute_error`` / ``normalized_root_mean_squared_error``: the error above
  divided by the series' target range ``max(y) - min(y)`` over its **training and scored
  actuals together**, clipped to ``[0, 1]``; an empty range scores 0 when every prediction is
  exact, else 1. This is Azure's rule: ``compute_normalized_metrics_forecasting_by_grain`` in
  ``azureml.automl.runtime.shared.metrics_utilities`` takes each grain's min and max over
  ``concat(y_train, y_valid)``, scores the grain with the regression scorer (which divides by
  the range and clips to 1) and averages over grains.
* ``r2_score``: ``1 - sum e^2 / sum (y - mean y)^2`` clipped below at -1 (Azure's range
  ``[-1, 1]``); undefined for a series with fewer than two rows or constant actuals.
* ``spearman_correlation``: Pearson correlation of the average ranks of ``y`` and ``yhat``;
  undefined for a series with fewer than two rows or a constant ``y`` or ``yhat``.
  Where r2 or Spearman is undefined for **every** series (a horizon of one, say), the value
  pooled over all rows is returned instead, with Azure's guards (r2: 1 if exact else 0 for a
  single row or constant actuals; Spearman: -1 for a constant input), and a note says so.
  Azure itself scores r2, Spearman, MAE and RMSE pooled over all rows of all series; we average
  per series instead, so that every series counts the same whatever its scale.
* ``mean_absolute_scaled_error`` (M4, Hyndman & Koehler 2006): ``mean|e| / s`` with ``s`` the
  in-sample mean absolute error of the seasonal naive forecast on the training series,
  ``s = mean_{t > m} |y_t - y_{t-m}|`` (``m = seasonality``), as in the M4 competition's
  ``mase(insample, y_test, y_hat_test, freq)``. Fallbacks (each noted; M4 has no such series):
  a training series of ``m`` rows or fewer, or one whose seasonal scale is 0 (an exactly
  periodic series), uses the lag-1 naive scale; a constant training series uses
  ``mean|y_train|``; an all-zero training series uses 1 (the MAE itself). So MASE is never
  infinite, and every model is scored on the same scale for a given training series.
* ``symmetric_mean_absolute_percentage_error`` (M4): ``200 / n * sum |e| / (|y| + |yhat|)``, in
  percent, in ``[0, 200]``; a row where ``y = yhat = 0`` contributes 0 (M4's formula gives
  0/0 there).
* ``mean_absolute_percentage_error`` (Azure): ``100 * mean |e / y|`` over the rows whose actual
  is not close to zero (``numpy.isclose(y, 0)``); undefined for a series whose actuals are all
  (close to) zero.
* ``weighted_quantile_loss``: for each quantile ``q``,
  ``wQL_q = 2 * sum_{i,t} rho_q(y, yhat_q) / sum_{i,t} |y|`` with the pinball loss
  ``rho_q(y, p) = max(q * (y - p), (q - 1) * (y - p))``, sums over every scored row of every
  series; the metric is the mean of ``wQL_q`` over the quantiles (the definition of GluonTS's
  and AutoGluon-TimeSeries' ``WQL``). The per-series table holds the same ratio per series.

Rows whose actual ``y`` is NaN are not scored (a note counts them); NaN values in the training
target are skipped when computing scales and ranges. A NaN forecast for a scored row is an
error: a model that cannot forecast a period should fail, not score.

Example:
    >>> import pandas as pd
    >>> train = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4),
    ...                       "y": [1.0, 2.0, 3.0, 4.0]})
    >>> actual = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-05", periods=2),
    ...                        "y": [5.0, 6.0]})
    >>> forecast = actual.rename(columns={"y": "yhat"}).assign(yhat=[5.0, 5.0])
    >>> scores = forecast_metrics(actual, forecast, train, seasonality=1,
    ...                           metrics=["mean_absolute_scaled_error", "mean_absolute_error"])
    >>> scores
    {'mean_absolute_scaled_error': 0.5, 'mean_absolute_error': 0.5}
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError
from forecasting._frame_checks import require_columns
from forecasting._metric_names import (
    FORECAST_METRICS,
    METRIC_ALIASES,
    METRIC_GOALS,
    quantile_column,
    resolve_metrics,
)
from forecasting._metric_scorer import Scorer

__all__ = [
    "FORECAST_METRICS",
    "METRIC_ALIASES",
    "METRIC_GOALS",
    "ForecastScores",
    "forecast_metrics",
    "owa",
    "quantile_column",
    "score_forecast",
]

FloatArray = NDArray[np.float64]

ID, TIME, TARGET, PREDICTION = "unique_id", "ds", "y", "yhat"


@dataclass(frozen=True)
class ForecastScores:
    """What :func:`score_forecast` returns.

    Attributes:
        values: Metric name -> value averaged over series (NaN where undefined everywhere).
        per_series: One row per scored series (index ``unique_id``), one column per metric,
            NaN where the metric is undefined for that series.
        notes: Metric name -> what was left out, clipped or replaced by a fallback; the key
            ``"actual"`` counts actual rows not scored (NaN target).
    """

    values: dict[str, float]
    per_series: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)


def owa(mase: float, smape: float, naive2_mase: float, naive2_smape: float) -> float:
    """M4's Overall Weighted Average: ``(sMAPE / sMAPE_naive2 + MASE / MASE_naive2) / 2``.

    All four arguments are the metric averaged over the whole data set (M4 computes OWA from
    the mean sMAPE and mean MASE, not per series). Below 1 means better than Naive2.

    Example:
        >>> owa(mase=0.8, smape=12.0, naive2_mase=1.0, naive2_smape=16.0)
        0.775
    """
    values = {
        "mase": mase,
        "smape": smape,
        "naive2_mase": naive2_mase,
        "naive2_smape": naive2_smape,
    }
    for name, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise ForecastingError(f"`{name}` must be a finite number >= 0, got {value!r}")
    for name in ("naive2_mase", "naive2_smape"):
        if values[name] == 0:
            raise ForecastingError(f"`{name}` must be > 0 (it divides), got {values[name]!r}")
    return 0.5 * (smape / naive2_smape + mase / naive2_mase)


def forecast_metrics(
    actual: pd.DataFrame,
    forecast: pd.DataFrame,
    train: pd.DataFrame,
    *,
    seasonality: int,
    quantiles: Sequence[float] | None = None,
    metrics: Sequence[str] | None = None,
) -> dict[str, float]:
    """Score a forecast; each metric averaged over series (see the module docstring).

    Args:
        actual: The true values: columns ``unique_id``, ``ds``, ``y``.
        forecast: The forecasts: ``unique_id``, ``ds``, ``yhat`` and, when ``quantiles`` is
            given, one column per quantile named by :func:`quantile_column` (``"q0.1"``).
            Rows with no actual are ignored; an actual with no forecast is an error.
        train: The training panel the forecast was made from (``unique_id``, ``ds``, ``y``):
            it gives MASE's scale and, with ``actual``, the normalization range.
        seasonality: The seasonal period ``m`` of MASE's seasonal naive scale (1: no season).
        quantiles: The quantiles scored by the weighted quantile loss, or None.
        metrics: Names from :data:`FORECAST_METRICS` (or :data:`METRIC_ALIASES`); None means
            all of them, the weighted quantile loss only when ``quantiles`` is given.

    Returns:
        Metric name -> value, in the order asked for.

    Raises:
        ForecastingError: A missing column, an unknown metric, duplicate rows, an actual without a
            forecast, a NaN forecast, a series missing from ``train``, a bad ``seasonality``
            or ``quantiles``.
    """
    return score_forecast(
        actual, forecast, train, seasonality=seasonality, quantiles=quantiles, metrics=metrics
    ).values


def score_forecast(
    actual: pd.DataFrame,
    forecast: pd.DataFrame,
    train: pd.DataFrame,
    *,
    seasonality: int,
    quantiles: Sequence[float] | None = None,
    metrics: Sequence[str] | None = None,
) -> ForecastScores:
    """Like :func:`forecast_metrics`, with the per-series values and the notes."""
    names = resolve_metrics(metrics, quantiles)
    qs = _check_quantiles(quantiles, forecast)
    if isinstance(seasonality, bool) or not isinstance(seasonality, (int, np.integer)):
        raise ForecastingError(f"`seasonality` must be an int >= 1, got {seasonality!r}")
    if seasonality < 1:
        raise ForecastingError(f"`seasonality` must be an int >= 1, got {seasonality!r}")
    rows, notes = _aligned_rows(actual, forecast, qs)
    scorer = Scorer(rows, train, int(seasonality), qs, notes)
    values: dict[str, float] = {}
    per_series: dict[str, FloatArray] = {}
    for name in names:
        per_series[name], values[name] = scorer.score(name)
    table = pd.DataFrame(per_series, index=pd.Index(scorer.series, name=ID))
    return ForecastScores(values=values, per_series=table, notes=dict(scorer.notes))


def _check_quantiles(quantiles: Sequence[float] | None, forecast: pd.DataFrame) -> list[float]:
    if quantiles is None:
        return []
    qs = [float(q) for q in quantiles]
    if not qs:
        raise ForecastingError("`quantiles` must hold at least one quantile or be None, got []")
    for q in qs:
        if not 0.0 < q < 1.0:
            raise ForecastingError(f"`quantiles` must lie strictly between 0 and 1, got {q!r}")
        if quantile_column(q) not in forecast.columns:
            raise ForecastingError(
                f"`forecast` must have a column {quantile_column(q)!r} for quantile {q!r}; "
                f"its columns are {list(map(str, forecast.columns))}"
            )
    return qs


def _aligned_rows(
    actual: pd.DataFrame, forecast: pd.DataFrame, qs: list[float]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Actual rows joined with their forecast, sorted by series and time; NaN actuals dropped."""
    require_columns(actual, "actual", (ID, TIME, TARGET))
    pred_cols = [PREDICTION, *map(quantile_column, qs)]
    require_columns(forecast, "forecast", (ID, TIME, *pred_cols))
    notes: dict[str, str] = {}
    left = actual[[ID, TIME, TARGET]]
    right = forecast[[ID, TIME, *pred_cols]]
    for frame, argument in ((left, "actual"), (right, "forecast")):
        duplicated = frame.duplicated([ID, TIME])
        if duplicated.any():
            first = frame.loc[duplicated.to_numpy()].iloc[0]
            raise ForecastingError(
                f"`{argument}` must hold one row per (unique_id, ds), got {int(duplicated.sum())} "
                f"duplicates, e.g. ({first[ID]!r}, {first[TIME]})"
            )
    unscored = left[TARGET].isna().to_numpy()
    if unscored.any():
        notes["actual"] = f"{int(unscored.sum())} actual rows with a NaN target were not scored."
        left = left.loc[~unscored]
    if left.empty:
        raise ForecastingError("`actual` must hold at least one row with a target value, got none")
    rows = left.merge(right, on=[ID, TIME], how="left", indicator=True)
    unmatched = (rows["_merge"] == "left_only").to_numpy()
    if unmatched.any():
        first = rows.loc[unmatched].iloc[0]
        raise ForecastingError(
            f"`forecast` must have a row for every actual row; {int(unmatched.sum())} are "
            f"missing, e.g. ({first[ID]!r}, {first[TIME]})"
        )
    for column in pred_cols:
        bad = ~np.isfinite(rows[column].to_numpy(dtype=np.float64))
        if bad.any():
            first = rows.loc[bad].iloc[0]
            raise ForecastingError(
                f"`forecast` column {column!r} must be finite where an actual exists; "
                f"{int(bad.sum())} rows are NaN or infinite, e.g. ({first[ID]!r}, {first[TIME]})"
            )
    rows = rows.drop(columns="_merge").sort_values([ID, TIME], kind="stable")
    return rows.reset_index(drop=True), notes
