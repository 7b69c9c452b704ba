"""Categorical columns as integer codes: label codes (``Categorical``) and hashed buckets
(``CategoricalHash``, Azure's ``HashOneHotEncoder``).

Codes index the step's categories; -1 means missing or, at transform time, unseen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from featurization._transformer_params import HashOneHotEncoderParams, ImputerParams
from featurization.transformers._base import Block, ColumnStep, as_labels

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["CategoricalStep", "HashStep", "LabelFiller"]

_FAST_ROWS = 256
"""Up to this many rows, string labels are coded by dictionary lookup (a single-row
prediction), not through pandas."""


class LabelFiller:
    """Fills missing labels with the most frequent one or a constant (when configured)."""

    def __init__(self, params: ImputerParams | None) -> None:
        self.params = params
        self.value_: str | None = None

    def fit(self, labels: pd.Series) -> None:
        """Learn the fill value from the training labels."""
        if self.params is None:
            return
        if self.params.strategy == "constant":
            self.value_ = str(self.params.fill_value)
        else:
            counts = labels.value_counts(dropna=True, sort=False)
            if len(counts):
                # The most frequent label, ties broken by the label itself: deterministic.
                top = counts.max()
                self.value_ = min(str(label) for label in counts.index[counts == top])

    def apply(self, labels: pd.Series) -> pd.Series:
        """Fill the missing labels (unchanged when not configured)."""
        return labels if self.value_ is None else labels.fillna(self.value_)

    def transformations(self) -> list[str]:
        """Azure's name of the imputer, if any."""
        if self.params is None:
            return []
        return ["ModeCatImputer" if self.params.strategy != "constant" else "ConstantImputer"]


class CategoricalStep(ColumnStep):
    """A ``Categorical`` column as codes into its sorted training categories."""

    block: ClassVar[Block] = "categorical"

    def __init__(self, column: str, fill: ImputerParams | None = None) -> None:
        super().__init__(column)
        self.filler = LabelFiller(fill)

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        labels = as_labels(values)
        self.filler.fit(labels)
        labels = self.filler.apply(labels)
        self.categories_ = tuple(sorted(str(label) for label in labels.dropna().unique()))

    def transform(self, values: pd.Series) -> np.ndarray[Any, Any]:
        import numpy as np
        import pandas as pd

        if len(values) <= _FAST_ROWS and values.dtype == object:
            codes = self._codes_of_strings(values.to_numpy())
            if codes is not None:
                return codes
        labels = self.filler.apply(as_labels(values)).astype(object)
        codes = pd.Categorical(labels, categories=self.categories_).codes
        return np.asarray(codes, dtype=np.int32)

    def _codes_of_strings(self, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
        """Codes of a few string (or missing) values by dictionary lookup, as the pandas
        path gives them (None when a value is not a string: that path casts it)."""
        import math

        import numpy as np
        import pandas as pd

        lookup: dict[str, int] | None = getattr(self, "_lookup", None)
        if lookup is None:
            lookup = {label: code for code, label in enumerate(self.categories_)}
            self._lookup = lookup
        fill = -1 if self.filler.value_ is None else lookup.get(self.filler.value_, -1)
        codes = np.empty(len(values), dtype=np.int32)
        for i, value in enumerate(values):
            if isinstance(value, str):
                codes[i] = lookup.get(value, -1)
            elif (
                value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
            ):
                codes[i] = fill
            else:
                return None
        return codes

    def feature_names(self) -> list[str]:
        return [self.column]

    def transformations(self) -> list[str]:
        return [*self.filler.transformations(), "StringCast", "LabelEncoder"]

    def categories(self) -> tuple[str, ...]:
        return self.categories_


class HashStep(ColumnStep):
    """A ``CategoricalHash`` column as a bucket code: a stable hash of the label.

    The hash is pandas' ``hash_array`` with its fixed key, the same in every process and on
    every machine (Python's ``hash`` of a string is salted per process).
    """

    block: ClassVar[Block] = "categorical"

    def __init__(
        self, column: str, params: HashOneHotEncoderParams, fill: ImputerParams | None = None
    ) -> None:
        super().__init__(column)
        self.n_buckets = 2**params.number_of_bits
        self.filler = LabelFiller(fill)

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        self.filler.fit(as_labels(values))

    def transform(self, values: pd.Series) -> np.ndarray[Any, Any]:
        import numpy as np
        from pandas.util import hash_array

        labels = self.filler.apply(as_labels(values))
        present = labels.notna().to_numpy()
        codes = np.full(len(labels), -1, dtype=np.int32)
        if present.any():
            hashed = hash_array(labels[present].to_numpy(dtype=object), categorize=True)
            codes[present] = (hashed % np.uint64(self.n_buckets)).astype(np.int32)
        return codes

    def feature_names(self) -> list[str]:
        return [f"{self.column}__hashed"]

    def transformations(self) -> list[str]:
        return [*self.filler.transformations(), "StringCast", "HashOneHotEncoder"]

    def categories(self) -> tuple[str, ...]:
        return tuple(f"bucket_{index}" for index in range(self.n_buckets))
