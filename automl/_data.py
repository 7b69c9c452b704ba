"""AutoML's data inputs: what ``training_data`` (and validation/test data) may be, and loading.

A data value is one of:

- an in-memory table: a pandas or polars DataFrame, or a pyarrow Table;
- a file: a ``pathlib.Path`` (or any ``os.PathLike``) to a ``.csv``, ``.parquet`` or ``.pq``
  file;
- a string: a file path, or a dataset registered in the workspace, ``"name"`` (its newest
  version) or ``"name:version"``.

:class:`~automl.AutoMLConfig` checks the value at construction without reading the data (a
file's header at most) and keeps it as given; :func:`load_training_data` reads it when the
experiment runs, once the workspace is known. A string that is both an existing path and a
registered dataset is an error: pass a ``Path`` for the file, or ``"name:version"`` for the
dataset.

Nothing here imports pandas, polars or pyarrow at import time: an in-memory table is
recognised through the libraries already loaded (a pandas DataFrame cannot exist unless
pandas was imported).
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl._config_checks import AutoMLConfigError, closest, describe

if TYPE_CHECKING:
    import pandas as pd

    from trials.store import Workspace

__all__ = [
    "FILE_FORMATS",
    "LoadedData",
    "check_data",
    "data_columns",
    "data_from_description",
    "describe_data",
    "frame_kind",
    "load_data",
    "load_training_data",
]

FILE_FORMATS: Mapping[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
"""File suffix -> format that AutoML reads."""

# A dataset reference: the store's name rule, then an optional ":version" or ":latest".
DATASET_REF = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,127})(?::(?P<version>[0-9]+|latest))?$"
)
_EXPECTED = (
    "a pandas or polars DataFrame, a pyarrow Table, a .csv or .parquet file path, or a "
    "registered dataset ('name' or 'name:version')"
)
_IN_MEMORY = {
    ("pandas", "DataFrame"): "pandas.DataFrame",
    ("polars", "DataFrame"): "polars.DataFrame",
    ("pyarrow", "Table"): "pyarrow.Table",
}


def frame_kind(value: object) -> str | None:
    """``"pandas.DataFrame"``, ``"polars.DataFrame"`` or ``"pyarrow.Table"``, else None.

    Only libraries already imported are asked: a value cannot be a pandas DataFrame unless
    pandas was imported to make it.
    """
    for (module_name, class_name), kind in _IN_MEMORY.items():
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type) and isinstance(value, cls):
            return kind
    return None


def _file_format(field_name: str, path: Path, given: object) -> str:
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise AutoMLConfigError(
            f"`{field_name}` must be {_EXPECTED}, got {describe(given)}: a file AutoML cannot "
            "read; save it as .csv or .parquet (or load it and pass the DataFrame)"
        )
    return fmt


def check_data(field_name: str, value: object, *, min_rows: int) -> None:
    """Check a data value at construction, reading nothing but its shape.

    Raises:
        AutoMLConfigError: Not a supported kind, an empty table, column names that are not
            unique strings, a ``Path`` that is not an existing .csv/.parquet file, or a
            string that can be neither a file nor a dataset reference.
    """
    kind = frame_kind(value)
    if kind is not None:
        rows = len(value)  # type: ignore[arg-type]
        if rows < min_rows:
            raise AutoMLConfigError(
                f"`{field_name}` must have at least {min_rows} row(s), got a {kind} with {rows}"
            )
        _check_column_names(field_name, _frame_columns(value, kind))
        return
    if isinstance(value, os.PathLike):
        path = Path(value).expanduser()
        if not path.is_file():
            found = "a folder" if path.is_dir() else "no such file"
            raise AutoMLConfigError(
                f"`{field_name}` must be an existing .csv or .parquet file, got "
                f"{os.fspath(value)!r}: {found} (resolved to {path.absolute()})"
            )
        _file_format(field_name, path, os.fspath(value))
        return
    if isinstance(value, str):
        _check_string(field_name, value)
        return
    hint = ""
    if type(value).__name__ == "LazyFrame":
        hint = "; collect it first: training_data=lazy_frame.collect()"
    elif type(value).__name__ == "ndarray":
        hint = "; wrap it with column names: pandas.DataFrame(array, columns=[...])"
    raise AutoMLConfigError(f"`{field_name}` must be {_EXPECTED}, got {describe(value)}{hint}")


def _check_string(field_name: str, value: str) -> None:
    if not value.strip():
        raise AutoMLConfigError(f"`{field_name}` must be {_EXPECTED}, got {value!r}")
    path = Path(value).expanduser()
    if path.is_file() and path.suffix.lower() in FILE_FORMATS:
        return
    if DATASET_REF.match(value):
        return  # a dataset name, or a file that load_data will find (or not)
    if path.is_file():
        _file_format(field_name, path, value)
    found = "a folder" if path.is_dir() else "no such file"
    raise AutoMLConfigError(
        f"`{field_name}` must be {_EXPECTED}, got {value!r}: {found} (resolved to "
        f"{path.absolute()}), and not a dataset name (letters, digits, '_', '.', '-', "
        "optionally ':version')"
    )


def _frame_columns(value: Any, kind: str) -> list[Any]:
    if kind == "pyarrow.Table":
        return list(value.column_names)
    return list(value.columns)


def _check_column_names(field_name: str, columns: list[Any]) -> None:
    for name in columns:
        if not isinstance(name, str):
            raise AutoMLConfigError(
                f"`{field_name}` column names must be strings, got {describe(name)}; name the "
                "columns, e.g. frame.columns = [str(c) for c in frame.columns]"
            )
    seen: set[str] = set()
    repeated: set[str] = set()
    for name in columns:
        (repeated if name in seen else seen).add(name)
    if repeated:
        shown = ", ".join(map(repr, sorted(repeated)))
        raise AutoMLConfigError(
            f"`{field_name}` column names must be unique, got {shown} more than once"
        )


def data_columns(field_name: str, value: object) -> list[str] | None:
    """The column names of a data value when they are cheap to know, else None.

    In-memory tables give theirs; an existing file gives its header (the first line of a
    CSV, the schema of a Parquet file). A registered dataset needs the workspace: None.

    Raises:
        AutoMLConfigError: The file's header cannot be read.
    """
    kind = frame_kind(value)
    if kind is not None:
        return [str(name) for name in _frame_columns(value, kind)]
    if not isinstance(value, (str, os.PathLike)):
        return None
    path = Path(value).expanduser()
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None or not path.is_file():
        return None
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return [str(name) for name in pq.read_schema(path).names]
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), None)
    except Exception as error:  # any reader error: the message says which file and why
        raise AutoMLConfigError(
            f"`{field_name}` must be a readable .csv or .parquet file, got {str(path)!r}: "
            f"{type(error).__name__}: {error}"
        ) from None
    if not header:
        raise AutoMLConfigError(
            f"`{field_name}` must be a CSV file with a header line, got the empty file "
            f"{str(path)!r}"
        )
    return header


def describe_data(value: object) -> dict[str, Any] | None:
    """A JSON-able description of a data value (the data itself is never included).

    ``{"path": ...}`` for a ``Path``, ``{"ref": ...}`` for a string (a file or a dataset),
    ``{"in_memory": kind, "rows": n, "columns": [...]}`` for a table; None for None.

    Example:
        >>> describe_data("credit:2")
        {'ref': 'credit:2'}
    """
    if value is None:
        return None
    kind = frame_kind(value)
    if kind is not None:
        columns = [str(name) for name in _frame_columns(value, kind)]
        return {"in_memory": kind, "rows": len(value), "columns": columns}  # type: ignore[arg-type]
    if isinstance(value, os.PathLike):
        return {"path": os.fspath(value)}
    if isinstance(value, str):
        return {"ref": value}
    return {"unknown": type(value).__name__}


def data_from_description(field_name: str, description: object) -> Any:
    """The value :func:`describe_data` described: a ``Path``, a string or None.

    Raises:
        AutoMLConfigError: An in-memory table (it cannot be restored: pass it again) or a
            description this module did not write.
    """
    if description is None or isinstance(description, str):
        return description
    if isinstance(description, Mapping):
        if set(description) == {"path"} and isinstance(description["path"], str):
            return Path(description["path"])
        if set(description) == {"ref"} and isinstance(description["ref"], str):
            return description["ref"]
        if "in_memory" in description:
            raise AutoMLConfigError(
                f"`{field_name}` was an in-memory {description['in_memory']} and cannot be "
                f"restored from a description; pass it again: "
                f"AutoMLConfig.from_dict(data, {field_name}=frame)"
            )
    raise AutoMLConfigError(
        f"`{field_name}` must be a data description ({{'path': ...}} or {{'ref': ...}}) or "
        f"None, got {describe(description)}"
    )


@dataclass(frozen=True, eq=False)
class LoadedData:
    """A data value read into pandas, with where it came from (for lineage).

    Attributes:
        frame: The table.
        source: ``{"kind": "dataset", "name", "version", "fingerprint"}``,
            ``{"kind": "file", "path", "format"}`` or ``{"kind": "<library>.<class>"}``.
    """

    frame: pd.DataFrame
    source: Mapping[str, Any] = field(default_factory=dict)


def load_training_data(
    value: object,
    *,
    workspace: Workspace | str | os.PathLike[str] | None,
    field: str = "training_data",
) -> pd.DataFrame:
    """Read a data value of an AutoMLConfig into a pandas DataFrame.

    Args:
        value: A pandas/polars DataFrame, a pyarrow Table, a ``Path`` to a .csv/.parquet
            file, or a string: a file path or a registered dataset ``"name"`` /
            ``"name:version"``.
        workspace: Where registered datasets are looked up: a :class:`~trials.Workspace`
            or its location. With None a string can only be a file.
        field: The field named in errors (``"validation_data"``, ``"test_data"``).

    Raises:
        AutoMLConfigError: The value is neither a readable file nor a registered dataset,
            or a string is both an existing path and a registered dataset.

    Example:
        >>> import pandas as pd
        >>> load_training_data(pd.DataFrame({"x": [1, 2]}), workspace=None).shape
        (2, 1)
    """
    return load_data(value, workspace=workspace, field=field).frame


def load_data(
    value: object,
    *,
    workspace: Workspace | str | os.PathLike[str] | None,
    field: str = "training_data",
) -> LoadedData:
    """Like :func:`load_training_data`, with the source of the data for lineage."""
    check_data(field, value, min_rows=1)
    kind = frame_kind(value)
    if kind is not None:
        return LoadedData(_to_pandas(value, kind), {"kind": kind})
    if isinstance(value, os.PathLike):
        return _read_file(field, Path(value).expanduser())
    text = str(value)
    if workspace is None or not DATASET_REF.match(text):
        return _read_path_string(field, text, None)
    from trials.store import Workspace

    if isinstance(workspace, Workspace):
        return _read_path_string(field, text, workspace)
    with Workspace(workspace) as opened:
        return _read_path_string(field, text, opened)


def _to_pandas(value: Any, kind: str) -> pd.DataFrame:
    frame: pd.DataFrame = value if kind == "pandas.DataFrame" else value.to_pandas()
    return frame  # polars and pyarrow both name it to_pandas


def _read_file(field_name: str, path: Path) -> LoadedData:
    import pandas as pd

    fmt = _file_format(field_name, path, str(path))
    try:
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    except Exception as error:  # a parser or I/O error: say which file and why
        raise AutoMLConfigError(
            f"`{field_name}` must be a readable {fmt} file, got {str(path)!r}: "
            f"{type(error).__name__}: {error}"
        ) from None
    return LoadedData(frame, {"kind": "file", "path": str(path.absolute()), "format": fmt})


def _read_path_string(field_name: str, text: str, workspace: Workspace | None) -> LoadedData:
    path = Path(text).expanduser()
    dataset = None
    if workspace is not None:
        try:
            dataset = workspace.datasets.resolve(text)
        except LookupError:
            dataset = None
    if dataset is not None and path.exists():
        raise AutoMLConfigError(
            f"`{field_name}` {text!r} is ambiguous: it is both the path {str(path.absolute())!r} "
            f"and the registered dataset {dataset.name!r} (version {dataset.version}) in the "
            f"workspace {workspace.location if workspace else ''}; pass pathlib.Path({text!r}) "
            f"for the file, or '{dataset.name}:{dataset.version}' for the dataset"
        )
    if dataset is not None and workspace is not None:
        frame = workspace.datasets.load(dataset.name, dataset.version)
        source = {
            "kind": "dataset",
            "name": dataset.name,
            "version": dataset.version,
            "fingerprint": dataset.fingerprint,
        }
        return LoadedData(frame, source)
    if path.is_file():
        return _read_file(field_name, path)
    raise AutoMLConfigError(_not_found(field_name, text, path, workspace))


def _not_found(field_name: str, text: str, path: Path, workspace: Workspace | None) -> str:
    found = "a folder" if path.is_dir() else "no such file"
    message = f"`{field_name}` must be an existing file or a registered dataset, got {text!r}: "
    message += f"{found} at {path.absolute()}"
    if workspace is None:
        if DATASET_REF.match(text):
            message += "; to read a registered dataset, pass the workspace"
        return message
    names = [item.name for item in workspace.datasets.list()]
    match = DATASET_REF.match(text)
    hint = closest(match["name"], names) if match else ""
    shown = ", ".join(map(repr, names[:20])) or "none"
    return (
        f"{message}, and no dataset {text!r} in the workspace {workspace.location}"
        f"{hint}; registered datasets: {shown}"
    )
