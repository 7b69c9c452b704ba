"""The global regression forecaster: forecasts, accuracy, leakage, quantiles, fallbacks,
known covariates, determinism, pickling and parameters.

Panels are tiny, generated and seeded (seasonal sine + trend + noise, series of different
scales); most tests use a Ridge regressor (milliseconds), the accuracy and determinism tests the
default gradient boosting. BLAS/OpenMP threads are held to one: on a busy machine the default
regressor's OpenMP threads otherwise spin for tens of seconds.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from forecasting._errors import ForecastingError
from forecasting._metrics import forecast_metrics
from forecasting.models import (
    GlobalRegressionForecaster,
    Naive,
    get_forecaster,
)
from forecasting.models._global import auto_fourier, auto_rolling_windows, auto_target_lags

QUANTILES = (0.1, 0.5, 0.9)
# freq -> (seasonality, horizon, lengths)
SETTINGS: dict[str, tuple[int, int, dict[str, int]]] = {
    "D": (7, 7, {"a": 100, "b": 90, "c": 80}),
    "MS": (12, 6, {"a": 84, "b": 72, "c": 66}),
}


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> Iterator[None]:
    with threadpool_limits(limits=1):
        yield


def make_panel(
    lengths: dict[str, int], *, freq: str, seasonality: int, seed: int = 0, noise: float = 0.5
) -> pd.DataFrame:
    """Seasonal sine + trend + noise; series of different scales ending on different dates."""
    rng = np.random.default_rng(seed)
    offset = pd.tseries.frequencies.to_offset(freq)
    frames = []
    for k, (uid, n) in enumerate(lengths.items()):
        t = np.arange(n)
        scale = 1.0 + k
        season = 5 * np.sin(2 * np.pi * t / seasonality)
        y = scale * (50 + 0.2 * t + season) + rng.normal(0, noise, n)
        ds = pd.date_range(pd.Timestamp("2021-01-01") + k * offset, periods=n, freq=freq)
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def split(panel: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): the last ``horizon`` points of each series are the test."""
    test = panel.groupby("unique_id").tail(horizon)
    return panel.drop(test.index).reset_index(drop=True), test.reset_index(drop=True)


PANELS = {
    freq: make_panel(lengths, freq=freq, seasonality=m)
    for freq, (m, _, lengths) in SETTINGS.items()
}

Fit = Callable[..., GlobalRegressionForecaster]


@pytest.fixture(scope="module")
def fitted() -> Fit:
    """``fitted(freq, **params)``: fitted on ``PANELS[freq]`` once per module."""
    cache: dict[tuple[str, str], GlobalRegressionForecaster] = {}

    def fit(freq: str, **params: Any) -> GlobalRegressionForecaster:
        key = (freq, repr(sorted(params.items())))
        if key not in cache:
            seasonality, horizon, _ = SETTINGS[freq]
            model = GlobalRegressionForecaster(**params)
            cache[key] = model.fit(
                PANELS[freq], freq=freq, seasonality=seasonality, horizon=horizon
            )
        return cache[key]

    return fit


def forecast_of(frame: pd.DataFrame, uid: str, column: str = "yhat") -> np.ndarray:
    return frame.loc[frame["unique_id"] == uid, column].to_numpy()


# -- forecasts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("freq", sorted(SETTINGS))
@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_forecasts_the_periods_after_each_series_end(fitted: Fit, strategy: str, freq: str) -> None:
    model = fitted(freq, regressor=Ridge(), strategy=strategy)
    _, horizon, _ = SETTINGS[freq]
    frame = model.predict(quantiles=QUANTILES)
    assert list(frame.columns) == ["unique_id", "ds", "yhat", "q0.1", "q0.5", "q0.9"]
    expected = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": pd.date_range(rows["ds"].iloc[-1], periods=horizon + 1, freq=freq)[1:],
            }
        )
        for uid, rows in PANELS[freq].groupby("unique_id", sort=True)
    ]
    pd.testing.assert_frame_equal(
        frame[["unique_id", "ds"]], pd.concat(expected, ignore_index=True), check_dtype=False
    )
    assert np.isfinite(frame[["yhat", "q0.1", "q0.5", "q0.9"]].to_numpy()).all()
    assert (frame["q0.1"] <= frame["yhat"]).all() and (frame["yhat"] <= frame["q0.9"]).all()
    assert (frame["q0.1"] < frame["q0.9"]).all()
    np.testing.assert_array_equal(frame["q0.5"], frame["yhat"])
    assert model.fallbacks == {} and model.modelled_series == ["a", "b", "c"]
    assert model.calibration_report.startswith("holdout: 7 window(s)" if freq == "D" else "holdout")


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_shorter_horizons_are_prefixes(fitted: Fit, strategy: str) -> None:
    model = fitted("MS", regressor=Ridge(), strategy=strategy)
    full = model.predict(quantiles=QUANTILES)
    short = model.predict(2, quantiles=QUANTILES)
    pd.testing.assert_frame_equal(short, full.groupby("unique_id").head(2).reset_index(drop=True))


@pytest.mark.parametrize(("freq", "strategy"), [("MS", "recursive"), ("D", "direct")])
def test_beats_naive_on_a_seasonal_panel(freq: str, strategy: str) -> None:
    seasonality, horizon, _ = SETTINGS[freq]
    train, test = split(PANELS[freq], horizon)
    settings: dict[str, Any] = {"freq": freq, "seasonality": seasonality, "horizon": horizon}
    ours = GlobalRegressionForecaster(strategy=strategy).fit(train, **settings).predict()
    naive = Naive().fit(train, **settings).predict()
    mase = "mean_absolute_scaled_error"
    score = forecast_metrics(test, ours, train, seasonality=seasonality, metrics=[mase])[mase]
    baseline = forecast_metrics(test, naive, train, seasonality=seasonality, metrics=[mase])[mase]
    assert score < 0.5 * baseline, (score, baseline)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_seasonal_differences_integrate_back_to_the_last_season(strategy: str) -> None:
    # A pure repeating season: every difference is 0, so the forecast is the last season
    # repeated, also past one season (steps integrated from the forecast itself).
    season = np.array([3.0, 7.0, 1.0, 9.0, 4.0, 6.0, 2.0])
    frames = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": pd.date_range("2022-01-03", periods=n, freq="D"),
                "y": level + np.resize(season, n),
            }
        )
        for uid, level, n in (("a", 10.0, 70), ("b", 500.0, 63))
    ]
    panel = pd.concat(frames, ignore_index=True)
    model = GlobalRegressionForecaster(
        regressor=Ridge(), strategy=strategy, differencing="seasonal", scaling=None
    ).fit(panel, freq="D", seasonality=7, horizon=17)
    forecast = model.predict(quantiles=QUANTILES)
    for uid, level, n in (("a", 10.0, 70), ("b", 500.0, 63)):
        expected = level + season[(n + np.arange(17)) % 7]
        np.testing.assert_allclose(forecast_of(forecast, uid), expected, atol=1e-9)
        np.testing.assert_allclose(forecast_of(forecast, uid, "q0.1"), expected, atol=1e-9)
    assert model.fallbacks == {}


def test_seasonal_differences_beat_the_levels_on_a_trending_seasonal_panel() -> None:
    seasonality, horizon, _ = SETTINGS["MS"]
    train, test = split(PANELS["MS"], horizon)
    settings: dict[str, Any] = {"freq": "MS", "seasonality": seasonality, "horizon": horizon}
    mase = "mean_absolute_scaled_error"
    scores = {}
    for differencing in (None, "seasonal"):
        model = GlobalRegressionForecaster(regressor=Ridge(), differencing=differencing)
        forecast = model.fit(train, **settings).predict(quantiles=QUANTILES)
        assert (forecast["q0.1"] <= forecast["yhat"]).all()
        assert (forecast["yhat"] <= forecast["q0.9"]).all()
        scores[differencing] = forecast_metrics(
            test, forecast, train, seasonality=seasonality, metrics=[mase]
        )[mase]
    assert scores["seasonal"] < 0.5 * scores[None], scores


def test_seasonal_differences_need_a_season_more_and_widen_the_bands_past_it() -> None:
    model = GlobalRegressionForecaster(regressor=Ridge(), differencing="seasonal")
    assert model.min_length(6, 12) == GlobalRegressionForecaster().min_length(6, 12) + 12
    lengths = {"a": 84, "b": 72, "c": 36}  # c: 36 < 37 points needed
    panel = make_panel(lengths, freq="MS", seasonality=12)
    fitted = model.fit(panel, freq="MS", seasonality=12, horizon=18)
    assert set(fitted.fallbacks) == {"c"} and "fewer than the 37" in fitted.fallbacks["c"]
    forecast = fitted.predict(quantiles=[0.1, 0.9])
    width = forecast_of(forecast, "a", "q0.9") - forecast_of(forecast, "a", "q0.1")
    assert (width > 0).all() and width[12:].mean() > width[:12].mean()


def test_the_same_data_gives_the_same_forecasts(fitted: Fit) -> None:
    seasonality, horizon, _ = SETTINGS["MS"]
    again = GlobalRegressionForecaster().fit(
        PANELS["MS"], freq="MS", seasonality=seasonality, horizon=horizon
    )
    pd.testing.assert_frame_equal(
        again.predict(quantiles=QUANTILES), fitted("MS").predict(quantiles=QUANTILES)
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"regressor": Ridge(), "strategy": "direct"},
        {"regressor": Ridge(), "differencing": "seasonal"},
    ],
)
def test_a_fitted_model_round_trips_through_joblib(fitted: Fit, params: dict[str, Any]) -> None:
    model = fitted("MS", **params)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    pd.testing.assert_frame_equal(
        restored.predict(quantiles=QUANTILES), model.predict(quantiles=QUANTILES)
    )
    assert restored.fallbacks == model.fallbacks


def test_the_regressor_given_is_cloned_not_fitted() -> None:
    regressor = Ridge(alpha=2.0)
    model = GlobalRegressionForecaster(regressor=regressor)
    model.fit(PANELS["MS"], freq="MS", seasonality=12, horizon=3)
    assert not hasattr(regressor, "coef_")
    assert model.get_params()["regressor"] is regressor


# -- no leakage ---------------------------------------------------------------------------------


class Recorder:
    """A regressor that logs every training set it is given and predicts their mean."""

    def __init__(self, log: list[tuple[np.ndarray, np.ndarray]]) -> None:
        self.log = log

    def fit(self, X: np.ndarray, y: np.ndarray) -> Recorder:
        self.log.append((X.copy(), y.copy()))
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.mean_)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_training_rows_never_see_their_own_target(strategy: str) -> None:
    # Targets rise by exactly 1 a period, so lag_1 of a row h periods after its origin is y - h.
    lengths = {"a": 60, "b": 50}
    panel = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range("2021-01-01", periods=n, freq="D"),
                    "y": 5000.5 + 1000 * k + np.arange(n, dtype=float),
                }
            )
            for k, (uid, n) in enumerate(lengths.items())
        ],
        ignore_index=True,
    )
    log: list[tuple[np.ndarray, np.ndarray]] = []
    model = GlobalRegressionForecaster(
        regressor=functools.partial(Recorder, log), strategy=strategy, scaling=None
    ).fit(panel, freq="D", seasonality=7, horizon=4)
    names = model.feature_names
    target_features = [i for i, name in enumerate(names) if name.startswith(("lag_", "rolling_"))]
    steps = set()
    for X, y in log:
        assert not np.isclose(X, y[:, None]).any()
        assert (X[:, target_features] < y[:, None]).all()
        gap = y - X[:, names.index("lag_1")]
        assert len(set(gap)) == 1
        steps.add(int(gap[0]))
    assert steps == ({1} if strategy == "recursive" else {1, 2, 3, 4})
    assert len(log) == (2 if strategy == "recursive" else 8)  # fitted model and holdout one
    # The holdout model never sees the last horizon + windows - 1 = 4 + 4 - 1 points of a series.
    final, holdout = log[-2][1], log[-1][1]
    assert len(final) - len(holdout) == 2 * 7
    assert holdout.max() == 5000.5 + 1000 + (50 - 7 - 1)


# -- quantiles ----------------------------------------------------------------------------------


def test_in_sample_calibration_is_reported_and_bands_stay_ordered(fitted: Fit) -> None:
    model = fitted("D", regressor=Ridge(), calibration="in_sample")
    assert model.calibration_report == "in_sample: 7 window(s) per series, seen in training"
    frame = model.predict(quantiles=[0.05, 0.25, 0.5, 0.75, 0.95])
    values = frame[["q0.05", "q0.25", "q0.5", "q0.75", "q0.95"]].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    np.testing.assert_array_equal(frame["q0.5"], frame["yhat"])


def test_without_a_calibration_window_the_bands_are_naive_widths() -> None:
    panel = make_panel({f"s{k}": 16 for k in range(5)}, freq="D", seasonality=7)
    settings: dict[str, Any] = {"freq": "D", "seasonality": 7, "horizon": 5}
    model = GlobalRegressionForecaster(regressor=Ridge()).fit(panel, **settings)
    assert model.fallbacks == {} and model.calibration_report.startswith("none: series too short")
    ours = model.predict(quantiles=QUANTILES)
    naive = Naive().fit(panel, **settings).predict(quantiles=QUANTILES)
    for column in ("q0.1", "q0.9"):
        np.testing.assert_allclose(ours[column] - ours["yhat"], naive[column] - naive["yhat"])


# -- fallbacks ----------------------------------------------------------------------------------


def test_short_series_fall_back_to_naive_and_are_reported() -> None:
    panel = make_panel({"long": 80, "other": 70, "short": 10}, freq="D", seasonality=7)
    model = GlobalRegressionForecaster(regressor=Ridge())
    frame = model.fit(panel, freq="D", seasonality=7, horizon=5).predict(quantiles=QUANTILES)
    assert model.min_length(5, 7) == 15  # lags 1..7 and 14, plus one
    assert model.fallbacks == {"short": "Naive: 10 points, fewer than the 15 GlobalRegressor needs"}
    assert model.modelled_series == ["long", "other"]
    last = panel.loc[panel["unique_id"] == "short", "y"].iloc[-1]
    np.testing.assert_allclose(forecast_of(frame, "short"), np.full(5, last))
    assert np.isfinite(frame[["yhat", "q0.1", "q0.9"]].to_numpy()).all()


def test_when_no_series_is_long_enough_every_series_gets_naive() -> None:
    panel = make_panel({"a": 12, "b": 1}, freq="D", seasonality=7)
    model = GlobalRegressionForecaster(regressor=Ridge(), known_covariates=())
    frame = model.fit(panel, freq="D", seasonality=7, horizon=3).predict(quantiles=QUANTILES)
    assert model.fallbacks == {
        "a": "Naive: 12 points, fewer than the 15 GlobalRegressor needs",
        "b": "Naive: 1 point, fewer than the 15 GlobalRegressor needs",
    }
    assert model.modelled_series == [] and model.feature_names == []
    assert model.calibration_report.startswith("none")
    naive = Naive().fit(panel, freq="D", seasonality=7, horizon=3).predict(quantiles=QUANTILES)
    pd.testing.assert_frame_equal(frame, naive)


def test_too_few_training_rows_give_naive_everywhere() -> None:
    model = GlobalRegressionForecaster(regressor=Ridge(), min_train_rows=1000)
    model.fit(PANELS["MS"], freq="MS", seasonality=12, horizon=6)
    assert set(model.fallbacks) == {"a", "b", "c"}
    assert model.fallbacks["a"] == (
        "Naive: the series give 150 training rows, fewer than min_train_rows=1000"
    )


class NanRegressor:
    """Not a scikit-learn estimator (so it is deep-copied, not cloned); predicts NaN."""

    def fit(self, X: np.ndarray, y: np.ndarray) -> NanRegressor:
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), np.nan)


def test_non_finite_forecasts_are_replaced_by_naive() -> None:
    model = GlobalRegressionForecaster(regressor=NanRegressor())
    model.fit(PANELS["MS"], freq="MS", seasonality=12, horizon=3)
    frame = model.predict(quantiles=QUANTILES)
    assert model.fallbacks == {
        uid: "Naive: GlobalRegressor gave non-finite forecasts" for uid in ("a", "b", "c")
    }
    last = PANELS["MS"].groupby("unique_id")["y"].last()
    np.testing.assert_allclose(forecast_of(frame, "b"), np.full(3, last["b"]))


# -- known covariates ---------------------------------------------------------------------------


def test_known_covariates_are_features_and_their_future_values_are_required() -> None:
    rng = np.random.default_rng(1)
    panel = make_panel({"a": 70, "b": 60}, freq="D", seasonality=7, noise=0.1)
    panel["promo"] = rng.integers(0, 2, len(panel)).astype(float)
    panel["y"] += 20.0 * panel["promo"]
    model = GlobalRegressionForecaster(regressor=Ridge(alpha=1e-3), known_covariates=["promo"])
    model.fit(panel, freq="D", seasonality=7, horizon=4)
    assert "promo" in model.feature_names
    with pytest.raises(
        ForecastingError,
        match=r"`future` must be a DataFrame with unique_id, ds and the known covariates "
        r"\['promo'\] of the periods to forecast, got None",
    ):
        model.predict()
    future = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range(rows["ds"].iloc[-1], periods=5, freq="D")[1:],
                    "promo": [1.0, 0.0, 1.0, 0.0],
                }
            )
            for uid, rows in panel.groupby("unique_id")
        ],
        ignore_index=True,
    )
    with pytest.raises(
        ForecastingError,
        match=r"`future` must give the known covariate 'promo' for every period to forecast; "
        r"1 missing, e.g. series 'b' at 2021-03-06",
    ):
        model.predict(future=future.drop(index=7))
    with pytest.raises(
        ForecastingError, match=r"`future` must have the columns .*missing \['promo'"
    ):
        model.predict(future=future.drop(columns="promo"))
    frame = model.predict(future=future.sample(frac=1.0, random_state=0))  # any row order
    for uid in ("a", "b"):
        on, off, on_again, _ = forecast_of(frame, uid)
        assert on - off > 10 and on_again - off > 10


def test_holiday_and_calendar_features_follow_the_settings() -> None:
    model = GlobalRegressionForecaster(
        regressor=Ridge(), holidays_country="US", fourier=None, rolling_windows=[]
    )
    model.fit(PANELS["D"], freq="D", seasonality=7, horizon=2)
    names = model.feature_names
    assert {"is_holiday", "day_of_week", "lag_14"} <= set(names)
    assert not any(name.startswith(("fourier", "rolling")) for name in names)
    plain = GlobalRegressionForecaster(regressor=Ridge(), calendar=False, target_lags=[1, 2])
    plain.fit(PANELS["D"], freq="D", seasonality=7, horizon=2)
    assert plain.feature_names == [
        "lag_1", "lag_2", "rolling_mean_7", "rolling_min_7", "rolling_max_7",
        "fourier_sin_7_1", "fourier_cos_7_1", "fourier_sin_7_2", "fourier_cos_7_2",
        "fourier_sin_7_3", "fourier_cos_7_3",
    ]  # fmt: skip


# -- parameters, registry, costs ----------------------------------------------------------------


def test_registered_with_its_search_space_defaults_and_auto_rules() -> None:
    model = get_forecaster("global_regressor", strategy="direct")
    assert isinstance(model, GlobalRegressionForecaster) and model.info.kind == "global"
    for config in model.defaults():
        assert model.search_space().contains(config)
        assert get_forecaster("GlobalRegressor", **config).get_params().items() >= config.items()
    assert auto_target_lags(12) == [*range(1, 13), 24]
    assert auto_target_lags(48) == [*range(1, 25), 48, 96]
    weekly = {d * m + k for d in (*range(2, 8), 14) for k in (-1, 0, 1) for m in [24]}
    assert auto_target_lags(24, "h") == sorted({*range(1, 25), *weekly})
    assert auto_target_lags(24, "D") == auto_target_lags(24) == [*range(1, 25), 48]
    hourly = GlobalRegressionForecaster(differencing="seasonal")
    assert hourly.min_length(48, 24, "h") == 337 + 1 + 24
    assert auto_rolling_windows(12) == [12] and auto_fourier(7) == [(7, 3)]
    assert (
        model.min_length(6, 12) == 30 and get_forecaster("GlobalRegressor").min_length(6, 12) == 25
    )
    custom = GlobalRegressionForecaster(target_lags=[3, 1, 3], rolling_windows=[28])
    assert custom.get_params()["target_lags"] == [1, 3] and custom.min_length(6, 7) == 29


def test_costs_grow_with_the_direct_strategy_and_the_holdout() -> None:
    size = {"n_series": 100, "n_rows": 100 * 120, "horizon": 12, "seasonality": 12}
    recursive = get_forecaster("GlobalRegressor").cost(**size)
    direct = get_forecaster("GlobalRegressor", strategy="direct").cost(**size)
    in_sample = get_forecaster("GlobalRegressor", calibration="in_sample").cost(**size)
    assert in_sample < recursive < direct
    assert get_forecaster("GlobalRegressor").cost(**{**size, "n_rows": 100 * 240}) > recursive


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"strategy": "mimo"}, r"`strategy` must be one of 'recursive', 'direct', got 'mimo'"),
        ({"target_lags": [0, 1]}, r"`target_lags` must be 'auto' or a non-empty list of ints >= 1"),
        ({"target_lags": []}, r"`target_lags` must be 'auto' or a non-empty list .*got \[\]"),
        ({"rolling_windows": "season"}, r"`rolling_windows` must be 'auto' or a list of ints"),
        ({"regressor": "lightgbm"}, r"`regressor` must be a scikit-learn regressor .*'lightgbm'"),
        ({"scaling": "max"}, r"`scaling` must be one of 'mean_abs', 'standard', None"),
        ({"differencing": True}, r"`differencing` must be one of None, 'seasonal', got True"),
        ({"known_covariates": "promo"}, r"`known_covariates` must be a list of column names"),
        ({"min_train_rows": 0}, r"`min_train_rows` must be an integer >= 1, got 0"),
        ({"fourier": [7]}, r"`fourier` must be 'auto', None or a list of \(period, order\) pairs"),
        ({"calendar": "yes"}, r"`calendar` must be True or False, got 'yes'"),
        ({"holidays_country": 1}, r"`holidays_country` must be an ISO code"),
        ({"lags": [1]}, r"`lags` is not a parameter of GlobalRegressor.*Valid: calendar"),
    ],
)
def test_bad_parameters_are_errors_naming_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ForecastingError, match=message):
        GlobalRegressionForecaster(**params)


def test_a_factory_must_build_a_regressor() -> None:
    model = GlobalRegressionForecaster(regressor=lambda: "not a model")
    with pytest.raises(ForecastingError, match=r"`regressor` must be a factory of objects with"):
        model.fit(PANELS["MS"], freq="MS", seasonality=12, horizon=3)
