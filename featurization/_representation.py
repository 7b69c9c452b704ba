"""``BaseRepresentation``: a fold's featurized data, before any learner-specific adapter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from featurization._errors import FeaturizationError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BaseRepresentation"]


@dataclass(frozen=True, eq=False)
class BaseRepresentation:
    """The featurized rows of one fold: three blocks and their names.

    Engineered features come in block order (numeric, categorical, text), within a block in
    the raw columns' order, a raw column's features together. Every name is unique across
    blocks and maps to the raw column it came from (``raw_columns``).

    Attributes:
        numeric: float32, shape ``(n_rows, len(numeric_names))``, no NaN: numeric columns
            (imputed), missing-value indicators, datetime parts and target encodings.
        numeric_names: Names of the numeric columns.
        categorical: int32, shape ``(n_rows, len(categorical_names))``: codes into
            ``categories[j]``; -1 for missing or unseen.
        categorical_names: Names of the categorical columns (hashed ones end in
            ``__hashed`` and have ``bucket_<i>`` categories).
        categories: Category labels by code, one tuple per categorical column.
        text: CSR float32 TF-IDF block, shape ``(n_rows, len(text_names))``, or ``None``
            when there is no text feature.
        text_names: Names of the text columns (``<column>__word__<term>``,
            ``<column>__char__<ngram>``).
        raw_columns: Engineered feature name -> the raw column it came from.
        blocked_transformers: The configuration's blocked transformers (adapters honour
            ``OneHotEncoder``).
    """

    numeric: np.ndarray[Any, Any]
    numeric_names: tuple[str, ...]
    categorical: np.ndarray[Any, Any]
    categorical_names: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    text: Any
    text_names: tuple[str, ...]
    raw_columns: Mapping[str, str] = field(default_factory=dict)
    blocked_transformers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        n_rows = self.numeric.shape[0]
        shapes = [
            ("numeric", self.numeric.shape, len(self.numeric_names)),
            ("categorical", self.categorical.shape, len(self.categorical_names)),
        ]
        if self.text is not None:
            shapes.append(("text", self.text.shape, len(self.text_names)))
        for block, shape, n_names in shapes:
            if len(shape) != 2 or shape[0] != n_rows or shape[1] != n_names:
                raise FeaturizationError(
                    f"`{block}` must have shape ({n_rows}, {n_names}), got {shape}"
                )
        if len(self.categories) != len(self.categorical_names):
            raise FeaturizationError(
                f"`categories` must have one entry per categorical column "
                f"({len(self.categorical_names)}), got {len(self.categories)}"
            )

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.numeric.shape[0])

    def engineered_feature_names(self) -> list[str]:
        """All engineered feature names: numeric, then categorical, then text."""
        return [*self.numeric_names, *self.categorical_names, *self.text_names]

    def take(self, rows: Any) -> BaseRepresentation:
        """The given rows (integer positions or a boolean mask), as a new representation."""
        import numpy as np

        index = np.asarray(rows)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return BaseRepresentation(
            numeric=self.numeric[index],
            numeric_names=self.numeric_names,
            categorical=self.categorical[index],
            categorical_names=self.categorical_names,
            categories=self.categories,
            text=None if self.text is None else self.text[index],
            text_names=self.text_names,
            raw_columns=self.raw_columns,
            blocked_transformers=self.blocked_transformers,
        )

    def __repr__(self) -> str:
        text = "None" if self.text is None else f"{self.text.shape[1]} columns"
        return (
            f"BaseRepresentation(n_rows={self.n_rows}, numeric={len(self.numeric_names)}, "
            f"categorical={len(self.categorical_names)}, text={text})"
        )
