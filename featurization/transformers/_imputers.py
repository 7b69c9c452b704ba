"""Numeric columns: imputation (Azure's ``Imputer``) and missing-value indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from featurization._errors import FeaturizationError, describe
from featurization._transformer_params import ImputerParams
from featurization.transformers._base import Block, ColumnStep, as_float

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["NumericStep"]

_AZURE_NAMES = {
    "mean": "MeanImputer",
    "median": "MedianImputer",
    "most_frequent": "ModeImputer",
    "constant": "ConstantImputer",
}


class NumericStep(ColumnStep):
    """Fills missing values of a numeric column and, optionally, marks where they were.

    The indicator column (``<column>__missing``) is added when the training values had a
    missing (or unparseable, or infinite) value; values missing only at transform time are
    filled without one, so the output width never depends on the data transformed.
    """

    block: ClassVar[Block] = "numeric"

    def __init__(self, column: str, params: ImputerParams, *, indicator: bool) -> None:
        super().__init__(column)
        self.params = params
        self.indicator = indicator

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        import numpy as np

        numbers = as_float(values)
        missing = np.isnan(numbers)
        present = numbers[~missing]
        strategy = self.params.strategy
        if strategy == "constant":
            fill = self.params.fill_value
            if isinstance(fill, bool) or not isinstance(fill, (int, float)):
                raise FeaturizationError(
                    f"`transformer_params['Imputer'].fill_value` for numeric column "
                    f"{self.column!r} must be a number, got {describe(fill)}"
                )
            self.fill_value_ = float(fill)
        elif len(present) == 0:
            self.fill_value_ = 0.0
        elif strategy == "mean":
            self.fill_value_ = float(present.mean())
        elif strategy == "median":
            self.fill_value_ = float(np.median(present))
        else:
            uniques, counts = np.unique(present, return_counts=True)
            self.fill_value_ = float(uniques[np.argmax(counts)])
        self.add_indicator_ = bool(self.indicator and missing.any())
        self.n_missing_ = int(missing.sum())

    def transform(self, values: pd.Series) -> np.ndarray[Any, Any]:
        import numpy as np

        numbers = as_float(values)
        missing = np.isnan(numbers)
        numbers[missing] = self.fill_value_
        if self.add_indicator_:
            return np.column_stack([numbers, missing.astype(np.float64)])
        return numbers[:, None]

    def feature_names(self) -> list[str]:
        if self.add_indicator_:
            return [self.column, f"{self.column}__missing"]
        return [self.column]

    def transformations(self) -> list[str]:
        names = [_AZURE_NAMES[self.params.strategy]]
        return [*names, "ImputationMarker"] if self.add_indicator_ else names
