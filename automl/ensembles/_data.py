"""The children's out-of-fold predictions, checked once and laid out for fast scoring.

:class:`EnsembleData` validates what the searcher hands over (one :class:`ChildPredictions`
per child, the true labels, weights, folds) and keeps every child's predictions as a float64
array in one internal row order: rows grouped by fold, so that a fold is a slice, and, for
classification, transposed to ``(n_classes, n_rows)`` so that a class column is contiguous
(the ranking metrics sort each column). Ensemble predictions are averages of these arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from automl.ensembles._scoring import Scorer
from automl.metrics import METRICS, MetricSpec, score_for_search, validate_metric
from automl.metrics._registry import validate_task

__all__ = ["ChildPredictions", "EnsembleData", "Task"]

FloatArray: TypeAlias = NDArray[np.float64]
Task: TypeAlias = Literal["classification", "regression", "forecasting"]


@dataclass(frozen=True, eq=False)
class ChildPredictions:
    """One child run's out-of-fold predictions on the validation rows shared by all children.

    Attributes:
        run_id: The child's run id (names it in errors and in the ensemble's members).
        algorithm: Its learner name, e.g. ``"LightGBM"`` (stacking prefers distinct ones).
        score: Its primary-metric value as the searcher recorded it (metric units, NaN if
            unknown). Informational: the ensembles rescore every child on ``oof`` the same
            way they score themselves, so that the comparison is like for like.
        oof: Classification: probabilities ``(n_rows, n_classes)`` with columns in the shared
            ``classes`` order (for two classes a 1-D array is the probability of
            ``classes[1]``). Regression and forecasting: predictions ``(n_rows,)``.
        classes: The labels of the ``oof`` columns when they are not the shared ``classes``
            (a child that never saw some class in training); missing classes get
            probability 0.
    """

    run_id: str
    algorithm: str
    score: float
    oof: ArrayLike
    classes: ArrayLike | None = None


@dataclass(eq=False)
class EnsembleData:
    """Checked out-of-fold data in the internal row order (rows grouped by fold).

    Build it with :meth:`build`. ``predictions[j]`` is child ``j``'s array, ``(n_classes,
    n_rows)`` for classification and ``(n_rows,)`` otherwise; ``y`` holds class indices for
    classification and floats otherwise; ``order`` maps internal rows to input rows.
    """

    task: Task
    metric: str
    children: tuple[ChildPredictions, ...]
    predictions: list[FloatArray]
    y: NDArray[Any]
    weight: FloatArray | None
    classes: NDArray[Any] | None
    order: NDArray[np.intp] | None
    fold_bounds: tuple[tuple[int, int], ...]
    scorer: Scorer = field(repr=False)

    @property
    def spec(self) -> MetricSpec:
        """The metric's registry entry."""
        return METRICS[self.metric]

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def n_classes(self) -> int:
        return 0 if self.classes is None else len(self.classes)

    @property
    def is_classification(self) -> bool:
        return self.task == "classification"

    @classmethod
    def build(
        cls,
        children: Sequence[ChildPredictions],
        y: ArrayLike,
        *,
        task: str,
        metric: str,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
        folds: ArrayLike | None = None,
        y_range: tuple[float, float] | None = None,
        positive_label: Any = None,
    ) -> EnsembleData:
        """Check the inputs and lay them out; every error names the argument or the child.

        Args:
            children: The children's out-of-fold predictions (at least one).
            y: True labels or values of the validation rows, one per ``oof`` row.
            task: ``"classification"``, ``"regression"`` or ``"forecasting"``.
            metric: A scalar metric of ``task`` (``automl.metrics``).
            classes: Every class label in the order of the ``oof`` columns (required for
                classification).
            sample_weight: Row weights (non-negative, positive total).
            folds: Fold id of each row when the rows come from k-fold cross-validation:
                scores are then the mean of the per-fold values (Azure's rule for CV), as
                a child's score is. None scores all rows at once.
            y_range: ``(y_min, y_max)`` of the training target for the normalized
                regression metrics; defaults to the range of ``y``.
            positive_label: The positive class of the ``*_binary`` metrics.

        Raises:
            ValueError: Bad input, naming the argument (or the child's run id) and what
                was expected.
        """
        checked_task: Task = validate_task(task)  # type: ignore[assignment]
        validate_metric(metric, checked_task, field="metric")
        kids = _children(children)
        truth = np.asarray(y)
        if truth.ndim != 1 or truth.size == 0:
            raise ValueError(f"`y` must be a non-empty 1-D array, got shape {truth.shape}")
        n = truth.size
        weight = None if sample_weight is None else _weights(sample_weight, n)
        order, bounds = _fold_layout(folds, n)
        if checked_task == "classification":
            labels = _class_labels(classes)
            encoded = _encode(truth, labels, "`y`")
            arrays = [_proba(child, labels, n) for child in kids]
            positive = _positive(positive_label, labels)
            y_internal: NDArray[Any] = _take(encoded, order)
            preds = [np.ascontiguousarray(_take(a, order).T) for a in arrays]
            low = high = math.nan
        else:
            if classes is not None or positive_label is not None:
                raise ValueError(
                    f"`classes` and `positive_label` apply to classification only, got them "
                    f"for task {checked_task!r}"
                )
            labels, positive = None, None
            values = _finite(truth, "`y`")
            y_internal = _take(values, order)
            preds = [_take(_regression_oof(child, n), order) for child in kids]
            low, high = _range(y_range, values)
        weight_internal = None if weight is None else _take(weight, order)
        scorer = Scorer(
            task=checked_task,
            metric=metric,
            y=y_internal,
            weight=weight_internal,
            classes=labels,
            positive=positive,
            y_range=(low, high),
            fold_bounds=bounds,
        )
        return cls(
            task=checked_task,
            metric=metric,
            children=kids,
            predictions=preds,
            y=y_internal,
            weight=weight_internal,
            classes=labels,
            order=order,
            fold_bounds=bounds,
            scorer=scorer,
        )

    def average(self, weights: Sequence[float] | FloatArray) -> FloatArray:
        """The weighted average of the children's predictions (weights need not sum to 1)."""
        w = np.asarray(weights, dtype=np.float64)
        total = np.zeros_like(self.predictions[0])
        for j in np.flatnonzero(w):
            total += w[j] * self.predictions[j]
        total /= w.sum()
        return total

    def score(self, prediction: FloatArray, rows: NDArray[np.intp] | None = None) -> float:
        """The metric value of ``prediction`` (internal layout), NaN when undefined."""
        return self.scorer.value(prediction, rows)

    def gain(self, value: float) -> float:
        """``value`` of the metric as higher-is-better (minimised metrics negated, NaN last)."""
        return score_for_search(self.metric, value)


def _children(children: Sequence[ChildPredictions]) -> tuple[ChildPredictions, ...]:
    if isinstance(children, (str, bytes)) or not isinstance(children, Sequence):
        raise ValueError(
            f"`children_oof` must be a sequence of ChildPredictions, got {type(children).__name__}"
        )
    if len(children) == 0:
        raise ValueError("`children_oof` must hold at least one child, got an empty sequence")
    seen: set[str] = set()
    for index, child in enumerate(children):
        if not isinstance(child, ChildPredictions):
            raise ValueError(
                f"`children_oof[{index}]` must be a ChildPredictions, got {type(child).__name__}"
            )
        if child.run_id in seen:
            raise ValueError(f"`children_oof` must not repeat a run id, got {child.run_id!r} twice")
        seen.add(child.run_id)
    return tuple(children)


def _name(child: ChildPredictions) -> str:
    return f"child {child.run_id!r} ({child.algorithm})"


def _finite(values: ArrayLike, what: str) -> FloatArray:
    array = np.asarray(values)
    try:
        numbers = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numeric, got dtype {array.dtype}") from None
    bad = ~np.isfinite(numbers)
    if bad.any():
        row = int(np.flatnonzero(bad.reshape(len(numbers), -1).any(axis=1))[0])
        raise ValueError(
            f"{what} must be finite, got {int(bad.sum())} NaN or infinite values "
            f"(first in row {row})"
        )
    return numbers


def _weights(sample_weight: ArrayLike, n: int) -> FloatArray:
    weight = _finite(sample_weight, "`sample_weight`")
    if weight.shape != (n,):
        raise ValueError(f"`sample_weight` must have shape ({n},) like `y`, got {weight.shape}")
    if (weight < 0).any() or weight.sum() <= 0:
        raise ValueError("`sample_weight` must be non-negative with a positive total")
    return weight


def _fold_layout(
    folds: ArrayLike | None, n: int
) -> tuple[NDArray[np.intp] | None, tuple[tuple[int, int], ...]]:
    if folds is None:
        return None, ((0, n),)
    ids = np.asarray(folds)
    if ids.shape != (n,):
        raise ValueError(f"`folds` must have shape ({n},) like `y`, got {ids.shape}")
    try:
        _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    except TypeError:
        raise ValueError(f"`folds` must hold comparable fold ids, got dtype {ids.dtype}") from None
    order = np.argsort(inverse, kind="stable").astype(np.intp)
    ends = np.cumsum(counts)
    bounds = tuple((int(end - count), int(end)) for end, count in zip(ends, counts, strict=True))
    return order, bounds


def _take(values: NDArray[Any], order: NDArray[np.intp] | None) -> NDArray[Any]:
    return values if order is None else values[order]


def _class_labels(classes: ArrayLike | None) -> NDArray[Any]:
    if classes is None:
        raise ValueError("`classes` is required for classification (the order of the columns)")
    labels = np.asarray(classes)
    if labels.ndim != 1 or labels.size < 2:
        raise ValueError(f"`classes` must list at least two labels, got {labels.tolist()!r}")
    if len(set(labels.tolist())) != labels.size:
        raise ValueError(f"`classes` must not repeat a label, got {labels.tolist()!r}")
    return labels


def _encode(values: NDArray[Any], labels: NDArray[Any], what: str) -> NDArray[np.intp]:
    lookup = {label: index for index, label in enumerate(labels.tolist())}
    try:
        encoded = [lookup[value] for value in values.tolist()]
    except (KeyError, TypeError):
        unknown = [value for value in values.tolist() if value not in lookup][:5]
        raise ValueError(
            f"{what} must hold only labels in `classes` ({labels.tolist()!r}), got {unknown!r}"
        ) from None
    return np.asarray(encoded, dtype=np.intp)


def _positive(positive_label: Any, labels: NDArray[Any]) -> int | None:
    if positive_label is None:
        return 1 if labels.size == 2 else None
    matches = [i for i, label in enumerate(labels.tolist()) if label == positive_label]
    if not matches:
        raise ValueError(
            f"`positive_label` must be one of {labels.tolist()!r}, got {positive_label!r}"
        )
    return matches[0]


def _proba(child: ChildPredictions, labels: NDArray[Any], n: int) -> FloatArray:
    """The child's probabilities as ``(n, n_classes)`` in the shared order, padded."""
    columns = labels if child.classes is None else np.asarray(child.classes)
    proba = _finite(child.oof, f"{_name(child)}: `oof`")
    if proba.ndim == 1 and len(columns) == 2:
        proba = np.column_stack([1.0 - proba, proba])
    expected = (n, len(columns))
    if proba.shape != expected:
        raise ValueError(
            f"{_name(child)}: `oof` must have shape {expected} (rows of `y`, one column per "
            f"class), got {proba.shape}"
        )
    if child.classes is None:
        return proba
    where = _encode(columns, labels, f"{_name(child)}: `classes`")
    padded = np.zeros((n, len(labels)))
    padded[:, where] = proba
    return padded


def _regression_oof(child: ChildPredictions, n: int) -> FloatArray:
    values = _finite(child.oof, f"{_name(child)}: `oof`")
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape != (n,):
        raise ValueError(
            f"{_name(child)}: `oof` must have shape ({n},) (one prediction per row of `y`), "
            f"got {values.shape}"
        )
    return values


def _range(y_range: tuple[float, float] | None, values: FloatArray) -> tuple[float, float]:
    if y_range is None:
        return float(values.min()), float(values.max())
    message = f"`y_range` must be (y_min, y_max) with finite y_min <= y_max, got {y_range!r}"
    try:
        low, high = (float(v) for v in y_range)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(message)
    return low, high
