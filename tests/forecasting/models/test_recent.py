"""Recent actuals move a fitted forecaster's origin without refitting: ``with_recent``.

Parameter-free models give exactly what a refit on the extended data gives; models with
parameters run them over the extended history (statsforecast's ``forward``); the global
models rebuild their lags. Bad recent actuals are errors naming the series and the periods.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from forecasting._errors import ForecastingError
from forecasting.models import (
    Forecaster,
    ForecasterInfo,
    GlobalRegressionForecaster,
    NotFittedError,
    get_forecaster,
)

HORIZON = 6
SEASON = 12
FIT: dict[str, Any] = {"freq": "MS", "seasonality": SEASON, "horizon": HORIZON}


def panel(n: int = 66, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(3):
        t = np.arange(n)
        y = 20 + 5 * k + 0.1 * t + 4 * np.sin(2 * np.pi * t / SEASON + k) + rng.normal(0, 0.3, n)
        ds = pd.date_range("2015-01-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


FULL = panel()
POSITION = FULL.groupby("unique_id").cumcount()
TRAIN = FULL[POSITION < 60].reset_index(drop=True)
RECENT = FULL[(POSITION >= 60) & (POSITION < 63)].reset_index(drop=True)
EXTENDED = FULL[POSITION < 63].reset_index(drop=True)


@pytest.mark.parametrize("name", ["Naive", "SeasonalNaive", "Average", "SeasonalAverage"])
def test_parameter_free_models_forecast_as_if_refitted_on_the_extended_data(name: str) -> None:
    moved = get_forecaster(name).fit(TRAIN, **FIT).with_recent(RECENT)
    refitted = get_forecaster(name).fit(EXTENDED, **FIT)
    # SeasonalAverage's band keeps the residual scale learnt in training (a parameter).
    columns = ["unique_id", "ds", "yhat"] if name == "SeasonalAverage" else slice(None)
    pd.testing.assert_frame_equal(
        moved.predict(quantiles=[0.1, 0.9]).loc[:, columns],
        refitted.predict(quantiles=[0.1, 0.9]).loc[:, columns],
    )


@pytest.mark.parametrize(
    "name", ["ExponentialSmoothing", "AutoArima", "Theta", "STL-ExponentialSmoothing"]
)
def test_models_with_parameters_run_them_over_the_extended_history(name: str) -> None:
    model = get_forecaster(name).fit(TRAIN, **FIT)
    moved = model.with_recent(RECENT).predict(quantiles=[0.1, 0.9])
    refitted = get_forecaster(name).fit(EXTENDED, **FIT).predict()
    before = model.predict()
    assert moved["ds"].min() == pd.Timestamp("2020-04-01")  # after the recent actuals
    assert (moved["q0.1"] <= moved["yhat"]).all() and (moved["yhat"] <= moved["q0.9"]).all()
    # Close to a refit (same data, parameters not re-estimated), unlike the old origin's.
    np.testing.assert_allclose(moved["yhat"], refitted["yhat"], atol=1.0)
    assert np.abs(before["yhat"].to_numpy() - moved["yhat"].to_numpy()).max() > 1.0
    assert model.predict()["ds"].min() == pd.Timestamp("2020-01-01")  # the original unchanged


@pytest.mark.parametrize(
    ("strategy", "differencing"),
    [("recursive", None), ("direct", None), ("recursive", "seasonal"), ("direct", "seasonal")],
)
def test_global_models_read_their_lags_from_the_recent_actuals(
    strategy: str, differencing: str | None
) -> None:
    model = GlobalRegressionForecaster(
        regressor=Ridge(), strategy=strategy, differencing=differencing
    ).fit(TRAIN, **FIT)
    forecast = model.predict()
    # Actuals equal to the model's own first three forecasts: a recursive model continues
    # its forecast exactly (it feeds its forecasts back the same way).
    own = forecast.groupby("unique_id").head(3).rename(columns={"yhat": "y"})
    moved = model.with_recent(own).predict(3)
    expected = forecast.groupby("unique_id").tail(3).reset_index(drop=True)
    if strategy == "recursive":
        np.testing.assert_allclose(moved["yhat"], expected["yhat"])
    pd.testing.assert_frame_equal(moved[["unique_id", "ds"]], expected[["unique_id", "ds"]])
    actual = model.with_recent(RECENT).predict()
    assert np.isfinite(actual["yhat"]).all()
    assert model.last_timestamps.min() == pd.Timestamp("2019-12-01")


def test_series_without_recent_rows_keep_their_origin_and_calls_chain() -> None:
    model = get_forecaster("Naive").fit(TRAIN, **FIT)
    only_s1 = RECENT[RECENT["unique_id"] == "s1"]
    moved = model.with_recent(only_s1)
    assert moved.last_timestamps.to_dict() == {
        "s0": pd.Timestamp("2019-12-01"),
        "s1": pd.Timestamp("2020-03-01"),
        "s2": pd.Timestamp("2019-12-01"),
    }
    first, second = RECENT.groupby("unique_id").head(1), RECENT.groupby("unique_id").tail(2)
    chained = model.with_recent(first).with_recent(second)
    pd.testing.assert_frame_equal(chained.predict(), model.with_recent(RECENT).predict())


def shifted(frame: pd.DataFrame, months: int) -> pd.DataFrame:
    return frame.assign(ds=frame["ds"] + pd.DateOffset(months=months))


@pytest.mark.parametrize(
    ("recent", "message"),
    [
        (RECENT.assign(unique_id="s9"), r"only hold series seen in training; never seen: 's9'"),
        (shifted(RECENT, -1), r"series 's0' at 2019-12-01 00:00:00 overlaps the training data"),
        (shifted(RECENT, 1), r"series 's0' at 2020-02-01 00:00:00 leaves a gap: 2020-01-01"),
        (RECENT.iloc[[0, 0, 1]], r"series 's0' at 2020-01-01 00:00:00 repeats a period"),
        (RECENT.assign(y=np.nan), r"must hold the actual of every recent period, got 9 missing"),
        (RECENT.drop(columns="y"), r"must have the columns unique_id, ds and y; no \['y'\]"),
        ([1, 2, 3], r"`recent` must be a DataFrame with unique_id, ds and y, got"),
    ],
)
def test_bad_recent_actuals_are_errors(recent: Any, message: str) -> None:
    model = get_forecaster("Naive").fit(TRAIN, **FIT)
    with pytest.raises(ForecastingError, match=message):
        model.with_recent(recent)


def test_recent_actuals_need_a_fitted_model_that_can_move_its_origin() -> None:
    with pytest.raises(NotFittedError, match=r"Naive is not fitted"):
        get_forecaster("Naive").with_recent(RECENT)

    class Fixed(Forecaster):
        """A model that keeps no history: it cannot move its origin."""

        info = ForecasterInfo("Fixed", "local", package="numpy")
        param_defaults = MappingProxyType({})

        def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
            return 1.0

        def _fit(self, panel: pd.DataFrame, fitted: Any) -> None:
            """Nothing to learn: its forecast is fixed."""

        def _predict(
            self, horizon: int, quantiles: tuple[float, ...]
        ) -> tuple[np.ndarray, np.ndarray]:
            n = len(self._require_fitted().series_ids)
            return np.zeros((n, horizon)), np.zeros((n, horizon, len(quantiles)))

    fixed = Fixed().fit(TRAIN, **FIT)
    with pytest.raises(ForecastingError, match=r"Fixed cannot move its forecast origin without"):
        fixed.with_recent(RECENT)
