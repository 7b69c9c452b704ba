"""The narrow base of the per-column transformers, and value conversions they share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Block", "ColumnStep", "as_float", "as_labels"]

Block = Literal["numeric", "categorical", "text"]


class ColumnStep(ABC):
    """Turns one raw column into the columns of one block of the base representation.

    ``transform`` returns a 2-D float array (``numeric``), a 1-D int32 code array
    (``categorical``, -1 for missing or unseen) or a CSR matrix (``text``).
    """

    block: ClassVar[Block]

    def __init__(self, column: str) -> None:
        self.column = column

    @abstractmethod
    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        """Learn from the training values of the column (and labels, where used)."""

    @abstractmethod
    def transform(self, values: pd.Series) -> Any:
        """Transform values of the column."""

    def fit_transform(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> Any:
        """Fit, then return the training rows' output (out-of-fold where labels are used)."""
        self.fit(values, y)
        return self.transform(values)

    @abstractmethod
    def feature_names(self) -> list[str]:
        """Names of the engineered features (one per output column)."""

    @abstractmethod
    def transformations(self) -> list[str]:
        """What was applied, in Azure's vocabulary (for the featurization summary)."""

    def categories(self) -> tuple[str, ...]:
        """Category labels by code (categorical steps only)."""
        return ()


def as_float(values: pd.Series) -> np.ndarray[Any, Any]:
    """The values as float64, missing, unparseable and infinite values as NaN.

    Booleans become 0/1, timedeltas seconds, datetimes seconds since 1970, strings are parsed.
    """
    import numpy as np
    import pandas as pd
    from pandas.api import types

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if types.is_timedelta64_dtype(dtype):
        result = values.dt.total_seconds().to_numpy(dtype=np.float64)
    elif types.is_datetime64_any_dtype(dtype):
        stamps = values.dt.tz_localize(None) if getattr(dtype, "tz", None) else values
        result = (stamps - pd.Timestamp(0)).dt.total_seconds().to_numpy(dtype=np.float64)
    elif types.is_bool_dtype(dtype) or types.is_numeric_dtype(dtype):
        result = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        result = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    result = np.array(result, dtype=np.float64, copy=True)
    result[~np.isfinite(result)] = np.nan
    return result


def as_labels(values: pd.Series) -> pd.Series:
    """The values as strings (pandas ``string`` dtype), missing values as ``<NA>``.

    Integral floats print as integers (``1.0`` -> ``"1"``), so a column keeps its labels
    whether or not missing values made pandas read it as float.
    """
    import numpy as np
    import pandas as pd
    from pandas.api import types

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
    elif types.is_float_dtype(dtype) and not types.is_bool_dtype(dtype):
        finite = values.dropna().to_numpy(dtype=np.float64)
        if len(finite) and np.isfinite(finite).all() and (finite == np.round(finite)).all():
            values = values.astype("Int64")
    result = values.astype("string")
    return result.reset_index(drop=True)
