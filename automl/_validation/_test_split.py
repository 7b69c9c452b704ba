"""Holding out a test set: :func:`split_test` (Azure's ``test_size``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from automl._validation._folds import make_folds
from automl._validation._plan import ValidationPlan, _check_task
from automl._validation._rows import IndexArray

__all__ = ["split_test"]


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
