"""``compute_metrics``: check the inputs once, build the shared state, compute every metric."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from automl.metrics._classification import ClassificationScoring
from automl.metrics._registry import METRICS, metric_names, validate_metric, validate_task
from automl.metrics._regression import RegressionScoring
from automl.metrics._spec import Scoring, UndefinedMetricError

__all__ = ["MetricsReport", "compute_metrics", "compute_metrics_report"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class MetricsReport:
    """Metric values and, per metric, a note on how it was computed or why it is NaN.

    Attributes:
        values: Metric name to value, NaN where the metric is undefined for the data.
        notes: Metric name to a human sentence: the reason for a NaN, classes left out of
            an average, a value clipped to Azure's range, ``sample_weight`` ignored.
    """

    values: dict[str, float]
    notes: dict[str, str] = field(default_factory=dict)


def compute_metrics(
    task: str,
    y_true: ArrayLike,
    y_pred: ArrayLike | None = None,
    y_proba: ArrayLike | None = None,
    *,
    classes: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    y_range: tuple[float, float] | None = None,
    positive_label: Any = None,
    metrics: Iterable[str] | None = None,
) -> dict[str, float]:
    """Compute Azure's scalar metrics for one set of predictions, in one pass.

    Label metrics share one confusion matrix and probability metrics share one sort per
    class column, so the whole classification set costs little more than one metric.

    Args:
        task: ``"classification"``, ``"regression"`` or ``"forecasting"`` (regression metrics).
        y_true: True labels or values, one per row.
        y_pred: Predicted labels or values. For classification it defaults to the class of
            highest probability (Azure's rule), so give ``y_proba`` or ``y_pred``.
        y_proba: Class probabilities, one column per class in ``classes`` order; for two
            classes a 1-D array is the probability of ``classes[1]``.
        classes: Every class label, in the order of the ``y_proba`` columns (the classes of
            the whole training data, so that a class absent from a fold keeps its column).
            Defaults to the sorted labels seen in ``y_true`` and ``y_pred``.
        sample_weight: Non-negative row weights with a positive total.
        y_range: ``(y_min, y_max)`` of the training target, which the normalized metrics
            divide by (Azure uses the full training data's range). Defaults to the range
            of ``y_true``.
        positive_label: The positive class of the ``*_binary`` metrics; defaults to
            ``classes[1]`` for two classes (Azure's rule), and without it those metrics are
            left out of the default set for more than two classes.
        metrics: Names to compute; defaults to every metric of the task that the inputs
            allow (probability metrics only with ``y_proba``).

    Returns:
        Metric name to value, NaN where undefined (see :func:`compute_metrics_report`).

    Raises:
        ValueError: Bad input; the message names the argument and what was expected.

    Example:
        >>> compute_metrics("classification", ["a", "b", "b"], ["a", "b", "a"],
        ...                 metrics=["accuracy"])
        {'accuracy': 0.6666666666666666}
    """
    return compute_metrics_report(
        task,
        y_true,
        y_pred,
        y_proba,
        classes=classes,
        sample_weight=sample_weight,
        y_range=y_range,
        positive_label=positive_label,
        metrics=metrics,
    ).values


def compute_metrics_report(
    task: str,
    y_true: ArrayLike,
    y_pred: ArrayLike | None = None,
    y_proba: ArrayLike | None = None,
    *,
    classes: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    y_range: tuple[float, float] | None = None,
    positive_label: Any = None,
    metrics: Iterable[str] | None = None,
) -> MetricsReport:
    """Like :func:`compute_metrics`, with a note per metric on NaNs and special handling.

    Example:
        >>> report = compute_metrics_report("classification", ["a", "a"], ["a", "b"],
        ...                                  [0.9, 0.4], metrics=["AUC_macro"])
        >>> report.values["AUC_macro"], report.notes["AUC_macro"]
        (nan, "NaN: undefined when y_true holds a single class ('a')")
    """
    validate_task(task)
    truth = _one_dimensional(y_true, "y_true")
    if truth.size == 0:
        raise ValueError("`y_true` must hold at least one row, got 0")
    weight = None if sample_weight is None else _weights(sample_weight, truth.size)
    scoring: Scoring
    if task == "classification":
        if y_range is not None:
            raise ValueError(f"`y_range` applies to regression and forecasting, got {y_range!r}")
        scoring = _classification(truth, y_pred, y_proba, classes, weight, positive_label)
    else:
        for value, name in ((y_proba, "y_proba"), (classes, "classes")):
            if value is not None:
                raise ValueError(f"`{name}` applies to classification only, got it for {task!r}")
        if positive_label is not None:
            raise ValueError(
                f"`positive_label` applies to classification only, got {positive_label!r}"
            )
        scoring = _regression(task, truth, y_pred, weight, y_range)
    names = _selected(task, metrics, scoring)
    return _run(names, scoring, weighted=weight is not None)


def _run(names: Sequence[str], scoring: Scoring, *, weighted: bool) -> MetricsReport:
    values: dict[str, float] = {}
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for name in names:
            spec = METRICS[name]
            scoring.current = name
            try:
                values[name] = float(spec.compute(scoring))
            except UndefinedMetricError as undefined:
                values[name] = math.nan
                scoring.notes[name] = f"NaN: {undefined}"
            if weighted and not spec.supports_sample_weight:
                scoring.note("sample_weight is ignored by this metric (as in Azure).")
    return MetricsReport(values=values, notes=dict(scoring.notes))


def _selected(task: str, metrics: Iterable[str] | None, scoring: Scoring) -> list[str]:
    has_proba = not isinstance(scoring, ClassificationScoring) or scoring.proba is not None
    has_positive = isinstance(scoring, ClassificationScoring) and scoring.positive is not None
    if metrics is None:
        return [
            name
            for name in metric_names(task)
            if (has_proba or not METRICS[name].needs_proba)
            and (has_positive or not METRICS[name].uses_positive_label)
        ]
    requested = [metrics] if isinstance(metrics, str) else list(metrics)
    names = list(dict.fromkeys(validate_metric(name, task, field="metrics") for name in requested))
    lacking = [name for name in names if METRICS[name].needs_proba and not has_proba]
    if lacking:
        raise ValueError(
            f"`y_proba` is required for {', '.join(lacking)} (metrics of class probabilities), "
            "got None"
        )
    return names


def _one_dimensional(values: ArrayLike, name: str) -> NDArray[Any]:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional, got shape {array.shape}")
    return array


def _finite(values: ArrayLike, name: str, *, ndim: tuple[int, ...] = (1,)) -> FloatArray:
    array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1 and 1 in ndim and 2 not in ndim:
        array = array[:, 0]
    if array.ndim not in ndim:
        expected = " or ".join(f"{n}-D" for n in ndim)
        raise ValueError(f"`{name}` must be {expected}, got shape {array.shape}")
    try:
        numbers = array.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be numeric, got dtype {array.dtype}") from None
    bad = ~np.isfinite(numbers)
    if bad.any():
        first = int(np.flatnonzero(bad.reshape(len(numbers), -1).any(axis=1))[0])
        raise ValueError(
            f"`{name}` must be finite, got {int(bad.sum())} NaN or infinite values "
            f"(first in row {first})"
        )
    return numbers


def _weights(sample_weight: ArrayLike, n_rows: int) -> FloatArray:
    weight = _finite(sample_weight, "sample_weight")
    _same_length(weight, n_rows, "sample_weight")
    if (weight < 0).any():
        row = int(np.flatnonzero(weight < 0)[0])
        raise ValueError(
            f"`sample_weight` must be non-negative, got {float(weight[row])!r} in row {row}"
        )
    if weight.sum() <= 0:
        raise ValueError("`sample_weight` must have a positive total, got all zeros")
    return weight


def _same_length(values: NDArray[Any], n_rows: int, name: str) -> None:
    if len(values) != n_rows:
        raise ValueError(
            f"`{name}` must have one row per row of `y_true` ({n_rows}), got {len(values)}"
        )


def _regression(
    task: str,
    truth: NDArray[Any],
    y_pred: ArrayLike | None,
    weight: FloatArray | None,
    y_range: tuple[float, float] | None,
) -> RegressionScoring:
    if y_pred is None:
        raise ValueError(f"`y_pred` is required for task {task!r}, got None")
    y_true = _finite(truth, "y_true")
    predicted = _finite(y_pred, "y_pred")
    _same_length(predicted, y_true.size, "y_pred")
    if y_range is None:
        low, high = float(y_true.min()), float(y_true.max())
    else:
        low, high = _range(y_range)
    return RegressionScoring(y_true, predicted, weight, low, high)


def _range(y_range: object) -> tuple[float, float]:
    message = f"`y_range` must be (y_min, y_max) with finite y_min <= y_max, got {y_range!r}"
    if not isinstance(y_range, (tuple, list)) or len(y_range) != 2:
        raise ValueError(message)
    try:
        low, high = float(y_range[0]), float(y_range[1])
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(message)
    return low, high


def _classification(
    truth: NDArray[Any],
    y_pred: ArrayLike | None,
    y_proba: ArrayLike | None,
    classes: ArrayLike | None,
    weight: FloatArray | None,
    positive_label: Any,
) -> ClassificationScoring:
    if y_pred is None and y_proba is None:
        raise ValueError("`y_pred` or `y_proba` is required for task 'classification', got None")
    predicted = None if y_pred is None else _one_dimensional(y_pred, "y_pred")
    if predicted is not None:
        _same_length(predicted, truth.size, "y_pred")
    labels = _classes(classes, truth, predicted)
    proba = None if y_proba is None else _probabilities(y_proba, truth.size, len(labels))
    true_index = _encode(truth, labels, "y_true")
    if predicted is not None:
        pred_index = _encode(predicted, labels, "y_pred")
    else:
        pred_index = np.argmax(_required(proba), axis=1).astype(np.intp)
    positive = _positive_index(positive_label, labels)
    return ClassificationScoring(true_index, pred_index, proba, weight, labels, positive)


def _required(proba: FloatArray | None) -> FloatArray:
    if proba is None:  # unreachable: the caller checked that y_pred or y_proba is given
        raise ValueError("`y_proba` is required, got None")
    return proba


def _classes(
    classes: ArrayLike | None, truth: NDArray[Any], predicted: NDArray[Any] | None
) -> NDArray[Any]:
    if classes is not None:
        labels = _one_dimensional(classes, "classes")
        if labels.size == 0:
            raise ValueError("`classes` must hold at least one label, got none")
        distinct = _sorted_unique(labels)
        if distinct.size != labels.size:
            raise ValueError(f"`classes` must not repeat a label, got {labels.tolist()!r}")
        return labels
    if predicted is None:
        return _sorted_unique(truth)
    if truth.dtype == predicted.dtype:
        return _sorted_unique(np.concatenate([truth, predicted]))
    return _sorted_unique(np.concatenate([truth.astype(object), predicted.astype(object)]))


def _sorted_unique(values: NDArray[Any]) -> NDArray[Any]:
    try:
        return np.unique(values)
    except TypeError:  # labels of mixed types: order by type name, then value text
        distinct = {value: None for value in values.tolist()}
        ordered = sorted(distinct, key=lambda value: (type(value).__name__, repr(value)))
        out = np.empty(len(ordered), dtype=object)
        out[:] = ordered
        return out


def _probabilities(y_proba: ArrayLike, n_rows: int, n_classes: int) -> FloatArray:
    proba = _finite(y_proba, "y_proba", ndim=(1, 2))
    _same_length(proba, n_rows, "y_proba")
    if proba.ndim == 1:
        if n_classes != 2:
            raise ValueError(
                f"`y_proba` must have one column per class ({n_classes}), got a 1-D array "
                "(a 1-D array is only for two classes: the probability of classes[1])"
            )
        return np.column_stack([1.0 - proba, proba])
    if proba.shape[1] != n_classes:
        raise ValueError(
            f"`y_proba` must have one column per class ({n_classes}), got shape {proba.shape}; "
            "pass `classes` in the order of the columns"
        )
    return proba


def _encode(values: NDArray[Any], classes: NDArray[Any], name: str) -> NDArray[np.intp]:
    """Index of each value in ``classes``; raise when a value is not a class."""
    try:
        order = np.argsort(classes, kind="stable")
        ordered = classes[order]
        position = np.minimum(np.searchsorted(ordered, values), len(classes) - 1)
        found = np.asarray(ordered[position] == values, dtype=bool)
        if found.shape != values.shape:
            raise TypeError("labels and classes do not compare element-wise")
        index = order[position].astype(np.intp)
    except (TypeError, ValueError):
        lookup = {label: i for i, label in enumerate(classes.tolist())}
        found_list = [value in lookup for value in values.tolist()]
        found = np.array(found_list, dtype=bool)
        index = np.array([lookup.get(value, 0) for value in values.tolist()], dtype=np.intp)
    if not found.all():
        unknown = list(dict.fromkeys(values[~found].tolist()))
        shown = ", ".join(repr(label) for label in unknown[:5]) + (
            ", ..." if len(unknown) > 5 else ""
        )
        known = ", ".join(repr(label) for label in classes.tolist()[:20])
        raise ValueError(f"`{name}` must hold only labels in `classes` ({known}), got {shown}")
    return index


def _positive_index(positive_label: Any, classes: NDArray[Any]) -> int | None:
    if positive_label is None:
        return 1 if len(classes) == 2 else None
    matches = [i for i, label in enumerate(classes.tolist()) if label == positive_label]
    if not matches:
        known = ", ".join(repr(label) for label in classes.tolist()[:20])
        raise ValueError(f"`positive_label` must be one of {known}, got {positive_label!r}")
    return matches[0]
