"""Files in the artifact root: copying with sha256, manifests of folders, verification.

Every stored file gets its sha256 while it is copied (one read of the source). Files are
written under a temporary name and renamed into place, so a reader never sees half a file.
Registered models and datasets are assembled in ``.staging/`` under the artifact root and
renamed into their final folder inside the transaction that records them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from trials.store._errors import ArtifactIntegrityError

__all__ = [
    "check_relative_name",
    "copy_file",
    "copy_tree",
    "manifest_sha256",
    "new_staging_dir",
    "publish",
    "sha256_file",
    "verify_file",
    "verify_tree",
    "write_bytes",
]

_CHUNK = 1 << 20


def check_relative_name(field: str, name: object) -> str:
    """Return ``name`` as a normalised relative POSIX path, or raise.

    Raises:
        TypeError: not a string.
        ValueError: empty, absolute, or climbing out with ``..``.
    """
    if not isinstance(name, str):
        raise TypeError(f"`{field}` must be a string, got {type(name).__name__}")
    pure = PurePosixPath(name.replace("\\", "/"))
    if not name or pure.is_absolute() or ".." in pure.parts or str(pure) in ("", "."):
        raise ValueError(
            f"`{field}` must be a relative file name such as 'model.pkl' or 'plots/roc.png' "
            f"(no leading '/', no '..'), got {name!r}"
        )
    return str(pure)


def _hash_stream(stream: BinaryIO, out: BinaryIO | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    """Return ``(sha256 hex, size in bytes)`` of the file at ``path``."""
    with path.open("rb") as stream:
        return _hash_stream(stream, None)


def _temporary(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:8]}.tmp")


def copy_file(source: Path, dest: Path) -> tuple[str, int]:
    """Copy ``source`` to ``dest`` atomically; return ``(sha256, size)`` of the copy."""
    tmp = _temporary(dest)
    try:
        with source.open("rb") as src, tmp.open("wb") as out:
            result = _hash_stream(src, out)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return result


def write_bytes(data: bytes, dest: Path) -> tuple[str, int]:
    """Write ``data`` to ``dest`` atomically; return ``(sha256, size)``."""
    tmp = _temporary(dest)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return hashlib.sha256(data).hexdigest(), len(data)


def copy_tree(source: Path, dest: Path) -> tuple[dict[str, str], int]:
    """Copy every file under ``source`` into ``dest``.

    Returns:
        ``(manifest, total size)``, the manifest mapping each relative POSIX path to its
        sha256.
    """
    manifest: dict[str, str] = {}
    total = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        sha, size = copy_file(path, dest / relative)
        manifest[relative] = sha
        total += size
    return manifest, total


def manifest_sha256(manifest: Mapping[str, str]) -> str:
    """sha256 of a folder: over the lines ``"<relative path>\\t<file sha256>\\n"``, sorted."""
    digest = hashlib.sha256()
    for relative in sorted(manifest):
        digest.update(f"{relative}\t{manifest[relative]}\n".encode())
    return digest.hexdigest()


def new_staging_dir(root: Path) -> Path:
    """Create and return an empty folder under ``root/.staging``."""
    path = root / ".staging" / uuid.uuid4().hex
    path.mkdir(parents=True)
    return path


def publish(staging: Path, final: Path) -> None:
    """Move a staging folder to ``final``, replacing a leftover of an aborted attempt.

    Only call this while holding the database row that owns ``final`` (its version number),
    so a folder already there cannot belong to anyone else.
    """
    if final.exists():
        shutil.rmtree(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, final)


def verify_file(path: Path, expected: str, what: str) -> None:
    """Raise :class:`ArtifactIntegrityError` unless the file's sha256 is ``expected``.

    Args:
        path: The stored file.
        expected: sha256 recorded when it was stored.
        what: What the file is, for the message (e.g. "model 'churn' version 3").
    """
    if not path.is_file():
        raise ArtifactIntegrityError(
            f"{what}: stored file {str(path)!r} is missing (expected sha256 {expected}); "
            "it was deleted or moved out of the artifact root"
        )
    actual, _ = sha256_file(path)
    if actual != expected:
        raise ArtifactIntegrityError(
            f"{what}: stored file {str(path)!r} has sha256 {actual}, expected {expected}; "
            "the file was modified or corrupted after it was stored. Store it again from "
            "its source rather than loading it"
        )


def verify_tree(folder: Path, manifest: Mapping[str, str], what: str) -> None:
    """Verify every file of a stored folder against its manifest, and that none was added.

    Raises:
        ArtifactIntegrityError: a file is missing, modified or unexpected; the message names
            the file and both hashes.
    """
    for relative in sorted(manifest):
        verify_file(folder / relative, manifest[relative], what)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    extra = sorted(present - set(manifest))
    if extra:
        path = folder / extra[0]
        actual, _ = sha256_file(path)
        raise ArtifactIntegrityError(
            f"{what}: file {str(path)!r} (sha256 {actual}) was added after the folder was "
            f"stored; expected sha256 (none: not in the manifest). Unexpected files: {extra}"
        )
