"""Row-index primitives shared by the fold algorithms: splits, k-fold, holdout sizes, labels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

IndexArray: TypeAlias = NDArray[np.int32]
Rows: TypeAlias = NDArray[np.intp]
Split: TypeAlias = tuple[Rows, Rows]


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
