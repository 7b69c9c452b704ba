"""Containment of the files the studio serves: nothing outside the workspace is ever read.

A name taken from a URL is decoded until it stops changing (``%252e%252e`` is ``..`` twice
encoded), then refused if it is absolute, has a drive, a backslash, a NUL or a ``..``
part; what is left is joined to its root, resolved (symbolic links followed) and must still
lie inside the root.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import unquote

__all__ = ["clean_relative", "contained"]

_MAX_DECODES = 5


def clean_relative(name: str) -> str | None:
    """The relative POSIX path ``name`` stands for, or None if it could escape its root."""
    text = name
    for _ in range(_MAX_DECODES):
        decoded = unquote(text)
        if decoded == text:
            break
        text = decoded
    else:
        return None
    if not text or "\x00" in text or "\\" in text or ":" in text.split("/", 1)[0]:
        return None
    path = PurePosixPath(text)
    if path.is_absolute() or any(part in ("..", "") for part in text.split("/")):
        return None
    return str(path)


def contained(root: Path, name: str) -> Path | None:
    """``root / name`` resolved, if it exists as a file inside ``root``; else None."""
    relative = clean_relative(name)
    if relative is None:
        return None
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
