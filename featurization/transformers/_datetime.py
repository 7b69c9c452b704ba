"""``DateTime`` columns as calendar parts plus an ordinal time (Azure's
``DateTimeTransformer``).

Strings are parsed with the format found at fit time (or value by value where none fits),
time zones converted to UTC. The parts are year, month, day, dayofweek (Monday = 0),
dayofyear, hour, minute and second, each kept only if it varies in the training rows (dates
without times give no hour), plus ``ordinal``: days since 1970-01-01 as a fraction (float32
keeps it to about 3 minutes). Missing or unparseable values are filled with the training
median time and marked by ``<column>__missing`` when the training rows had any.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from featurization._column_purposes import parse_datetimes
from featurization.transformers._base import Block, ColumnStep

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["DateTimeStep"]

PARTS = ("year", "month", "day", "dayofweek", "dayofyear", "hour", "minute", "second")
_NS_PER_DAY = 86_400 * 10**9


class DateTimeStep(ColumnStep):
    """Datetime parts, ordinal time and a missing indicator for one column."""

    block: ClassVar[Block] = "numeric"

    def __init__(self, column: str, *, indicator: bool) -> None:
        super().__init__(column)
        self.indicator = indicator
        self.format_: str | None = None  # found at fit time; None for datetime dtypes

    def _parse(self, values: pd.Series, fit: bool) -> pd.Series:
        from pandas.api import types

        if types.is_datetime64_any_dtype(values.dtype):
            if getattr(values.dtype, "tz", None) is not None:
                values = values.dt.tz_convert("UTC").dt.tz_localize(None)
            return values.reset_index(drop=True)
        parsed, fmt = parse_datetimes(values, None if fit else self.format_)
        if fit:
            self.format_ = fmt
        return parsed.reset_index(drop=True)

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        import numpy as np

        stamps = self._parse(values, fit=True)
        missing = stamps.isna().to_numpy()
        present = stamps[~missing]
        if len(present):
            as_ns = present.astype("datetime64[ns]").to_numpy().astype(np.int64)
            self.fill_ns_ = int(np.median(as_ns))
        else:
            self.fill_ns_ = 0
        self.parts_ = [part for part in PARTS if getattr(present.dt, part).nunique() > 1]
        self.add_indicator_ = bool(self.indicator and missing.any())

    def transform(self, values: pd.Series) -> np.ndarray[Any, Any]:
        import numpy as np
        import pandas as pd

        stamps = self._parse(values, fit=False)
        missing = stamps.isna().to_numpy()
        as_ns = stamps.astype("datetime64[ns]").to_numpy().astype(np.int64)
        as_ns[missing] = self.fill_ns_
        filled = pd.Series(pd.to_datetime(as_ns, unit="ns"))
        columns = [getattr(filled.dt, part).to_numpy(dtype=np.float64) for part in self.parts_]
        columns.append(as_ns / _NS_PER_DAY)
        if self.add_indicator_:
            columns.append(missing.astype(np.float64))
        return np.column_stack(columns)

    def feature_names(self) -> list[str]:
        names = [f"{self.column}__{part}" for part in (*self.parts_, "ordinal")]
        return [*names, f"{self.column}__missing"] if self.add_indicator_ else names

    def transformations(self) -> list[str]:
        names = ["DateTimeTransformer"]
        return [*names, "ImputationMarker"] if self.add_indicator_ else names
