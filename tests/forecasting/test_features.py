"""Feature builder: values by hand, no leakage, train/forecast parity, calendar, scaling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting._features import FeatureBuilder, HistoryBuffer
from forecasting._scaling import SeriesScaler
from forecasting._time_features import PeriodGrid


def make_panel(lengths: dict[str, int], freq: str = "D", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i, (uid, n) in enumerate(lengths.items()):
        ds = pd.date_range("2024-01-01", periods=n, freq=freq)
        y = 10.0 * (i + 1) + rng.normal(0.0, 1.0, n).cumsum()
        frames.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
    out = pd.concat(frames, ignore_index=True)
    out["price"] = np.arange(len(out), dtype=float)
    return out


PANEL = make_panel({"a": 24, "b": 17})


def builder(**kwargs: object) -> FeatureBuilder:
    params: dict[str, object] = {
        "target_lags": [1, 3],
        "rolling_windows": [2, 4],
        "calendar": True,
        "holidays_country": "US",
        "fourier": [(7, 2)],
        "known_covariates": ["price"],
        "rolling_stats": ("mean", "std", "min", "max"),
    }
    params.update(kwargs)
    return FeatureBuilder(**params)  # type: ignore[arg-type]


def test_lags_and_rolling_windows_by_hand() -> None:
    train = pd.DataFrame(
        {"unique_id": ["a"] * 5 + ["b"] * 3,
         "ds": [*pd.date_range("2024-01-01", periods=5), *pd.date_range("2024-01-03", periods=3)],
         "y": [1.0, 2.0, 4.0, 8.0, 16.0, 100.0, 200.0, 300.0]}
    )  # fmt: skip
    fb = FeatureBuilder(target_lags=[1, 2], rolling_windows=[2], calendar=False,
                        rolling_stats=("mean", "max")).fit(train, "D")  # fmt: skip
    one = fb.transform(train)
    nan = np.nan
    assert one["lag_1"].tolist() == pytest.approx([nan, 1, 2, 4, 8, nan, 100, 200], nan_ok=True)
    assert one["lag_2"].tolist() == pytest.approx([nan, nan, 1, 2, 4, nan, nan, 100], nan_ok=True)
    assert one["rolling_mean_2"].tolist() == pytest.approx(
        [nan, 1, 1.5, 3, 6, nan, 100, 150], nan_ok=True
    )
    assert one["rolling_max_2"].tolist() == pytest.approx(
        [nan, 1, 2, 4, 8, nan, 100, 200], nan_ok=True
    )
    # direct model of step 2: origin = t - 2, lag_1 = y[t - 2], lag_2 = y[t - 3]
    two = fb.transform(train, step=2)
    assert two["lag_1"].tolist() == pytest.approx([nan, nan, 1, 2, 4, nan, nan, 100], nan_ok=True)
    assert two["lag_2"].tolist() == pytest.approx([nan, nan, nan, 1, 2, nan, nan, nan], nan_ok=True)
    assert two["rolling_mean_2"].tolist() == pytest.approx(
        [nan, nan, 1, 1.5, 3, nan, nan, 100], nan_ok=True
    )


@pytest.mark.parametrize("step", [1, 2, 3])
def test_no_leakage_perturbing_targets_after_the_origin_changes_no_earlier_feature(
    step: int,
) -> None:
    fb = builder().fit(PANEL, "D")
    reference = fb.transform(PANEL, step=step)
    rng = np.random.default_rng(1)
    for origin in pd.date_range("2024-01-03", "2024-01-20", freq="4D"):
        perturbed = PANEL.copy()
        future = perturbed["ds"] > origin
        perturbed.loc[future, "y"] = rng.normal(1e6, 1e5, int(future.sum()))
        got = fb.transform(perturbed, step=step)
        # a row at t uses targets up to t - step: rows up to origin + step see none of them
        unchanged = PANEL["ds"] <= origin + pd.Timedelta(days=step)
        pd.testing.assert_frame_equal(got[unchanged], reference[unchanged])
        # and the perturbation does reach the next row (the test can see a leak)
        reached = PANEL["ds"] == origin + pd.Timedelta(days=step + 1)
        assert not np.allclose(got.loc[reached, "lag_1"], reference.loc[reached, "lag_1"])


def test_a_row_never_sees_its_own_target() -> None:
    fb = builder().fit(PANEL, "D")
    reference = fb.transform(PANEL)
    for position in (0, 5, 23, 30):
        perturbed = PANEL.copy()
        perturbed.loc[position, "y"] += 1e9
        got = fb.transform(perturbed)
        pd.testing.assert_frame_equal(got.loc[[position]], reference.loc[[position]])


@pytest.mark.parametrize("cut", [6, 12, 15])
def test_direct_forecast_rows_equal_training_rows_and_ignore_the_future(cut: int) -> None:
    fb = builder().fit(PANEL, "D")
    position = PANEL.groupby("unique_id").cumcount()
    history = PANEL[position < cut]
    future = PANEL[(position >= cut) & (position < cut + 3)]
    rows = fb.features_at(history, future.drop(columns="y"), strategy="direct")
    steps = fb.steps_ahead(fb.history(history), future)
    assert sorted(set(steps.tolist())) == [1, 2, 3]
    for h in (1, 2, 3):
        expected = fb.transform(PANEL, step=h).loc[future.index[steps == h]]
        pd.testing.assert_frame_equal(rows[steps == h], expected, rtol=1e-9)


def test_recursive_roll_forward_reproduces_one_step_training_rows() -> None:
    fb = builder().fit(PANEL, "D")
    position = PANEL.groupby("unique_id").cumcount()
    buffer = fb.history(PANEL[position < 10])
    expected = fb.transform(PANEL)
    for _ in range(5):
        rows = fb.future_rows(buffer, 1)
        truth = rows.merge(PANEL, on=["unique_id", "ds"], how="left")
        got = fb.features_at(buffer, truth.drop(columns="y"))
        index = PANEL.reset_index().merge(rows, on=["unique_id", "ds"])["index"]
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True), expected.loc[index].reset_index(drop=True), rtol=1e-9
        )
        buffer = buffer.append(truth["y"].to_numpy())  # a perfect "model"


def test_recursive_strategy_refuses_rows_more_than_one_period_ahead() -> None:
    fb = builder().fit(PANEL, "D")
    buffer = fb.history(PANEL)
    rows = fb.future_rows(buffer, 2).assign(price=1.0)
    with pytest.raises(ForecastingError, match=r"exactly one period after .* is 2 periods"):
        fb.features_at(buffer, rows)
    past = PANEL.iloc[[3]].drop(columns="y")
    with pytest.raises(ForecastingError, match=r"must be after the last target"):
        fb.features_at(buffer, past, strategy="direct")


def test_history_buffer_append_accepts_a_series_by_id() -> None:
    fb = FeatureBuilder(target_lags=[1, 2], calendar=False).fit(PANEL, "D")
    buffer = fb.history(PANEL)
    last = PANEL.groupby("unique_id")["y"].last()
    assert buffer.values[:, -1].tolist() == last.loc[list(buffer.ids)].tolist()
    moved = buffer.append(pd.Series({"b": 2.0, "a": 1.0}))
    assert moved.values[:, -1].tolist() == [1.0, 2.0]
    assert (moved.last_t == buffer.last_t + 1).all()
    with pytest.raises(ForecastingError, match=r"`values` must hold one value per series"):
        buffer.append([1.0, 2.0, 3.0])
    with pytest.raises(ForecastingError, match=r"indexed by unique_id; missing: 'b'"):
        buffer.append(pd.Series({"a": 1.0, "c": 2.0}))


def test_calendar_parts_follow_the_frequency() -> None:
    assert builder().fit(PANEL, "D").feature_names_[:12] == [
        "lag_1", "lag_3",
        "rolling_mean_2", "rolling_std_2", "rolling_min_2", "rolling_max_2",
        "rolling_mean_4", "rolling_std_4", "rolling_min_4", "rolling_max_4",
        "day_of_week", "is_weekend",
    ]  # fmt: skip
    monthly = make_panel({"m": 30}, freq="MS")
    names = FeatureBuilder(calendar=True).fit(monthly, "MS").feature_names_
    assert names == ["lag_1", "month", "quarter", "year"]
    hourly = make_panel({"h": 24 * 7}, freq="h")
    names = FeatureBuilder(target_lags=[], calendar=True).fit(hourly, "h").feature_names_
    assert names == ["hour", "day_of_week", "is_weekend", "day_of_month", "week_of_year",
                     "month", "quarter", "year"]  # fmt: skip
    x = FeatureBuilder(target_lags=[], calendar=True).fit(hourly, "h").transform(hourly)
    row = x.iloc[24 * 5 + 13]  # 2024-01-06 13:00, a Saturday
    assert row[["hour", "day_of_week", "is_weekend", "day_of_month"]].tolist() == [13, 5, 1, 6]


def test_holiday_features_daily_and_monthly() -> None:
    july = pd.DataFrame({"unique_id": "u", "ds": pd.date_range("2024-07-01", periods=8),
                         "y": 1.0})  # fmt: skip
    x = FeatureBuilder(target_lags=[], calendar=False, holidays_country="US").fit(july, "D")
    got = x.transform(july)
    assert got["is_holiday"].tolist() == [0, 0, 0, 1, 0, 0, 0, 0]  # July 4th
    assert got["days_to_holiday"].tolist()[:4] == [3, 2, 1, 0]
    assert got["days_from_holiday"].tolist()[3:] == [0, 1, 2, 3, 4]
    for freq, ds in (("MS", "2024-11-01"), ("ME", "2024-11-30")):
        months = pd.DataFrame({"unique_id": "u", "ds": pd.date_range(ds, periods=2, freq=freq),
                               "y": 1.0})  # fmt: skip
        fb = FeatureBuilder(target_lags=[], calendar=False, holidays_country="US")
        # November: Veterans Day and Thanksgiving; December: Christmas
        assert fb.fit(months, freq).transform(months)["holiday_count"].tolist() == [2, 1]


def test_fourier_terms_continue_across_the_origin() -> None:
    fb = FeatureBuilder(target_lags=[], calendar=False, fourier=[(7, 1)]).fit(PANEL, "D")
    buffer = fb.history(PANEL)
    rows = fb.future_rows(buffer, 3)
    got = fb.features_at(buffer, rows, strategy="direct")
    t = (rows["ds"] - pd.Timestamp("2024-01-01")).dt.days.to_numpy()
    assert got["fourier_sin_7_1"].to_numpy() == pytest.approx(np.sin(2 * np.pi * t / 7))
    assert got["fourier_cos_7_1"].to_numpy() == pytest.approx(np.cos(2 * np.pi * t / 7))


def test_known_covariates_are_copied_and_must_be_known_in_the_future() -> None:
    fb = builder().fit(PANEL, "D")
    assert fb.transform(PANEL)["price"].tolist() == PANEL["price"].tolist()
    rows = fb.future_rows(fb.history(PANEL), 2)
    with pytest.raises(ForecastingError, match=r"`timestamps` must have columns .*'price'"):
        fb.features_at(PANEL, rows, strategy="direct")
    rows["price"] = [1.0, np.nan, 3.0, 4.0]
    with pytest.raises(ForecastingError, match=r"'price' \(a known covariate\) must have a value"):
        fb.features_at(PANEL, rows, strategy="direct")
    with pytest.raises(ForecastingError, match=r"must be numeric or bool"):
        builder().fit(PANEL.assign(price="cheap"), "D")


def test_transform_follows_the_callers_row_order() -> None:
    fb = builder().fit(PANEL, "D")
    shuffled = PANEL.sample(frac=1.0, random_state=2)
    pd.testing.assert_frame_equal(fb.transform(shuffled), fb.transform(PANEL).loc[shuffled.index])


def test_monthly_grid_and_future_rows() -> None:
    monthly = make_panel({"m": 5, "n": 3}, freq="MS")
    fb = FeatureBuilder(target_lags=[1], calendar=False, fourier=[(12, 1)]).fit(monthly, "MS")
    rows = fb.future_rows(fb.history(monthly), 2)
    assert rows["ds"].dt.strftime("%Y-%m").tolist() == ["2024-06", "2024-07", "2024-04", "2024-05"]
    grid = PeriodGrid("MS", pd.Timestamp("2024-01-01"))
    assert grid.index(rows["ds"].to_numpy()).tolist() == [5, 6, 3, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target_lags": [0]}, r"`target_lags` must be a list of ints >= 1, got 0"),
        ({"rolling_windows": "7"}, r"`rolling_windows` must be a list of ints >= 1"),
        ({"rolling_stats": ["median"]}, r"`rolling_stats` must hold names from"),
        ({"fourier": [(7, 4)]}, r"`fourier` order must be <= period / 2"),
        ({"fourier": [7]}, r"`fourier` must be a list of \(period, order\) pairs"),
        ({"holidays_country": "XX"}, r"`holidays_country` must be a country"),
        ({"holidays_country": "AU-XYZ"}, r"`holidays_country` subdivision must be one of"),
        ({"known_covariates": ["nope"]}, r"`known_covariates` names 'nope'"),
        ({"calendar": "yes"}, r"`calendar` must be a bool"),
    ],
)
def test_bad_configuration_names_the_argument(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ForecastingError, match=message):
        builder(**kwargs).fit(PANEL, "D")


def test_bad_panels_are_errors() -> None:
    with pytest.raises(ForecastingError, match=r"must be fitted first"):
        FeatureBuilder().transform(PANEL)
    fb = builder().fit(PANEL, "D")
    with pytest.raises(ForecastingError, match=r"series 'a' jumps from 2024-01-03"):
        fb.transform(PANEL.drop(index=3))
    with pytest.raises(ForecastingError, match=r"`ds` must lie on the 'D' grid"):
        fb.transform(PANEL.assign(ds=PANEL["ds"] + pd.Timedelta(hours=1)))
    with pytest.raises(ForecastingError, match=r"unknown: 'zz'"):
        rows = pd.DataFrame({"unique_id": ["zz"], "ds": [pd.Timestamp("2024-02-01")]})
        fb.features_at(fb.history(PANEL), rows.assign(price=1.0), strategy="direct")
    with pytest.raises(ForecastingError, match=r"`step` must be an int >= 1, got 0"):
        fb.transform(PANEL, step=0)
    with pytest.raises(ForecastingError, match=r"`freq` must be a pandas offset alias"):
        builder().fit(PANEL, "fortnight")


def test_history_of_a_short_series_is_padded_with_nan() -> None:
    fb = FeatureBuilder(target_lags=[1, 4], calendar=False).fit(PANEL, "D")
    short = PANEL[PANEL.groupby("unique_id").cumcount() < 2]
    buffer = fb.history(short)
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.values.shape == (2, 4)
    assert np.isnan(buffer.values[:, :2]).all()
    rows = fb.future_rows(buffer, 1)
    assert np.isnan(fb.features_at(buffer, rows)["lag_4"]).all()


# ------------------------------------------------------------------------------- scaling


def test_mean_abs_scaling_round_trips_and_uses_training_rows_only() -> None:
    position = PANEL.groupby("unique_id").cumcount()
    train, later = PANEL[position < 10], PANEL[position >= 10]
    scaler = SeriesScaler("mean_abs").fit(train)
    expected = train.groupby("unique_id")["y"].apply(lambda v: v.abs().mean())
    assert scaler.scale_.sort_index().tolist() == pytest.approx(expected.sort_index().tolist())
    scaled = scaler.transform(later)
    ratio = later["y"] / later["unique_id"].map(expected)
    assert scaled["y"].tolist() == pytest.approx(ratio.tolist())
    back = scaler.inverse_transform(scaled.rename(columns={"y": "yhat"}))
    assert back["yhat"].tolist() == pytest.approx(later["y"].tolist())


def test_standard_scaling_and_fallback_for_constant_series() -> None:
    panel = pd.DataFrame({"unique_id": ["a", "a", "a", "k", "k"],
                          "ds": [1, 2, 3, 1, 2], "y": [1.0, 2.0, 3.0, 5.0, 5.0]})  # fmt: skip
    scaler = SeriesScaler("standard").fit(panel)
    assert scaler.fallback_series_ == ["k"]
    z = scaler.transform(panel)["y"].tolist()
    sd = np.std([1.0, 2.0, 3.0])
    assert z == pytest.approx([-1 / sd, 0.0, 1 / sd, 0.0, 0.0])
    frame = pd.DataFrame({"unique_id": ["a", "k"], "yhat": [0.0, 1.0], "q0.9": [1.0, 2.0]})
    back = scaler.inverse_transform(frame, columns=["yhat", "q0.9"])
    assert back["yhat"].tolist() == pytest.approx([2.0, 6.0])
    assert back["q0.9"].tolist() == pytest.approx([2.0 + sd, 7.0])


def test_scaler_errors_name_the_argument() -> None:
    with pytest.raises(ForecastingError, match=r"`method` must be 'mean_abs' or 'standard'"):
        SeriesScaler("minmax").fit(PANEL)  # type: ignore[arg-type]
    scaler = SeriesScaler().fit(PANEL)
    with pytest.raises(ForecastingError, match=r"unknown: 'zz'"):
        scaler.transform(pd.DataFrame({"unique_id": ["zz"], "y": [1.0]}))
    with pytest.raises(ForecastingError, match=r"must be fitted first"):
        SeriesScaler().transform(PANEL)
