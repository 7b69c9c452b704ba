"""Conformal quantiles of the global regression forecaster, from its own errors ``h`` steps ahead.

The errors are in scaled units (so that series of any size pool): ``q = yhat + clip(Q_q(r_h))``
where ``Q_q(r_h)`` is the empirical ``q``-quantile of the step-``h`` residuals, clipped to
``<= 0`` for ``q < 0.5`` and ``>= 0`` above (so bands contain the point forecast and never
cross; ``q = 0.5`` is ``yhat``). The residuals come from forecasting ``horizon`` periods, with
the model's strategy, from the ``W`` latest origins of each series that leave a whole horizon of
actuals (``n - horizon``, ``n - horizon - 1``, ...; ``W = min(horizon, ceil(50 / series))``,
about 50 residuals per step). :func:`calibration_windows` decides ``W`` and how many points a
holdout model leaves out; :func:`calibration_residuals` forecasts the windows;
:func:`quantile_offsets` turns the residuals into offsets.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from forecasting.models._global_strategies import ScaledPanel, history_buffer, rollout

if TYPE_CHECKING:
    from forecasting._features import FeatureBuilder

__all__ = [
    "CALIBRATION_RESIDUALS",
    "calibration_residuals",
    "calibration_windows",
    "quantile_offsets",
]

CALIBRATION_RESIDUALS = 50
"""Residuals per step that the number of calibration windows aims at."""
ID, TIME = "unique_id", "ds"


def calibration_windows(
    lengths: np.ndarray,
    *,
    need: int,
    horizon: int,
    holdout: bool,
    min_train_rows: int,
) -> tuple[int, int | None]:
    """Calibration windows per series, and the points cut for the holdout model (None:
    in-sample residuals).

    Args:
        lengths: Each modelled series' length.
        need: Points of a series before its first training row, plus one (lookback plus the
            last step trained).
        horizon: Periods forecast.
        holdout: Whether out-of-sample residuals are asked for (``calibration="holdout"``).
        min_train_rows: Fewest training rows of a holdout model; below it, in-sample.
    """
    windows = min(horizon, max(1, math.ceil(CALIBRATION_RESIDUALS / len(lengths))))
    if not holdout:
        return windows, None
    for tried in (windows, 1):
        cut = horizon + tried - 1
        rows = np.maximum(lengths - cut - (need - 1), 0)
        if rows.sum() >= min_train_rows:
            return tried, cut
    return windows, None


def calibration_residuals(
    models: list[Any],
    builder: FeatureBuilder,
    scaled: ScaledPanel,
    last_origins: np.ndarray,
    windows: int,
    horizon: int,
    strategy: str,
) -> np.ndarray:
    """Scaled errors (window, step) of forecasts from ``windows`` origins per series ending at
    ``last_origins`` (points known at the origin); windows without every known covariate or
    without a whole lookback are left out."""
    lookback = builder.lookback_
    covariates = list(builder.known_covariates)
    series = np.repeat(np.arange(len(scaled.lengths)), windows)
    origins = np.repeat(last_origins, windows) - np.tile(np.arange(windows), len(last_origins))
    ok = origins >= lookback
    rows = scaled.starts[series, None] + origins[:, None] + np.arange(horizon)[None, :]
    if covariates:  # a window needs every covariate value, as a forecast does
        values = scaled.frame[covariates].to_numpy(dtype=np.float64, na_value=np.nan)
        ok &= ~np.isnan(values[np.where(ok[:, None], rows, 0)]).any(axis=(1, 2))
    series, origins, rows = series[ok], origins[ok], rows[ok]
    if len(series) == 0:
        return np.zeros((0, horizon))
    pseudo = np.arange(len(series)).astype(object)
    buffer = history_buffer(scaled, series, origins, lookback, pseudo)
    frame = scaled.frame.iloc[rows.ravel()]
    future = frame[[TIME, *covariates]].reset_index(drop=True)
    future.insert(0, ID, np.repeat(pseudo, horizon))
    forecast = rollout(models, builder, buffer, future, horizon, strategy)
    residuals: np.ndarray = scaled.y[rows] - forecast
    return residuals


def quantile_offsets(residuals: np.ndarray, horizon: int, quantiles: Sequence[float]) -> np.ndarray:
    """Per step and quantile: the empirical ``q``-quantile of the step's residuals, clipped so
    that lower quantiles are ``<= 0``, upper ones ``>= 0`` and the median 0."""
    offsets = np.zeros((horizon, len(quantiles)))
    errors = residuals[:, :horizon]
    for k, q in enumerate(quantiles):
        if q == 0.5:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a step without finite residuals
            value = np.nanquantile(errors, q, axis=0)
        value = np.where(np.isfinite(value), value, 0.0)
        offsets[:, k] = np.minimum(value, 0.0) if q < 0.5 else np.maximum(value, 0.0)
    return offsets
