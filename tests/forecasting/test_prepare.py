"""prepare_panel and prepare_future on small generated panels: each step, each error."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from featurization._guardrail_report import GuardrailStatus
from forecasting._errors import ForecastingError
from forecasting._future import prepare_future
from forecasting._parameters import ForecastingParameters
from forecasting._prepare import PreparedPanel, prepare_panel
from forecasting._short_series import minimum_series_length

MEMORY = 10**12


def make_frame(
    lengths: dict[str, int], *, freq: str = "D", start: str = "2024-01-01", seed: int = 0
) -> pd.DataFrame:
    """One row per series and period: ``store``, ``date`` (text), ``sales``, ``price``."""
    rng = np.random.default_rng(seed)
    parts = []
    for store, length in lengths.items():
        dates = pd.date_range(start, periods=length, freq=freq)
        parts.append(
            pd.DataFrame(
                {
                    "store": store,
                    "date": dates.strftime("%Y-%m-%d %H:%M"),
                    "sales": rng.integers(10, 100, length).astype(float),
                    "price": rng.uniform(1, 2, length),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def prepare(frame: pd.DataFrame, **kwargs: Any) -> PreparedPanel:
    options = {
        key: kwargs.pop(key)
        for key in ("min_length", "n_cross_validations", "seed")
        if key in kwargs
    }
    return prepare_panel(
        frame, "sales", ForecastingParameters("date", **kwargs), available_memory=MEMORY, **options
    )


def test_the_canonical_panel() -> None:
    prepared = prepare(make_frame({"b": 20, "a": 25}))
    panel = prepared.panel
    assert list(panel.columns) == ["unique_id", "ds", "y", "price"]
    assert panel["ds"].dtype == "datetime64[ns]"
    assert panel["y"].dtype == "float64"
    assert panel["unique_id"].map(type).eq(str).all()
    assert panel.equals(panel.sort_values(["unique_id", "ds"]).reset_index(drop=True))
    assert prepared.series == ("a", "b")
    assert (prepared.id_columns, prepared.freq, prepared.seasonality) == (("store",), "D", 7)
    assert prepared.known_covariates == ("price",)
    assert [item.name for item in prepared.guardrails] == [
        "Time column parsing",
        "Time series identifiers",
        "Duplicate timestamps",
        "Frequency detection",
        "Missing timestamps and target values",
        "Missing feature values imputation",
        "Short series handling",
        "Covariates known at forecast time",
        "Memory issues detection",
    ]


@pytest.mark.parametrize(
    ("freq", "start", "expected", "season"),
    [
        ("h", "2024-01-01", "h", 24),
        ("D", "2024-01-01", "D", 7),
        ("W-SUN", "2024-01-07", "W-SUN", 52),
        ("MS", "2020-01-01", "MS", 12),
        ("QS-JAN", "2010-01-01", "QS-JAN", 4),
        ("YS-JAN", "1990-01-01", "YS-JAN", 1),
    ],
)
def test_frequency_detection(freq: str, start: str, expected: str, season: int) -> None:
    frame = make_frame({"a": 24, "b": 20}, freq=freq, start=start).drop([3, 4, 30])
    prepared = prepare(frame)
    assert (prepared.freq, prepared.seasonality) == (expected, season)
    guardrail = prepared.guardrails["Missing timestamps and target values"]
    assert guardrail.status is GuardrailStatus.DONE
    assert "3 missing timestamp(s) in 2 series were added" in guardrail.description
    assert len(prepared.panel) == 44


def test_a_seasonality_setting_wins() -> None:
    assert prepare(make_frame({"a": 20}), seasonality=3).seasonality == 3


# -- time column ------------------------------------------------------------------------------


def test_a_missing_time_column_lists_the_columns() -> None:
    frame = make_frame({"a": 20}).rename(columns={"date": "Date"})
    with pytest.raises(
        ForecastingError,
        match=r"`time_column_name` names the column 'date', which is not in the training data; "
        r"did you mean 'Date'\?; its columns are 'store', 'Date', 'sales', 'price'",
    ):
        prepare(frame)


def test_an_unparseable_time_shows_a_value() -> None:
    frame = make_frame({"a": 20})
    frame.loc[4, "date"] = "someday"
    with pytest.raises(
        ForecastingError,
        match=r"the time column 'date' \(`time_column_name`\) must hold dates or times, but 1 "
        r"value\(s\) cannot be parsed, such as 'someday'",
    ):
        prepare(frame)


def test_a_numeric_time_column_is_refused_with_a_fix() -> None:
    frame = make_frame({"a": 20}).assign(date=range(2000, 2020))
    with pytest.raises(ForecastingError, match=r"got numbers such as 2000; convert it first"):
        prepare(frame)


def test_rows_without_a_time_are_dropped_and_tz_becomes_utc() -> None:
    frame = make_frame({"a": 20}, freq="h")
    frame["date"] = pd.to_datetime(frame["date"]).dt.tz_localize("Europe/Amsterdam")
    frame.loc[19, "date"] = pd.NaT
    prepared = prepare(frame)
    guardrail = prepared.guardrails["Time column parsing"]
    assert guardrail.status is GuardrailStatus.DONE
    assert (
        "converted from Europe/Amsterdam to UTC; 1 row(s) without a time" in guardrail.description
    )
    assert prepared.panel["ds"].iloc[0] == pd.Timestamp("2023-12-31 23:00")
    assert len(prepared.panel) == 19


def test_the_label_must_be_numeric() -> None:
    frame = make_frame({"a": 20}).astype({"sales": object})
    frame.loc[2, "sales"] = "lots"
    with pytest.raises(
        ForecastingError, match=r"the label column 'sales' must hold numbers, .*'lots'"
    ):
        prepare(frame)
    with pytest.raises(ForecastingError, match=r"`label_column_name` names the column 'revenue'"):
        prepare_panel(make_frame({"a": 20}), "revenue", ForecastingParameters("date"))


# -- series ids -------------------------------------------------------------------------------


def test_one_series_needs_no_ids() -> None:
    prepared = prepare(make_frame({"a": 20}).drop(columns="store"))
    assert prepared.id_columns == ()
    assert prepared.series == ("series",)
    assert prepared.id_values("series") == {}


def test_the_smallest_set_of_id_columns_is_detected() -> None:
    frame = make_frame({"a": 20, "b": 20, "c": 20, "d": 20})
    frame["region"] = frame["store"].map({"a": "north", "b": "north", "c": "south", "d": "south"})
    frame["item"] = frame["store"].map({"a": "x", "b": "y", "c": "x", "d": "y"})
    frame["comment"] = [f"row {i}" for i in range(len(frame))]  # names rows, not series
    frame = frame.drop(columns="store")
    prepared = prepare(frame)
    assert prepared.id_columns == ("region", "item")
    assert prepared.series == ("north|x", "north|y", "south|x", "south|y")
    assert prepared.id_values("south|y") == {"region": "south", "item": "y"}
    assert prepared.guardrails["Time series identifiers"].status is GuardrailStatus.DONE


def test_no_id_set_is_an_error() -> None:
    frame = pd.concat([make_frame({"a": 20}), make_frame({"a": 20}, seed=1)], ignore_index=True)
    with pytest.raises(
        ForecastingError,
        match=r"the time column 'date' repeats .* no set of non-numeric columns tells the "
        r"series apart; set `time_series_id_column_names`",
    ):
        prepare(frame)


def test_given_ids_are_checked() -> None:
    with pytest.raises(
        ForecastingError, match=r"names the column 'shop', which is not in the data"
    ):
        prepare(make_frame({"a": 20}), time_series_id_column_names="shop")
    frame = make_frame({"a": 20, "b": 20})
    frame.loc[3, "store"] = None
    with pytest.raises(ForecastingError, match=r"the series id column 'store' .* got 1 missing"):
        prepare(frame, time_series_id_column_names="store")


def test_numeric_ids_map_back() -> None:
    frame = make_frame({"a": 20, "b": 20})
    frame["store"] = frame["store"].map({"a": 7, "b": 8})
    prepared = prepare(frame, time_series_id_column_names=["store"])
    assert prepared.series == ("7", "8")
    forecast = pd.DataFrame(
        {"unique_id": ["8", "7"], "ds": [pd.Timestamp("2024-02-01")] * 2, "yhat": [1.0, 2.0]}
    )
    back = prepared.to_original(forecast)
    assert list(back.columns) == ["store", "date", "yhat"]
    assert back["store"].tolist() == [8, 7]


# -- duplicates and aggregation ---------------------------------------------------------------


def test_duplicates_without_an_aggregation_are_an_error() -> None:
    frame = make_frame({"a": 20, "b": 20})
    frame = pd.concat([frame, frame.iloc[[25]]], ignore_index=True)
    with pytest.raises(
        ForecastingError,
        match=r"series 'b' has 2 rows at 2024-01-06 .* or `target_aggregation_function`",
    ):
        prepare(frame, time_series_id_column_names="store")


def test_duplicates_are_aggregated() -> None:
    frame = make_frame({"a": 20, "b": 20})
    extra = frame.iloc[[25]].assign(sales=1000.0, price=10.0)
    frame = pd.concat([frame, extra], ignore_index=True)
    original = frame.loc[25, ["sales", "price"]]
    prepared = prepare(
        frame, time_series_id_column_names="store", target_aggregation_function="sum"
    )
    row = prepared.panel.set_index(["unique_id", "ds"]).loc[("b", pd.Timestamp("2024-01-06"))]
    assert row["y"] == original["sales"] + 1000.0
    assert row["price"] == pytest.approx((original["price"] + 10.0) / 2)
    assert prepared.guardrails["Duplicate timestamps"].status is GuardrailStatus.DONE


def test_without_ids_an_aggregation_makes_one_series() -> None:
    frame = pd.concat([make_frame({"a": 20}), make_frame({"a": 20}, seed=1)], ignore_index=True)
    prepared = prepare(frame.drop(columns="store"), target_aggregation_function="max")
    assert prepared.series == ("series",)
    assert len(prepared.panel) == 20
    expected = frame.groupby("date")["sales"].max().to_numpy()
    np.testing.assert_array_equal(prepared.panel["y"].to_numpy(), expected)


def test_an_aggregation_with_freq_bins_irregular_data() -> None:
    stamps = ["2024-01-01 09:13", "2024-01-01 17:40", "2024-01-03 11:00", "2024-01-04 08:00"] * 5
    days = np.repeat(np.arange(5) * 7, 4)
    frame = pd.DataFrame(
        {"date": pd.to_datetime(stamps) + pd.to_timedelta(days, unit="D"), "sales": 1.0}
    )
    prepared = prepare(frame, freq="W-SUN", target_aggregation_function="sum")
    assert prepared.freq == "W-SUN"
    assert prepared.panel["ds"].dt.dayofweek.eq(6).all()
    assert prepared.panel["y"].tolist() == [4.0] * 5


# -- frequency --------------------------------------------------------------------------------


def test_a_freq_the_data_contradicts_is_an_error() -> None:
    with pytest.raises(
        ForecastingError,
        match=r"`freq` 'D' contradicts series 'a': it has 2024-01-01 and 2024-01-01 01:00:00",
    ):
        prepare(make_frame({"a": 30, "b": 30}, freq="h"), freq="D")


def test_a_series_off_the_grid_is_named() -> None:
    frame = make_frame({"a": 30, "b": 30})
    frame.loc[frame["store"] == "b", "date"] = (
        pd.to_datetime(frame.loc[frame["store"] == "b", "date"]) + pd.Timedelta(hours=12)
    ).astype(str)
    with pytest.raises(ForecastingError, match=r"inferred frequency 'D' contradicts series 'b'"):
        prepare(frame, time_series_id_column_names="store")


# -- gaps and imputation ----------------------------------------------------------------------


def test_missing_timestamps_and_targets_are_counted_and_forward_filled() -> None:
    frame = make_frame({"a": 30, "b": 30})
    frame.loc[[0, 1, 10], "sales"] = np.nan  # a: two leading, one inside
    frame.loc[[40, 41], "price"] = np.nan
    frame = frame.drop([35, 36, 37])  # b: three missing days
    prepared = prepare(frame)
    panel = prepared.panel.set_index(["unique_id", "ds"])
    assert panel.loc[("a", pd.Timestamp("2024-01-11")), "y"] == frame.loc[9, "sales"]
    assert panel.loc[("b", pd.Timestamp("2024-01-07")), "y"] == frame.loc[34, "sales"]
    assert panel.loc["a"].index.min() == pd.Timestamp("2024-01-03")
    assert len(panel) == 58
    guardrail = prepared.guardrails["Missing timestamps and target values"]
    assert guardrail.description.startswith("3 row(s) have no label and were kept as gaps")
    assert "3 missing timestamp(s) in 1 series were added" in guardrail.description
    assert "4 missing target value(s) in 2 series were forward filled" in guardrail.description
    assert "2 leading row(s) without a target in 1 series were dropped" in guardrail.description
    rows = {row["series"]: dict(row) for row in guardrail.details}
    assert rows["b"] == {
        "series": "b", "timestamps added": 3, "targets imputed": 3, "leading rows dropped": 0
    }  # fmt: skip
    features = prepared.guardrails["Missing feature values imputation"]
    assert features.details[0]["missing"] == 5
    b_median = frame.loc[frame["store"] == "b", "price"].median()
    assert panel.loc[("b", pd.Timestamp("2024-01-06")), "price"] == pytest.approx(b_median)
    assert not panel["y"].isna().any()


def test_a_series_without_targets_is_dropped_and_alerted() -> None:
    frame = make_frame({"a": 30, "b": 30})
    frame.loc[frame["store"] == "b", "sales"] = np.nan
    prepared = prepare(frame)
    assert prepared.series == ("a",)
    assert prepared.dropped_series == ("b",)
    guardrail = prepared.guardrails["Missing timestamps and target values"]
    assert guardrail.status is GuardrailStatus.ALERTED
    assert "no target value at all and were dropped: 'b'" in guardrail.description


def test_a_label_without_values_is_an_error() -> None:
    with pytest.raises(ForecastingError, match=r"the label column 'sales' must have values"):
        prepare(make_frame({"a": 20}).assign(sales=np.nan))


# -- short series -----------------------------------------------------------------------------


def test_the_minimum_length_is_azures_rule() -> None:
    params = ForecastingParameters("t", forecast_horizon=6, target_lags=[1, 12], cv_step_size=2)
    assert minimum_series_length(params, n_cross_validations=3) == 2 * 6 + 2 * 2 + 12 + 1
    assert minimum_series_length(ForecastingParameters("t")) == 3
    with pytest.raises(ForecastingError, match=r"`n_cross_validations` must be an int >= 1"):
        minimum_series_length(params, n_cross_validations=0)


def test_auto_drops_short_series_when_some_are_long() -> None:
    prepared = prepare(make_frame({"a": 30, "b": 8}), forecast_horizon=5)
    assert prepared.min_length == 11
    assert prepared.series == ("a",)
    assert prepared.dropped_series == ("b",)
    guardrail = prepared.guardrails["Short series handling"]
    assert guardrail.status is GuardrailStatus.DONE
    assert guardrail.details == ({"series": "b", "periods": 8, "minimum": 11},)


def test_auto_pads_when_every_series_is_short() -> None:
    frame = make_frame({"a": 8, "b": 6})
    prepared = prepare(frame, forecast_horizon=5, seed=3)
    panel = prepared.panel
    assert panel.groupby("unique_id").size().tolist() == [11, 11]
    assert prepared.padded_series == ("a", "b")
    padded_b = panel[panel["unique_id"] == "b"].iloc[:5]
    assert padded_b["ds"].iloc[-1] == pd.Timestamp("2023-12-31")
    median = frame.loc[frame["store"] == "b", "sales"].median()
    np.testing.assert_allclose(padded_b["y"], median, rtol=1e-3)
    assert (padded_b["price"] == 0).all()
    again = prepare(frame, forecast_horizon=5, seed=3)
    pd.testing.assert_frame_equal(panel, again.panel)


def test_padding_is_clipped_at_zero_and_drop_removes() -> None:
    frame = make_frame({"a": 30, "b": 5}).assign(sales=0.0)
    prepared = prepare(frame, short_series_handling_configuration="pad", min_length=12)
    assert (prepared.panel["y"] >= 0).all()
    assert prepared.panel.groupby("unique_id").size().tolist() == [30, 12]
    dropped = prepare(
        make_frame({"a": 30, "b": 5}), short_series_handling_configuration="drop", min_length=12
    )
    assert dropped.series == ("a",)


def test_short_series_kept_when_handling_is_off() -> None:
    prepared = prepare(
        make_frame({"a": 30, "b": 5}), short_series_handling_configuration=None, min_length=12
    )
    assert prepared.series == ("a", "b")
    assert prepared.guardrails["Short series handling"].status is GuardrailStatus.ALERTED


@pytest.mark.parametrize("handling", [None, "drop"])
def test_every_series_short_with_handling_off_is_an_error(handling: str | None) -> None:
    with pytest.raises(
        ForecastingError,
        match=r"every series is shorter than the minimum of 11 periods \(the shortest, 'b', has "
        rf"6\) and `short_series_handling_configuration` is {handling!r}",
    ):
        prepare(
            make_frame({"a": 8, "b": 6}),
            forecast_horizon=5,
            short_series_handling_configuration=handling,
        )


# -- covariates -------------------------------------------------------------------------------


def test_known_and_unknown_covariates() -> None:
    frame = make_frame({"a": 20}).assign(traffic=1.0).drop(columns="store")
    prepared = prepare(frame, features_unknown_at_forecast_time=["traffic"])
    assert prepared.known_covariates == ("price",)
    assert prepared.unknown_covariates == ("traffic",)
    details = prepared.guardrails["Covariates known at forecast time"].details
    assert {row["column"]: row["known at forecast time"] for row in details} == {
        "price": True,
        "traffic": False,
    }


def test_an_unknown_covariate_must_exist() -> None:
    with pytest.raises(
        ForecastingError,
        match=r"`features_unknown_at_forecast_time` names 'prices', which is not a covariate .*"
        r"did you mean 'price'\?",
    ):
        prepare(make_frame({"a": 20}), features_unknown_at_forecast_time="prices")


# -- future frames ----------------------------------------------------------------------------


def future(stores: list[str], start: str = "2024-01-21", periods: int = 3) -> pd.DataFrame:
    dates = pd.date_range(start, periods=periods, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame(
        {"store": np.repeat(stores, periods), "date": np.tile(dates, len(stores)), "price": 1.5}
    )


def test_prepare_future() -> None:
    prepared = prepare(make_frame({"a": 20, "b": 20}))
    result = prepare_future(future(["b", "a"]), prepared)
    assert list(result.columns) == ["unique_id", "ds", "price"]
    assert result["unique_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert result["ds"].dtype == "datetime64[ns]"
    with_actuals = prepare_future(future(["a"]).assign(sales=[1.0, None, 3.0]), prepared)
    assert with_actuals["y"].isna().tolist() == [False, True, False]


def test_a_missing_known_covariate_is_named() -> None:
    prepared = prepare(make_frame({"a": 20, "b": 20}))
    with pytest.raises(
        ForecastingError, match=r"the known covariate 'price' must be in the future"
    ):
        prepare_future(future(["a"]).drop(columns="price"), prepared)
    gappy = future(["a", "b"])
    gappy.loc[4, "price"] = np.nan
    with pytest.raises(
        ForecastingError,
        match=r"the known covariate 'price' must have a value for every period to forecast, got "
        r"1 missing, e.g. for series 'b' at 2024-01-22",
    ):
        prepare_future(gappy, prepared)


def test_future_errors() -> None:
    prepared = prepare(make_frame({"a": 20, "b": 20}))
    with pytest.raises(ForecastingError, match=r"`time_column_name` names the column 'date'"):
        prepare_future(future(["a"]).drop(columns="date"), prepared)
    with pytest.raises(
        ForecastingError, match=r"names the column 'store', which is not in the future"
    ):
        prepare_future(future(["a"]).drop(columns="store"), prepared)
    with pytest.raises(
        ForecastingError, match=r"1 series not seen in training, e.g. \{'store': 'z'\}"
    ):
        prepare_future(future(["a", "z"]), prepared)
    with pytest.raises(ForecastingError, match=r"two rows for series 'a' at 2024-01-21"):
        prepare_future(pd.concat([future(["a"]), future(["a"], periods=1)]), prepared)
    off = future(["a"]).assign(date=["2024-01-21 06:00", "2024-01-22 06:00", "2024-01-23 06:00"])
    with pytest.raises(
        ForecastingError, match=r"the future data is off the training data's 'D' grid"
    ):
        prepare_future(off, prepared)


def test_new_series_when_allowed() -> None:
    prepared = prepare(make_frame({"a": 20, "b": 20}))
    result = prepare_future(future(["a", "z"]), prepared, allow_new_series=True)
    assert sorted(result["unique_id"].unique()) == ["a", "z"]


def test_the_report_is_json_and_min_length_is_checked() -> None:
    frame = make_frame({"a": 30, "b": 5})
    frame.loc[3, "sales"] = np.nan
    prepared = prepare(frame.drop([10]), min_length=12)
    assert json.loads(json.dumps(prepared.guardrails.to_dict()))["guardrails"][0]["name"] == (
        "Time column parsing"
    )
    with pytest.raises(ForecastingError, match=r"`min_length` must be an int >= 1, got 0"):
        prepare(frame, min_length=0)
