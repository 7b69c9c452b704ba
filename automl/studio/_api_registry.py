"""The JSON API of the registries: models (versions, lineage, download, test on a file),
datasets (versions, profile, preview with column purposes, upload) and the form's choices."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from automl.studio._app import StudioContext, studio_context
from automl.studio._reads import jsonable, table_rows

if TYPE_CHECKING:
    import pandas as pd

    from trials import DatasetVersion, ModelVersion

__all__ = ["dataset_columns", "router"]

router = APIRouter()
Context = Annotated[StudioContext, Depends(studio_context)]
_PREVIEW_ROWS = 20
_PROFILE_SAMPLE = 20_000
_SHOWN_PREDICTIONS = 100
_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


# -- choices ----------------------------------------------------------------------------


@router.get("/meta", summary="Tasks with their metrics and models; column purposes")
def meta() -> Any:
    from automl.studio._wizard import task_choices
    from featurization import ColumnPurpose

    return {"tasks": task_choices(), "purposes": [purpose.value for purpose in ColumnPurpose]}


# -- models -----------------------------------------------------------------------------


def _model(version: ModelVersion) -> dict[str, Any]:
    lineage = dict(version.lineage)
    extra = lineage.get("extra") or {}
    source = extra.get("data_source") or {}
    dataset = None
    if source.get("kind") == "dataset" and source.get("name"):
        dataset = {"name": source["name"], "version": source.get("version")}
    return {
        "name": version.name,
        "version": version.version,
        "source_run_id": version.source_run_id,
        "kind": version.kind,
        "size": version.size,
        "sha256": version.sha256,
        "tags": dict(version.tags),
        "description": version.description,
        "created_at": version.created_at,
        "lineage": {
            "data_fingerprint": lineage.get("data_fingerprint"),
            "data_source": extra.get("data_source"),
            "dataset": dataset,
            "experiment": extra.get("experiment_name") or lineage.get("experiment"),
            "parent_run_id": extra.get("parent_run_id"),
            "run_id": lineage.get("run_id") or version.source_run_id,
            "model": f"{version.name}:{version.version}",
        },
    }


@router.get("/models", summary="Registered models with their newest version")
def models(context: Context) -> Any:
    return jsonable([_model(version) for version in context.workspace.models.list_models()])


@router.get("/models/{name}", summary="Every version of a model, with lineage")
def model_versions(context: Context, name: str) -> Any:
    return jsonable([_model(version) for version in context.workspace.models.versions(name)])


@router.get("/models/{name}/{version}/download", summary="Download a model version's file")
def download_model(context: Context, name: str, version: int) -> Any:
    record = context.workspace.models.get(name, version)
    if record.kind != "file":
        raise ValueError(f"model {name!r} version {version} is a folder; download its files")
    path = context.workspace.models.path(name, version)  # sha256 checked
    return FileResponse(path, filename=f"{name}-v{version}{path.suffix}")


async def _upload(request: Request, context: StudioContext, field: str) -> tuple[Path, str]:
    """Save the multipart file ``field`` under the studio's uploads; (path, original name)."""
    from starlette.datastructures import UploadFile

    form = await request.form()
    item = form.get(field)
    if not isinstance(item, UploadFile) or not item.filename:
        raise ValueError(f"`{field}` must be an uploaded CSV or Parquet file, got none")
    suffix = Path(item.filename).suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(
            f"`{field}` must be a .csv or .parquet file, got {item.filename!r}; save the "
            "table as CSV or Parquet first"
        )
    folder = context.studio_root / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{secrets.token_hex(8)}{suffix}"
    with open(path, "wb") as handle:
        shutil.copyfileobj(item.file, handle)
    await item.close()
    return path, item.filename


def _read_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    try:
        if _FORMATS[path.suffix] == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except Exception as error:  # pandas/pyarrow raise many types for a bad file
        raise ValueError(f"could not read the uploaded file as a table: {error}") from None


@router.post("/models/{name}/{version}/predict", summary="Test a model on an uploaded CSV")
async def predict(context: Context, name: str, version: int, request: Request) -> Any:
    from automl import load_model

    model = load_model(context.workspace, name, version)
    path, original = await _upload(request, context, "file")
    try:
        frame = _read_table(path)
    finally:
        path.unlink(missing_ok=True)
    if hasattr(model, "forecast"):
        out = model.forecast(frame)
    else:
        out = frame.copy()
        out["prediction"] = model.predict(frame)
        classes = getattr(model, "classes_", None)
        if classes is not None and hasattr(model, "predict_proba"):
            proba = model.predict_proba(frame)
            for j, label in enumerate(classes):
                out[f"probability_{label}"] = proba[:, j]
    token = secrets.token_hex(8)
    folder = context.studio_root / "predictions"
    folder.mkdir(parents=True, exist_ok=True)
    out.to_csv(folder / f"{token}.csv", index=False)
    shown = out.head(_SHOWN_PREDICTIONS)
    return jsonable(
        {
            "model": f"{name}:{version}",
            "file": original,
            "rows": len(out),
            "columns": [str(c) for c in out.columns],
            "data": table_rows(shown),
            "download": f"/api/predictions/{token}.csv",
        }
    )


@router.get("/predictions/{token}.csv", summary="Download predictions made by the studio")
def prediction_file(context: Context, token: str) -> Any:
    if not token.isalnum() or len(token) != 16:
        raise LookupError(f"no predictions {token!r}")
    path = context.studio_root / "predictions" / f"{token}.csv"
    if not path.is_file():
        raise LookupError(f"no predictions {token!r}; test the model again")
    return FileResponse(path, filename="predictions.csv", media_type="text/csv")


# -- datasets ---------------------------------------------------------------------------


def _dataset(version: DatasetVersion) -> dict[str, Any]:
    return {
        "name": version.name,
        "version": version.version,
        "ref": version.ref,
        "fingerprint": version.fingerprint,
        "format": version.format,
        "size": version.size,
        "rows": version.rows,
        "columns": len(version.profile.get("columns", [])),
        "description": version.description,
        "created_at": version.created_at,
    }


@router.get("/datasets", summary="Registered datasets with their newest version")
def datasets(context: Context) -> Any:
    return jsonable([_dataset(version) for version in context.workspace.datasets.list()])


@router.get("/datasets/{name}", summary="Every version of a dataset")
def dataset_versions(context: Context, name: str) -> Any:
    return jsonable([_dataset(version) for version in context.workspace.datasets.versions(name)])


@router.get("/datasets/{name}/{version}", summary="A dataset version with its profile")
def dataset(context: Context, name: str, version: int) -> Any:
    record = context.workspace.datasets.get(name, version)
    return jsonable({**_dataset(record), "profile": dict(record.profile)})


def dataset_columns(context: StudioContext, ref: str) -> tuple[list[str], dict[str, str]]:
    """The columns of dataset ``ref`` and their inferred purposes."""
    preview = _preview(context, ref)
    return preview["columns"], {c["name"]: c["purpose"] for c in preview["purposes"]}


def _preview(context: StudioContext, ref: str) -> dict[str, Any]:
    from featurization import infer_column_purposes

    record = context.workspace.datasets.resolve(ref)
    frame = context.workspace.datasets.load(record.name, record.version)
    sample = frame.head(_PROFILE_SAMPLE)
    purposes = infer_column_purposes(sample)
    head = frame.head(_PREVIEW_ROWS)
    return {
        "ref": record.ref,
        "rows": len(frame),
        "columns": [str(c) for c in frame.columns],
        "data": table_rows(head),
        "purposes": [
            {
                "name": str(column),
                "purpose": str(info.purpose),
                "reason": info.reason,
                "dtype": info.dtype,
                "distinct": info.n_unique,
                "missing": info.n_missing,
            }
            for column, info in purposes.items()
        ],
    }


@router.get("/datasets/{name}/{version}/preview", summary="First rows and inferred purposes")
def preview(context: Context, name: str, version: int) -> Any:
    return jsonable(_preview(context, f"{name}:{version}"))


@router.post("/datasets", status_code=201, summary="Upload a CSV or Parquet file as a dataset")
async def upload_dataset(context: Context, request: Request) -> Any:
    path, original = await _upload(request, context, "file")
    form = await request.form()
    name = form.get("name")
    if not isinstance(name, str) or not name.strip():  # from the file name, made valid
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(original).stem).strip("._-")[:128]
    name = name.strip() or "dataset"
    try:
        if _read_table(path).empty:
            raise ValueError(
                f"the file {original!r} has no rows (or no table a CSV or Parquet reader "
                "understands); upload a table with a header and at least one row"
            )
        record = context.workspace.datasets.register(name, path, description=f"uploaded {original}")
    finally:
        path.unlink(missing_ok=True)
    return jsonable(_dataset(record))
