"""Seasonal differencing for the global regression forecaster.

With ``differencing="seasonal"`` the model learns the change from one
season to the next, ``d_t = y_t - y_(t-m)`` (``m`` the seasonality, 1 when there is none),
scaled per series after differencing, and the forecasts are integrated back from each series'
last ``m`` points (``y_(T+h) = d_(T+h) + y_(T+h-m)``, the forecast itself past ``m`` steps).
A series repeats its last season unless the data say otherwise, which is what wins on strongly
seasonal panels (AutoGluon's recursive tabular model does the same). A series needs ``m`` more
points; the quantile offsets, learnt on the differences, widen by ``sqrt(ceil(h / m))`` for
step ``h`` (the errors of the seasons added up, taken as independent).

:func:`seasonal_differences` turns the training panel into differences, :func:`difference_recent`
does the same to recent actuals (``with_recent``), and :func:`integrate` turns forecasts of the
differences and their quantile bounds back into forecasts of the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["difference_recent", "integrate", "seasonal_differences"]

TARGET = "y"


def seasonal_differences(
    panel: pd.DataFrame, lengths: np.ndarray, lag: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """The panel with each target replaced by its change over ``lag`` periods, each series'
    first ``lag`` rows dropped; and the new lengths."""
    y = panel[TARGET].to_numpy(dtype=np.float64)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    position = np.arange(len(y)) - np.repeat(starts, lengths)
    keep = position >= lag
    differenced = panel.loc[keep].copy()
    differenced[TARGET] = y[keep] - y[np.flatnonzero(keep) - lag]
    return differenced.reset_index(drop=True), np.maximum(lengths - lag, 0)


def difference_recent(
    values: Mapping[int, np.ndarray], rows: np.ndarray, levels: np.ndarray
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Recent actuals of the modelled series (position -> targets) as differences over the
    season, and the series' last ``m`` targets after them."""
    lag = levels.shape[1]
    moved = levels.copy()
    differences: dict[int, np.ndarray] = {}
    for k, row in enumerate(rows):
        extra = values.get(int(row))
        if extra is None:
            continue
        full = np.concatenate([levels[k], np.asarray(extra, dtype=np.float64)])
        differences[int(row)] = full[lag:] - full[:-lag]
        moved[k] = full[-lag:]
    return differences, moved


def integrate(
    point: np.ndarray, bounds: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts of the differences (series, step) and their quantile bounds (series, step,
    quantile) turned into forecasts of the target, from each series' last ``m`` targets; the
    bounds' offsets widen by ``sqrt(ceil(h / m))``."""
    lag = levels.shape[1]
    horizon = point.shape[1]
    path = np.concatenate([levels, np.empty_like(point)], axis=1)
    for step in range(horizon):
        path[:, lag + step] = point[:, step] + path[:, step]
    integrated = path[:, lag:]
    widen = np.sqrt(np.ceil(np.arange(1, horizon + 1) / lag))
    offsets = (bounds - point[:, :, None]) * widen[None, :, None]
    return integrated, integrated[:, :, None] + offsets
