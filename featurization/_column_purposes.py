"""Column purposes: what each raw column is, Azure AutoML's feature types, with the reason.

Rules, first match wins (thresholds in :class:`PurposeThresholds`):

1. ``AllNan``: every value is missing.
2. ``Ignore``: a single value and no missing value (a constant). A single value *with* missing
   values is kept: whether the value is there carries information.
3. ``Categorical``: pandas ``category`` or ``bool`` dtype.
4. ``DateTime``: a datetime64 dtype.
5. Numbers (integer, float, timedelta dtype): ``Ignore`` when they look like an identifier
   (integers, unique per row, and monotonic or a permutation of a dense range, with at least
   ``id_min_rows`` rows), else ``Numeric``. Integer columns with few distinct values stay
   ``Numeric``: tree learners split them as well as codes, and linear learners get an ordered
   feature instead of many sparse ones (Azure would one-hot them; override to ``Categorical``
   to get that).
6. Strings (object or string dtype; other objects are compared as strings), from a seeded
   sample of at most ``sample_size`` values:

   - ``DateTime`` when at least ``datetime_min_parse_rate`` of them parse as dates or times;
   - ``Numeric`` when at least ``numeric_min_parse_rate`` parse as numbers and none has a
     leading zero (``"02134"`` is a code, not a number); the identifier rule of 5 applies;
   - ``Text`` when they average at least ``text_min_avg_tokens`` words and are varied (more
     than ``categorical_max_cardinality`` distinct values, or at least
     ``text_min_unique_ratio`` of rows distinct);
   - ``Ignore`` when unique per row (an identifier, at least ``id_min_rows`` rows);
   - ``Categorical`` with at most ``categorical_max_cardinality`` distinct values, else
     ``CategoricalHash``.

User overrides (``FeaturizationConfig.column_purposes``) and ``drop_columns`` win over all of
these; the detected purpose is kept alongside.
"""

from __future__ import annotations

import enum
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from featurization._errors import FeaturizationError, describe

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from featurization._config import FeaturizationConfig

__all__ = [
    "ColumnPurpose",
    "ColumnPurposeInfo",
    "PurposeThresholds",
    "infer_column_purposes",
    "parse_datetimes",
]


class ColumnPurpose(enum.StrEnum):
    """Azure AutoML's feature types (``FeaturizationConfig.column_purposes`` values)."""

    NUMERIC = "Numeric"
    CATEGORICAL = "Categorical"
    CATEGORICAL_HASH = "CategoricalHash"
    DATETIME = "DateTime"
    TEXT = "Text"
    IGNORE = "Ignore"
    ALL_NAN = "AllNan"


@dataclass(frozen=True)
class PurposeThresholds:
    """Thresholds of the column-purpose rules (see the module docstring).

    Attributes:
        categorical_max_cardinality: Most distinct strings for ``Categorical``; above it a
            column is ``CategoricalHash`` (hashed, or target encoded).
        text_min_avg_tokens: Fewest whitespace-separated words per value, on average, for
            ``Text``.
        text_min_unique_ratio: Distinct values / rows from which many-word strings are
            ``Text`` even with few distinct values.
        datetime_min_parse_rate: Share of sampled strings that must parse as datetimes.
        numeric_min_parse_rate: Share of sampled strings that must parse as numbers.
        id_min_rows: Fewest rows for the identifier rule (tiny frames are often unique).
        sample_size: Most values sampled (seeded) to profile a string column.
    """

    categorical_max_cardinality: int = 100
    text_min_avg_tokens: float = 3.0
    text_min_unique_ratio: float = 0.5
    datetime_min_parse_rate: float = 0.9
    numeric_min_parse_rate: float = 0.95
    id_min_rows: int = 20
    sample_size: int = 10_000

    def __post_init__(self) -> None:
        for name in ("categorical_max_cardinality", "id_min_rows", "sample_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise FeaturizationError(
                    f"`thresholds.{name}` must be an integer >= 1, got {describe(value)}"
                )
        for name in (
            "text_min_unique_ratio",
            "datetime_min_parse_rate",
            "numeric_min_parse_rate",
        ):
            value = getattr(self, name)
            if not _is_number(value) or not 0.0 < float(value) <= 1.0:
                raise FeaturizationError(
                    f"`thresholds.{name}` must be a number in (0, 1], got {describe(value)}"
                )
        value = self.text_min_avg_tokens
        if not _is_number(value) or not math.isfinite(value) or value <= 0:
            raise FeaturizationError(
                f"`thresholds.text_min_avg_tokens` must be a number > 0, got {describe(value)}"
            )


@dataclass(frozen=True)
class ColumnPurposeInfo:
    """The purpose of one column and why.

    Attributes:
        column: The column name.
        purpose: The purpose used (an override where one was given).
        reason: Why, in words.
        detected: The purpose inference found (equal to ``purpose`` without an override).
        dtype: The column's pandas dtype, as text.
        n_unique: Distinct non-missing values.
        n_missing: Missing values.
        n_rows: Rows of the frame.
        overridden: True when the configuration (``column_purposes`` or ``drop_columns``)
            chose the purpose.
    """

    column: str
    purpose: ColumnPurpose
    reason: str
    detected: ColumnPurpose
    dtype: str
    n_unique: int
    n_missing: int
    n_rows: int
    overridden: bool = False


def infer_column_purposes(
    X: object, config: FeaturizationConfig | None = None
) -> dict[str, ColumnPurposeInfo]:
    """Infer the purpose of every column of ``X``, applying ``config``'s overrides.

    Args:
        X: A pandas or polars DataFrame, or a pyarrow Table (converted to pandas).
        config: Overrides (``column_purposes``, ``drop_columns``) and ``thresholds``.

    Returns:
        One :class:`ColumnPurposeInfo` per column, in column order.

    Raises:
        FeaturizationError: ``X`` has no rows or no columns, ``config`` names a column
            ``X`` lacks, or an override cannot apply (``Numeric`` on strings none of which
            is a number).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"x": [1.5, None, 3.0], "c": ["a", "b", "a"]})
        >>> {name: str(info.purpose) for name, info in infer_column_purposes(frame).items()}
        {'x': 'Numeric', 'c': 'Categorical'}
    """
    from featurization._config import FeaturizationConfig
    from featurization._frames import as_frame

    frame = as_frame(X)
    if frame.shape[1] == 0:
        raise FeaturizationError("`X` must have at least one column, got none")
    if frame.shape[0] == 0:
        raise FeaturizationError("`X` must have at least one row, got an empty frame")
    config = config if config is not None else FeaturizationConfig()
    config.check_columns(list(frame.columns))
    if config.passthrough:
        return _passthrough_purposes(frame)
    result: dict[str, ColumnPurposeInfo] = {}
    for column in frame.columns:
        series = frame[column]
        n_missing = int(series.isna().sum())
        n_unique = int(series.nunique(dropna=True))
        detected, reason = _detect(series, n_missing, n_unique, config.thresholds)
        purpose, overridden = detected, True
        if column in config.drop_columns:
            purpose, reason = ColumnPurpose.IGNORE, "listed in drop_columns"
        elif column in config.column_purposes:
            purpose = ColumnPurpose(config.column_purposes[column])
            _check_override(column, series, purpose)
            reason = f"set by column_purposes (detected {detected.value}: {reason})"
        else:
            overridden = False
        result[column] = ColumnPurposeInfo(
            column=column,
            purpose=purpose,
            reason=reason,
            detected=detected,
            dtype=str(series.dtype),
            n_unique=n_unique,
            n_missing=n_missing,
            n_rows=len(series),
            overridden=overridden,
        )
    return result


def _passthrough_purposes(frame: pd.DataFrame) -> dict[str, ColumnPurposeInfo]:
    """Featurization 'off': every column is Numeric as given; any other column is an error."""
    from pandas.api import types

    other = [
        f"{column!r} ({frame[column].dtype})"
        for column in frame.columns
        if not (types.is_numeric_dtype(frame[column]) or types.is_bool_dtype(frame[column]))
    ]
    if other:
        raise FeaturizationError(
            "featurization 'off' uses every column as given, so every column must be numeric "
            f"or boolean; not numeric: {', '.join(other[:10])}"
            f"{' ...' if len(other) > 10 else ''}; use featurization='auto', or encode "
            "those columns yourself"
        )
    result: dict[str, ColumnPurposeInfo] = {}
    for column in frame.columns:
        series = frame[column]
        result[column] = ColumnPurposeInfo(
            column=column,
            purpose=ColumnPurpose.NUMERIC,
            reason="featurization 'off': used as given",
            detected=ColumnPurpose.NUMERIC,
            dtype=str(series.dtype),
            n_unique=int(series.nunique(dropna=True)),
            n_missing=int(series.isna().sum()),
            n_rows=len(series),
            overridden=True,
        )
    return result


def _detect(
    series: pd.Series, n_missing: int, n_unique: int, limits: PurposeThresholds
) -> tuple[ColumnPurpose, str]:
    import pandas as pd
    from pandas.api import types

    n_rows = len(series)
    if n_missing == n_rows:
        return ColumnPurpose.ALL_NAN, f"all {n_rows} values are missing"
    if n_unique == 1 and n_missing == 0:
        value = series.iloc[0]
        return ColumnPurpose.IGNORE, f"constant: the single value {value!r} in every row"
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype) or types.is_bool_dtype(dtype):
        return ColumnPurpose.CATEGORICAL, f"{dtype} dtype with {n_unique} distinct values"
    if types.is_datetime64_any_dtype(dtype):
        return ColumnPurpose.DATETIME, f"{dtype} dtype"
    if types.is_timedelta64_dtype(dtype):
        return ColumnPurpose.NUMERIC, f"{dtype} dtype (as seconds)"
    if types.is_numeric_dtype(dtype) and not types.is_complex_dtype(dtype):
        if _looks_like_id(series, n_unique, limits):
            return ColumnPurpose.IGNORE, "identifier: unique integer per row in a sequence"
        return ColumnPurpose.NUMERIC, f"{dtype} dtype with {n_unique} distinct values"
    return _detect_strings(series, n_unique, limits)


def _looks_like_id(series: pd.Series, n_unique: int, limits: PurposeThresholds) -> bool:
    from pandas.api import types

    n_rows = len(series)
    if n_rows < limits.id_min_rows or n_unique != n_rows:
        return False
    if types.is_float_dtype(series.dtype):
        values = series.to_numpy()
        if not (values == values.round()).all():
            return False
    elif not types.is_integer_dtype(series.dtype):
        return False
    dense = float(series.max()) - float(series.min()) + 1 == n_rows
    return dense or series.is_monotonic_increasing or series.is_monotonic_decreasing


def _detect_strings(
    series: pd.Series, n_unique: int, limits: PurposeThresholds
) -> tuple[ColumnPurpose, str]:
    import pandas as pd

    n_rows = len(series)
    # Profile the distinct sampled strings, weighted by their counts: a categorical column
    # of 50,000 rows and 10 labels costs 10 regex calls, not 50,000.
    counts = _sample_strings(series, limits.sample_size).value_counts(sort=False)
    strings = pd.Series(counts.index.astype(str), dtype=object)
    weights = counts.to_numpy(dtype="float64") / counts.sum()
    date_rate = _datetime_rate(strings, weights, limits.datetime_min_parse_rate)
    if date_rate >= limits.datetime_min_parse_rate:
        return ColumnPurpose.DATETIME, f"{date_rate:.0%} of sampled strings parse as datetimes"
    number_rate = _rate(pd.to_numeric(strings, errors="coerce").notna(), weights)
    if number_rate >= limits.numeric_min_parse_rate and not strings.str.match(r"^\s*0\d").any():
        numbers = pd.to_numeric(series, errors="coerce")
        if numbers.notna().all() and _looks_like_id(numbers, n_unique, limits):
            return ColumnPurpose.IGNORE, "identifier: unique integer per row in a sequence"
        return ColumnPurpose.NUMERIC, f"{number_rate:.0%} of sampled strings parse as numbers"
    stripped = strings.str.strip()
    avg_tokens = _rate(stripped.str.count(r"\s+") + (stripped != ""), weights)
    unique_ratio = n_unique / n_rows
    varied = n_unique > limits.categorical_max_cardinality
    if avg_tokens >= limits.text_min_avg_tokens and (
        varied or unique_ratio >= limits.text_min_unique_ratio
    ):
        return (
            ColumnPurpose.TEXT,
            f"text: {avg_tokens:.1f} words per value on average, {n_unique} distinct values",
        )
    if n_unique == n_rows and n_rows >= limits.id_min_rows:
        return ColumnPurpose.IGNORE, f"identifier: a distinct string in each of {n_rows} rows"
    if not varied:
        return (
            ColumnPurpose.CATEGORICAL,
            f"strings with {n_unique} distinct values (<= {limits.categorical_max_cardinality})",
        )
    return (
        ColumnPurpose.CATEGORICAL_HASH,
        f"high cardinality: {n_unique} distinct strings (> {limits.categorical_max_cardinality})",
    )


def _rate(values: pd.Series, weights: np.ndarray[Any, Any]) -> float:
    """The weighted mean of ``values`` (booleans or numbers)."""
    return float((values.to_numpy(dtype="float64") * weights).sum())


def _sample_strings(series: pd.Series, size: int) -> pd.Series:
    """A seeded sample of the non-missing values, as strings (deterministic)."""
    import numpy as np

    values = series.dropna()
    if len(values) > size:
        positions = np.sort(np.random.default_rng(0).choice(len(values), size, replace=False))
        values = values.iloc[positions]
    return values.astype(str).reset_index(drop=True)


def _datetime_rate(strings: pd.Series, weights: np.ndarray[Any, Any], needed: float) -> float:
    """Weighted share of ``strings`` that parse as datetimes (0 when too few look like one)."""
    looks = strings.str.contains(r"\d", regex=True) & strings.str.contains(r"[-/:.,\s]", regex=True)
    looks &= ~strings.str.fullmatch(r"\s*[-+]?\d*\.?\d+([eE][-+]?\d+)?\s*")
    if _rate(looks, weights) < needed:
        return 0.0
    parsed, _ = parse_datetimes(strings)
    return _rate(parsed.notna(), weights)


def parse_datetimes(strings: pd.Series, fmt: str | None = None) -> tuple[pd.Series, str]:
    """Parse strings as naive UTC datetimes; unparseable values become ``NaT``.

    Args:
        strings: The values (missing ones stay missing).
        fmt: A ``strftime`` format found earlier, or ``"mixed"`` (value by value); ``None``
            guesses one from the first value. A format that parses under half the values
            falls back to ``"mixed"``.

    Returns:
        The datetimes and the format used.
    """
    import pandas as pd
    from pandas.tseries.api import guess_datetime_format  # type: ignore[attr-defined]

    text = strings.astype("string")
    if fmt is None:
        first = text.dropna()
        fmt = (guess_datetime_format(str(first.iloc[0])) if len(first) else None) or "mixed"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it falls back to dateutil
        parsed: Any = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
        if fmt != "mixed" and parsed.notna().sum() < 0.5 * text.notna().sum():
            fmt = "mixed"
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
    return parsed.dt.tz_localize(None), fmt


def _check_override(column: str, series: pd.Series, purpose: ColumnPurpose) -> None:
    import pandas as pd
    from pandas.api import types

    if purpose is ColumnPurpose.ALL_NAN:
        raise FeaturizationError(
            f"`column_purposes[{column!r}]` cannot be 'AllNan': it is detected, not chosen; "
            "use 'Ignore' to drop a column"
        )
    values = series.dropna()
    if len(values) == 0 or (
        not types.is_object_dtype(series.dtype) and not isinstance(series.dtype, pd.StringDtype)
    ):
        return
    sample = values.astype(str).head(1000)
    if purpose is ColumnPurpose.NUMERIC and pd.to_numeric(sample, errors="coerce").isna().all():
        raise FeaturizationError(
            f"`column_purposes[{column!r}]` is 'Numeric' but none of its values is a number, "
            f"e.g. {sample.iloc[0]!r}; use 'Categorical' or 'Text'"
        )
    if purpose is ColumnPurpose.DATETIME and parse_datetimes(sample)[0].isna().all():
        raise FeaturizationError(
            f"`column_purposes[{column!r}]` is 'DateTime' but none of its values parses as a "
            f"date, e.g. {sample.iloc[0]!r}"
        )


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
