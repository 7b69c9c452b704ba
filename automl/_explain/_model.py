"""The entry point :func:`explain_model`: checks its arguments, subsamples the rows, scores
the baseline with the requested metric, then has the raw columns permuted (through the whole
pipeline) and the engineered features permuted (through the model only) and gathers the
results into an :class:`~automl._explain._explanation.Explanation`.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from automl._explain._explanation import Explanation, FeatureImportance, _sorted
from automl._explain._permutation import (
    _Context,
    _engineered,
    _importance,
    _permuted_frames,
    _run_all,
    _used_raw_columns,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

DEFAULT_MAX_ENGINEERED = 500
"""Adapted matrices with more columns (large TF-IDF blocks) get raw importance only."""


def explain_model(
    model: Any,
    X_valid: pd.DataFrame,
    y_valid: Any,
    *,
    task: str,
    metric: str,
    classes: Sequence[Any] | None = None,
    n_repeats: int = 5,
    seed: int = 0,
    max_rows: int = 5000,
    y_range: tuple[float, float] | None = None,
    positive_label: Any = None,
    max_engineered_features: int = DEFAULT_MAX_ENGINEERED,
    n_jobs: int = 1,
) -> Explanation:
    """Permutation importance of ``model`` on labelled rows, for raw and engineered features.

    Args:
        model: A fitted :class:`~automl._pipeline.AutoMLPipeline` (or any object with
            ``predict``, and ``predict_proba`` for classification; engineered importance
            needs ``featurizer`` and one ``members`` entry with ``adapter`` and ``model``).
        X_valid: The rows, raw columns (a label column named ``model.label_column_name``
            is left out).
        y_valid: Their labels, one per row.
        task: ``"classification"`` or ``"regression"``.
        metric: The metric whose drop is measured (any scalar metric of ``task``;
            probability metrics such as ``AUC_weighted`` use ``predict_proba``).
        classes: The class labels in ``predict_proba``'s column order; defaults to
            ``model.classes_``.
        n_repeats: Permutations per feature.
        seed: Seed of the subsample and the permutations.
        max_rows: Rows beyond this are subsampled (without replacement) to it.
        y_range: Regression: the training target's ``(min, max)`` for normalized metrics
            (defaults to the range of ``y_valid``; it only scales the importances).
        positive_label: Classification: the positive class of ``*_binary`` metrics.
        max_engineered_features: Above this many adapted columns, engineered importance
            is skipped (``note`` says so).
        n_jobs: Threads predicting different features at once (the learners release the
            GIL while predicting), -1 for every core; the result does not depend on it.

    Cost: about ``n_columns x n_repeats`` predictions of ``max_rows`` rows (batched per
    feature). A raw column no member uses is 0 without predicting; an adapted column that
    is its raw column's only one shares the raw result (permuting the raw column permutes
    exactly that adapted column, the featurizer being per column and per row), so only
    one-hot, datetime-part and text columns cost extra predictions.

    Returns:
        The :class:`Explanation`.

    Raises:
        ValueError: Unknown task or metric, ``y_valid`` not one per row, no rows or no
            columns, bad ``n_repeats``/``max_rows``, or the metric undefined on the rows.
        TypeError: ``X_valid`` is not a DataFrame.
    """
    import numpy as np
    import pandas as pd

    from automl.metrics import goal_of, validate_metric
    from automl.metrics._registry import validate_task

    validate_task(task)
    if task not in ("classification", "regression"):
        raise ValueError(f"`task` must be 'classification' or 'regression', got {task!r}")
    metric = validate_metric(metric, task, field="metric")
    for name, value, low in (
        ("n_repeats", n_repeats, 1),
        ("max_rows", max_rows, 1),
        ("max_engineered_features", max_engineered_features, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"`{name}` must be an integer >= {low}, got {value!r}")
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, numbers.Integral)
        or (n_jobs < 1 and n_jobs != -1)
    ):
        raise ValueError(f"`n_jobs` must be an integer >= 1, or -1 for every core, got {n_jobs!r}")
    threads = max(1, os.cpu_count() or 1) if n_jobs == -1 else int(n_jobs)
    if not isinstance(X_valid, pd.DataFrame):
        raise TypeError(f"`X_valid` must be a pandas DataFrame, got {type(X_valid).__name__}")
    y = np.asarray(y_valid)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(X_valid):
        raise ValueError(
            f"`y_valid` must have one value per row of `X_valid` ({len(X_valid)}), "
            f"got shape {y.shape}"
        )
    label = getattr(model, "label_column_name", None)
    X = X_valid.drop(columns=[label]) if label is not None and label in X_valid else X_valid
    if len(X) == 0 or X.shape[1] == 0:
        raise ValueError(f"`X_valid` must have at least one row and one column, got {X.shape}")
    if classes is None and task == "classification":
        model_classes = getattr(model, "classes_", None)
        classes = None if model_classes is None else list(model_classes)
    class_list = None if classes is None else list(classes)

    rng = np.random.default_rng(seed)
    n_rows = len(X)
    if n_rows > max_rows:
        keep = np.sort(rng.choice(n_rows, size=int(max_rows), replace=False))
        X, y, n_rows = X.iloc[keep], y[keep], int(max_rows)
    X = X.reset_index(drop=True)
    sign = 1.0 if goal_of(metric) == "maximize" else -1.0
    score = _scorer(task, metric, y, class_list, y_range, positive_label)

    def pipeline_scores(frame: pd.DataFrame) -> NDArray[np.float64]:
        if task == "classification":
            return np.asarray(model.predict_proba(frame), dtype=np.float64)
        return np.asarray(model.predict(frame), dtype=np.float64)

    baseline = score(pipeline_scores(X))
    if not math.isfinite(baseline):
        raise ValueError(
            f"`metric` {metric!r} is undefined on these rows (got {baseline}); "
            "choose another metric or rows with every class"
        )
    perms = [[rng.permutation(n_rows) for _ in range(int(n_repeats))] for _ in range(X.shape[1])]
    used = _used_raw_columns(model)
    jobs: list[Callable[[], FeatureImportance]] = []
    for j, column in enumerate(X.columns):
        if used is not None and str(column) not in used:  # no member sees it: exactly 0
            jobs.append(functools.partial(FeatureImportance, str(column), 0.0, 0.0))
            continue
        jobs.append(
            functools.partial(
                _importance,
                str(column),
                _permuted_frames(X, j, perms[j]),
                pipeline_scores,
                score,
                baseline,
                sign,
                int(n_repeats),
                n_rows,
            )
        )
    raw = _run_all(jobs, threads)
    engineered, note = _engineered(
        model,
        X,
        task,
        class_list,
        _Context(score, baseline, sign, int(n_repeats), threads),
        np.random.default_rng([seed, 1]),
        int(max_engineered_features),
        {item.name: (item, perms[j]) for j, item in enumerate(raw)},
    )
    return Explanation(
        raw=_sorted(raw),
        engineered=None if engineered is None else _sorted(engineered),
        metric=metric,
        n_rows=n_rows,
        n_repeats=int(n_repeats),
        baseline=baseline,
        goal="maximize" if sign > 0 else "minimize",
        seed=int(seed),
        note=note,
    )


def _scorer(
    task: str,
    metric: str,
    y: NDArray[Any],
    classes: list[Any] | None,
    y_range: tuple[float, float] | None,
    positive_label: Any,
) -> Callable[[NDArray[np.float64]], float]:
    from automl.metrics import compute_metrics

    if task == "classification":

        def classification(scores: NDArray[np.float64]) -> float:
            return compute_metrics(
                task,
                y,
                y_proba=scores,
                classes=classes,
                positive_label=positive_label,
                metrics=[metric],
            )[metric]

        return classification

    def regression(scores: NDArray[np.float64]) -> float:
        return compute_metrics(task, y, scores, y_range=y_range, metrics=[metric])[metric]

    return regression
