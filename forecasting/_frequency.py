"""Frequencies of time series: parse, infer (robust to gaps), check against data, seasonality.

A frequency is a pandas offset alias kept as a canonical string: ``"h"``, ``"30min"``, ``"D"``,
``"B"``, ``"W-SUN"``, ``"MS"``, ``"ME"``, ``"QS-JAN"``, ``"QE-DEC"``, ``"YS-JAN"``, ``"YE-DEC"``
(pandas' deprecated spellings such as ``"H"`` or ``"M"`` are read and rewritten; the quarter
anchors are folded to the first month of the year that they name, so ``"QS-OCT"`` reads
``"QS-JAN"``).

How a series' frequency is inferred (:func:`infer_series_freq`):

1. ``pandas.infer_freq`` on the sorted unique timestamps, when it finds one;
2. else (gaps), from the steps between timestamps: month starts or month ends with a most
   common step of k months (``"MS"``, ``"QS-..."``, ``"YS-..."``, ``"kMS"``, and the ``E``
   forms); one weekday only, k weeks apart (``"W-MON"``, ...); weekdays only with a
   Friday-to-Monday step (``"B"``); else the most common step as a fixed duration (``"D"``,
   ``"h"``, ``"15min"``, ...). Every step must be a whole number of the most common one:
   otherwise the series is irregular, an error that names the series and two timestamps.

A panel's frequency (:func:`infer_panel_freq`) is the one most of its series have; every
series must lie on that grid (for fixed durations, a whole number of steps from the first
timestamp of the panel's longest series), else the error names the series that does not.
"""

from __future__ import annotations

import warnings
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from forecasting._errors import ForecastingError, closest_hint, describe

if TYPE_CHECKING:
    from pandas.tseries.offsets import BaseOffset

__all__ = [
    "COMMON_FREQS",
    "canonical_freq",
    "check_panel_freq",
    "grid_anchor",
    "infer_panel_freq",
    "infer_series_freq",
    "offset_of",
    "seasonality_for",
]

COMMON_FREQS: tuple[str, ...] = (
    "s", "min", "15min", "30min", "h", "D", "B", "W-SUN", "W-MON", "MS", "ME",
    "QS-JAN", "QE-DEC", "YS-JAN", "YE-DEC",
)  # fmt: skip
"""Aliases offered as hints when a frequency is misspelt."""

# Cycles per year (or per week for business days) of calendar offsets, by alias prefix.
_CYCLES = {
    "W": 52, "MS": 12, "ME": 12, "BMS": 12, "BME": 12, "SMS": 24, "SME": 24,
    "QS": 4, "QE": 4, "BQS": 4, "BQE": 4, "YS": 1, "YE": 1, "BYS": 1, "BYE": 1, "B": 5, "C": 5,
}  # fmt: skip
_DAY = pd.Timedelta(days=1)
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def offset_of(freq: object, *, field: str = "freq") -> BaseOffset:
    """The pandas offset of an alias (or an offset), else an error naming ``field``."""
    from pandas.tseries.offsets import BaseOffset

    if isinstance(freq, BaseOffset):
        return freq
    if not isinstance(freq, str) or not freq.strip():
        raise ForecastingError(
            f"`{field}` must be a pandas offset alias such as 'h', 'D', 'W-SUN', 'MS' or "
            f"'QS-JAN', got {describe(freq)}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return to_offset(freq.strip())
    except (ValueError, TypeError):
        hint = closest_hint(freq, COMMON_FREQS)
        raise ForecastingError(
            f"`{field}` must be a pandas offset alias such as 'h', 'D', 'W-SUN', 'MS' or "
            f"'QS-JAN', got {freq!r}{hint}"
        ) from None


def canonical_freq(freq: object, *, field: str = "freq") -> str:
    """The canonical alias of a frequency.

    Example:
        >>> canonical_freq("H"), canonical_freq("M"), canonical_freq("QS-OCT")
        ('h', 'ME', 'QS-JAN')
    """
    offset = offset_of(freq, field=field)
    if isinstance(offset, pd.offsets.DateOffset) and type(offset) is pd.offsets.DateOffset:
        raise ForecastingError(
            f"`{field}` must be a pandas offset alias such as 'D' or 'MS', got the relative "
            f"offset {offset!r}; write it as an alias (months=1 is 'MS' or 'ME')"
        )
    text = offset.freqstr
    quarter: Any = offset  # pandas-stubs do not know startingMonth
    if isinstance(offset, (pd.offsets.QuarterBegin, pd.offsets.BQuarterBegin)):
        text = text.rsplit("-", 1)[0] + "-" + _month_code((quarter.startingMonth - 1) % 3 + 1)
    elif isinstance(offset, (pd.offsets.QuarterEnd, pd.offsets.BQuarterEnd)):
        text = text.rsplit("-", 1)[0] + "-" + _month_code((quarter.startingMonth - 1) % 3 + 10)
    return text


def _month_code(month: int) -> str:
    return pd.Timestamp(2000, month, 1).strftime("%b").upper()


def _is_tick(offset: BaseOffset) -> bool:
    return isinstance(offset, pd.offsets.Tick)


def _step_text(nanos: int) -> str:
    return str(pd.Timedelta(nanos, unit="ns")).replace("0 days ", "")


def _ts(value: Any) -> str:
    stamp = pd.Timestamp(value)
    return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def _unique_sorted(timestamps: Any) -> pd.DatetimeIndex:
    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(timestamps)))
    return index.dropna().unique().sort_values()


def infer_series_freq(timestamps: Any, *, series: str | None = None) -> str | None:
    """The frequency of one series, robust to gaps; None when it has fewer than 2 timestamps.

    Args:
        timestamps: The series' timestamps, in any order (duplicates and NaT are ignored).
        series: The series' name, for error messages.

    Raises:
        ForecastingError: The timestamps are irregular (a step that is not a whole number of
            the most common step, or monthly data on a day other than the first or last).

    Example:
        >>> import pandas as pd
        >>> days = pd.date_range("2024-01-01", periods=10, freq="D").delete([3, 4, 7])
        >>> infer_series_freq(days)
        'D'
    """
    index = _unique_sorted(timestamps)
    if len(index) < 2:
        return None
    if len(index) >= 3:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            inferred = pd.infer_freq(index)
        if inferred is not None:
            return canonical_freq(inferred)
    return _infer_with_gaps(index, "the series" if series is None else f"series {series!r}")


def _infer_with_gaps(index: pd.DatetimeIndex, name: str) -> str:
    times = index - index.normalize()
    if (times == times[0]).all():
        months = np.asarray(index.year * 12 + index.month, dtype=np.int64)
        if (index.day == 1).all():
            step = _common_step(np.diff(months), index, name, "months")
            return _name_regular(index[0], pd.offsets.MonthBegin(step))
        if index.is_month_end.all():
            step = _common_step(np.diff(months), index, name, "months")
            return _name_regular(index[0], pd.offsets.MonthEnd(step))
        days = np.asarray((index.normalize() - index[0].normalize()).days, dtype=np.int64)
        weekdays = np.asarray(index.weekday)
        if (weekdays == weekdays[0]).all() and (np.diff(days) % 7 == 0).all():
            step = _common_step(np.diff(days) // 7, index, name, "weeks")
            prefix = "" if step == 1 else str(step)
            return f"{prefix}W-{_WEEKDAYS[int(weekdays[0])]}"
        if _looks_like_business_days(index, weekdays):
            return "B"
        if (index.day == index.day[0]).all() and np.diff(days).min() >= 28:
            raise ForecastingError(
                f"{name} is monthly or coarser but its timestamps fall on day {index.day[0]} "
                "of the month: monthly data must be on month starts ('MS') or month ends "
                "('ME'); align them, e.g. with .dt.to_period('M').dt.to_timestamp()"
            )
    nanos = np.diff(index.to_numpy().astype("datetime64[ns]").astype(np.int64))
    step = _common_step(nanos, index, name, "")
    duration: Any = pd.Timedelta(step, unit="ns")  # to_offset reads a Timedelta; stubs say no
    return canonical_freq(to_offset(duration))


def _looks_like_business_days(index: pd.DatetimeIndex, weekdays: np.ndarray[Any, Any]) -> bool:
    if (weekdays >= 5).any():
        return False
    days = np.asarray(index.values.astype("datetime64[D]"))
    gaps = np.diff(days).astype(np.int64)
    # A Friday followed by the Monday after it: a weekend skipped on purpose.
    return bool(((gaps == 3) & (weekdays[:-1] == 4)).any()) and bool(
        (np.busday_count(days[:-1], days[1:]) >= 1).all()
    )


def _common_step(steps: np.ndarray[Any, Any], index: pd.DatetimeIndex, name: str, unit: str) -> int:
    positive = steps[steps > 0]
    step = int(Counter(positive.tolist()).most_common(1)[0][0])
    bad = np.flatnonzero(steps % step != 0)
    if bad.size:
        first = int(bad[0])
        size = f"{int(steps[first])} {unit}" if unit else _step_text(int(steps[first]))
        common = f"{step} {unit}" if unit else _step_text(step)
        raise ForecastingError(
            f"{name} has irregular timestamps: {_ts(index[first])} and "
            f"{_ts(index[first + 1])} are {size} apart, not a whole number of the most "
            f"common step ({common}); set `freq` and `target_aggregation_function` to "
            "aggregate the data onto a regular grid"
        )
    return step


def _name_regular(start: pd.Timestamp, offset: BaseOffset) -> str:
    regular = pd.date_range(start, periods=4, freq=offset)
    inferred = pd.infer_freq(regular)
    return canonical_freq(inferred if inferred is not None else offset)


def grid_anchor(panel: pd.DataFrame) -> pd.Timestamp:
    """The first timestamp of the panel's longest series (the first such series on a tie):
    fixed-duration grids are counted from it."""
    sizes = panel.groupby("unique_id", sort=False, observed=True)["ds"].size()
    longest = sizes.index[int(np.argmax(sizes.to_numpy()))]
    return pd.Timestamp(panel.loc[panel["unique_id"] == longest, "ds"].min())


def infer_panel_freq(panel: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """The frequency of a panel (canonical format: ``unique_id``, ``ds``).

    Each series with two or more timestamps gets its own frequency (:func:`infer_series_freq`);
    the panel's is the one most series have (ties: the finer one), and every series is then
    checked against it with :func:`check_panel_freq`.

    Returns:
        The panel's frequency, and the series whose own frequency differs though they lie on
        the panel's grid (a monthly series in a daily panel: its gaps will be filled), with
        their own frequency.

    Raises:
        ForecastingError: No series has two timestamps, a series is irregular, or a series is
            off the panel's grid (named, with two of its timestamps).
    """
    own: dict[str, str] = {}
    for series, stamps in panel.groupby("unique_id", sort=False, observed=True)["ds"]:
        found = infer_series_freq(stamps, series=str(series))
        if found is not None:
            own[str(series)] = found
    if not own:
        raise ForecastingError(
            "cannot infer the frequency: no series has two distinct timestamps; set `freq`"
        )
    votes = Counter(own.values())
    best = max(votes.values())
    freq = min((item for item, count in votes.items() if count == best), key=_approximate_nanos)
    check_panel_freq(panel, freq, inferred=True)
    return freq, {series: found for series, found in own.items() if found != freq}


def _approximate_nanos(freq: str) -> int:
    stamps = pd.date_range("2001-01-01", periods=2, freq=offset_of(freq))
    return int(stamps[1].value - stamps[0].value)


def check_panel_freq(
    panel: pd.DataFrame,
    freq: str,
    *,
    inferred: bool = False,
    anchor: pd.Timestamp | None = None,
    what: str | None = None,
) -> None:
    """Check that every series of the panel lies on the grid of ``freq``.

    Fixed-duration frequencies (``"h"``, ``"D"``, ``"30min"``) count whole steps from
    :func:`grid_anchor`; calendar ones (``"MS"``, ``"W-SUN"``, ``"B"``) need every timestamp on
    the offset, at the anchor's time of day.

    Args:
        panel: ``unique_id`` and ``ds`` columns.
        freq: A canonical alias.
        inferred: ``freq`` was inferred (for the message).
        anchor: Where fixed-duration grids start (default: :func:`grid_anchor` of ``panel``).
        what: How the message names the data (default: ``freq`` itself).

    Raises:
        ForecastingError: A series the frequency contradicts, named with two timestamps.
    """
    offset = offset_of(freq)
    anchor = grid_anchor(panel) if anchor is None else anchor
    ordered = panel[["unique_id", "ds"]].sort_values(["unique_id", "ds"], kind="stable")
    ids = ordered["unique_id"].to_numpy()
    stamps = ordered["ds"].to_numpy().astype("datetime64[ns]")
    starts = np.r_[True, ids[1:] != ids[:-1]]
    if what is not None:
        head = f"{what} is off the training data's {freq!r} grid in"
        fix = "give the periods to forecast on that grid"
    elif inferred:
        head = f"the panel's inferred frequency {freq!r} contradicts"
        fix = (
            "set `time_series_id_column_names` if several series are mixed up in one, or set "
            "`freq` and `target_aggregation_function` to aggregate onto one grid"
        )
    else:
        head = f"`freq` {freq!r} contradicts"
        fix = (
            "check `freq`, or set `target_aggregation_function` to aggregate the data onto "
            "that grid"
        )
    if _is_tick(offset):
        step = int(offset.nanos)
        residue = (stamps.astype(np.int64) - anchor.value) % step
        first_row = np.maximum.accumulate(np.where(starts, np.arange(len(ids)), 0))
        uneven = np.flatnonzero(residue != residue[first_row])
        if uneven.size:
            row = int(uneven[0])
            gap = _step_text(int(stamps[row].astype(np.int64) - stamps[row - 1].astype(np.int64)))
            raise ForecastingError(
                f"{head} series {str(ids[row])!r}: it has {_ts(stamps[row - 1])} "
                f"and {_ts(stamps[row])}, {gap} apart, not a whole number of {freq!r} steps; "
                f"{fix}"
            )
        shifted = np.flatnonzero(residue != 0)
        if shifted.size:
            row = int(shifted[0])
            raise ForecastingError(
                f"{head} series {str(ids[row])!r}: its timestamp {_ts(stamps[row])} "
                f"is not a whole number of {freq!r} steps from {_ts(anchor)}, where the grid "
                f"starts; {fix}"
            )
        return
    bad = np.flatnonzero(_off_calendar(ordered["ds"], offset, anchor))
    if bad.size:
        row = int(bad[0])
        near = row + 1 if starts[row] else row - 1
        if near < len(ids) and ids[near] == ids[row]:
            pair = sorted((row, near))
            shown = f"{_ts(stamps[pair[0]])} and {_ts(stamps[pair[1]])}"
        else:
            shown = f"{_ts(stamps[row])} (its only one; the grid starts at {_ts(anchor)})"
        raise ForecastingError(
            f"{head} series {str(ids[row])!r}: of its timestamps {shown}, "
            f"{_ts(stamps[row])} is not on the {freq!r} grid; {fix}"
        )


def _off_calendar(ds: pd.Series, offset: BaseOffset, anchor: pd.Timestamp) -> np.ndarray[Any, Any]:
    unique = pd.DatetimeIndex(ds.unique())
    time_of_day = anchor - anchor.normalize()
    on = np.array([offset.is_on_offset(stamp) for stamp in unique], dtype=bool)
    on &= np.asarray((unique - unique.normalize()) == time_of_day)
    if offset.n != 1:
        grid = pd.date_range(anchor, unique.max(), freq=offset)
        on &= np.asarray(unique.isin(grid)) | np.asarray(unique < anchor)
    good = pd.Series(on, index=unique)
    return ~good.reindex(pd.DatetimeIndex(ds)).to_numpy(dtype=bool)


def seasonality_for(freq: str) -> int:
    """The seasonal period that ``seasonality="auto"`` means for a frequency.

    Sub-daily steps: steps per day (``"h"`` 24, ``"30min"`` 48), sub-minute ones steps per
    minute; days: 7 (``"2D"`` and other steps that do not divide a week: 1); ``"B"``: 5;
    weeks: 52; months: 12; quarters: 4; years: 1; a multiple divides the cycle when it can
    (``"2MS"``: 6), else 1.

    Example:
        >>> seasonality_for("h"), seasonality_for("D"), seasonality_for("MS")
        (24, 7, 12)
    """
    offset = offset_of(freq)
    if _is_tick(offset):
        step = int(offset.nanos)
        minute, day = 60 * 10**9, 86_400 * 10**9
        cycle = minute if step < minute else day if step < day else 7 * day
        return cycle // step if cycle % step == 0 and cycle > step else 1
    prefix = offset.base.freqstr.split("-")[0]
    cycles = _CYCLES.get(prefix, 1)
    return cycles // offset.n if cycles % offset.n == 0 else 1
