"""The studio's pages, rendered on the server from the same reads as the JSON API.

Templates autoescape everything; data the page's JavaScript needs goes in through
``|tojson`` (which escapes ``<``, ``>`` and ``&``). Live parts (the experiment's status and
leaderboard, the charts) fetch the JSON API from ``static/studio.js``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from automl.studio import _reads
from automl.studio._app import StudioContext, studio_context

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Context = Annotated[StudioContext, Depends(studio_context)]


def _render(context: StudioContext, request: Request, template: str, **values: Any) -> HTMLResponse:
    page = context.templates.get_template(template).render(
        csrf=getattr(request.state, "csrf", ""), **values
    )
    return HTMLResponse(page)


@router.get("/", response_class=HTMLResponse)
def experiments_page(
    context: Context,
    request: Request,
    page: Annotated[int, Query(ge=1)] = 1,
    name: str = "",
    status: str = "",
    task: str = "",
) -> HTMLResponse:
    from automl.studio._api import list_experiments

    listing = list_experiments(
        context, page=page, per_page=25, name=name or None, status=status or None,
        task=task or None,
    )  # fmt: skip
    return _render(
        context,
        request,
        "experiments.html",
        active="experiments",
        listing=listing,
        filters={"name": name, "status": status, "task": task},
    )


@router.get("/experiments/new", response_class=HTMLResponse)
def new_experiment_page(context: Context, request: Request, dataset: str = "") -> HTMLResponse:
    from automl.studio._api_registry import datasets, meta

    return _render(
        context,
        request,
        "new.html",
        active="new",
        boot={"meta": meta(), "datasets": datasets(context), "dataset": dataset},
    )


@router.get("/experiments/{name}", response_class=HTMLResponse)
def experiment_page(context: Context, request: Request, name: str) -> HTMLResponse:
    detail = _reads.experiment_detail(context.workspace, context.jobs, name)
    return _render(
        context, request, "experiment.html", active="experiments", name=name, detail=detail
    )


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(context: Context, request: Request, run_id: str) -> HTMLResponse:
    detail = _reads.run_detail(context.workspace, run_id)
    return _render(context, request, "run.html", active="experiments", run=detail)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(context: Context, request: Request, runs: str = "") -> HTMLResponse:
    from automl.studio._api import compare

    data = compare(context, runs) if runs else None
    return _render(context, request, "compare.html", active="experiments", data=data, runs=runs)


@router.get("/models", response_class=HTMLResponse)
def models_page(context: Context, request: Request) -> HTMLResponse:
    from automl.studio._api_registry import models

    return _render(context, request, "models.html", active="models", models=models(context))


@router.get("/models/{name}", response_class=HTMLResponse)
def model_page(context: Context, request: Request, name: str) -> HTMLResponse:
    from automl.studio._api_registry import model_versions

    versions = model_versions(context, name)
    return _render(context, request, "model.html", active="models", name=name, versions=versions)


@router.get("/datasets", response_class=HTMLResponse)
def datasets_page(context: Context, request: Request) -> HTMLResponse:
    from automl.studio._api_registry import datasets

    return _render(context, request, "datasets.html", active="datasets", datasets=datasets(context))


@router.get("/datasets/{name}", response_class=HTMLResponse)
def dataset_page(
    context: Context, request: Request, name: str, version: int | None = None
) -> HTMLResponse:
    from automl.studio._api_registry import dataset, dataset_versions

    versions = dataset_versions(context, name)
    chosen = dataset(context, name, version or versions[-1]["version"])
    return _render(
        context,
        request,
        "dataset.html",
        active="datasets",
        name=name,
        versions=versions,
        chosen=chosen,
    )
