"""How children are validated: Azure's choice of split, then reproducible folds.

:func:`choose_validation` applies Azure Automated ML's rules
(``azureml.automl.runtime._validation_strategy_selector`` and
``azureml.automl.core.config_utilities._check_validation_config``); :func:`make_folds` turns
the plan into train/validation row indexes, stratified for classification, never failing on
rare classes and reporting how it handled them; :func:`split_test` holds out a test set.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "AUTO_HOLDOUT_FRACTION",
    "LARGE_DATA_ROWS",
    "MAX_N_CROSS_VALIDATIONS",
    "SMALL_DATA_ROWS",
    "Fold",
    "FoldSet",
    "ValidationKind",
    "ValidationPlan",
    "choose_validation",
    "make_folds",
    "split_test",
]

ValidationKind: TypeAlias = Literal[
    "holdout", "cv", "monte_carlo", "user_holdout", "user_cv_columns"
]
IndexArray: TypeAlias = NDArray[np.int32]
Rows: TypeAlias = NDArray[np.intp]
Split: TypeAlias = tuple[Rows, Rows]

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


@dataclass(frozen=True, eq=False)
class Fold:
    """Row indexes (into the training data) of one fold; read-only int32 arrays.

    Attributes:
        train: Rows the child is fitted on.
        valid: Rows it is scored on; empty when ``source`` is ``"validation_data"``.
        source: ``"validation_data"`` when the child is scored on the user's validation
            data (all of its rows) instead of rows of the training data.
    """

    train: IndexArray
    valid: IndexArray
    source: Literal["training_data", "validation_data"] = "training_data"


@dataclass(frozen=True)
class FoldSet:
    """The folds of a plan and the notices for the guardrail report; iterates over folds."""

    folds: tuple[Fold, ...]
    notices: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Fold]:
        return iter(self.folds)

    def __len__(self) -> int:
        return len(self.folds)

    def __getitem__(self, index: int) -> Fold:
        return self.folds[index]


class SupportsColumns(Protocol):
    """Anything that returns a column by name: a mapping of arrays or a DataFrame."""

    def __getitem__(self, key: str, /) -> Any: ...


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


def make_folds(
    plan: ValidationPlan,
    y: ArrayLike,
    *,
    task: str,
    seed: int,
    groups: ArrayLike | None = None,
    cv_split_columns: SupportsColumns | None = None,
) -> FoldSet:
    """Row indexes of each fold of ``plan``, reproducible with ``seed``.

    Classification folds are stratified: rows are shuffled within each class and dealt to
    the folds in turn, so each fold holds each class in proportion (within one row). A class
    with fewer rows than folds has each row validated in a different fold (it is only in the
    training part of the others); a class with a single row stays in the training part of
    every fold. Both are reported in :attr:`FoldSet.notices`, never an error. Regression
    uses shuffled k-fold. With ``groups``, rows of a group always stay together (classes are
    balanced greedily across folds).

    Args:
        plan: The plan from :func:`choose_validation`.
        y: The training target (its length is the number of rows).
        task: ``"classification"`` or ``"regression"``.
        seed: Non-negative int; the same seed gives the same folds.
        groups: Optional group of each row.
        cv_split_columns: The fold columns for a ``"user_cv_columns"`` plan (a DataFrame or
            a mapping of column name to values).

    Raises:
        ValueError: Bad ``seed``, ``groups`` or fold columns, or a plan that does not fit
            ``y`` (more folds than rows).

    Example:
        >>> plan = choose_validation(6, task="classification", n_cross_validations=3)
        >>> folds = make_folds(plan, ["a", "a", "a", "b", "b", "b"], task="classification", seed=0)
        >>> [len(fold.valid) for fold in folds]
        [2, 2, 2]
    """
    _check_task(task)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative int, got {seed!r}")
    target = np.asarray(y)
    if target.ndim == 2 and target.shape[1] == 1:
        target = target[:, 0]
    if target.ndim != 1 or len(target) < 2:
        raise ValueError(f"`y` must be one-dimensional with at least 2 rows, got {target.shape}")
    n_rows = len(target)
    rng = np.random.default_rng(int(seed))
    if plan.kind == "user_holdout":
        return FoldSet((_fold(np.arange(n_rows), np.empty(0, np.intp), external=True),))
    strata = _codes(target) if task == "classification" else None
    if plan.kind == "user_cv_columns":
        folds = _user_columns(plan, cv_split_columns, n_rows)
        return _fold_set(folds, [] if strata is None else _coverage_notices(folds, *strata))
    group_codes = None if groups is None else _group_codes(groups, n_rows)
    if plan.kind == "cv":
        return _fold_set(*_cv_folds(plan.n_folds, n_rows, strata, group_codes, rng))
    splits: list[Split] = []
    notices: list[str] = []
    for _ in range(plan.n_folds):  # one holdout, or Monte Carlo's repeated holdouts
        found: list[str] = []
        fraction = plan.fraction or AUTO_HOLDOUT_FRACTION  # always set for these kinds
        if group_codes is not None:
            split = _group_holdout(group_codes, fraction, rng)
        elif strata is not None:
            split, found = _stratified_holdout(*strata, fraction, rng)
        else:
            split = _random_holdout(n_rows, fraction, rng)
        splits.append(split)
        notices.extend(note for note in found if note not in notices)
    return _fold_set(splits, notices)


def _cv_folds(
    k: int,
    n_rows: int,
    strata: tuple[Rows, NDArray[Any]] | None,
    group_codes: Rows | None,
    rng: np.random.Generator,
) -> tuple[list[Split], list[str]]:
    if k > n_rows:
        raise ValueError(f"the plan has {k} folds but `y` has only {n_rows} rows")
    if group_codes is not None:
        folds, notices = _group_folds(group_codes, None if strata is None else strata[0], k, rng)
        return folds, notices + ([] if strata is None else _coverage_notices(folds, *strata))
    if strata is not None:
        return _stratified_folds(*strata, k, rng)
    return _kfold(n_rows, k, rng), []


def _codes(target: NDArray[Any]) -> tuple[NDArray[np.intp], NDArray[Any]]:
    try:
        labels, codes = np.unique(target, return_inverse=True)
        return codes.astype(np.intp).ravel(), labels
    except TypeError:  # labels of mixed types
        lookup: dict[Any, int] = {}
        codes_list = [lookup.setdefault(value, len(lookup)) for value in target.tolist()]
        labels = np.empty(len(lookup), dtype=object)
        labels[:] = list(lookup)
        return np.asarray(codes_list, dtype=np.intp), labels


def _group_codes(groups: ArrayLike, n_rows: int) -> NDArray[np.intp]:
    values = np.asarray(groups)
    if values.ndim != 1 or len(values) != n_rows:
        raise ValueError(
            f"`groups` must hold one value per row of `y` ({n_rows}), got shape {values.shape}"
        )
    codes, _ = _codes(values)
    if codes.max(initial=0) < 1:
        raise ValueError("`groups` must hold at least 2 distinct groups to validate, got 1")
    return codes


def _split(n_rows: int, valid: Rows) -> Split:
    """``(train, valid)``: every row not in ``valid`` trains; both sorted."""
    keep = np.ones(n_rows, dtype=bool)
    keep[valid] = False
    return np.flatnonzero(keep), np.sort(valid)


def _kfold(n_rows: int, k: int, rng: np.random.Generator) -> list[Split]:
    return [_split(n_rows, part) for part in np.array_split(rng.permutation(n_rows), k)]


def _holdout_size(n_rows: int, fraction: float) -> int:
    """``ceil(fraction * n_rows)`` (scikit-learn's rule), between 1 and ``n_rows - 1``."""
    return min(max(math.ceil(round(fraction * n_rows, 9)), 1), n_rows - 1)


def _random_holdout(n_rows: int, fraction: float, rng: np.random.Generator) -> Split:
    return _split(n_rows, rng.permutation(n_rows)[: _holdout_size(n_rows, fraction)])


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _named(labels: NDArray[Any], indexes: Sequence[int] | Rows, limit: int = 10) -> str:
    shown = [repr(_plain(labels[i])) for i in list(indexes)[:limit]]
    more = len(indexes) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _class_order(codes: Rows, rng: np.random.Generator) -> Rows:
    """All rows, shuffled, then grouped by class (stable, so shuffled within each class)."""
    shuffled = rng.permutation(codes.size)
    return shuffled[np.argsort(codes[shuffled], kind="stable")]


def _single_row_notice(labels: NDArray[Any], counts: NDArray[np.int64]) -> list[str]:
    singles = np.flatnonzero(counts == 1)
    if singles.size == 0:
        return []
    return [
        f"{singles.size} class(es) with a single row ({_named(labels, singles)}) are kept "
        "for training only and never validated."
    ]


def _stratified_folds(
    codes: Rows, labels: NDArray[Any], k: int, rng: np.random.Generator
) -> tuple[list[Split], list[str]]:
    """Deal the class-grouped, shuffled rows to the folds in turn (single rows excepted)."""
    n_rows = codes.size
    counts = np.bincount(codes, minlength=len(labels))
    notices = _single_row_notice(labels, counts)
    rare = np.flatnonzero((counts >= 2) & (counts < k))
    if rare.size:
        sizes = ", ".join(f"{_named(labels, [c])}: {counts[c]} rows" for c in rare[:10])
        notices.append(
            f"{rare.size} class(es) have fewer rows than the {k} folds ({sizes}"
            f"{' and more' if rare.size > 10 else ''}): each of their rows is validated in a "
            "different fold; in the other folds they are only in the training part."
        )
    order = _class_order(codes, rng)
    dealt = order[counts[codes[order]] > 1]
    if dealt.size == 0:
        notices.append("Every class has a single row: the folds are not stratified.")
        return _kfold(n_rows, k, rng), notices
    fold_of = rng.permutation(k)[np.arange(dealt.size) % k]
    splits = [_split(n_rows, dealt[fold_of == f]) for f in range(k) if (fold_of == f).any()]
    if len(splits) < k:
        notices.append(
            f"Only {dealt.size} rows can be validated (the others are single-row classes): "
            f"{len(splits)} folds are used instead of {k}."
        )
    return splits, notices


def _stratified_holdout(
    codes: Rows, labels: NDArray[Any], fraction: float, rng: np.random.Generator
) -> tuple[Split, list[str]]:
    """Each class gives its share of validation rows (largest remainders round up)."""
    n_rows = codes.size
    counts = np.bincount(codes, minlength=len(labels))
    notices = _single_row_notice(labels, counts)
    eligible = counts >= 2
    if not eligible.any():
        notices.append("Every class has a single row: the holdout is not stratified.")
        return _random_holdout(n_rows, fraction, rng), notices
    quota = np.where(eligible, fraction * counts, 0.0)
    share = np.floor(quota).astype(np.int64)
    extra = _holdout_size(n_rows, fraction) - int(share.sum())
    if extra > 0:
        by_remainder = np.lexsort((rng.random(counts.size), -(quota - share)))
        share[by_remainder[eligible[by_remainder]][:extra]] += 1
    share = np.minimum(share, np.maximum(counts - 1, 0))  # keep a row of each class to train
    if share.sum() == 0:
        share[int(np.argmax(counts))] = 1
    order = _class_order(codes, rng)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    valid = np.concatenate([order[s : s + n] for s, n in zip(starts, share, strict=True)])
    unseen = np.flatnonzero(eligible & (share == 0))
    if unseen.size:
        notices.append(
            f"{unseen.size} class(es) ({_named(labels, unseen)}) have no row in the "
            f"{_percent(fraction)} validation split: too few rows."
        )
    return _split(n_rows, valid), notices


def _group_folds(
    groups: Rows, codes: Rows | None, k: int, rng: np.random.Generator
) -> tuple[list[Split], list[str]]:
    """Whole groups to folds: largest first to the lightest fold, or greedily by class mix."""
    n_groups = int(groups.max()) + 1
    notices = []
    if n_groups < k:
        notices.append(f"Only {n_groups} groups for {k} folds: {n_groups} folds are used.")
        k = n_groups
    sizes = np.bincount(groups, minlength=n_groups).astype(np.float64)
    fold_of_group = np.zeros(n_groups, dtype=np.intp)
    load = np.zeros(k)
    if codes is None:
        order = rng.permutation(n_groups)
        for group in order[np.argsort(-sizes[order], kind="stable")]:
            fold = int(np.argmin(load))
            fold_of_group[group] = fold
            load[fold] += sizes[group]
    else:
        n_classes = int(codes.max()) + 1
        mix = np.bincount(groups * n_classes + codes, minlength=n_groups * n_classes)
        share = mix.reshape(n_groups, n_classes) / np.bincount(codes, minlength=n_classes)
        order = rng.permutation(n_groups)
        fold_share = np.zeros((k, n_classes))
        for group in order[np.argsort(-share[order].std(axis=1), kind="stable")]:
            trial = fold_share + share[group]  # row f: fold f with this group added
            spread = (fold_share**2).sum(axis=0) - fold_share**2 + trial**2  # sum of squares
            variance = spread / k - ((fold_share.sum(axis=0) + share[group]) / k) ** 2
            cost = np.sqrt(np.maximum(variance, 0.0)).mean(axis=1)
            best = np.flatnonzero(cost <= cost.min() + 1e-12)
            fold = int(best[np.argmin(load[best])])
            fold_of_group[group] = fold
            fold_share[fold] += share[group]
            load[fold] += sizes[group]
    fold_of_row = fold_of_group[groups]
    splits = [_split(groups.size, np.flatnonzero(fold_of_row == f)) for f in range(k)]
    used = [split for split in splits if split[1].size]
    if len(used) < k:
        notices.append(f"{k - len(used)} fold(s) got no group and were dropped.")
    return used, notices


def _group_holdout(groups: Rows, fraction: float, rng: np.random.Generator) -> Split:
    """Whole groups, in random order, until the validation part reaches its size."""
    n_groups = int(groups.max()) + 1
    order = rng.permutation(n_groups)
    reached = np.cumsum(np.bincount(groups, minlength=n_groups)[order])
    take = int(np.searchsorted(reached, _holdout_size(groups.size, fraction))) + 1
    chosen = order[: min(max(take, 1), n_groups - 1)]
    return _split(groups.size, np.flatnonzero(np.isin(groups, chosen)))


def _coverage_notices(splits: Sequence[Split], codes: Rows, labels: NDArray[Any]) -> list[str]:
    """Classes never validated, and folds whose training part lacks a class."""
    notices = []
    n_classes = len(labels)
    validated = np.zeros(n_classes, dtype=bool)
    for number, (train, valid) in enumerate(splits):
        validated[np.unique(codes[valid])] = True
        missing = np.flatnonzero(np.bincount(codes[train], minlength=n_classes) == 0)
        if missing.size:
            notices.append(
                f"Fold {number}: class(es) {_named(labels, missing)} absent from the training part."
            )
    never = np.flatnonzero(~validated)
    if never.size:
        notices.insert(0, f"Class(es) {_named(labels, never)} are never validated.")
    return notices


def _user_columns(
    plan: ValidationPlan, columns: SupportsColumns | None, n_rows: int
) -> list[Split]:
    if columns is None:
        raise ValueError(
            "`cv_split_columns` is required for a plan from `cv_split_column_names`, got None"
        )
    folds = []
    for name in plan.cv_split_column_names:
        try:
            values = np.asarray(columns[name])
        except (KeyError, IndexError):
            raise ValueError(
                f"`cv_split_column_names` names {name!r}, which is not a column of the data"
            ) from None
        where = f"column {name!r} of `cv_split_column_names`"
        if values.shape != (n_rows,):
            raise ValueError(f"{where} must hold one value per row ({n_rows}), got {values.shape}")
        try:
            train = values.astype(np.float64) == 1.0
            valid = values.astype(np.float64) == 0.0
        except (TypeError, ValueError):
            raise ValueError(f"{where} must hold only 1 (train) and 0 (validation)") from None
        bad = ~(train | valid)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{where} must hold only 1 (train) and 0 (validation), got {_plain(values[row])!r} "
                f"in row {row}"
            )
        if not train.any() or not valid.any():
            raise ValueError(
                f"{where} must mark at least one training (1) and one validation (0) row"
            )
        folds.append((np.flatnonzero(train), np.flatnonzero(valid)))
    return folds


def _fold(train: ArrayLike, valid: ArrayLike, *, external: bool = False) -> Fold:
    train_index = np.asarray(train, dtype=np.int32)
    valid_index = np.asarray(valid, dtype=np.int32)
    train_index.setflags(write=False)
    valid_index.setflags(write=False)
    return Fold(train_index, valid_index, "validation_data" if external else "training_data")


def _fold_set(splits: Sequence[Split], notices: Sequence[str]) -> FoldSet:
    return FoldSet(tuple(_fold(train, valid) for train, valid in splits), tuple(notices))


def split_test(
    n_rows: int, test_size: float, y: ArrayLike, task: str, seed: int
) -> tuple[IndexArray, IndexArray]:
    """Hold out ``test_size`` of the rows as a test set (Azure's ``test_size``).

    Stratified for classification (a class with a single row stays in training), random for
    regression. The test rows number ``ceil(test_size * n_rows)`` (scikit-learn's rule),
    kept between 1 and ``n_rows - 1``. Validation is then chosen on the training part.

    Returns:
        ``(train, test)`` row indexes, sorted int32 arrays.

    Raises:
        ValueError: ``test_size`` outside (0, 0.99] (Azure's bounds), a bad ``seed``, or a
            ``y`` whose length is not ``n_rows``.

    Example:
        >>> train, test = split_test(10, 0.2, list(range(10)), "regression", 0)
        >>> len(train), len(test)
        (8, 2)
    """
    _check_task(task)
    if isinstance(n_rows, bool) or not isinstance(n_rows, (int, np.integer)) or n_rows < 2:
        raise ValueError(f"`n_rows` must be an int >= 2, got {n_rows!r}")
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, (int, float, np.floating))
        or not 0.0 < float(test_size) <= 0.99
    ):
        raise ValueError(f"`test_size` must be a float in (0, 0.99], got {test_size!r}")
    target = np.asarray(y)
    if len(target) != n_rows:
        raise ValueError(f"`y` must hold `n_rows` ({n_rows}) values, got {len(target)}")
    plan = ValidationPlan("holdout", 1, float(test_size), "test split")
    fold = make_folds(plan, target, task=task, seed=seed)[0]
    return fold.train, fold.valid
