"""scikit-learn trees: DecisionTree, RandomForest, ExtremeRandomTrees.

Input: the native frame, turned into a float32 matrix with category columns as ordinal codes
(missing = -1) by :class:`~automl.learners._adapters.FrameCoder`. Trees split codes as well as
one-hot columns on most data and are several times faster on a narrow dense matrix than on a
wide one-hot one; AutoGluon's forests do the same.

Chunking (forests): ``warm_start`` with ``n_estimators`` raised chunk by chunk. scikit-learn
draws each new tree's seed as an unchunked fit would, so the forest is the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from automl.learners._adapters import AdaptedModel, FrameCoder
from automl.learners._base import (
    DataSize,
    FitData,
    Learner,
    LearnerInfo,
    Task,
    chunk_ends,
)
from automl.learners._spaces import between, int_range, log_int
from search_spaces import SearchSpace, choice

__all__ = ["DecisionTree", "ExtremeRandomTrees", "RandomForest"]

_LEAF_SIZES = (1, 2, 3, 4, 5, 10, 20, 40, 80)
_MAX_FEATURES = ("sqrt", "log2", 0.5, 0.75, 1.0)


def _feature_fraction(max_features: Any, n_features: int) -> float:
    if max_features == "sqrt":
        return math.sqrt(n_features) / n_features
    if max_features == "log2":
        return max(1.0, math.log2(n_features)) / n_features
    return float(max_features)


def _depth(n_rows: int, min_leaf: int, max_leaves: int) -> float:
    """Expected levels of a tree: log2 of the leaves it can grow."""
    leaves = max(2.0, min(n_rows / max(1, min_leaf), float(max_leaves)))
    return math.log2(leaves)


def _forest(
    n: int, max_features: Any, leaves: int, min_leaf: int, criterion: str | None
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "n_estimators": n,
        "max_features": max_features,
        "max_leaf_nodes": leaves,
        "min_samples_leaf": min_leaf,
    }
    if criterion is not None:
        config["criterion"] = criterion
    return config


def _forest_portfolios(learned: tuple[tuple[Any, int, int], ...]) -> dict[str, Any]:
    # AutoGluon's family defaults (300 trees, max_leaf_nodes 15000; gini and entropy for
    # classification, the library's max_features default), then its zeroshot 2023 learned
    # configs in greedy-pick order (PORTFOLIO_FACTS.md 1.3, 1.5).
    classification = (
        _forest(300, "sqrt", 15_000, 1, "gini"),
        _forest(300, "sqrt", 15_000, 1, "entropy"),
        *(_forest(300, mf, leaves, leaf, "gini") for mf, leaves, leaf in learned),
    )
    regression = (
        _forest(300, 1.0, 15_000, 1, None),
        *(_forest(300, mf, leaves, leaf, None) for mf, leaves, leaf in learned),
    )
    return {"classification": classification, "regression": regression}


class _Forest(Learner):
    """A bagged tree ensemble; subclasses name the scikit-learn classes."""

    _classes: ClassVar[tuple[str, str]]
    _split_cost: ClassVar[float]  # per row, tried feature and level: sorting costs ~log2(n)

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        params: dict[str, Any] = {
            "n_estimators": log_int(8, 1024),
            "max_features": choice(*_MAX_FEATURES),
            "max_leaf_nodes": log_int(16, between(size.n_rows, 32, 50_000)),
            "min_samples_leaf": choice(*_LEAF_SIZES),
        }
        if task == "classification":
            params["criterion"] = choice("gini", "entropy")
        return SearchSpace(params)

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        tried = size.n_features * _feature_fraction(params["max_features"], size.n_features)
        depth = _depth(size.n_rows, params["min_samples_leaf"], params["max_leaf_nodes"])
        per_tree = size.n_rows * max(1.0, tried) * depth * self._split_cost
        if size.n_classes > 2:
            per_tree *= 1.0 + 0.1 * size.n_classes
        return float(params["n_estimators"] * per_tree)

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import ensemble

        classifier, regressor = self._classes
        cls = getattr(ensemble, classifier if task == "classification" else regressor)
        estimator = cls(**params, random_state=seed, n_jobs=n_jobs)
        return AdaptedModel(estimator, task, coder=FrameCoder("matrix", missing=-1.0))

    def _fit(self, model: AdaptedModel, data: FitData) -> Any:
        X, y = model.begin_fit(data.X, data.y)
        estimator = model.estimator
        total = int(estimator.get_params()["n_estimators"])
        ends = chunk_ends(total, data.chunks)
        estimator.set_params(warm_start=len(ends) > 1)
        for step, end in enumerate(ends, start=1):
            estimator.set_params(n_estimators=end)
            estimator.fit(X, y, **data.sample_weight_kwargs())
            if data.report(step, model):
                break
        estimator.set_params(warm_start=False)
        return model

    def fitted_iterations(self, estimator: Any) -> int | None:
        """Trees grown (fewer than ``n_estimators`` when ``on_chunk`` stopped the fit)."""
        return len(estimator.estimator.estimators_)


class RandomForest(_Forest):
    """Random forest (bootstrap samples, best splits).

    Search space (AutoGluon's TabRepo ranges, FLAML's tree count): ``n_estimators`` 8-1024
    (log), ``max_features`` sqrt/log2/0.5/0.75/1.0, ``max_leaf_nodes`` 16-min(n, 50000) (log),
    ``min_samples_leaf`` 1-80, ``criterion`` gini/entropy (classification).
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="RandomForest",
        tasks=("classification", "regression"),
        input_kind="native",
        package="sklearn",
        iterations_param="n_estimators",
    )
    portfolios: ClassVar[Mapping[str, Any]] = _forest_portfolios(
        (
            (0.75, 37_308, 1),
            (0.75, 28_310, 2),
            (1.0, 38_572, 5),
            (0.75, 18_242, 40),
            ("log2", 42_644, 1),
        )
    )
    _classes = ("RandomForestClassifier", "RandomForestRegressor")
    _split_cost = 45.0


class ExtremeRandomTrees(_Forest):
    """Extremely randomized trees (whole data, random thresholds).

    Search space: as :class:`RandomForest`.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="ExtremeRandomTrees",
        tasks=("classification", "regression"),
        input_kind="native",
        package="sklearn",
        iterations_param="n_estimators",
    )
    portfolios: ClassVar[Mapping[str, Any]] = _forest_portfolios(
        (
            (0.75, 18_392, 1),
            (1.0, 12_845, 4),
            ("sqrt", 28_532, 1),
            (1.0, 19_935, 20),
            (0.75, 29_813, 4),
        )
    )
    _classes = ("ExtraTreesClassifier", "ExtraTreesRegressor")
    _split_cost = 16.0


class DecisionTree(Learner):
    """A single CART tree; fast, weak, interpretable.

    Search space: ``max_depth`` 2-32, ``min_samples_leaf`` 1-80, ``max_features``
    sqrt/log2/0.5/0.75/1.0, ``criterion`` gini/entropy (classification only; regression uses
    squared error). The portfolio is ours: no peer ships one.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="DecisionTree",
        tasks=("classification", "regression"),
        input_kind="native",
        package="sklearn",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "classification": tuple(
            {"max_depth": d, "min_samples_leaf": leaf, "max_features": 1.0, "criterion": c}
            for d, leaf, c in (
                (8, 5, "gini"),
                (32, 1, "entropy"),
                (5, 10, "gini"),
                (12, 20, "entropy"),
            )
        ),
        "regression": tuple(
            {"max_depth": d, "min_samples_leaf": leaf, "max_features": 1.0}
            for d, leaf in ((8, 5), (32, 1), (5, 10), (12, 20))
        ),
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        params: dict[str, Any] = {
            "max_depth": int_range(2, 32),
            "min_samples_leaf": choice(*_LEAF_SIZES),
            "max_features": choice(*_MAX_FEATURES),
        }
        if task == "classification":
            params["criterion"] = choice("gini", "entropy")
        return SearchSpace(params)

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        tried = size.n_features * _feature_fraction(params["max_features"], size.n_features)
        depth = min(params["max_depth"], _depth(size.n_rows, params["min_samples_leaf"], 2**30))
        return float(size.n_rows * max(1.0, tried) * depth * 60.0)

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import tree

        cls = (
            tree.DecisionTreeClassifier if task == "classification" else tree.DecisionTreeRegressor
        )
        return AdaptedModel(
            cls(**params, random_state=seed), task, coder=FrameCoder("matrix", missing=-1.0)
        )
