"""KNN: k nearest neighbours on the one-hot, scaled matrix."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from automl.learners._base import (
    DataSize,
    FitData,
    Learner,
    LearnerInfo,
    Task,
)
from automl.learners._spaces import between, log_int
from search_spaces import SearchSpace, choice

__all__ = ["KNN"]

# AutoGluon trains KNN with uniform and with distance weights (PORTFOLIO_FACTS.md 1.5); FLAML
# starts from 5 neighbours, distance-weighted (2.3). A wider neighbourhood closes the list.
_PORTFOLIO = (
    {"n_neighbors": 5, "weights": "distance", "p": 2},
    {"n_neighbors": 5, "weights": "uniform", "p": 2},
    {"n_neighbors": 15, "weights": "distance", "p": 2},
    {"n_neighbors": 30, "weights": "distance", "p": 1},
)


class KNN(Learner):
    """k nearest neighbours (``KNeighborsClassifier`` / ``KNeighborsRegressor``).

    Search space (FLAML's): ``n_neighbors`` 1-clip(n/2, 2, 512) (log), ``weights``
    uniform/distance, ``p`` 1 (Manhattan) or 2 (Euclidean). ``n_neighbors`` is capped at the
    training rows when fitting. Sample weights are not supported (scikit-learn takes none).
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="KNN",
        tasks=("classification", "regression"),
        input_kind="one_hot_scaled",
        package="sklearn",
        supports_sample_weight=False,
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "classification": _PORTFOLIO,
        "regression": _PORTFOLIO,
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace(
            {
                "n_neighbors": log_int(1, between(size.n_rows // 2, 2, 512)),
                "weights": choice("uniform", "distance"),
                "p": choice(1, 2),
            }
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        # Fitting only stores the data; the work is predicting: every validation row (about a
        # fifth of the training rows) against every training row. Brute force runs as BLAS
        # matrix products for p=2, far cheaper per pair than a tree's histogram visit.
        pairs = size.n_rows * max(1.0, size.n_rows / 5) * size.n_features
        return pairs * (0.07 if params["p"] == 2 else 0.7) + 200.0 * size.n_rows

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import neighbors

        cls = (
            neighbors.KNeighborsClassifier
            if task == "classification"
            else neighbors.KNeighborsRegressor
        )
        return cls(**params, n_jobs=n_jobs)

    def _fit(self, estimator: Any, data: FitData) -> Any:
        estimator.set_params(n_neighbors=min(estimator.n_neighbors, data.n_rows))
        estimator.fit(data.X, data.y)
        data.report(1, estimator)
        return estimator
