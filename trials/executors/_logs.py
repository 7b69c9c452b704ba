"""Per-trial stdout and stderr: a reused worker points fds 1 and 2 at the trial's files.

Redirecting the file descriptors (not just ``sys.stdout``) catches everything the trial
writes: ``print``, C extensions, and the commands it starts, which inherit fds 1 and 2.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["STDERR_NAME", "STDOUT_NAME", "LogCapture", "last_line", "log_sizes", "read_tail"]

STDOUT_NAME = "stdout.txt"
STDERR_NAME = "stderr.txt"

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


_fflush: Any = None


def _flush_c_stdio() -> None:
    global _fflush
    try:
        if _fflush is None:
            import ctypes

            _fflush = ctypes.CDLL(None).fflush
        _fflush(None)
    except (ImportError, OSError, AttributeError, TypeError):  # pragma: no cover
        pass


class LogCapture:
    """Swaps fds 1 and 2 between the worker's own and a trial's log files.

    Created once per worker (it keeps duplicates of the worker's fds 1 and 2); then
    :meth:`begin` and :meth:`end` around each trial.
    """

    def __init__(self) -> None:
        self._saved_out = os.dup(1)
        self._saved_err = os.dup(2)
        self._stdout = sys.stdout
        self._stderr = sys.stderr
        self._capturing = False

    def begin(self, artifact_dir: str) -> bool:
        """Point fds 1 and 2 at ``artifact_dir``'s log files; False if they cannot be made."""
        self._flush()
        try:
            out = os.open(os.path.join(artifact_dir, STDOUT_NAME), _FLAGS, 0o644)
        except FileNotFoundError:
            try:
                os.makedirs(artifact_dir, exist_ok=True)
                out = os.open(os.path.join(artifact_dir, STDOUT_NAME), _FLAGS, 0o644)
            except OSError:
                return False
        except OSError:
            return False
        try:
            err = os.open(os.path.join(artifact_dir, STDERR_NAME), _FLAGS, 0o644)
        except OSError:
            os.close(out)
            return False
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.close(out)
        os.close(err)
        self._capturing = True
        return True

    def end(self) -> tuple[int | None, int | None]:
        """Restore the worker's fds 1 and 2; returns the sizes of the two logs."""
        if not self._capturing:
            return None, None
        sys.stdout = self._stdout  # in case the trial swapped them and did not restore
        sys.stderr = self._stderr
        self._flush()
        if "ctypes" in sys.modules or "numpy" in sys.modules:
            # Only then may C code have buffered output in stdio; flushing costs a call.
            _flush_c_stdio()
        sizes = (os.fstat(1).st_size, os.fstat(2).st_size)
        os.dup2(self._saved_out, 1)
        os.dup2(self._saved_err, 2)
        self._capturing = False
        return sizes

    def _flush(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()


def read_tail(path: Path, limit: int = 4000) -> str:
    """The last ``limit`` characters of a text file ('' when unreadable)."""
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - limit))
            data = handle.read()
    except OSError:
        return ""
    return data.decode("utf-8", errors="replace")


def last_line(text: str, limit: int = 300) -> str:
    """The last non-empty line of ``text``, shortened to ``limit`` characters."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return ""


def log_sizes(artifact_dir: Path) -> tuple[int | None, int | None]:
    """Sizes of a trial's stdout and stderr files (None for one that does not exist)."""
    sizes: list[int | None] = []
    for name in (STDOUT_NAME, STDERR_NAME):
        try:
            sizes.append((artifact_dir / name).stat().st_size)
        except OSError:
            sizes.append(None)
    return sizes[0], sizes[1]
