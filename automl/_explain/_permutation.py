"""The permutation loops: copies of the raw rows with one column permuted per repeat (run
through the whole pipeline), the engineered view that permutes one adapted column at a time
and predicts with the single member's model only (sharing a raw column's result when it is
that column's only adapted column), the goal-aware drop of the metric per feature, and the
optional thread pool that runs one feature per job.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automl._explain._explanation import FeatureImportance
from automl._explain._stacker import _Stacker

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray


def _permuted_frames(
    X: pd.DataFrame, j: int, perms: list[NDArray[np.int64]]
) -> Callable[[], pd.DataFrame]:
    """The ``len(perms)`` copies of ``X`` stacked, column ``j`` permuted in each."""

    def build() -> pd.DataFrame:
        import numpy as np

        n = len(X)
        stacked = X.iloc[np.tile(np.arange(n), len(perms))].reset_index(drop=True)
        column = X.iloc[np.concatenate(perms), j].reset_index(drop=True)
        stacked[X.columns[j]] = column
        return stacked

    return build


def _importance(
    name: str,
    build: Callable[[], Any],
    predict: Callable[[Any], NDArray[np.float64]],
    score: Callable[[NDArray[np.float64]], float],
    baseline: float,
    sign: float,
    n_repeats: int,
    n_rows: int,
    raw_column: str | None = None,
) -> FeatureImportance:
    """Predict every repeat in one batch, score each repeat's block of rows."""
    import numpy as np

    scores = predict(build())
    drops = np.array(
        [sign * (baseline - score(scores[r * n_rows : (r + 1) * n_rows])) for r in range(n_repeats)]
    )
    return FeatureImportance(name, float(drops.mean()), float(drops.std()), raw_column)


@dataclass(frozen=True)
class _Context:
    """What scoring one feature needs."""

    score: Callable[[NDArray[np.float64]], float]
    baseline: float
    sign: float
    n_repeats: int
    n_jobs: int


def _used_raw_columns(model: Any) -> set[str] | None:
    """The raw columns some member's adapter reads (None when unknown)."""
    members = getattr(model, "members", None)
    if not members:
        return None
    try:
        return {str(column) for member in members for column in member.adapter.raw_sources()}
    except AttributeError:
        return None


def _run_all(
    jobs: Sequence[Callable[[], FeatureImportance]], n_jobs: int
) -> list[FeatureImportance]:
    """Every job, in order; on ``n_jobs`` threads when more than one."""
    if n_jobs == 1 or len(jobs) < 2:
        return [job() for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(n_jobs, len(jobs))) as pool:
        return list(pool.map(lambda job: job(), jobs))


def _engineered(
    model: Any,
    X: pd.DataFrame,
    task: str,
    classes: list[Any] | None,
    context: _Context,
    rng: np.random.Generator,
    max_features: int,
    raw: Mapping[str, tuple[FeatureImportance, list[NDArray[np.int64]]]],
    *,
    reuse_raw: bool = True,
) -> tuple[list[FeatureImportance] | None, str | None]:
    """Per adapted column of a single-member pipeline; else None and why.

    An adapted column that is the only one of its raw column is permuted with that raw
    column's permutations, which gives the raw result exactly; with ``reuse_raw`` it is
    taken from ``raw`` instead of predicted again.
    """
    import numpy as np

    from automl._child import predict_scores

    members = getattr(model, "members", None)
    featurizer = getattr(model, "featurizer", None)
    if featurizer is None or not members:
        return None, "engineered importance needs an AutoMLPipeline (featurizer and members)"
    if len(members) > 1:
        return None, (
            f"engineered importance is computed for a single model only; this "
            f"{getattr(model, 'algorithm', 'ensemble')} has {len(members)} members that see "
            "different adapted matrices, so only raw importance is given"
        )
    member = members[0]
    adapter = member.adapter
    names = [str(name) for name in adapter.feature_names()]
    raw_of = [str(column) for column in adapter.raw_sources()]
    if len(names) > max_features:
        return None, (
            f"the adapted matrix has {len(names)} columns, more than "
            f"max_engineered_features={max_features}; only raw importance is given"
        )
    matrix = adapter.transform(featurizer.transform(X))
    n_rows = len(X)
    class_list = [] if classes is None else classes

    def predict(adapted: Any) -> NDArray[np.float64]:
        out = np.asarray(predict_scores(member.model, adapted, task, class_list), np.float64)
        if task == "classification":  # as AutoMLPipeline.predict_proba
            sums = out.sum(axis=1, keepdims=True)
            out = out / np.where(sums > 0, sums, 1.0)
        return out

    own = context.score(predict(matrix))
    if not math.isclose(own, context.baseline, rel_tol=1e-6, abs_tol=1e-9):
        return None, (
            f"the model's own score on the adapted matrix ({own:.6g}) differs from the "
            f"pipeline's ({context.baseline:.6g}); engineered importance skipped"
        )
    counts: dict[str, int] = {}
    for column in raw_of:
        counts[column] = counts.get(column, 0) + 1
    stacker = _Stacker(matrix, context.n_repeats)
    jobs: list[Callable[[], FeatureImportance]] = []
    for j, name in enumerate(names):
        perms = [rng.permutation(n_rows) for _ in range(context.n_repeats)]
        source = raw_of[j]
        only_one = counts[source] == 1 and source in raw
        if only_one and reuse_raw:
            item = raw[source][0]
            jobs.append(
                functools.partial(FeatureImportance, name, item.importance, item.std, source)
            )
            continue
        if only_one:
            perms = raw[source][1]
        if stacker.constant(j):  # permuting changes nothing
            jobs.append(functools.partial(FeatureImportance, name, 0.0, 0.0, source))
            continue
        jobs.append(
            functools.partial(
                _importance,
                name,
                functools.partial(stacker.permuted, j, perms),
                predict,
                context.score,
                context.baseline,
                context.sign,
                context.n_repeats,
                n_rows,
                source,
            )
        )
    return _run_all(jobs, context.n_jobs), None
