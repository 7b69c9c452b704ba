"""``ForecastingParameters``: Azure's time-series settings, validated at construction.

Python names and defaults are those of Azure ML's v1 ``ForecastingParameters``; the YAML
``forecasting:`` section of a v2 AutoML job uses the v2 ``ForecastingSettings`` names, mapped
by :data:`V2_NAMES` (the one table; :meth:`ForecastingParameters.from_dict` and
:meth:`~ForecastingParameters.to_dict` read and write it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

from forecasting._errors import ForecastingError, closest_hint, describe, list_names
from forecasting._parameter_checks import (
    check_choice,
    check_column,
    check_columns,
    check_country,
    check_int_or_auto,
    check_lags,
    check_quantiles,
)

__all__ = [
    "AGGREGATION_FUNCTIONS",
    "SHORT_SERIES_HANDLING",
    "STL_MODES",
    "V2_NAMES",
    "ForecastingParameters",
]

SHORT_SERIES_HANDLING: tuple[str, ...] = ("auto", "pad", "drop")
AGGREGATION_FUNCTIONS: tuple[str, ...] = ("sum", "max", "min", "mean")
STL_MODES: tuple[str, ...] = ("season", "season_trend")

V2_NAMES: Mapping[str, str] = {
    "time_column_name": "time_column_name",
    "forecast_horizon": "forecast_horizon",
    "time_series_id_column_names": "time_series_id_column_names",
    "frequency": "freq",
    "target_lags": "target_lags",
    "feature_lags": "feature_lags",
    "target_rolling_window_size": "target_rolling_window_size",
    "seasonality": "seasonality",
    "country_or_region_for_holidays": "country_or_region_for_holidays",
    "use_stl": "use_stl",
    "short_series_handling_config": "short_series_handling_configuration",
    "target_aggregate_function": "target_aggregation_function",
    "cv_step_size": "cv_step_size",
    "features_unknown_at_forecast_time": "features_unknown_at_forecast_time",
    "quantiles": "quantiles",
}
"""v2 YAML key (Azure's ``ForecastingSettings``) -> Python field. ``quantiles`` is ours: Azure
sets quantiles on the fitted model instead (``fitted_model.quantiles``, default ``[0.5]``)."""

_PYTHON_NAMES = {python: v2 for v2, python in V2_NAMES.items()}


@dataclass(frozen=True, init=False)
class ForecastingParameters:
    """Time-series settings of a forecasting task (Azure ML's ``ForecastingParameters``).

    A frozen, validated value: a bad value raises :class:`ForecastingError` naming the field,
    what was expected and what was given. After construction the fields hold normalised values
    (tuples for lists, canonical frequency aliases, lower-case modes, ``frequency`` folded into
    ``freq``).

    Args:
        time_column_name: The column of timestamps (required).
        forecast_horizon: Periods to forecast, an int >= 1 or ``"auto"`` (default 1).
        time_series_id_column_names: Column(s) that tell the series apart. None (default):
            detected, the smallest set of non-numeric columns that makes the time column
            unique; ``[]``: the data is one series.
        freq: The frequency, a pandas offset alias (``"h"``, ``"D"``, ``"W-SUN"``, ``"MS"``,
            ...); None (default): inferred from the data. Read back in canonical form
            (``"H"`` reads ``"h"``, ``"M"`` reads ``"ME"``).
        frequency: Azure's v2 name of ``freq``; both with different values is an error.
            Folded into ``freq`` (not kept as a field).
        target_lags: Lags of the target as features: an int >= 1, a list of them, ``"auto"``,
            or None (default: none).
        feature_lags: ``"auto"`` lags the numeric covariates; None (default): no lags.
        target_rolling_window_size: Periods of the rolling window aggregates of the target,
            an int >= 2 or ``"auto"``; None (default): none.
        seasonality: The seasonal period in periods, an int >= 1, or ``"auto"`` (default:
            from the frequency, e.g. 24 for hourly data); None means 1 (Azure: non-seasonal).
        country_or_region_for_holidays: ISO 3166 code of the holiday calendar (``"US"``,
            ``"AU"``, ...) that the ``holidays`` package supports; None (default): no holiday
            features.
        use_stl: STL decomposition of the target: ``"season"``, ``"season_trend"`` or None
            (default).
        short_series_handling_configuration: ``"auto"`` (default: pad when every series is
            short, else drop the short ones), ``"pad"``, ``"drop"`` or None (leave them).
        target_aggregation_function: ``"sum"``, ``"max"``, ``"min"`` or ``"mean"``: rows that
            share a series and a period (of ``freq`` when set, else of the same timestamp) are
            aggregated with it; None (default): such duplicates are an error.
        cv_step_size: Periods between two rolling-origin cross-validation origins, an int >= 1
            or ``"auto"`` (default).
        features_unknown_at_forecast_time: Covariates whose future values are not known when
            forecasting (they are used through their lags only); default none: every covariate
            must be given for the periods to forecast.
        quantiles: Probabilities of the quantile forecasts, each strictly between 0 and 1
            (default ``(0.1, 0.5, 0.9)``). Ours: Azure has no such setting.

    Example:
        >>> params = ForecastingParameters(
        ...     "date", forecast_horizon=14, time_series_id_column_names="store",
        ...     frequency="D", target_lags=[7, 1],
        ... )
        >>> params.time_series_id_column_names, params.freq, params.target_lags
        (('store',), 'D', (1, 7))
        >>> ForecastingParameters.from_dict(params.to_dict()) == params
        True
    """

    time_column_name: str
    forecast_horizon: int | Literal["auto"]
    time_series_id_column_names: tuple[str, ...] | None
    freq: str | None
    target_lags: tuple[int, ...] | Literal["auto"] | None
    feature_lags: Literal["auto"] | None
    target_rolling_window_size: int | Literal["auto"] | None
    seasonality: int | Literal["auto"]
    country_or_region_for_holidays: str | None
    use_stl: Literal["season", "season_trend"] | None
    short_series_handling_configuration: Literal["auto", "pad", "drop"] | None
    target_aggregation_function: Literal["sum", "max", "min", "mean"] | None
    cv_step_size: int | Literal["auto"]
    features_unknown_at_forecast_time: tuple[str, ...]
    quantiles: tuple[float, ...]

    V2_NAMES: ClassVar[Mapping[str, str]] = V2_NAMES
    """v2 YAML key -> Python field (the one table)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Before __init__, so that an unknown argument gets a helpful message.
        valid = [item.name for item in dataclasses.fields(cls)] + ["frequency"]
        for key in kwargs:
            if key not in valid:
                python = V2_NAMES.get(key)
                hint = (
                    f"; that is the YAML name, the Python one is `{python}`"
                    if python is not None and python != key
                    else closest_hint(key, valid)
                )
                raise TypeError(
                    f"ForecastingParameters got an unexpected argument `{key}`{hint}. Valid "
                    f"arguments: {', '.join(valid)}"
                )
        return super().__new__(cls)

    def __init__(
        self,
        time_column_name: str,
        *,
        forecast_horizon: int | str = 1,
        time_series_id_column_names: str | Sequence[str] | None = None,
        freq: str | None = None,
        frequency: str | None = None,
        target_lags: int | Sequence[int] | str | None = None,
        feature_lags: str | None = None,
        target_rolling_window_size: int | str | None = None,
        seasonality: int | str | None = "auto",
        country_or_region_for_holidays: str | None = None,
        use_stl: str | None = None,
        short_series_handling_configuration: str | None = "auto",
        target_aggregation_function: str | None = None,
        cv_step_size: int | str = "auto",
        features_unknown_at_forecast_time: str | Sequence[str] | None = None,
        quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    ) -> None:
        time_column = check_column("time_column_name", time_column_name)
        self._set("time_column_name", time_column)
        self._set(
            "forecast_horizon",
            check_int_or_auto("forecast_horizon", forecast_horizon, minimum=1),
        )
        ids = (
            None
            if time_series_id_column_names is None
            else check_columns("time_series_id_column_names", time_series_id_column_names)
        )
        self._set("time_series_id_column_names", ids)
        self._set("freq", _frequency(freq, frequency))
        self._set("target_lags", check_lags(target_lags))
        self._set(
            "feature_lags", check_choice("feature_lags", feature_lags, ("auto",), allow_none=True)
        )
        self._set(
            "target_rolling_window_size",
            check_int_or_auto(
                "target_rolling_window_size", target_rolling_window_size, minimum=2, allow_none=True
            ),
        )
        season = check_int_or_auto("seasonality", seasonality, minimum=1, allow_none=True)
        self._set("seasonality", 1 if season is None else season)
        self._set("country_or_region_for_holidays", check_country(country_or_region_for_holidays))
        self._set("use_stl", check_choice("use_stl", use_stl, STL_MODES, allow_none=True))
        self._set(
            "short_series_handling_configuration",
            check_choice(
                "short_series_handling_configuration",
                short_series_handling_configuration,
                SHORT_SERIES_HANDLING,
                allow_none=True,
            ),
        )
        self._set(
            "target_aggregation_function",
            check_choice(
                "target_aggregation_function",
                target_aggregation_function,
                AGGREGATION_FUNCTIONS,
                allow_none=True,
            ),
        )
        self._set("cv_step_size", check_int_or_auto("cv_step_size", cv_step_size, minimum=1))
        unknown = (
            ()
            if features_unknown_at_forecast_time is None
            else check_columns(
                "features_unknown_at_forecast_time", features_unknown_at_forecast_time
            )
        )
        self._set("features_unknown_at_forecast_time", unknown)
        self._set("quantiles", check_quantiles(quantiles))
        self._check_columns_apart()

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _check_columns_apart(self) -> None:
        time_column = self.time_column_name
        ids = self.time_series_id_column_names or ()
        if time_column in ids:
            raise ForecastingError(
                f"`time_series_id_column_names` must not hold the time column {time_column!r}"
            )
        for name in self.features_unknown_at_forecast_time:
            if name == time_column or name in ids:
                role = "time column" if name == time_column else "series id column"
                raise ForecastingError(
                    f"`features_unknown_at_forecast_time` must list covariates, got the {role} "
                    f"{name!r}"
                )

    def to_dict(self) -> dict[str, Any]:
        """The settings under their v2 YAML names, as plain YAML/JSON values (lists, not
        tuples); :meth:`from_dict` reads it back to an equal value."""
        out: dict[str, Any] = {}
        for v2, python in V2_NAMES.items():
            value = getattr(self, python)
            out[v2] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ForecastingParameters:
        """Read the ``forecasting:`` section of a v2 AutoML job (v2 names, see
        :data:`V2_NAMES`); the string ``"none"`` reads as None where None is allowed.

        Raises:
            ForecastingError: ``data`` is not a mapping, has an unknown key (the message lists
                the valid keys), lacks ``time_column_name``, or holds a bad value.
        """
        if not isinstance(data, Mapping):
            raise ForecastingError(
                f"the `forecasting` section must be a mapping of settings, got {describe(data)}"
            )
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            python = V2_NAMES.get(key)
            if python is None:
                v2 = _PYTHON_NAMES.get(key)
                hint = (
                    f"; the YAML name of that setting is `{v2}`"
                    if v2 is not None
                    else closest_hint(str(key), V2_NAMES)
                )
                raise ForecastingError(
                    f"unknown key `{key}` in the `forecasting` section{hint}. Valid keys: "
                    f"{list_names(V2_NAMES)}"
                )
            kwargs[python] = value
        if "time_column_name" not in kwargs:
            raise ForecastingError(
                "the `forecasting` section must set `time_column_name` (the column of timestamps)"
            )
        return cls(**kwargs)


def _frequency(freq: object, frequency: object) -> str | None:
    from forecasting._frequency import canonical_freq

    checked = None if freq is None else canonical_freq(freq, field="freq")
    alias = None if frequency is None else canonical_freq(frequency, field="frequency")
    if checked is not None and alias is not None and checked != alias:
        raise ForecastingError(
            f"`freq` and `frequency` are the same setting; give one, got freq={freq!r} and "
            f"frequency={frequency!r}"
        )
    return checked if checked is not None else alias
