"""The ``"native"`` adapter: a DataFrame with float32 numbers and ``category`` columns."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, ClassVar

from featurization._errors import FeaturizationError, describe
from featurization.adapters._base import Adapter, AdapterKind

if TYPE_CHECKING:
    import pandas as pd

    from featurization._representation import BaseRepresentation

__all__ = ["NativeAdapter"]


class NativeAdapter(Adapter):
    """For learners with native categoricals (LightGBM, CatBoost, XGBoost with
    ``enable_categorical``, HistGradientBoosting with ``categorical_features="from_dtype"``).

    Output: a pandas DataFrame, columns in this order: the numeric block (float32), the
    categorical block as pandas ``category`` (categories = the base's labels; code -1 is a
    missing value), then the text block. Text does not go in as thousands of sparse
    columns: each raw text column's TF-IDF is reduced by a TruncatedSVD fitted on the
    training rows (``<column>__svd_<i>``, float32); a column with no more TF-IDF features
    than its share of components is passed as dense TF-IDF instead.

    Args:
        text_components: Most SVD components over all text columns (split evenly between
            them, at least one each).
        random_state: Seed of the SVD.
    """

    kind: ClassVar[AdapterKind] = AdapterKind.NATIVE

    def __init__(self, text_components: int = 100, random_state: int = 0) -> None:
        if (
            isinstance(text_components, bool)
            or not isinstance(text_components, numbers.Integral)
            or text_components < 1
        ):
            raise FeaturizationError(
                f"`text_components` must be an integer >= 1, got {describe(text_components)}"
            )
        self.text_components: int = int(text_components)
        self.random_state: int = random_state

    def _fit(self, base: BaseRepresentation) -> None:
        from sklearn.decomposition import TruncatedSVD

        self._sources = [(name, (name,)) for name in base.numeric_names]
        self._sources += [(name, (name,)) for name in base.categorical_names]
        self._text_parts: list[tuple[list[int], Any]] = []
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(base.text_names):
            groups.setdefault(base.raw_columns[name], []).append(index)
        share = max(1, self.text_components // max(1, len(groups)))
        for column, indices in groups.items():
            names = tuple(base.text_names[i] for i in indices)
            n_components = min(share, base.n_rows - 1)
            if len(indices) <= share or n_components < 1:
                self._text_parts.append((indices, None))
                self._sources += [(name, (name,)) for name in names]
                continue
            svd = TruncatedSVD(n_components=n_components, random_state=self.random_state)
            svd.fit(base.text[:, indices])
            self._text_parts.append((indices, svd))
            self._sources += [(f"{column}__svd_{i}", names) for i in range(n_components)]

    def _transform(self, base: BaseRepresentation) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        columns: dict[str, Any] = {}
        for j, name in enumerate(base.numeric_names):
            columns[name] = base.numeric[:, j]
        for j, name in enumerate(base.categorical_names):
            codes: Any = base.categorical[:, j]
            columns[name] = pd.Categorical.from_codes(
                codes, categories=pd.Index(base.categories[j], dtype=object)
            )
        text_blocks = []
        for indices, svd in self._text_parts:
            part = base.text[:, indices]
            dense = part.toarray() if svd is None else svd.transform(part)
            text_blocks.append(np.asarray(dense, dtype=np.float32))
        if text_blocks:
            text = np.hstack(text_blocks)
            names = self.feature_names()[len(columns) :]
            columns.update({name: text[:, j] for j, name in enumerate(names)})
        return pd.DataFrame(columns, index=pd.RangeIndex(base.n_rows), copy=False)

    def __repr__(self) -> str:
        return (
            f"NativeAdapter(text_components={self.text_components}, "
            f"random_state={self.random_state})"
        )
