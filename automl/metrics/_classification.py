"""Classification metrics of Azure Automated ML, computed from one shared scoring state.

Every label metric reads one weighted confusion matrix; every probability metric reads the
per-class ranking curves, one sort per class column (plus one for the micro average).
Definitions follow ``azureml.training.tabular.score._classification`` (Azure's scorer) and,
where Azure calls scikit-learn, scikit-learn's definitions with its default labels (the
classes present in ``y_true`` or ``y_pred``) and ``zero_division`` of 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from automl.metrics._ranking import Curve, average_precision, binary_curve, roc_auc
from automl.metrics._spec import MetricSpec, Scoring, UndefinedMetricError
from search_spaces import Goal

__all__ = ["CLASSIFICATION_SPECS", "LOG_LOSS_EPS", "ClassificationScoring"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

LOG_LOSS_EPS = 1e-15
"""Probabilities are clipped to ``[eps, 1 - eps]`` before the log (scikit-learn < 1.5, Azure)."""


class ClassificationScoring(Scoring):
    """Encoded labels and probabilities of one scoring call, with cached shared pieces.

    Args:
        y_true: Index of each row's true class in ``classes``.
        y_pred: Index of each row's predicted class in ``classes``.
        proba: Probabilities, one column per class in ``classes`` order, or None.
        weight: Row weights (positive total), or None.
        classes: The class labels, in the order of the probability columns.
        positive: Index of the positive class for the ``*_binary`` metrics, or None.
    """

    def __init__(
        self,
        y_true: IntArray,
        y_pred: IntArray,
        proba: FloatArray | None,
        weight: FloatArray | None,
        classes: NDArray[np.generic],
        positive: int | None,
    ) -> None:
        super().__init__()
        self.y_true = y_true
        self.y_pred = y_pred
        self.proba = proba
        self.weight = weight
        self.classes = classes
        self.n_classes = len(classes)
        self.positive = positive
        self._curves: dict[int, Curve] = {}

    @cached_property
    def counts(self) -> NDArray[np.int64]:
        """Unweighted confusion matrix: rows are true classes, columns predicted ones."""
        k = self.n_classes
        flat = np.bincount(self.y_true * k + self.y_pred, minlength=k * k)
        return flat.reshape(k, k).astype(np.int64, copy=False)

    @cached_property
    def matrix(self) -> FloatArray:
        """Weighted confusion matrix (the unweighted one when there are no weights)."""
        if self.weight is None:
            return self.counts.astype(np.float64)
        k = self.n_classes
        flat = np.bincount(self.y_true * k + self.y_pred, weights=self.weight, minlength=k * k)
        return np.asarray(flat, dtype=np.float64).reshape(k, k)

    @cached_property
    def true_weight(self) -> FloatArray:
        """Weighted support of each class in ``y_true``."""
        return np.asarray(self.matrix.sum(axis=1), dtype=np.float64)

    @cached_property
    def pred_weight(self) -> FloatArray:
        """Weighted count of each class in the predictions."""
        return np.asarray(self.matrix.sum(axis=0), dtype=np.float64)

    @cached_property
    def hits(self) -> FloatArray:
        """Weighted correct predictions of each class."""
        return np.diagonal(self.matrix).copy()

    @cached_property
    def in_true(self) -> NDArray[np.bool_]:
        """Classes with at least one row in ``y_true``."""
        return np.asarray(self.counts.sum(axis=1) > 0)

    @cached_property
    def seen(self) -> NDArray[np.bool_]:
        """Classes in ``y_true`` or the predictions: scikit-learn's default labels."""
        return np.asarray(self.in_true | (self.counts.sum(axis=0) > 0))

    @cached_property
    def columns(self) -> FloatArray:
        """Probability columns as contiguous rows (one per class)."""
        return np.ascontiguousarray(self._proba().T)

    def _proba(self) -> FloatArray:
        if self.proba is None:  # the scoring loop only calls probability metrics with proba
            raise UndefinedMetricError("needs class probabilities (`y_proba`)")
        return self.proba

    def curve(self, index: int) -> Curve:
        """One-vs-rest ranking curve of class ``index`` (cached)."""
        if index not in self._curves:
            positive = self.y_true == index
            self._curves[index] = binary_curve(positive, self.columns[index], self.weight)
        return self._curves[index]

    @cached_property
    def micro_curve(self) -> Curve:
        """Ranking curve over every (row, class) cell of the binarized labels."""
        k = self.n_classes
        positive = np.zeros((len(self.y_true), k), dtype=bool)
        positive[np.arange(len(self.y_true)), self.y_true] = True
        weight = None if self.weight is None else np.repeat(self.weight, k)
        return binary_curve(positive.ravel(), self._proba().ravel(), weight)

    def label(self, index: int) -> str:
        """A class label as it appears in notes and reasons."""
        value = self.classes[index]
        return repr(value.item() if isinstance(value, np.generic) else value)


Compute: TypeAlias = Callable[[ClassificationScoring], float]


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """Element-wise ratio, 0 where the denominator is 0 (scikit-learn's zero_division)."""
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _average(case: ClassificationScoring, per_class: FloatArray, average: str) -> float:
    seen = case.seen
    if average == "macro":
        return float(np.mean(per_class[seen]))
    support = case.true_weight[seen]
    total = float(support.sum())
    return float(np.sum(per_class[seen] * support) / total) if total > 0 else 0.0


def _precision(case: ClassificationScoring) -> FloatArray:
    return _ratio(case.hits, case.pred_weight)


def _recall(case: ClassificationScoring) -> FloatArray:
    return _ratio(case.hits, case.true_weight)


def _f1(case: ClassificationScoring) -> FloatArray:
    return _ratio(2.0 * case.hits, case.true_weight + case.pred_weight)


def accuracy(case: ClassificationScoring) -> float:
    """Weighted share of correct predictions (micro precision, recall and F1 equal it)."""
    return float(case.hits.sum() / case.matrix.sum())


def weighted_accuracy(case: ClassificationScoring) -> float:
    """Azure's ``WeightedAccuracy``: accuracy with each row weighted by its class frequency.

    Row ``i`` gets weight ``n_c / n`` for its true class ``c``, so the value is
    ``sum_c n_c * correct_c / sum_c n_c**2``. It ignores ``sample_weight`` (as Azure does).
    """
    support = case.counts.sum(axis=1).astype(np.float64)
    correct = np.diagonal(case.counts).astype(np.float64)
    return float(np.sum(support * correct) / np.sum(support * support))


def recall_macro(case: ClassificationScoring) -> float:
    """Macro recall; Azure's ``balanced_accuracy`` is this same value."""
    return _average(case, _recall(case), "macro")


def norm_macro_recall(case: ClassificationScoring) -> float:
    """Azure's ``NormMacroRecall``: ``max(0, (mean recall - R) / (1 - R))``.

    The mean runs over the classes present in ``y_true``; ``R`` is the recall of random
    guessing: 0.5 for a binary task, else ``1 / (classes present in y_true)``.
    """
    present = case.true_weight > 0
    mean_recall = float(np.mean(case.hits[present] / case.true_weight[present]))
    if case.n_classes == 2:
        chance = 0.5
    else:
        n_present = int(present.sum())
        if n_present < 2:
            raise UndefinedMetricError(
                "undefined when y_true holds a single class (random recall would be 1)"
            )
        chance = 1.0 / n_present
    return max(0.0, (mean_recall - chance) / (1.0 - chance))


def matthews_correlation(case: ClassificationScoring) -> float:
    """Multiclass Matthews correlation (scikit-learn's formula), clipped to [-1, 1]."""
    truth, predicted = case.true_weight, case.pred_weight
    total = float(case.matrix.sum())
    covariance = float(case.hits.sum()) * total - float(truth @ predicted)
    spread_pred = total * total - float(predicted @ predicted)
    spread_true = total * total - float(truth @ truth)
    if spread_pred * spread_true == 0:
        return 0.0
    return float(np.clip(covariance / math.sqrt(spread_true * spread_pred), -1.0, 1.0))


def log_loss(case: ClassificationScoring) -> float:
    """Cross-entropy over all ``classes``, probabilities clipped and rows renormalised."""
    proba = np.clip(case._proba(), LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS)
    rows = np.arange(len(case.y_true))
    true_class = proba[rows, case.y_true] / proba.sum(axis=1)
    return max(0.0, float(-np.average(np.log(true_class), weights=case.weight)))


def _class_averaged(case: ClassificationScoring, score: str, average: str) -> float:
    """AUC or AP averaged over the classes present in ``y_true`` (Azure's rule)."""
    present = np.flatnonzero(case.in_true)
    if score == "auc" and present.size < 2:
        only = case.label(int(present[0]))
        raise UndefinedMetricError(f"undefined when y_true holds a single class ({only})")
    if present.size < case.n_classes:
        absent = [case.label(int(i)) for i in np.flatnonzero(~case.in_true)]
        shown = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
        case.note(f"Averaged over the {present.size} classes present in y_true (absent: {shown}).")
    function = roc_auc if score == "auc" else average_precision
    values = np.array([function(case.curve(int(index))) for index in present])
    usable = ~np.isnan(values)
    if not usable.any():
        raise UndefinedMetricError("undefined: every present class has zero total weight")
    if average == "macro":
        return float(np.mean(values[usable]))
    support = case.true_weight[present][usable]
    return float(np.sum(values[usable] * support) / support.sum())


def _micro(case: ClassificationScoring, score: str) -> float:
    function = roc_auc if score == "auc" else average_precision
    value = function(case.micro_curve)
    if math.isnan(value):
        raise UndefinedMetricError("undefined with a single class")
    return value


def _positive(case: ClassificationScoring) -> int:
    if case.positive is None:
        raise UndefinedMetricError("needs `positive_label` when there are more than two classes")
    return case.positive


def _binary_labels(case: ClassificationScoring, kind: str) -> float:
    index = _positive(case)
    hits = float(case.hits[index])
    truth, predicted = float(case.true_weight[index]), float(case.pred_weight[index])
    denominator = {"precision": predicted, "recall": truth, "f1": (truth + predicted) / 2}[kind]
    return hits / denominator if denominator > 0 else 0.0


def _binary_ranking(case: ClassificationScoring, score: str) -> float:
    index = _positive(case)
    value = (roc_auc if score == "auc" else average_precision)(case.curve(index))
    if math.isnan(value):
        raise UndefinedMetricError(
            f"undefined: y_true has no {'positive' if score == 'ap' else 'positive or negative'}"
            f" row for the positive class {case.label(index)}"
        )
    return value


def _spec(
    name: str,
    description: str,
    compute: Compute,
    *,
    needs_proba: bool = False,
    weighted: bool = True,
    positive: bool = False,
    primary: bool = False,
    goal: Goal = "maximize",
    bounds: tuple[float, float] = (0.0, 1.0),
) -> MetricSpec:
    return MetricSpec(
        name=name,
        tasks=("classification",),
        goal=goal,
        needs_proba=needs_proba,
        supports_sample_weight=weighted,
        uses_positive_label=positive,
        azure_primary=primary,
        bounds=bounds,
        description=description,
        compute=compute,
    )


def _averaged_labels(kind: str, average: str) -> Compute:
    per_class = {"precision": _precision, "recall": _recall, "f1": _f1}[kind]
    if average == "micro":
        return accuracy  # single-label micro averages all equal accuracy
    return lambda case: _average(case, per_class(case), average)


def _binary_label_metric(kind: str) -> Compute:
    return lambda case: _binary_labels(case, kind)


def _ranking(score: str, average: str) -> Compute:
    if average == "micro":
        return lambda case: _micro(case, score)
    return lambda case: _class_averaged(case, score, average)


_LABEL_NAMES = {"precision": "Precision", "recall": "Recall", "f1": "F1 Score"}
_AVERAGE_NAMES = {"macro": "Macro", "micro": "Micro", "weighted": "Weighted", "binary": "Binary"}


def _build() -> tuple[MetricSpec, ...]:
    specs = [
        _spec("accuracy", "Accuracy", accuracy, primary=True),
        _spec("balanced_accuracy", "Balanced Accuracy", recall_macro),
        _spec("weighted_accuracy", "Weighted Accuracy", weighted_accuracy, weighted=False),
        _spec("norm_macro_recall", "Normed Macro Recall", norm_macro_recall, primary=True),
        _spec(
            "matthews_correlation", "Matthews Correlation", matthews_correlation,
            bounds=(-1.0, 1.0),
        ),
        _spec(
            "log_loss", "Log Loss", log_loss, needs_proba=True, goal="minimize",
            bounds=(0.0, math.inf),
        ),
    ]  # fmt: skip
    for average in ("macro", "micro", "weighted"):
        label = _AVERAGE_NAMES[average]
        specs.append(
            _spec(
                f"AUC_{average}", f"{label} Area Under The Curve", _ranking("auc", average),
                needs_proba=True, primary=average == "weighted",
            )
        )  # fmt: skip
        specs.append(
            _spec(
                f"average_precision_score_{average}", f"{label} Average Precision",
                _ranking("ap", average), needs_proba=True, primary=average == "weighted",
            )
        )  # fmt: skip
        for kind in ("f1", "precision", "recall"):
            specs.append(
                _spec(
                    f"{kind}_score_{average}", f"{label} {_LABEL_NAMES[kind]}",
                    _averaged_labels(kind, average),
                    primary=kind == "precision" and average == "weighted",
                )
            )  # fmt: skip
    specs.append(
        _spec(
            "AUC_binary", "Binary Area Under The Curve",
            lambda case: _binary_ranking(case, "auc"), needs_proba=True, positive=True,
        )
    )  # fmt: skip
    specs.append(
        _spec(
            "average_precision_score_binary", "Binary Average Precision",
            lambda case: _binary_ranking(case, "ap"), needs_proba=True, positive=True,
        )
    )  # fmt: skip
    for kind in ("f1", "precision", "recall"):
        specs.append(
            _spec(
                f"{kind}_score_binary", f"Binary {_LABEL_NAMES[kind]}",
                _binary_label_metric(kind), positive=True,
            )
        )  # fmt: skip
    return tuple(specs)


CLASSIFICATION_SPECS: tuple[MetricSpec, ...] = _build()
"""Azure's scalar classification metrics (``Metric.SCALAR_CLASSIFICATION_SET``)."""
