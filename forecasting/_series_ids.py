"""Series identifiers: detect the id columns, and name each series with a ``unique_id`` string.

Detection (``time_series_id_column_names`` omitted): when the time column is unique the data is
one series; else the smallest set of non-numeric columns (text, category) without missing
values that makes (ids, time) unique, among sets of the same size the one that gives the fewest
series. A set that makes every row its own series names rows, not series, and is not taken.

``unique_id`` is the id value as text, several id columns joined with ``"|"``; should two
different ids read the same that way (``1`` and ``"1"``), their ``repr`` is used instead. One
series without id columns is called ``"series"``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pandas as pd

from forecasting._errors import ForecastingError, list_names

__all__ = [
    "MAX_ID_COLUMN_SETS",
    "SINGLE_SERIES_ID",
    "check_id_columns",
    "detect_id_columns",
    "make_unique_ids",
]

SINGLE_SERIES_ID = "series"
"""The ``unique_id`` of the only series of data without id columns."""

MAX_ID_COLUMN_SETS = 200
"""At most this many column sets are tried when detecting the id columns."""


def _candidates(frame: pd.DataFrame, exclude: Sequence[str]) -> list[str]:
    found = []
    for column in frame.columns:
        if column in exclude:
            continue
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values.dtype)
        timelike = pd.api.types.is_datetime64_any_dtype(values.dtype)
        if not numeric and not timelike and not values.isna().any():
            found.append(str(column))
    return found


def detect_id_columns(
    frame: pd.DataFrame, times: pd.Series, *, exclude: Sequence[str]
) -> tuple[str, ...] | None:
    """The id columns of ``frame``: ``()`` for one series, None when no set of columns works.

    Args:
        frame: The data.
        times: Its parsed time column, aligned with ``frame`` (rows without a time dropped).
        exclude: Columns that cannot be ids (the time and label columns).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"store": ["a", "a", "b", "b"], "t": [1, 2, 1, 2]})
        >>> detect_id_columns(frame, frame["t"], exclude=["t"])
        ('store',)
    """
    if not times.duplicated().any():
        return ()
    candidates = _candidates(frame, exclude)
    # Fewer distinct values first: the cheapest and most likely ids.
    candidates.sort(key=lambda column: frame[column].nunique())
    keyed = frame[candidates].assign(__time__=times.to_numpy())
    tried = 0
    for size in range(1, len(candidates) + 1):
        best: tuple[int, tuple[str, ...]] | None = None
        for columns in itertools.combinations(candidates, size):
            tried += 1
            if tried > MAX_ID_COLUMN_SETS:
                return None
            if keyed.duplicated(subset=[*columns, "__time__"]).any():
                continue
            groups = len(keyed.drop_duplicates(subset=list(columns)))
            if groups == len(keyed):
                continue
            if best is None or groups < best[0]:
                best = (groups, columns)
        if best is not None:
            return best[1]
    return None


def check_id_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise unless every id column is present and has no missing value."""
    for column in columns:
        if column not in frame.columns:
            raise ForecastingError(
                f"`time_series_id_column_names` names the column {column!r}, which is not in "
                f"the data; its columns are {list_names(frame.columns)}"
            )
        missing = int(frame[column].isna().sum())
        if missing:
            raise ForecastingError(
                f"the series id column {column!r} (`time_series_id_column_names`) must have a "
                f"value in every row, got {missing} missing; fill or drop those rows"
            )


def make_unique_ids(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """One ``unique_id`` string per row of ``frame`` from its id ``columns``."""
    if not columns:
        return pd.Series(SINGLE_SERIES_ID, index=frame.index, dtype=object)
    ids = frame[list(columns)]
    text = _join(ids, str)
    distinct = len(ids.drop_duplicates())
    if text.nunique() != distinct:
        text = _join(ids, repr)
    return text


def _join(ids: pd.DataFrame, render: Callable[[object], str]) -> pd.Series:
    parts = [ids[column].map(render) for column in ids.columns]
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + "|" + part
    return joined.astype(object)
