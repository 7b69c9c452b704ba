"""make_folds and split_test: stratification, rare classes, groups, user columns, seeds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automl._validation import (
    FoldSet,
    ValidationPlan,
    choose_validation,
    make_folds,
    split_test,
)


def _cv(k: int) -> ValidationPlan:
    return ValidationPlan("cv", k, None, "test")


def _holdout(fraction: float, repeats: int = 1) -> ValidationPlan:
    kind = "holdout" if repeats == 1 else "monte_carlo"
    return ValidationPlan(kind, repeats, fraction, "test")


def _check_partition(folds: FoldSet, n_rows: int) -> None:
    for fold in folds:
        assert fold.train.dtype == np.int32 and fold.valid.dtype == np.int32
        assert not fold.train.flags.writeable and not fold.valid.flags.writeable
        assert np.all(np.diff(fold.train) > 0) and np.all(np.diff(fold.valid) > 0)
        assert fold.valid.size > 0 and fold.train.size > 0
        assert np.intersect1d(fold.train, fold.valid).size == 0
        assert fold.train.size + fold.valid.size == n_rows


def test_stratified_folds_keep_class_proportions() -> None:
    y = np.array(["a"] * 600 + ["b"] * 300 + ["c"] * 90 + ["d"] * 10)
    folds = make_folds(_cv(10), y, task="classification", seed=0)
    _check_partition(folds, y.size)
    assert folds.notices == ()
    for fold in folds:
        labels, counts = np.unique(y[fold.valid], return_counts=True)
        assert dict(zip(labels.tolist(), counts.tolist(), strict=True)) == {
            "a": 60, "b": 30, "c": 9, "d": 1,
        }  # fmt: skip
    everything = np.sort(np.concatenate([fold.valid for fold in folds]))
    assert np.array_equal(everything, np.arange(y.size))  # each row validated exactly once


def test_uneven_classes_differ_by_at_most_one_row_per_fold() -> None:
    rng = np.random.default_rng(3)
    y = rng.choice(["x", "y", "z"], size=1_234, p=[0.7, 0.2, 0.1])
    folds = make_folds(_cv(3), y, task="classification", seed=7)
    _check_partition(folds, y.size)
    for label in ("x", "y", "z"):
        per_fold = [int(np.sum(y[fold.valid] == label)) for fold in folds]
        assert max(per_fold) - min(per_fold) <= 1
    sizes = [fold.valid.size for fold in folds]
    assert max(sizes) - min(sizes) <= 1


def test_rare_classes_with_ten_folds_never_crash_and_are_reported() -> None:
    y = np.array(["common"] * 97 + ["pair"] * 2 + ["single"])
    folds = make_folds(_cv(10), y, task="classification", seed=1)
    assert len(folds) == 10
    _check_partition(folds, y.size)
    single = int(np.flatnonzero(y == "single")[0])
    assert all(single in fold.train for fold in folds)
    pair_rows = np.flatnonzero(y == "pair")
    folds_validating_pair = [fold for fold in folds if np.isin(pair_rows, fold.valid).any()]
    assert len(folds_validating_pair) == 2
    for fold in folds_validating_pair:  # one row validated, the other trains
        assert np.isin(pair_rows, fold.valid).sum() == 1
    assert folds.notices == (
        "1 class(es) with a single row ('single') are kept for training only and never validated.",
        "1 class(es) have fewer rows than the 10 folds ('pair': 2 rows): each of their rows is "
        "validated in a different fold; in the other folds they are only in the training part.",
    )


def test_too_few_validatable_rows_use_fewer_folds() -> None:
    y = np.array(["a", "a", "a", "b", "c"])
    folds = make_folds(_cv(5), y, task="classification", seed=0)
    assert len(folds) == 3
    _check_partition(folds, y.size)
    assert any("3 folds are used instead of 5" in notice for notice in folds.notices)


def test_every_class_a_single_row_falls_back_to_plain_folds() -> None:
    y = np.array(["a", "b", "c", "d"])
    folds = make_folds(_cv(2), y, task="classification", seed=0)
    _check_partition(folds, y.size)
    assert "Every class has a single row: the folds are not stratified." in folds.notices
    holdout = make_folds(_holdout(0.5), y, task="classification", seed=0)
    assert "Every class has a single row: the holdout is not stratified." in holdout.notices
    _check_partition(holdout, y.size)


def test_folds_are_reproducible_with_the_seed() -> None:
    y = np.repeat(np.arange(4), 25)
    plans = [
        (_cv(5), "classification"),
        (_cv(5), "regression"),
        (_holdout(0.2), "classification"),
        (_holdout(0.2, 3), "regression"),
    ]
    for plan, task in plans:
        first = make_folds(plan, y, task=task, seed=42)
        again = make_folds(plan, y, task=task, seed=42)
        other = make_folds(plan, y, task=task, seed=43)
        assert [f.valid.tolist() for f in first] == [f.valid.tolist() for f in again]
        assert [f.valid.tolist() for f in first] != [f.valid.tolist() for f in other]


def test_regression_uses_shuffled_kfold() -> None:
    y = np.linspace(0.0, 1.0, 103)
    folds = make_folds(_cv(5), y, task="regression", seed=0)
    _check_partition(folds, y.size)
    assert sorted(fold.valid.size for fold in folds) == [20, 20, 21, 21, 21]
    assert not np.array_equal(folds[0].valid, np.arange(folds[0].valid.size))  # shuffled
    assert folds.notices == ()


def test_holdout_sizes_and_stratification() -> None:
    y = np.array([0] * 900 + [1] * 100)
    folds = make_folds(_holdout(0.1), y, task="classification", seed=0)
    assert len(folds) == 1
    _check_partition(folds, y.size)
    assert np.bincount(y[folds[0].valid]).tolist() == [90, 10]
    regression = make_folds(_holdout(0.25), np.zeros(30), task="regression", seed=0)
    assert regression[0].valid.size == 8  # ceil(0.25 * 30)


def test_holdout_rare_classes_are_reported() -> None:
    y = np.array(["a"] * 40 + ["b"] * 3 + ["c"])
    folds = make_folds(_holdout(0.1), y, task="classification", seed=0)
    _check_partition(folds, y.size)
    assert int(np.flatnonzero(y == "c")[0]) in folds[0].train
    assert any("('c')" in notice and "training only" in notice for notice in folds.notices)
    tiny = np.array(["a"] * 5 + ["b", "b"])
    reported = make_folds(_holdout(0.1), tiny, task="classification", seed=0)
    assert reported[0].valid.size == 1
    assert any("have no row in the 10 % validation split" in n for n in reported.notices)


def test_monte_carlo_draws_different_holdouts() -> None:
    y = np.repeat([0, 1], 50)
    folds = make_folds(_holdout(0.2, repeats=4), y, task="classification", seed=0)
    assert len(folds) == 4
    _check_partition(folds, y.size)
    assert len({tuple(fold.valid.tolist()) for fold in folds}) == 4
    assert all(np.bincount(y[fold.valid]).tolist() == [10, 10] for fold in folds)


def test_user_holdout_trains_on_every_row() -> None:
    plan = choose_validation(10, task="regression", validation_data_given=True)
    folds = make_folds(plan, np.zeros(10), task="regression", seed=0)
    assert len(folds) == 1 and folds[0].source == "validation_data"
    assert folds[0].train.tolist() == list(range(10)) and folds[0].valid.size == 0


def test_cv_split_columns_mark_training_with_one() -> None:
    y = np.array(["a", "b", "a", "b", "a", "b"])
    frame = pd.DataFrame({"cv1": [1, 1, 1, 1, 0, 0], "cv2": [0, 0, 1, 1, 1, 1], "x": range(6)})
    plan = choose_validation(6, task="classification", cv_split_column_names=["cv1", "cv2"])
    folds = make_folds(plan, y, task="classification", seed=0, cv_split_columns=frame)
    assert [fold.valid.tolist() for fold in folds] == [[4, 5], [0, 1]]
    assert [fold.train.tolist() for fold in folds] == [[0, 1, 2, 3], [2, 3, 4, 5]]
    assert folds.notices == ()
    as_bools = {"cv1": np.array([True] * 4 + [False] * 2), "cv2": [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]}
    again = make_folds(plan, y, task="classification", seed=5, cv_split_columns=as_bools)
    assert [fold.valid.tolist() for fold in again] == [[4, 5], [0, 1]]


def test_cv_split_columns_report_classes_missing_from_training() -> None:
    y = np.array(["a", "a", "a", "b"])
    plan = choose_validation(4, task="classification", cv_split_column_names=["f"])
    folds = make_folds(plan, y, task="classification", seed=0, cv_split_columns={"f": [1, 1, 0, 0]})
    assert folds.notices == ("Fold 0: class(es) 'b' absent from the training part.",)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (None, r"`cv_split_columns` is required for a plan from `cv_split_column_names`, got None"),
        (
            {"other": [1, 0, 1, 0]},
            r"`cv_split_column_names` names 'f', which is not a column of the data",
        ),
        (
            {"f": [1, 0, 2, 0]},
            r"column 'f' of `cv_split_column_names` must hold only 1 \(train\) and "
            r"0 \(validation\), got 2 in row 2",
        ),
        (
            {"f": ["1", "0", "x", "0"]},
            r"column 'f' of `cv_split_column_names` must hold only 1 \(train\) and "
            r"0 \(validation\)$",
        ),
        ({"f": [1, 0, np.nan, 0]}, r"got nan in row 2"),
        (
            {"f": [1, 1, 1, 1]},
            r"column 'f' of `cv_split_column_names` must mark at least one training \(1\) "
            r"and one validation \(0\) row",
        ),
        (
            {"f": [1, 0]},
            r"column 'f' of `cv_split_column_names` must hold one value per row \(4\), got \(2,\)",
        ),
    ],
)
def test_cv_split_column_errors(columns: Any, message: str) -> None:
    plan = choose_validation(4, task="regression", cv_split_column_names=["f"])
    with pytest.raises(ValueError, match=message):
        make_folds(plan, np.zeros(4), task="regression", seed=0, cv_split_columns=columns)


def test_groups_stay_together() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(40), rng.integers(1, 8, 40))
    y = rng.choice(["a", "b"], size=groups.size, p=[0.7, 0.3])
    for task, target in (("classification", y), ("regression", rng.random(groups.size))):
        folds = make_folds(_cv(5), target, task=task, seed=0, groups=groups)
        assert len(folds) == 5
        _check_partition(folds, groups.size)
        for fold in folds:
            assert np.intersect1d(groups[fold.train], groups[fold.valid]).size == 0
        holdout = make_folds(_holdout(0.2), target, task=task, seed=0, groups=groups)
        assert np.intersect1d(groups[holdout[0].train], groups[holdout[0].valid]).size == 0
        assert 0.1 < holdout[0].valid.size / groups.size < 0.4
    folds = make_folds(_cv(5), y, task="classification", seed=0, groups=groups)
    shares = [np.mean(y[fold.valid] == "a") for fold in folds]
    assert max(shares) - min(shares) < 0.25  # classes balanced greedily across folds


def test_fewer_groups_than_folds() -> None:
    groups = np.array([0, 0, 1, 1, 2, 2])
    folds = make_folds(_cv(5), np.zeros(6), task="regression", seed=0, groups=groups)
    assert len(folds) == 3
    assert folds.notices == ("Only 3 groups for 5 folds: 3 folds are used.",)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, r"`seed` must be a non-negative int, got -1"),
        ({"seed": 1.5}, r"`seed` must be a non-negative int, got 1.5"),
        ({"seed": True}, r"`seed` must be a non-negative int, got True"),
        (
            {"groups": [0, 1]},
            r"`groups` must hold one value per row of `y` \(6\), got shape \(2,\)",
        ),
        ({"groups": [7] * 6}, r"`groups` must hold at least 2 distinct groups to validate, got 1"),
        (
            {"task": "forecasting"},
            r"`task` must be one of classification, regression, got 'forecasting'",
        ),
    ],
)
def test_make_folds_errors(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"task": "regression", "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        make_folds(_cv(2), np.zeros(6), **arguments)


def test_y_shape() -> None:
    with pytest.raises(
        ValueError, match=r"`y` must be one-dimensional with at least 2 rows, got \(3, 2\)"
    ):
        make_folds(_cv(2), np.zeros((3, 2)), task="regression", seed=0)
    with pytest.raises(ValueError, match=r"`y` must be one-dimensional with at least 2 rows"):
        make_folds(_holdout(0.5), [1.0], task="regression", seed=0)
    column = make_folds(_cv(2), np.array([[0], [1], [0], [1]]), task="classification", seed=0)
    assert len(column) == 2


def test_a_plan_with_more_folds_than_rows_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"the plan has 10 folds but `y` has only 6 rows"):
        make_folds(_cv(10), np.zeros(6), task="regression", seed=0)


def test_split_test_is_stratified_and_reproducible() -> None:
    y = np.array([0] * 80 + [1] * 20)
    train, test = split_test(100, 0.2, y, "classification", 1)
    assert train.dtype == np.int32 and test.dtype == np.int32
    assert np.bincount(y[test]).tolist() == [16, 4]
    assert np.union1d(train, test).tolist() == list(range(100))
    again = split_test(100, 0.2, y, "classification", 1)
    assert np.array_equal(again[1], test)
    train_r, test_r = split_test(10, 0.99, np.zeros(10), "regression", 0)
    assert (train_r.size, test_r.size) == (1, 9)
    rare = np.array(["a"] * 9 + ["b"])
    train_c, _ = split_test(10, 0.5, rare, "classification", 0)
    assert 9 in train_c  # the single row of 'b' stays in training


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (10, 0.0, np.zeros(10), "regression", 0),
            r"`test_size` must be a float in \(0, 0.99\], got 0.0",
        ),
        (
            (10, 1.0, np.zeros(10), "regression", 0),
            r"`test_size` must be a float in \(0, 0.99\], got 1.0",
        ),
        (
            (10, "0.1", np.zeros(10), "regression", 0),
            r"`test_size` must be a float in \(0, 0.99\], got '0.1'",
        ),
        ((10, 0.2, np.zeros(9), "regression", 0), r"`y` must hold `n_rows` \(10\) values, got 9"),
        ((1, 0.2, np.zeros(1), "regression", 0), r"`n_rows` must be an int >= 2, got 1"),
        ((10, 0.2, np.zeros(10), "regression", -2), r"`seed` must be a non-negative int, got -2"),
        (
            (10, 0.2, np.zeros(10), "ranking", 0),
            r"`task` must be one of classification, regression, got 'ranking'",
        ),
    ],
)
def test_split_test_errors(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_test(*args)


@settings(max_examples=120, deadline=None)
@given(
    counts=st.lists(st.integers(1, 12), min_size=1, max_size=6),
    k=st.integers(2, 10),
    fraction=st.floats(0.05, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_any_class_mix_never_crashes(counts: list[int], k: int, fraction: float, seed: int) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    if y.size < 2:
        return
    k = min(k, y.size)
    folds = make_folds(_cv(k), y, task="classification", seed=seed)
    assert 1 <= len(folds) <= k
    _check_partition(folds, y.size)
    singles = np.flatnonzero(np.bincount(y) == 1)
    for fold in folds:
        assert not np.isin(y[fold.valid], singles).any() or singles.size == len(counts)
    for repeats in (1, 3):
        holdout = make_folds(_holdout(fraction, repeats), y, task="classification", seed=seed)
        _check_partition(holdout, y.size)
