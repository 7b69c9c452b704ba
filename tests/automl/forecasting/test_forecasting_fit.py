"""End-to-end forecasting fits on tiny generated panels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLResult, load_model
from automl.tasks.forecasting import ForecastingPipeline
from forecasting import FORECAST_METRICS, ForecastingError
from tests.automl.forecasting.conftest import (
    HORIZON,
    STORES,
    forecast_config,
    future_frame,
    monthly_frame,
)

NRMSE = "normalized_root_mean_squared_error"
STATISTICAL = {
    "Naive", "SeasonalNaive", "Average", "SeasonalAverage", "Theta", "ExponentialSmoothing",
    "AutoArima",
}  # fmt: skip


def test_leaderboard_holds_the_cheapest_models_best_first(forecast_run: AutoMLResult) -> None:
    board = forecast_run.leaderboard
    assert len(board) == 6
    assert (board["status"] == "completed").all()
    assert set(board["algorithm"]) <= STATISTICAL | {"ElasticNet", "VotingEnsemble"}
    assert {"Naive", "SeasonalNaive", "ElasticNet"} <= set(board["algorithm"])
    # The voting ensemble is the last child (max_trials=6: five models, then the ensemble).
    [ensemble] = board.index[board["kind"] == "ensemble"].tolist()
    assert board.at[ensemble, "algorithm"] == "VotingEnsemble"
    assert board.at[ensemble, "index"] == 5
    for metric in FORECAST_METRICS:
        assert metric in board.columns
    scores = board[NRMSE].tolist()
    assert scores == sorted(scores)
    assert forecast_run.best_score == pytest.approx(scores[0])
    assert forecast_run.best_model is not None
    assert forecast_run.best_model.algorithm == board["algorithm"].iloc[0]
    assert forecast_run.status_reason is not None and "max_total_trials=6" in (
        forecast_run.status_reason
    )


def test_children_report_once_per_rolling_origin(forecast_run: AutoMLResult) -> None:
    workspace = forecast_run.workspace
    assert workspace is not None
    for child in forecast_run.children:
        if child.kind == "ensemble":  # no origins of its own: it combines the children's
            continue
        history = workspace.metric_history(child.id, NRMSE)
        assert sorted(history["step"].unique().tolist())[:2] == [1, 2]
        assert "oof.joblib" in {artifact.name for artifact in workspace.artifacts(child.id)}
    assert "2 origin(s)" in forecast_run.validation


def test_guardrails_come_from_the_panel_preparation(forecast_run: AutoMLResult) -> None:
    names = {guardrail.name for guardrail in forecast_run.guardrails}
    assert {"Time column parsing", "Frequency detection", "Short series handling"} <= names


def test_best_model_forecasts_the_asked_periods(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline)
    assert model.forecast_horizon == HORIZON and model.freq == "D"
    forecast = model.forecast(future_frame())
    assert list(forecast.columns) == ["store", "date", "sales"]
    assert len(forecast) == HORIZON * len(STORES)
    first = forecast[forecast["store"] == "north"]
    expected = pd.date_range("2024-03-21", periods=HORIZON, freq="D")
    assert (pd.DatetimeIndex(first["date"]) == expected).all()
    assert np.isfinite(forecast["sales"]).all()
    # A subset of the periods (the third only) forecasts the same values.
    third = model.forecast(future_frame("2024-03-23", periods=1))
    merged = third.merge(forecast, on=["store", "date"], suffixes=("", "_all"))
    np.testing.assert_allclose(merged["sales"], merged["sales_all"])


def test_quantiles_are_ordered_around_the_forecast(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline)
    bands = model.forecast_quantiles(future_frame())
    assert list(bands.columns) == ["store", "date", "q0.1", "q0.5", "q0.9"]
    assert (bands["q0.1"] <= bands["q0.5"]).all() and (bands["q0.5"] <= bands["q0.9"]).all()
    assert (bands["q0.1"] < bands["q0.9"]).any()
    point = model.forecast(future_frame())
    np.testing.assert_allclose(bands["q0.5"], point["sales"])
    wide = model.forecast_quantiles(future_frame(), quantiles=[0.95, 0.05])
    assert list(wide.columns)[-2:] == ["q0.05", "q0.95"]


def test_registered_model_loads_and_forecasts_the_same(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline)
    assert forecast_run.registered_model_name is not None
    loaded = load_model(forecast_run.workspace, forecast_run.registered_model_name)
    assert isinstance(loaded, ForecastingPipeline)
    pd.testing.assert_frame_equal(loaded.forecast(future_frame()), model.forecast(future_frame()))
    version = forecast_run.model_version
    assert version is not None
    extra = version.lineage["extra"]
    assert extra["forecasting_parameters"]["time_column_name"] == "date"
    assert extra["forecast_horizon"] == HORIZON and extra["freq"] == "D"
    assert version.tags["task"] == "forecasting"


def test_forecasting_an_unseen_series_is_an_error(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline)
    with pytest.raises(ForecastingError, match=r"series not seen in training.*'store': 'west'"):
        model.forecast(future_frame(stores=("west",)))
    with pytest.raises(ForecastingError, match=r"`time_column_name` names the column 'date'"):
        model.forecast(future_frame().drop(columns=["date"]))


def test_forecasting_past_the_horizon_is_an_error(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline)
    with pytest.raises(ForecastingError, match=r"past the forecast horizon of 7 period"):
        model.forecast(future_frame(periods=HORIZON + 1))
    with pytest.raises(ForecastingError, match=r"at or before the end of its training data"):
        model.forecast(future_frame("2024-03-20", periods=1))


@pytest.mark.slow
def test_same_seed_and_max_trials_give_the_same_leaderboard_ensemble_and_forecasts(
    forecast_run: AutoMLResult, tmp_path: Path
) -> None:
    again = forecast_config(tmp_path / "ws", experiment_name="daily").fit(show_output=False)
    columns = ["index", "algorithm", "status", *FORECAST_METRICS, "cost"]
    first = forecast_run.leaderboard[columns].sort_values("index").reset_index(drop=True)
    second = again.leaderboard[columns].sort_values("index").reset_index(drop=True)
    pd.testing.assert_frame_equal(first, second)
    assert [run.params for run in again.children] == [run.params for run in forecast_run.children]
    # The same ensemble (members and weights), refitted into the same forecasts.
    ensemble = forecast_run.leaderboard["kind"] == "ensemble"
    kept = again.leaderboard["kind"] == "ensemble"
    mine = forecast_run.leaderboard.loc[ensemble, "hyperparameters"].iloc[0]
    theirs = again.leaderboard.loc[kept, "hyperparameters"].iloc[0]
    assert (mine["members"], mine["weights"]) == (theirs["members"], theirs["weights"])
    mine_model, their_model = forecast_run.best_model, again.best_model
    assert isinstance(mine_model, ForecastingPipeline)
    assert isinstance(their_model, ForecastingPipeline)
    future = future_frame()
    pd.testing.assert_frame_equal(
        their_model.forecast_quantiles(future), mine_model.forecast_quantiles(future)
    )


def test_global_regressor_with_a_known_covariate(tmp_path: Path) -> None:
    frame = monthly_frame()
    result = forecast_config(
        tmp_path / "ws",
        training_data=frame,
        label_column_name="demand",
        forecasting_parameters={
            "time_column_name": "month",
            "forecast_horizon": "auto",
            "time_series_id_column_names": ["product"],
            "country_or_region_for_holidays": "US",
        },
        allowed_models=["ElasticNet", "seasonal_naive"],
        primary_metric="mase",
        max_trials=3,
        n_cross_validations="auto",
    ).fit(show_output=False)
    board = result.leaderboard
    assert set(board["algorithm"]) == {"ElasticNet", "SeasonalNaive", "VotingEnsemble"}
    assert (board["status"] == "completed").all()
    assert result.primary_metric == "mean_absolute_scaled_error"
    model = result.best_model
    assert isinstance(model, ForecastingPipeline)
    assert model.forecast_horizon == 12  # "auto": one year of months
    months = pd.date_range("2025-01-01", periods=12, freq="MS")
    future = pd.DataFrame(
        {"product": np.repeat(["tea", "coffee"], 12), "month": np.tile(months, 2), "promo": 0.0}
    )
    forecast = model.forecast(future)
    assert len(forecast) == 24 and np.isfinite(forecast["demand"]).all()
    with pytest.raises(ForecastingError, match=r"known covariate 'promo' must be in the future"):
        model.forecast(future.drop(columns=["promo"]))


@pytest.mark.slow
def test_a_bandit_policy_stops_children_after_their_first_origin(tmp_path: Path) -> None:
    from trials import BanditPolicy

    result = forecast_config(
        tmp_path / "ws",
        max_trials=8,
        n_cross_validations=3,
        early_termination_policy=BanditPolicy(slack_factor=0.1, evaluation_interval=1),
    ).fit(show_output=False)
    board = result.leaderboard
    stopped = board[board["status"] == "early_terminated"]
    assert len(stopped) >= 1
    workspace = result.workspace
    assert workspace is not None
    for run_id in stopped["run_id"]:
        steps = workspace.metric_history(run_id, NRMSE)["step"].unique().tolist()
        assert max(steps) < 3  # stopped before its last origin
    assert result.best_model is not None
    assert result.best_run is not None and str(result.best_run.status) == "completed"


@pytest.mark.slow
def test_the_timeout_is_a_promise(tmp_path: Path) -> None:
    import time

    started = time.monotonic()
    result = forecast_config(tmp_path / "ws", max_trials=1000, experiment_timeout_minutes=0.1).fit(
        show_output=False
    )
    elapsed = time.monotonic() - started
    assert elapsed <= 6 * 1.05 + 5
    # Ended by the timeout, or closed at the deadline by the ensemble it kept room for.
    closed_by_ensemble = (result.leaderboard["kind"] == "ensemble").any()
    assert result.status_reason is not None
    assert "timeout" in result.status_reason or closed_by_ensemble
    assert result.best_model is not None
