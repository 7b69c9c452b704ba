"""``run_forecasting``: the experiment behind ``AutoMLConfig(task="forecasting").fit()``.

1. Data prep in this process (:class:`._prepare.PreparedForecast`): load, prepare the panel
   with the forecasting guardrails, resolve the automatic settings, cut the rolling origins
   and cache them for the children.
2. Search: the one controller of ``trials`` drives :class:`._searcher.ForecastSearcher` with
   :func:`._child.train` in worker processes, under the config's limits, policy and executor.
   The timeout is a promise (``budget x 1.05 + 5 s``): time is reserved for the refit.
   With ``enable_voting_ensemble`` (the default) the last child is a VotingEnsemble: greedy
   selection over the children's rolling-origin forecasts (:mod:`._ensemble`), asked before
   the search's deadline (a share of the search time is kept for it).
3. The best completed child (by the primary metric's goal; the ensemble only when it scores
   strictly better than every child) whose refit fits in the time left is refitted on the
   whole panel into a :class:`._pipeline.ForecastingPipeline` (:mod:`._refit`; an ensemble as
   a :class:`forecasting.models.WeightedForecaster` of its refitted members), saved with
   joblib and registered with its lineage (the forecasting parameters included). A better
   run passed over for lack of time is named in the result's ``skipped_models``.
4. The result is an :class:`~automl.AutoMLResult` (leaderboard with every forecasting metric,
   an ensemble's members and weights as its hyperparameters, guardrails, the registered
   version).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl._config_checks import AutoMLConfigError
from trials import TrialTarget

if TYPE_CHECKING:
    import pandas as pd

    from automl._config import AutoMLConfig
    from automl._result import AutoMLResult
    from automl.tasks.forecasting._pipeline import ForecastingPipeline
    from automl.tasks.forecasting._prepare import PreparedForecast
    from automl.tasks.forecasting._searcher import ForecastSearcher
    from trials import ModelVersion, Run, SweepResult, Workspace
    from trials.executors import TrainFunction

__all__ = ["ForecastChildTarget", "run_forecasting"]

_CHILD = "automl.tasks.forecasting._child:train"
_ENSEMBLE_SHARE = 0.1
"""Share of the search time kept after the search's deadline for the ensemble child."""


class ForecastChildTarget(TrialTarget):
    """:func:`._child.train` bound to the experiment's fold cache.

    The ensemble child's members (trial indexes in its params) are bound as the paths of their
    saved forecasts, which only this process knows, with the seconds left before ``end``.
    """

    def __init__(
        self,
        cache_dir: str,
        runs_dir: Path | None = None,
        searcher: ForecastSearcher | None = None,
        end: float | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.runs_dir = runs_dir
        self.searcher = searcher
        self.end = end

    def for_trial(self, params: Mapping[str, Any]) -> TrainFunction:
        """The child function with the cache folder (and the ensemble's members) bound."""
        from automl.tasks.forecasting._child import OOF_ARTIFACT, train
        from automl.tasks.forecasting._ensemble import ENSEMBLE_KEY, MEMBERS_KEY

        if ENSEMBLE_KEY not in params or self.searcher is None or self.runs_dir is None:
            return functools.partial(train, cache_dir=self.cache_dir)
        members = [
            (run_id, learner, str(self.runs_dir / run_id / OOF_ARTIFACT))
            for run_id, learner in self.searcher.run_ids(list(params[MEMBERS_KEY]))
        ]
        left = None if self.end is None else max(0.0, self.end - time.monotonic())
        return functools.partial(train, cache_dir=self.cache_dir, members=members, time_left_s=left)

    def identity(self) -> dict[str, Any]:
        """``{"type": "function", "name": "automl.tasks.forecasting._child:train"}``."""
        return {"type": "function", "name": _CHILD}


def _search(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    data: PreparedForecast,
    started: float,
    show_output: bool,
) -> tuple[SweepResult, dict[str, str]]:
    from automl._config import DEFAULT_MAX_TRIALS
    from automl._experiment_common import experiment_budget, gpu_resources, search_timeout
    from automl.tasks.forecasting._models import NEURAL, plan_models
    from automl.tasks.forecasting._searcher import ForecastSearchEnd, ForecastSearcher
    from forecasting import METRIC_GOALS
    from trials import Controller, ControllerOptions, Limits, Objective, make_policy
    from trials._progress import make_progress
    from trials.executors import Executor, Resources, make_executor

    metric = str(config.primary_metric)
    plan = data.plan
    try:
        models = plan_models(
            config.allowed_models,
            config.blocked_models or (),
            use_stl=data.params.use_stl is not None,
            seasonality=plan.seasonality,
            enable_dnn=bool(config.enable_dnn),
        )
    except ValueError as error:
        raise AutoMLConfigError(str(error)) from None
    resources = Resources(cpus=plan.settings.n_jobs, mem_in_mb=config.mem_in_mb)
    trial_minutes = config.iteration_timeout_minutes
    voting = bool(config.enable_voting_ensemble)
    limits = Limits(
        max_total_trials=config.max_trials or DEFAULT_MAX_TRIALS,
        max_concurrent_trials=config.max_concurrent_iterations,
        timeout=search_timeout(experiment_budget(config), started, voting),
        trial_timeout=None if trial_minutes is None else trial_minutes * 60.0,
    )
    end = deadline = None
    if limits.timeout is not None:  # close the search in time for the ensemble child
        end = time.monotonic() + limits.timeout
        keep = max(1.0, _ENSEMBLE_SHARE * limits.timeout) if voting else 0.0
        deadline = end - keep
    goal = METRIC_GOALS[metric]
    searcher = ForecastSearcher(
        models.names,
        plan.size,
        plan.settings,
        metric,
        goal,
        seed=config.seed,
        definition={**config.search_config(), "data_fingerprint": data.fingerprint},
        end=ForecastSearchEnd(
            max_trials=limits.max_total_trials,
            voting_ensemble=voting,
            exit_score=config.experiment_exit_score,
            early_stopping=bool(config.enable_early_stopping),
            deadline=deadline,
        ),
        gpu_resources=gpu_resources(
            config,
            resources,
            models.names,
            [name for name in models.names if name in NEURAL],
            f"allow {', '.join(NEURAL)} (or set enable_dnn=True)",
        ),
    )
    owned = not isinstance(config.executor, Executor)
    executor = (
        config.executor
        if isinstance(config.executor, Executor)
        else make_executor(str(config.executor), max_concurrency=config.max_concurrent_iterations)
    )
    objective = Objective(metric, goal)
    controller = Controller(
        searcher,
        ForecastChildTarget(plan.cache_dir, workspace.artifact_root / "runs", searcher, end),
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
    return controller.run(), dict(models.skipped)


def _register(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    model: ForecastingPipeline,
    run: Run,
    parent_id: str,
    data: PreparedForecast,
) -> ModelVersion:
    from automl._experiment_common import save_and_register
    from automl.tasks.forecasting._checks import parameters_dict

    version, _ = save_and_register(
        workspace,
        name,
        model,
        run,
        task="forecasting",
        description=f"Best model of AutoML forecasting experiment {name!r}",
        data_fingerprint=data.fingerprint,
        lineage={
            "parent_run_id": parent_id,
            "config": config.to_dict(),
            "data_source": data.source,
            "forecasting_parameters": parameters_dict(data.params),
            "forecast_horizon": data.horizon,
            "freq": data.plan.freq,
            "seasonality": data.plan.seasonality,
            "validation": data.validation,
            "guardrails": data.prepared.guardrails.to_dict(),
        },
    )
    return version


def _with_ensemble_members(workspace: Workspace, board: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard with each ensemble's members and weights as its hyperparameters."""
    import pandas as pd

    from automl.tasks.forecasting._ensemble import ENSEMBLE_ARTIFACT

    if "kind" not in board.columns or "run_id" not in board.columns:
        return board
    values = list(board["hyperparameters"])
    for position, (kind, run_id) in enumerate(zip(board["kind"], board["run_id"], strict=True)):
        path = workspace.artifact_root / "runs" / str(run_id) / ENSEMBLE_ARTIFACT
        if kind != "ensemble" or not path.is_file():
            continue
        members = json.loads(path.read_text(encoding="utf-8"))["members"]
        values[position] = {
            "members": [item["learner"] for item in members],
            "weights": [round(float(item["weight"]), 6) for item in members],
            "member_run_ids": [item["run_id"] for item in members],
        }
    board["hyperparameters"] = pd.Series(values, index=board.index, dtype=object)
    return board


def _write_guardrails(workspace: Workspace, name: str, data: PreparedForecast) -> Path:
    folder = workspace.artifact_root / "automl" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "guardrails.json"
    path.write_text(
        json.dumps(data.prepared.guardrails.to_dict(), indent=2, default=str), encoding="utf-8"
    )
    return path


def run_forecasting(config: AutoMLConfig, *, show_output: bool = True) -> AutoMLResult:
    """Run (or resume) the forecasting experiment ``config`` describes.

    Args:
        config: The validated configuration (``task="forecasting"``).
        show_output: Show progress while the search runs (a live table in a terminal, one line
            per finished child otherwise); False shows nothing.

    Returns:
        The result: the best model (a :class:`~automl.tasks.forecasting.ForecastingPipeline`
        refitted on the whole panel), the leaderboard with every forecasting metric, the
        guardrails, the rolling-origin validation and the registered model version.

    Example:
        >>> params = ForecastingParameters("date", forecast_horizon=14)  # doctest: +SKIP
        >>> result = run_forecasting(AutoMLConfig("forecasting", training_data=df,  # doctest: +SKIP
        ...     label_column_name="sales", forecasting_parameters=params, max_trials=10))
        >>> result.best_model.forecast(future)  # doctest: +SKIP
    """
    from automl._experiment_common import (
        new_experiment_name,
        open_workspace,
        ranked_children,
    )
    from automl._result import AutoMLResult, leaderboard_frame
    from automl.tasks.forecasting._prepare import PreparedForecast
    from automl.tasks.forecasting._refit import choose_and_refit
    from forecasting import FORECAST_METRICS, METRIC_GOALS

    started = time.monotonic()
    workspace = open_workspace(config.workspace)
    name = config.experiment_name or new_experiment_name()
    data = PreparedForecast(config, workspace, name)
    _write_guardrails(workspace, name, data)
    sweep, skipped = _search(config, workspace, name, data, started, show_output)
    metric = str(config.primary_metric)
    sign = 1.0 if METRIC_GOALS[metric] == "maximize" else -1.0
    ranked = ranked_children(workspace, sweep.parent_run_id, metric, lambda value: sign * value)
    chosen = choose_and_refit(config, workspace, data, ranked, started, name)
    model, best_run, best_metrics, version = (
        chosen.model,
        chosen.run,
        chosen.metrics,
        chosen.version,
    )
    if model is not None and best_run is not None and version is None:
        version = _register(config, workspace, name, model, best_run, sweep.parent_run_id, data)
    board = _with_ensemble_members(
        workspace, leaderboard_frame(sweep.leaderboard, FORECAST_METRICS)
    )
    skipped = {**skipped, **chosen.passed_over}
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
        guardrails=data.prepared.guardrails,
        featurization_summary=[],
        validation=data.validation,
        dropped_rows=0,
        data_fingerprint=data.fingerprint,
        registered_model_name=None if version is None else version.name,
        registered_model_version=None if version is None else version.version,
        model_version=version,
        skipped_models=skipped,
        workspace=workspace,
        sweep=sweep,
    )
