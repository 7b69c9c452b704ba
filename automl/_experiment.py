"""``run_automl``: the AutoML experiment runner behind ``AutoMLConfig(...).fit()``.

Data prep in this process (load, drop missing labels, guardrails, validation plan, folds,
featurize once per fold into a cache), then the one controller of ``trials`` drives the
:class:`~automl._searcher.AutoMLSearcher` with :func:`automl._child.train` in worker
processes; the best child is refitted on every training row into an
:class:`~automl._pipeline.AutoMLPipeline`, saved and registered with its lineage.

The timeout is a promise (DESIGN.md): the whole fit ends within ``budget x 1.05 + 5 s``.
Time is reserved for the refit, and a child whose refit would not fit in what is left is
passed over for the best one that does.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl._config_checks import AutoMLConfigError
from automl._prepare import PreparedData
from trials import TrialTarget

if TYPE_CHECKING:
    from automl._config import AutoMLConfig
    from automl._pipeline import AutoMLPipeline
    from automl._result import AutoMLResult
    from automl._searcher import AutoMLSearcher
    from trials import ModelVersion, Run, SweepResult, Workspace
    from trials.executors import Executor, Resources, TrainFunction

__all__ = ["run_automl"]

DEFAULT_MAX_TRIALS = 1000
"""Azure's default number of iterations."""
_REFIT_RESERVE_FRACTION = 0.1
_REFIT_RESERVE_MIN_S = 2.0
_EXPLAIN_RESERVE_FRACTION = 0.05


class ChildTarget(TrialTarget):
    """:func:`automl._child.train` bound to the experiment's fold cache.

    An ensemble child's members (trial indexes in its params) are bound as the paths of
    their out-of-fold predictions, which only this process knows; with an executor whose
    trials may run elsewhere (Ray), those files go through its shared store as well.
    """

    def __init__(
        self,
        cache_dir: str,
        runs_dir: Path,
        searcher: AutoMLSearcher,
        n_jobs: int = 1,
        executor: Executor | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.runs_dir = runs_dir
        self.searcher = searcher
        self.n_jobs = n_jobs
        self.executor = executor
        self._shared: set[str] = set()

    def for_trial(self, params: Mapping[str, Any]) -> TrainFunction:
        """The child function with the cache folder (and ensemble members) bound; a
        learner given a GPU trains on it."""
        from automl._child import OOF_ARTIFACT, train
        from automl._searcher import ENSEMBLE_KEY, MEMBERS_KEY

        if ENSEMBLE_KEY not in params:
            gpu = self.searcher.uses_gpu(str(params["learner"]))
            return functools.partial(train, cache_dir=self.cache_dir, n_jobs=self.n_jobs, gpu=gpu)
        members = [
            (run_id, learner, str(self.runs_dir / run_id / OOF_ARTIFACT))
            for run_id, learner in self.searcher.run_ids(list(params[MEMBERS_KEY]))
        ]
        self._share([path for _, _, path in members])
        return functools.partial(train, cache_dir=self.cache_dir, members=members)

    def _share(self, paths: list[str]) -> None:
        from automl._fold_data import share_files

        new = [path for path in paths if path not in self._shared]
        if self.executor is not None and new and share_files(self.executor, new):
            self._shared.update(new)

    def identity(self) -> dict[str, Any]:
        """``{"type": "function", "name": "automl._child:train"}`` (no paths)."""
        return {"type": "function", "name": "automl._child:train"}


def _new_name() -> str:
    from trials._sweep import new_experiment_name

    return new_experiment_name("automl")


def _open_workspace(value: object) -> Workspace:
    """The config's workspace; one opened here stays open for the result's reads."""
    from trials import Workspace

    if isinstance(value, Workspace):
        return value
    return Workspace(value)  # type: ignore[arg-type]


def _budget(config: AutoMLConfig) -> float | None:
    minutes = config.experiment_timeout_minutes
    return None if minutes is None else float(minutes) * 60.0


def _search_timeout(
    budget: float | None, started: float, ensemble: bool, explain: bool = False
) -> float | None:
    """Seconds left for the search: the budget less the prep so far and the refit reserve.

    An ensemble refits several children, so it reserves twice as much; an explanation of
    the best model adds its own share. (Smaller reserves were tried: on optdigits and
    wine_quality_white at 60 s the best ensemble's refit then no longer fitted and a weaker
    child was registered.)
    """
    if budget is None:
        return None
    fraction = _REFIT_RESERVE_FRACTION * (2.0 if ensemble else 1.0)
    fraction += _EXPLAIN_RESERVE_FRACTION if explain else 0.0
    reserve = max(_REFIT_RESERVE_MIN_S, fraction * budget)
    return max(0.5, budget - reserve - (time.monotonic() - started))


def _search(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    prepared: PreparedData,
    started: float,
    show_output: bool = True,
) -> SweepResult:
    from automl._fold_data import cache_files, share_files
    from automl._searcher import AutoMLSearcher, DataShape, SearchEnd
    from automl.metrics import goal_of
    from trials import Controller, ControllerOptions, Limits, Objective, make_policy
    from trials._progress import make_progress
    from trials.executors import Executor, Resources, make_executor

    metric = str(config.primary_metric)
    plan = prepared.plan
    definition = {
        **config.search_config(),
        "data_fingerprint": prepared.fingerprint,
    }
    trial_minutes = config.iteration_timeout_minutes
    limits = Limits(
        max_total_trials=config.max_trials or DEFAULT_MAX_TRIALS,
        max_concurrent_trials=config.max_concurrent_iterations,
        timeout=_search_timeout(
            _budget(config),
            started,
            bool(config.enable_voting_ensemble),
            bool(config.model_explainability),
        ),
        trial_timeout=None if trial_minutes is None else trial_minutes * 60.0,
    )
    deadline = None
    if limits.timeout is not None:  # close the search in time for the ensemble child
        share = 0.08 if not config.enable_stack_ensemble else 0.12
        deadline = time.monotonic() + limits.timeout - max(1.0, share * limits.timeout)
    cores = config.max_cores_per_iteration
    n_jobs = max(1, os.cpu_count() or 1) if cores == -1 else max(1, int(cores))
    resources = Resources(cpus=n_jobs, mem_in_mb=config.mem_in_mb)
    gpu_resources = _gpu_resources(config, prepared, resources)
    searcher = AutoMLSearcher(
        prepared.selection.learners,
        config.task,
        DataShape(plan.n_rows, plan.n_features, len(plan.classes)),
        metric,
        seed=config.seed,
        definition=definition,
        end=SearchEnd(
            max_trials=config.max_trials or DEFAULT_MAX_TRIALS,
            voting_ensemble=bool(config.enable_voting_ensemble),
            stack_ensemble=bool(config.enable_stack_ensemble),
            exit_score=config.experiment_exit_score,
            early_stopping=bool(config.enable_early_stopping),
            deadline=deadline,
        ),
        gpu_resources=gpu_resources,
    )
    owned = not isinstance(config.executor, Executor)
    executor = (
        make_executor(str(config.executor), max_concurrency=config.max_concurrent_iterations)
        if not isinstance(config.executor, Executor)
        else config.executor
    )
    share_files(executor, cache_files(plan.cache_dir))
    objective = Objective(metric, goal_of(metric))
    controller = Controller(
        searcher,
        ChildTarget(plan.cache_dir, workspace.artifact_root / "runs", searcher, n_jobs, executor),
        executor,
        make_policy(config.early_termination_policy),
        limits,
        workspace,
        name,
        objective=objective,
        options=ControllerOptions(
            experiment_kind="automl",
            resources=resources,
            shutdown_executor=owned,
            progress=make_progress(objective, quiet=not show_output),
        ),
    )
    return controller.run()


def _gpu_resources(
    config: AutoMLConfig, prepared: PreparedData, resources: Resources
) -> Resources | None:
    """What a child of a GPU-capable learner asks for (None without ``gpus_per_iteration``).

    Raises:
        AutoMLConfigError: GPUs asked for, but no learner of the search can use one.
    """
    import dataclasses

    gpus = float(config.gpus_per_iteration)
    if gpus <= 0:
        return None
    learners = prepared.selection.learners
    if not any(learner.info.supports_gpu for learner in learners):
        from automl.learners import learner_names

        capable = [name for name in learner_names(config.task) if _supports_gpu(name)]
        raise AutoMLConfigError(
            f"`gpus_per_iteration` is {gpus:g}, but none of the models searched "
            f"({', '.join(learner.info.name for learner in learners)}) can train on a GPU; "
            f"allow one of {', '.join(capable)} or set gpus_per_iteration=0"
        )
    return dataclasses.replace(resources, gpus=gpus)


def _supports_gpu(name: str) -> bool:
    from automl.learners import get_learner

    return get_learner(name).info.supports_gpu


def _ranked_children(
    workspace: Workspace, parent_id: str, metric: str
) -> list[tuple[float, Run, dict[str, float]]]:
    from automl.metrics import score_for_search

    ranked: list[tuple[float, Run, dict[str, float]]] = []
    for run in workspace.children(parent_id):
        if str(run.status) != "completed":
            continue
        metrics = workspace.final_metrics(run.id)
        value = metrics.get(metric)
        if value is None:
            continue
        ranked.append((score_for_search(metric, value), run, metrics))
    ranked.sort(key=lambda item: (-item[0], item[1].index or 0))
    return ranked


@dataclass(frozen=True)
class _Member:
    """A child to refit on every training row, with its weight in the final model."""

    learner: str
    hyperparameters: dict[str, Any]
    iterations: float | None
    weight: float
    estimate_s: float
    run_id: str = ""


def _member(run: Run, metrics: Mapping[str, float], weight: float, n_folds: int) -> _Member:
    from automl._child import FIT_TIME, ITERATIONS

    # One refit on all rows ~ one fold's fit, scaled up for the extra rows.
    estimate = 1.5 * metrics.get(FIT_TIME, 0.0) / max(1, n_folds) + 0.5
    return _Member(
        str(run.params["learner"]),
        dict(run.params.get("hyperparameters") or {}),
        metrics.get(ITERATIONS),
        weight,
        estimate,
        run.id,
    )


def _members_of(workspace: Workspace, run: Run, n_folds: int) -> tuple[list[_Member], Any]:
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


def _refit(
    prepared: PreparedData, config: AutoMLConfig, members: list[_Member], meta_learner: Any = None
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


def _from_holdout(
    workspace: Workspace, prepared: PreparedData, members: list[_Member], meta_learner: Any
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


def _registered_version(workspace: Workspace, name: str, run: Run) -> ModelVersion | None:
    """The version this experiment already registered for ``run`` (a resumed experiment)."""
    from trials import NotFoundError

    try:
        versions = workspace.models.versions(_model_name(name))
    except NotFoundError:
        return None
    for version in versions:
        extra = version.lineage.get("extra") or {}
        if version.source_run_id == run.id and extra.get("experiment_name") == name:
            return version
    return None


def _choose_and_refit(
    config: AutoMLConfig,
    workspace: Workspace,
    prepared: PreparedData,
    ranked: list[tuple[float, Run, dict[str, float]]],
    started: float,
    name: str,
) -> tuple[AutoMLPipeline | None, Run | None, dict[str, float], ModelVersion | None]:
    """Refit the best run whose refit fits in the time left (the promise).

    A run this experiment registered before (it is resumed after its end) is loaded from
    the registry instead, and registered no second time.
    """
    from automl._pipeline import load_model

    budget = _budget(config)
    for _, run, metrics in ranked:
        existing = _registered_version(workspace, name, run)
        if existing is not None:
            model = load_model(workspace, existing.name, existing.version)
            return model, run, metrics, existing
        members, meta_learner = _members_of(workspace, run, prepared.plan.n_folds)
        if budget is not None:
            left = budget - (time.monotonic() - started)
            if sum(member.estimate_s for member in members) + 0.5 > left:
                held = _from_holdout(workspace, prepared, members, meta_learner)
                if held is None:
                    continue
                return held, run, metrics, None
        return _refit(prepared, config, members, meta_learner), run, metrics, None
    return None, None, {}, None


def _register(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    model: AutoMLPipeline,
    run: Run,
    parent_id: str,
    prepared: PreparedData,
    summary: list[dict[str, Any]],
) -> tuple[Any, Path]:
    import joblib

    folder = workspace.artifact_root / "automl" / name / "model"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.joblib"
    joblib.dump(model, path)
    version = workspace.models.register(
        _model_name(name),
        path,
        run_id=run.id,
        tags={"algorithm": model.algorithm, "task": config.task},
        description=f"Best model of AutoML experiment {name!r}",
        data_fingerprint=prepared.fingerprint,
        extra_lineage={
            "parent_run_id": parent_id,
            "experiment_name": name,
            "config": config.to_dict(),
            "data_source": prepared.source,
            "featurization_summary": summary,
            "validation": prepared.validation,
        },
    )
    return version, path


def _model_name(experiment_name: str) -> str:
    allowed = "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in experiment_name)
    return allowed[:128]


def run_automl(config: AutoMLConfig, *, show_output: bool = True) -> AutoMLResult:
    """Run (or resume) the AutoML experiment ``config`` describes.

    Args:
        config: The validated configuration.
        show_output: Show progress while the search runs (Azure's
            ``experiment.submit(config, show_output=True)``): a live table in a terminal,
            one line per finished child otherwise. False shows nothing.

    Returns:
        The result: best model (refitted on every training row), leaderboard, guardrails,
        featurization summary, the registered model version, test scores (with test data)
        and the explanation (``model_explainability``).

    Example:
        >>> result = run_automl(AutoMLConfig("classification", training_data=df,  # doctest: +SKIP
        ...                                  label_column_name="y", max_trials=5))
        >>> result.best_model.predict(df)  # doctest: +SKIP
    """
    from automl._assess import assess
    from automl._result import AutoMLResult, leaderboard_frame
    from automl.metrics import metric_names

    started = time.monotonic()
    workspace = _open_workspace(config.workspace)
    name = config.experiment_name or _new_name()
    prepared = PreparedData(config, workspace, name)
    sweep = _search(config, workspace, name, prepared, started, show_output)
    metric = str(config.primary_metric)
    ranked = _ranked_children(workspace, sweep.parent_run_id, metric)
    model, best_run, best_metrics, version = _choose_and_refit(
        config, workspace, prepared, ranked, started, name
    )
    summary = [] if model is None else model.featurizer.get_featurization_summary()
    if model is not None and best_run is not None and version is None:
        version, _ = _register(
            config, workspace, name, model, best_run, sweep.parent_run_id, prepared, summary
        )
    assessment = None
    if model is not None:
        budget = _budget(config)
        left = None if budget is None else budget - (time.monotonic() - started) - 1.0
        assessment = assess(model, config, prepared, workspace, sweep.parent_run_id, left)
    board = leaderboard_frame(sweep.leaderboard, metric_names(config.task))
    return AutoMLResult(
        experiment_name=name,
        parent_run_id=sweep.parent_run_id,
        status=sweep.status,
        status_reason=sweep.status_reason,
        primary_metric=metric,
        best_model=model,
        best_run=best_run,
        best_score=best_metrics.get(metric),
        leaderboard=board,
        guardrails=prepared.guardrails,
        featurization_summary=summary,
        validation=prepared.validation,
        dropped_rows=prepared.dropped,
        data_fingerprint=prepared.fingerprint,
        registered_model_name=None if version is None else version.name,
        registered_model_version=None if version is None else version.version,
        model_version=version,
        skipped_models=dict(prepared.selection.skipped),
        test_scores={} if assessment is None else assessment.test_scores,
        explanation=None if assessment is None else assessment.explanation,
        explanation_note=None if assessment is None else assessment.explanation_note,
        workspace=workspace,
        sweep=sweep,
    )
