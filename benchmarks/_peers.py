"""Peer virtual environments for benchmarks: one venv per peer, pinned, under ``.peers/``.

A peer (Optuna, Ray Tune, ...) is installed in its own virtual environment so that its
dependencies never mix with ours and a benchmark measures the peer as a user would install it.
Each venv is created once and reused while its pinned requirements are unchanged (a marker file
records them); ``recreate=True`` builds it anew. After installing, the venv is checked for
packages that must never be pulled in (torch). A benchmark that runs some systems in our venv
and others in peer venvs describes the peers in a :data:`PeerSpecs` table and asks
:func:`python_for` for each system's interpreter.

    >>> python = ensure_peer("optuna", ["optuna==5.0.0"])  # doctest: +SKIP
    >>> python_for("flaml", {"flaml": ("flaml-2.7.0", ["flaml==2.7.0"], ("torch",))})
    ... # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = ["PEERS_DIR", "PeerError", "PeerSpecs", "ensure_peer", "peer_python", "python_for"]

REPO = Path(__file__).resolve().parent.parent
PEERS_DIR = REPO / ".peers"
_MARKER = "openaml-peer.json"
FORBIDDEN = ("torch",)

PeerSpecs = Mapping[str, tuple[str, list[str], tuple[str, ...]]]
"""System -> (folder under ``.peers/``, pinned requirements, packages the venv must not hold)."""


class PeerError(RuntimeError):
    """A peer venv could not be created or installed; the message says why."""


def peer_python(name: str) -> Path:
    """Return the interpreter of peer venv ``name`` (which may not exist yet)."""
    return PEERS_DIR / name / "bin" / "python"


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _run(command: list[str], what: str, timeout: float) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise PeerError(f"{what} took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        output = _tail(done.stderr or done.stdout)
        raise PeerError(f"{what} failed (exit {done.returncode}): {output}")
    return done.stdout


def ensure_peer(
    name: str,
    requirements: list[str],
    *,
    recreate: bool = False,
    timeout: float = 1800.0,
    log: Callable[[str], None] = print,
    forbidden: tuple[str, ...] = FORBIDDEN,
) -> Path:
    """Create (or reuse) venv ``.peers/<name>`` with exactly ``requirements`` installed.

    Args:
        name: Folder name under ``.peers/``.
        requirements: pip requirement strings, each pinned (``pkg==version``).
        recreate: Delete and build the venv anew even if its marker matches.
        timeout: Seconds allowed for the pip install.
        log: Where progress lines go.
        forbidden: Packages the venv must not contain (default: torch). A peer that needs
            one of them (AutoGluon's neural networks need torch) passes a shorter tuple.

    Returns:
        The path of the venv's Python interpreter.

    Raises:
        PeerError: venv creation or pip failed, or a ``forbidden`` package was installed.
    """
    for requirement in requirements:
        if "==" not in requirement:
            raise ValueError(f"peer requirements must be pinned with ==, got {requirement!r}")
    folder = PEERS_DIR / name
    python = peer_python(name)
    marker = folder / _MARKER
    wanted = {"requirements": sorted(requirements), "python": sys.version.split()[0]}
    if not recreate and python.exists() and _marker(marker) == wanted:
        return python
    if folder.exists():
        shutil.rmtree(folder)
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    log(f"creating peer venv {folder} with {' '.join(requirements)} (once; may take minutes)")
    # `python -m venv` with the interpreter running us, so peers run the same Python version.
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "--no-input"]
    try:
        _run([sys.executable, "-m", "venv", str(folder)], f"creating venv {folder}", 300)
        _run([*pip, "install", "-q", "--upgrade", "pip"], f"upgrading pip in {folder}", timeout)
        _run(
            [*pip, "install", "-q", *requirements], f"pip install {' '.join(requirements)}", timeout
        )
        listed = _run([*pip, "list", "--format=json"], f"pip list in {folder}", 120)
    except PeerError:
        shutil.rmtree(folder, ignore_errors=True)  # no half-installed venv left behind
        raise
    installed = {entry["name"].lower() for entry in json.loads(listed)}
    pulled = sorted(installed.intersection(forbidden))
    if pulled:
        shutil.rmtree(folder)
        raise PeerError(
            f"installing {' '.join(requirements)} pulled in {', '.join(pulled)}, which a peer venv "
            "must never contain; pin versions that do not depend on it"
        )
    marker.write_text(json.dumps(wanted))
    return python


def python_for(system: str, peers: PeerSpecs) -> Path:
    """The interpreter that runs ``system``: this one (our venv) when ``peers`` does not list
    it, else its peer venv's, created on first use (:func:`ensure_peer`).

    Raises:
        PeerError: The peer venv could not be created or installed.
    """
    if system not in peers:
        return Path(sys.executable)
    folder, requirements, forbidden = peers[system]
    return ensure_peer(folder, requirements, forbidden=forbidden)


def _marker(path: Path) -> object:
    """What a peer venv's marker file says it holds (None: no readable marker)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
