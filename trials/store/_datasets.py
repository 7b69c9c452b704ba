"""The dataset registry: named, versioned tables with a content fingerprint and a profile.

A version is added only when the content differs from the newest version; registering the
same table again returns the version it already has. The fingerprint hashes column names,
dtypes and values (with the index), so the same table from a CSV file, a Parquet file or a
DataFrame is recognised as long as pandas reads it back with the same dtypes.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import re
import shutil
import time
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trials.store import _artifacts
from trials.store._records import DatasetVersion, from_epoch
from trials.store._validation import check_mapping, check_name, check_optional_str, describe

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

    from trials.store._versioning import Family
    from trials.store._workspace import Workspace

__all__ = ["DatasetRegistry", "frame_fingerprint", "profile_frame"]

_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_REF = re.compile(r"^(?P<name>[^:]+)(?::(?P<version>[0-9]+|latest))?$")


def _family() -> Family:
    from trials.store import _schema
    from trials.store._versioning import Family

    return Family(_schema.datasets, _schema.dataset_versions, "dataset_id", "dataset")


def _record(name: str, row: sa.Row[Any]) -> DatasetVersion:
    return DatasetVersion(
        name=name,
        version=row.version,
        fingerprint=row.fingerprint,
        profile=row.profile or {},
        format=row.format,
        artifact_path=row.path,
        sha256=row.sha256,
        size=row.size,
        description=row.description,
        tags=row.tags or {},
        created_at=from_epoch(row.created_at),  # type: ignore[arg-type]
    )


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of a table's content: column names and dtypes, then every row with its index."""
    import pandas as pd

    digest = hashlib.sha256()
    header = [
        [str(name), str(dtype)] for name, dtype in zip(frame.columns, frame.dtypes, strict=True)
    ]
    digest.update(json.dumps(header).encode())
    try:
        hashes = pd.util.hash_pandas_object(frame, index=True)
        digest.update(hashes.to_numpy().tobytes())
    except TypeError:
        # Cells pandas cannot hash (lists, dicts): fall back to their text.
        digest.update(frame.to_csv().encode())
    return digest.hexdigest()


def profile_frame(frame: pd.DataFrame) -> dict[str, Any]:
    """Return ``{"rows", "columns": [{"name", "dtype", "missing_pct", "distinct"}]}``.

    ``missing_pct`` is in percent; ``distinct`` counts non-missing distinct values
    (``None`` for cells pandas cannot compare, such as lists).
    """
    rows = len(frame)
    columns = []
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        missing = float(column.isna().mean() * 100.0) if rows else 0.0
        try:
            distinct: int | None = int(column.nunique(dropna=True))
        except TypeError:
            distinct = None
        columns.append(
            {
                "name": str(name),
                "dtype": str(column.dtype),
                "missing_pct": round(missing, 4),
                "distinct": distinct,
            }
        )
    return {"rows": rows, "columns": columns}


def _read(path: Path, fmt: str) -> pd.DataFrame:
    import pandas as pd

    return pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)


def _source(source: object) -> tuple[pd.DataFrame, Path | None, str]:
    """Return ``(frame, file to copy or None, stored format)``."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return source, None, "parquet"
    if not isinstance(source, (str, PathLike)):
        raise TypeError(
            f"`source` must be a pandas DataFrame or a path to a .csv or .parquet file, "
            f"got {describe(source)}"
        )
    path = Path(source)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"`source` must be a .csv, .parquet or .pq file, got {str(path)!r}; convert it, "
            "or load it with pandas and register the DataFrame"
        )
    if not path.is_file():
        raise FileNotFoundError(f"`source` must be an existing file, got {str(path)!r}")
    return _read(path, fmt), path, fmt


class DatasetRegistry:
    """Named datasets with versions, fingerprints and profiles.

    Reach it as :attr:`Workspace.datasets`.

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> from trials import Workspace
        >>> with Workspace(tempfile.mkdtemp()) as ws:
        ...     v1 = ws.datasets.register("iris", pd.DataFrame({"x": [1, 2], "y": [0, 1]}))
        ...     again = ws.datasets.register("iris", pd.DataFrame({"x": [1, 2], "y": [0, 1]}))
        ...     (v1.version, again.version, ws.datasets.load("iris:1").shape)
        (1, 1, (2, 2))
    """

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def register(
        self,
        name: str,
        source: str | PathLike[str] | pd.DataFrame,
        *,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> DatasetVersion:
        """Store a table as the next version of ``name``, unless the newest has the same content.

        Args:
            name: Dataset name (letters, digits, ``_.-``; at most 128 characters).
            source: A .csv or .parquet file (copied as is) or a DataFrame (stored as Parquet).
            description: Free text.
            tags: Initial tags.

        Returns:
            The new version, or the newest one when its content is the same.
        """
        from trials.store import _versioning

        check_name("name", name)
        check_optional_str("description", description)
        tags = check_mapping("tags", tags)
        frame, path, fmt = _source(source)
        fingerprint = frame_fingerprint(frame)
        try:
            latest = self.get(name)
        except LookupError:
            latest = None
        if latest is not None and latest.fingerprint == fingerprint:
            return latest
        root = self._ws.artifact_root
        staging = _artifacts.new_staging_dir(root)
        file_name = f"data.{fmt}"
        try:
            if path is not None:
                sha, size = _artifacts.copy_file(path, staging / file_name)
            else:
                try:
                    frame.to_parquet(staging / file_name)
                except (ValueError, TypeError) as exc:
                    raise ValueError(
                        "`source` must be a DataFrame that Parquet can store (unique string "
                        f"column names, supported dtypes), got one it refused: {exc}"
                    ) from None
                sha, size = _artifacts.sha256_file(staging / file_name)
            values = {
                "fingerprint": fingerprint,
                "profile": profile_frame(frame),
                "format": fmt,
                "size": size,
                "sha256": sha,
                "description": description,
                "tags": tags,
                "created_at": time.time(),
            }
            row, _ = _versioning.register(
                self._ws._write_engine(),
                _family(),
                name,
                values,
                path_for=lambda version: f"datasets/{name}/{version}/{file_name}",
                staging=staging,
                final_for=lambda version: root / "datasets" / name / str(version),
                same_as_latest=lambda newest: bool(newest.fingerprint == fingerprint),
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return _record(name, row)

    def get(self, name: str, version: int | Literal["latest"] = "latest") -> DatasetVersion:
        """Return a version of ``name`` (the newest by default).

        Raises:
            NotFoundError: unknown name or version; the message lists what exists.
        """
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return _record(name, _versioning.get_version(conn, _family(), name, version))

    def resolve(self, ref: str) -> DatasetVersion:
        """Return the version a reference names: ``"name"`` / ``"name:latest"`` or ``"name:3"``."""
        if not isinstance(ref, str):
            raise TypeError(f"`ref` must be a string like 'name' or 'name:3', got {describe(ref)}")
        match = _REF.match(ref)
        if match is None:
            raise ValueError(
                "`ref` must be 'name', 'name:latest' or 'name:<version>' (e.g. 'sales:3'), "
                f"got {ref!r}"
            )
        version = match["version"]
        if version is None or version == "latest":
            return self.get(match["name"])
        return self.get(match["name"], int(version))

    def list(self) -> builtins.list[DatasetVersion]:
        """Return the newest version of every dataset, by name."""
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return [_record(n, row) for n, row in _versioning.latest_versions(conn, _family())]

    def versions(self, name: str) -> builtins.list[DatasetVersion]:
        """Return every version of ``name``, oldest first."""
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return [_record(name, row) for row in _versioning.versions(conn, _family(), name)]

    def set_tags(
        self, name: str, version: int | Literal["latest"], tags: Mapping[str, Any]
    ) -> DatasetVersion:
        """Add tags to a version (replacing values of the same keys); return the version."""
        from trials.store import _versioning

        merged = check_mapping("tags", tags)
        with self._ws._writing() as conn:
            return _record(name, _versioning.update_tags(conn, _family(), name, version, merged))

    def path(self, name: str, version: int | Literal["latest"] = "latest") -> Path:
        """Return the local path of a version's file after verifying its sha256.

        Args:
            name: A name, or a reference like ``"sales:3"``.
            version: Version number or ``"latest"`` (a reference already names one).
        """
        record = self._lookup(name, version)
        path = self._ws.artifact_root / record.artifact_path
        what = f"dataset {record.name!r} version {record.version}"
        _artifacts.verify_file(path, record.sha256, what)
        return path

    def load(self, name: str, version: int | Literal["latest"] = "latest") -> pd.DataFrame:
        """Read a version into a DataFrame after verifying its sha256.

        Args:
            name: A name, or a reference like ``"sales:3"``.
            version: Version number or ``"latest"`` (a reference already names one).

        Raises:
            NotFoundError: unknown name or version.
            ArtifactIntegrityError: the stored file was modified since registration.
        """
        record = self._lookup(name, version)
        return _read(self.path(record.name, record.version), record.format)

    def _lookup(self, name: str, version: int | Literal["latest"]) -> DatasetVersion:
        if isinstance(name, str) and ":" in name:
            if version != "latest":
                raise ValueError(
                    f"`version` must be 'latest' when `name` is a reference with a version, "
                    f"got name={name!r} and version={version!r}; pass one or the other"
                )
            return self.resolve(name)
        return self.get(name, version)
