"""The stack ensemble's meta-learners: Azure's ``stack_meta_learner_type`` names and defaults.

scikit-learn and LightGBM are imported only when a meta-learner is built.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from automl.ensembles._models import pad_proba
from automl.metrics import compute_metrics, score_for_search

__all__ = [
    "META_LEARNERS",
    "MetricScorer",
    "SingleClass",
    "default_meta_learner",
    "fit_meta_learner",
    "make_meta_learner",
]

META_LEARNERS: Mapping[str, str] = {
    "LogisticRegression": "classification",
    "LogisticRegressionCV": "classification",
    "LightGBMClassifier": "classification",
    "ElasticNet": "regression",
    "ElasticNetCV": "regression",
    "LightGBMRegressor": "regression",
    "LinearRegression": "regression",
}
"""Azure's ``StackMetaLearnerType`` values and the task each one serves."""

# Azure sets class_weight="balanced" for these metrics (Metric.CLASSIFICATION_BALANCED_SET).
_BALANCED_METRICS = frozenset(
    {
        "balanced_accuracy",
        "AUC_macro",
        "norm_macro_recall",
        "average_precision_score_macro",
        "precision_score_macro",
        "f1_score_macro",
        "recall_score_macro",
    }
)
_CV_FOLDS = 5  # Azure's test for the CV learners: scikit-learn's default number of folds


class MetricScorer:
    """A scikit-learn scorer ``(estimator, X, y) -> float`` for the primary metric.

    The meta-learner is trained on class indices, so ``y`` and ``estimator.classes_`` are
    indices into ``range(n_classes)``. Higher is better (minimised metrics are negated).
    """

    def __init__(self, metric: str, n_classes: int, positive: int | None) -> None:
        self.metric = metric
        self.n_classes = n_classes
        self.positive = positive

    def __call__(self, estimator: Any, X: Any, y: Any) -> float:
        proba = pad_proba(estimator.predict_proba(X), estimator.classes_, self.n_classes)
        value = compute_metrics(
            "classification",
            np.asarray(y),
            y_proba=proba,
            classes=np.arange(self.n_classes),
            positive_label=self.positive,
            metrics=[self.metric],
        )[self.metric]
        return score_for_search(self.metric, value)

    def __repr__(self) -> str:
        return f"MetricScorer({self.metric!r})"


class SingleClass:
    """The meta-learner of a training set that holds a single class: always that class."""

    def __init__(self, index: int) -> None:
        self.classes_ = np.array([index])

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        return np.ones((len(X), 1))

    def predict(self, X: Any) -> NDArray[np.intp]:
        return np.full(len(X), int(self.classes_[0]), dtype=np.intp)


def default_meta_learner(task: str, y_sets: list[NDArray[Any]]) -> str:
    """Azure's choice when no type is given: the CV learner when every training set allows it.

    Classification: LogisticRegressionCV when every class of every meta training set has at
    least 5 rows, else LogisticRegression. Regression: ElasticNetCV when every training set
    has more than 5 rows, else ElasticNet.
    """
    if task == "classification":
        fits_cv = all(np.unique(y, return_counts=True)[1].min() >= _CV_FOLDS for y in y_sets)
        return "LogisticRegressionCV" if fits_cv else "LogisticRegression"
    fits_cv = all(len(y) > _CV_FOLDS for y in y_sets)
    return "ElasticNetCV" if fits_cv else "ElasticNet"


def _defaults(
    name: str, metric: str, n_classes: int, positive: int | None, seed: int
) -> dict[str, Any]:
    """Our defaults for each type (Azure's where it has them); user kwargs override them."""
    if name in ("LogisticRegression", "LogisticRegressionCV"):
        params: dict[str, Any] = {
            "max_iter": 1000,  # scikit-learn's 100 often stops short on stacked probabilities
            "class_weight": "balanced" if metric in _BALANCED_METRICS else None,
        }
        if n_classes == 2:  # few features: Newton steps beat L-BFGS by ~5x (not so multiclass)
            params["solver"] = "newton-cholesky"
        if name == "LogisticRegressionCV":
            params.update(
                scoring=MetricScorer(metric, n_classes, positive),  # Azure: the primary metric
                refit=True,
                l1_ratios=(0.0,),
                use_legacy_attributes=False,
            )
        return params
    if name in ("LightGBMClassifier", "LightGBMRegressor"):
        return {"min_child_samples": 10, "random_state": seed, "n_jobs": 1, "verbose": -1}
    if name == "ElasticNetCV":
        return {"l1_ratio": [0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0], "random_state": seed}
    if name == "ElasticNet":
        return {"random_state": seed}
    return {}


def _estimator_class(name: str) -> type[Any]:
    if name.startswith("LightGBM"):
        import lightgbm

        return lightgbm.LGBMClassifier if name == "LightGBMClassifier" else lightgbm.LGBMRegressor
    from sklearn import linear_model

    cls: type[Any] = getattr(linear_model, name)
    return cls


def make_meta_learner(
    name: str,
    kwargs: Mapping[str, Any],
    *,
    metric: str,
    n_classes: int,
    positive: int | None,
    seed: int,
) -> tuple[Any, dict[str, Any]]:
    """A new, unfitted meta-learner and the keyword arguments it was built with.

    Our defaults that the installed library version does not know are left out; the
    user's ``kwargs`` are passed as given (an unknown one fails in the library).
    """
    cls = _estimator_class(name)
    known = inspect.signature(cls).parameters
    params = {
        key: value
        for key, value in _defaults(name, metric, n_classes, positive, seed).items()
        if key in known
    }
    params.update(kwargs)
    try:
        return cls(**params), params
    except TypeError as error:
        raise ValueError(
            f"`meta_learner_kwargs` do not fit {name} ({cls.__name__}): {error}"
        ) from None


def fit_meta_learner(
    estimator: Any, X: NDArray[np.float64], y: NDArray[Any], weight: NDArray[np.float64] | None
) -> Any:
    """Fit ``estimator`` (a copy: it may be reused), with the weights when it takes them."""
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    if estimator_is_classifier(estimator) and np.unique(y).size == 1:
        return SingleClass(int(y[0]))
    fresh = clone(estimator)
    takes_weight = "sample_weight" in inspect.signature(fresh.fit).parameters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if weight is not None and takes_weight:
            return fresh.fit(X, y, sample_weight=weight)
        return fresh.fit(X, y)


def estimator_is_classifier(estimator: Any) -> bool:
    return callable(getattr(estimator, "predict_proba", None))
