"""Data inputs of an AutoML job YAML (``training_data``, ``validation_data``, ``test_data``).

Azure's v2 form is ``{type: mltable, path: ...}`` (``uri_file`` is read too). Locally:

- ``path`` is a file or a folder relative to the YAML file's folder (or absolute). A folder
  holds an ``MLTable`` file naming one ``.csv`` or ``.parquet`` file (``paths: [{file:
  ...}]``, read with ``read_delimited`` (comma) or ``read_parquet``); a file is read as is.
- ``azureml:name:version`` or ``azureml:name@latest``, Azure's data asset reference, names a
  dataset registered in the workspace (``automl datasets register``).
- Remote URLs and datastores do not exist on this machine: errors.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from automl._config_checks import describe
from automl._data import DATASET_REF, FILE_FORMATS
from automl._yaml_values import AutoMLJobError, check_keys, mapping, string

__all__ = ["read_data", "write_data"]

_KEYS = ("type", "path", "mode", "description")
_HINTS = {
    "datastore": "datastores are Azure storage; give a local path in `path`",
    "path_on_compute": "locally the data is read where `path` says",
}
_TYPES = ("mltable", "uri_file")
_MODES = ("ro_mount", "download", "direct", "eval_mount", "eval_download")
_REMOTE = re.compile(r"^(https?|wasbs?|abfss?|adl|s3|gs|azureml)://", re.IGNORECASE)
_ASSET = re.compile(r"^(?P<name>[^:@/]+)(?::(?P<version>[0-9]+)|@(?P<label>latest))?$")
_READERS = ("read_delimited", "read_parquet")


def read_data(value: object, where: str, base_dir: Path) -> Path | str:
    """A v2 data input -> a local file ``Path`` or a dataset reference ``"name[:version]"``.

    Raises:
        AutoMLJobError: A bad shape or type, a remote or Azure-only location, a missing
            file, or an MLTable that does not name exactly one .csv/.parquet file.
    """
    data = mapping(
        value, where, "write {type: mltable, path: ./folder} or {type: uri_file, path: x.csv}"
    )
    check_keys(data, _KEYS, where, _HINTS)
    kind = string(data.get("type", "mltable"), f"{where}.type").lower()
    if kind not in _TYPES:
        extra = (
            "; a folder is read through its MLTable file: use type: mltable"
            if kind == "uri_folder"
            else ""
        )
        raise AutoMLJobError(
            f"`{where}.type` must be one of {', '.join(_TYPES)}, got {data['type']!r}{extra}"
        )
    mode = data.get("mode")
    if mode is not None and str(mode).lower() not in _MODES:
        raise AutoMLJobError(
            f"`{where}.mode` must be one of {', '.join(_MODES)}, got {describe(mode)}; locally "
            "every mode reads the data in place"
        )
    if "path" not in data:
        raise AutoMLJobError(f"`{where}.path` is required: a local file or folder")
    text = string(data["path"], f"{where}.path")
    if text.lower().startswith("azureml:") and not text.lower().startswith("azureml://"):
        return _dataset(text, f"{where}.path")
    path = _local(text, f"{where}.path", base_dir)
    if path.is_file():
        _check_format(path, f"{where}.path")
        return path
    if kind == "mltable" and path.is_dir():
        return _from_mltable(path, f"{where}.path")
    found = "a folder" if path.is_dir() else "nothing there"
    what = "a .csv or .parquet file" if kind == "uri_file" else "a file or an MLTable folder"
    raise AutoMLJobError(
        f"`{where}.path` must be {what}, got {text!r} (resolved to {path}: {found}); a "
        "relative path is relative to the YAML file's folder"
    )


def _dataset(text: str, where: str) -> str:
    match = _ASSET.match(text[len("azureml:") :])
    ref = None
    if match:
        ref = match["name"] + (f":{match['version']}" if match["version"] else "")
    if ref is None or not DATASET_REF.match(ref):
        raise AutoMLJobError(
            f"`{where}` must be a registered dataset as azureml:name:version or "
            f"azureml:name@latest, got {text!r}"
        )
    return ref


def _local(text: str, where: str, base_dir: Path) -> Path:
    if _REMOTE.match(text):
        raise AutoMLJobError(
            f"`{where}` must be a local path or azureml:name:version (a registered dataset), "
            f"got the remote location {text!r}; download the data first and give its path"
        )
    if text.lower().startswith("file:"):
        text = text[5:]
        if text.startswith("//"):  # file:///abs/path
            text = text[2:]
    path = Path(text).expanduser()
    return (path if path.is_absolute() else base_dir / path).resolve()


def _check_format(path: Path, where: str) -> None:
    if path.suffix.lower() not in FILE_FORMATS:
        raise AutoMLJobError(
            f"`{where}` must be a .csv or .parquet file, got {str(path)!r}; convert it first"
        )


def _from_mltable(folder: Path, where: str) -> Path:
    import yaml

    table = folder / "MLTable"
    if not table.is_file():
        raise AutoMLJobError(
            f"`{where}` is the folder {str(folder)!r}, which has no MLTable file; point "
            "`path` at a .csv or .parquet file, or add an MLTable file naming one"
        )
    try:
        spec = yaml.safe_load(table.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AutoMLJobError(f"`{where}`: cannot read {table}: {error}") from None
    spec = mapping(spec, f"{where} (MLTable)")
    paths = spec.get("paths")
    if (
        not isinstance(paths, list)
        or len(paths) != 1
        or not isinstance(paths[0], Mapping)
        or set(paths[0]) != {"file"}
    ):
        raise AutoMLJobError(
            f"`{where}`: the MLTable file {table} must name exactly one file "
            f"(paths: [{{file: ./train.csv}}]), got paths: {paths!r}"
        )
    _check_transformations(spec.get("transformations"), table, where)
    path = _local(string(paths[0]["file"], f"{where} (MLTable paths.file)"), where, folder)
    if not path.is_file():
        raise AutoMLJobError(
            f"`{where}`: the MLTable file {table} names {paths[0]['file']!r}, which does not "
            f"exist (resolved to {path})"
        )
    _check_format(path, where)
    return path


def _check_transformations(steps: object, table: Path, where: str) -> None:
    if steps is None:
        return
    if not isinstance(steps, list):
        raise AutoMLJobError(f"`{where}`: `transformations` in {table} must be a list")
    for step in steps:
        name = step if isinstance(step, str) else next(iter(step), None)
        options: Any = step.get(name) if isinstance(step, Mapping) else None
        if name not in _READERS or (isinstance(step, Mapping) and len(step) != 1):
            raise AutoMLJobError(
                f"`{where}`: the MLTable transformation {name!r} in {table} is not supported "
                f"locally (only {', '.join(_READERS)}); apply it to the file first"
            )
        if name == "read_delimited" and isinstance(options, Mapping):
            if options.get("delimiter", ",") != ",":
                raise AutoMLJobError(
                    f"`{where}`: {table} reads with delimiter {options['delimiter']!r}; only "
                    "comma-separated files are read locally: convert it to CSV or Parquet"
                )
            if options.get("header") == "no_header":
                raise AutoMLJobError(
                    f"`{where}`: {table} reads a file without a header line; add one (the "
                    "column names) to the file"
                )


def write_data(value: object, where: str, base_dir: Path | None) -> dict[str, str]:
    """A data value -> its v2 form: ``uri_file`` for a file, ``mltable`` with
    ``azureml:name:version`` (or ``@latest``) for a registered dataset.

    Raises:
        AutoMLJobError: An in-memory table (a YAML job needs a file or a dataset).
    """
    if isinstance(value, (str, os.PathLike)):
        path = Path(value).expanduser()
        if isinstance(value, os.PathLike) or path.is_file() or not DATASET_REF.match(str(value)):
            return {"type": "uri_file", "path": _relative(path, base_dir)}
        name, _, version = str(value).partition(":")
        asset = (
            f"azureml:{name}:{version}"
            if version and version != "latest"
            else (f"azureml:{name}@latest")
        )
        return {"type": "mltable", "path": asset}
    raise AutoMLJobError(
        f"`{where}` is an in-memory {type(value).__name__}, which a YAML job cannot hold: save it "
        "(frame.to_parquet('train.parquet')) or register it (workspace.datasets.register(...)) "
        "and pass its path or name"
    )


def _relative(path: Path, base_dir: Path | None) -> str:
    if base_dir is None:
        return str(path)
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path(base_dir).absolute()).as_posix()
    except ValueError:
        return str(absolute)
