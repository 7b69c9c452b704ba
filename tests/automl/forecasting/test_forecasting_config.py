"""What AutoMLConfig checks for task="forecasting": every bad value fails at construction."""

from __future__ import annotations

from typing import Any

import pytest

from automl import AutoMLConfig, AutoMLConfigError
from forecasting import ForecastingError, ForecastingParameters
from tests.automl.forecasting.conftest import daily_frame

PARAMS = ForecastingParameters("date", forecast_horizon=7, time_series_id_column_names="store")


def make(**changes: Any) -> AutoMLConfig:
    settings: dict[str, Any] = {
        "training_data": daily_frame(n=30),
        "label_column_name": "sales",
        "forecasting_parameters": PARAMS,
        **changes,
    }
    task = settings.pop("task", "forecasting")
    return AutoMLConfig(task, **settings)


def test_defaults_of_a_forecasting_config() -> None:
    config = make()
    assert config.task == "forecasting"
    assert config.primary_metric == "normalized_root_mean_squared_error"
    assert config.n_cross_validations == "auto"
    assert config.enable_stack_ensemble is False  # Azure: off for forecasting
    assert config.forecasting_parameters == PARAMS
    assert config.search_config()["forecasting_parameters"]["time_column_name"] == "date"


def test_a_stack_ensemble_is_refused_for_forecasting() -> None:
    assert make(enable_stack_ensemble=False).enable_stack_ensemble is False
    with pytest.raises(AutoMLConfigError, match=r"`enable_stack_ensemble` must be None or False"):
        make(enable_stack_ensemble=True)


def test_forecasting_parameters_as_a_dict_with_python_or_yaml_names() -> None:
    python = make(forecasting_parameters={"time_column_name": "date", "freq": "D"})
    yaml = make(forecasting_parameters={"time_column_name": "date", "frequency": "D"})
    assert python.forecasting_parameters == yaml.forecasting_parameters
    assert isinstance(python.forecasting_parameters, ForecastingParameters)


def test_to_dict_and_back() -> None:
    frame = daily_frame(n=30)
    config = make(training_data=frame, primary_metric="smape", n_cross_validations=3)
    again = AutoMLConfig.from_dict(config.to_dict(), training_data=frame)
    assert again == config
    assert again.primary_metric == "symmetric_mean_absolute_percentage_error"


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("mase", "mean_absolute_scaled_error"),
        ("wql", "weighted_quantile_loss"),
        ("r2_score", "r2_score"),
        ("spearman_correlation", "spearman_correlation"),
        ("normalized_mean_absolute_error", "normalized_mean_absolute_error"),
        ("mean_absolute_percentage_error", "mean_absolute_percentage_error"),
    ],
)
def test_forecasting_metrics(metric: str, expected: str) -> None:
    assert make(primary_metric=metric).primary_metric == expected


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"forecasting_parameters": None}, AutoMLConfigError,
         r"`forecasting_parameters` is required for task 'forecasting'"),
        ({"task": "classification"}, AutoMLConfigError,
         r"`forecasting_parameters` must be None for task 'classification'"),
        ({"forecasting_parameters": "date"}, AutoMLConfigError,
         r"`forecasting_parameters` must be a ForecastingParameters or a mapping"),
        ({"forecasting_parameters": {"forecast_horizon": 3}}, AutoMLConfigError,
         r"`forecasting_parameters` must set `time_column_name`"),
        ({"forecasting_parameters": {"time_column_name": "date", "forecast_horizon": 0}},
         AutoMLConfigError, r"^`forecasting_parameters.forecast_horizon` must be"),
        ({"forecasting_parameters": {"time_column_name": "date", "horizon": 3}},
         AutoMLConfigError, r"`forecasting_parameters` has an unexpected argument `horizon`"),
        ({"forecasting_parameters": ForecastingParameters("day")}, AutoMLConfigError,
         r"`forecasting_parameters.time_column_name` must be a column of `training_data`, got "
         r"'day'"),
        ({"forecasting_parameters": {"time_column_name": "date",
                                     "time_series_id_column_names": "shop"}},
         AutoMLConfigError, r"`forecasting_parameters.time_series_id_column_names` must be a "
         r"column of `training_data`, got 'shop'"),
        ({"primary_metric": "accuracy"}, AutoMLConfigError,
         r"`primary_metric` must be one of normalized_root_mean_squared_error, .*"
         r"weighted_quantile_loss for task 'forecasting'.*got 'accuracy'"),
        ({"primary_metric": "mean_absolute_scaled_eror"}, AutoMLConfigError,
         r"did you mean 'mean_absolute_scaled_error'"),
        ({"n_cross_validations": 0}, AutoMLConfigError,
         r"`n_cross_validations` must be an int >= 1 \(the rolling origins\) or 'auto'"),
        ({"validation_size": 0.2}, AutoMLConfigError,
         r"`validation_size` is not supported for task 'forecasting' yet"),
        ({"test_size": 0.2}, AutoMLConfigError,
         r"`test_size` is not supported for task 'forecasting' yet"),
        ({"allowed_models": ["Prophet"]}, AutoMLConfigError,
         r"`allowed_models` contains 'Prophet', which is not a forecasting model.*Valid for "
         r"forecasting: Naive, SeasonalNaive"),
        ({"allowed_models": ["LightGBM"], "blocked_models": ["light_gbm"]}, AutoMLConfigError,
         r"every model is blocked"),
        ({"featurization": "off"}, AutoMLConfigError,
         r"`featurization` must be 'auto' for task 'forecasting'"),
        ({"primary_metric": "mase", "experiment_exit_score": -1.0}, AutoMLConfigError,
         r"`experiment_exit_score` must be within the range of `primary_metric` "
         r"'mean_absolute_scaled_error' \[0, inf\]"),
    ],
)  # fmt: skip
def test_bad_forecasting_settings(
    changes: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        make(**changes)


def test_a_horizon_below_one_is_an_error_of_the_parameters() -> None:
    with pytest.raises(ForecastingError, match=r"`forecast_horizon` must be"):
        ForecastingParameters("date", forecast_horizon=0)


def test_allowed_models_take_any_spelling() -> None:
    config = make(allowed_models=["light_gbm", "stl_theta", "seasonal-naive"])
    assert config.allowed_models == ("LightGBM", "STL-Theta", "SeasonalNaive")
