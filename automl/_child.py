"""The AutoML child: one (learner, hyperparameters) fitted and scored on every fold.

:func:`train` runs in a worker process. It loads the fold matrices by path (memory-mapped,
see :mod:`automl._fold_data`), fits the learner per fold, reports the primary metric as it
goes so that an early-termination policy can stop it, scores its out-of-fold predictions
with every metric of the task, and saves them as the artifact ``oof.joblib`` for the
ensembles.

Steps: fold ``f`` (0-based) ends at step ``(f + 1) * CHUNKS``; iterative learners also
report after each chunk of iterations (steps ``f * CHUNKS + 1 .. (f + 1) * CHUNKS``), so
every child reports on the same grid and a policy compares like with like.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from automl._fold_data import FoldMatrices, FoldPlan
    from automl.learners import Learner
    from trials import TrialContext

__all__ = [
    "CHUNKS",
    "ENSEMBLE_ARTIFACT",
    "HOLDOUT_MODEL_ARTIFACT",
    "OOF_ARTIFACT",
    "STACK_META_ARTIFACT",
    "predict_scores",
    "train",
]

CHUNKS = 4
"""Chunks of iterations per fold for iterative learners."""
OOF_ARTIFACT = "oof.joblib"
"""The artifact holding a child's out-of-fold predictions."""
HOLDOUT_MODEL_ARTIFACT = "holdout_model.joblib"
"""A holdout child's fitted model: the final model when a refit on every row would not fit
in the time left (deleted at the end unless it is used)."""
ENSEMBLE_ARTIFACT = "ensemble.json"
"""The artifact of an ensemble child: its kind and members (run id, learner, weight)."""
STACK_META_ARTIFACT = "stack_meta.joblib"
"""The artifact of a stack ensemble child: its meta-learner, fitted on every row."""
FIT_TIME = "fit_time"
COST = "cost"
ITERATIONS = "fitted_iterations"


class _Stopped(Exception):
    """The policy (or a cancel) stopped the child."""


def predict_scores(model: Any, X: Any, task: str, classes: list[Any]) -> NDArray[Any]:
    """Probabilities in ``classes`` order (classification) or predicted values (regression).

    A fold whose training rows lack a class gives that class probability 0.
    """
    import numpy as np

    if task != "classification":
        return np.asarray(model.predict(X), dtype=np.float64)
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    model_classes = list(getattr(model, "classes_", classes))
    if model_classes == list(classes):
        return proba
    out = np.zeros((proba.shape[0], len(classes)), dtype=np.float64)
    position = {label: j for j, label in enumerate(classes)}
    for j, label in enumerate(model_classes):
        out[:, position[label]] = proba[:, j]
    return out


def _score(
    plan: FoldPlan,
    y: Any,
    scores: NDArray[Any],
    metrics: list[str] | None,
    weights: NDArray[Any] | None = None,
) -> dict[str, float]:
    from automl.metrics import compute_metrics

    if plan.task == "classification":
        return compute_metrics(
            "classification",
            y,
            y_proba=scores,
            classes=plan.classes,
            positive_label=plan.positive_label,
            metrics=metrics,
            sample_weight=weights,
        )
    y_range = None if plan.y_range is None else (plan.y_range[0], plan.y_range[1])
    return compute_metrics(
        plan.task, y, scores, y_range=y_range, metrics=metrics, sample_weight=weights
    )


def _finite(values: Mapping[str, float]) -> dict[str, float]:
    return {name: float(value) for name, value in values.items() if math.isfinite(value)}


def _fit_fold(
    learner: Learner,
    hyperparameters: Mapping[str, Any],
    data: FoldMatrices,
    plan: FoldPlan,
    ctx: TrialContext,
    fold: int,
    n_jobs: int,
    gpu: bool = False,
) -> Any:
    estimator = learner.build(hyperparameters, plan.task, seed=plan.seed, n_jobs=n_jobs, gpu=gpu)
    metric = plan.primary_metric
    reported = [0]

    def on_chunk(step: int, model: Any) -> bool:
        # The fold's last step is reported once the fold is scored.
        if reported[0] < step < CHUNKS:
            reported[0] = step
            scores = predict_scores(model, data.X_valid, plan.task, plan.classes)
            value = _score(plan, data.y_valid, scores, [metric], data.w_valid).get(metric, math.nan)
            if math.isfinite(value):
                ctx.report(step=fold * CHUNKS + step, **{metric: value})
        return ctx.should_stop()

    eval_set = (data.X_valid, data.y_valid) if learner.info.early_stopping else None
    chunks = CHUNKS if learner.info.iterative else 1
    return learner.fit(
        estimator,
        data.X_train,
        data.y_train,
        eval_set=eval_set,
        on_chunk=on_chunk,
        chunks=chunks,
        sample_weight=data.w_train,
    )


def _weights(parts: list[tuple[Any, Any, NDArray[Any], Any]]) -> NDArray[Any] | None:
    """The validation rows' weights of the folds so far (None without weights)."""
    import numpy as np

    if parts[0][3] is None:
        return None
    return np.concatenate([np.asarray(part[3]) for part in parts])


def run_child(
    params: Mapping[str, Any],
    ctx: TrialContext,
    cache_dir: str,
    n_jobs: int = 1,
    gpu: bool = False,
) -> dict[str, float]:
    """Fit and score one child on every cached fold (what :func:`train` runs)."""
    import joblib
    import numpy as np

    from automl._fold_data import load_fold, load_plan
    from automl.learners import get_learner

    started = time.perf_counter()
    plan = load_plan(cache_dir)
    learner = get_learner(str(params["learner"]))
    hyperparameters = dict(params.get("hyperparameters") or {})
    kind = learner.info.input_kind
    metric = plan.primary_metric
    parts: list[tuple[Any, Any, NDArray[Any], Any]] = []
    iterations: list[int] = []
    for fold in range(plan.n_folds):
        data = load_fold(cache_dir, fold, kind)
        model = _fit_fold(learner, hyperparameters, data, plan, ctx, fold, n_jobs, gpu)
        used = learner.fitted_iterations(model)
        if used is not None:
            iterations.append(used)
        scores = predict_scores(model, data.X_valid, plan.task, plan.classes)
        parts.append((np.asarray(data.valid_rows), np.asarray(data.y_valid), scores, data.w_valid))
        truth = np.concatenate([part[1] for part in parts])
        so_far = np.concatenate([part[2] for part in parts])
        value = _score(plan, truth, so_far, [metric], _weights(parts)).get(metric, math.nan)
        if math.isfinite(value):
            ctx.report(step=(fold + 1) * CHUNKS, **{metric: value})
        if ctx.should_stop():
            return {metric: value} if math.isfinite(value) else {}
    rows = np.concatenate([part[0] for part in parts])
    truth = np.concatenate([part[1] for part in parts])
    oof = np.concatenate([part[2] for part in parts])
    fold_ids = np.concatenate([np.full(len(part[0]), j) for j, part in enumerate(parts)])
    path = ctx.artifact_dir / OOF_ARTIFACT
    path.parent.mkdir(parents=True, exist_ok=True)
    if plan.n_folds == 1:
        model_path = ctx.artifact_dir / HOLDOUT_MODEL_ARTIFACT
        joblib.dump(model, model_path)
        ctx.log_artifact(model_path, HOLDOUT_MODEL_ARTIFACT)
    weights = _weights(parts)
    joblib.dump(
        {"rows": rows, "y": truth, "predictions": oof, "folds": fold_ids, "weights": weights},
        path,
    )
    ctx.log_artifact(path, OOF_ARTIFACT)
    metrics = _finite(_score(plan, truth, oof, None, weights))
    n_classes = len(plan.classes) or None
    metrics[COST] = learner.cost(
        hyperparameters,
        n_rows=max(1, plan.n_rows),
        n_features=max(1, plan.n_features.get(kind, 1)),
        n_classes=n_classes if plan.task == "classification" else None,
    )
    if iterations:
        metrics[ITERATIONS] = float(np.mean(iterations))
    metrics[FIT_TIME] = time.perf_counter() - started
    return metrics


def run_ensemble(
    ctx: TrialContext, cache_dir: str, members: list[tuple[str, str, str]], kind: str
) -> dict[str, float]:
    """An ensemble over the members' out-of-fold predictions.

    ``VotingEnsemble``: greedy (Caruana) selection with replacement, the weights in
    ``ensemble.json``. ``StackEnsemble``: a meta-learner on the best members' out-of-fold
    predictions, scored out of fold itself; the meta-learner fitted on every row is the
    artifact ``stack_meta.joblib``.

    Args:
        ctx: The trial context.
        cache_dir: Folder of the cached folds (for the plan: task, classes, metric).
        members: ``(run id, learner, path of its oof.joblib)`` of each candidate.
        kind: ``"VotingEnsemble"`` or ``"StackEnsemble"``.
    """
    import json

    import joblib
    import numpy as np

    from automl._fold_data import load_plan, read_cached
    from automl.ensembles import ChildPredictions, build_ensembles

    started = time.perf_counter()
    plan = load_plan(cache_dir)
    first: dict[str, Any] | None = None
    children: list[ChildPredictions] = []
    predictions: dict[str, NDArray[Any]] = {}
    learners: dict[str, str] = {}
    for run_id, learner, oof_file in members:
        data = read_cached(oof_file)
        if first is None:
            first = data
        elif not np.array_equal(data["rows"], first["rows"]):
            continue  # scored on other rows (cannot happen with one fold plan)
        predictions[run_id] = np.asarray(data["predictions"], dtype=np.float64)
        learners[run_id] = learner
        children.append(ChildPredictions(run_id, learner, math.nan, predictions[run_id]))
    if first is None or len(children) < 2:
        raise ValueError(
            f"a {kind} needs the predictions of at least 2 children, got {len(children)}"
        )
    y_range = None if plan.y_range is None else (plan.y_range[0], plan.y_range[1])
    weights = first.get("weights")
    [candidate] = build_ensembles(
        children,
        first["y"],
        task=plan.task,
        metric=plan.primary_metric,
        classes=plan.classes or None,
        sample_weight=weights,
        seed=plan.seed,
        enable_voting=kind == "VotingEnsemble",
        enable_stack=kind == "StackEnsemble",
        y_range=y_range,
        positive_label=plan.positive_label,
    )
    rows = slice(None)
    if candidate.kind == "VotingEnsemble":
        voting = dict(zip(candidate.member_run_ids, candidate.weights or (), strict=True))
        oof = np.asarray(sum(weight * predictions[run_id] for run_id, weight in voting.items()))
        chosen: list[tuple[str, float | None]] = list(voting.items())
        description: dict[str, Any] = {"kind": candidate.kind}
    else:
        oof = np.asarray(candidate.oof_predictions)
        if candidate.oof_rows is not None:
            rows = candidate.oof_rows
        chosen = [(run_id, None) for run_id in candidate.member_run_ids]
        description = {"kind": candidate.kind, "meta_learner": candidate.meta_learner_type}
        meta_path = ctx.artifact_dir / STACK_META_ARTIFACT
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(candidate.meta_learner, meta_path)
        ctx.log_artifact(meta_path, STACK_META_ARTIFACT)
    description["members"] = [
        {"run_id": run_id, "learner": learners[run_id], "weight": weight}
        for run_id, weight in chosen
    ]
    path = ctx.artifact_dir / ENSEMBLE_ARTIFACT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(description, indent=2), encoding="utf-8")
    ctx.log_artifact(path, ENSEMBLE_ARTIFACT)
    oof_path = ctx.artifact_dir / OOF_ARTIFACT
    joblib.dump({**first, "predictions": oof}, oof_path)
    ctx.log_artifact(oof_path, OOF_ARTIFACT)
    scored_weights = None if weights is None else np.asarray(weights)[rows]
    metrics = _finite(_score(plan, np.asarray(first["y"])[rows], oof[rows], None, scored_weights))
    metrics[COST] = 1.0
    metrics[FIT_TIME] = time.perf_counter() - started
    return metrics


def train(
    params: dict[str, Any],
    ctx: TrialContext,
    *,
    cache_dir: str,
    members: list[tuple[str, str, str]] | None = None,
    n_jobs: int = 1,
    gpu: bool = False,
) -> dict[str, float]:
    """The trial function of an AutoML child (bound to its cache folder by the target).

    Args:
        params: ``{"learner": name, "hyperparameters": {...}}``, or for an ensemble child
            ``{"ensemble": "VotingEnsemble" | "StackEnsemble", "members": [trial indexes]}``.
        ctx: The trial context.
        cache_dir: Folder of the cached fold matrices (:mod:`automl._fold_data`).
        members: For an ensemble: ``(run id, learner, oof path)`` of each candidate.
        n_jobs: Threads of the learner (``max_cores_per_iteration``).
        gpu: Train on the GPU the executor gave the trial (``gpus_per_iteration``).

    Returns:
        Every metric of the task on the out-of-fold predictions, ``fit_time`` (seconds),
        ``cost`` (counted work) and, for iterative learners, ``fitted_iterations``.
    """
    if "ensemble" in params:
        return run_ensemble(ctx, cache_dir, members or [], str(params["ensemble"]))
    return run_child(params, ctx, cache_dir, n_jobs, gpu)
