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
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError, closest_hint
from forecasting._frame_checks import require_columns

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
IntArray = NDArray[np.int64]

ID, TIME, TARGET, PREDICTION = "unique_id", "ds", "y", "yhat"

NRMSE = "normalized_root_mean_squared_error"
NMAE = "normalized_mean_absolute_error"
R2 = "r2_score"
SPEARMAN = "spearman_correlation"
RMSE = "root_mean_squared_error"
MAE = "mean_absolute_error"
MASE = "mean_absolute_scaled_error"
SMAPE = "symmetric_mean_absolute_percentage_error"
MAPE = "mean_absolute_percentage_error"
WQL = "weighted_quantile_loss"

FORECAST_METRICS: tuple[str, ...] = (NRMSE, NMAE, R2, SPEARMAN, RMSE, MAE, MASE, SMAPE, MAPE, WQL)
"""Every metric :func:`forecast_metrics` knows, Azure's forecasting set first."""

METRIC_GOALS: dict[str, Literal["maximize", "minimize"]] = {
    name: ("maximize" if name in (R2, SPEARMAN) else "minimize") for name in FORECAST_METRICS
}
"""Whether a higher (``"maximize"``) or lower (``"minimize"``) value is better, per metric."""

METRIC_ALIASES: dict[str, str] = {
    "nrmse": NRMSE,
    "nmae": NMAE,
    "r2": R2,
    "spearman": SPEARMAN,
    "rmse": RMSE,
    "mae": MAE,
    "mase": MASE,
    "smape": SMAPE,
    "mape": MAPE,
    "wql": WQL,
}
"""Short names accepted in ``metrics=``; results are always keyed by the full name."""


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


def quantile_column(q: float) -> str:
    """The forecast column holding quantile ``q``: ``"q"`` + the shortest repr of ``q``.

    Example:
        >>> quantile_column(0.1), quantile_column(0.5), quantile_column(0.025)
        ('q0.1', 'q0.5', 'q0.025')
    """
    return f"q{float(q):g}"


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
    names = _resolve_metrics(metrics, quantiles)
    qs = _check_quantiles(quantiles, forecast)
    if isinstance(seasonality, bool) or not isinstance(seasonality, (int, np.integer)):
        raise ForecastingError(f"`seasonality` must be an int >= 1, got {seasonality!r}")
    if seasonality < 1:
        raise ForecastingError(f"`seasonality` must be an int >= 1, got {seasonality!r}")
    rows, notes = _aligned_rows(actual, forecast, qs)
    scorer = _Scorer(rows, train, int(seasonality), qs, notes)
    values: dict[str, float] = {}
    per_series: dict[str, FloatArray] = {}
    for name in names:
        per_series[name], values[name] = scorer.score(name)
    table = pd.DataFrame(per_series, index=pd.Index(scorer.series, name=ID))
    return ForecastScores(values=values, per_series=table, notes=dict(scorer.notes))


def _resolve_metrics(metrics: Sequence[str] | None, quantiles: Sequence[float] | None) -> list[str]:
    if metrics is None:
        return [name for name in FORECAST_METRICS if name != WQL or quantiles is not None]
    if isinstance(metrics, str):
        raise ForecastingError(f"`metrics` must be a sequence of metric names, got {metrics!r}")
    names: list[str] = []
    for name in metrics:
        full = METRIC_ALIASES.get(name, name)
        if full not in METRIC_GOALS:
            valid = ", ".join(repr(n) for n in (*FORECAST_METRICS, *METRIC_ALIASES))
            hint = closest_hint(str(name), [*FORECAST_METRICS, *METRIC_ALIASES])
            raise ForecastingError(f"`metrics` must hold names among {valid}, got {name!r}{hint}")
        if full == WQL and quantiles is None:
            raise ForecastingError(
                f"`quantiles` must be given to score {WQL!r}, got None "
                "(pass the quantiles of the forecast's quantile columns)"
            )
        if full not in names:
            names.append(full)
    return names


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


class _Scorer:
    """Per-series sums over the scored rows, shared by every metric of one call."""

    def __init__(
        self,
        rows: pd.DataFrame,
        train: pd.DataFrame,
        seasonality: int,
        qs: list[float],
        notes: dict[str, str],
    ) -> None:
        codes, uniques = pd.factorize(rows[ID], sort=True)
        self.series = np.asarray(uniques, dtype=object)
        self.codes: IntArray = codes.astype(np.int64)
        self.n_series = len(uniques)
        self.y: FloatArray = rows[TARGET].to_numpy(dtype=np.float64)
        self.yhat: FloatArray = rows[PREDICTION].to_numpy(dtype=np.float64)
        self.quantile_preds = {q: rows[quantile_column(q)].to_numpy(np.float64) for q in qs}
        self.rows = rows
        self.error = self.y - self.yhat
        self.count = self.sum(np.ones_like(self.y))
        self.notes = notes
        self.train_stats = _train_stats(train, self.series, seasonality)

    def sum(self, values: FloatArray) -> FloatArray:
        """Per-series sum of ``values`` (one value per scored row)."""
        return np.bincount(self.codes, weights=values, minlength=self.n_series).astype(np.float64)

    def note(self, name: str, text: str) -> None:
        previous = self.notes.get(name)
        self.notes[name] = f"{previous} {text}" if previous else text

    def score(self, name: str) -> tuple[FloatArray, float]:
        """Per-series values of metric ``name`` and their average (see the module docstring)."""
        if name == WQL:
            return self._weighted_quantile_loss()
        per_series = getattr(self, "_" + name)()
        defined = np.isfinite(per_series)
        if defined.all():
            return per_series, float(per_series.mean())
        undefined = int((~defined).sum())
        if defined.any():
            self.note(name, f"undefined for {undefined} of {self.n_series} series, left out.")
            return per_series, float(per_series[defined].mean())
        if name in (R2, SPEARMAN):
            self.note(name, "undefined for every series: pooled over all rows instead.")
            pooled = _pooled_r2(self.y, self.yhat) if name == R2 else _pooled_spearman(self)
            return per_series, pooled
        self.note(name, "undefined for every series.")
        return per_series, math.nan

    def _mean_absolute_error(self) -> FloatArray:
        return self.sum(np.abs(self.error)) / self.count

    def _root_mean_squared_error(self) -> FloatArray:
        return np.sqrt(self.sum(self.error**2) / self.count)

    def _normalized(self, name: str, base: FloatArray) -> FloatArray:
        low = np.fmin(self.train_stats.low, self.group_min(self.y))
        high = np.fmax(self.train_stats.high, self.group_max(self.y))
        spread = high - low
        empty = spread == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(empty, np.where(base == 0, 0.0, 1.0), base / spread)
        clipped = int((value > 1.0).sum())
        if empty.any():
            self.note(name, f"{int(empty.sum())} series with an empty target range scored 0 "
                            "if exact else 1 (Azure's rule).")  # fmt: skip
        if clipped:
            self.note(name, f"{clipped} series clipped to 1 (Azure caps normalized errors at 1).")
        return np.minimum(value, 1.0)

    def group_min(self, values: FloatArray) -> FloatArray:
        out = np.full(self.n_series, np.inf)
        np.minimum.at(out, self.codes, values)
        return out

    def group_max(self, values: FloatArray) -> FloatArray:
        out = np.full(self.n_series, -np.inf)
        np.maximum.at(out, self.codes, values)
        return out

    def _normalized_mean_absolute_error(self) -> FloatArray:
        return self._normalized(NMAE, self._mean_absolute_error())

    def _normalized_root_mean_squared_error(self) -> FloatArray:
        return self._normalized(NRMSE, self._root_mean_squared_error())

    def _r2_score(self) -> FloatArray:
        mean = self.sum(self.y) / self.count
        total = self.sum((self.y - mean[self.codes]) ** 2)
        residual = self.sum(self.error**2)
        defined = (self.count >= 2) & (total > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(defined, 1.0 - residual / total, np.nan)
        clipped = int((value < -1.0).sum())
        if clipped:
            self.note(R2, f"{clipped} series clipped to -1 (Azure's range).")
        return np.maximum(value, -1.0)

    def _spearman_correlation(self) -> FloatArray:
        ranks = self.rows.assign(_p=self.yhat).groupby(ID, sort=True)[[TARGET, "_p"]]
        ranked = ranks.rank(method="average")
        return _grouped_pearson(
            self, ranked[TARGET].to_numpy(np.float64), ranked["_p"].to_numpy(np.float64)
        )

    def _mean_absolute_scaled_error(self) -> FloatArray:
        scale, fallbacks = self.train_stats.mase_scale, self.train_stats.mase_fallbacks
        for text in fallbacks:
            self.note(MASE, text)
        result: FloatArray = self._mean_absolute_error() / scale
        return result

    def _symmetric_mean_absolute_percentage_error(self) -> FloatArray:
        denominator = np.abs(self.y) + np.abs(self.yhat)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(denominator == 0, 0.0, 2.0 * np.abs(self.error) / denominator)
        result: FloatArray = 100.0 * self.sum(terms) / self.count
        return result

    def _mean_absolute_percentage_error(self) -> FloatArray:
        usable = ~np.isclose(self.y, 0.0)
        if not usable.all():
            self.note(MAPE, f"{int((~usable).sum())} rows with an actual close to zero left out.")
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(usable, np.abs(self.error / self.y), 0.0)
            used = self.sum(usable.astype(np.float64))
            result: FloatArray = np.where(used > 0, 100.0 * self.sum(terms) / used, np.nan)
        return result

    def _weighted_quantile_loss(self) -> tuple[FloatArray, float]:
        scale = self.sum(np.abs(self.y))
        per_q, pooled = [], []
        for q, pred in self.quantile_preds.items():
            diff = self.y - pred
            loss = 2.0 * self.sum(np.maximum(q * diff, (q - 1.0) * diff))
            with np.errstate(divide="ignore", invalid="ignore"):
                per_q.append(np.where(scale > 0, loss / scale, np.nan))
            pooled.append(float(loss.sum()))
        per_series: FloatArray = np.mean(per_q, axis=0)
        total = float(scale.sum())
        if total == 0:
            self.note(WQL, "undefined: every actual is zero (sum |y| = 0).")
            return per_series, math.nan
        return per_series, float(np.mean(pooled) / total)


@dataclass(frozen=True)
class _TrainStats:
    """Per scored series: training min and max, and MASE's scale with the fallbacks used."""

    low: FloatArray
    high: FloatArray
    mase_scale: FloatArray
    mase_fallbacks: tuple[str, ...]


def _train_stats(train: pd.DataFrame, series: NDArray[np.object_], m: int) -> _TrainStats:
    require_columns(train, "train", (ID, TIME, TARGET))
    known = pd.Index(pd.unique(train[ID]))
    missing = [s for s in series if s not in known]
    if missing:
        raise ForecastingError(
            f"`train` must hold every scored series; {len(missing)} are missing, "
            f"e.g. {missing[0]!r}"
        )
    frame = train.loc[train[ID].isin(series), [ID, TIME, TARGET]]
    frame = frame.sort_values([ID, TIME], kind="stable")
    codes = pd.Index(series).get_indexer(pd.Index(frame[ID])).astype(np.int64)
    y = frame[TARGET].to_numpy(dtype=np.float64)
    n = len(series)
    grouped = frame.groupby(codes, sort=True)[TARGET]
    low = grouped.min().reindex(range(n)).to_numpy(np.float64)
    high = grouped.max().reindex(range(n)).to_numpy(np.float64)
    seasonal = _naive_scale(y, codes, n, m)
    lag1 = _naive_scale(y, codes, n, 1)
    finite = np.isfinite(y)
    level = np.bincount(codes[finite], np.abs(y[finite]), minlength=n) / np.maximum(
        np.bincount(codes[finite], minlength=n), 1
    )
    scale = seasonal.copy()
    fallbacks: list[str] = []
    steps = (
        (lag1, f"the lag-1 naive scale (the seasonal one, m={m}, was 0 or needs > m rows)"),
        (level, "mean |y_train| (constant training series)"),
        (np.ones(n), "1 (training series all zero or empty: plain MAE)"),
    )
    for candidate, what in steps:
        bad = ~(np.isfinite(scale) & (scale > 0))
        if not bad.any():
            break
        use = bad & np.isfinite(candidate) & (candidate > 0)
        if use.any():
            scale[use] = candidate[use]
            fallbacks.append(f"{int(use.sum())} series scaled by {what}.")
    return _TrainStats(low=low, high=high, mase_scale=scale, mase_fallbacks=tuple(fallbacks))


def _naive_scale(y: FloatArray, codes: IntArray, n: int, lag: int) -> FloatArray:
    """Per series, ``mean |y_t - y_{t-lag}|`` over the pairs inside the series (NaN if none)."""
    if len(y) <= lag:
        return np.full(n, np.nan)
    diff = np.abs(y[lag:] - y[:-lag])
    valid = (codes[lag:] == codes[:-lag]) & np.isfinite(diff)
    total = np.bincount(codes[lag:][valid], diff[valid], minlength=n)
    count = np.bincount(codes[lag:][valid], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        result: FloatArray = np.where(count > 0, total / count, np.nan)
    return result


def _grouped_pearson(scorer: _Scorer, a: FloatArray, b: FloatArray) -> FloatArray:
    """Per-series Pearson correlation of ``a`` and ``b``; NaN for n < 2 or a constant input."""
    mean_a = scorer.sum(a) / scorer.count
    mean_b = scorer.sum(b) / scorer.count
    da = a - mean_a[scorer.codes]
    db = b - mean_b[scorer.codes]
    saa, sbb, sab = scorer.sum(da * da), scorer.sum(db * db), scorer.sum(da * db)
    defined = (scorer.count >= 2) & (saa > 0) & (sbb > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(defined, sab / np.sqrt(saa * sbb), np.nan)
    result: FloatArray = np.clip(value, -1.0, 1.0)
    return result


def _pooled_r2(y: FloatArray, yhat: FloatArray) -> float:
    """R² over all rows with Azure's guards (single row or constant actuals: 1 if exact else 0)."""
    residual = float(((y - yhat) ** 2).sum())
    total = float(((y - y.mean()) ** 2).sum())
    if y.size == 1 or total == 0:
        return 1.0 if residual == 0 else 0.0
    return max(1.0 - residual / total, -1.0)


def _pooled_spearman(scorer: _Scorer) -> float:
    """Spearman over all rows; -1 (Azure's worst value) when an input is constant."""
    y, yhat = scorer.y, scorer.yhat
    if y.size < 2 or np.all(y == y[0]) or np.all(yhat == yhat[0]):
        return -1.0
    ra = pd.Series(y).rank(method="average").to_numpy(np.float64)
    rb = pd.Series(yhat).rank(method="average").to_numpy(np.float64)
    ra -= ra.mean()
    rb -= rb.mean()
    return float(np.clip(ra @ rb / math.sqrt(float(ra @ ra) * float(rb @ rb)), -1.0, 1.0))
