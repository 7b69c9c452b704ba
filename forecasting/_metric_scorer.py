"""Per-series scoring of one forecast: every metric from per-series sums over the scored rows.

:class:`Scorer` holds the scored rows (actuals joined with their forecast, sorted by series
and time) and the training statistics, and computes each metric per series, then averages
over the series where it is defined (see :mod:`forecasting._metrics` for the definitions, the
pooled fallbacks of r2 and Spearman, and the notes kept).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._metric_names import (
    MAPE,
    MASE,
    NMAE,
    NRMSE,
    R2,
    SPEARMAN,
    WQL,
    quantile_column,
)
from forecasting._metric_scales import train_stats

__all__ = ["Scorer"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ID, TARGET, PREDICTION = "unique_id", "y", "yhat"


class Scorer:
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
        self.train_stats = train_stats(train, self.series, seasonality)

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


def _grouped_pearson(scorer: Scorer, a: FloatArray, b: FloatArray) -> FloatArray:
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


def _pooled_spearman(scorer: Scorer) -> float:
    """Spearman over all rows; -1 (Azure's worst value) when an input is constant."""
    y, yhat = scorer.y, scorer.yhat
    if y.size < 2 or np.all(y == y[0]) or np.all(yhat == yhat[0]):
        return -1.0
    ra = pd.Series(y).rank(method="average").to_numpy(np.float64)
    rb = pd.Series(yhat).rank(method="average").to_numpy(np.float64)
    ra -= ra.mean()
    rb -= rb.mean()
    return float(np.clip(ra @ rb / math.sqrt(float(ra @ ra) * float(rb @ rb)), -1.0, 1.0))
