"""Statistical forecasters: shapes and timestamps, known forecasts, quantiles, fallbacks, errors.

Panels are tiny, generated and seeded (a seasonal sine + trend + noise); fitted models are
cached per test session so each (model, panel) pair is fitted once.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting.models import (
    FORECASTERS,
    Forecaster,
    NotFittedError,
    forecaster_names,
    get_forecaster,
)

NAMES = [*forecaster_names(), "STL-Naive", "STL-ExponentialSmoothing", "STL-Theta"]
QUANTILES = (0.1, 0.5, 0.9)
HORIZON = 6
SMALL = {"TCN": {"channels": 8, "max_steps": 40, "n_jobs": 1}}
"""Parameters that keep a model quick in the tests run on every model."""


def make_panel(
    lengths: dict[str, int], *, freq: str, seasonality: int, seed: int = 0
) -> pd.DataFrame:
    """Series ending on different dates: a seasonal sine + trend + noise, seeded."""
    rng = np.random.default_rng(seed)
    offset = pd.tseries.frequencies.to_offset(freq)
    frames = []
    for shift, (uid, n) in enumerate(lengths.items()):
        t = np.arange(n)
        y = 50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / seasonality) + rng.normal(0, 0.5, n)
        start = pd.Timestamp("2021-01-01") + shift * offset
        ds = pd.date_range(start, periods=n, freq=freq)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
    return pd.concat(frames).sort_values(["unique_id", "ds"], ignore_index=True)


# freq -> (panel, seasonality): two seasons or more in every series
PANELS: dict[str, tuple[pd.DataFrame, int]] = {
    "h": (make_panel({"a": 60, "b": 50}, freq="h", seasonality=24), 24),
    "D": (make_panel({"a": 45, "b": 30, "c": 21}, freq="D", seasonality=7), 7),
    "MS": (make_panel({"a": 60, "b": 40, "c": 36}, freq="MS", seasonality=12), 12),
}

Fit = Callable[[str, str], Forecaster]


@pytest.fixture(scope="session")
def fitted() -> Fit:
    """``fitted(name, freq)``: the model fitted on ``PANELS[freq]``, once per session."""
    cache: dict[tuple[str, str], Forecaster] = {}

    def fit(name: str, freq: str) -> Forecaster:
        if (name, freq) not in cache:
            panel, seasonality = PANELS[freq]
            model = get_forecaster(name, **SMALL.get(name, {}))
            cache[name, freq] = model.fit(
                panel, freq=freq, seasonality=seasonality, horizon=HORIZON
            )
        return cache[name, freq]

    return fit


def series(panel: pd.DataFrame, uid: str) -> np.ndarray:
    return panel.loc[panel["unique_id"] == uid, "y"].to_numpy()


def forecast_of(frame: pd.DataFrame, uid: str, column: str = "yhat") -> np.ndarray:
    return frame.loc[frame["unique_id"] == uid, column].to_numpy()


# -- every model --------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", sorted(PANELS))
@pytest.mark.parametrize("name", NAMES)
def test_forecasts_the_periods_after_each_series_end(fitted: Fit, name: str, freq: str) -> None:
    panel, _ = PANELS[freq]
    frame = fitted(name, freq).predict(quantiles=QUANTILES)
    assert list(frame.columns) == ["unique_id", "ds", "yhat", "q0.1", "q0.5", "q0.9"]
    expected = []
    for uid, rows in panel.groupby("unique_id", sort=True):
        future = pd.date_range(rows["ds"].iloc[-1], periods=HORIZON + 1, freq=freq)[1:]
        expected.append(pd.DataFrame({"unique_id": uid, "ds": future}))
    pd.testing.assert_frame_equal(
        frame[["unique_id", "ds"]], pd.concat(expected, ignore_index=True), check_dtype=False
    )
    assert frame["ds"].dtype == "datetime64[ns]"
    values = frame[["yhat", "q0.1", "q0.5", "q0.9"]].to_numpy()
    assert np.isfinite(values).all()
    assert (frame["q0.1"] <= frame["q0.5"]).all() and (frame["q0.5"] <= frame["q0.9"]).all()
    assert (frame["q0.1"] < frame["q0.9"]).any()
    np.testing.assert_array_equal(frame["q0.5"], frame["yhat"])


@pytest.mark.parametrize("name", NAMES)
def test_long_series_need_no_fallback_and_shorter_horizons_are_prefixes(
    fitted: Fit, name: str
) -> None:
    model = fitted(name, "MS")
    assert model.fallbacks == {}
    full = model.predict()
    short = model.predict(2)
    pd.testing.assert_frame_equal(short, full.groupby("unique_id").head(2).reset_index(drop=True))


@pytest.mark.parametrize("name", ["Theta", "ExponentialSmoothing", "AutoArima", "STL-Theta"])
def test_the_same_data_gives_the_same_forecasts(fitted: Fit, name: str) -> None:
    panel, seasonality = PANELS["D"]
    again = get_forecaster(name).fit(panel, freq="D", seasonality=seasonality, horizon=HORIZON)
    pd.testing.assert_frame_equal(
        again.predict(quantiles=QUANTILES), fitted(name, "D").predict(quantiles=QUANTILES)
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_fitted_model_pickles_and_forecasts_the_same(fitted: Fit, name: str) -> None:
    model = fitted(name, "D")
    restored = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(
        restored.predict(quantiles=QUANTILES), model.predict(quantiles=QUANTILES)
    )
    assert restored.fallbacks == model.fallbacks


def test_covariate_columns_are_ignored(fitted: Fit) -> None:
    panel, seasonality = PANELS["D"]
    with_covariate = panel.assign(price=np.arange(len(panel), dtype=float))
    model = get_forecaster("Theta").fit(
        with_covariate, freq="D", seasonality=seasonality, horizon=HORIZON
    )
    pd.testing.assert_frame_equal(model.predict(), fitted("Theta", "D").predict())


# -- known forecasts ----------------------------------------------------------------------------


def test_naive_repeats_the_last_value_and_average_is_the_mean(fitted: Fit) -> None:
    panel, _ = PANELS["D"]
    naive = fitted("Naive", "D").predict()
    average = fitted("Average", "D").predict()
    for uid in ("a", "b", "c"):
        y = series(panel, uid)
        np.testing.assert_allclose(forecast_of(naive, uid), np.full(HORIZON, y[-1]))
        np.testing.assert_allclose(forecast_of(average, uid), np.full(HORIZON, y.mean()))


def test_seasonal_naive_repeats_the_last_season_exactly() -> None:
    panel, seasonality = PANELS["D"]
    model = get_forecaster("SeasonalNaive").fit(
        panel, freq="D", seasonality=seasonality, horizon=2 * seasonality + 1
    )
    frame = model.predict()
    for uid in ("a", "b", "c"):
        last_season = series(panel, uid)[-seasonality:]
        expected = np.resize(last_season, 2 * seasonality + 1)
        np.testing.assert_array_equal(forecast_of(frame, uid), expected)


def test_seasonal_average_averages_each_period_over_the_last_seasons() -> None:
    panel, seasonality = PANELS["D"]
    model = get_forecaster("SeasonalAverage", window_seasons=2)
    frame = model.fit(panel, freq="D", seasonality=seasonality, horizon=HORIZON).predict()
    for uid in ("a", "b", "c"):
        y = series(panel, uid)
        season = (y[-2 * seasonality : -seasonality] + y[-seasonality:]) / 2
        np.testing.assert_allclose(forecast_of(frame, uid), season[:HORIZON])


def test_seasonal_average_uses_the_seasons_a_series_holds_and_says_so() -> None:
    panel, seasonality = PANELS["D"]  # 45, 30 and 21 points: 6, 4 and 3 weeks
    model = get_forecaster("SeasonalAverage", window_seasons=5)
    frame = model.fit(panel, freq="D", seasonality=seasonality, horizon=HORIZON).predict()
    assert model.fallbacks == {
        "b": "SeasonalAverage over 4 seasons: 30 points hold 4 of the 5 seasons asked",
        "c": "SeasonalAverage over 3 seasons: 21 points hold 3 of the 5 seasons asked",
    }
    y = series(panel, "c")
    np.testing.assert_allclose(forecast_of(frame, "c"), y.reshape(3, 7).mean(axis=0)[:HORIZON])


# -- fallbacks ----------------------------------------------------------------------------------


def test_short_series_fall_back_to_simpler_models_and_are_reported() -> None:
    panel = make_panel({"long": 40, "short": 10, "tiny": 3, "one": 1}, freq="MS", seasonality=12)
    expected = {
        "ExponentialSmoothing": {
            "short": "ExponentialSmoothing without seasonality: 10 points, fewer than 2 "
            "seasons of 12",
            "tiny": "Naive: 3 points, fewer than the 8 ExponentialSmoothing needs",
            "one": "Naive: 1 point, fewer than the 8 ExponentialSmoothing needs",
        },
        "SeasonalNaive": {
            "short": "Naive: 10 points, fewer than 2 seasons of 12",
            "tiny": "Naive: 3 points, fewer than 2 seasons of 12",
            "one": "Naive: 1 point, fewer than 2 seasons of 12",
        },
        "AutoArima": {
            "short": "AutoArima without seasonality: 10 points, fewer than 2 seasons of 12",
            "tiny": "Naive: 3 points, fewer than the 4 AutoArima needs",
            "one": "Naive: 1 point, fewer than the 4 AutoArima needs",
        },
    }
    for name, fallbacks in expected.items():
        model = get_forecaster(name).fit(panel, freq="MS", seasonality=12, horizon=HORIZON)
        frame = model.predict(quantiles=QUANTILES)
        assert model.fallbacks == fallbacks
        assert np.isfinite(frame[["yhat", "q0.1", "q0.9"]].to_numpy()).all()
        for uid in ("tiny", "one"):
            np.testing.assert_allclose(
                forecast_of(frame, uid), np.full(HORIZON, series(panel, uid)[-1])
            )


def test_seasonal_models_without_seasonality_are_their_plain_versions(fitted: Fit) -> None:
    panel, _ = PANELS["D"]
    for name, plain in [("SeasonalNaive", "Naive"), ("SeasonalAverage", "Average")]:
        model = get_forecaster(name).fit(panel, freq="D", seasonality=1, horizon=HORIZON)
        assert model.fallbacks == {uid: f"{plain}: seasonality is 1" for uid in ("a", "b", "c")}
        pd.testing.assert_frame_equal(model.predict(), fitted(plain, "D").predict())
    stl = get_forecaster("STL-ExponentialSmoothing")
    stl.fit(panel, freq="D", seasonality=1, horizon=HORIZON)
    assert set(stl.fallbacks.values()) == {
        "ExponentialSmoothing without seasonality: STL needs a seasonality above 1"
    }
    assert get_forecaster("Theta").fit(panel, freq="D", seasonality=1, horizon=2).fallbacks == {}


def test_a_model_that_fails_on_a_series_is_replaced_by_naive_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from statsforecast.models import AutoTheta

    original = AutoTheta.fit

    def fails_on_30_points(self: AutoTheta, y: np.ndarray, X: np.ndarray | None = None) -> object:
        if len(y) == 30:
            raise ValueError("boom")
        return original(self, y, X)

    monkeypatch.setattr(AutoTheta, "fit", fails_on_30_points)
    panel, seasonality = PANELS["D"]
    model = get_forecaster("Theta").fit(panel, freq="D", seasonality=seasonality, horizon=3)
    assert model.fallbacks == {"b": "Naive: Theta failed (ValueError: boom)"}
    np.testing.assert_allclose(forecast_of(model.predict(), "b"), series(panel, "b")[-1])


def test_non_finite_forecasts_are_replaced_by_naive(monkeypatch: pytest.MonkeyPatch) -> None:
    from statsforecast.models import HistoricAverage

    def nan_forecast(
        self: HistoricAverage, h: int, X: object = None, level: list[float] | None = None
    ) -> dict[str, np.ndarray]:
        bounds = [f"{side}-{lv}" for lv in level or [] for side in ("lo", "hi")]
        return {key: np.full(h, np.nan) for key in ["mean", *bounds]}

    monkeypatch.setattr(HistoricAverage, "predict", nan_forecast)
    panel, seasonality = PANELS["D"]
    model = get_forecaster("Average").fit(panel, freq="D", seasonality=seasonality, horizon=3)
    assert model.fallbacks == {
        uid: "Naive: Average gave non-finite forecasts" for uid in ("a", "b", "c")
    }
    np.testing.assert_allclose(forecast_of(model.predict(), "a"), series(panel, "a")[-1])


# -- names, parameters, search spaces, costs ----------------------------------------------------


def test_names_follow_azure_and_lookups_forgive_spelling() -> None:
    assert forecaster_names() == list(FORECASTERS)
    assert set(forecaster_names()) == {
        "Naive", "SeasonalNaive", "Average", "SeasonalAverage", "ExponentialSmoothing",
        "AutoArima", "Theta", "GlobalRegressor", "TCN",
    }  # fmt: skip
    assert get_forecaster("seasonal_naive").name == "SeasonalNaive"
    assert get_forecaster("auto-arima").name == "AutoArima"
    stl = get_forecaster("STL-ExponentialSmoothing", damped=True)
    assert stl.name == "STL-ExponentialSmoothing"
    assert stl.get_params() == {"damped": True, "use_stl": True}


def test_unknown_names_and_parameters_are_errors_with_a_hint() -> None:
    with pytest.raises(ForecastingError, match=r"got 'SeasonalNaiv'; did you mean 'SeasonalNaive'"):
        get_forecaster("SeasonalNaiv")
    with pytest.raises(ForecastingError, match=r"`name` must be one of Naive, .*got 'Prophet'$"):
        get_forecaster("Prophet")
    with pytest.raises(ForecastingError, match=r"SeasonalNaive has none\. STL variants: Naive"):
        get_forecaster("STL-SeasonalNaive")
    with pytest.raises(ForecastingError, match=r"`window_season` .*did you mean 'window_seasons'"):
        get_forecaster("SeasonalAverage", window_season=2)
    with pytest.raises(ForecastingError, match=r"`window_seasons` must be an integer >= 1, got 0"):
        get_forecaster("SeasonalAverage", window_seasons=0)
    with pytest.raises(ForecastingError, match=r"`damped` must be one of None, True, False, got 1"):
        get_forecaster("ExponentialSmoothing", damped=1)
    with pytest.raises(ForecastingError, match="`use_stl` is not a parameter of SeasonalNaive"):
        get_forecaster("SeasonalNaive", use_stl=True)


@pytest.mark.parametrize("name", forecaster_names())
def test_defaults_lie_in_the_search_space_and_build(name: str) -> None:
    model = get_forecaster(name)
    defaults = model.defaults()
    assert defaults
    for config in defaults:
        assert model.search_space().contains(config)
        assert get_forecaster(name, **config).get_params().items() >= config.items()
    expected = "global" if name in ("GlobalRegressor", "TCN") else "local"
    assert model.info.kind == expected and not model.info.iterative


def test_costs_count_work_and_rank_the_models() -> None:
    size = {"n_series": 100, "n_rows": 100 * 120, "horizon": 12, "seasonality": 12}
    costs = {name: get_forecaster(name).cost(**size) for name in forecaster_names()}
    assert costs["Naive"] < costs["Theta"] < costs["ExponentialSmoothing"] < costs["AutoArima"]
    naive = get_forecaster("Naive")
    assert naive.cost(**{**size, "n_rows": 100 * 240}) > naive.cost(**size)
    with pytest.raises(ForecastingError, match="`n_series` must be an integer >= 1, got 0"):
        naive.cost(n_series=0, n_rows=10, horizon=1)


def test_min_length_reflects_seasons_and_stl() -> None:
    assert get_forecaster("ExponentialSmoothing").min_length(6, 12) == 24
    assert get_forecaster("ExponentialSmoothing").min_length(6, 1) == 8
    assert get_forecaster("SeasonalNaive").min_length(6, 7) == 14
    assert get_forecaster("Naive").min_length(6, 12) == 1
    assert get_forecaster("STL-Naive").min_length(6, 12) == 24


# -- bad input ----------------------------------------------------------------------------------


def test_predict_checks_its_arguments(fitted: Fit) -> None:
    with pytest.raises(NotFittedError, match="Naive is not fitted: call fit"):
        get_forecaster("Naive").predict()
    model = fitted("Naive", "D")
    with pytest.raises(ForecastingError, match=r"`horizon` must be an integer between 1 and 6"):
        model.predict(7)
    with pytest.raises(ForecastingError, match="`quantiles` must be a list of numbers strictly"):
        model.predict(quantiles=[0.1, 1.0])
    with pytest.raises(ForecastingError, match="`quantiles` must be a list"):
        model.predict(quantiles=0.5)  # type: ignore[arg-type]
    frame = model.predict(quantiles=[0.9, 0.05, 0.9])
    assert list(frame.columns[3:]) == ["q0.05", "q0.9"]


def test_fit_checks_the_panel_and_its_settings() -> None:
    panel, seasonality = PANELS["D"]
    model = get_forecaster("Naive")
    good = {"freq": "D", "seasonality": seasonality, "horizon": 3}
    cases: list[tuple[object, dict[str, object], str]] = [
        (panel.drop(columns="y"), good, r"columns unique_id, ds, y, got no \['y'\]"),
        (panel.iloc[::-1], good, r"must be sorted by \(unique_id, ds\)"),
        (pd.concat([panel, panel.tail(1)]), good, "one row per series and timestamp"),
        (panel.assign(y=panel["y"].where(panel.index != 5)), good, "y must be finite.*'a'"),
        (panel.assign(ds=panel["ds"].astype(str)), good, "ds must hold datetime64"),
        (panel.iloc[:0], good, "at least one row"),
        (panel, {**good, "freq": "fortnight"}, "`freq` must be a pandas offset alias"),
        (panel, {**good, "seasonality": 0}, "`seasonality` must be an integer >= 1, got 0"),
        (panel, {**good, "horizon": 2.5}, "`horizon` must be an integer >= 1, got 2.5"),
        ([1, 2], good, "`panel` must be a pandas DataFrame"),
    ]
    for bad_panel, settings, message in cases:
        with pytest.raises(ForecastingError, match=message):
            model.fit(bad_panel, **settings)  # type: ignore[arg-type]


def test_importing_the_models_loads_neither_pandas_nor_statsforecast_nor_torch() -> None:
    code = "import sys, json, forecasting.models; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(output)}
    assert not loaded & {"pandas", "statsforecast", "scipy", "sklearn", "torch"}


def test_a_model_without_an_stl_form_asked_for_stl_is_a_forecasting_error() -> None:
    from types import MappingProxyType

    from forecasting.models import ForecasterInfo
    from forecasting.models._statistical import Naive
    from forecasting.models._statsforecast import StatisticalForecaster, Variant

    class NoStl(StatisticalForecaster):
        """A model that takes ``use_stl`` but has no non-seasonal trend model for STL."""

        info = ForecasterInfo("NoStl", "local")
        param_defaults = MappingProxyType({"use_stl": False})

        def _nonseasonal(self, n: int) -> Variant:
            return Naive()._nonseasonal(n)

        def _series_cost(self, n: float, seasonality: int) -> float:
            return 1.0

    panel, seasonality = PANELS["MS"]
    with pytest.raises(ForecastingError, match=r"`use_stl` must be False for NoStl, which has no"):
        NoStl(use_stl=True).fit(panel, freq="MS", seasonality=seasonality, horizon=HORIZON)
