"""Frequencies: inference (regular and gappy), panels, checks against data, seasonality."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting._frequency import (
    canonical_freq,
    check_panel_freq,
    infer_panel_freq,
    infer_series_freq,
    seasonality_for,
)

CASES = [
    ("h", "2024-01-01", "h"),
    ("30min", "2024-01-01", "30min"),
    ("D", "2024-01-01", "D"),
    ("B", "2024-01-01", "B"),
    ("W-SUN", "2024-01-07", "W-SUN"),
    ("W-WED", "2024-01-03", "W-WED"),
    ("MS", "2020-01-01", "MS"),
    ("ME", "2020-01-31", "ME"),
    ("QS-JAN", "2010-01-01", "QS-JAN"),
    ("QS-FEB", "2010-02-01", "QS-FEB"),
    ("QE-DEC", "2010-03-31", "QE-DEC"),
    ("YS-JAN", "2000-01-01", "YS-JAN"),
    ("YE-DEC", "2000-12-31", "YE-DEC"),
]


def panel(*series: tuple[str, pd.DatetimeIndex]) -> pd.DataFrame:
    return pd.concat(
        [pd.DataFrame({"unique_id": name, "ds": stamps}) for name, stamps in series],
        ignore_index=True,
    )


@pytest.mark.parametrize(("freq", "start", "expected"), CASES)
def test_a_regular_series(freq: str, start: str, expected: str) -> None:
    stamps = pd.date_range(start, periods=30, freq=freq)
    assert infer_series_freq(stamps) == expected
    assert infer_series_freq(list(reversed(stamps))) == expected


@pytest.mark.parametrize(("freq", "start", "expected"), CASES)
def test_a_gappy_series(freq: str, start: str, expected: str) -> None:
    stamps = pd.date_range(start, periods=30, freq=freq).delete([2, 3, 7, 11, 12, 13, 20])
    assert infer_series_freq(stamps) == expected


@pytest.mark.parametrize(("freq", "start", "expected"), CASES)
def test_two_timestamps_are_enough(freq: str, start: str, expected: str) -> None:
    stamps = pd.date_range(start, periods=2, freq=freq)
    if freq == "B":  # two weekdays in a row cannot tell business days from days
        expected = "D"
    assert infer_series_freq(stamps) == expected


def test_one_timestamp_has_no_frequency() -> None:
    assert infer_series_freq(pd.DatetimeIndex(["2024-01-01", "2024-01-01"])) is None


def test_irregular_steps_name_two_timestamps() -> None:
    stamps = pd.to_datetime(
        ["2024-01-01 00:00", "2024-01-01 00:30", "2024-01-01 01:15", "2024-01-01 01:45"]
    )
    with pytest.raises(
        ForecastingError,
        match=r"series 'x' has irregular timestamps: 2024-01-01 00:30:00 and 2024-01-01 "
        r"01:15:00 are 00:45:00 apart",
    ):
        infer_series_freq(stamps, series="x")


def test_monthly_data_mid_month_is_an_error_with_a_fix() -> None:
    stamps = pd.to_datetime(["2024-01-15", "2024-02-15", "2024-04-15", "2024-05-15"])
    with pytest.raises(ForecastingError, match=r"fall on day 15 .* month starts \('MS'\)"):
        infer_series_freq(stamps)


@pytest.mark.parametrize(
    ("freq", "canonical"),
    [
        ("H", "h"),
        ("M", "ME"),
        ("Q", "QE-DEC"),
        ("QS-OCT", "QS-JAN"),
        ("QE-SEP", "QE-DEC"),
        ("A", "YE-DEC"),
    ],
)
def test_canonical_aliases(freq: str, canonical: str) -> None:
    assert canonical_freq(freq) == canonical


@pytest.mark.parametrize(
    ("freq", "season"),
    [
        ("h", 24), ("30min", 48), ("15min", 96), ("s", 60), ("D", 7), ("2D", 1), ("B", 5),
        ("W-SUN", 52), ("MS", 12), ("ME", 12), ("2MS", 6), ("QS-JAN", 4), ("QE-DEC", 4),
        ("YS-JAN", 1),
    ],
)  # fmt: skip
def test_seasonality_from_the_frequency(freq: str, season: int) -> None:
    assert seasonality_for(freq) == season


def test_a_panel_frequency_when_the_series_agree() -> None:
    days = pd.date_range("2024-01-01", periods=20, freq="D")
    frame = panel(("a", days), ("b", days[3:].delete([4, 5])), ("c", days[:1]))
    assert infer_panel_freq(frame) == ("D", {})


def test_a_coarser_series_on_the_grid_is_reported() -> None:
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    weekly = pd.date_range("2024-01-07", periods=4, freq="W-SUN")
    frame = panel(("a", days), ("b", days), ("w", weekly))
    assert infer_panel_freq(frame) == ("D", {"w": "W-SUN"})


def test_a_series_off_the_panel_grid_is_named() -> None:
    hours = pd.date_range("2024-01-01", periods=10, freq="h")
    frame = panel(("a", hours), ("b", hours), ("late", hours[:5] + pd.Timedelta(minutes=30)))
    with pytest.raises(
        ForecastingError,
        match=r"the panel's inferred frequency 'h' contradicts series 'late': its timestamp "
        r"2024-01-01 00:30:00 is not a whole number of 'h' steps from 2024-01-01",
    ):
        infer_panel_freq(frame)


def test_a_panel_without_two_timestamps_needs_freq() -> None:
    frame = panel(("a", pd.DatetimeIndex(["2024-01-01"])), ("b", pd.DatetimeIndex(["2024-01-02"])))
    with pytest.raises(
        ForecastingError, match=r"no series has two distinct timestamps; set `freq`"
    ):
        infer_panel_freq(frame)


def test_a_freq_the_data_contradicts_names_a_series_and_two_timestamps() -> None:
    frame = panel(
        ("a", pd.date_range("2024-01-01", periods=4, freq="D")),
        ("b", pd.date_range("2024-01-01", periods=6, freq="h")),
    )
    with pytest.raises(
        ForecastingError,
        match=r"`freq` 'D' contradicts series 'b': it has 2024-01-01 and 2024-01-01 01:00:00, "
        r"01:00:00 apart",
    ):
        check_panel_freq(frame, "D")


def test_a_calendar_freq_the_data_contradicts() -> None:
    frame = panel(("a", pd.date_range("2024-01-15", periods=4, freq="D")))
    with pytest.raises(
        ForecastingError,
        match=r"`freq` 'MS' contradicts series 'a': of its timestamps 2024-01-15 and "
        r"2024-01-16, 2024-01-15 is not on the 'MS' grid",
    ):
        check_panel_freq(frame, "MS")


def test_a_coarser_freq_with_gaps_is_accepted() -> None:
    frame = panel(("a", pd.date_range("2024-01-01", periods=6, freq="2D")))
    check_panel_freq(frame, "D")
    check_panel_freq(panel(("a", pd.date_range("2024-01-01", periods=6, freq="MS"))), "MS")
