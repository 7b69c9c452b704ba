"""Model explanations: permutation importance of a fitted AutoML pipeline (Azure's
``model_explainability=True``).

Permuting one feature's values across the rows breaks its link with the label; how much
the metric gets worse is the feature's importance. Two views:

* **raw**: a column of the raw DataFrame is permuted and the rows go through the whole
  pipeline (featurizer -> adapter -> model), for any pipeline, ensembles included;
* **engineered**: a column of the adapted matrix the learner sees is permuted and only the
  model predicts again (single-member pipelines only: the members of an ensemble see
  different matrices).

Importance is goal-aware: ``baseline - permuted`` for a maximised metric and
``permuted - baseline`` for a minimised one, so a positive importance always means the
feature helps. Each feature is permuted ``n_repeats`` times; ``importance`` is the mean
drop and ``std`` its standard deviation over the repeats. The permutations come from
``numpy.random.default_rng(seed)`` in a fixed order, so a result is reproducible.

Example:
    >>> explanation = explain_model(result.best_model, X_valid, y_valid,  # doctest: +SKIP
    ...                             task="classification", metric="AUC_weighted")
    >>> explanation.top(3)  # doctest: +SKIP
    [FeatureImportance(name='income', importance=0.21, std=0.01, raw_column=None), ...]
"""

from __future__ import annotations

import functools
import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = ["EXPLANATION_ARTIFACT", "Explanation", "FeatureImportance", "explain_model"]

EXPLANATION_ARTIFACT = "explanation.json"
"""The artifact name the runner stores an explanation under (on the parent run)."""

_FORMAT_VERSION = 1
DEFAULT_MAX_ENGINEERED = 500
"""Adapted matrices with more columns (large TF-IDF blocks) get raw importance only."""


@dataclass(frozen=True)
class FeatureImportance:
    """One feature's permutation importance.

    Attributes:
        name: The raw column, or the engineered (adapted) feature's name.
        importance: Mean drop of the metric when the feature is permuted (goal-aware:
            positive means the feature helps; about 0 means the model does not use it).
        std: Standard deviation of the drop over the repeats.
        raw_column: For an engineered feature, the raw column it comes from (None for a
            raw feature).
    """

    name: str
    importance: float
    std: float
    raw_column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: non-finite numbers become None."""
        return {
            "name": self.name,
            "importance": _json_float(self.importance),
            "std": _json_float(self.std),
            "raw_column": self.raw_column,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureImportance:
        """Inverse of :meth:`to_dict`."""
        raw_column = data.get("raw_column")
        return cls(
            name=str(data["name"]),
            importance=_from_json_float(data["importance"]),
            std=_from_json_float(data["std"]),
            raw_column=None if raw_column is None else str(raw_column),
        )


@dataclass(frozen=True)
class Explanation:
    """Permutation importances of a model on a set of labelled rows.

    Attributes:
        raw: Per raw column, most important first.
        engineered: Per adapted feature, most important first; None when not computed
            (an ensemble, or more adapted columns than the limit: ``note`` says why).
        metric: The metric whose drop is measured.
        n_rows: Rows scored (after subsampling to ``max_rows``).
        n_repeats: Permutations per feature.
        baseline: The metric on the rows as given.
        goal: ``"maximize"`` or ``"minimize"`` (the metric's).
        seed: Seed of the permutations and the subsample.
        note: Why ``engineered`` is None, or None.
    """

    raw: list[FeatureImportance]
    engineered: list[FeatureImportance] | None
    metric: str
    n_rows: int
    n_repeats: int
    baseline: float = math.nan
    goal: str = "maximize"
    seed: int = 0
    note: str | None = None

    def top(
        self, k: int = 10, kind: Literal["raw", "engineered"] = "raw"
    ) -> list[FeatureImportance]:
        """The ``k`` most important features of ``kind`` (empty when not computed).

        Raises:
            ValueError: ``k`` is not a non-negative integer or ``kind`` is unknown.
        """
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
            raise ValueError(f"`k` must be an integer >= 0, got {k!r}")
        if kind not in ("raw", "engineered"):
            raise ValueError(f"`kind` must be 'raw' or 'engineered', got {kind!r}")
        items = self.raw if kind == "raw" else (self.engineered or [])
        return list(items[: int(k)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the ``explanation.json`` artifact); non-finite numbers -> None."""
        return {
            "format_version": _FORMAT_VERSION,
            "metric": self.metric,
            "goal": self.goal,
            "baseline": _json_float(self.baseline),
            "n_rows": self.n_rows,
            "n_repeats": self.n_repeats,
            "seed": self.seed,
            "note": self.note,
            "raw": [item.to_dict() for item in self.raw],
            "engineered": (
                None if self.engineered is None else [item.to_dict() for item in self.engineered]
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: A format version this code does not read.
        """
        version = data.get("format_version", _FORMAT_VERSION)
        if version != _FORMAT_VERSION:
            raise ValueError(
                f"`format_version` must be {_FORMAT_VERSION}, got {version!r}; "
                "the explanation was written by another version of openaml"
            )
        engineered = data.get("engineered")
        note = data.get("note")
        return cls(
            raw=[FeatureImportance.from_dict(item) for item in data["raw"]],
            engineered=(
                None
                if engineered is None
                else [FeatureImportance.from_dict(item) for item in engineered]
            ),
            metric=str(data["metric"]),
            n_rows=int(data["n_rows"]),
            n_repeats=int(data["n_repeats"]),
            baseline=_from_json_float(data.get("baseline")),
            goal=str(data.get("goal", "maximize")),
            seed=int(data.get("seed", 0)),
            note=None if note is None else str(note),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per feature: kind (raw/engineered), name, importance, std, raw_column."""
        import pandas as pd

        rows = [{"kind": "raw", **item.to_dict()} for item in self.raw]
        rows += [{"kind": "engineered", **item.to_dict()} for item in self.engineered or []]
        columns = ["kind", "name", "importance", "std", "raw_column"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["importance"] = frame["importance"].astype("float64")
        frame["std"] = frame["std"].astype("float64")
        return frame

    def properties(self, k: int = 5) -> dict[str, str]:
        """Run properties for the store: the metric and the top ``k`` raw importances.

        Example:
            >>> Explanation([FeatureImportance("a", 0.5, 0.01)], None, "r2", 10, 5).properties()
            {'explanation.metric': 'r2', 'explanation.raw.1': 'a=0.5'}
        """
        out = {"explanation.metric": self.metric}
        for rank, item in enumerate(self.top(k), start=1):
            out[f"explanation.raw.{rank}"] = f"{item.name}={item.importance:.6g}"
        return out


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


class _Stacker:
    """``n_repeats`` copies of an adapted matrix stacked, with one column permuted per copy.

    Handles what adapters return: a DataFrame (native, category columns kept), a dense
    array, or a scipy sparse matrix (the permuted column is swapped in by adding a sparse
    difference, so the cost is the column's non-zeros, not the matrix's).
    """

    def __init__(self, matrix: Any, n_repeats: int) -> None:
        import numpy as np
        import pandas as pd
        import scipy.sparse as sp

        self.matrix = matrix
        self.n_rows = int(matrix.shape[0])
        self.n_repeats = n_repeats
        self.kind: Literal["frame", "sparse", "dense"]
        if isinstance(matrix, pd.DataFrame):
            self.kind = "frame"
            self.stacked: Any = matrix.iloc[np.tile(np.arange(self.n_rows), n_repeats)]
            self.stacked = self.stacked.reset_index(drop=True)
        elif sp.issparse(matrix):
            self.kind = "sparse"
            self.csc = sp.csc_matrix(matrix)
            self.stacked = sp.vstack([sp.csr_matrix(matrix)] * n_repeats, format="csr")
        else:
            self.kind = "dense"
            self.stacked = np.tile(np.asarray(matrix), (n_repeats, 1))

    def _column(self, j: int) -> Any:
        if self.kind == "frame":
            return self.matrix.iloc[:, j]
        if self.kind == "sparse":
            return self.csc[:, j].toarray().ravel()
        return self.matrix[:, j]

    def constant(self, j: int) -> bool:
        """Whether column ``j`` holds one value on every row (NaN counts as a value)."""
        import pandas as pd

        values = pd.Series(self._column(j))
        return bool(values.nunique(dropna=False) <= 1)

    def permuted(self, j: int, perms: list[NDArray[np.int64]]) -> Any:
        import numpy as np
        import scipy.sparse as sp

        order = np.concatenate(perms)
        if self.kind == "frame":
            out = self.stacked.copy(deep=False)
            out[out.columns[j]] = self.matrix.iloc[order, j].reset_index(drop=True)
            return out
        if self.kind == "dense":
            dense = self.stacked.copy()
            dense[:, j] = self.matrix[order, j]
            return dense
        column = np.asarray(self._column(j), dtype=np.float64)
        diff = column[order] - np.tile(column, self.n_repeats)
        rows = np.flatnonzero(diff)
        delta = sp.csr_matrix((diff[rows], (rows, np.full(len(rows), j))), shape=self.stacked.shape)
        result = (self.stacked + delta).astype(self.stacked.dtype)
        result.eliminate_zeros()
        return result


def _sorted(items: list[FeatureImportance]) -> list[FeatureImportance]:
    """Most important first; NaN last; ties by name (deterministic)."""
    return sorted(
        items,
        key=lambda item: (
            math.isnan(item.importance),
            -item.importance if not math.isnan(item.importance) else 0.0,
            item.name,
        ),
    )


def _json_float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _from_json_float(value: Any) -> float:
    return math.nan if value is None else float(value)
