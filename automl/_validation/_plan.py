"""Azure's choice of validation: :func:`choose_validation` and :class:`ValidationPlan`.

Applies Azure Automated ML's rules (``azureml.automl.runtime._validation_strategy_selector``
and ``azureml.automl.core.config_utilities._check_validation_config``): the size rule when
nothing is set, and the checks on settings combined.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias, get_args

import numpy as np

__all__ = [
    "AUTO_HOLDOUT_FRACTION",
    "LARGE_DATA_ROWS",
    "MAX_N_CROSS_VALIDATIONS",
    "SMALL_DATA_ROWS",
    "ValidationKind",
    "ValidationPlan",
    "choose_validation",
]


ValidationKind: TypeAlias = Literal[
    "holdout", "cv", "monte_carlo", "user_holdout", "user_cv_columns"
]


SMALL_DATA_ROWS = 1_000
"""Under this many rows Azure cross-validates with 10 folds."""
LARGE_DATA_ROWS = 20_000
"""From this many rows Azure holds out :data:`AUTO_HOLDOUT_FRACTION`; between, 3 folds."""
AUTO_HOLDOUT_FRACTION = 0.1
MAX_N_CROSS_VALIDATIONS = 1_000
_TASKS = ("classification", "regression")
_RULE = (
    "Azure's rule: 10 folds under 1,000 rows, 3 folds from 1,000 to 19,999 rows, "
    "a 10 % holdout from 20,000 rows"
)


@dataclass(frozen=True)
class ValidationPlan:
    """How the children of an experiment are validated.

    Attributes:
        kind: ``"holdout"`` (one split of the training data), ``"cv"`` (k-fold),
            ``"monte_carlo"`` (k random holdouts: Azure's ``n_cross_validations`` with
            ``validation_size``), ``"user_holdout"`` (the user's validation data) or
            ``"user_cv_columns"`` (one fold per column of ``cv_split_column_names``).
        n_folds: Number of folds (1 for the holdouts).
        fraction: Validation fraction of ``"holdout"`` and ``"monte_carlo"``, else None.
        reason: A sentence for the guardrail "validation split handling".
        cv_split_column_names: The fold columns of ``"user_cv_columns"``.
        automatic: Chosen by Azure's size rule rather than set by the user.
    """

    kind: ValidationKind
    n_folds: int
    fraction: float | None
    reason: str
    cv_split_column_names: tuple[str, ...] = ()
    automatic: bool = False

    def __post_init__(self) -> None:
        if self.kind not in get_args(ValidationKind):
            valid = ", ".join(get_args(ValidationKind))
            raise ValueError(f"`kind` must be one of {valid}, got {self.kind!r}")
        if self.n_folds < 1:
            raise ValueError(f"`n_folds` must be >= 1, got {self.n_folds!r}")
        needs_fraction = self.kind in ("holdout", "monte_carlo")
        if needs_fraction != (self.fraction is not None) or (
            self.fraction is not None and not 0.0 < self.fraction < 1.0
        ):
            expected = "a float in (0, 1)" if needs_fraction else "None"
            raise ValueError(
                f"`fraction` must be {expected} for kind {self.kind!r}, got {self.fraction!r}"
            )


def choose_validation(
    n_rows: int,
    *,
    task: str,
    validation_data_given: bool = False,
    validation_size: float | None = None,
    n_cross_validations: int | str | None = None,
    cv_split_column_names: Sequence[str] | None = None,
) -> ValidationPlan:
    """Choose how to validate, with Azure's rules and its checks on combined settings.

    With nothing set: ``n_rows < 1,000`` gives 10-fold CV, ``1,000 <= n_rows < 20,000`` 3-fold
    CV, ``n_rows >= 20,000`` a 10 % holdout (Azure's bounds: lower inclusive, upper
    exclusive). Under 10 rows the 10 folds become one per row. ``validation_size`` alone is a
    holdout, ``n_cross_validations`` alone k-fold, both together Monte Carlo CV (k random
    holdouts of that size). ``validation_size=0.0`` and ``n_cross_validations="auto"`` mean
    "not set", as in Azure. ``n_rows`` counts the rows left after any ``test_size`` split.

    Args:
        n_rows: Number of training rows.
        task: ``"classification"`` or ``"regression"`` (forecasting uses rolling-origin splits).
        validation_data_given: The user passed ``validation_data``.
        validation_size: Fraction of the training data to hold out, in (0, 1).
        n_cross_validations: Number of folds, 2 to 1,000, or ``"auto"``.
        cv_split_column_names: Columns of the training data, one per fold, where 1 marks a
            training row and 0 a validation row.

    Raises:
        ValueError: A bad value, or settings Azure does not allow together (the message names
            both).

    Example:
        >>> plan = choose_validation(5_404, task="classification")
        >>> plan.kind, plan.n_folds
        ('cv', 3)
        >>> plan.reason.split(" (")[0]
        '3-fold cross validation: 5,404 training rows is from 1,000 to 19,999'
    """
    _check_task(task)
    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 2:
        raise ValueError(f"`n_rows` must be an int >= 2 (training rows), got {n_rows!r}")
    size = _validation_size(validation_size)
    folds = _n_cross_validations(n_cross_validations)
    columns = _column_names(cv_split_column_names)
    _check_combinations(validation_data_given, size, n_cross_validations, columns)
    if columns:
        return ValidationPlan(
            "user_cv_columns", len(columns), None,
            f"Custom cross validation: {len(columns)} fold(s) from the columns "
            f"{', '.join(map(repr, columns))} named by `cv_split_column_names` "
            "(1 = training row, 0 = validation row).",
            cv_split_column_names=columns,
        )  # fmt: skip
    if validation_data_given:
        return ValidationPlan(
            "user_holdout", 1, None, "Validation on the user's `validation_data`."
        )
    if folds is not None:
        _check_folds_fit(folds, n_rows)
        if size is not None:
            return ValidationPlan(
                "monte_carlo", folds, size,
                f"Monte Carlo cross validation: {folds} random {_percent(size)} holdouts, as "
                "set by `n_cross_validations` and `validation_size`.",
            )  # fmt: skip
        return ValidationPlan(
            "cv", folds, None, f"{folds}-fold cross validation, as set by `n_cross_validations`."
        )
    if size is not None:
        return ValidationPlan(
            "holdout", 1, size, f"{_percent(size)} holdout validation, as set by `validation_size`."
        )
    return _by_size(int(n_rows))


def _by_size(n_rows: int) -> ValidationPlan:
    if n_rows >= LARGE_DATA_ROWS:
        reason = (
            f"{_percent(AUTO_HOLDOUT_FRACTION)} holdout validation: {n_rows:,} training rows is "
            f"{LARGE_DATA_ROWS:,} or more ({_RULE})."
        )
        return ValidationPlan("holdout", 1, AUTO_HOLDOUT_FRACTION, reason, automatic=True)
    if n_rows >= SMALL_DATA_ROWS:
        reason = (
            f"3-fold cross validation: {n_rows:,} training rows is from {SMALL_DATA_ROWS:,} to "
            f"{LARGE_DATA_ROWS - 1:,} ({_RULE})."
        )
        return ValidationPlan("cv", 3, None, reason, automatic=True)
    folds = min(10, n_rows)
    reason = f"{folds}-fold cross validation: {n_rows:,} training rows is under 1,000 ({_RULE})."
    if folds < 10:
        reason = reason[:-1] + f"; with only {n_rows} rows, one fold per row."
    return ValidationPlan("cv", folds, None, reason, automatic=True)


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g} %"


def _check_task(task: object) -> None:
    if task not in _TASKS:
        hint = (
            " (forecasting validates with rolling-origin splits from `forecasting`)"
            if task == "forecasting"
            else ""
        )
        raise ValueError(f"`task` must be one of {', '.join(_TASKS)}, got {task!r}{hint}")


def _validation_size(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"`validation_size` must be a float in (0, 1), got {value!r}")
    if value == 0:
        return None  # Azure's "not set"
    if not 0.0 < float(value) < 1.0:
        raise ValueError(f"`validation_size` must be a float in (0, 1), got {value!r}")
    return float(value)


def _n_cross_validations(value: object) -> int | None:
    if value is None or value == "auto":
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not 2 <= value <= MAX_N_CROSS_VALIDATIONS
    ):
        raise ValueError(
            f"`n_cross_validations` must be >= 2 and <= {MAX_N_CROSS_VALIDATIONS:,} "
            f"(or 'auto'), got {value!r}"
        )
    return int(value)


def _column_names(value: Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    names = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(name, str) and name for name in names):
        raise ValueError(f"`cv_split_column_names` must be a list of column names, got {value!r}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(
            f"`cv_split_column_names` must not repeat a column, got {', '.join(repeated)} twice"
        )
    return names


def _check_combinations(
    validation_data: bool, size: float | None, folds: object, columns: tuple[str, ...]
) -> None:
    given = {
        "validation_data": validation_data,
        "validation_size": size is not None,
        "n_cross_validations": folds is not None,
    }
    conflicts = [("validation_data", "n_cross_validations"), ("validation_data", "validation_size")]
    if columns:
        given["cv_split_column_names"] = True
        conflicts = [("cv_split_column_names", other) for other in list(given)[:3]] + conflicts
    for first, second in conflicts:
        if given[first] and given[second]:
            raise ValueError(
                f"`{first}` and `{second}` cannot be used together (Azure's rule): choose one "
                "way to validate: `validation_data`, `validation_size`, `n_cross_validations` "
                "(with `validation_size`: Monte Carlo CV) or `cv_split_column_names`"
            )


def _check_folds_fit(folds: int, n_rows: int) -> None:
    if folds > n_rows:
        raise ValueError(
            f"`n_cross_validations` must be at most the number of training rows ({n_rows:,}), "
            f"got {folds}"
        )
