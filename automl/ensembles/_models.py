"""The fitted ensemble models: :class:`VotingEnsembleModel` and :class:`StackEnsembleModel`.

Both wrap fitted members that take the same raw input (the AutoML pipelines: anything with
``predict``, and ``predict_proba`` for classification). A member's probability columns are
matched to the ensemble's ``classes`` through its ``classes_`` when it has one (a member that
never saw a class gets probability 0 for it). Both are plain picklable objects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["StackEnsembleModel", "VotingEnsembleModel", "member_proba", "stack_features"]

FloatArray = NDArray[np.float64]
_TASKS = ("classification", "regression", "forecasting")


def _check_task(task: object) -> str:
    if task not in _TASKS:
        raise ValueError(f"`task` must be one of {', '.join(_TASKS)}, got {task!r}")
    return str(task)


def _check_members(members: Sequence[Any], task: str) -> list[Any]:
    if isinstance(members, (str, bytes)) or not isinstance(members, Sequence) or not members:
        raise ValueError(
            f"`members` must be a non-empty sequence of fitted models, got {members!r}"
        )
    method = "predict_proba" if task == "classification" else "predict"
    for index, member in enumerate(members):
        if not callable(getattr(member, method, None)):
            raise ValueError(
                f"`members[{index}]` must have a `{method}` method for task {task!r}, "
                f"got {type(member).__name__}"
            )
    return list(members)


def _check_classes(classes: ArrayLike | None, task: str) -> NDArray[Any] | None:
    if task != "classification":
        if classes is not None:
            raise ValueError(f"`classes` applies to classification only, got it for {task!r}")
        return None
    if classes is None:
        raise ValueError("`classes` is required for classification")
    labels = np.asarray(classes)
    if labels.ndim != 1 or labels.size < 2 or len(set(labels.tolist())) != labels.size:
        raise ValueError(f"`classes` must list at least two distinct labels, got {classes!r}")
    return labels


def member_proba(member: Any, X: Any, classes: NDArray[Any]) -> FloatArray:
    """``member.predict_proba(X)`` with its columns in ``classes`` order (zeros if missing)."""
    proba = np.asarray(member.predict_proba(X), dtype=np.float64)
    if proba.ndim != 2:
        raise ValueError(f"predict_proba of {type(member).__name__} returned shape {proba.shape}")
    own = getattr(member, "classes_", None)
    if own is None or np.array_equal(np.asarray(own), classes):
        if proba.shape[1] != len(classes):
            raise ValueError(
                f"predict_proba of {type(member).__name__} must have {len(classes)} columns "
                f"(one per class), got {proba.shape[1]}"
            )
        return proba
    lookup = {label: i for i, label in enumerate(classes.tolist())}
    own_labels = np.asarray(own).tolist()
    unknown = [label for label in own_labels if label not in lookup]
    if unknown:
        raise ValueError(
            f"{type(member).__name__} predicts classes {unknown!r} that are not in `classes` "
            f"({classes.tolist()!r})"
        )
    aligned = np.zeros((proba.shape[0], len(classes)))
    aligned[:, [lookup[label] for label in own_labels]] = proba
    return aligned


def stack_features(outputs: Sequence[FloatArray], n_classes: int) -> FloatArray:
    """The meta-learner's input: the members' outputs side by side.

    Classification gives each member's probability columns but the first (Azure gives them
    all; as the columns sum to 1 the first one adds nothing to a model with an intercept, and
    leaving it out spares the meta-learner an exactly collinear input, which made a
    multiclass LogisticRegressionCV converge about 2.5x slower); regression each member's
    prediction.
    """
    columns = [output[:, 1:] if n_classes else output[:, None] for output in outputs]
    return np.hstack(columns)


def pad_proba(proba: ArrayLike, present: ArrayLike, n_classes: int) -> FloatArray:
    """Probabilities over class indices ``present`` spread to all ``n_classes`` columns."""
    values = np.asarray(proba, dtype=np.float64)
    out = np.zeros((values.shape[0], n_classes))
    out[:, np.asarray(present, dtype=np.intp)] = values
    return out


class VotingEnsembleModel:
    """Soft voting: the weighted average of the members' probabilities or predictions.

    Args:
        members: Fitted models taking the same raw input.
        weights: One non-negative weight per member (normalized to sum to 1).
        classes: Every class label, the columns of :meth:`predict_proba` (classification).
        task: ``"classification"``, ``"regression"`` or ``"forecasting"``.

    Example:
        >>> import numpy as np
        >>> from sklearn.dummy import DummyClassifier
        >>> X, y = np.zeros((4, 1)), np.array([0, 0, 0, 1])
        >>> prior = DummyClassifier(strategy="prior").fit(X, y)
        >>> ones = DummyClassifier(strategy="constant", constant=1).fit(X, y)
        >>> model = VotingEnsembleModel([prior, ones], [0.5, 0.5], classes=[0, 1])
        >>> model.predict_proba(X[:1]).round(3).tolist(), model.predict(X[:1]).tolist()
        ([[0.375, 0.625]], [1])
    """

    def __init__(
        self,
        members: Sequence[Any],
        weights: Sequence[float],
        classes: ArrayLike | None = None,
        task: str = "classification",
    ) -> None:
        self.task = _check_task(task)
        self.members = _check_members(members, self.task)
        self.classes = _check_classes(classes, self.task)
        values = [float(w) for w in weights]
        if len(values) != len(self.members):
            raise ValueError(
                f"`weights` must have one weight per member ({len(self.members)}), "
                f"got {len(values)}"
            )
        if any(not math.isfinite(w) or w < 0 for w in values) or sum(values) <= 0:
            raise ValueError(f"`weights` must be finite, >= 0, with a positive sum, got {values}")
        total = sum(values)
        self.weights = tuple(w / total for w in values)

    @property
    def classes_(self) -> NDArray[Any]:
        """The class labels (classification only)."""
        if self.classes is None:
            raise AttributeError("a regression ensemble has no `classes_`")
        return self.classes

    def predict_proba(self, X: Any) -> FloatArray:
        """Weighted average of the members' probabilities, columns in ``classes_`` order."""
        classes = self.classes_
        total: FloatArray | None = None
        for member, weight in zip(self.members, self.weights, strict=True):
            if weight > 0:
                part = weight * member_proba(member, X, classes)
                total = part if total is None else total + part
        return total if total is not None else np.zeros((0, len(classes)))

    def predict(self, X: Any) -> NDArray[Any]:
        """The class of highest averaged probability, or the weighted mean prediction."""
        if self.classes is not None:
            labels: NDArray[Any] = self.classes[np.argmax(self.predict_proba(X), axis=1)]
            return labels
        total: FloatArray | None = None
        for member, weight in zip(self.members, self.weights, strict=True):
            if weight > 0:
                part = weight * np.asarray(member.predict(X), dtype=np.float64).reshape(-1)
                total = part if total is None else total + part
        return total if total is not None else np.zeros(0)


class StackEnsembleModel:
    """Stacking: a meta-learner trained on the members' out-of-fold outputs.

    Args:
        members: Fitted base models taking the same raw input.
        meta_learner: A fitted model over :func:`stack_features` of the members' outputs;
            for classification it was trained on class indices (``0 .. n_classes - 1``).
        classes: Every class label (classification).
        task: ``"classification"``, ``"regression"`` or ``"forecasting"``.
    """

    def __init__(
        self,
        members: Sequence[Any],
        meta_learner: Any,
        classes: ArrayLike | None = None,
        task: str = "classification",
    ) -> None:
        self.task = _check_task(task)
        self.members = _check_members(members, self.task)
        self.classes = _check_classes(classes, self.task)
        method = "predict_proba" if self.classes is not None else "predict"
        if not callable(getattr(meta_learner, method, None)):
            raise ValueError(
                f"`meta_learner` must have a `{method}` method, got {type(meta_learner).__name__}"
            )
        self.meta_learner = meta_learner

    @property
    def classes_(self) -> NDArray[Any]:
        """The class labels (classification only)."""
        if self.classes is None:
            raise AttributeError("a regression ensemble has no `classes_`")
        return self.classes

    def _features(self, X: Any) -> FloatArray:
        if self.classes is not None:
            classes = self.classes
            outputs = [member_proba(member, X, classes) for member in self.members]
            return stack_features(outputs, len(classes))
        outputs = [np.asarray(m.predict(X), dtype=np.float64).reshape(-1) for m in self.members]
        return stack_features(outputs, 0)

    def predict_proba(self, X: Any) -> FloatArray:
        """The meta-learner's probabilities, columns in ``classes_`` order."""
        classes = self.classes_
        raw = self.meta_learner.predict_proba(self._features(X))
        return pad_proba(raw, self.meta_learner.classes_, len(classes))

    def predict(self, X: Any) -> NDArray[Any]:
        """The class of highest probability, or the meta-learner's prediction."""
        if self.classes is not None:
            labels: NDArray[Any] = self.classes[np.argmax(self.predict_proba(X), axis=1)]
            return labels
        return np.asarray(self.meta_learner.predict(self._features(X)), dtype=np.float64)
