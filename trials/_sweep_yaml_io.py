"""The ``inputs`` and ``outputs`` of a sweep job YAML, read for a local run.

Inputs are literals (a string, number or boolean) or local data: ``{type: uri_file, path:
...}`` / ``{type: uri_folder, path: ...}``. A relative path is relative to the YAML file's
folder; it must exist. Azure data assets (``azureml:...``) and remote URLs (``https://``,
``wasbs://``, ``abfss://``, ...) do not exist on this machine and are errors.

Outputs are accepted and not mounted: a local trial keeps its files as artifacts instead
(``report.log_artifact(path)`` in the script), so :func:`parse_outputs` returns their names
and a notice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

from trials._sweep_yaml_checks import SweepJobError, check_keys, describe, mapping, string

__all__ = [
    "OUTPUTS_HINT",
    "InputValue",
    "JobInput",
    "input_values",
    "parse_inputs",
    "parse_outputs",
]

InputValue: TypeAlias = str | int | float | bool
"""What an ``${{inputs.<name>}}`` placeholder is replaced by."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATA_TYPES = ("uri_file", "uri_folder")
_AZURE_ONLY_TYPES = ("mltable", "custom_model", "mlflow_model", "triton_model")
_DATA_KEYS = ("type", "path", "mode", "description")
_DATA_HINTS = {
    "datastore": "datastores are Azure storage; give a local path in `path`",
    "path_on_compute": "locally the file is read where `path` says",
}
_MODES = ("ro_mount", "download", "direct", "eval_mount", "eval_download")
_OUTPUT_KEYS = ("type", "path", "mode", "name", "version", "description")
_OUTPUT_TYPES = (
    "uri_file",
    "uri_folder",
    "custom_model",
    "mlflow_model",
    "mltable",
    "triton_model",
)
_OUTPUT_MODES = ("mount", "upload", "rw_mount", "direct")
_REMOTE = re.compile(r"^(https?|wasbs?|abfss?|adl|s3|gs|azureml)://", re.IGNORECASE)

OUTPUTS_HINT = (
    "a local trial keeps its files as artifacts: call `report.log_artifact(path)` "
    "(from trials import report) in the script; stdout and stderr are kept too"
)


@dataclass(frozen=True)
class JobInput:
    """One entry of the job's ``inputs``.

    Attributes:
        type: ``"literal"`` (a string, number or boolean given directly), ``"uri_file"`` or
            ``"uri_folder"``.
        value: The literal, or the absolute local path of the file or folder.

    Example:
        >>> JobInput("literal", 0.5).value
        0.5
    """

    type: Literal["literal", "uri_file", "uri_folder"]
    value: InputValue


def parse_inputs(raw: object, base_dir: Path) -> dict[str, JobInput]:
    """Read the ``inputs`` mapping; local paths resolved against ``base_dir``.

    Raises:
        SweepJobError: A bad name or value, an unsupported type, an Azure or remote path, or
            a local path that does not exist.
    """
    if raw is None:
        return {}
    inputs: dict[str, JobInput] = {}
    for name, value in mapping(raw, "inputs").items():
        where = f"inputs.{name}"
        if not _NAME.match(name):
            raise SweepJobError(
                f"input names must be letters, digits and '_' (not starting with a digit), got "
                f"{name!r}; a command refers to it as ${{{{inputs.<name>}}}}"
            )
        inputs[name] = _parse_input(value, where, base_dir)
    return inputs


def _parse_input(value: object, where: str, base_dir: Path) -> JobInput:
    if isinstance(value, (str, int, float, bool)):
        return JobInput("literal", value)
    if isinstance(value, Mapping) and "type" not in value and set(value) == {"value"}:
        literal = value["value"]  # Azure's {value: ...} form of a literal
        if isinstance(literal, (str, int, float, bool)):
            return JobInput("literal", literal)
        raise SweepJobError(
            f"`{where}.value` must be a string, a number or a boolean, got {describe(literal)}"
        )
    data = mapping(
        value,
        where,
        "give a literal (string, number, boolean) or {type: uri_file, path: data.csv}",
    )
    if "type" not in data:
        raise SweepJobError(
            f"`{where}.type` is required for a data input: uri_file or uri_folder, got keys "
            f"{sorted(data)!r}"
        )
    kind = string(data["type"], f"{where}.type").lower()
    if kind not in _DATA_TYPES:
        extra = (
            f"; {kind} inputs are Azure assets, not supported locally"
            if kind in _AZURE_ONLY_TYPES
            else ""
        )
        raise SweepJobError(
            f"`{where}.type` must be one of {', '.join(_DATA_TYPES)}, got {data['type']!r}{extra}"
        )
    check_keys(data, _DATA_KEYS, where, _DATA_HINTS)
    if "mode" in data and str(data["mode"]).lower() not in _MODES:
        raise SweepJobError(
            f"`{where}.mode` must be one of {', '.join(_MODES)}, got {describe(data['mode'])}; "
            "locally every mode reads the file in place"
        )
    if "path" not in data:
        raise SweepJobError(f"`{where}.path` is required for a {kind} input")
    path = _local_path(data["path"], f"{where}.path", base_dir)
    if kind == "uri_file" and not path.is_file():
        raise SweepJobError(_missing(data["path"], path, f"{where}.path", "file"))
    if kind == "uri_folder" and not path.is_dir():
        raise SweepJobError(_missing(data["path"], path, f"{where}.path", "folder"))
    return JobInput("uri_file" if kind == "uri_file" else "uri_folder", str(path))


def _missing(given: str, resolved: Path, where: str, what: str) -> str:
    found = "not a " + what if resolved.exists() else "nothing there"
    return (
        f"`{where}` must be an existing {what}, got {given!r} (resolved to {resolved}: "
        f"{found}); a relative path is relative to the YAML file's folder"
    )


def _local_path(value: object, where: str, base_dir: Path) -> Path:
    text = string(value, where)
    if text.lower().startswith("azureml:"):
        raise SweepJobError(
            f"`{where}` must be a local path, got the Azure ML asset {text!r}, which is not "
            "supported locally; download the data and give its path (relative to the YAML "
            "file's folder)"
        )
    if _REMOTE.match(text):
        raise SweepJobError(
            f"`{where}` must be a local path, got the remote URL {text!r}, which is not "
            "supported locally; download the file first and give its path"
        )
    if text.lower().startswith("file:"):
        text = text[5:]
        if text.startswith("//"):  # file:///abs/path
            text = text[2:]
    path = Path(text).expanduser()
    return (path if path.is_absolute() else base_dir / path).resolve()


def parse_outputs(raw: object) -> tuple[str, ...]:
    """Read the ``outputs`` mapping; returns the output names (they are not mounted).

    Raises:
        SweepJobError: A bad name, key or type.
    """
    if raw is None:
        return ()
    names: list[str] = []
    for name, value in mapping(raw, "outputs").items():
        where = f"outputs.{name}"
        if not _NAME.match(name):
            raise SweepJobError(
                f"output names must be letters, digits and '_' (not starting with a digit), "
                f"got {name!r}"
            )
        if value is not None:
            data = mapping(value, where)
            check_keys(data, _OUTPUT_KEYS, where)
            kind = data.get("type")
            if kind is not None and str(kind).lower() not in _OUTPUT_TYPES:
                raise SweepJobError(
                    f"`{where}.type` must be one of {', '.join(_OUTPUT_TYPES)}, got "
                    f"{describe(kind)}"
                )
            mode = data.get("mode")
            if mode is not None and str(mode).lower() not in _OUTPUT_MODES:
                raise SweepJobError(
                    f"`{where}.mode` must be one of {', '.join(_OUTPUT_MODES)}, got "
                    f"{describe(mode)}"
                )
        names.append(name)
    return tuple(names)


def input_values(inputs: Mapping[str, JobInput]) -> dict[str, Any]:
    """Name -> value, what ``${{inputs.<name>}}`` placeholders are replaced by."""
    return {name: item.value for name, item in inputs.items()}
