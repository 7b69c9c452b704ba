"""The statistical forecasters, per series on statsforecast, by Azure ML's names.

============================  ==========================================================
Naive                         last value (statsforecast ``Naive``)
SeasonalNaive                 last season repeated (``SeasonalNaive``)
Average                       mean of the whole history (``HistoricAverage``)
SeasonalAverage               each period of the season averaged over the last
                              ``window_seasons`` seasons (``SeasonalWindowAverage``)
ExponentialSmoothing          automatic ETS chosen by AICc (``AutoETS``)
AutoArima                     automatic ARIMA (``AutoARIMA``)
Theta                         best of the four theta models by in-sample MSE (``AutoTheta``)
============================  ==========================================================

Azure's SeasonalAverage carries forward the mean of the latest season (a flat line); ours keeps
the seasonal shape: every period of the season is the mean of that period over the last
``window_seasons`` seasons (1 would be SeasonalNaive).

**Seasonal forms and fallbacks** (reported per series in ``fallbacks``, never raised): the
seasonal form is used when the seasonality ``m`` is above 1 and the series holds two seasons
(``n >= 2m``); otherwise the model's non-seasonal form (SeasonalNaive -> Naive, SeasonalAverage
-> Average, ExponentialSmoothing/AutoArima/Theta -> the same model with ``season_length=1``). A
SeasonalAverage over more seasons than the series holds averages those it has. A series with
fewer points than ``info.min_points`` (ExponentialSmoothing 8, Theta 4, AutoArima 4; the
thresholds below which statsforecast 2.1.1 raises or gives infinite intervals) gets Naive.

**STL** (``use_stl=True``, Azure's ``use_stl``; names ``STL-ExponentialSmoothing`` and so on):
statsforecast's ``MSTL`` removes the season with statsmodels' STL (two whole seasons needed),
forecasts the seasonally adjusted series with the model's non-seasonal form (ETS ``"ZZN"``,
non-seasonal ARIMA or theta, Naive, the mean) and adds back the last season's seasonal
component. Offered by Naive, Average, ExponentialSmoothing, AutoArima and Theta; series without
two seasons (or seasonality 1) get the plain non-seasonal model, reported.

Covariates in the panel are ignored: these models see ``y`` only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, ClassVar

from forecasting._errors import ForecastingError, describe
from forecasting.models._base import ForecasterInfo
from forecasting.models._statsforecast import (
    Choice,
    StatisticalForecaster,
    Variant,
    model_factory,
    naive_variant,
)
from search_spaces import SearchSpace, choice

__all__ = [
    "AutoArima",
    "Average",
    "ExponentialSmoothing",
    "Naive",
    "SeasonalAverage",
    "SeasonalNaive",
    "Theta",
]

# Costs in ns per series (see IDLE_FACTOR): a cheap model's per-series overhead and per point.
_CHEAP_SERIES = 2e5
_CHEAP_POINT = 50.0


def _check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ForecastingError(f"`{field}` must be True or False, got {describe(value)}")
    return value


def _check_option(field: str, value: object, options: tuple[object, ...]) -> Any:
    if not any(
        value is option or (type(value) is type(option) and value == option) for option in options
    ):
        shown = ", ".join(repr(option) for option in options)
        raise ForecastingError(f"`{field}` must be one of {shown}, got {describe(value)}")
    return value


def _check_use_stl(params: dict[str, Any]) -> dict[str, Any]:
    params["use_stl"] = _check_bool("use_stl", params["use_stl"])
    return params


def _cheap_cost(n: float) -> float:
    return _CHEAP_SERIES + _CHEAP_POINT * n


class Naive(StatisticalForecaster):
    """The last observed value, carried forward.

    Example:
        >>> Naive().search_space(), Naive().defaults()
        (SearchSpace({}), [{}])
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="Naive", kind="local", min_points=1, supports_stl=True
    )
    param_defaults: ClassVar[dict[str, Any]] = {"use_stl": False}

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return _check_use_stl(params)

    def _nonseasonal(self, n: int) -> Variant:
        return naive_variant()

    def _trend_model(self) -> Callable[[], Any]:
        return model_factory("Naive")

    def _series_cost(self, n: float, seasonality: int) -> float:
        return _cheap_cost(n)


class SeasonalNaive(StatisticalForecaster):
    """The last season, repeated; Naive without seasonality or two seasons of data."""

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="SeasonalNaive", kind="local", min_points=1, min_seasons=2, requires_seasonality=True
    )

    def _nonseasonal(self, n: int) -> Variant:
        return naive_variant()

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice:
        make = model_factory("SeasonalNaive", season_length=seasonality)
        return Choice(Variant(f"seasonal-naive-{seasonality}", "SeasonalNaive", make))

    def _series_cost(self, n: float, seasonality: int) -> float:
        return _cheap_cost(n)


def _average_variant() -> Variant:
    return Variant("average", "Average", model_factory("HistoricAverage"))


class Average(StatisticalForecaster):
    """The mean of the whole history, carried forward."""

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="Average", kind="local", min_points=1, supports_stl=True
    )
    param_defaults: ClassVar[dict[str, Any]] = {"use_stl": False}

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return _check_use_stl(params)

    def _nonseasonal(self, n: int) -> Variant:
        return _average_variant()

    def _trend_model(self) -> Callable[[], Any]:
        return model_factory("HistoricAverage")

    def _series_cost(self, n: float, seasonality: int) -> float:
        return _cheap_cost(n)


class SeasonalAverage(StatisticalForecaster):
    """Each period of the season: its mean over the last ``window_seasons`` seasons.

    Search space: ``window_seasons`` in 2, 3, 4, 6, 8. Defaults: 3, then 2 and 6. Average
    without seasonality or two seasons of data.
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="SeasonalAverage",
        kind="local",
        min_points=1,
        min_seasons=2,
        requires_seasonality=True,
    )
    param_defaults: ClassVar[dict[str, Any]] = {"window_seasons": 3}

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        value = params["window_seasons"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ForecastingError(
                f"`window_seasons` must be an integer >= 1, got {describe(value)}"
            )
        return params

    def search_space(self) -> SearchSpace:
        return SearchSpace({"window_seasons": choice(2, 3, 4, 6, 8)})

    def defaults(self) -> list[dict[str, Any]]:
        return [{"window_seasons": k} for k in (3, 2, 6)]

    def _nonseasonal(self, n: int) -> Variant:
        return _average_variant()

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice:
        asked = int(self._params["window_seasons"])
        window = min(asked, n // seasonality)

        make = model_factory("SeasonalWindowAverage", season_length=seasonality, window_size=window)

        label = "SeasonalAverage" if window == asked else f"SeasonalAverage over {window} seasons"
        variant = Variant(
            f"seasonal-average-{seasonality}-{window}",
            label,
            make,
            window_seasons=window,
            season_length=seasonality,
        )
        if window == asked:
            return Choice(variant)
        return Choice(variant, f"{n} points hold {window} of the {asked} seasons asked")

    def _series_cost(self, n: float, seasonality: int) -> float:
        return _cheap_cost(n)


class ExponentialSmoothing(StatisticalForecaster):
    """Automatic exponential smoothing (ETS): error, trend and season chosen by AICc.

    Seasonal ETS (``model="ZZZ"``) with two seasons of data, else non-seasonal (``"ZZN"``).
    Search space: ``damped`` None (AICc decides), True or False. Default: None.
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="ExponentialSmoothing", kind="local", min_points=8, min_seasons=2, supports_stl=True
    )
    param_defaults: ClassVar[dict[str, Any]] = {"damped": None, "use_stl": False}

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_option("damped", params["damped"], (None, True, False))
        return _check_use_stl(params)

    def search_space(self) -> SearchSpace:
        return SearchSpace({"damped": choice(None, True, False)})

    def defaults(self) -> list[dict[str, Any]]:
        return [{"damped": None}]

    def _ets(self, seasonality: int, model: str) -> Callable[[], Any]:
        return model_factory(
            "AutoETS", season_length=seasonality, model=model, damped=self._params["damped"]
        )

    def _nonseasonal(self, n: int) -> Variant:
        label = "ExponentialSmoothing without seasonality"
        return Variant("ets-1", label, self._ets(1, "ZZN"))

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice:
        make = self._ets(seasonality, "ZZZ")
        return Choice(Variant(f"ets-{seasonality}", "ExponentialSmoothing", make))

    def _trend_model(self) -> Callable[[], Any]:
        return self._ets(1, "ZZN")

    def _series_cost(self, n: float, seasonality: int) -> float:
        if seasonality > 1:  # up to 30 candidate models with m seasonal states each
            return 5e6 + 1.5e5 * n * math.sqrt(1 + seasonality)
        return 2e6 + 3.2e4 * n


class AutoArima(StatisticalForecaster):
    """Automatic ARIMA (stepwise search by AICc), seasonal with two seasons of data.

    Nothing to tune. The most expensive statistical model: seasonal ARIMA grows with the square
    of the season length.
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="AutoArima", kind="local", min_points=4, min_seasons=2, supports_stl=True
    )
    param_defaults: ClassVar[dict[str, Any]] = {"use_stl": False}

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return _check_use_stl(params)

    def _nonseasonal(self, n: int) -> Variant:
        label = "AutoArima without seasonality"
        return Variant("arima-1", label, model_factory("AutoARIMA", season_length=1))

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice:
        make = model_factory("AutoARIMA", season_length=seasonality)
        return Choice(Variant(f"arima-{seasonality}", "AutoArima", make))

    def _trend_model(self) -> Callable[[], Any]:
        return model_factory("AutoARIMA", season_length=1)

    def _series_cost(self, n: float, seasonality: int) -> float:
        if seasonality > 1:
            return 3e8 + 3e4 * n * seasonality**2
        return 8e7 + 1.1e5 * n


class Theta(StatisticalForecaster):
    """The theta method: the best of statsforecast's four theta models by in-sample MSE.

    With two seasons of data the series is deseasonalised first when a seasonality test says
    so (classical decomposition, multiplicative unless the data are not positive). Search
    space: ``decomposition_type`` multiplicative or additive, ``model`` None (best of four),
    "STM", "OTM", "DSTM" or "DOTM". Default: multiplicative, None.
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="Theta", kind="local", min_points=4, min_seasons=2, supports_stl=True
    )
    param_defaults: ClassVar[dict[str, Any]] = {
        "decomposition_type": "multiplicative",
        "model": None,
        "use_stl": False,
    }
    _MODELS: ClassVar[tuple[str | None, ...]] = (None, "STM", "OTM", "DSTM", "DOTM")

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        _check_option(
            "decomposition_type", params["decomposition_type"], ("multiplicative", "additive")
        )
        _check_option("model", params["model"], self._MODELS)
        return _check_use_stl(params)

    def search_space(self) -> SearchSpace:
        return SearchSpace(
            {
                "decomposition_type": choice("multiplicative", "additive"),
                "model": choice(*self._MODELS),
            }
        )

    def defaults(self) -> list[dict[str, Any]]:
        return [{"decomposition_type": "multiplicative", "model": None}]

    def _theta(self, seasonality: int) -> Callable[[], Any]:
        return model_factory(
            "AutoTheta",
            season_length=seasonality,
            decomposition_type=self._params["decomposition_type"],
            model=self._params["model"],
        )

    def _nonseasonal(self, n: int) -> Variant:
        return Variant("theta-1", "Theta without seasonality", self._theta(1))

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice:
        return Choice(Variant(f"theta-{seasonality}", "Theta", self._theta(seasonality)))

    def _trend_model(self) -> Callable[[], Any]:
        return self._theta(1)

    def _series_cost(self, n: float, seasonality: int) -> float:
        return 1e6 + 7e4 * n
