"""The time column: present, parsed to ``datetime64[ns]`` (naive), or a clear error.

Accepted: datetime columns (time-zone aware ones are converted to UTC and made naive, so that
daylight-saving changes do not break the grid), pandas periods (their start time), and text or
Python dates that :func:`pandas.to_datetime` parses (one format, ISO 8601, or a mix). Numbers
are refused: an integer year or a Unix time is ambiguous, the message says how to convert.
Rows without a time are dropped and counted.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from forecasting._errors import ForecastingError, closest_hint, list_names

__all__ = ["ParsedTime", "parse_time_column", "require_column"]


@dataclass(frozen=True, eq=False)
class ParsedTime:
    """A parsed time column.

    Attributes:
        values: The times, ``datetime64[ns]``, naive, aligned with the frame (NaT where the
            row had no time).
        n_missing: Rows without a time.
        note: How the column was read, for the guardrail ("parsed from text", ...).
    """

    values: pd.Series
    n_missing: int
    note: str


def require_column(frame: pd.DataFrame, column: str, field: str, what: str) -> None:
    """Raise unless ``column`` (the value of setting ``field``) is a column of ``frame``."""
    if column not in frame.columns:
        columns = [str(name) for name in frame.columns]
        raise ForecastingError(
            f"`{field}` names the column {column!r}, which is not in the {what}"
            f"{closest_hint(column, columns)}; its columns are {list_names(columns)}"
        )


def parse_time_column(
    frame: pd.DataFrame, column: str, *, what: str = "training data"
) -> ParsedTime:
    """Find and parse the time column of ``frame``.

    Raises:
        ForecastingError: The column is missing (the message lists the columns), holds numbers,
            or holds values that are not times (the message shows one).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"when": ["2024-01-01", "2024-01-02", None]})
        >>> parsed = parse_time_column(frame, "when")
        >>> parsed.values.dtype, parsed.n_missing
        (dtype('<M8[ns]'), 1)
    """
    require_column(frame, column, "time_column_name", what)
    raw = frame[column]
    if isinstance(raw.dtype, pd.PeriodDtype):
        values, note = raw.dt.to_timestamp(), "periods read as their start times"
    elif isinstance(raw.dtype, pd.DatetimeTZDtype):
        values = raw.dt.tz_convert("UTC").dt.tz_localize(None)
        note = f"converted from {raw.dt.tz} to UTC"
    elif pd.api.types.is_datetime64_dtype(raw.dtype):
        values, note = raw, "already datetimes"
    elif pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        example = raw.dropna().iloc[0] if raw.notna().any() else None
        example = example.item() if example is not None and hasattr(example, "item") else example
        raise ForecastingError(
            f"the time column {column!r} (`time_column_name`) must hold dates or times, got "
            f"numbers such as {example!r}; convert it first, e.g. with "
            f"pandas.to_datetime(frame[{column!r}].astype(str), format='%Y') for years or "
            f"pandas.to_datetime(frame[{column!r}], unit='s') for Unix times"
        )
    else:
        values, note = _parse_text(raw, column), "parsed from text"
    values = pd.Series(values, index=frame.index, name=column).astype("datetime64[ns]")
    return ParsedTime(values, int(values.isna().sum()), note)


def _parse_text(raw: pd.Series, column: str) -> pd.Series:
    present = raw.notna()
    best: pd.Series | None = None
    for fmt in (None, "ISO8601", "mixed"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                parsed = pd.to_datetime(raw, errors="coerce", format=fmt, utc=True)
        except (ValueError, TypeError, OverflowError):
            continue
        if best is None or int(parsed[present].isna().sum()) < int(best[present].isna().sum()):
            best = parsed
        if not parsed[present].isna().any():
            break
    bad = present if best is None else present & best.isna()
    if bad.any():
        example = raw[bad].iloc[0]
        raise ForecastingError(
            f"the time column {column!r} (`time_column_name`) must hold dates or times, but "
            f"{int(bad.sum())} value(s) cannot be parsed, such as {example!r}; fix or drop them"
        )
    if best is None:  # nothing to parse: every value is missing
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    naive: pd.Series = best.dt.tz_localize(None)
    return naive
