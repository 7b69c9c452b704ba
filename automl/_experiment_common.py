"""What every AutoML experiment shares, tabular or forecasting: its name and workspace, its
time budget (less the reserve kept for refitting the best model), the ranking of its
children, and the saving, naming and finding of its registered model."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from automl._config import AutoMLConfig
    from trials import ModelVersion, Run, Workspace
    from trials.executors import Resources

__all__ = [
    "experiment_budget",
    "gpu_resources",
    "model_name",
    "new_experiment_name",
    "open_workspace",
    "ranked_children",
    "registered_version",
    "save_and_register",
    "search_timeout",
]

REFIT_RESERVE_FRACTION = 0.1
REFIT_RESERVE_MIN_S = 2.0
EXPLAIN_RESERVE_FRACTION = 0.05


def new_experiment_name() -> str:
    """A new unique experiment name (``automl-...``), for a config without one."""
    from trials._sweep import new_experiment_name as new_name

    return new_name("automl")


def open_workspace(value: object) -> Workspace:
    """The config's workspace; one opened here stays open for the result's reads."""
    from trials import Workspace

    if isinstance(value, Workspace):
        return value
    return Workspace(value)  # type: ignore[arg-type]


def experiment_budget(config: AutoMLConfig) -> float | None:
    """The experiment's timeout in seconds (None: none)."""
    minutes = config.experiment_timeout_minutes
    return None if minutes is None else float(minutes) * 60.0


def search_timeout(
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
    fraction = REFIT_RESERVE_FRACTION * (2.0 if ensemble else 1.0)
    fraction += EXPLAIN_RESERVE_FRACTION if explain else 0.0
    reserve = max(REFIT_RESERVE_MIN_S, fraction * budget)
    return max(0.5, budget - reserve - (time.monotonic() - started))


def gpu_resources(
    config: AutoMLConfig,
    resources: Resources,
    searched: Sequence[str],
    can_use_gpu: Sequence[str],
    hint: str,
) -> Resources | None:
    """What a child of a model that trains on GPUs asks for (``resources`` with
    ``gpus_per_iteration`` GPUs), or None without ``gpus_per_iteration``.

    Args:
        searched: The models of the search.
        can_use_gpu: Those of them that train on a GPU.
        hint: What to allow instead, for the error (e.g. ``"allow one of XGBoost, ..."``).

    Raises:
        AutoMLConfigError: GPUs asked for, but no model of the search can use one.
    """
    import dataclasses

    from automl._config_checks import AutoMLConfigError

    gpus = float(config.gpus_per_iteration)
    if gpus <= 0:
        return None
    if not can_use_gpu:
        raise AutoMLConfigError(
            f"`gpus_per_iteration` is {gpus:g}, but none of the models searched "
            f"({', '.join(searched)}) can train on a GPU; {hint} or set gpus_per_iteration=0"
        )
    return dataclasses.replace(resources, gpus=gpus)


def ranked_children(
    workspace: Workspace, parent_id: str, metric: str, oriented: Callable[[float], float]
) -> list[tuple[Run, dict[str, float]]]:
    """Completed children with a finite ``metric``, best first (ties: the lower index).

    Args:
        oriented: The metric's value turned so that higher is better.
    """
    ranked: list[tuple[float, Run, dict[str, float]]] = []
    for run in workspace.children(parent_id):
        if str(run.status) != "completed":
            continue
        metrics = workspace.final_metrics(run.id)
        value = metrics.get(metric)
        if value is None or not math.isfinite(value):
            continue
        ranked.append((oriented(value), run, metrics))
    ranked.sort(key=lambda item: (-item[0], item[1].index or 0))
    return [(run, metrics) for _, run, metrics in ranked]


def model_name(experiment_name: str) -> str:
    """The registered model's name: the experiment's, in the registry's alphabet."""
    allowed = "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in experiment_name)
    return allowed[:128]


def registered_version(workspace: Workspace, name: str, run: Run) -> ModelVersion | None:
    """The version experiment ``name`` already registered for ``run`` (a resumed one)."""
    from trials import NotFoundError

    try:
        versions = workspace.models.versions(model_name(name))
    except NotFoundError:
        return None
    for version in versions:
        extra = version.lineage.get("extra") or {}
        if version.source_run_id == run.id and extra.get("experiment_name") == name:
            return version
    return None


def save_and_register(
    workspace: Workspace,
    name: str,
    model: Any,
    run: Run,
    *,
    task: str,
    description: str,
    data_fingerprint: str,
    lineage: Mapping[str, Any],
) -> tuple[ModelVersion, Path]:
    """Save the best model of experiment ``name`` and register it as a new version.

    Args:
        model: The fitted pipeline (its ``algorithm`` becomes a tag).
        run: The child run it was refitted from (the version's source run).
        lineage: What the experiment adds to the lineage (``experiment_name`` among it, so
            that :func:`registered_version` finds it on resume).
    """
    import joblib

    folder = workspace.artifact_root / "automl" / name / "model"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.joblib"
    joblib.dump(model, path)
    version = workspace.models.register(
        model_name(name),
        path,
        run_id=run.id,
        tags={"algorithm": model.algorithm, "task": task},
        description=description,
        data_fingerprint=data_fingerprint,
        extra_lineage={"experiment_name": name, **lineage},
    )
    return version, path
