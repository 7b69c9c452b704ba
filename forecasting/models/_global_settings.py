"""The settings of the global forecasters: automatic lags, windows and Fourier terms, resolved
per seasonality, the checks of the parameters that set them, and the regressor of the global
regression model (cloned for every fit).

``"auto"`` (with ``m`` the seasonality): lags ``1..min(max(m, 3), 24)`` plus the seasonal lags
``m`` and ``2m`` (when ``m > 1``); for sub-daily data whose season is the day (``"h"`` with
``m = 24``), the weekly cycle too: ``k*m - 1, k*m, k*m + 1`` for ``k = 2..7`` and around two
weeks (``14*m``), so that Monday's hours read last Monday's; one rolling window of ``m``
periods (none when ``m = 1``);
Fourier terms ``[(m, min(3, m // 2))]`` (none when ``m = 1``). Shared by
:class:`~forecasting.models.GlobalRegressionForecaster` and the TCN (whose lookback is set
from the lags without ``freq``, so without the weekly cycle).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting._errors import ForecastingError, describe

__all__ = [
    "MAX_SHORT_LAG",
    "FeatureConfig",
    "auto_fourier",
    "auto_rolling_windows",
    "auto_target_lags",
    "check_fourier",
    "check_holidays_country",
    "check_ints",
    "check_known_covariates",
    "is_daily_season",
    "is_regressor",
    "make_regressor",
    "resolve_config",
]

MAX_SHORT_LAG = 24
"""The most consecutive lags ``1..k`` the automatic rule takes (seasonal lags come on top)."""


def auto_target_lags(seasonality: int, freq: str | None = None) -> list[int]:
    """The lags of ``target_lags="auto"``: ``1..min(max(m, 3), 24)``, plus ``m`` and ``2m``;
    plus the weekly cycle when ``freq`` is sub-daily and ``m`` periods make a day.

    Example:
        >>> auto_target_lags(1), auto_target_lags(4)
        ([1, 2, 3], [1, 2, 3, 4, 8])
        >>> auto_target_lags(168)[-3:]
        [24, 168, 336]
        >>> hourly = auto_target_lags(24, "h")
        >>> len(hourly), hourly[24:27], hourly[-3:]
        (45, [47, 48, 49], [335, 336, 337])
    """
    lags = set(range(1, min(max(seasonality, 3), MAX_SHORT_LAG) + 1))
    if seasonality > 1:
        lags |= {seasonality, 2 * seasonality}
    if freq is not None and seasonality > 1 and is_daily_season(freq, seasonality):
        for days in (*range(2, 8), 14):
            lags |= {days * seasonality - 1, days * seasonality, days * seasonality + 1}
    return sorted(lags)


def is_daily_season(freq: str, seasonality: int) -> bool:
    """Whether ``seasonality`` periods of the sub-daily ``freq`` make one day.

    Example:
        >>> is_daily_season("h", 24), is_daily_season("30min", 48), is_daily_season("D", 7)
        (True, True, False)
    """
    import pandas as pd

    from forecasting._frequency import offset_of

    offset = offset_of(freq)
    if not isinstance(offset, pd.offsets.Tick):
        return False
    return int(offset.nanos) * seasonality == 86_400 * 10**9


def auto_rolling_windows(seasonality: int) -> list[int]:
    """The windows of ``rolling_windows="auto"``: one season (``[m]``), none when ``m = 1``.

    Example:
        >>> auto_rolling_windows(7), auto_rolling_windows(1)
        ([7], [])
    """
    return [seasonality] if seasonality > 1 else []


def auto_fourier(seasonality: int) -> list[tuple[float, int]]:
    """The terms of ``fourier="auto"``: ``[(m, min(3, m // 2))]``, none when ``m = 1``.

    Example:
        >>> auto_fourier(12), auto_fourier(2), auto_fourier(1)
        ([(12, 3)], [(2, 1)], [])
    """
    return [(seasonality, min(3, seasonality // 2))] if seasonality > 1 else []


@dataclass(frozen=True)
class FeatureConfig:
    """The feature settings with ``"auto"`` resolved for one seasonality."""

    lags: list[int]
    windows: list[int]
    fourier: list[tuple[float, int]]

    @property
    def lookback(self) -> int:
        """The targets a feature row reads: the largest lag or window."""
        return max([*self.lags, *self.windows])


def resolve_config(
    target_lags: Any, rolling_windows: Any, fourier: Any, seasonality: int, freq: str | None = None
) -> FeatureConfig:
    """Checked settings (``"auto"``, lists, None) resolved for ``seasonality`` (and ``freq``,
    for the automatic lags).

    Example:
        >>> resolve_config("auto", [3], None, 4)
        FeatureConfig(lags=[1, 2, 3, 4, 8], windows=[3], fourier=[])
    """
    return FeatureConfig(
        lags=(auto_target_lags(seasonality, freq) if target_lags == "auto" else list(target_lags)),
        windows=(
            auto_rolling_windows(seasonality)
            if rolling_windows == "auto"
            else list(rolling_windows)
        ),
        fourier=auto_fourier(seasonality) if fourier == "auto" else list(fourier or ()),
    )


def check_ints(field: str, value: object, *, allow_empty: bool) -> list[int]:
    """The distinct ints ``>= 1`` of ``value``, sorted, or an error naming ``field``."""
    expected = (
        f"`{field}` must be 'auto' or a {'' if allow_empty else 'non-empty '}list of ints >= 1"
    )
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ForecastingError(f"{expected}, got {describe(value)}")
    if not value and not allow_empty:
        raise ForecastingError(f"{expected}, got {describe(value)}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 1:
            raise ForecastingError(f"{expected}, got {describe(item)} in {describe(value)}")
    return sorted({int(item) for item in value})


def check_fourier(value: object) -> Any:
    """``"auto"``, None, or the ``(period, order)`` pairs as tuples (checked in full when the
    feature builder is fitted)."""
    if value is None or value == "auto":
        return value
    expected = "`fourier` must be 'auto', None or a list of (period, order) pairs"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ForecastingError(f"{expected}, got {describe(value)}")
    for item in value:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ForecastingError(f"{expected}, got {describe(item)} in {describe(value)}")
    return [tuple(item) for item in value]


def check_holidays_country(country: object) -> str | None:
    """An ISO code (``"US"``, ``"AU-VIC"``) or None, else an error."""
    if country is not None and (not isinstance(country, str) or not country):
        raise ForecastingError(
            f"`holidays_country` must be an ISO code such as 'US' or 'AU-VIC', or None, "
            f"got {describe(country)}"
        )
    return country


def check_known_covariates(covariates: object) -> tuple[str, ...]:
    """The distinct column names of ``covariates``, in order, or an error."""
    if (
        isinstance(covariates, (str, bytes))
        or not isinstance(covariates, Sequence)
        or not all(isinstance(name, str) for name in covariates)
    ):
        raise ForecastingError(
            f"`known_covariates` must be a list of column names, got {describe(covariates)}"
        )
    return tuple(dict.fromkeys(covariates))


def is_regressor(value: object) -> bool:
    """Whether ``value`` is an estimator instance (``fit`` and ``predict``), not a class."""
    return (
        not isinstance(value, type)
        and callable(getattr(value, "fit", None))
        and callable(getattr(value, "predict", None))
    )


def make_regressor(spec: object) -> Any:
    """A fresh regressor from the ``regressor`` parameter: None gives
    ``HistGradientBoostingRegressor(random_state=0)``, an estimator is cloned (deep-copied when
    scikit-learn cannot clone it), a factory is called."""
    if spec is None:
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(random_state=0)
    if is_regressor(spec):
        try:
            from sklearn.base import clone

            return clone(spec)
        except (TypeError, RuntimeError):  # not a scikit-learn estimator
            return copy.deepcopy(spec)
    if not callable(spec):
        raise ForecastingError(
            f"`regressor` must be a regressor or a factory, got {describe(spec)}"
        )
    made = spec()
    if not is_regressor(made):
        raise ForecastingError(
            f"`regressor` must be a factory of objects with fit and predict, got one that "
            f"returned {describe(made)}"
        )
    return made
