"""What the studio shows, read from the store as JSON-able dicts.

Every function takes the workspace (and the job manager where a job matters) and returns
plain data: the JSON API returns it as is and the pages render it. Lists are paged and
read through the store's indexed queries; nothing here loads all runs of a workspace.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

    from automl.studio._jobs import JobManager, JobRecord
    from trials import Run, Workspace
    from trials.store._overview import ExperimentSummary

__all__ = [
    "experiment_detail",
    "experiment_list",
    "json_dict",
    "jsonable",
    "leaderboard",
    "live_status",
    "param_columns",
    "run_detail",
    "run_row",
    "table_rows",
]

HEARTBEAT_FRESH_S = 10.0
"""A controller's heartbeat (written every second) older than this means it is gone."""
_LEADERBOARD_METRICS = 8
_LEADERBOARD_PARAMS = 6
_INTERNAL = frozenset({"cost", "fit_time", "fitted_iterations", "fallback_series"})
_FIXED = frozenset({"run_id", "index", "kind", "status", "status_reason", "duration_seconds"})


def param_columns(frame: pd.DataFrame, metric_names: list[str]) -> list[str]:
    """The parameter columns of a leaderboard frame: those after its metrics."""
    metrics = set(metric_names)
    return [
        str(column)
        for column in frame.columns
        if column not in _FIXED and column not in metrics and not column.startswith("metric.")
    ]


def jsonable(value: Any) -> Any:
    """``value`` with datetimes as ISO text, non-finite floats as None, numpy as Python."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return json_dict(value.item())
    return value


def json_dict(value: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`jsonable` of a mapping, typed as the dict it is."""
    out: dict[str, Any] = jsonable(value)
    return out


def table_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """The rows of ``frame`` as lists, missing values as None (JSON-able)."""
    present = frame.notna().to_numpy().tolist()
    values = frame.astype(object).to_numpy().tolist()
    rows = [
        [value if ok else None for value, ok in zip(row, mask, strict=True)]
        for row, mask in zip(values, present, strict=True)
    ]
    out: list[list[Any]] = jsonable(rows)
    return out


def run_row(run: Run) -> dict[str, Any]:
    """The columns of a run in lists."""
    params = run.params
    algorithm = params.get("learner") or params.get("ensemble") or run.tags.get("learner")
    return {
        "id": run.id,
        "experiment": run.experiment,
        "kind": run.kind,
        "index": run.index,
        "parent_id": run.parent_id,
        "algorithm": algorithm,
        "status": str(run.status),
        "status_reason": run.status_reason,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "duration_seconds": run.duration_seconds,
    }


def live_status(parent: Run | None, job: JobRecord | None, jobs: JobManager) -> str:
    """The experiment's status as the studio shows it.

    ``preparing`` (a studio job before its parent run exists), ``finishing`` (its search
    has ended and it refits and registers the best model), the parent's status, or
    ``interrupted`` when the store says ``running`` but no process drives it any more
    (heartbeat stale and, for a studio job, its process gone).
    """
    alive = job is not None and jobs.alive(job)
    if parent is None:
        if alive:
            return "preparing"
        if job is None:
            return "not started"
        if job.stopped:
            return "canceled"
        result = job.result()
        return str(result.get("status")) if result else "failed"
    status = str(parent.status)
    if status not in ("running", "queued"):
        # The search has ended; a studio job still refits, registers and explains.
        return "finishing" if alive else status
    if alive:
        return status
    stamp = parent.properties.get("controller")
    beat = stamp.get("heartbeat") if isinstance(stamp, Mapping) else None
    if job is None and isinstance(beat, (int, float)) and time.time() - beat <= HEARTBEAT_FRESH_S:
        return status
    return "interrupted"


def task_of(config: Any) -> str | None:
    """The AutoML task an experiment's stored configuration names (None for a sweep)."""
    searcher = config.get("searcher") if isinstance(config, Mapping) else None
    if not isinstance(searcher, Mapping):
        return None
    definition = searcher.get("definition")
    task = searcher.get("task")
    if task is None and isinstance(definition, Mapping):
        task = definition.get("task")
    return task if isinstance(task, str) else None


def _task_and_metric(config: Any) -> tuple[str | None, str | None, str | None]:
    from trials.store._overview import objective_of

    metric, goal = objective_of(config)
    return task_of(config), metric, goal


def _stored_guardrails(workspace: Workspace, name: str) -> Any:
    """The guardrail report an experiment left in its artifact folder (forecasting does)."""
    import json

    from automl.studio._paths import contained

    path = contained(workspace.artifact_root / "automl", f"{name}/guardrails.json")
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def experiment_list(
    workspace: Workspace,
    jobs: JobManager,
    *,
    page: int = 1,
    per_page: int = 25,
    name: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    task: str | None = None,
) -> dict[str, Any]:
    """A page of experiments, newest first, with status, task, metric, best score, times.

    The filters run in the database, but for the statuses only the studio knows:
    ``interrupted`` and ``finishing`` filter the page's rows (so such a page may hold fewer),
    and studio jobs still ``preparing`` (not in the store yet) lead the first page.
    """
    derived = status in ("interrupted", "preparing", "finishing")
    rows: list[ExperimentSummary] = []
    total = 0
    if status != "preparing":
        rows, total = workspace.experiment_page(
            limit=per_page,
            offset=(page - 1) * per_page,
            name_contains=name or None,
            kind=kind or None,
            status="running" if status == "interrupted" else None if derived else status or None,
            task=task or None,
        )
    items = []
    if page == 1 and status in (None, "", "preparing") and kind in (None, "", "automl"):
        items = _preparing_items(workspace, jobs, name, task)
    for row in rows:
        job = jobs.get(row.experiment.name)
        shown_task, metric, goal = _task_and_metric(row.experiment.config)
        parent = row.parent
        state = live_status(parent, job, jobs)
        if derived and state != status:
            continue
        items.append(
            {
                "name": row.experiment.name,
                "kind": row.experiment.kind,
                "task": shown_task,
                "status": state,
                "primary_metric": metric,
                "goal": goal,
                "best_score": row.best,
                "children": row.children,
                "started_at": parent.started_at if parent else row.experiment.created_at,
                "duration_seconds": parent.duration_seconds if parent else None,
                "from_studio": job is not None,
            }
        )
    pages = max(1, math.ceil(total / per_page))
    return {"items": items, "total": total, "page": page, "per_page": per_page, "pages": pages}


def _preparing_items(
    workspace: Workspace, jobs: JobManager, name: str | None, task: str | None
) -> list[dict[str, Any]]:
    """Recent studio jobs whose process runs and whose experiment is not stored yet."""
    from datetime import UTC

    items = []
    for job in jobs.recent():
        if (name and name.lower() not in job.experiment_name.lower()) or (
            task and job.spec.get("task") != task
        ):
            continue
        if not jobs.alive(job):
            continue
        if experiment_stored(workspace, job.experiment_name):
            continue
        started = job.attempts[-1].get("started_at") if job.attempts else None
        items.append(
            {
                "name": job.experiment_name,
                "kind": "automl",
                "task": job.spec.get("task"),
                "status": "preparing",
                "primary_metric": job.spec.get("primary_metric"),
                "goal": None,
                "best_score": None,
                "children": 0,
                "started_at": None
                if started is None
                else datetime.fromtimestamp(float(started), tz=UTC),
                "duration_seconds": None,
                "from_studio": True,
            }
        )
    return items


def _parent(workspace: Workspace, name: str) -> Run | None:
    parents = workspace.runs(experiment=name, kind="parent", limit=1)
    return parents[0] if parents else None


def _time_left(parent: Run | None, job: JobRecord | None, state: str) -> float | None:
    if parent is None or state not in ("running", "queued"):
        return None
    minutes = job.spec.get("experiment_timeout_minutes") if job is not None else None
    limits = parent.properties.get("limits")
    budget = float(minutes) * 60.0 if isinstance(minutes, (int, float)) else None
    if budget is None and isinstance(limits, Mapping):
        timeout = limits.get("timeout")
        budget = float(timeout) if isinstance(timeout, (int, float)) else None
    elapsed = parent.duration_seconds
    if budget is None or elapsed is None:
        return None
    return max(0.0, budget - elapsed)


def leaderboard(
    workspace: Workspace,
    name: str,
    metric: str,
    goal: Literal["maximize", "minimize"],
    *,
    limit: int = 200,
    offset: int = 0,
) -> dict[str, Any]:
    """The children of ``name`` ranked by ``metric`` (a page), with algorithm and scores."""
    parent = _parent(workspace, name)
    if parent is None:
        return {"rows": [], "total": 0, "metrics": [], "params": []}
    frame = workspace.leaderboard(
        name,
        metric,
        goal,
        parent_id=parent.id,
        limit=limit,
        offset=offset,
    )
    names = workspace.metric_names(name, parent.id)
    shown = [metric, *(key for key in names if key != metric and key not in _INTERNAL)]
    metrics = [key for key in shown if key in frame.columns][:_LEADERBOARD_METRICS]
    params = param_columns(frame, names)
    # AutoML's hyperparameters differ per learner (the run page shows them); a sweep's
    # parameters are the point of its leaderboard.
    shown_params = [] if "learner" in params else params[:_LEADERBOARD_PARAMS]
    rows = []
    for record in frame.to_dict(orient="records"):
        algorithm = record.get("learner") or record.get("ensemble")
        rows.append(
            {
                "run_id": record["run_id"],
                "index": record["index"],
                "kind": record["kind"],
                "algorithm": algorithm if isinstance(algorithm, str) else record["kind"],
                "status": record["status"],
                "status_reason": record["status_reason"],
                "duration_seconds": record["duration_seconds"],
                "metrics": {key: record.get(key) for key in metrics},
                "params": {key: record.get(key) for key in shown_params},
            }
        )
    total = workspace.count_runs(parent_id=parent.id)
    return json_dict({"rows": rows, "total": total, "metrics": metrics, "params": shown_params})


def experiment_detail(workspace: Workspace, jobs: JobManager, name: str) -> dict[str, Any]:
    """Status, time left, configuration, guardrails, featurization and best model of ``name``.

    Raises:
        trials.NotFoundError: no such experiment (and no studio job of that name).
    """
    from trials import NotFoundError

    job = jobs.get(name)
    try:
        experiment = workspace.get_experiment(name)
    except NotFoundError:
        if job is None:
            raise
        return json_dict(_preparing(job, jobs))
    parent = _parent(workspace, name)
    task, metric, goal = _task_and_metric(experiment.config)
    state = live_status(parent, job, jobs)
    result = job.result() if job is not None else None
    best = _best_model(workspace, name, parent)
    summary = (result or {}).get("featurization_summary") or best.get("featurization_summary")
    detail = {
        "name": name,
        "kind": experiment.kind,
        "task": task,
        "status": state,
        "status_reason": parent.status_reason if parent else None,
        "primary_metric": metric,
        "goal": goal,
        "parent_run_id": parent.id if parent else None,
        "started_at": parent.started_at if parent else experiment.created_at,
        "ended_at": parent.ended_at if parent else None,
        "duration_seconds": parent.duration_seconds if parent else None,
        "time_left_seconds": _time_left(parent, job, state),
        "children": workspace.count_runs(parent_id=parent.id) if parent else 0,
        "config": (experiment.config or {}).get("searcher", {}).get("definition"),
        "from_studio": job is not None,
        "resumable": job is not None and state == "interrupted",
        "cancelable": state in ("running", "queued", "preparing"),
        "guardrails": (result or {}).get("guardrails") or _stored_guardrails(workspace, name),
        "featurization_summary": summary,
        "validation": (result or {}).get("validation") or best.get("validation"),
        "job_error": (result or {}).get("error"),
        "best_model": best.get("model"),
        "log_tail": job.log_tail(4000) if job is not None else None,
    }
    return json_dict(detail)


def _preparing(job: JobRecord, jobs: JobManager) -> dict[str, Any]:
    result = job.result() or {}
    state = live_status(None, job, jobs)
    return {
        "name": job.experiment_name,
        "kind": "automl",
        "task": job.spec.get("task"),
        "status": state,
        "primary_metric": job.spec.get("primary_metric"),
        "children": 0,
        "from_studio": True,
        "resumable": False,
        "cancelable": state == "preparing",
        "job_error": result.get("error"),
        "log_tail": job.log_tail(4000),
    }


def _best_model(workspace: Workspace, name: str, parent: Run | None) -> dict[str, Any]:
    """The model version registered from this experiment, with its lineage's extras."""
    from trials import NotFoundError

    if parent is None:
        return {}
    from automl._experiment_common import model_name

    try:
        versions = workspace.models.versions(model_name(name))
    except NotFoundError:
        return {}
    for version in reversed(versions):
        extra = version.lineage.get("extra") or {}
        if extra.get("experiment_name") == name:
            return {
                "model": {
                    "name": version.name,
                    "version": version.version,
                    "run_id": version.source_run_id,
                    "algorithm": version.tags.get("algorithm"),
                },
                "featurization_summary": extra.get("featurization_summary"),
                "validation": extra.get("validation"),
            }
    return {}


def run_detail(workspace: Workspace, run_id: str) -> dict[str, Any]:
    """Parameters, final metrics, metric history, status history, error, artifacts."""
    run = workspace.get_run(run_id)
    history = workspace.metric_history(run_id)
    curves: dict[str, list[list[float]]] = {}
    for key, part in history.groupby("key", sort=True):
        pairs = zip(part["step"], part["value"], strict=True)
        curves[str(key)] = [[int(step), float(value)] for step, value in pairs]
    detail = {
        **run_row(run),
        "error": run.error,
        "params": dict(run.params),
        "tags": dict(run.tags),
        "properties": dict(run.properties),
        "metrics": workspace.final_metrics(run_id),
        "metric_history": curves,
        "status_history": [
            {"status": str(change.status), "reason": change.reason, "at": change.at}
            for change in workspace.run_history(run_id)
        ],
        "artifacts": [
            {"name": record.name, "size": record.size, "sha256": record.sha256}
            for record in workspace.artifacts(run_id)
        ],
        "children": workspace.count_runs(parent_id=run_id),
    }
    return json_dict(detail)


def experiment_stored(workspace: Workspace, name: str) -> bool:
    """Whether the store holds experiment ``name`` yet (a studio job still preparing its
    data has not created it)."""
    from trials import NotFoundError

    try:
        workspace.get_experiment(name)
    except NotFoundError:
        return False
    return True
