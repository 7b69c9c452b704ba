"""Greedy ensemble selection with replacement: the VotingEnsemble's weights and score."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from numpy.typing import ArrayLike, NDArray

from automl.ensembles import (
    ChildPredictions,
    EnsembleData,
    VotingSettings,
    is_better,
    select_voting,
)
from automl.metrics import compute_metrics
from tests.automl.ensembles._cases import child, complementary_binary, noisy_multiclass


def _build(
    children: list[ChildPredictions], y: ArrayLike, metric: str = "accuracy", **kwargs: Any
) -> EnsembleData:
    task = kwargs.pop("task", "classification")
    if task == "classification":
        kwargs.setdefault("classes", [0, 1])
    return EnsembleData.build(children, y, task=task, metric=metric, **kwargs)


def test_complementary_children_are_both_picked() -> None:
    children, y = complementary_binary()
    result = select_voting(_build(children, y))
    assert result.child_scores == (0.75, 0.75)
    assert result.weights == (0.5, 0.5)
    assert result.score == 1.0
    assert result.members == (0, 1)


def test_a_dominant_child_gets_all_the_weight() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    best = np.where(y == 1, 0.95, 0.05)
    weak = [np.clip(best + rng.normal(0, 0.6, 200), 0, 1) for _ in range(3)]
    children = [
        child("weak0", weak[0]),
        child("best", best),
        *(child(f"w{i}", w) for i, w in enumerate(weak[1:])),
    ]
    result = select_voting(_build(children, y, metric="log_loss"))
    assert result.weights == (0.0, 1.0, 0.0, 0.0)
    assert result.best_size == 1
    assert result.score == pytest.approx(result.child_scores[1])


def test_selection_is_with_replacement() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=2000)
    precise = y + rng.normal(0, 1.0, y.size)  # the best mix is 0.8 precise, 0.2 noisy
    noisy = y + rng.normal(0, 2.0, y.size)
    data = _build(
        [child("noisy", noisy), child("precise", precise)],
        y,
        metric="root_mean_squared_error",
        task="regression",
    )
    result = select_voting(data, VotingSettings(ensemble_size=15))
    assert result.weights[1] > 0.5 > result.weights[0] > 0
    assert result.picks.count(1) > 1
    assert math.isclose(sum(result.weights), 1.0)
    assert result.weights[1] * result.best_size == pytest.approx(
        round(result.weights[1] * result.best_size)
    )
    assert result.score < min(result.child_scores)


def test_deterministic_and_ties_go_to_the_first_child() -> None:
    children, y = noisy_multiclass(8, 300, 3, seed=1)
    data = _build(children, y, classes=[0, 1, 2])
    assert select_voting(data) == select_voting(data)
    twin = [child("first", children[0].oof), child("twin", children[0].oof)]
    result = select_voting(_build(twin, y, classes=[0, 1, 2]))
    assert result.weights == (1.0, 0.0)


def test_trajectory_keeps_the_best_prefix() -> None:
    children, y = noisy_multiclass(10, 400, 4, seed=2)
    settings = VotingSettings(ensemble_size=12, n_init=3)
    result = select_voting(_build(children, y, classes=range(4), metric="log_loss"), settings)
    assert len(result.trajectory) == settings.ensemble_size - result.n_init + 1
    assert len(result.picks) == settings.ensemble_size
    assert 1 <= result.n_init <= 3
    assert result.score == pytest.approx(min(result.trajectory))
    kept = result.best_size - result.n_init
    assert result.trajectory[kept] == pytest.approx(min(result.trajectory))


@pytest.mark.parametrize(
    ("metric", "task"),
    [
        ("accuracy", "classification"),
        ("AUC_weighted", "classification"),
        ("log_loss", "classification"),
        ("r2_score", "regression"),
        ("normalized_root_mean_squared_error", "regression"),
    ],
)
def test_every_metric_kind(metric: str, task: str) -> None:
    rng = np.random.default_rng(5)
    y: NDArray[Any]
    if task == "classification":
        children, y = noisy_multiclass(6, 500, 3, seed=5)
        data = _build(children, y, metric=metric, classes=[0, 1, 2])
    else:
        y = rng.normal(size=500)
        children = [child(f"r{j}", y + rng.normal(0, 0.5 + j / 4, y.size)) for j in range(6)]
        data = _build(children, y, metric=metric, task=task, y_range=(-4.0, 4.0))
    result = select_voting(data)
    best = result.child_scores[result.best_child]
    assert is_better(metric, result.score, best)
    # The reported score is compute_metrics' value for the weighted average.
    average = sum(
        w * np.asarray(c.oof, dtype=float) for w, c in zip(result.weights, children, strict=True)
    )
    if task == "classification":
        expected = compute_metrics(task, y, y_proba=average, classes=[0, 1, 2], metrics=[metric])
    else:
        expected = compute_metrics(task, y, average, y_range=(-4.0, 4.0), metrics=[metric])
    assert result.score == pytest.approx(expected[metric], rel=1e-9)


def test_sample_weight_changes_the_choice() -> None:
    y = np.tile([0, 1], 50)
    rows = np.arange(100)
    right = np.where(y == 1, 0.6, 0.4)
    wrong = np.where(y == 1, 0.0, 1.0)  # sure and wrong: averaging never helps here
    a = np.where(rows < 60, right, wrong)  # right on 60 rows
    b = np.where(rows >= 60, right, wrong)  # right on the other 40
    children = [child("a", a), child("b", b)]
    assert select_voting(_build(children, y)).weights == (1.0, 0.0)
    heavy_b = np.where(rows >= 60, 5.0, 1.0)
    result = select_voting(_build(children, y, sample_weight=heavy_b))
    assert result.weights == (0.0, 1.0)
    assert result.score == pytest.approx(200 / 260)


def test_missing_classes_are_padded() -> None:
    rng = np.random.default_rng(7)
    y = np.array(["a", "b"] * 30)  # class "c" never occurs in these rows
    full = rng.dirichlet([1, 1, 1], size=60)
    partial = np.column_stack([np.where(y == "a", 0.8, 0.2), np.where(y == "a", 0.2, 0.8)])
    children = [child("full", full), child("ab", partial, classes=["a", "b"])]
    for metric in ("AUC_weighted", "log_loss", "accuracy"):
        data = _build(children, y, metric=metric, classes=["a", "b", "c"])
        assert data.predictions[1][2].tolist() == [0.0] * 60  # the padded column
        result = select_voting(data)
        assert math.isfinite(result.score)
        assert result.weights[1] > 0


def test_folds_score_the_mean_of_the_folds() -> None:
    children, y = noisy_multiclass(4, 300, 3, seed=9)
    folds = np.repeat([2, 0, 1], 100)
    data = _build(children, y, metric="AUC_macro", classes=[0, 1, 2], folds=folds)
    result = select_voting(data)
    parts = [w * np.asarray(c.oof) for w, c in zip(result.weights, children, strict=True)]
    average = np.sum(parts, axis=0)
    per_fold = [
        compute_metrics(
            "classification",
            y[folds == f],
            y_proba=average[folds == f],
            classes=[0, 1, 2],
            metrics=["AUC_macro"],
        )["AUC_macro"]
        for f in range(3)
    ]
    assert result.score == pytest.approx(np.mean(per_fold))


def test_bagging_is_seeded() -> None:
    children, y = noisy_multiclass(10, 300, 3, seed=4)
    data = _build(children, y, classes=[0, 1, 2])
    settings = VotingSettings(n_bags=5, bag_fraction=0.5)
    first = select_voting(data, settings, seed=1)
    assert first == select_voting(data, settings, seed=1)
    assert math.isclose(sum(first.weights), 1.0)
    assert len(first.members) > 1


def test_max_candidates_limits_the_library() -> None:
    children, y = noisy_multiclass(10, 300, 3, seed=4)
    result = select_voting(_build(children, y, classes=[0, 1, 2]), VotingSettings(max_candidates=2))
    ranked = sorted(range(10), key=lambda j: (-result.child_scores[j], j))
    assert set(result.members) <= set(ranked[:2])


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("ensemble_size", 0, "`ensemble_size` must be an integer >= 1, got 0"),
        ("n_init", 2.5, "`n_init` must be an integer >= 1"),
        ("init_tolerance", -0.1, "`init_tolerance` must be a number >= 0"),
        ("bag_fraction", 0.0, r"`bag_fraction` must be in \(0, 1\]"),
        ("n_bags", True, "`n_bags` must be an integer >= 1, got True"),
    ],
)
def test_settings_are_checked(field: str, value: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        VotingSettings(**{field: value})  # type: ignore[arg-type]
