"""The ``"one_hot_scaled"`` adapter: standardized numbers, one-hot categories, TF-IDF."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from featurization._errors import FeaturizationError, describe
from featurization.adapters._base import Adapter, AdapterKind

if TYPE_CHECKING:
    import numpy as np

    from featurization._representation import BaseRepresentation

__all__ = ["OneHotScaledAdapter"]

INFREQUENT = "__infrequent__"


class OneHotScaledAdapter(Adapter):
    """For linear models, SVM, KNN and MLPs.

    Output columns, in order: the numeric block standardized with the training mean and
    standard deviation (a constant column is only centred); one-hot columns
    ``<feature>=<label>`` for each category seen at least ``min_frequency`` times in
    training (at most ``max_categories - 1`` of them, the most frequent), plus
    ``<feature>=__infrequent__`` for the rarer seen ones; the TF-IDF block as is. Missing,
    unseen and never-seen categories are all zeros. With ``OneHotEncoder`` blocked in the
    featurization config, each categorical feature is one standardized code column instead.

    Args:
        min_frequency: Fewest training rows a category needs for its own column.
        max_categories: Most one-hot columns per categorical feature (the infrequent one
            included).
        sparse: ``True``: a CSR matrix; ``False``: a dense float32 array; ``"auto"``: CSR
            when there is text or more than 1,000 output columns.
    """

    kind: ClassVar[AdapterKind] = AdapterKind.ONE_HOT_SCALED

    def __init__(
        self,
        min_frequency: int = 5,
        max_categories: int = 100,
        sparse: bool | Literal["auto"] = "auto",
    ) -> None:
        for name, value, low in (
            ("min_frequency", min_frequency, 1),
            ("max_categories", max_categories, 2),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
                raise FeaturizationError(
                    f"`{name}` must be an integer >= {low}, got {describe(value)}"
                )
        if sparse not in (True, False, "auto"):
            raise FeaturizationError(
                f"`sparse` must be True, False or 'auto', got {describe(sparse)}"
            )
        self.min_frequency = int(min_frequency)
        self.max_categories = int(max_categories)
        self.sparse = sparse

    def _fit(self, base: BaseRepresentation) -> None:
        import numpy as np

        self._one_hot = "OneHotEncoder" not in base.blocked_transformers
        self._sources = [(name, (name,)) for name in base.numeric_names]
        self._maps: list[np.ndarray[Any, Any]] = []
        if self._one_hot:
            self._maps = [
                self._fit_column(base.categorical[:, j], name, base.categories[j])
                for j, name in enumerate(base.categorical_names)
            ]
            offset = len(base.numeric_names)
            for column_map in self._maps:
                column_map[column_map >= 0] += offset
                offset = int(column_map.max(initial=offset - 1)) + 1
        else:
            self._sources += [(name, (name,)) for name in base.categorical_names]
        dense = self._dense(base)
        self._mean = dense.mean(axis=0, dtype=np.float64)
        std = dense.std(axis=0, dtype=np.float64)
        self._scale = np.where(std > 0, std, 1.0)
        self._sources += [(name, (name,)) for name in base.text_names]
        if self.sparse == "auto":
            self._sparse = len(self._sources) > 1000 or base.text is not None
        else:
            self._sparse = bool(self.sparse)

    def _fit_column(
        self, codes: np.ndarray[Any, Any], name: str, categories: tuple[str, ...]
    ) -> np.ndarray[Any, Any]:
        """Code -> output column (relative, from 0) or -1; appends the column sources."""
        import numpy as np

        counts = np.bincount(codes[codes >= 0], minlength=len(categories))
        order = np.argsort(-counts, kind="stable")
        frequent = [int(c) for c in order if counts[c] >= self.min_frequency]
        frequent = sorted(frequent[: self.max_categories - 1])
        column_map = np.full(len(categories) + 1, -1, dtype=np.int64)  # last slot: code -1
        for position, code in enumerate(frequent):
            column_map[code] = position
            self._sources.append((f"{name}={categories[code]}", (name,)))
        rare = (counts > 0) & (column_map[:-1] < 0)
        if rare.any():
            column_map[:-1][rare] = len(frequent)
            self._sources.append((f"{name}={INFREQUENT}", (name,)))
        return column_map

    def _dense(self, base: BaseRepresentation) -> np.ndarray[Any, Any]:
        """The columns to standardize: numbers, plus codes when one-hot is blocked."""
        import numpy as np

        if self._one_hot:
            return base.numeric
        return np.hstack([base.numeric, base.categorical.astype(np.float32)])

    def _transform(self, base: BaseRepresentation) -> Any:
        import numpy as np
        import scipy.sparse as sp

        n_rows = base.n_rows
        scaled = ((self._dense(base) - self._mean) / self._scale).astype(np.float32)
        blocks: list[Any] = [sp.csr_matrix(scaled) if self._sparse else scaled]
        if self._maps:
            rows, cols = [], []
            for j, column_map in enumerate(self._maps):
                out = column_map[base.categorical[:, j]]  # code -1 reads the last slot: -1
                hit = out >= 0
                rows.append(np.flatnonzero(hit))
                cols.append(out[hit] - len(base.numeric_names))
            row_index, col_index = np.concatenate(rows), np.concatenate(cols)
            width = len(self._sources) - len(base.numeric_names) - len(base.text_names)
            one_hot = sp.csr_matrix(
                (np.ones(len(row_index), dtype=np.float32), (row_index, col_index)),
                shape=(n_rows, width),
            )
            blocks.append(one_hot if self._sparse else one_hot.toarray())
        if base.text is not None:
            blocks.append(base.text if self._sparse else base.text.toarray())
        if self._sparse:
            return sp.hstack(blocks, format="csr", dtype=np.float32)
        return np.hstack(blocks).astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return (
            f"OneHotScaledAdapter(min_frequency={self.min_frequency}, "
            f"max_categories={self.max_categories}, sparse={self.sparse!r})"
        )
