"""How much memory this machine has available, without extra dependencies."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["available_memory_bytes"]


def available_memory_bytes() -> int | None:
    """Available memory in bytes: ``MemAvailable`` from /proc/meminfo (Linux), else
    ``os.sysconf`` free pages, else ``None`` when the platform says neither.
    """
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None
