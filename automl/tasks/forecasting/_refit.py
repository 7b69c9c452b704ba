"""Refitting the best forecasting child on the whole panel, within the time left.

The children are ranked by the primary metric (ties: the earlier child). The first whose refit
fits in the time left is refitted into a :class:`._pipeline.ForecastingPipeline`:

- a model child: its forecaster, built from its parameters, fitted on the whole panel;
- the VotingEnsemble: a :class:`forecasting.models.WeightedForecaster` over its members
  (read from its ``ensemble.json``), each member refitted on the whole panel, with the
  selected weights.

A refit's time is estimated from the child's own fits (the seconds it spent fitting over the
fits it made, scaled up by 1.5, plus 0.5 s; an ensemble adds its members'). A run passed
over for lack of time is said so in :attr:`Refitted.passed_over` (an ensemble is then replaced
by the best single child that fits). A run this experiment registered before (a resumed
experiment) is loaded instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._config import AutoMLConfig
    from automl.tasks.forecasting._pipeline import ForecastingPipeline
    from automl.tasks.forecasting._prepare import PreparedForecast
    from forecasting.models import Forecaster
    from trials import ModelVersion, Run, Workspace

__all__ = ["Member", "Refitted", "choose_and_refit", "ensemble_members"]


@dataclass(frozen=True)
class Member:
    """A child to refit, with its weight in the final model.

    Attributes:
        run_id: Its run.
        algorithm: Its model name.
        hyperparameters: What it was trained with.
        weight: Its weight (1 for a single model).
        estimate_s: Seconds its refit on the whole panel should take.
    """

    run_id: str
    algorithm: str
    hyperparameters: dict[str, Any]
    weight: float
    estimate_s: float


@dataclass
class Refitted:
    """What :func:`choose_and_refit` chose.

    Attributes:
        model: The refitted (or loaded) pipeline; None when nothing fits.
        run: The run it stands for.
        metrics: That run's final metrics.
        version: The registered version when it was loaded from the registry.
        passed_over: Run or model name -> why it was passed over (better-ranked runs whose
            refit did not fit in the time left).
    """

    model: Any = None
    run: Run | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    version: ModelVersion | None = None
    passed_over: dict[str, str] = field(default_factory=dict)


def _estimate(metrics: Mapping[str, float], n_folds: int) -> float:
    """Seconds a refit should take: 1.5 times one fit of the child (its seconds fitting over
    its fits; a child that does not say: its whole time over one fit per origin), plus 0.5 s."""
    from automl.tasks.forecasting._child import FIT_SECONDS, FIT_TIME, FITS

    if FIT_SECONDS in metrics and metrics.get(FITS, 0.0) >= 1:
        return 1.5 * metrics[FIT_SECONDS] / metrics[FITS] + 0.5
    return 1.5 * metrics.get(FIT_TIME, 0.0) / max(1, n_folds) + 0.5


def ensemble_members(workspace: Workspace, run: Run, n_folds: int) -> list[Member]:
    """The children a run stands for: itself, or the VotingEnsemble's weighted members."""
    from automl.tasks.forecasting._ensemble import ENSEMBLE_ARTIFACT, ENSEMBLE_KEY

    if ENSEMBLE_KEY not in run.params:
        return [
            Member(
                run.id,
                str(run.params["learner"]),
                dict(run.params.get("hyperparameters") or {}),
                1.0,
                _estimate(workspace.final_metrics(run.id), n_folds),
            )
        ]
    folder = workspace.artifact_root / "runs" / run.id
    description = json.loads((folder / ENSEMBLE_ARTIFACT).read_text(encoding="utf-8"))
    members = []
    for item in description["members"]:
        child = workspace.get_run(item["run_id"])
        members.append(
            Member(
                child.id,
                str(child.params["learner"]),
                dict(child.params.get("hyperparameters") or {}),
                float(item["weight"]),
                _estimate(workspace.final_metrics(child.id), n_folds),
            )
        )
    return members


def _refit(data: PreparedForecast, run: Run, members: list[Member]) -> ForecastingPipeline:
    """The run's model refitted on the whole panel."""
    from automl.tasks.forecasting._ensemble import ENSEMBLE_KEY, VOTING
    from automl.tasks.forecasting._models import build_forecaster
    from automl.tasks.forecasting._pipeline import ForecastingPipeline
    from forecasting.models import WeightedForecaster

    plan = data.plan
    forecaster: Forecaster
    if ENSEMBLE_KEY in run.params:
        forecaster = WeightedForecaster(
            members=[
                build_forecaster(m.algorithm, m.hyperparameters, plan.settings) for m in members
            ],
            weights=[member.weight for member in members],
        )
        algorithm = VOTING
        hyperparameters: dict[str, Any] = {
            "members": [
                {
                    "algorithm": member.algorithm,
                    "hyperparameters": member.hyperparameters,
                    "weight": member.weight,
                    "run_id": member.run_id,
                }
                for member in members
            ]
        }
    else:
        [member] = members
        forecaster = build_forecaster(member.algorithm, member.hyperparameters, plan.settings)
        algorithm, hyperparameters = member.algorithm, member.hyperparameters
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


def choose_and_refit(
    config: AutoMLConfig,
    workspace: Workspace,
    data: PreparedForecast,
    ranked: list[tuple[Run, dict[str, float]]],
    started: float,
    name: str,
) -> Refitted:
    """Refit the best run whose refit fits in the time left (see the module docstring)."""
    from automl._experiment_common import experiment_budget, registered_version
    from automl._models import load_model

    budget = experiment_budget(config)
    chosen = Refitted()
    for run, metrics in ranked:
        existing = registered_version(workspace, name, run)
        if existing is not None:
            chosen.model = load_model(workspace, existing.name, existing.version)
            chosen.run, chosen.metrics, chosen.version = run, metrics, existing
            return chosen
        members = ensemble_members(workspace, run, data.plan.n_folds)
        if budget is not None:
            need = sum(member.estimate_s for member in members)
            left = budget - (time.monotonic() - started)
            if need > left:
                label = str(run.params.get("ensemble") or run.params.get("learner"))
                chosen.passed_over[label] = (
                    f"ranked above the refitted model (run {run.id}), but refitting "
                    f"{len(members)} model(s) needs about {need:.1f} s and {max(left, 0):.1f} s "
                    "were left of the experiment's timeout"
                )
                continue
        chosen.model, chosen.run, chosen.metrics = _refit(data, run, members), run, metrics
        return chosen
    return chosen
