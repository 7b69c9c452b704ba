"""Refitting the best child on every training row: the children a run stands for (itself,
or an ensemble's members with their weights and a stack's meta-learner), each refitted with
its hyperparameters and the boosting rounds its folds used, into one
:class:`~automl._pipeline.AutoMLPipeline`; and, where a refit would not fit in the time left,
the models a holdout's children already fitted (the timeout is a promise, DESIGN.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automl._experiment_common import experiment_budget, registered_version

if TYPE_CHECKING:
    from automl._config import AutoMLConfig
    from automl._pipeline import AutoMLPipeline
    from automl._prepare import PreparedData
    from trials import ModelVersion, Run, Workspace

__all__ = ["RefitMember", "choose_and_refit", "from_holdout", "members_of", "refit"]


@dataclass(frozen=True)
class RefitMember:
    """A child to refit on every training row, with its weight in the final model."""

    learner: str
    hyperparameters: dict[str, Any]
    iterations: float | None
    weight: float
    estimate_s: float
    run_id: str = ""


def _member(run: Run, metrics: Mapping[str, float], weight: float, n_folds: int) -> RefitMember:
    from automl._child import FIT_TIME, ITERATIONS

    # One refit on all rows ~ one fold's fit, scaled up for the extra rows.
    estimate = 1.5 * metrics.get(FIT_TIME, 0.0) / max(1, n_folds) + 0.5
    return RefitMember(
        str(run.params["learner"]),
        dict(run.params.get("hyperparameters") or {}),
        metrics.get(ITERATIONS),
        weight,
        estimate,
        run.id,
    )


def members_of(workspace: Workspace, run: Run, n_folds: int) -> tuple[list[RefitMember], Any]:
    """The children a run stands for (itself, or an ensemble's members) and, for a stack
    ensemble, its meta-learner."""
    import json

    import joblib

    from automl._child import ENSEMBLE_ARTIFACT, STACK_META_ARTIFACT
    from automl._searcher import ENSEMBLE_KEY

    if ENSEMBLE_KEY not in run.params:
        return [_member(run, workspace.final_metrics(run.id), 1.0, n_folds)], None
    folder = workspace.artifact_root / "runs" / run.id
    description = json.loads((folder / ENSEMBLE_ARTIFACT).read_text(encoding="utf-8"))
    members = [
        _member(
            workspace.get_run(item["run_id"]),
            workspace.final_metrics(item["run_id"]),
            1.0 if item["weight"] is None else float(item["weight"]),
            n_folds,
        )
        for item in description["members"]
    ]
    if description["kind"] != "StackEnsemble":
        return members, None
    return members, joblib.load(folder / STACK_META_ARTIFACT)


def refit(
    prepared: PreparedData,
    config: AutoMLConfig,
    members: list[RefitMember],
    meta_learner: Any = None,
) -> AutoMLPipeline:
    from automl._pipeline import AutoMLPipeline, PipelineMember
    from automl.learners import get_learner
    from featurization import Featurizer, make_adapter

    task = config.task
    cores = max(1, os.cpu_count() or 1)
    child_jobs = cores if config.max_cores_per_iteration == -1 else config.max_cores_per_iteration
    featurizer = Featurizer(prepared.featurization)
    base = featurizer.fit_transform(prepared.X, prepared.y, task=task)
    adapters: dict[str, Any] = {}
    fitted: list[PipelineMember] = []
    for member in members:
        learner = get_learner(member.learner)
        kind = learner.info.input_kind
        if kind not in adapters:
            adapters[kind] = make_adapter(kind).fit(base)
        hyperparameters = dict(member.hyperparameters)
        if learner.info.iterations_param is not None and member.iterations is not None:
            hyperparameters[learner.info.iterations_param] = max(1, round(member.iterations))
        # Fitted with the child's threads (a fold's fit time predicts the refit's; OpenMP on
        # more threads made a small multiclass LightGBM refit 10x slower), predicting with
        # every core.
        estimator = learner.build(hyperparameters, task, seed=config.seed, n_jobs=child_jobs)
        model = learner.fit(
            estimator, adapters[kind].transform(base), prepared.y, sample_weight=prepared.weights
        )
        _predict_with_threads(model, cores)
        fitted.append(
            PipelineMember(learner.info.name, hyperparameters, adapters[kind], model, member.weight)
        )
    classes = prepared.plan.classes if task == "classification" else None
    return AutoMLPipeline(featurizer, fitted, task=task, classes=classes, meta_learner=meta_learner)


def from_holdout(
    workspace: Workspace, prepared: PreparedData, members: list[RefitMember], meta_learner: Any
) -> AutoMLPipeline | None:
    """The run's models as its children fitted them on the holdout's training rows, when a
    refit on every row would not fit in the time left (None: not a holdout, or a model is
    missing). They saw 90 % of the rows instead of all; no time is spent refitting."""
    import joblib

    from automl._child import HOLDOUT_MODEL_ARTIFACT
    from automl._fold_data import load_fold_transforms
    from automl._pipeline import AutoMLPipeline, PipelineMember
    from automl.learners import get_learner

    transforms = load_fold_transforms(prepared.plan.cache_dir)
    if transforms is None:
        return None
    paths = [
        workspace.artifact_root / "runs" / member.run_id / HOLDOUT_MODEL_ARTIFACT
        for member in members
    ]
    if not all(path.is_file() for path in paths):
        return None
    cores = max(1, os.cpu_count() or 1)
    fitted = []
    for member, path in zip(members, paths, strict=True):
        kind = get_learner(member.learner).info.input_kind
        model = joblib.load(path)
        _predict_with_threads(model, cores)
        fitted.append(
            PipelineMember(
                member.learner,
                dict(member.hyperparameters),
                transforms["adapters"][kind],
                model,
                member.weight,
            )
        )
    task = prepared.plan.task
    classes = prepared.plan.classes if task == "classification" else None
    return AutoMLPipeline(
        transforms["featurizer"], fitted, task=task, classes=classes, meta_learner=meta_learner
    )


def _predict_with_threads(model: Any, threads: int) -> None:
    """Let a fitted model predict with ``threads`` threads where its library allows it."""
    for part in (model, getattr(model, "estimator", None)):
        if part is None:
            continue
        if getattr(part, "threads", None) is not None:  # an AdaptedModel's OpenMP cap
            part.threads = threads
        get_params = getattr(part, "get_params", None)
        if not callable(get_params):
            continue
        try:
            if "n_jobs" in get_params(deep=False):
                part.set_params(n_jobs=threads)
        except Exception:  # a library that refuses (CatBoost): it keeps its threads
            continue


def choose_and_refit(
    config: AutoMLConfig,
    workspace: Workspace,
    prepared: PreparedData,
    ranked: list[tuple[Run, dict[str, float]]],
    started: float,
    name: str,
) -> tuple[AutoMLPipeline | None, Run | None, dict[str, float], ModelVersion | None]:
    """Refit the best run whose refit fits in the time left (the promise).

    A run this experiment registered before (it is resumed after its end) is loaded from
    the registry instead, and registered no second time.
    """
    from automl._pipeline import load_model

    budget = experiment_budget(config)
    for run, metrics in ranked:
        existing = registered_version(workspace, name, run)
        if existing is not None:
            model = load_model(workspace, existing.name, existing.version)
            return model, run, metrics, existing
        members, meta_learner = members_of(workspace, run, prepared.plan.n_folds)
        if budget is not None:
            left = budget - (time.monotonic() - started)
            if sum(member.estimate_s for member in members) + 0.5 > left:
                held = from_holdout(workspace, prepared, members, meta_learner)
                if held is None:
                    continue
                return held, run, metrics, None
        return refit(prepared, config, members, meta_learner), run, metrics, None
    return None, None, {}, None
