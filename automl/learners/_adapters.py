"""Fitted-model wrappers for libraries that need their input or labels adapted.

A native frame (float32 numeric columns, pandas ``category`` columns) goes as it is to LightGBM
and XGBoost. Other libraries need category codes: scikit-learn's trees take a float matrix
(codes as ordinal numbers), histogram gradient boosting takes codes with a categorical mask,
CatBoost takes integer code columns named in ``cat_features``. :class:`AdaptedModel` does that
conversion in ``fit`` and ``predict`` alike, and encodes class labels as 0..k-1 for libraries
that need them (XGBoost), so every fitted model has sorted ``classes_`` and ``predict_proba``
columns in that order.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["AdaptedModel", "FrameCoder"]

CategoricalFormat = Literal["mask", "indices"]


def _is_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "dtypes")


class FrameCoder:
    """Converts a native frame into category codes, the same way at fit and predict time.

    Args:
        output: ``"matrix"``: a float32 numpy matrix, codes as numbers; ``"frame"``: the frame
            with each category column replaced by int32 codes.
        missing: The code of a missing category (``-1``, or ``nan`` for a matrix whose
            estimator handles missing values).
        max_categories: Category columns with more categories than this are coded but not
            flagged as categorical (histogram boosting allows at most ``max_bins``).

    Non-frame input (numpy, scipy sparse) passes through unchanged.
    """

    def __init__(
        self,
        output: Literal["matrix", "frame"],
        *,
        missing: float = -1.0,
        max_categories: int | None = None,
    ) -> None:
        self.output = output
        self.missing = missing
        self.max_categories = max_categories
        self.columns_: list[Any] | None = None
        self.categorical_: list[bool] = []
        self.n_categories_: list[int] = []

    def fit(self, X: Any) -> FrameCoder:
        """Record the columns, which are categorical and how many categories each has."""
        if not _is_frame(X):
            self.columns_, self.categorical_, self.n_categories_ = None, [], []
            return self
        self.columns_ = list(X.columns)
        self.categorical_ = [str(dtype) == "category" for dtype in X.dtypes]
        self.n_categories_ = [
            len(X.iloc[:, i].cat.categories) if flag else 0
            for i, flag in enumerate(self.categorical_)
        ]
        return self

    def categorical_mask(self) -> list[bool] | None:
        """Columns an estimator should treat as categorical (None: none, or not a frame)."""
        mask = [
            flag and (self.max_categories is None or count <= self.max_categories)
            for flag, count in zip(self.categorical_, self.n_categories_, strict=True)
        ]
        return mask if any(mask) else None

    def transform(self, X: Any) -> Any:
        """Convert ``X`` as fitted; raises ValueError when its columns differ."""
        if self.columns_ is None or not _is_frame(X):
            return X
        if list(X.columns) != self.columns_:
            raise ValueError(
                f"`X` must have the columns the model was fitted on {self.columns_!r}, "
                f"got {list(X.columns)!r}"
            )
        if self.output == "frame":
            return self._frame(X) if any(self.categorical_) else X
        return self._matrix(X)

    def _codes(self, column: Any, dtype: str) -> Any:
        codes = column.cat.codes.to_numpy()
        out = codes.astype(dtype)
        if self.output == "matrix" and self.missing != -1:
            out[codes < 0] = self.missing
        return out

    def _matrix(self, X: Any) -> Any:
        import numpy as np

        if not any(self.categorical_):
            return X.to_numpy(dtype=np.float32)
        out = np.empty((len(X), len(self.categorical_)), dtype=np.float32)
        numeric = [i for i, flag in enumerate(self.categorical_) if not flag]
        if numeric:
            out[:, numeric] = X.iloc[:, numeric].to_numpy(dtype=np.float32)
        for i, flag in enumerate(self.categorical_):
            if flag:
                out[:, i] = self._codes(X.iloc[:, i], "float32")
        return out

    def _frame(self, X: Any) -> Any:
        out = X.copy(deep=False)
        for i, flag in enumerate(self.categorical_):
            if flag:
                out[out.columns[i]] = self._codes(X.iloc[:, i], "int32")
        return out


class AdaptedModel:
    """A fitted model that adapts input (and class labels) for a library estimator.

    Args:
        estimator: The library's unfitted estimator.
        task: ``"classification"`` or ``"regression"``.
        coder: Converts native frames (None: input passes through).
        encode_labels: Fit on labels 0..k-1 (for libraries that accept nothing else).
        categorical_param: ``(name, "mask" | "indices")``: the estimator parameter set to the
            coder's categorical columns before fitting (e.g. ``("cat_features", "indices")``).
        threads: Cap on OpenMP threads while fitting and predicting (None: no cap).

    Attributes:
        estimator: The library estimator (fitted after :meth:`fit`).
        classes_: Sorted class labels (classification).
    """

    def __init__(
        self,
        estimator: Any,
        task: str,
        *,
        coder: FrameCoder | None = None,
        encode_labels: bool = False,
        categorical_param: tuple[str, CategoricalFormat] | None = None,
        threads: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.task = task
        self.coder = coder
        self.encode_labels = encode_labels
        self.categorical_param = categorical_param
        self.threads = threads

    # -- used by the learners' chunked fitting ----------------------------------------------

    def begin_fit(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Fit the coder and label encoding, configure a fresh unfitted copy of the estimator;
        return (X, y) to fit on."""
        import numpy as np

        # A fitted library estimator may refuse new parameters (CatBoost) or keep growing
        # (warm_start): every fit starts from an unfitted copy with the same parameters.
        self.estimator = type(self.estimator)(**self.estimator.get_params(deep=False))
        if self.coder is not None:
            self.coder.fit(X)
            self._configure_categoricals()
        y = np.asarray(y)
        if self.task == "classification":
            self.classes_ = np.unique(y)
            if self.encode_labels:
                y = np.searchsorted(self.classes_, y)
        return self.prepare(X), y

    def prepare(self, X: Any) -> Any:
        """``X`` as the estimator takes it."""
        return X if self.coder is None else self.coder.transform(X)

    def encode(self, y: Any) -> Any:
        """Labels as the estimator takes them (0..k-1 when encoding; unknown labels raise)."""
        import numpy as np

        y = np.asarray(y)
        if self.task != "classification" or not self.encode_labels:
            return y
        codes = np.searchsorted(self.classes_, y)
        codes = np.clip(codes, 0, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[codes], y):
            raise ValueError("`y_valid` has labels that the training labels do not have")
        return codes

    def _configure_categoricals(self) -> None:
        if self.categorical_param is None or self.coder is None:
            return
        name, form = self.categorical_param
        mask = self.coder.categorical_mask()
        if mask is None:
            value: Any = None if form == "mask" else []
        elif form == "mask":
            value = mask
        else:
            value = [i for i, flag in enumerate(mask) if flag]
        self.estimator.set_params(**{name: value})

    def thread_limits(self) -> Any:
        """A context capping OpenMP threads at ``threads`` (no cap when None)."""
        import contextlib

        if self.threads is None:
            return contextlib.nullcontext()
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        return threadpool_limits(limits=self.threads, user_api="openmp")

    # -- the estimator interface ------------------------------------------------------------

    def fit(self, X: Any, y: Any, sample_weight: Any | None = None) -> AdaptedModel:
        """Fit in one go (what a scikit-learn pipeline calls)."""
        Xp, yp = self.begin_fit(X, y)
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        with self.thread_limits():
            self.estimator.fit(Xp, yp, **kwargs)
        return self

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, columns in ``classes_`` order."""
        import numpy as np

        with self.thread_limits():
            proba = np.asarray(self.estimator.predict_proba(self.prepare(X)), dtype=np.float64)
        return proba

    def predict(self, X: Any) -> Any:
        """Class labels (classification) or values (regression)."""
        import numpy as np

        if self.task == "classification":
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        with self.thread_limits():
            return np.asarray(self.estimator.predict(self.prepare(X)))

    def __repr__(self) -> str:
        return f"AdaptedModel({self.estimator!r})"
