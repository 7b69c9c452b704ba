"""The model registry: named, versioned model files or folders with sha256 and lineage.

The store keeps a model as bytes with their sha256 and metadata; knowing how to save and
load a particular kind of model is the job of the package that builds it (``automl``).
"""

from __future__ import annotations

import builtins
import shutil
import time
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trials.store import _artifacts
from trials.store._records import ModelVersion, from_epoch
from trials.store._validation import (
    check_mapping,
    check_name,
    check_optional_str,
    describe,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from trials.store._versioning import Family
    from trials.store._workspace import Workspace

__all__ = ["ModelRegistry"]


def _family() -> Family:
    from trials.store import _schema
    from trials.store._versioning import Family

    return Family(_schema.models, _schema.model_versions, "model_id", "model")


def _record(name: str, row: sa.Row[Any]) -> ModelVersion:
    return ModelVersion(
        name=name,
        version=row.version,
        source_run_id=row.source_run_id,
        kind=row.kind,
        artifact_path=row.path,
        sha256=row.sha256,
        size=row.size,
        tags=row.tags or {},
        lineage=row.lineage or {},
        description=row.description,
        created_at=from_epoch(row.created_at),  # type: ignore[arg-type]
        manifest=row.manifest or {},
    )


def _source(source: object) -> tuple[Path, Literal["file", "folder"]]:
    if not isinstance(source, (str, PathLike)):
        raise TypeError(f"`source` must be a path to a file or folder, got {describe(source)}")
    path = Path(source)
    if path.is_file():
        return path, "file"
    if path.is_dir():
        if not any(p.is_file() for p in path.rglob("*")):
            raise ValueError(
                "`source` must be a file or a folder with files, "
                f"got {str(path)!r}, an empty folder"
            )
        return path, "folder"
    raise FileNotFoundError(f"`source` must be an existing file or folder, got {str(path)!r}")


class ModelRegistry:
    """Named models with auto-incremented versions, tags, lineage and integrity checks.

    Reach it as :attr:`Workspace.models`.

    Example:
        >>> import tempfile, pathlib
        >>> from trials import Workspace
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> (folder / "model.bin").write_bytes(b"weights")
        7
        >>> with Workspace(folder / "ws") as ws:
        ...     first = ws.models.register("churn", folder / "model.bin", tags={"stage": "dev"})
        ...     (first.version, ws.models.path("churn").name)
        (1, 'model.bin')
    """

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def _run_info(self, run_id: str) -> dict[str, Any]:
        run = self._ws.get_run(run_id)
        return {
            "run_id": run.id,
            "experiment": run.experiment,
            "params": dict(run.params),
            "metrics": self._ws.final_metrics(run_id),
        }

    def register(
        self,
        name: str,
        source: str | PathLike[str],
        *,
        run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        code_dir: str | PathLike[str] | None = None,
        data_fingerprint: str | None = None,
        extra_lineage: Mapping[str, Any] | None = None,
    ) -> ModelVersion:
        """Copy a model file or folder into the registry as the next version of ``name``.

        Args:
            name: Model name (letters, digits, ``_.-``; at most 128 characters).
            source: The model file, or a folder (every file under it is stored).
            run_id: The run that produced it; its experiment, parameters and final metrics
                go into the lineage.
            tags: Initial tags (mutable later with :meth:`set_tags`).
            description: Free text.
            code_dir: Folder whose git commit and dirty flag go into the lineage.
            data_fingerprint: Fingerprint of the training data, for the lineage.
            extra_lineage: More JSON-serializable provenance (lineage ``"extra"``).

        Returns:
            The new version, stored under ``artifacts/models/<name>/<version>/``.
        """
        from trials.store import _versioning
        from trials.store._lineage import build_lineage

        check_name("name", name)
        path, kind = _source(source)
        tags = check_mapping("tags", tags)
        check_optional_str("description", description)
        check_optional_str("data_fingerprint", data_fingerprint)
        extra = check_mapping("extra_lineage", extra_lineage)
        if code_dir is not None and not Path(code_dir).is_dir():
            raise ValueError(
                f"`code_dir` must be an existing folder or None, got {str(code_dir)!r}"
            )
        run = None if run_id is None else self._run_info(run_id)
        lineage = build_lineage(
            run=run,
            source=str(path.absolute()),
            code_dir=code_dir,
            data_fingerprint=data_fingerprint,
            extra=extra,
        )
        root = self._ws.artifact_root
        staging = _artifacts.new_staging_dir(root)
        try:
            if kind == "file":
                sha, size = _artifacts.copy_file(path, staging / path.name)
                manifest = None
            else:
                manifest, size = _artifacts.copy_tree(path, staging)
                sha = _artifacts.manifest_sha256(manifest)
            values = {
                "source_run_id": run_id,
                "kind": kind,
                "sha256": sha,
                "size": size,
                "manifest": manifest,
                "tags": tags,
                "lineage": lineage,
                "description": description,
                "created_at": time.time(),
            }
            suffix = f"/{path.name}" if kind == "file" else ""
            row, _ = _versioning.register(
                self._ws._write_engine(),
                _family(),
                name,
                values,
                path_for=lambda version: f"models/{name}/{version}{suffix}",
                staging=staging,
                final_for=lambda version: root / "models" / name / str(version),
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return _record(name, row)

    def get(self, name: str, version: int | Literal["latest"] = "latest") -> ModelVersion:
        """Return a version of ``name`` (the newest by default).

        Raises:
            NotFoundError: unknown name or version; the message lists what exists.
        """
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return _record(name, _versioning.get_version(conn, _family(), name, version))

    def list_models(self) -> builtins.list[ModelVersion]:
        """Return the newest version of every model, by name."""
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return [_record(n, row) for n, row in _versioning.latest_versions(conn, _family())]

    def versions(self, name: str) -> builtins.list[ModelVersion]:
        """Return every version of ``name``, oldest first."""
        from trials.store import _versioning

        with self._ws._reading() as conn:
            return [_record(name, row) for row in _versioning.versions(conn, _family(), name)]

    def set_tags(
        self, name: str, version: int | Literal["latest"], tags: Mapping[str, Any]
    ) -> ModelVersion:
        """Add tags to a version (replacing values of the same keys); return the version.

        Tags are the mutable part of a model version; its files and lineage never change.
        """
        from trials.store import _versioning

        merged = check_mapping("tags", tags)
        with self._ws._writing() as conn:
            return _record(name, _versioning.update_tags(conn, _family(), name, version, merged))

    def remove_tags(
        self, name: str, version: int | Literal["latest"], keys: Iterable[str]
    ) -> ModelVersion:
        """Remove the tags named in ``keys`` from a version; return the version."""
        from trials.store import _versioning

        if isinstance(keys, str):
            raise TypeError(f"`keys` must be a list of tag names, got the string {keys!r}")
        drop = frozenset(keys)
        with self._ws._writing() as conn:
            row = _versioning.update_tags(conn, _family(), name, version, {}, drop)
            return _record(name, row)

    def path(self, name: str, version: int | Literal["latest"] = "latest") -> Path:
        """Return the local path of a version's file or folder, after verifying its sha256.

        Raises:
            NotFoundError: unknown name or version.
            ArtifactIntegrityError: a stored file was modified, removed or added; the
                message names the file and both the expected and the actual sha256.
        """
        record = self.get(name, version)
        path = self._ws.artifact_root / record.artifact_path
        what = f"model {name!r} version {record.version}"
        if record.kind == "file":
            _artifacts.verify_file(path, record.sha256, what)
        else:
            _artifacts.verify_tree(path, record.manifest, what)
        return path
