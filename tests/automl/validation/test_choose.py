"""choose_validation: Azure's size rule at its bounds, user settings, and every error."""

from __future__ import annotations

from typing import Any

import pytest

from automl._validation import ValidationPlan, choose_validation


@pytest.mark.parametrize(
    ("n_rows", "kind", "n_folds", "fraction"),
    [
        (2, "cv", 2, None),
        (9, "cv", 9, None),
        (10, "cv", 10, None),
        (999, "cv", 10, None),
        (1_000, "cv", 3, None),
        (5_404, "cv", 3, None),
        (19_999, "cv", 3, None),
        (20_000, "holdout", 1, 0.1),
        (20_001, "holdout", 1, 0.1),
        (5_000_000, "holdout", 1, 0.1),
    ],
)
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_azures_size_rule_at_its_bounds(
    n_rows: int, kind: str, n_folds: int, fraction: float | None, task: str
) -> None:
    plan = choose_validation(n_rows, task=task)
    assert (plan.kind, plan.n_folds, plan.fraction, plan.automatic) == (
        kind, n_folds, fraction, True,
    )  # fmt: skip


def test_reasons_are_sentences_for_the_guardrail() -> None:
    assert choose_validation(5_404, task="classification").reason.startswith(
        "3-fold cross validation: 5,404 training rows is from 1,000 to 19,999 (Azure's rule:"
    )
    assert choose_validation(999, task="regression").reason.startswith(
        "10-fold cross validation: 999 training rows is under 1,000 (Azure's rule"
    )
    assert choose_validation(20_000, task="regression").reason.startswith(
        "10 % holdout validation: 20,000 training rows is 20,000 or more (Azure's rule"
    )
    assert choose_validation(4, task="regression").reason.endswith(
        "with only 4 rows, one fold per row."
    )


def test_user_settings() -> None:
    plan = choose_validation(50_000, task="classification", n_cross_validations=5)
    assert (plan.kind, plan.n_folds, plan.automatic) == ("cv", 5, False)
    assert plan.reason == "5-fold cross validation, as set by `n_cross_validations`."
    plan = choose_validation(500, task="regression", validation_size=0.25)
    assert (plan.kind, plan.n_folds, plan.fraction) == ("holdout", 1, 0.25)
    assert plan.reason == "25 % holdout validation, as set by `validation_size`."
    plan = choose_validation(500, task="regression", validation_size=0.2, n_cross_validations=4)
    assert (plan.kind, plan.n_folds, plan.fraction) == ("monte_carlo", 4, 0.2)
    assert "Monte Carlo cross validation: 4 random 20 % holdouts" in plan.reason
    plan = choose_validation(500, task="regression", validation_data_given=True)
    assert (plan.kind, plan.n_folds, plan.fraction) == ("user_holdout", 1, None)
    plan = choose_validation(500, task="classification", cv_split_column_names=["f1", "f2"])
    assert (plan.kind, plan.n_folds, plan.cv_split_column_names) == (
        "user_cv_columns", 2, ("f1", "f2"),
    )  # fmt: skip
    assert "'f1', 'f2'" in plan.reason


def test_azures_not_set_values() -> None:
    auto = choose_validation(500, task="regression", n_cross_validations="auto")
    assert auto == choose_validation(500, task="regression")
    zero = choose_validation(500, task="regression", validation_size=0.0)
    assert zero == choose_validation(500, task="regression")
    empty = choose_validation(500, task="regression", cv_split_column_names=[])
    assert empty == choose_validation(500, task="regression")
    assert (
        choose_validation(
            500, task="regression", validation_size=0.0, validation_data_given=True
        ).kind
        == "user_holdout"
    )


@pytest.mark.parametrize("value", [1, 0, -3, 1_001, True, 2.0, "3"])
def test_n_cross_validations_must_be_two_or_more(value: Any) -> None:
    with pytest.raises(
        ValueError,
        match=rf"`n_cross_validations` must be >= 2 and <= 1,000 \(or 'auto'\), got {value!r}",
    ):
        choose_validation(500, task="regression", n_cross_validations=value)


def test_more_folds_than_rows_is_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"`n_cross_validations` must be at most the number of training rows \(5\), got 10",
    ):
        choose_validation(5, task="regression", n_cross_validations=10)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, "0.2", True])
def test_validation_size_must_be_a_fraction(value: Any) -> None:
    with pytest.raises(
        ValueError, match=rf"`validation_size` must be a float in \(0, 1\), got {value!r}"
    ):
        choose_validation(500, task="regression", validation_size=value)


@pytest.mark.parametrize(
    ("kwargs", "first", "second"),
    [
        (
            {"validation_data_given": True, "n_cross_validations": 5},
            "validation_data",
            "n_cross_validations",
        ),
        (
            {"validation_data_given": True, "n_cross_validations": "auto"},
            "validation_data",
            "n_cross_validations",
        ),
        (
            {"validation_data_given": True, "validation_size": 0.2},
            "validation_data",
            "validation_size",
        ),
        (
            {"cv_split_column_names": ["a"], "n_cross_validations": 3},
            "cv_split_column_names",
            "n_cross_validations",
        ),
        (
            {"cv_split_column_names": ["a"], "validation_size": 0.1},
            "cv_split_column_names",
            "validation_size",
        ),
        (
            {"cv_split_column_names": ["a"], "validation_data_given": True},
            "cv_split_column_names",
            "validation_data",
        ),
    ],
)
def test_combinations_azure_refuses_name_both_fields(
    kwargs: dict[str, Any], first: str, second: str
) -> None:
    with pytest.raises(
        ValueError, match=rf"`{first}` and `{second}` cannot be used together \(Azure's rule\)"
    ):
        choose_validation(500, task="classification", **kwargs)


def test_bad_column_names() -> None:
    with pytest.raises(
        ValueError, match=r"`cv_split_column_names` must be a list of column names, got \['a', 3\]"
    ):
        choose_validation(500, task="regression", cv_split_column_names=["a", 3])  # type: ignore[list-item]
    with pytest.raises(
        ValueError, match=r"`cv_split_column_names` must not repeat a column, got a twice"
    ):
        choose_validation(500, task="regression", cv_split_column_names=["a", "b", "a"])
    plan = choose_validation(500, task="regression", cv_split_column_names="fold")
    assert plan.cv_split_column_names == ("fold",)


@pytest.mark.parametrize("n_rows", [1, 0, True, 2.5])
def test_n_rows_must_be_at_least_two(n_rows: Any) -> None:
    with pytest.raises(
        ValueError, match=rf"`n_rows` must be an int >= 2 \(training rows\), got {n_rows!r}"
    ):
        choose_validation(n_rows, task="regression")


def test_task_must_be_tabular() -> None:
    with pytest.raises(
        ValueError,
        match=r"`task` must be one of classification, regression, got 'forecasting' "
        r"\(forecasting validates with rolling-origin splits",
    ):
        choose_validation(500, task="forecasting")
    with pytest.raises(
        ValueError, match=r"`task` must be one of classification, regression, got 'x'$"
    ):
        choose_validation(500, task="x")


def test_plan_checks_itself() -> None:
    with pytest.raises(ValueError, match=r"`kind` must be one of holdout, cv, .* got 'kfold'"):
        ValidationPlan("kfold", 3, None, "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`n_folds` must be >= 1, got 0"):
        ValidationPlan("cv", 0, None, "")
    with pytest.raises(
        ValueError, match=r"`fraction` must be a float in \(0, 1\) for kind 'holdout', got None"
    ):
        ValidationPlan("holdout", 1, None, "")
    with pytest.raises(ValueError, match=r"`fraction` must be None for kind 'cv', got 0.2"):
        ValidationPlan("cv", 3, 0.2, "")
