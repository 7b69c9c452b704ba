"""The JSON API under ``/api``: experiments, runs, charts, compare (models and datasets in
:mod:`automl.studio._api_registry`). The pages' JavaScript calls these same routes."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse

from automl.studio import _charts, _reads
from automl.studio._api_registry import router as registry_router
from automl.studio._app import StudioContext, studio_context
from automl.studio._paths import clean_relative

__all__ = ["router"]

router = APIRouter(prefix="/api")
router.include_router(registry_router)
Context = Annotated[StudioContext, Depends(studio_context)]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_STATUSES = (
    "preparing",
    "finishing",
    "queued",
    "running",
    "completed",
    "failed",
    "canceled",
    "interrupted",
)


def _check_choice(field: str, value: str | None, valid: tuple[str, ...]) -> None:
    if value and value not in valid:
        raise ValueError(f"`{field}` must be one of {', '.join(valid)}, got {value!r}")


@router.get("/experiments", summary="Experiments, newest first (paged, filtered)")
def list_experiments(
    context: Context,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 25,
    name: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    task: str | None = None,
) -> Any:
    _check_choice("status", status, _STATUSES)
    _check_choice("task", task, ("classification", "regression", "forecasting"))
    return _reads.jsonable(
        _reads.experiment_list(
            context.workspace,
            context.jobs,
            page=page,
            per_page=per_page,
            name=name,
            status=status,
            kind=kind,
            task=task,
        )
    )


@router.post("/experiments/validate", summary="Check a New-experiment form")
def validate_experiment(context: Context, form: Annotated[dict[str, Any], Body()]) -> Any:
    spec, _ = _spec(context, form)
    return {"ok": True, "spec": spec}


@router.post("/experiments", status_code=201, summary="Start an AutoML experiment")
def start_experiment(context: Context, form: Annotated[dict[str, Any], Body()]) -> Any:
    from automl.studio._wizard import SpecError

    spec, name = _spec(context, form)
    with context.jobs.lock:
        if context.jobs.get(name) is not None or _reads.experiment_stored(context.workspace, name):
            raise SpecError(
                "experiment_name",
                f"`experiment_name` {name!r} is taken by an existing experiment; choose a "
                "new name (resume an interrupted one from its page)",
            )
        record = context.jobs.start(name, spec)
    return {"name": name, "pid": record.pid, "url": f"/experiments/{name}"}


def _spec(context: StudioContext, form: dict[str, Any]) -> tuple[dict[str, Any], str]:
    from automl.studio._api_registry import dataset_columns
    from automl.studio._wizard import SpecError, build_spec

    name = form.get("experiment_name") or None
    if name is None:
        import secrets
        import time

        name = f"automl-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}"
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(
            "experiment_name",
            "`experiment_name` must be 1-128 letters, digits, '_', '.' or '-' starting with a "
            f"letter or digit, got {name!r}",
        )
    dataset = form.get("dataset")
    if not isinstance(dataset, str) or not dataset:
        raise SpecError("dataset", "`dataset` must name a registered dataset, got None")
    try:
        columns, inferred = dataset_columns(context, dataset)
    except LookupError as error:
        raise SpecError("dataset", str(error.args[0] if error.args else error)) from None
    return build_spec(form, context.workspace, columns, inferred), name


@router.get("/experiments/{name}", summary="One experiment: status, time left, guardrails, ...")
def experiment(context: Context, name: str) -> Any:
    return _reads.experiment_detail(context.workspace, context.jobs, name)


@router.get("/experiments/{name}/leaderboard", summary="Children ranked by the primary metric")
def leaderboard(
    context: Context,
    name: str,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    from trials.store._overview import objective_of

    metric, goal = objective_of(context.workspace.get_experiment(name).config)
    if metric is None or goal is None:
        return {"rows": [], "total": 0, "metrics": []}
    return _reads.leaderboard(context.workspace, name, metric, goal, limit=limit, offset=offset)


@router.post("/experiments/{name}/cancel", summary="Cancel a running experiment")
def cancel(context: Context, name: str) -> Any:
    from trials import NotFoundError

    job = context.jobs.get(name)
    try:
        parents = context.workspace.runs(experiment=name, kind="parent", limit=1)
    except NotFoundError:
        if job is None:
            raise
        parents = []  # a studio job still preparing its data
    if parents and not parents[0].status.is_terminal:
        context.workspace.request_cancel(parents[0].id)
        return {"name": name, "cancel_requested": True, "how": "store"}
    if job is not None and context.jobs.stop(job):
        return {"name": name, "cancel_requested": True, "how": "signal"}
    return JSONResponse(
        {"detail": f"experiment {name!r} is not running; there is nothing to cancel"}, 409
    )


@router.post("/experiments/{name}/resume", summary="Resume an interrupted studio experiment")
def resume(context: Context, name: str) -> Any:
    job = context.jobs.get(name)
    if job is None:
        context.workspace.get_experiment(name)
        raise LookupError(
            f"experiment {name!r} was not started from the studio, so there is no spec to "
            "resume it with; run it again the way it was started (same experiment_name)"
        )
    with context.jobs.lock:
        status = _reads.experiment_detail(context.workspace, context.jobs, name)["status"]
        if status != "interrupted":
            message = f"experiment {name!r} is {status}; only an interrupted one can be resumed"
            return JSONResponse({"detail": message}, 409)
        record = context.jobs.resume(name)
    return {"name": name, "pid": record.pid}


@router.get(
    "/experiments/{name}/log", summary="The studio job's output", response_class=PlainTextResponse
)
def job_log(context: Context, name: str) -> Any:
    job = context.jobs.get(name)
    if job is None:
        raise LookupError(f"experiment {name!r} was not started from the studio: no job log")
    return PlainTextResponse(job.log_tail(200_000))


@router.get("/experiments/{name}/charts/search", summary="Best over time, per algorithm, parallel")
def search_charts(context: Context, name: str) -> Any:
    return _charts.search_charts(context.workspace, name)


@router.get("/experiments/{name}/charts/best-model", summary="The best model's validation charts")
def best_model_charts(context: Context, name: str) -> Any:
    return _charts.best_model_charts(context.workspace, name)


@router.get("/experiments/{name}/charts/feature-importance", summary="Feature importance")
def feature_importance(context: Context, name: str) -> Any:
    return _charts.feature_importance(context.workspace, name)


@router.get("/curves", summary="Step-metric curves of selected runs")
def curves(context: Context, runs: str, metric: str | None = None) -> Any:
    return _charts.curves(context.workspace, _run_list(runs), metric)


def _run_list(runs: str) -> list[str]:
    ids = [part.strip() for part in runs.split(",") if part.strip()]
    if not ids:
        raise ValueError("`runs` must list run ids separated by commas, got none")
    return list(dict.fromkeys(ids))


@router.get("/runs/{run_id}", summary="One run: params, metrics, history, artifacts")
def run(context: Context, run_id: str) -> Any:
    return _reads.run_detail(context.workspace, run_id)


@router.get("/runs/{run_id}/logs", summary="The trial's stdout and stderr")
def run_logs(context: Context, run_id: str) -> Any:
    names = {record.name for record in context.workspace.artifacts(run_id)}
    logs = {}
    for name in ("stdout.txt", "stderr.txt"):
        if name in names:
            path = context.workspace.open_artifact(run_id, name)
            logs[name.removesuffix(".txt")] = path.read_text(encoding="utf-8", errors="replace")[
                -200_000:
            ]
    return logs


@router.get("/runs/{run_id}/artifacts/{name:path}", summary="Download an artifact")
def artifact(context: Context, run_id: str, name: str, request: Request) -> Any:
    from automl.studio._paths import contained

    relative = clean_relative(name)
    if relative is None:
        raise LookupError(f"run {run_id!r} has no artifact {name!r}")
    path = context.workspace.open_artifact(run_id, relative)  # record + sha256 checked
    root = context.workspace.artifact_root / "runs" / run_id
    safe = contained(root, relative)
    if safe is None or safe != path.resolve():
        raise LookupError(f"run {run_id!r} has no artifact {name!r}")
    return FileResponse(safe, filename=safe.name)


@router.get("/compare", summary="Runs side by side: params, metrics, curves")
def compare(context: Context, runs: str) -> Any:
    ids = _run_list(runs)
    if len(ids) > 10:
        raise ValueError(f"`runs` must list at most 10 runs to compare, got {len(ids)}")
    details = [_reads.run_detail(context.workspace, run_id) for run_id in ids]
    params = sorted({key for d in details for key in _flat(d["params"])})
    metrics = sorted({key for d in details for key in d["metrics"]})
    return {
        "runs": [
            {
                "id": d["id"],
                "experiment": d["experiment"],
                "algorithm": d["algorithm"],
                "status": d["status"],
                "params": _flat(d["params"]),
                "metrics": d["metrics"],
                "metric_history": d["metric_history"],
            }
            for d in details
        ],
        "params": params,
        "metrics": metrics,
    }


def _flat(params: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        else:
            out[name] = value if not isinstance(value, list) else str(value)
    return out
