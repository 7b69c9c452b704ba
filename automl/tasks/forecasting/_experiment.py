"""``run_forecasting``: the experiment behind ``AutoMLConfig(task="forecasting").fit()``.

1. Data prep in this process (:class:`._prepare.PreparedForecast`): load, prepare the panel
   with the forecasting guardrails, resolve the automatic settings, cut the rolling origins
   and cache them for the children.
2. Search: the one controller of ``trials`` drives :class:`._searcher.ForecastSearcher` with
   :func:`._child.train` in worker processes, under the config's limits, policy and executor.
   The timeout is a promise (``budget x 1.05 + 5 s``): time is reserved for the refit.
3. The best completed child (by the primary metric's goal) whose refit fits in the time left is
   refitted on the whole panel into a :class:`._pipeline.ForecastingPipeline`, saved with
   joblib and registered with its lineage (the forecasting parameters included).
4. The result is an :class:`~automl.AutoMLResult` (leaderboard with every forecasting metric,
   guardrails, the registered version).

TODO (later releases): ensembles of forecasts (greedy Caruana selection over the children's
rolling-origin forecasts, saved by every child as ``oof.joblib``) as the search's last
children; the YAML ``forecasting:`` section; the TCN forecaster (``enable_dnn``).
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
    from automl._config import AutoMLConfig
    from automl._result import AutoMLResult
    from automl.tasks.forecasting._pipeline import ForecastingPipeline
    from automl.tasks.forecasting._prepare import PreparedForecast
    from trials import ModelVersion, Run, SweepResult, Workspace
    from trials.executors import TrainFunction

__all__ = ["ForecastChildTarget", "run_forecasting"]

_CHILD = "automl.tasks.forecasting._child:train"


class ForecastChildTarget(TrialTarget):
    """:func:`._child.train` bound to the experiment's fold cache."""

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir

    def for_trial(self, params: Mapping[str, Any]) -> TrainFunction:
        """The child function with the cache folder bound."""
        from automl.tasks.forecasting._child import train

        return functools.partial(train, cache_dir=self.cache_dir)

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
    from automl._experiment import DEFAULT_MAX_TRIALS, _budget, _search_timeout
    from automl.tasks.forecasting._models import plan_models
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
        )
    except ValueError as error:
        raise AutoMLConfigError(str(error)) from None
    trial_minutes = config.iteration_timeout_minutes
    limits = Limits(
        max_total_trials=config.max_trials or DEFAULT_MAX_TRIALS,
        max_concurrent_trials=config.max_concurrent_iterations,
        timeout=_search_timeout(_budget(config), started, False),
        trial_timeout=None if trial_minutes is None else trial_minutes * 60.0,
    )
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
            exit_score=config.experiment_exit_score,
            early_stopping=bool(config.enable_early_stopping),
            deadline=None if limits.timeout is None else time.monotonic() + limits.timeout,
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
        ForecastChildTarget(plan.cache_dir),
        executor,
        make_policy(config.early_termination_policy),
        limits,
        workspace,
        name,
        objective=objective,
        options=ControllerOptions(
            experiment_kind="automl",
            resources=Resources(cpus=plan.settings.n_jobs, mem_in_mb=config.mem_in_mb),
            shutdown_executor=owned,
            progress=make_progress(objective, quiet=not show_output),
        ),
    )
    return controller.run(), dict(models.skipped)


def _ranked_children(
    workspace: Workspace, parent_id: str, metric: str
) -> list[tuple[Run, dict[str, float]]]:
    """Completed children with a finite primary metric, best first (ties: lower index)."""
    import math

    from forecasting import METRIC_GOALS

    sign = 1.0 if METRIC_GOALS[metric] == "maximize" else -1.0
    ranked: list[tuple[float, Run, dict[str, float]]] = []
    for run in workspace.children(parent_id):
        if str(run.status) != "completed":
            continue
        metrics = workspace.final_metrics(run.id)
        value = metrics.get(metric)
        if value is None or not math.isfinite(value):
            continue
        ranked.append((sign * value, run, metrics))
    ranked.sort(key=lambda item: (-item[0], item[1].index or 0))
    return [(run, metrics) for _, run, metrics in ranked]


def _refit(data: PreparedForecast, run: Run) -> ForecastingPipeline:
    """The child's model refitted on the whole panel."""
    from automl.tasks.forecasting._models import build_forecaster
    from automl.tasks.forecasting._pipeline import ForecastingPipeline

    algorithm = str(run.params["learner"])
    hyperparameters = dict(run.params.get("hyperparameters") or {})
    plan = data.plan
    forecaster = build_forecaster(algorithm, hyperparameters, plan.settings)
    forecaster.fit(
        data.prepared.panel, freq=plan.freq, seasonality=plan.seasonality, horizon=plan.horizon
    )
    return ForecastingPipeline(
        forecaster,
        data.prepared,
        horizon=plan.horizon,
        algorithm=algorithm,
        hyperparameters=hyperparameters,
        quantiles=plan.quantiles,
    )


def _choose_and_refit(
    config: AutoMLConfig,
    workspace: Workspace,
    data: PreparedForecast,
    ranked: list[tuple[Run, dict[str, float]]],
    started: float,
    name: str,
) -> tuple[Any, Run | None, dict[str, float], ModelVersion | None]:
    """Refit the best child whose refit fits in the time left (one fold's fit, scaled up);
    a child this experiment registered before (a resumed experiment) is loaded instead."""
    from automl._experiment import _budget, _registered_version
    from automl._models import load_model
    from automl.tasks.forecasting._child import FIT_TIME

    budget = _budget(config)
    for run, metrics in ranked:
        existing = _registered_version(workspace, name, run)
        if existing is not None:
            model = load_model(workspace, existing.name, existing.version)
            return model, run, metrics, existing
        if budget is not None:
            estimate = 1.5 * metrics.get(FIT_TIME, 0.0) / max(1, data.plan.n_folds) + 0.5
            if estimate > budget - (time.monotonic() - started):
                continue
        return _refit(data, run), run, metrics, None
    return None, None, {}, None


def _register(
    config: AutoMLConfig,
    workspace: Workspace,
    name: str,
    model: ForecastingPipeline,
    run: Run,
    parent_id: str,
    data: PreparedForecast,
) -> ModelVersion:
    import joblib

    from automl._experiment import _model_name
    from automl.tasks.forecasting._checks import parameters_dict

    folder = workspace.artifact_root / "automl" / name / "model"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.joblib"
    joblib.dump(model, path)
    return workspace.models.register(
        _model_name(name),
        path,
        run_id=run.id,
        tags={"algorithm": model.algorithm, "task": "forecasting"},
        description=f"Best model of AutoML forecasting experiment {name!r}",
        data_fingerprint=data.fingerprint,
        extra_lineage={
            "parent_run_id": parent_id,
            "experiment_name": name,
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
    from automl._experiment import _new_name, _open_workspace
    from automl._result import AutoMLResult, leaderboard_frame
    from automl.tasks.forecasting._prepare import PreparedForecast
    from forecasting import FORECAST_METRICS

    started = time.monotonic()
    workspace = _open_workspace(config.workspace)
    name = config.experiment_name or _new_name()
    data = PreparedForecast(config, workspace, name)
    _write_guardrails(workspace, name, data)
    sweep, skipped = _search(config, workspace, name, data, started, show_output)
    metric = str(config.primary_metric)
    ranked = _ranked_children(workspace, sweep.parent_run_id, metric)
    model, best_run, best_metrics, version = _choose_and_refit(
        config, workspace, data, ranked, started, name
    )
    if model is not None and best_run is not None and version is None:
        version = _register(config, workspace, name, model, best_run, sweep.parent_run_id, data)
    board = leaderboard_frame(sweep.leaderboard, FORECAST_METRICS)
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
