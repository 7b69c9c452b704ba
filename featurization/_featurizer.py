"""``Featurizer``: raw frame in, :class:`BaseRepresentation` out; fitted once per fold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from featurization._column_purposes import ColumnPurposeInfo, infer_column_purposes
from featurization._config import FeaturizationConfig
from featurization._errors import FeaturizationError, describe, list_names
from featurization._frames import Task, as_frame, check_task, prepare_target
from featurization._plan import plan_steps
from featurization._representation import BaseRepresentation
from featurization._summary import featurization_summary

if TYPE_CHECKING:
    import pandas as pd

    from featurization.transformers._base import ColumnStep

__all__ = ["Featurizer"]


class Featurizer:
    """Azure AutoML's featurization of a raw frame into a :class:`BaseRepresentation`.

    Fit it on a fold's training rows, then transform that fold's validation rows (and, once
    refitted on all rows, new data). ``fit_transform`` is the way to featurize the training
    rows themselves: target encodings there are out of fold (no row sees its own label),
    whereas ``fit(X).transform(X)`` would encode each training row with its own label.

    Columns are selected by name: extra columns at transform time are ignored; a column the
    fitted steps use that is missing is an error (columns dropped at fit time may be absent).

    Args:
        config: Featurization settings; ``None`` means the defaults (``"auto"``).

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"age": [30.0, None, 50.0, 41.0], "city": ["a", "b", "a", None]})
        >>> base = Featurizer().fit_transform(X, task="regression")
        >>> base.engineered_feature_names()
        ['age', 'age__missing', 'city']
        >>> base.categorical[:, 0].tolist()
        [0, 1, 0, -1]
    """

    def __init__(self, config: FeaturizationConfig | None = None) -> None:
        self.config = _checked_config(config)

    def fit(self, X: object, y: object = None, *, task: str) -> Featurizer:
        """Learn the featurization from training rows.

        Args:
            X: Training features (pandas or polars DataFrame, or pyarrow Table).
            y: Labels, one per row; needed only for target encoding.
            task: ``"classification"``, ``"regression"`` or ``"forecasting"``.

        Returns:
            ``self``, fitted.

        Raises:
            FeaturizationError: Empty ``X``, bad labels, a configuration that names unknown
                columns, or no usable column.
        """
        self._fit(X, y, task, output=False)
        return self

    def fit_transform(self, X: object, y: object = None, *, task: str) -> BaseRepresentation:
        """Fit, and return the training rows' representation (target encodings out of fold)."""
        frame, outputs = self._fit(X, y, task, output=True)
        return self._assemble(frame, outputs)

    def transform(self, X: object) -> BaseRepresentation:
        """Featurize new rows with what was learnt at fit time.

        Raises:
            FeaturizationError: Not fitted, or a column the fit uses is missing.
        """
        steps = self._fitted_steps()
        frame = as_frame(X)
        missing = [step.column for step in steps if step.column not in frame.columns]
        if missing:
            raise FeaturizationError(
                f"`X` lacks column(s) the featurizer was fitted with: {list_names(missing)}"
            )
        return self._assemble(frame, [step.transform(frame[step.column]) for step in steps])

    def _fit(
        self, X: object, y: object, task: str, *, output: bool
    ) -> tuple[pd.DataFrame, list[Any]]:
        """Fit every step; with ``output``, also return the training rows' step outputs."""
        checked_task = check_task(task)
        frame = as_frame(X)
        if frame.shape[1] == 0:
            raise FeaturizationError("`X` must have at least one column, got none")
        if frame.shape[0] == 0:
            raise FeaturizationError("`X` must have at least one row, got an empty frame")
        labels = None if y is None else prepare_target(y, len(frame), checked_task)
        purposes = infer_column_purposes(frame, self.config)
        steps, dropped = plan_steps(purposes, self.config, checked_task)
        self._check_plan(steps, dropped, labels)
        outputs = []
        for step in steps:
            values = frame[step.column]
            if output:
                outputs.append(step.fit_transform(values, labels))
            else:
                step.fit(values, labels)
        self.task_: Task = checked_task
        self.feature_names_in_ = list(frame.columns)
        self.n_features_in_ = len(self.feature_names_in_)
        self.column_purposes_: dict[str, ColumnPurposeInfo] = purposes
        self.dropped_columns_: dict[str, str] = dropped
        self.steps_: list[ColumnStep] = steps
        self._names = _unique_names(steps)
        return frame, outputs

    def _check_plan(self, steps: list[ColumnStep], dropped: dict[str, str], labels: Any) -> None:
        from featurization.transformers._target_encoder import TargetEncoderStep

        if not steps:
            reasons = ", ".join(f"{column!r}: {why}" for column, why in dropped.items())
            raise FeaturizationError(
                f"`X` must have at least one usable column, got none ({reasons}); "
                "set column_purposes to keep a column"
            )
        encoded = [step.column for step in steps if isinstance(step, TargetEncoderStep)]
        if encoded and labels is None:
            raise FeaturizationError(
                f"`y` must be given to target-encode {list_names(encoded)}; pass the labels "
                "to fit, or use high_cardinality_encoding='hash'"
            )

    def _fitted_steps(self) -> list[ColumnStep]:
        steps: list[ColumnStep] | None = getattr(self, "steps_", None)
        if steps is None:
            raise FeaturizationError(
                "this Featurizer is not fitted yet; call fit(X, y, task=...) first"
            )
        return steps

    def _assemble(self, frame: pd.DataFrame, outputs: list[Any]) -> BaseRepresentation:
        import numpy as np
        import scipy.sparse as sp

        n_rows = len(frame)
        steps = self.steps_
        by_block: dict[str, list[int]] = {"numeric": [], "categorical": [], "text": []}
        for index, step in enumerate(steps):
            by_block[step.block].append(index)
        widths = [len(self._names[i]) for i in by_block["numeric"]]
        numeric = np.empty((n_rows, sum(widths)), dtype=np.float32)
        start = 0
        for index, width in zip(by_block["numeric"], widths, strict=True):
            numeric[:, start : start + width] = outputs[index]
            start += width
        categorical = np.empty((n_rows, len(by_block["categorical"])), dtype=np.int32)
        for position, index in enumerate(by_block["categorical"]):
            categorical[:, position] = outputs[index]
        text_names = [name for i in by_block["text"] for name in self._names[i]]
        text = None
        if text_names:
            text = sp.hstack([outputs[i] for i in by_block["text"]], format="csr")
            text = text.astype(np.float32, copy=False)
        return BaseRepresentation(
            numeric=numeric,
            numeric_names=tuple(name for i in by_block["numeric"] for name in self._names[i]),
            categorical=categorical,
            categorical_names=tuple(self._names[i][0] for i in by_block["categorical"]),
            categories=tuple(steps[i].categories() for i in by_block["categorical"]),
            text=text,
            text_names=tuple(text_names),
            raw_columns={
                name: step.column
                for step, names in zip(steps, self._names, strict=True)
                for name in names
            },
            blocked_transformers=frozenset(self.config.blocked_transformers),
        )

    def get_engineered_feature_names(self) -> list[str]:
        """Engineered feature names in the base representation's order."""
        steps = self._fitted_steps()
        order = {"numeric": 0, "categorical": 1, "text": 2}
        ranked = sorted(range(len(steps)), key=lambda i: order[steps[i].block])
        return [name for i in ranked for name in self._names[i]]

    def get_featurization_summary(self) -> list[dict[str, Any]]:
        """Per raw column, in Azure's format.

        Returns:
            One dict per raw column with ``RawFeatureName``, ``TypeDetected``, ``Dropped``
            (``"Yes"``/``"No"``), ``EngineeredFeatureCount`` and ``Transformations``.
        """
        steps = self._fitted_steps()
        return featurization_summary(self.column_purposes_, steps, self._names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """scikit-learn's parameter protocol (so ``sklearn.base.clone`` works)."""
        return {"config": self.config}

    def set_params(self, **params: Any) -> Featurizer:
        """scikit-learn's parameter protocol: only ``config`` is a parameter."""
        unknown = [name for name in params if name != "config"]
        if unknown:
            raise FeaturizationError(
                f"`Featurizer` parameters must be among 'config', got {describe(unknown[0])}"
            )
        if "config" in params:
            self.config = _checked_config(params["config"])
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "steps_")

    def __repr__(self) -> str:
        return f"Featurizer(config={self.config!r})"


def _checked_config(config: object) -> FeaturizationConfig:
    if config is None:
        return FeaturizationConfig()
    if not isinstance(config, FeaturizationConfig):
        raise FeaturizationError(
            f"`config` must be a FeaturizationConfig or None, got {describe(config)}; "
            "use resolve_featurization() to read 'auto', 'off' or a mapping"
        )
    return config


def _unique_names(steps: list[ColumnStep]) -> list[list[str]]:
    """Each step's feature names, made unique across steps by a ``#2``, ``#3`` suffix."""
    seen: set[str] = set()
    result = []
    for step in steps:
        names = []
        for name in step.feature_names():
            unique, suffix = name, 2
            while unique in seen:
                unique, suffix = f"{name}#{suffix}", suffix + 1
            seen.add(unique)
            names.append(unique)
        result.append(names)
    return result
