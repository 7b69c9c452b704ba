"""The checks of :class:`forecasting.FeatureBuilder`'s settings against the training panel:
lags and windows, rolling statistics, Fourier terms and known covariates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError, describe

__all__ = [
    "ROLLING_STATS",
    "check_rolling_stats",
    "covariate_names",
    "fourier_terms",
    "numeric_column",
    "positive_ints",
]

FloatArray = NDArray[np.float64]
ID, TIME, TARGET = "unique_id", "ds", "y"
ROLLING_STATS: tuple[str, ...] = ("mean", "std", "min", "max")
"""Statistics a rolling window can compute (``std`` with ``ddof=1``)."""


def numeric_column(frame: pd.DataFrame, argument: str, name: str) -> FloatArray:
    """Column ``name`` of ``frame`` as floats (NaN for missing), or an error naming it."""
    try:
        return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as error:
        raise ForecastingError(
            f"`{argument}` column {name!r} (a known covariate) must be numeric or bool, "
            f"got dtype {frame[name].dtype}; encode it first"
        ) from error


def positive_ints(name: str, values: Sequence[int]) -> list[int]:
    """The distinct ints ``>= 1`` of ``values``, sorted, or an error naming ``name``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ForecastingError(f"`{name}` must be a list of ints >= 1, got {describe(values)}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ForecastingError(
                f"`{name}` must be a list of ints >= 1, got {describe(value)} in {list(values)}"
            )
    return sorted({int(v) for v in values})


def check_rolling_stats(values: Sequence[str]) -> list[str]:
    """The distinct statistics of ``values``, in order, each from :data:`ROLLING_STATS`."""
    if isinstance(values, str) or not values:
        raise ForecastingError(
            f"`rolling_stats` must be a non-empty list from {list(ROLLING_STATS)}, "
            f"got {describe(values)}"
        )
    for value in values:
        if value not in ROLLING_STATS:
            raise ForecastingError(
                f"`rolling_stats` must hold names from {list(ROLLING_STATS)}, got {value!r}"
            )
    return list(dict.fromkeys(values))


def fourier_terms(values: Sequence[tuple[float, int]]) -> list[tuple[float, int]]:
    """The ``(period, order)`` pairs, checked: ``period > 1``, ``1 <= order <= period / 2``."""
    terms: list[tuple[float, int]] = []
    for item in values:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ForecastingError(
                f"`fourier` must be a list of (period, order) pairs, got {describe(item)}"
            )
        period, order = item
        if isinstance(period, bool) or not isinstance(period, (int, float, np.number)):
            raise ForecastingError(f"`fourier` period must be a number > 1, got {period!r}")
        if not (math.isfinite(float(period)) and period > 1):
            raise ForecastingError(f"`fourier` period must be a number > 1, got {period!r}")
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
            raise ForecastingError(f"`fourier` order must be an int >= 1, got {order!r}")
        if 2 * order > period:
            raise ForecastingError(
                f"`fourier` order must be <= period / 2 (higher orders repeat lower ones), "
                f"got order {order} for period {period}"
            )
        terms.append((float(period), int(order)))
    return terms


def covariate_names(names: Sequence[str], train: pd.DataFrame) -> list[str]:
    """The distinct covariate names, each a numeric column of ``train`` and not a panel key."""
    if isinstance(names, str):
        raise ForecastingError(
            f"`known_covariates` must be a list of column names, got {names!r} (a string)"
        )
    result = list(dict.fromkeys(names))
    for name in result:
        if name in (ID, TIME, TARGET):
            raise ForecastingError(f"`known_covariates` must name covariate columns, not {name!r}")
        if name not in train.columns:
            raise ForecastingError(
                f"`known_covariates` names {name!r}, which `train_panel` lacks; its columns "
                f"are {list(map(str, train.columns))}"
            )
        numeric_column(train, "train_panel", name)
    return result
