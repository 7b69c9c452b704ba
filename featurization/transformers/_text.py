"""``Text`` columns as TF-IDF (Azure's ``TfIdf``): word n-grams and character n-grams.

Words: 1- to ``word_ngram_max``-grams of tokens of two or more letters or digits, lower
case, at most ``max_features`` (the most frequent), sublinear term frequency. Characters:
3- to 5-grams within word boundaries, at most ``char_max_features``. Each part is
L2-normalised per row; missing text is the empty string. Terms must appear in ``min_df``
documents (1 for frames under 100 rows); a column whose vocabulary is empty gives no
features.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from featurization._transformer_params import TfIdfParams
from featurization.transformers._base import Block, ColumnStep

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TextStep"]


class TextStep(ColumnStep):
    """TF-IDF features of one text column (a CSR block)."""

    block: ClassVar[Block] = "text"

    def __init__(self, column: str, params: TfIdfParams) -> None:
        super().__init__(column)
        self.params = params

    def _vectorizers(self, n_rows: int) -> list[tuple[str, Any]]:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        min_df = self.params.min_df if n_rows >= 100 else 1
        common = {"min_df": min_df, "sublinear_tf": True, "dtype": np.float32}
        parts = [
            (
                "word",
                TfidfVectorizer(
                    ngram_range=(1, self.params.word_ngram_max),
                    max_features=self.params.max_features,
                    **common,
                ),
            )
        ]
        if self.params.char_max_features:
            parts.append(
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(3, 5),
                        max_features=self.params.char_max_features,
                        **common,
                    ),
                )
            )
        return parts

    @staticmethod
    def _documents(values: pd.Series) -> list[str]:
        return values.astype("string").fillna("").astype(str).tolist()

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        self.fit_transform(values, y)

    def fit_transform(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> Any:
        documents = self._documents(values)
        self.vectorizers_: list[tuple[str, Any]] = []
        blocks = []
        for kind, vectorizer in self._vectorizers(len(documents)):
            try:
                blocks.append(vectorizer.fit_transform(documents))
            except ValueError:  # empty vocabulary (only stop words, empty strings, ...)
                continue
            self.vectorizers_.append((kind, vectorizer))
        return self._stack(blocks, len(documents))

    def transform(self, values: pd.Series) -> Any:
        import numpy as np
        import scipy.sparse as sp

        documents = self._documents(values)
        if not documents:  # scikit-learn refuses zero documents
            return sp.csr_matrix((0, len(self.feature_names())), dtype=np.float32)
        blocks = [vectorizer.transform(documents) for _, vectorizer in self.vectorizers_]
        return self._stack(blocks, len(documents))

    @staticmethod
    def _stack(blocks: list[Any], n_rows: int) -> Any:
        import numpy as np
        import scipy.sparse as sp

        if not blocks:
            return sp.csr_matrix((n_rows, 0), dtype=np.float32)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def feature_names(self) -> list[str]:
        return [
            f"{self.column}__{kind}__{term}"
            for kind, vectorizer in self.vectorizers_
            for term in vectorizer.get_feature_names_out()
        ]

    def transformations(self) -> list[str]:
        kinds = {kind for kind, _ in self.vectorizers_}
        names = ["StringCast"]
        if "word" in kinds:
            names.append("WordTfIdf")
        if "char" in kinds:
            names.append("CharGramTfIdf")
        return names
