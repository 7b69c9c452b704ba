"""The StackEnsemble: a meta-learner over the out-of-fold predictions of the best children.

Base learners are the best children by their out-of-fold score, distinct algorithms first.
The meta-learner (Azure's ``stack_meta_learner_type``) is trained on their out-of-fold
predictions. Its own score must be honest, since a meta-learner scored on the rows it was
trained on can look better than it is: each row's stacked prediction comes from a
meta-learner that did not see that row (the children's folds, left out one at a time, as
Azure does; else ``n_meta_folds`` random folds), or, with ``meta_validation=
"train_percentage"``, the meta-learner is trained on that share of the rows and scored on the
rest. The meta-learner returned is then trained on every row.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from automl.ensembles._data import EnsembleData
from automl.ensembles._meta_learners import (
    META_LEARNERS,
    default_meta_learner,
    fit_meta_learner,
    make_meta_learner,
)
from automl.ensembles._models import pad_proba, stack_features
from automl.ensembles._selection import child_scores, ranked_children
from automl.metrics import score_for_search

__all__ = ["StackResult", "StackSettings", "fit_stack"]

FloatArray = NDArray[np.float64]
Split = tuple[NDArray[np.intp], NDArray[np.intp]]


@dataclass(frozen=True)
class StackSettings:
    """How the stack ensemble is built (Azure's ``StackEnsembleSettings`` and ours).

    Attributes:
        meta_learner_type: Azure's ``stack_meta_learner_type``; None picks Azure's default:
            LogisticRegressionCV (LogisticRegression when a class has fewer than 5 rows in a
            training set) for classification, ElasticNetCV (ElasticNet with 5 rows or fewer)
            for regression.
        meta_learner_kwargs: Azure's ``stack_meta_learner_kwargs``, passed to the constructor
            over our defaults.
        n_members: Most base learners: the best children, the best of each algorithm first.
        meta_validation: ``"cv"`` scores the stack out of fold (see the module); ``"train_
            percentage"`` trains on ``train_percentage`` of the rows and scores on the rest.
        n_meta_folds: Folds of ``"cv"`` when the rows carry no folds of their own.
        train_percentage: Azure's ``stack_meta_learner_train_percentage`` (default 0.2).
    """

    meta_learner_type: str | None = None
    meta_learner_kwargs: Mapping[str, Any] = field(default_factory=dict)
    n_members: int = 5
    meta_validation: Literal["cv", "train_percentage"] = "cv"
    n_meta_folds: int = 5
    train_percentage: float = 0.2

    def __post_init__(self) -> None:
        name = self.meta_learner_type
        if name is not None and name not in META_LEARNERS:
            close = difflib.get_close_matches(str(name), list(META_LEARNERS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"`meta_learner_type` must be one of {', '.join(META_LEARNERS)}, got {name!r}{hint}"
            )
        if not isinstance(self.meta_learner_kwargs, Mapping):
            raise ValueError(
                f"`meta_learner_kwargs` must be a mapping, got {self.meta_learner_kwargs!r}"
            )
        for key, low in (("n_members", 1), ("n_meta_folds", 2)):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"`{key}` must be an integer >= {low}, got {value!r}")
        if self.meta_validation not in ("cv", "train_percentage"):
            raise ValueError(
                "`meta_validation` must be 'cv' or 'train_percentage', "
                f"got {self.meta_validation!r}"
            )
        share = self.train_percentage
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
            raise ValueError(f"`train_percentage` must be in (0, 1), got {share!r}")


@dataclass(frozen=True)
class StackResult:
    """A stack ensemble's members, honest score and meta-learner.

    Attributes:
        members: Child indices of the base learners, best first.
        score: The stack's out-of-fold metric value (each row predicted by a meta-learner
            that was not trained on it).
        baseline_score: The best child's value on the same rows, scored the same way.
        best_child: Index of that child.
        meta_learner_type: The meta-learner's Azure name.
        meta_learner_kwargs: The keyword arguments it was built with.
        meta_learner: The meta-learner fitted on every row (for :class:`StackEnsembleModel`).
        n_scored_rows: How many rows the score covers.
        predictions: The stack's out-of-fold predictions in the internal layout of
            :class:`EnsembleData` (rows never scored hold zeros).
        scored_rows: The internal rows the score covers (None: every row).
    """

    members: tuple[int, ...]
    score: float
    baseline_score: float
    best_child: int
    meta_learner_type: str
    meta_learner_kwargs: Mapping[str, Any]
    meta_learner: Any
    n_scored_rows: int
    predictions: FloatArray | None = None
    scored_rows: NDArray[np.intp] | None = None


def choose_members(data: EnsembleData, values: list[float], n_members: int) -> list[int]:
    """The best children, the best of each distinct algorithm first, then the next best."""
    ranked = ranked_children(data, values)
    usable = [j for j in ranked if math.isfinite(score_for_search(data.metric, values[j]))]
    ranked = usable or ranked[:1]
    chosen: list[int] = []
    algorithms: set[str] = set()
    for j in ranked:
        if len(chosen) < n_members and data.children[j].algorithm not in algorithms:
            chosen.append(j)
            algorithms.add(data.children[j].algorithm)
    for j in ranked:
        if len(chosen) < n_members and j not in chosen:
            chosen.append(j)
    return sorted(chosen, key=ranked.index)


def fit_stack(
    data: EnsembleData, settings: StackSettings | None = None, *, seed: int = 0
) -> StackResult:
    """Choose base learners, score the stack honestly, and fit its meta-learner on every row.

    Args:
        data: The checked out-of-fold data (:meth:`EnsembleData.build`).
        settings: Stack settings; defaults to :class:`StackSettings`.
        seed: Seed of the meta folds (or split) and of the meta-learner.

    Raises:
        ValueError: Too few rows to validate the meta-learner, a meta-learner of the other
            task, or ``meta_learner_kwargs`` the meta-learner does not take.
    """
    settings = settings or StackSettings()
    values = child_scores(data)
    members = choose_members(data, values, settings.n_members)
    features = _features(data, members)
    splits = list(_splits(data, settings, seed))
    name = settings.meta_learner_type or default_meta_learner(
        _kind(data), [data.y[train] for train, _ in splits] + [data.y]
    )
    if META_LEARNERS[name] != _kind(data):
        valid = [n for n, task in META_LEARNERS.items() if task == _kind(data)]
        raise ValueError(
            f"`meta_learner_type` must be one of {', '.join(valid)} for task {data.task!r}, "
            f"got {name!r}"
        )
    positive = data.scorer.positive
    estimator, kwargs = make_meta_learner(
        name,
        settings.meta_learner_kwargs,
        metric=data.metric,
        n_classes=data.n_classes,
        positive=positive,
        seed=seed,
    )
    prediction = np.zeros_like(data.predictions[0])
    scored: list[NDArray[np.intp]] = []
    for train, test in splits:
        model = fit_meta_learner(estimator, features[train], data.y[train], _rows(data, train))
        _predict_into(data, model, features[test], test, prediction)
        scored.append(test)
    rows = None if settings.meta_validation == "cv" else np.concatenate(scored)
    baseline = [data.score(p, rows) for p in data.predictions]
    best_child = ranked_children(data, baseline)[0]
    final = fit_meta_learner(estimator, features, data.y, data.weight)
    return StackResult(
        members=tuple(members),
        score=data.score(prediction, rows),
        baseline_score=baseline[best_child],
        best_child=best_child,
        meta_learner_type=name,
        meta_learner_kwargs=kwargs,
        meta_learner=final,
        n_scored_rows=data.n_rows if rows is None else len(rows),
        predictions=prediction,
        scored_rows=rows,
    )


def _kind(data: EnsembleData) -> str:
    return "classification" if data.is_classification else "regression"


def _rows(data: EnsembleData, rows: NDArray[np.intp]) -> FloatArray | None:
    return None if data.weight is None else data.weight[rows]


def _features(data: EnsembleData, members: list[int]) -> FloatArray:
    if data.is_classification:
        outputs = [data.predictions[j].T for j in members]
        return stack_features(outputs, data.n_classes)
    return stack_features([data.predictions[j] for j in members], 0)


def _predict_into(
    data: EnsembleData,
    model: Any,
    features: FloatArray,
    rows: NDArray[np.intp],
    out: FloatArray,
) -> None:
    if data.is_classification:
        proba = pad_proba(model.predict_proba(features), model.classes_, data.n_classes)
        out[:, rows] = proba.T
    else:
        out[rows] = np.asarray(model.predict(features), dtype=np.float64)


def _splits(data: EnsembleData, settings: StackSettings, seed: int) -> Iterator[Split]:
    """Train and test rows of the meta-learner; every test row is scored once."""
    from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

    n = data.n_rows
    all_rows = np.arange(n)
    if settings.meta_validation == "train_percentage":
        if n < 2:
            raise ValueError(f"stacking needs at least 2 validation rows, got {n}")
        n_train = min(n - 1, max(1, round(settings.train_percentage * n)))
        n_labels = np.unique(data.y).size if data.is_classification else 0
        stratify = (
            data.is_classification
            and _stratifiable(data.y, 2)
            and min(n_train, n - n_train) >= n_labels
        )
        strata = data.y if stratify else None
        train, test = train_test_split(
            all_rows, train_size=n_train, random_state=seed, stratify=strata
        )
        yield np.sort(train), np.sort(test)
        return
    if len(data.fold_bounds) > 1:
        for start, end in data.fold_bounds:
            yield np.r_[0:start, end:n].astype(np.intp), np.arange(start, end)
        return
    n_splits = min(settings.n_meta_folds, n)
    if n_splits < 2:
        raise ValueError(f"stacking needs at least 2 validation rows, got {n}")
    if data.is_classification and _stratifiable(data.y, n_splits):
        splitter: Any = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_splits, shuffle=True, random_state=seed)
    for train, test in splitter.split(all_rows, data.y):
        yield train.astype(np.intp), test.astype(np.intp)


def _stratifiable(y: NDArray[Any], n_splits: int) -> bool:
    counts = np.unique(y, return_counts=True)[1]
    return bool(counts.min() >= n_splits)
