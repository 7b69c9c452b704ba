"""What the forecasting metrics take from the training series: each series' target range (for
the normalized errors) and MASE's scale, with its fallbacks.

MASE's scale is the in-sample mean absolute error of the seasonal naive forecast,
``mean_{t > m} |y_t - y_{t-m}|`` (M4's ``mase``). Fallbacks, in order, each reported: the lag-1
naive scale (a series of ``m`` rows or fewer, or an exactly periodic one), ``mean|y_train|``
(a constant series), 1 (an all-zero or empty one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError
from forecasting._frame_checks import require_columns

__all__ = ["TrainStats", "naive_scale", "train_stats"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ID, TIME, TARGET = "unique_id", "ds", "y"


@dataclass(frozen=True)
class TrainStats:
    """Per scored series: training min and max, and MASE's scale with the fallbacks used."""

    low: FloatArray
    high: FloatArray
    mase_scale: FloatArray
    mase_fallbacks: tuple[str, ...]


def train_stats(train: pd.DataFrame, series: NDArray[np.object_], m: int) -> TrainStats:
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
    seasonal = naive_scale(y, codes, n, m)
    lag1 = naive_scale(y, codes, n, 1)
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
    return TrainStats(low=low, high=high, mase_scale=scale, mase_fallbacks=tuple(fallbacks))


def naive_scale(y: FloatArray, codes: IntArray, n: int, lag: int) -> FloatArray:
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
