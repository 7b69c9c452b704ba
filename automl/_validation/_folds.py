"""Reproducible folds of a plan: :func:`make_folds`, :class:`Fold` and :class:`FoldSet`.

Classification folds are stratified and never fail on rare classes (each is reported in
:attr:`FoldSet.notices`); regression uses shuffled k-fold; groups stay together
(:mod:`automl._validation._groups`); user fold columns are checked and read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from automl._validation._groups import _group_codes, _group_folds, _group_holdout
from automl._validation._plan import (
    AUTO_HOLDOUT_FRACTION,
    ValidationPlan,
    _check_task,
    _percent,
)
from automl._validation._plan import choose_validation as choose_validation  # make_folds' example
from automl._validation._rows import (
    IndexArray,
    Rows,
    Split,
    _codes,
    _holdout_size,
    _kfold,
    _named,
    _plain,
    _random_holdout,
    _split,
)

__all__ = ["Fold", "FoldSet", "SupportsColumns", "make_folds"]


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
