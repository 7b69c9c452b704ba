"""The forecasters by name: lookup with a close-match hint, and the ``STL-`` variants.

Names are Azure ML's (``Naive``, ``SeasonalNaive``, ``Average``, ``SeasonalAverage``,
``ExponentialSmoothing``, ``AutoArima``, ``TCN``) plus ``Theta`` and ``GlobalRegressor`` (any
scikit-learn regressor across all series; names per regressor family are the AutoML layer's).
Lookups ignore case, ``_``, ``-`` and spaces, so the v2 YAML spellings (``seasonal_naive``,
``auto_arima``) work too; ``STL-<name>`` is ``<name>`` with ``use_stl=True`` for the models
that offer it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from forecasting._errors import ForecastingError, describe
from forecasting.models._base import Forecaster
from forecasting.models._global import GlobalRegressionForecaster
from forecasting.models._statistical import (
    AutoArima,
    Average,
    ExponentialSmoothing,
    Naive,
    SeasonalAverage,
    SeasonalNaive,
    Theta,
)
from forecasting.models._tcn import TCNForecaster

__all__ = ["FORECASTERS", "forecaster_names", "get_forecaster"]

# Default order: cheap baselines first, then the automatic models by cost, then the global ones.
_ORDER: tuple[type[Forecaster], ...] = (
    Naive,
    SeasonalNaive,
    Average,
    SeasonalAverage,
    Theta,
    ExponentialSmoothing,
    AutoArima,
    GlobalRegressionForecaster,
    TCNForecaster,
)

FORECASTERS: Mapping[str, type[Forecaster]] = MappingProxyType(
    {cls.info.name: cls for cls in _ORDER}
)
"""Every forecaster class by name, in default order."""

_STL_PREFIX = "stl"


def _key(name: str) -> str:
    return "".join(char for char in name.lower() if char not in "_- ")


_BY_KEY: Mapping[str, str] = {_key(name): name for name in FORECASTERS}


def forecaster_names() -> list[str]:
    """Names of every forecaster, in default order (``STL-`` variants not listed).

    Example:
        >>> forecaster_names()[:3]
        ['Naive', 'SeasonalNaive', 'Average']
    """
    return list(FORECASTERS)


def get_forecaster(name: str, **params: Any) -> Forecaster:
    """The forecaster called ``name``, built with ``params``.

    Args:
        name: A name of :func:`forecaster_names` (case, ``_`` and ``-`` ignored), or
            ``STL-<name>`` for the STL variant of a model that has one.
        params: The model's parameters (see its ``param_defaults``).

    Raises:
        ForecastingError: Unknown name (the message suggests the closest and lists the valid
            ones), a model without an STL variant, or a bad parameter.

    Example:
        >>> get_forecaster("stl-exponential_smoothing").name
        'STL-ExponentialSmoothing'
    """
    if not isinstance(name, str):
        raise ForecastingError(f"`name` must be a forecaster name, got {describe(name)}")
    key = _key(name)
    if key in _BY_KEY:
        return FORECASTERS[_BY_KEY[key]](**params)
    base = key[len(_STL_PREFIX) :] if key.startswith(_STL_PREFIX) else ""
    if base in _BY_KEY:
        cls = FORECASTERS[_BY_KEY[base]]
        if not cls.info.supports_stl:
            with_stl = [n for n, c in FORECASTERS.items() if c.info.supports_stl]
            raise ForecastingError(
                f"`name` must name a model with an STL variant, got {name!r}; "
                f"{cls.info.name} has none. STL variants: {', '.join(with_stl)}"
            )
        if params.get("use_stl", True) is not True:
            raise ForecastingError(
                f"`use_stl` must be True (or left out) for {name!r}, got {params['use_stl']!r}"
            )
        return cls(**{**params, "use_stl": True})
    close = difflib.get_close_matches(key, list(_BY_KEY), n=1, cutoff=0.6)
    hint = f"; did you mean {_BY_KEY[close[0]]!r}?" if close else ""
    raise ForecastingError(
        f"`name` must be one of {', '.join(FORECASTERS)} (or STL-<name>), got {name!r}{hint}"
    )
