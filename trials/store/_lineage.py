"""Lineage of a registered model: where it came from, recorded once at registration.

Lineage is structured JSON: the source run (its experiment, parameters and final metrics),
the git commit of the code and whether the work tree had uncommitted changes, the versions of
Python and of the libraries that matter for loading a model, the training data's
fingerprint, and when it was registered. Library versions come from package metadata, so
nothing is imported to read them.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["build_lineage", "git_state", "package_versions"]

_ALWAYS = ("openaml", "numpy", "pandas", "scikit-learn")
_IF_INSTALLED = ("lightgbm", "xgboost", "catboost", "torch")
_GIT_TIMEOUT_S = 10.0


def _version(distribution: str) -> str | None:
    try:
        return importlib_metadata.version(distribution)
    except importlib_metadata.PackageNotFoundError:
        return None


def package_versions() -> dict[str, str | None]:
    """Return Python's version and the installed versions of the libraries models need.

    openaml, numpy, pandas and scikit-learn are always listed (``None`` if missing);
    lightgbm, xgboost, catboost and torch only when installed.
    """
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _ALWAYS:
        versions[name] = _version(name)
    for name in _IF_INSTALLED:
        found = _version(name)
        if found is not None:
            versions[name] = found
    return versions


def _git(code_dir: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, "-C", str(code_dir), *args],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(code_dir: str | PathLike[str]) -> dict[str, Any] | None:
    """Return ``{"commit": sha, "dirty": bool}`` of the git work tree at ``code_dir``.

    ``None`` when git is missing, ``code_dir`` is not in a repository, or it has no commit.
    ``dirty`` is true when ``git status --porcelain`` lists any change (untracked files too).
    """
    folder = Path(code_dir)
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    status = _git(folder, "status", "--porcelain")
    return {
        "commit": commit.strip(),
        "dirty": None if status is None else bool(status.strip()),
        "code_dir": str(folder.absolute()),
    }


def build_lineage(
    *,
    run: Mapping[str, Any] | None,
    source: str,
    code_dir: str | PathLike[str] | None,
    data_fingerprint: str | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Assemble the lineage document of a model version.

    Args:
        run: ``{"run_id", "experiment", "params", "metrics"}`` of the source run, or ``None``.
        source: The path the model was registered from.
        code_dir: Folder whose git commit is recorded; ``None`` records no git state.
        data_fingerprint: Fingerprint of the training data.
        extra: More JSON-serializable provenance, stored under ``"extra"``.
    """
    return {
        "run_id": None if run is None else run["run_id"],
        "experiment": None if run is None else run["experiment"],
        "params": {} if run is None else dict(run["params"]),
        "metrics": {} if run is None else dict(run["metrics"]),
        "git": None if code_dir is None else git_state(code_dir),
        "packages": package_versions(),
        "data_fingerprint": data_fingerprint,
        "source": source,
        "extra": dict(extra) if extra else {},
        "registered_at": datetime.now(tz=UTC).isoformat(),
    }
