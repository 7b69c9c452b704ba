"""Group-aware folds and holdouts: rows of a group always stay together."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from automl._validation._rows import Rows, Split, _codes, _holdout_size, _split


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
