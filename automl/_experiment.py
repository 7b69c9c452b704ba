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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl._config import DEFAULT_MAX_TRIALS
from automl._experiment_common import (
    experiment_budget,
    gpu_resources,
    new_experiment_name,
    open_workspace,
    ranked_children,
    save_and_register,
    search_timeout,
)
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
        timeout=search_timeout(
            experiment_budget(config),
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
    from automl.learners import learner_names

    searched = [learner.info.name for learner in prepared.selection.learners]
    capable = [name for name in learner_names(config.task) if _supports_gpu(name)]
    hint = f"allow one of {', '.join(capable)}"
    usable = [name for name in searched if name in capable]
    return gpu_resources(config, resources, searched, usable, hint)


def _supports_gpu(name: str) -> bool:
    from automl.learners import get_learner

    return get_learner(name).info.supports_gpu


def _register(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    model: AutoMLPipeline,
    run: Run,
    parent_id: str,
    prepared: PreparedData,
    summary: list[dict[str, Any]],
) -> tuple[ModelVersion, Path]:
    return save_and_register(
        workspace,
        name,
        model,
        run,
        task=config.task,
        description=f"Best model of AutoML experiment {name!r}",
        data_fingerprint=prepared.fingerprint,
        lineage={
            "parent_run_id": parent_id,
            "config": config.to_dict(),
            "data_source": prepared.source,
            "featurization_summary": summary,
            "validation": prepared.validation,
        },
    )


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
    from automl._refit import choose_and_refit
    from automl._result import AutoMLResult, leaderboard_frame
    from automl.metrics import metric_names, score_for_search

    started = time.monotonic()
    workspace = open_workspace(config.workspace)
    name = config.experiment_name or new_experiment_name()
    prepared = PreparedData(config, workspace, name)
    sweep = _search(config, workspace, name, prepared, started, show_output)
    metric = str(config.primary_metric)
    ranked = ranked_children(
        workspace, sweep.parent_run_id, metric, lambda value: score_for_search(metric, value)
    )
    model, best_run, best_metrics, version = choose_and_refit(
        config, workspace, prepared, ranked, started, name
    )
    summary = [] if model is None else model.featurizer.get_featurization_summary()
    if model is not None and best_run is not None and version is None:
        version, _ = _register(
            config, workspace, name, model, best_run, sweep.parent_run_id, prepared, summary
        )
    assessment = None
    if model is not None:
        budget = experiment_budget(config)
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
