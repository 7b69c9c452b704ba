"""Out-of-fold target encoding of categorical columns (Azure's ``CatTargetEncoder``).

Each label becomes the smoothed mean of the target over the rows with that label,
``(sum + smoothing * prior) / (count + smoothing)``: one column for regression, the
probability of the positive (second, sorted) class for binary classification, one column per
class for multiclass. Missing labels are a level of their own; labels unseen at fit time get
the prior.

Leakage: the training rows' encodings (``fit_transform``) are out of fold. The rows are split
into ``folds`` seeded folds and a row's encoding uses only the other folds' rows, so a label
that only that row has gets the prior, never its own target. ``transform`` (validation,
test, production rows) uses the statistics of all training rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from featurization._errors import FeaturizationError
from featurization._frames import Task
from featurization._transformer_params import TargetEncoderParams
from featurization.transformers._base import Block, ColumnStep, as_labels

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TargetEncoderStep"]


class TargetEncoderStep(ColumnStep):
    """Target encoding of one column into the numeric block."""

    block: ClassVar[Block] = "numeric"

    def __init__(
        self, column: str, params: TargetEncoderParams, *, task: Task, random_state: int
    ) -> None:
        super().__init__(column)
        self.params = params
        self.task = task
        self.random_state = random_state

    def _targets(self, y: np.ndarray[Any, Any] | None) -> np.ndarray[Any, Any]:
        import numpy as np

        if y is None:
            raise FeaturizationError(
                f"target encoding of column {self.column!r} needs the labels: call "
                "fit(X, y, task=...) with y, or choose high_cardinality_encoding='hash'"
            )
        if self.task != "classification":
            self.classes_: list[str] = []
            regression: np.ndarray[Any, Any] = np.asarray(y, dtype=np.float64)[:, None]
            return regression
        labels = np.asarray(y)
        try:
            classes = np.unique(labels)
        except TypeError:  # mixed types cannot be sorted: compare them as strings
            labels = labels.astype(str)
            classes = np.unique(labels)
        self.classes_ = [str(value) for value in classes]
        if len(classes) == 2:
            self.classes_ = self.classes_[1:]
            binary: np.ndarray[Any, Any] = (labels == classes[1]).astype(np.float64)[:, None]
            return binary
        multiclass: np.ndarray[Any, Any] = (labels[:, None] == classes[None, :]).astype(np.float64)
        return multiclass

    def fit(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> None:
        self._fit(values, y)

    def _fit(
        self, values: pd.Series, y: np.ndarray[Any, Any] | None
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Learn the encoding table; return the training codes and targets."""
        import numpy as np
        import pandas as pd

        targets = self._targets(y)
        labels = as_labels(values)
        codes, uniques = pd.factorize(labels, use_na_sentinel=True)
        self.categories_ = tuple(str(label) for label in uniques)
        codes = np.where(codes < 0, len(uniques), codes)  # missing: a level of its own
        self.prior_ = targets.mean(axis=0)
        self.table_ = self._encode_table(codes, targets, len(uniques) + 1)
        return codes, targets

    def _encode_table(
        self, codes: np.ndarray[Any, Any], targets: np.ndarray[Any, Any], n_levels: int
    ) -> np.ndarray[Any, Any]:
        import numpy as np

        counts = np.bincount(codes, minlength=n_levels).astype(np.float64)[:, None]
        sums = np.stack(
            [
                np.bincount(codes, weights=targets[:, k], minlength=n_levels)
                for k in range(targets.shape[1])
            ],
            axis=1,
        )
        smoothing = float(self.params.smoothing)
        prior = targets.mean(axis=0)[None, :] if len(targets) else self.prior_[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            table = (sums + smoothing * prior) / (counts + smoothing)
        result: np.ndarray[Any, Any] = np.where(counts > 0, table, prior)
        return result

    def fit_transform(self, values: pd.Series, y: np.ndarray[Any, Any] | None) -> Any:
        """Fit, then encode each training row from the other folds' rows only."""
        import numpy as np

        codes, targets = self._fit(values, y)
        n_rows = len(codes)
        folds = min(self.params.folds, n_rows)
        out = np.tile(self.prior_, (n_rows, 1))
        if folds < 2:
            return out
        rng = np.random.default_rng(self.random_state)
        fold_of = np.empty(n_rows, dtype=np.int64)
        fold_of[rng.permutation(n_rows)] = np.arange(n_rows) % folds
        n_levels = len(self.categories_) + 1
        for fold in range(folds):
            held = fold_of == fold
            table = self._encode_table(codes[~held], targets[~held], n_levels)
            out[held] = table[codes[held]]
        return out

    def transform(self, values: pd.Series) -> np.ndarray[Any, Any]:
        import numpy as np
        import pandas as pd

        labels = as_labels(values)
        missing = labels.isna().to_numpy()
        codes = np.asarray(
            pd.Categorical(labels.astype(object), categories=self.categories_).codes,
            dtype=np.int64,
        )
        codes[missing] = len(self.categories_)
        out = self.table_[np.where(codes < 0, 0, codes)]
        out[codes < 0] = self.prior_
        return out

    def feature_names(self) -> list[str]:
        if self.task != "classification":
            return [f"{self.column}__target_mean"]
        return [f"{self.column}__target_p_{label}" for label in self.classes_]

    def transformations(self) -> list[str]:
        return ["StringCast", "TargetEncoder"]
