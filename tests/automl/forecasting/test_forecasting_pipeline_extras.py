"""ForecastingPipeline extras: forecasts with recent actuals, rolling_forecast, plot_forecast.

Pipelines are built from real forecasters fitted on a generated daily panel (three stores, 80
training days, 14 test days after them); plot_forecast runs on one small AutoML fit.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest

from automl import AutoMLResult
from automl.tasks.forecasting import ForecastingPipeline
from forecasting import ForecastingError, ForecastingParameters, prepare_panel
from forecasting.models import Forecaster, GlobalRegressionForecaster, get_forecaster
from tests.automl.forecasting.conftest import (
    HORIZON,
    STORES,
    daily_frame,
    forecast_config,
    future_frame,
)

FULL = daily_frame(n=94)
TRAIN = FULL[FULL["date"] < "2024-03-21"].reset_index(drop=True)  # 80 days
TEST = FULL[FULL["date"] >= "2024-03-21"].reset_index(drop=True)  # 14 days
RECENT = TEST[TEST["date"] < "2024-03-24"].reset_index(drop=True)  # 3 days


def pipeline_of(forecaster: Forecaster) -> ForecastingPipeline:
    params = ForecastingParameters(
        "date", forecast_horizon=HORIZON, time_series_id_column_names="store"
    )
    prepared = prepare_panel(TRAIN, "sales", params)
    forecaster.fit(
        prepared.panel, freq=prepared.freq, seasonality=prepared.seasonality, horizon=HORIZON
    )
    return ForecastingPipeline(
        forecaster,
        prepared,
        horizon=HORIZON,
        algorithm=forecaster.name,
        hyperparameters={},
        quantiles=(0.1, 0.5, 0.9),
    )


@pytest.fixture(scope="module")
def naive() -> ForecastingPipeline:
    return pipeline_of(get_forecaster("Naive"))


def last_recent_sales() -> pd.Series:
    return RECENT.groupby("store")["sales"].last()


def test_recent_actuals_move_the_origin_without_refitting(naive: ForecastingPipeline) -> None:
    future = future_frame("2024-03-24")
    forecast = naive.forecast(future, X_recent=RECENT)
    assert len(forecast) == len(STORES) * HORIZON
    expected = forecast["store"].map(last_recent_sales())
    np.testing.assert_allclose(forecast["sales"], expected)
    given = naive.forecast(
        future, X_recent=RECENT.drop(columns="sales"), y_recent=RECENT["sales"].to_numpy()
    )
    pd.testing.assert_frame_equal(given, forecast)
    quantiles = naive.forecast_quantiles(future, [0.1, 0.5], X_recent=RECENT)
    np.testing.assert_allclose(quantiles["q0.5"], forecast["sales"])
    assert (quantiles["q0.1"] <= quantiles["q0.5"]).all()
    # Without recent actuals the same model forecasts from the end of training.
    before = naive.forecast(future_frame())
    assert (before["sales"] == before["store"].map(TRAIN.groupby("store")["sales"].last())).all()


def test_a_global_model_rebuilds_its_lags_from_the_recent_actuals() -> None:
    from sklearn.linear_model import Ridge

    pipeline = pipeline_of(GlobalRegressionForecaster(regressor=Ridge()))
    forecast = pipeline.forecast(future_frame())
    # Recent actuals equal to its own first three forecasts: the recursive model continues.
    own = forecast[forecast["date"] < "2024-03-24"]
    later = pipeline.forecast(future_frame("2024-03-24", periods=4), X_recent=own)
    expected = forecast[forecast["date"] >= "2024-03-24"].reset_index(drop=True)
    np.testing.assert_allclose(later["sales"], expected["sales"])
    moved = pipeline.forecast(future_frame("2024-03-24"), X_recent=RECENT)
    assert np.isfinite(moved["sales"]).all()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"X_future": future_frame("2024-03-24", periods=HORIZON + 1)}, r"past the forecast"
         r" horizon of 7 period\(s\) \(2024-03-23 00:00:00 is its last known period"),
        ({"X_future": future_frame("2024-03-23", periods=2)},
         r"at or before the end of its recent actuals"),
        ({"X_recent": TEST[TEST["date"] < "2024-03-24"].assign(store="west")},
         r"the recent data has 1 series not seen in training, e.g. \{'store': 'west'\}"),
        ({"X_future": future_frame("2024-03-24", stores=("west",))},
         r"the future data has 1 series not seen in training"),
        ({"X_recent": FULL[(FULL["date"] >= "2024-03-20") & (FULL["date"] < "2024-03-24")]},
         r"recent actuals \(`X_recent`\) must continue each series' training data period after "
         r"period; series 'east' at 2024-03-20 00:00:00 overlaps the training data"),
        ({"X_recent": RECENT[RECENT["date"] > "2024-03-21"]},
         r"series 'east' at 2024-03-22 00:00:00 leaves a gap: 2024-03-21 00:00:00 is missing"),
        ({"X_recent": RECENT.assign(sales=np.nan)},
         r"must hold the actual of every recent period, got 9 missing"),
        ({"X_recent": RECENT.drop(columns="sales")},
         r"`X_recent` must hold the label column 'sales' with the actuals, or give them as"),
        ({"X_recent": RECENT, "y_recent": RECENT["sales"]},
         r"`y_recent` must be None when `X_recent` holds the label column 'sales'"),
        ({"X_recent": RECENT.drop(columns="sales"), "y_recent": [1.0, 2.0]},
         r"`y_recent` must hold one actual per row of `X_recent` \(9\), got 2"),
        ({"X_recent": None, "y_recent": [1.0]}, r"`y_recent` needs `X_recent`"),
    ],
)  # fmt: skip
def test_bad_recent_actuals_and_periods_are_errors(
    naive: ForecastingPipeline, changes: dict[str, Any], message: str
) -> None:
    arguments = {"X_future": future_frame("2024-03-24"), "X_recent": RECENT, **changes}
    with pytest.raises(ForecastingError, match=message):
        naive.forecast(**arguments)


def test_a_statistical_model_with_parameters_forwards_them() -> None:
    pipeline = pipeline_of(get_forecaster("ExponentialSmoothing"))
    moved = pipeline.forecast_quantiles(future_frame("2024-03-24"), X_recent=RECENT)
    assert np.isfinite(moved[["q0.1", "q0.5", "q0.9"]].to_numpy()).all()
    assert (moved["q0.1"] <= moved["q0.9"]).all()


def test_rolling_forecast_walks_the_test_period_from_every_origin(
    naive: ForecastingPipeline,
) -> None:
    rolled = naive.rolling_forecast(TEST, step=1, quantiles=[0.1, 0.9])
    columns = ["store", "forecast_origin", "date", "forecast", "q0.1", "q0.9", "actual"]
    assert list(rolled.columns) == columns
    # 14 origins per store, each forecasting up to 7 of the days left: 7 * 8 + 6 + ... + 1.
    assert len(rolled) == len(STORES) * (7 * 8 + 21)
    north = rolled[rolled["store"] == "north"]
    sales = FULL[FULL["store"] == "north"].set_index("date")["sales"]
    # Naive: every forecast is the last actual known at its origin.
    np.testing.assert_allclose(north["forecast"], sales.reindex(north["forecast_origin"]))
    np.testing.assert_allclose(north["actual"], sales.reindex(north["date"]))
    steps = (north["date"] - north["forecast_origin"]).dt.days
    assert steps.between(1, HORIZON).all()
    assert north["forecast_origin"].min() == pd.Timestamp("2024-03-20")
    every_third = naive.rolling_forecast(TEST.drop(columns="sales"), TEST["sales"], step=3)
    origins = every_third.groupby("store")["forecast_origin"].nunique()
    assert (origins == 5).all()  # days 0, 3, 6, 9 and 12 of the test period


@pytest.mark.parametrize(
    ("X", "step", "message"),
    [
        (TEST, 0, r"`step` must be an integer >= 1, got 0"),
        (TEST, 1.5, r"`step` must be an integer >= 1, got 1.5"),
        (TEST[TEST["date"] != "2024-03-25"], 1, r"leaves a gap: 2024-03-25 00:00:00 is missing"),
        (FULL[FULL["date"] >= "2024-03-19"], 1, r"overlaps the training data"),
        (TEST.drop(columns="sales"), 1, r"`X` must hold the label column 'sales'"),
    ],
)
def test_bad_rolling_forecasts_are_errors(
    naive: ForecastingPipeline, X: pd.DataFrame, step: Any, message: str
) -> None:
    with pytest.raises(ForecastingError, match=message):
        naive.rolling_forecast(X, step=step)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> AutoMLResult:
    config = forecast_config(
        tmp_path_factory.mktemp("ws_plot"),
        allowed_models=["SeasonalNaive"],
        max_trials=1,
        enable_voting_ensemble=False,
    )
    result: AutoMLResult = config.fit(show_output=False)
    return result


def test_plot_forecast_draws_history_forecast_and_band(fitted: AutoMLResult) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = fitted.plot_forecast("north")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["history", "SeasonalNaive"]
    assert ax.get_title() == "store=north: sales"
    assert len(ax.collections) == 1  # the 0.1 to 0.9 band
    forecast_line = ax.get_lines()[1]
    assert len(forecast_line.get_xdata()) == HORIZON
    moved = fitted.plot_forecast(
        {"store": "south"}, future_frame("2024-03-24", periods=3), X_recent=RECENT
    )
    assert [line.get_label() for line in moved.get_lines()][:3] == [
        "history", "recent actuals", "SeasonalNaive",
    ]  # fmt: skip
    plt.close("all")


def test_plot_forecast_errors(fitted: AutoMLResult) -> None:
    with pytest.raises(ForecastingError, match=r"`series_id` must name a series seen in training"):
        fitted.plot_forecast("west")
    with pytest.raises(ValueError, match=r"plot_forecast needs the result of a forecasting"):
        dataclasses.replace(fitted, best_model=None).plot_forecast("north")


def test_plot_forecast_without_matplotlib_names_the_package(
    naive: ForecastingPipeline, tmp_path: Path
) -> None:
    path = tmp_path / "pipeline.joblib"
    joblib.dump(naive, path)
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["matplotlib"] = None  # as if not installed
        sys.modules["matplotlib.pyplot"] = None
        import joblib
        from automl.learners import MissingDependencyError
        from automl.tasks.forecasting._plot import plot_forecast
        try:
            plot_forecast(joblib.load({str(path)!r}), "north")
        except MissingDependencyError as error:
            print(error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "plot_forecast needs matplotlib: pip install matplotlib"
