"""VotingEnsembleModel and StackEnsembleModel: predictions, class alignment, pickling."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from automl.ensembles import (
    ChildPredictions,
    StackEnsembleModel,
    VotingEnsembleModel,
    build_ensembles,
)
from tests.automl.ensembles._cases import RowModel


def test_voting_averages_with_weights_and_aligns_classes() -> None:
    a = RowModel([[0.6, 0.3, 0.1]], classes=["x", "y", "z"])
    b = RowModel([[0.2, 0.8]], classes=["z", "x"])  # other order, no "y"
    model = VotingEnsembleModel([a, b], [3, 1], classes=["x", "y", "z"])
    expected = 0.75 * np.array([0.6, 0.3, 0.1]) + 0.25 * np.array([0.8, 0.0, 0.2])
    assert np.allclose(model.predict_proba([0]), expected)
    assert model.predict([0]).tolist() == ["x"]
    assert model.classes_.tolist() == ["x", "y", "z"]
    assert model.weights == (0.75, 0.25)


def test_voting_regression_is_the_weighted_mean() -> None:
    model = VotingEnsembleModel(
        [RowModel([1.0, 2.0]), RowModel([3.0, 6.0])], [1, 1], task="regression"
    )
    assert model.predict([0, 1]).tolist() == [2.0, 4.0]
    with pytest.raises(AttributeError, match="no `classes_`"):
        _ = model.classes_


def _fitted_classification() -> tuple[
    NDArray[np.float64], NDArray[np.int_], list[ChildPredictions], dict[str, Any]
]:
    X, y = make_classification(
        n_samples=300, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    learners = {
        "lr": LogisticRegression(max_iter=500),
        "tree": DecisionTreeClassifier(max_depth=4, random_state=0),
        "nb": GaussianNB(),
    }
    children = [
        ChildPredictions(
            name,
            type(est).__name__,
            float("nan"),
            cross_val_predict(est, X, y, cv=3, method="predict_proba"),
        )
        for name, est in learners.items()
    ]
    fitted = {name: est.fit(X, y) for name, est in learners.items()}
    return X, y, children, fitted


def test_candidates_assemble_into_picklable_models() -> None:
    X, y, children, fitted = _fitted_classification()
    candidates = build_ensembles(
        children,
        y,
        task="classification",
        metric="log_loss",
        classes=[0, 1, 2],
        enable_stack=True,
        seed=0,
    )
    assert [c.kind for c in candidates] == ["VotingEnsemble", "StackEnsemble"]
    for candidate in candidates:
        model = candidate.build_model(fitted)
        proba = model.predict_proba(X[:20])
        assert proba.shape == (20, 3)
        assert np.allclose(proba.sum(axis=1), 1.0)
        assert set(model.predict(X[:20]).tolist()) <= {0, 1, 2}
        clone = pickle.loads(pickle.dumps(model))
        assert np.array_equal(clone.predict_proba(X[:20]), proba)
        assert isinstance(model, VotingEnsembleModel | StackEnsembleModel)


def test_regression_stack_model_pickles() -> None:
    X, y = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=1)
    learners = {"ridge": Ridge(), "tree": DecisionTreeRegressor(max_depth=5, random_state=0)}
    children = [
        ChildPredictions(name, name, float("nan"), cross_val_predict(est, X, y, cv=3))
        for name, est in learners.items()
    ]
    fitted = {name: est.fit(X, y) for name, est in learners.items()}
    voting, stack = build_ensembles(
        children, y, task="regression", metric="r2_score", enable_stack=True
    )
    for candidate in (voting, stack):
        model = candidate.build_model(fitted)
        clone = pickle.loads(pickle.dumps(model))
        assert np.allclose(clone.predict(X[:10]), model.predict(X[:10]))
        assert model.predict(X[:10]).shape == (10,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"members": [], "weights": []}, "`members` must be a non-empty sequence"),
        ({"members": [object()], "weights": [1]}, r"`members\[0\]` must have a `predict_proba`"),
        ({"members": [RowModel([[1, 0]])], "weights": [1, 2]}, "one weight per member"),
        ({"members": [RowModel([[1, 0]])], "weights": [-1]}, "`weights` must be finite, >= 0"),
        ({"members": [RowModel([[1, 0]])], "weights": [1], "classes": None}, "`classes` is req"),
        ({"members": [RowModel([[1, 0]])], "weights": [1], "task": "ranking"}, "`task` must be"),
    ],
)
def test_voting_model_errors(kwargs: dict[str, object], match: str) -> None:
    kwargs.setdefault("classes", [0, 1])
    with pytest.raises(ValueError, match=match):
        VotingEnsembleModel(**kwargs)  # type: ignore[arg-type]


def test_member_predicting_an_unknown_class_is_an_error() -> None:
    model = VotingEnsembleModel([RowModel([[0.5, 0.5]], classes=[0, 7])], [1], classes=[0, 1])
    with pytest.raises(ValueError, match=r"predicts classes \[7\] that are not in `classes`"):
        model.predict_proba([0])


def test_stack_model_needs_a_probabilistic_meta_learner() -> None:
    with pytest.raises(ValueError, match="`meta_learner` must have a `predict_proba` method"):
        StackEnsembleModel([RowModel([[1, 0]])], Ridge(), classes=[0, 1])
