"""Linear models on the one-hot, scaled matrix: LogisticRegression, SGD, LinearSVM, ElasticNet,
LassoLars.

Regression targets are standardized inside the model (scikit-learn's
``TransformedTargetRegressor`` with a ``StandardScaler``), so regularisation strengths and SGD
step sizes mean the same whatever the target's scale.

LinearSVM's probabilities: a linear SVM has none, so ``predict_proba`` comes from Platt scaling
fitted on 3-fold out-of-fold decision values (``CalibratedClassifierCV(method="sigmoid",
ensemble=False)``), then one SVM refitted on all rows: four fits, all cheap. When a class has
fewer than 2 rows, it falls back to a softmax of the decision values (uncalibrated).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from automl.learners._base import (
    DataSize,
    FitData,
    Learner,
    LearnerInfo,
    Task,
)
from automl.learners._spaces import log_range
from search_spaces import SearchSpace, choice, uniform

__all__ = [
    "SGD",
    "CalibratedLinearSVC",
    "ElasticNet",
    "LassoLars",
    "LinearSVM",
    "LogisticRegression",
]


def _passes(size: DataSize, passes: float) -> float:
    """Work of ``passes`` sweeps over a sparse-ish matrix, one per class beyond binary."""
    return passes * size.n_rows * size.n_features * size.trees_per_round


def _scaled_target(regressor: Any) -> Any:
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


class LogisticRegression(Learner):
    """L2-regularised logistic regression (lbfgs).

    Search space: ``C`` 1/32-32768 (log; FLAML's lrl2 range), ``class_weight``
    None/balanced. Portfolio: C = 1 (AutoGluon's and FLAML's default), then 0.1 and 10.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="LogisticRegression",
        tasks=("classification",),
        input_kind="one_hot_scaled",
        package="sklearn",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "classification": tuple({"C": c, "class_weight": None} for c in (1.0, 0.1, 10.0))
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace(
            {"C": log_range(1 / 32, 32768.0), "class_weight": choice(None, "balanced")}
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        # lbfgs needs more iterations as regularisation weakens.
        return _passes(size, 30 + 10 * math.log10(1 + params["C"])) * 1.2

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import linear_model

        return linear_model.LogisticRegression(**params, max_iter=1000, random_state=seed)


class SGD(Learner):
    """Linear models trained by stochastic gradient descent.

    Classification losses give probabilities (log_loss, modified_huber); regression uses
    squared_error, huber or epsilon_insensitive on the standardized target. Search space:
    ``loss``, ``penalty`` l2/elasticnet, ``alpha`` 1e-6-0.1 (log), ``l1_ratio`` 0-1 (used by
    elasticnet). Portfolio: scikit-learn's defaults (alpha 1e-4) with each loss, then an
    elastic net; no peer ships one.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="SGD",
        tasks=("classification", "regression"),
        input_kind="one_hot_scaled",
        package="sklearn",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "classification": (
            {"loss": "log_loss", "penalty": "l2", "alpha": 0.0001, "l1_ratio": 0.15},
            {"loss": "modified_huber", "penalty": "l2", "alpha": 0.0001, "l1_ratio": 0.15},
            {"loss": "log_loss", "penalty": "elasticnet", "alpha": 0.001, "l1_ratio": 0.15},
        ),
        "regression": (
            {"loss": "squared_error", "penalty": "l2", "alpha": 0.0001, "l1_ratio": 0.15},
            {"loss": "huber", "penalty": "l2", "alpha": 0.0001, "l1_ratio": 0.15},
            {"loss": "squared_error", "penalty": "elasticnet", "alpha": 0.001, "l1_ratio": 0.15},
        ),
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        losses = (
            ("log_loss", "modified_huber")
            if task == "classification"
            else ("squared_error", "huber", "epsilon_insensitive")
        )
        return SearchSpace(
            {
                "loss": choice(*losses),
                "penalty": choice("l2", "elasticnet"),
                "alpha": log_range(1e-6, 0.1),
                "l1_ratio": uniform(0.0, 1.0),
            }
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        return _passes(size, 15.0) * 3.0 * (2.0 if size.n_classes else 0.7)

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import linear_model

        if task == "classification":
            return linear_model.SGDClassifier(**params, random_state=seed, n_jobs=n_jobs)
        return _scaled_target(linear_model.SGDRegressor(**params, random_state=seed))


class CalibratedLinearSVC:
    """A linear SVM with Platt-scaled probabilities; see the module docstring.

    Args:
        C: Inverse regularisation strength.
        class_weight: None or ``"balanced"``.
        random_state: Seed for liblinear and the calibration folds.

    Attributes:
        classes_: Sorted class labels.
        model_: The fitted ``CalibratedClassifierCV``, or the plain ``LinearSVC`` fallback.
    """

    def __init__(self, C: float = 1.0, class_weight: str | None = None, random_state: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any | None = None) -> CalibratedLinearSVC:
        """Fit the SVM and its calibration."""
        import numpy as np
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import StratifiedKFold
        from sklearn.svm import LinearSVC

        y = np.asarray(y)
        self.classes_, counts = np.unique(y, return_counts=True)
        svc = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
        folds = int(min(3, counts.min()))
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        if folds >= 2:
            cv = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            calibrated = CalibratedClassifierCV(svc, method="sigmoid", cv=cv, ensemble=False)
            self.model_ = calibrated.fit(X, y, **kwargs)
            self.calibrated_ = True
        else:
            self.model_ = svc.fit(X, y, **kwargs)
            self.calibrated_ = False
        return self

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, columns in ``classes_`` order."""
        import numpy as np

        if self.calibrated_:
            return np.asarray(self.model_.predict_proba(X), dtype=np.float64)
        scores = np.asarray(self.model_.decision_function(X), dtype=np.float64)
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores]) / 2.0
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> Any:
        """The most probable class."""
        import numpy as np

        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class LinearSVM(Learner):
    """Linear support vector classifier with calibrated probabilities (see the module doc).

    Search space: ``C`` 1/32-1024 (log), ``class_weight`` None/balanced. Portfolio: C = 1
    (liblinear's default), 0.1, 10; no peer ships one.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="LinearSVM",
        tasks=("classification",),
        input_kind="one_hot_scaled",
        package="sklearn",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "classification": tuple({"C": c, "class_weight": None} for c in (1.0, 0.1, 10.0))
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace(
            {"C": log_range(1 / 32, 1024.0), "class_weight": choice(None, "balanced")}
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        # Three calibration fits on 2/3 of the rows and one on all rows.
        return _passes(size, 20 + 10 * math.log10(1 + params["C"])) * 4.5

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        return CalibratedLinearSVC(**params, random_state=seed)


class ElasticNet(Learner):
    """Elastic net regression (coordinate descent) on the standardized target.

    Search space: ``alpha`` 1e-5-10 (log), ``l1_ratio`` 0-1. Portfolio: light penalties
    (the target is standardized, so scikit-learn's alpha 1 would predict the mean); no peer
    ships one.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="ElasticNet",
        tasks=("regression",),
        input_kind="one_hot_scaled",
        package="sklearn",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "regression": (
            {"alpha": 0.001, "l1_ratio": 0.5},
            {"alpha": 0.01, "l1_ratio": 0.5},
            {"alpha": 0.0001, "l1_ratio": 0.1},
            {"alpha": 0.1, "l1_ratio": 0.9},
        )
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace({"alpha": log_range(1e-5, 10.0), "l1_ratio": uniform(0.0, 1.0)})

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        return _passes(size, 20 - 3 * math.log10(params["alpha"])) * 0.6

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import linear_model

        return _scaled_target(linear_model.ElasticNet(**params, max_iter=10_000, random_state=seed))


class LassoLars(Learner):
    """Lasso fitted by least-angle regression, on the standardized target.

    LARS needs a dense matrix: sparse input is densified for fitting. Sample weights are not
    supported (scikit-learn's ``LassoLars.fit`` takes none). Search space: ``alpha``
    1e-5-1 (log). Portfolio: alpha 1e-3, 1e-2, 1e-4; no peer ships one.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="LassoLars",
        tasks=("regression",),
        input_kind="one_hot_scaled",
        package="sklearn",
        supports_sample_weight=False,
    )
    portfolios: ClassVar[Mapping[str, Any]] = {
        "regression": tuple({"alpha": alpha} for alpha in (0.001, 0.01, 0.0001))
    }

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace({"alpha": log_range(1e-5, 1.0)})

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        steps = min(size.n_rows, size.n_features)
        return size.n_rows * size.n_features * (1.0 + steps) * 0.2

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        from sklearn import linear_model

        return _scaled_target(linear_model.LassoLars(**params, random_state=seed))

    def _fit(self, estimator: Any, data: FitData) -> Any:
        X = data.X.toarray() if hasattr(data.X, "toarray") else data.X
        estimator.fit(X, data.y)
        data.report(1, estimator)
        return estimator
