"""The `forecasting:` section of a v2 AutoML job, forecasting algorithm names, and `automl run`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from automl._yaml import AutoMLJobError, config_to_yaml_mapping, parse_automl_job
from automl._yaml_forecasting import write_forecast_algorithm
from automl.cli import main
from automl.tasks.forecasting import forecast_model_names
from forecasting import ForecastingParameters
from forecasting._parameters import V2_NAMES

FIXTURES = Path(__file__).parent / "fixtures"


def job(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "automl",
        "task": "forecasting",
        "target_column_name": "sales",
        "training_data": {"type": "uri_file", "path": "daily.csv"},
        "forecasting": {"time_column_name": "date", "forecast_horizon": 7},
    }
    for path, value in changes.items():
        section, _, key = path.rpartition(".")
        (base.setdefault(section, {}) if section else base)[key] = value
    return base


def parse(data: dict[str, Any]) -> Any:
    return parse_automl_job(data, base_dir=FIXTURES).config


# Every v2 key of the section: (a value written in YAML, the field's value it gives).
SECTION_SAMPLES: dict[str, tuple[Any, Any]] = {
    "time_column_name": ("date", "date"),
    "forecast_horizon": (7, 7),
    "time_series_id_column_names": (["store"], ("store",)),
    "frequency": ("D", "D"),
    "target_lags": ([1, 7], (1, 7)),
    "feature_lags": ("auto", "auto"),
    "target_rolling_window_size": (7, 7),
    "seasonality": (7, 7),
    "country_or_region_for_holidays": ("AU", "AU"),
    "use_stl": ("season_trend", "season_trend"),
    "short_series_handling_config": ("drop", "drop"),
    "target_aggregate_function": ("sum", "sum"),
    "cv_step_size": (3, 3),
    "features_unknown_at_forecast_time": (["promo"], ("promo",)),
    "quantiles": ([0.05, 0.5, 0.95], (0.05, 0.5, 0.95)),
}


def test_the_samples_cover_the_one_names_table() -> None:
    assert set(SECTION_SAMPLES) == set(V2_NAMES)


@pytest.mark.parametrize("key", sorted(SECTION_SAMPLES))
def test_every_section_key_both_ways(key: str) -> None:
    written, expected = SECTION_SAMPLES[key]
    section = {"time_column_name": "date", key: written}
    config = parse(job(forecasting=section))
    params = config.forecasting_parameters
    assert isinstance(params, ForecastingParameters)
    assert getattr(params, V2_NAMES[key]) == expected  # v2 key -> field
    back = config_to_yaml_mapping(config, base_dir=FIXTURES)
    assert back["forecasting"][key] == written  # field -> v2 key
    assert parse(back) == config


def test_a_full_forecasting_job() -> None:
    config = parse(
        job(
            primary_metric="mean_absolute_scaled_error",
            forecasting={
                "time_column_name": "date",
                "forecast_horizon": 7,
                "time_series_id_column_names": ["store"],
                "country_or_region_for_holidays": "AU",
                "short_series_handling_config": "auto",
                "quantiles": [0.1, 0.5, 0.9],
            },
            **{
                "limits.max_trials": 5,
                "n_cross_validations": 2,
                "training.allowed_training_algorithms": ["seasonal_naive", "stl_theta",
                                                         "exponential_smoothing", "light_gbm"],
                "training.enable_vote_ensemble": False,
            },
        )
    )  # fmt: skip
    assert config.task == "forecasting"
    assert config.label_column_name == "sales"
    assert config.primary_metric == "mean_absolute_scaled_error"
    assert config.allowed_models == ("SeasonalNaive", "STL-Theta", "ExponentialSmoothing",
                                     "LightGBM")  # fmt: skip
    assert config.enable_voting_ensemble is False
    params = config.forecasting_parameters
    assert params == ForecastingParameters(
        "date", forecast_horizon=7, time_series_id_column_names="store",
        country_or_region_for_holidays="AU",
    )  # fmt: skip
    back = config_to_yaml_mapping(config, base_dir=FIXTURES)
    assert back["forecasting"] == {
        "time_column_name": "date",
        "forecast_horizon": 7,
        "time_series_id_column_names": ["store"],
        "country_or_region_for_holidays": "AU",
    }  # defaults are not written
    assert back["training"]["allowed_training_algorithms"] == [
        "seasonal_naive", "stl_theta", "exponential_smoothing", "light_gbm",
    ]  # fmt: skip
    assert parse(back) == config


def test_every_forecasting_model_has_a_v2_spelling_that_reads_back() -> None:
    names = list(forecast_model_names())
    spelled = [write_forecast_algorithm(name) for name in names]
    config = parse(job(**{"training.blocked_training_algorithms": spelled[:1],
                          "training.allowed_training_algorithms": spelled[1:]}))  # fmt: skip
    assert list(config.allowed_models) == names[1:]
    assert list(config.blocked_models) == names[:1]


def test_blocking_an_azure_only_model_is_a_notice() -> None:
    parsed = parse_automl_job(
        job(**{"training.blocked_training_algorithms": ["prophet", "naive"]}), base_dir=FIXTURES
    )
    assert parsed.config.blocked_models == ("Naive",)
    assert any("'prophet' is an Azure model" in notice for notice in parsed.notices)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"forecasting": {"time_column_name": "date", "horizon": 7}},
         r"^unknown key 'horizon' in `forecasting`; valid keys: country_or_region_for_holidays, "
         r"cv_step_size, .*forecast_horizon.*\(did you mean 'forecast_horizon'\?\)"),
        ({"forecasting": {"time_column_name": "date", "freq": "D"}},
         r"unknown key 'freq' in `forecasting`.*that is the Python name; the YAML key is "
         r"`frequency`"),
        ({"forecasting": {"time_column_name": "date",
                          "short_series_handling_configuration": "pad"}},
         r"the YAML key is `short_series_handling_config`"),
        ({"forecasting": {"forecast_horizon": 7}},
         r"^`forecasting.time_column_name` is required"),
        ({"forecasting": ["date"]}, r"^`forecasting` must be a mapping, got \['date'\] \(list\)"),
        ({"forecasting": {"time_column_name": "date", "forecast_horizon": 0}},
         r"^`forecasting.forecast_horizon` must be an int >= 1 or 'auto', got 0"),
        ({"forecasting": {"time_column_name": "date", "short_series_handling_config": "trim"}},
         r"^`forecasting.short_series_handling_config` must be one of 'auto', 'pad', 'drop'"),
        ({"forecasting": {"time_column_name": "date", "target_aggregate_function": "median"}},
         r"^`forecasting.target_aggregate_function` must be one of 'sum', 'max'"),
        ({"forecasting": {"time_column_name": "when"}},
         r"^`forecasting.time_column_name` must be a column of `training_data`, got 'when'"),
        ({"forecasting": {"time_column_name": "date",
                          "time_series_id_column_names": ["shop"]}},
         r"^`forecasting.time_series_id_column_names` must be a column of `training_data`"),
        ({"forecasting": None}, r"`forecasting` is required for task 'forecasting'"),
        ({"primary_metric": "accuracy"}, r"^`primary_metric` must be one of "
         r"normalized_root_mean_squared_error"),
        ({"training.allowed_training_algorithms": ["prophet"]}, r"^`training.allowed_training_"
         r"algorithms` contains 'prophet', an Azure forecasting model that openaml does not "
         r"provide; valid: naive, seasonal_naive"),
        ({"training.allowed_training_algorithms": ["thetta"]}, r"unknown forecasting algorithm "
         r"'thetta' \(did you mean 'theta'\?\)"),
        ({"training.allowed_training_algorithms": "naive"}, r"must be a list of algorithm names"),
        ({"validation_data_size": 0.2}, r"^`validation_data_size` is not supported for task "
         r"'forecasting'"),
    ],
)  # fmt: skip
def test_errors_name_the_forecasting_key(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(AutoMLJobError, match=match):
        parse(job(**changes))


JOB = """\
type: automl
task: forecasting
experiment_name: tiny_forecast
primary_metric: normalized_root_mean_squared_error
target_column_name: sales
training_data:
  type: uri_file
  path: daily.csv
n_cross_validations: 2
forecasting:
  time_column_name: date
  time_series_id_column_names: [store]
  forecast_horizon: 5
limits:
  max_trials: 3
training:
  allowed_training_algorithms: [naive, seasonal_naive, average]
"""


def test_automl_run_forecasts_from_a_yaml_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "daily.csv").write_bytes((FIXTURES / "daily.csv").read_bytes())
    path = tmp_path / "job.yaml"
    path.write_text(JOB, encoding="utf-8")
    status = main(["--workspace", str(tmp_path / "ws"), "run", str(path), "--json"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    report = json.loads(captured.out)
    assert report["experiment"] == "tiny_forecast"
    assert report["primary_metric"] == "normalized_root_mean_squared_error"
    algorithms = [row["algorithm"] for row in report["leaderboard"]]
    assert len(algorithms) == 3 and "VotingEnsemble" in algorithms  # two models, then it
    assert set(algorithms) <= {"Naive", "SeasonalNaive", "Average", "VotingEnsemble"}
    assert report["registered_model_name"] == "tiny_forecast"
    assert "2 origin(s)" in report["validation"]


@pytest.mark.parametrize(
    ("written", "metric"),
    [
        ("NormalizedRootMeanSquaredError", "normalized_root_mean_squared_error"),
        ("spearman_correlation", "spearman_correlation"),
        ("mase", "mean_absolute_scaled_error"),
        ("WeightedQuantileLoss", "weighted_quantile_loss"),
    ],
)
def test_forecasting_metrics_in_any_v2_spelling(written: str, metric: str) -> None:
    config = parse(job(primary_metric=written))
    assert config.primary_metric == metric
    assert parse(config_to_yaml_mapping(config, base_dir=FIXTURES)) == config
