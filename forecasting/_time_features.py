"""Features of the timestamps alone: period index, calendar parts, holidays, Fourier terms.

None of these look at the target, so they are known for any future period and cannot leak.
:class:`PeriodGrid` numbers the periods of a frequency from an anchor (``t = 0`` at the anchor,
negative before it), the clock that Fourier terms and the recursive feature buffer run on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pandas.tseries import offsets

from forecasting._errors import ForecastingError, closest_hint, describe
from forecasting._frequency import offset_of

__all__ = [
    "PeriodGrid",
    "calendar_features",
    "calendar_parts",
    "fourier_features",
    "holiday_features",
    "nominal_days",
    "parse_holidays_country",
    "to_offset",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Datetimes = NDArray[np.datetime64]

DAYS_CAP = 366.0
"""Days to/from a holiday when there is none within the years looked at."""


def to_offset(freq: str, argument: str = "freq") -> offsets.BaseOffset:
    """The pandas offset of a frequency alias, or an error naming ``argument``."""
    return offset_of(freq, field=argument)


def nominal_days(offset: offsets.BaseOffset) -> float:
    """Length of one period in days, measured from a period start in January 2001."""
    start = offset.rollforward(pd.Timestamp("2001-01-01"))
    return float((start + offset - start) / pd.Timedelta(days=1))


class PeriodGrid:
    """Integer period index ``t`` of timestamps on a frequency's grid, ``t = 0`` at ``anchor``.

    Example:
        >>> grid = PeriodGrid("MS", pd.Timestamp("2024-01-01"))
        >>> grid.index(pd.to_datetime(["2023-12-01", "2024-03-01"]).to_numpy()).tolist()
        [-1, 2]
        >>> [str(d.date()) for d in grid.timestamps(np.array([12]))]
        ['2025-01-01']
    """

    def __init__(self, freq: str, anchor: pd.Timestamp) -> None:
        self.offset = to_offset(freq)
        self.anchor = pd.Timestamp(anchor)
        if not self.offset.is_on_offset(self.anchor):
            raise ForecastingError(
                f"`ds` must lie on the {freq!r} grid, got {self.anchor} (not a {freq!r} period)"
            )
        self._tick = isinstance(self.offset, offsets.Tick)
        self._grid = pd.DatetimeIndex([self.anchor])
        self._first = 0  # period index of self._grid[0]

    def index(self, ds: Datetimes) -> IntArray:
        """Period index of each timestamp; an error names the first one off the grid."""
        values = np.asarray(ds, dtype="datetime64[ns]")
        if values.size == 0:
            return np.zeros(0, dtype=np.int64)
        if self._tick:
            delta = (values - self.anchor.to_datetime64()).astype(np.int64)
            step = int(self.offset.nanos)
            off = delta % step != 0
            if off.any():
                self._off_grid(values[off][0])
            result: IntArray = (delta // step).astype(np.int64)
            return result
        uniques, inverse = np.unique(values, return_inverse=True)
        self._cover(pd.Timestamp(uniques[0]), pd.Timestamp(uniques[-1]))
        grid = self._grid.to_numpy()
        where = np.searchsorted(grid, uniques)
        found = (where < len(grid)) & (grid[np.minimum(where, len(grid) - 1)] == uniques)
        if not found.all():
            self._off_grid(uniques[~found][0])
        positions: IntArray = (where + self._first).astype(np.int64)[inverse.reshape(-1)]
        return positions

    def timestamps(self, t: IntArray) -> pd.DatetimeIndex:
        """The timestamps of period indices ``t`` (the inverse of :meth:`index`)."""
        t = np.asarray(t, dtype=np.int64)
        if t.size == 0:
            return pd.DatetimeIndex([])
        if self._tick:
            step = np.timedelta64(int(self.offset.nanos), "ns")
            return pd.DatetimeIndex(self.anchor.to_datetime64() + t * step)
        lo, hi = int(t.min()), int(t.max())
        self._cover(self.anchor + lo * self.offset, self.anchor + hi * self.offset)
        return pd.DatetimeIndex(self._grid.to_numpy()[t - self._first])

    def _cover(self, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
        """Extend the cached grid so that it spans ``[lo, hi]`` (its ends are on the grid)."""
        first, last = self._grid[0], self._grid[-1]
        if lo < first:
            # date_range rolls an off-grid `lo` forward; such a timestamp is then not found
            before = pd.date_range(start=lo, end=first, freq=self.offset)
            self._grid = pd.DatetimeIndex(before[:-1].append(self._grid))
            self._first -= len(before) - 1
        if hi > last:
            after = pd.date_range(start=last, end=hi, freq=self.offset)
            self._grid = pd.DatetimeIndex(self._grid.append(after[1:]))

    def _off_grid(self, value: np.datetime64) -> None:
        raise ForecastingError(
            f"`ds` must lie on the {self.offset.freqstr!r} grid that starts at {self.anchor}, "
            f"got {pd.Timestamp(value)}"
        )


def calendar_parts(offset: offsets.BaseOffset) -> tuple[str, ...]:
    """The calendar features that vary for a frequency (finer data gets more of them)."""
    days = nominal_days(offset)
    parts: list[str] = []
    if days < 1 / 24:
        parts.append("minute")
    if days < 1:
        parts.append("hour")
    if days < 7:
        parts += ["day_of_week", "is_weekend", "day_of_month"]
    if days <= 7:
        parts.append("week_of_year")
    if days <= 31:
        parts.append("month")
    if days <= 92:
        parts.append("quarter")
    parts.append("year")
    return tuple(parts)


def calendar_features(ds: pd.DatetimeIndex, parts: Sequence[str]) -> dict[str, FloatArray]:
    """Calendar parts of ``ds`` as float columns (names from :func:`calendar_parts`)."""
    return {part: _calendar_part(ds, part) for part in parts}


def _calendar_part(ds: pd.DatetimeIndex, part: str) -> FloatArray:
    if part == "minute":
        values: ArrayLike = ds.minute
    elif part == "hour":
        values = ds.hour
    elif part == "day_of_week":
        values = ds.dayofweek
    elif part == "is_weekend":
        values = ds.dayofweek >= 5
    elif part == "day_of_month":
        values = ds.day
    elif part == "week_of_year":
        values = ds.isocalendar()["week"].to_numpy()
    elif part == "month":
        values = ds.month
    elif part == "quarter":
        values = ds.quarter
    else:
        values = ds.year
    return np.asarray(values, dtype=np.float64)


def parse_holidays_country(value: str) -> tuple[str, str | None]:
    """``"AU"`` or ``"AU-VIC"`` -> (country, subdivision), checked against ``holidays``."""
    import holidays

    if not isinstance(value, str) or not value:
        raise ForecastingError(
            f"`holidays_country` must be an ISO 3166 code such as 'US' or 'AU-VIC', "
            f"got {describe(value)}"
        )
    country, _, subdiv = value.partition("-")
    supported: dict[str, list[str]] = holidays.list_supported_countries()
    if country not in supported:
        hint = closest_hint(country, supported)
        raise ForecastingError(
            f"`holidays_country` must be a country the holidays package knows, got {value!r}{hint}"
        )
    if subdiv and subdiv not in supported[country]:
        raise ForecastingError(
            f"`holidays_country` subdivision must be one of {supported[country]} for "
            f"{country!r}, got {subdiv!r}"
        )
    return country, subdiv or None


@functools.lru_cache(maxsize=32)
def _holiday_dates(country: str, subdiv: str | None, first: int, last: int) -> Datetimes:
    import holidays

    calendar = holidays.country_holidays(country, subdiv=subdiv, years=range(first, last + 1))
    return np.array(sorted(calendar), dtype="datetime64[D]")


def holiday_features(
    ds: pd.DatetimeIndex, country: str, subdiv: str | None, offset: offsets.BaseOffset
) -> dict[str, FloatArray]:
    """Holiday features of ``ds``.

    Daily and finer data: ``is_holiday`` (the date of ``ds`` is a holiday), ``days_to_holiday``
    and ``days_from_holiday`` (days to the next and since the last holiday, 0 on one, capped
    at 366). Coarser data: ``holiday_count``, the holidays inside the period ``ds`` labels,
    ``[ds, ds + freq)`` for period-start offsets (MS, QS, YS, SMS) and ``(ds - freq, ds]``
    for the others (W, ME, ...), as pandas labels them.
    """
    if len(ds) == 0:
        names: tuple[str, ...] = ("is_holiday", "days_to_holiday", "days_from_holiday")
        if nominal_days(offset) > 1:
            names = ("holiday_count",)
        return {name: np.zeros(0) for name in names}
    dates = _holiday_dates(country, subdiv, int(ds.year.min()) - 1, int(ds.year.max()) + 1)
    if nominal_days(offset) > 1:
        begins = (
            offsets.MonthBegin,
            offsets.QuarterBegin,
            offsets.YearBegin,
            offsets.SemiMonthBegin,
            offsets.BusinessMonthBegin,
            offsets.BQuarterBegin,
            offsets.BYearBegin,
        )
        if isinstance(offset, begins):
            lo, hi = ds.to_numpy(), (ds + offset).to_numpy()
            count = np.searchsorted(dates, hi, "left") - np.searchsorted(dates, lo, "left")
        else:
            lo, hi = (ds - offset).to_numpy(), ds.to_numpy()
            count = np.searchsorted(dates, hi, "right") - np.searchsorted(dates, lo, "right")
        return {"holiday_count": count.astype(np.float64)}
    day = ds.to_numpy().astype("datetime64[D]")
    following = np.searchsorted(dates, day, "left")
    previous = np.searchsorted(dates, day, "right") - 1
    to_next = np.full(len(day), DAYS_CAP)
    has_next = following < len(dates)
    to_next[has_next] = (dates[following[has_next]] - day[has_next]).astype(np.float64)
    from_last = np.full(len(day), DAYS_CAP)
    has_last = previous >= 0
    from_last[has_last] = (day[has_last] - dates[previous[has_last]]).astype(np.float64)
    return {
        "is_holiday": (to_next == 0).astype(np.float64),
        "days_to_holiday": np.minimum(to_next, DAYS_CAP),
        "days_from_holiday": np.minimum(from_last, DAYS_CAP),
    }


def fourier_features(t: IntArray, terms: Sequence[tuple[float, int]]) -> dict[str, FloatArray]:
    """``sin``/``cos`` of ``2 pi k t / period`` for ``k = 1..order`` of each (period, order).

    Example:
        >>> f = fourier_features(np.array([0, 1]), [(4, 1)])
        >>> {name: np.round(v, 6).tolist() for name, v in f.items()}
        {'fourier_sin_4_1': [0.0, 1.0], 'fourier_cos_4_1': [1.0, 0.0]}
    """
    out: dict[str, FloatArray] = {}
    for period, order in terms:
        for k in range(1, order + 1):
            angle = 2.0 * np.pi * k * t.astype(np.float64) / period
            out[f"fourier_sin_{period:g}_{k}"] = np.sin(angle)
            out[f"fourier_cos_{period:g}_{k}"] = np.cos(angle)
    return out
