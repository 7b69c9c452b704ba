"""ForecastingParameters: Azure's names and defaults, normalised values, one error per bad value."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from forecasting._errors import ForecastingError
from forecasting._parameters import V2_NAMES, ForecastingParameters


def test_defaults_are_azures() -> None:
    params = ForecastingParameters("date")
    assert params.forecast_horizon == 1
    assert params.time_series_id_column_names is None
    assert params.freq is None
    assert params.target_lags is None
    assert params.feature_lags is None
    assert params.target_rolling_window_size is None
    assert params.seasonality == "auto"
    assert params.country_or_region_for_holidays is None
    assert params.use_stl is None
    assert params.short_series_handling_configuration == "auto"
    assert params.target_aggregation_function is None
    assert params.cv_step_size == "auto"
    assert params.features_unknown_at_forecast_time == ()
    assert params.quantiles == (0.1, 0.5, 0.9)


def test_values_are_normalised() -> None:
    params = ForecastingParameters(
        "date",
        forecast_horizon="AUTO",
        time_series_id_column_names="store",
        frequency="H",
        target_lags=[7, 1, 7],
        feature_lags="Auto",
        target_rolling_window_size=3,
        seasonality=None,
        country_or_region_for_holidays="au",
        use_stl="SeasonTrend",
        short_series_handling_configuration="None",
        target_aggregation_function="SUM",
        cv_step_size=2,
        features_unknown_at_forecast_time="temperature",
        quantiles=[0.9, 0.05],
    )
    assert params.forecast_horizon == "auto"
    assert params.time_series_id_column_names == ("store",)
    assert params.freq == "h"
    assert params.target_lags == (1, 7)
    assert params.feature_lags == "auto"
    assert params.seasonality == 1
    assert params.country_or_region_for_holidays == "AU"
    assert params.use_stl == "season_trend"
    assert params.short_series_handling_configuration is None
    assert params.target_aggregation_function == "sum"
    assert params.features_unknown_at_forecast_time == ("temperature",)
    assert params.quantiles == (0.05, 0.9)


@pytest.mark.parametrize(
    ("freq", "canonical"),
    [("D", "D"), ("M", "ME"), ("MS", "MS"), ("QS-OCT", "QS-JAN"), ("W", "W-SUN"), ("30T", "30min")],
)
def test_freq_is_canonical(freq: str, canonical: str) -> None:
    assert ForecastingParameters("t", freq=freq).freq == canonical


def test_numpy_values_are_read() -> None:
    params = ForecastingParameters(
        "t", forecast_horizon=np.int64(3), target_lags=np.array([2, 1]), quantiles=np.array([0.5])
    )
    assert (params.forecast_horizon, params.target_lags, params.quantiles) == (3, (1, 2), (0.5,))


def test_an_empty_id_list_means_one_series() -> None:
    assert (
        ForecastingParameters("t", time_series_id_column_names=[]).time_series_id_column_names == ()
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"forecast_horizon": 0}, r"`forecast_horizon` must be an int >= 1 or 'auto', got 0"),
        ({"forecast_horizon": -3}, r"`forecast_horizon` must be an int >= 1"),
        ({"forecast_horizon": 2.5}, r"`forecast_horizon` must be an int >= 1 or 'auto', got 2.5"),
        ({"forecast_horizon": True}, r"`forecast_horizon` .* got True \(bool\)"),
        ({"time_series_id_column_names": 3}, r"`time_series_id_column_names` must be a column"),
        ({"time_series_id_column_names": ["a", ""]}, r"`time_series_id_column_names` must hold"),
        ({"time_series_id_column_names": ["a", "a"]}, r"each column once, got 'a' twice"),
        ({"time_series_id_column_names": ["t"]}, r"must not hold the time column 't'"),
        ({"freq": "dayly"}, r"`freq` must be a pandas offset alias .* got 'dayly'"),
        ({"freq": 7}, r"`freq` must be a pandas offset alias .* got 7"),
        ({"frequency": "fortnight"}, r"`frequency` must be a pandas offset alias"),
        ({"freq": "D", "frequency": "h"}, r"`freq` and `frequency` are the same setting"),
        ({"target_lags": 0}, r"`target_lags` must be an int >= 1, a list of them, 'auto' or None"),
        ({"target_lags": [1, -2]}, r"`target_lags` .* got -2 in \[1, -2\]"),
        ({"target_lags": []}, r"`target_lags` must be an int >= 1"),
        ({"target_lags": "some"}, r"`target_lags` .* got 'some'"),
        ({"feature_lags": "all"}, r"`feature_lags` must be one of 'auto' or None, got 'all'"),
        ({"target_rolling_window_size": 1}, r"`target_rolling_window_size` must be an int >= 2"),
        ({"seasonality": 0}, r"`seasonality` must be an int >= 1, 'auto' or None, got 0"),
        (
            {"country_or_region_for_holidays": "Australia"},
            r"`country_or_region_for_holidays` .*'AU'",
        ),
        ({"country_or_region_for_holidays": "XQ"}, r"`country_or_region_for_holidays` must be"),
        ({"country_or_region_for_holidays": 1}, r"`country_or_region_for_holidays` must be"),
        ({"use_stl": "trend"}, r"`use_stl` must be one of 'season', 'season_trend' or None"),
        (
            {"short_series_handling_configuration": "padd"},
            r"`short_series_handling_configuration` must be one of .* did you mean 'pad'\?",
        ),
        ({"target_aggregation_function": "median"}, r"`target_aggregation_function` must be one"),
        ({"cv_step_size": 0}, r"`cv_step_size` must be an int >= 1 or 'auto', got 0"),
        ({"features_unknown_at_forecast_time": [1]}, r"`features_unknown_at_forecast_time` must"),
        (
            {"features_unknown_at_forecast_time": ["t"]},
            r"must list covariates, got the time column",
        ),
        (
            {"features_unknown_at_forecast_time": ["s"], "time_series_id_column_names": "s"},
            r"got the series id column 's'",
        ),
        ({"quantiles": [0.5, 1.0]}, r"`quantiles` must be .* strictly between 0 and 1, got 1.0"),
        ({"quantiles": []}, r"`quantiles` must be a non-empty list"),
        ({"quantiles": 0.5}, r"`quantiles` must be a non-empty list .* got 0.5"),
    ],
)
def test_a_bad_value_names_its_field(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ForecastingError, match=match):
        ForecastingParameters("t", **kwargs)


def test_the_time_column_is_required() -> None:
    with pytest.raises(ForecastingError, match=r"`time_column_name` must be a column name"):
        ForecastingParameters("")


def test_an_unknown_argument_gets_a_hint() -> None:
    with pytest.raises(TypeError, match=r"`short_series_handling_config`; that is the YAML name"):
        ForecastingParameters("t", short_series_handling_config="pad")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"`forecast_horizn`; did you mean 'forecast_horizon'"):
        ForecastingParameters("t", forecast_horizn=3)  # type: ignore[call-arg]


def test_it_is_frozen_and_replace_revalidates() -> None:
    params = ForecastingParameters("t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.forecast_horizon = 3  # type: ignore[misc]
    assert dataclasses.replace(params, freq="H").freq == "h"
    with pytest.raises(ForecastingError, match="`forecast_horizon`"):
        dataclasses.replace(params, forecast_horizon=0)


def test_the_v2_table_covers_every_field_both_ways() -> None:
    fields = {item.name for item in dataclasses.fields(ForecastingParameters)}
    assert set(V2_NAMES.values()) == fields
    assert len(set(V2_NAMES.values())) == len(V2_NAMES)
    assert V2_NAMES["short_series_handling_config"] == "short_series_handling_configuration"
    assert V2_NAMES["target_aggregate_function"] == "target_aggregation_function"
    assert V2_NAMES["frequency"] == "freq"


def test_to_dict_and_from_dict_round_trip() -> None:
    params = ForecastingParameters(
        "date",
        forecast_horizon=12,
        time_series_id_column_names=["store", "item"],
        freq="MS",
        target_lags=[1, 12],
        feature_lags="auto",
        target_rolling_window_size=3,
        seasonality=12,
        country_or_region_for_holidays="US",
        use_stl="season",
        short_series_handling_configuration=None,
        target_aggregation_function="mean",
        cv_step_size=3,
        features_unknown_at_forecast_time=["traffic"],
        quantiles=[0.25, 0.75],
    )
    data = params.to_dict()
    assert set(data) == set(V2_NAMES)
    assert data["frequency"] == "MS"
    assert data["short_series_handling_config"] is None
    assert data["time_series_id_column_names"] == ["store", "item"]
    assert ForecastingParameters.from_dict(data) == params
    assert ForecastingParameters.from_dict(ForecastingParameters("t").to_dict()) == (
        ForecastingParameters("t")
    )


def test_from_dict_reads_v2_spellings() -> None:
    params = ForecastingParameters.from_dict(
        {
            "time_column_name": "t",
            "forecast_horizon": "auto",
            "use_stl": "season_trend",
            "short_series_handling_config": "none",
            "target_aggregate_function": "none",
            "feature_lags": "none",
            "frequency": "D",
        }
    )
    assert params.use_stl == "season_trend"
    assert params.short_series_handling_configuration is None
    assert params.target_aggregation_function is None
    assert params.feature_lags is None
    assert params.freq == "D"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"time_column_name": "t", "horizon": 3}, r"unknown key `horizon` .* Valid keys: "),
        (
            {"time_column_name": "t", "short_series_handling_configuration": "pad"},
            r"the YAML name of that setting is `short_series_handling_config`",
        ),
        ({"time_column_name": "t", "freq": "D"}, r"the YAML name of that setting is `frequency`"),
        ({"forecast_horizon": 3}, r"must set `time_column_name`"),
        (["time_column_name"], r"must be a mapping"),
        ({"time_column_name": "t", "forecast_horizon": 0}, r"`forecast_horizon` must be"),
    ],
)
def test_from_dict_errors(data: Any, match: str) -> None:
    with pytest.raises(ForecastingError, match=match):
        ForecastingParameters.from_dict(data)
