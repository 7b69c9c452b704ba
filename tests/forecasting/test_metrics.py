"""Forecasting metrics against hand computations and the M4 competition's definitions."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting._metrics import (
    FORECAST_METRICS,
    METRIC_ALIASES,
    METRIC_GOALS,
    forecast_metrics,
    owa,
    quantile_column,
    score_forecast,
)


def panel(values: dict[str, list[float]], start: str = "2024-01-01") -> pd.DataFrame:
    frames = [
        pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(ys)), "y": ys})
        for uid, ys in values.items()
    ]
    return pd.concat(frames, ignore_index=True)


def after(train: pd.DataFrame, values: dict[str, list[float]]) -> pd.DataFrame:
    """Rows following each training series, one day apart."""
    frames = []
    for uid, ys in values.items():
        last = train.loc[train["unique_id"] == uid, "ds"].max()
        ds = pd.date_range(last + pd.Timedelta(days=1), periods=len(ys))
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": ys}))
    return pd.concat(frames, ignore_index=True)


def predicted(actual: pd.DataFrame, values: list[float], **quantiles: list[float]) -> pd.DataFrame:
    out = actual[["unique_id", "ds"]].assign(yhat=values)
    for name, column in quantiles.items():
        out[name.replace("_", ".")] = column
    return out


# Series a: train [1, 3, 2, 4, 3, 5] (seasonal m=2 diffs all 1, lag-1 mean 1.6),
#   actual [6, 4], forecast [5.5, 4.5]: errors +-0.5.
# Series b: constant train [10, 10, 10] (MASE scale falls back to mean |y| = 10),
#   actual [10, 12, 8], forecast [10, 10, 10]: errors [0, 2, -2].
TRAIN = panel({"a": [1, 3, 2, 4, 3, 5], "b": [10, 10, 10]})
ACTUAL = after(TRAIN, {"a": [6, 4], "b": [10, 12, 8]})
FORECAST = predicted(ACTUAL, [5.5, 4.5, 10, 10, 10])

PER_SERIES = {  # hand computed
    "mean_absolute_error": (0.5, 4 / 3),
    "root_mean_squared_error": (0.5, math.sqrt(8 / 3)),
    "normalized_mean_absolute_error": (0.5 / 5, (4 / 3) / 4),  # ranges 6-1 and 12-8
    "normalized_root_mean_squared_error": (0.5 / 5, math.sqrt(8 / 3) / 4),
    "r2_score": (1 - 0.5 / 2, 1 - 8 / 8),
    "mean_absolute_scaled_error": (0.5 / 1, (4 / 3) / 10),
    "symmetric_mean_absolute_percentage_error": (
        100 * (1 / 11.5 + 1 / 8.5) / 2,
        200 / 3 * (0 + 2 / 22 + 2 / 18),
    ),
    "mean_absolute_percentage_error": (50 * (0.5 / 6 + 0.5 / 4), 100 / 3 * (2 / 12 + 2 / 8)),
}


@pytest.mark.parametrize("name", sorted(PER_SERIES))
def test_per_series_values_and_their_mean_match_hand_computation(name: str) -> None:
    scores = score_forecast(ACTUAL, FORECAST, TRAIN, seasonality=2, metrics=[name])
    expected_a, expected_b = PER_SERIES[name]
    assert scores.per_series[name].tolist() == pytest.approx([expected_a, expected_b])
    assert scores.values[name] == pytest.approx((expected_a + expected_b) / 2)


def test_spearman_leaves_out_a_series_with_constant_forecast() -> None:
    scores = score_forecast(ACTUAL, FORECAST, TRAIN, seasonality=2, metrics=["spearman"])
    assert scores.values == {"spearman_correlation": 1.0}
    assert np.isnan(scores.per_series.loc["b", "spearman_correlation"])
    assert "1 of 2 series" in scores.notes["spearman_correlation"]


def test_spearman_uses_average_ranks() -> None:
    train = panel({"a": [1.0, 2.0]})
    actual = after(train, {"a": [1.0, 2.0, 2.0, 3.0]})
    forecast = predicted(actual, [3.0, 1.0, 2.0, 4.0])
    # ranks y: 1, 2.5, 2.5, 4; yhat: 3, 1, 2, 4 -> Pearson of the ranks
    ry, rp = np.array([1, 2.5, 2.5, 4]), np.array([3, 1, 2, 4.0])
    expected = np.corrcoef(ry, rp)[0, 1]
    got = forecast_metrics(actual, forecast, train, seasonality=1, metrics=["spearman"])
    assert got["spearman_correlation"] == pytest.approx(expected)


def test_mase_and_smape_match_the_m4_definitions() -> None:
    # The M4 competition's formulas (M4-methods repository, ML_benchmarks.py):
    #   smape = mean(2 |a - b| / (|a| + |b|)) * 100
    #   mase  = mean|y_test - y_hat| / mean|insample[m:] - insample[:-m]|
    rng = np.random.default_rng(4)
    m, h = 4, 6
    insample = {s: 50 + rng.normal(0, 5, 23) for s in ("p", "q", "r")}
    outsample = {s: 50 + rng.normal(0, 5, h) for s in insample}
    preds = {s: 50 + rng.normal(0, 5, h) for s in insample}
    train = panel({s: list(v) for s, v in insample.items()})
    actual = after(train, {s: list(v) for s, v in outsample.items()})
    forecast = predicted(actual, list(np.concatenate([preds[s] for s in insample])))

    def m4_smape(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(2.0 * abs(a - b) / (abs(a) + abs(b))) * 100)

    def m4_mase(ins: np.ndarray, y: np.ndarray, yh: np.ndarray, freq: int) -> float:
        naive = ins[:-freq]
        return float(np.mean(abs(y - yh)) / np.mean(abs(ins[freq:] - naive)))

    got = forecast_metrics(actual, forecast, train, seasonality=m, metrics=["mase", "smape"])
    s = list(insample)
    assert got["mean_absolute_scaled_error"] == pytest.approx(
        np.mean([m4_mase(insample[k], outsample[k], preds[k], m) for k in s])
    )
    assert got["symmetric_mean_absolute_percentage_error"] == pytest.approx(
        np.mean([m4_smape(outsample[k], preds[k]) for k in s])
    )


def test_weighted_quantile_loss_is_pooled_over_series_and_averaged_over_quantiles() -> None:
    forecast = predicted(
        ACTUAL, [5.5, 4.5, 10, 10, 10], q0_1=[5, 5, 9, 9, 9], q0_9=[7, 3, 11, 11, 11]
    )
    scores = score_forecast(
        ACTUAL, forecast, TRAIN, seasonality=2, quantiles=[0.1, 0.9], metrics=["wql"]
    )
    # pinball sums: a -> 1.0 for each quantile, b -> 1.3 for each; sum |y| = 10 + 30
    assert scores.values["weighted_quantile_loss"] == pytest.approx(2 * (1.0 + 1.3) / 40)
    assert scores.per_series["weighted_quantile_loss"].tolist() == pytest.approx(
        [2 * 1.0 / 10, 2 * 1.3 / 30]
    )


def test_default_metrics_are_all_of_them_and_wql_only_with_quantiles() -> None:
    without = forecast_metrics(ACTUAL, FORECAST, TRAIN, seasonality=2)
    assert list(without) == [m for m in FORECAST_METRICS if m != "weighted_quantile_loss"]
    forecast = FORECAST.assign(**{"q0.5": FORECAST["yhat"]})
    with_q = forecast_metrics(ACTUAL, forecast, TRAIN, seasonality=2, quantiles=[0.5])
    assert list(with_q) == list(FORECAST_METRICS)
    # the 0.5 quantile's wQL is the sum of absolute errors over the sum of |y|
    assert with_q["weighted_quantile_loss"] == pytest.approx((0.5 + 0.5 + 4) / 40)


def test_goals_and_aliases_cover_every_metric() -> None:
    assert set(METRIC_GOALS) == set(FORECAST_METRICS)
    assert {n for n, g in METRIC_GOALS.items() if g == "maximize"} == {
        "r2_score",
        "spearman_correlation",
    }
    assert set(METRIC_ALIASES.values()) == set(FORECAST_METRICS)


def test_mase_fallbacks_are_finite_and_noted() -> None:
    # c: too short for m=3 -> lag-1 scale |4-2| = 2; d: all zero -> scale 1 (plain MAE);
    # e: exactly periodic with period 3 -> lag-1 scale (mean of |1|, |1|, |2|, ...)
    train = panel({"c": [2.0, 4.0], "d": [0.0, 0.0, 0.0, 0.0], "e": [1.0, 2.0, 3.0] * 2})
    actual = after(train, {"c": [6.0], "d": [1.0], "e": [1.0]})
    forecast = predicted(actual, [5.0, 0.0, 2.0])
    scores = score_forecast(actual, forecast, train, seasonality=3, metrics=["mase"])
    lag1_e = np.mean([1, 1, 2, 1, 1])
    assert scores.per_series["mean_absolute_scaled_error"].tolist() == pytest.approx(
        [1 / 2, 1.0, 1 / lag1_e]
    )
    note = scores.notes["mean_absolute_scaled_error"]
    assert "lag-1" in note and "plain MAE" in note


def test_constant_training_series_is_scaled_by_its_level() -> None:
    scores = score_forecast(ACTUAL, FORECAST, TRAIN, seasonality=1, metrics=["mase"])
    assert scores.per_series.loc["b", "mean_absolute_scaled_error"] == pytest.approx(0.4 / 3)
    assert "constant training series" in scores.notes["mean_absolute_scaled_error"]


def test_normalized_errors_clip_at_one_and_empty_range_follows_azure() -> None:
    train = panel({"a": [0.0, 1.0], "k": [3.0, 3.0], "x": [3.0, 3.0]})
    actual = after(train, {"a": [1.0], "k": [3.0], "x": [3.0]})
    forecast = predicted(actual, [100.0, 3.0, 4.0])
    scores = score_forecast(actual, forecast, train, seasonality=1, metrics=["nmae"])
    assert scores.per_series["normalized_mean_absolute_error"].tolist() == [1.0, 0.0, 1.0]
    assert "clipped to 1" in scores.notes["normalized_mean_absolute_error"]


def test_a_horizon_of_one_pools_r2_and_spearman_over_all_rows() -> None:
    train = panel({"a": [1.0, 2.0], "b": [5.0, 6.0], "c": [9.0, 9.5]})
    actual = after(train, {"a": [3.0], "b": [7.0], "c": [10.0]})
    forecast = predicted(actual, [2.0, 7.5, 11.0])
    got = score_forecast(actual, forecast, train, seasonality=1, metrics=["r2", "spearman"])
    y, p = np.array([3.0, 7, 10]), np.array([2.0, 7.5, 11])
    assert got.values["r2_score"] == pytest.approx(
        1 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    )
    assert got.values["spearman_correlation"] == pytest.approx(1.0)
    assert "pooled" in got.notes["r2_score"]


def test_mape_skips_zero_actuals_and_smape_scores_zero_over_zero_as_exact() -> None:
    train = panel({"a": [1.0, 2.0, 3.0]})
    actual = after(train, {"a": [0.0, 4.0]})
    forecast = predicted(actual, [0.0, 5.0])
    scores = score_forecast(actual, forecast, train, seasonality=1, metrics=["mape", "smape"])
    assert scores.values["mean_absolute_percentage_error"] == pytest.approx(25.0)
    assert scores.values["symmetric_mean_absolute_percentage_error"] == pytest.approx(
        100 * (0 + 2 / 9) / 2
    )
    assert "close to zero" in scores.notes["mean_absolute_percentage_error"]


def test_nan_actuals_are_not_scored_and_nan_training_values_are_skipped() -> None:
    train = panel({"a": [1.0, np.nan, 3.0, 4.0]})
    actual = after(train, {"a": [5.0, np.nan]})
    forecast = predicted(actual, [6.0, 123.0])
    scores = score_forecast(actual, forecast, train, seasonality=1, metrics=["mae", "mase"])
    assert scores.values["mean_absolute_error"] == 1.0
    assert scores.values["mean_absolute_scaled_error"] == 1.0  # only the pair (3, 4) counts
    assert "1 actual rows" in scores.notes["actual"]


def test_owa_is_the_m4_average_of_relative_smape_and_mase() -> None:
    assert owa(mase=1.5, smape=10.0, naive2_mase=1.0, naive2_smape=20.0) == pytest.approx(1.0)
    with pytest.raises(ForecastingError, match="`naive2_smape` must be > 0"):
        owa(mase=1.0, smape=1.0, naive2_mase=1.0, naive2_smape=0.0)
    with pytest.raises(ForecastingError, match="`mase` must be a finite number"):
        owa(mase=math.nan, smape=1.0, naive2_mase=1.0, naive2_smape=1.0)


def test_quantile_column_names() -> None:
    assert [quantile_column(q) for q in (0.1, 0.5, 0.95)] == ["q0.1", "q0.5", "q0.95"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"metrics": ["masee"]}, r"`metrics` must hold names .* got 'masee'; did you mean"),
        ({"metrics": ["wql"]}, r"`quantiles` must be given"),
        ({"metrics": "mase"}, r"`metrics` must be a sequence"),
        ({"quantiles": [0.2]}, r"`forecast` must have a column 'q0.2'"),
        ({"quantiles": [1.0]}, r"`quantiles` must lie strictly between 0 and 1"),
        ({"seasonality": 0}, r"`seasonality` must be an int >= 1, got 0"),
        ({"seasonality": 1.5}, r"`seasonality` must be an int >= 1, got 1.5"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"seasonality": 1, **kwargs}
    with pytest.raises(ForecastingError, match=message):
        forecast_metrics(ACTUAL, FORECAST, TRAIN, **arguments)  # type: ignore[arg-type]


def test_bad_frames_are_errors_naming_the_frame() -> None:
    with pytest.raises(ForecastingError, match=r"`forecast` must have a row for every actual"):
        forecast_metrics(ACTUAL, FORECAST.iloc[1:], TRAIN, seasonality=1)
    with pytest.raises(ForecastingError, match=r"`forecast` column 'yhat' must be finite"):
        forecast_metrics(ACTUAL, FORECAST.assign(yhat=np.nan), TRAIN, seasonality=1)
    with pytest.raises(ForecastingError, match=r"`train` must hold every scored series"):
        forecast_metrics(ACTUAL, FORECAST, TRAIN[TRAIN["unique_id"] == "a"], seasonality=1)
    with pytest.raises(ForecastingError, match=r"`actual` must have columns"):
        forecast_metrics(ACTUAL.drop(columns="y"), FORECAST, TRAIN, seasonality=1)
    with pytest.raises(ForecastingError, match=r"`actual` must hold one row per"):
        forecast_metrics(pd.concat([ACTUAL, ACTUAL]), FORECAST, TRAIN, seasonality=1)


def test_extra_forecast_rows_and_row_order_do_not_matter() -> None:
    extra = pd.DataFrame({"unique_id": ["a"], "ds": [pd.Timestamp("2030-01-01")], "yhat": [np.nan]})
    shuffled = pd.concat([FORECAST, extra]).sample(frac=1.0, random_state=0)
    reference = forecast_metrics(ACTUAL, FORECAST, TRAIN, seasonality=2)
    got = forecast_metrics(ACTUAL.iloc[::-1], shuffled, TRAIN.iloc[::-1], seasonality=2)
    assert got == pytest.approx(reference)
