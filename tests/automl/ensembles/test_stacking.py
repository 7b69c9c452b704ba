"""The StackEnsemble: members, meta-learners, and an out-of-fold score that stays honest."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from automl.ensembles import (
    ChildPredictions,
    EnsembleData,
    StackEnsembleModel,
    StackSettings,
    build_ensembles,
    fit_stack,
)
from automl.metrics import compute_metrics
from tests.automl.ensembles._cases import RowModel, child


def _complementary(n: int = 600, seed: int = 0) -> tuple[list[ChildPredictions], NDArray[np.int_]]:
    """Three children that each see one of three independent signals; one is inverted."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 3))
    y = (z.sum(axis=1) > 0).astype(int)
    sigmoid = 1 / (1 + np.exp(-2 * z))
    children = [
        child("a", sigmoid[:, 0], "LightGBM"),
        child("b", 1 - sigmoid[:, 1], "XGBoost"),  # systematically inverted: averaging hurts
        child("c", sigmoid[:, 2], "RandomForest"),
    ]
    return children, y


def test_stacking_beats_the_best_child_on_complementary_errors() -> None:
    children, y = _complementary()
    voting, stack = build_ensembles(
        children,
        y,
        task="classification",
        metric="AUC_weighted",
        classes=[0, 1],
        seed=0,
        enable_stack=True,
    )
    assert stack.kind == "StackEnsemble"
    assert stack.meta_learner_type == "LogisticRegressionCV"
    assert stack.beats_best_child
    assert stack.oof_score > stack.best_child_score + 0.1
    assert stack.oof_score > voting.oof_score
    assert set(stack.member_run_ids) == {"a", "b", "c"}


def test_pure_noise_children_do_not_look_better_than_they_are() -> None:
    rng = np.random.default_rng(11)
    n, n_children = 300, 20
    y = rng.integers(0, 2, n)
    children = [child(f"noise{j}", rng.uniform(size=n), f"A{j}") for j in range(n_children)]
    data = EnsembleData.build(
        children, y, task="classification", metric="AUC_weighted", classes=[0, 1]
    )
    for meta in (None, "LogisticRegression"):
        kwargs = {"C": 1e4} if meta else {}
        settings = StackSettings(
            n_members=n_children, meta_learner_type=meta, meta_learner_kwargs=kwargs
        )
        result = fit_stack(data, settings, seed=0)
        assert abs(result.score - 0.5) < 0.1, meta
    # The same meta-learner scored on the rows it was trained on would look much better:
    # this is what the out-of-fold score guards against.
    members = [RowModel(children[j].oof) for j in result.members]  # the meta-learner's order
    model = StackEnsembleModel(members, result.meta_learner, classes=[0, 1])
    in_sample = compute_metrics(
        "classification", y, y_proba=model.predict_proba(np.arange(n)), metrics=["AUC_weighted"]
    )["AUC_weighted"]
    assert in_sample > 0.6 > result.score + 0.05


def test_regression_stack_rescales_its_members() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=400)
    children = [
        child("half", 0.5 * y + rng.normal(0, 0.1, 400), "ElasticNet"),
        child("shifted", y + 3 + rng.normal(0, 0.3, 400), "LightGBM"),
    ]
    [stack] = build_ensembles(
        children, y, task="regression", metric="r2_score", enable_voting=False, enable_stack=True
    )
    assert stack.meta_learner_type == "ElasticNetCV"
    assert stack.beats_best_child
    assert stack.oof_score > 0.9


def test_members_prefer_distinct_algorithms() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    algorithms = ["LightGBM", "LightGBM", "XGBoost", "LightGBM", "RandomForest"]
    noise = [0.1, 0.2, 0.3, 0.4, 0.5]
    children = [
        child(f"r{j}", np.clip(y + rng.normal(0, noise[j] * 3, 200), 0, 1), algorithm)
        for j, algorithm in enumerate(algorithms)
    ]
    data = EnsembleData.build(children, y, task="classification", metric="log_loss", classes=[0, 1])
    ranked = sorted(range(5), key=lambda j: data.score(data.predictions[j]))
    result = fit_stack(data, StackSettings(n_members=3))
    distinct: list[int] = []
    for j in ranked:
        if children[j].algorithm not in {children[i].algorithm for i in distinct}:
            distinct.append(j)
    assert set(result.members) == set(distinct[:3])
    assert result.members[0] == ranked[0]


def test_azures_default_falls_back_without_enough_rows_per_class() -> None:
    y = np.array([0] * 20 + [1] * 4)
    children = [child("a", np.linspace(0, 1, 24)), child("b", np.linspace(1, 0, 24), "X")]
    data = EnsembleData.build(children, y, task="classification", metric="accuracy", classes=[0, 1])
    assert fit_stack(data).meta_learner_type == "LogisticRegression"


def test_train_percentage_scores_the_other_rows() -> None:
    children, y = _complementary(n=500)
    data = EnsembleData.build(children, y, task="classification", metric="accuracy", classes=[0, 1])
    result = fit_stack(data, StackSettings(meta_validation="train_percentage"), seed=3)
    assert result.n_scored_rows == 400
    assert result.score > result.baseline_score


def test_child_folds_are_left_out_one_at_a_time() -> None:
    children, y = _complementary(n=300)
    folds = np.arange(300) % 3
    data = EnsembleData.build(
        children, y, task="classification", metric="log_loss", classes=[0, 1], folds=folds
    )
    result = fit_stack(data, StackSettings(meta_learner_type="LightGBMClassifier"))
    assert result.n_scored_rows == 300
    assert result.score < result.baseline_score  # log_loss: lower is better


def test_a_class_missing_from_the_rows_still_gets_a_column() -> None:
    rng = np.random.default_rng(4)
    y = rng.choice(["a", "b"], size=120)
    proba = [rng.dirichlet([1, 1, 1], size=120) for _ in range(2)]
    children = [child("p", proba[0]), child("q", proba[1], "X")]
    [stack] = build_ensembles(
        children,
        y,
        task="classification",
        metric="log_loss",
        classes=["a", "b", "c"],
        enable_voting=False,
        enable_stack=True,
        stack=StackSettings(meta_learner_type="LogisticRegression"),
    )
    members = {"p": RowModel(proba[0]), "q": RowModel(proba[1])}
    out = stack.build_model(members).predict_proba(np.arange(5))
    assert out.shape == (5, 3)
    assert np.allclose(out.sum(axis=1), 1.0)
    assert math.isfinite(stack.oof_score)


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"meta_learner_type": "LogisticRegresion"}, "did you mean 'LogisticRegression'"),
        ({"n_members": 0}, "`n_members` must be an integer >= 1"),
        ({"meta_validation": "holdout"}, "`meta_validation` must be 'cv' or 'train_percentage'"),
        ({"train_percentage": 1.0}, r"`train_percentage` must be in \(0, 1\)"),
    ],
)
def test_settings_are_checked(settings: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        StackSettings(**settings)  # type: ignore[arg-type]


def test_meta_learner_of_the_other_task_is_refused() -> None:
    children, y = _complementary(n=60)
    data = EnsembleData.build(children, y, task="classification", metric="accuracy", classes=[0, 1])
    with pytest.raises(ValueError, match="`meta_learner_type` must be one of LogisticRegression"):
        fit_stack(data, StackSettings(meta_learner_type="ElasticNet"))
    with pytest.raises(ValueError, match="`meta_learner_kwargs` do not fit LogisticRegression"):
        fit_stack(
            data,
            StackSettings(meta_learner_type="LogisticRegression", meta_learner_kwargs={"bogus": 1}),
        )
