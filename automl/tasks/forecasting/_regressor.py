"""``ZooRegressor``: a learner of the model zoo as the regressor of a global forecaster.

:class:`forecasting.models.GlobalRegressionForecaster` takes any object with ``fit(X, y)``
and ``predict(X)``; this one builds the learner's estimator (``Learner.build``) and fits it
the learner's way (``Learner.fit``), so the zoo's search spaces, portfolios and defaults apply
as they are. Two adaptations for lag features:

- Learners that want scaled input (``input_kind == "one_hot_scaled"``: linear models, SVM,
  KNN, the MLP) get the features standardised (mean 0, variance 1, learnt on the training
  rows); the others see them as they are.
- Learners that stop early on a validation set (boosters) hold out a seeded random
  :data:`VALIDATION_FRACTION` of the training rows for it when there are at least
  :data:`MIN_ROWS_FOR_EARLY_STOPPING`; with fewer rows their iterations are capped at
  the count their cost model assumes under early stopping.

It pickles (a fitted global forecaster is saved with joblib) and deep-copies unfitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MIN_ROWS_FOR_EARLY_STOPPING", "VALIDATION_FRACTION", "ZooRegressor"]

VALIDATION_FRACTION = 0.1
"""Share of the training rows a booster holds out to stop early on."""
MIN_ROWS_FOR_EARLY_STOPPING = 200
"""Fewest training rows for early stopping; below, iterations are capped instead."""


class ZooRegressor:
    """The zoo learner ``learner`` with ``hyperparameters``, as a scikit-learn-style regressor.

    Args:
        learner: The learner's Azure name (``"LightGBM"``).
        hyperparameters: Its parameters (missing ones take its defaults).
        seed: Seed of the estimator and of the early-stopping split.
        n_jobs: Threads of the estimator.

    Example:
        >>> model = ZooRegressor("ElasticNet", {"alpha": 1e-05, "l1_ratio": 0.5})
        >>> X = np.arange(40, dtype=float).reshape(20, 2)
        >>> model.fit(X, X.sum(axis=1)).predict(X[:2]).round(1).tolist()
        [1.0, 5.0]
    """

    def __init__(
        self, learner: str, hyperparameters: Mapping[str, Any], *, seed: int = 0, n_jobs: int = 1
    ) -> None:
        self.learner = learner
        self.hyperparameters = dict(hyperparameters)
        self.seed = seed
        self.n_jobs = n_jobs
        self.model_: Any = None
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"ZooRegressor({self.learner!r}, {self.hyperparameters!r})"

    def fit(self, X: Any, y: Any) -> ZooRegressor:
        """Build the learner's estimator and fit it on ``X`` (2-D numbers) and ``y``."""
        from automl.learners import get_learner

        learner = get_learner(self.learner)
        features = np.asarray(X, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64)
        if learner.info.input_kind == "one_hot_scaled":
            self.mean_ = features.mean(axis=0)
            spread = features.std(axis=0)
            self.scale_ = np.where(spread > 0, spread, 1.0)
            features = (features - self.mean_) / self.scale_
        params = dict(self.hyperparameters)
        eval_set = None
        if learner.info.early_stopping and len(target) >= MIN_ROWS_FOR_EARLY_STOPPING:
            order = np.random.default_rng(self.seed).permutation(len(target))
            n_valid = max(1, round(VALIDATION_FRACTION * len(target)))
            valid, train = order[:n_valid], order[n_valid:]
            eval_set = (features[valid], target[valid])
            features, target = features[train], target[train]
        elif learner.info.early_stopping:
            params = _capped_iterations(learner.info.iterations_param, learner, params)
        estimator = learner.build(params, "regression", seed=self.seed, n_jobs=self.n_jobs)
        self.model_ = learner.fit(estimator, features, target, eval_set=eval_set)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predictions for ``X`` (the features of :meth:`fit`'s columns)."""
        if self.model_ is None:
            raise RuntimeError(f"{self!r} is not fitted: call fit(X, y) first")
        features = np.asarray(X, dtype=np.float64)
        if self.mean_ is not None and self.scale_ is not None:
            features = (features - self.mean_) / self.scale_
        return np.asarray(self.model_.predict(features), dtype=np.float64).reshape(-1)


def _capped_iterations(param: str | None, learner: Any, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with the iterations capped at ``20 / learning_rate + 150`` (what the cost
    models assume a booster uses under early stopping)."""
    if param is None:
        return params
    full = learner.default_params("regression")
    full.update(params)
    rate = full.get("learning_rate")
    if isinstance(rate, (int, float)) and rate > 0 and param in full:
        full[param] = int(min(int(full[param]), round(20.0 / rate + 150)))
        params = {**params, param: full[param]}
    return params
