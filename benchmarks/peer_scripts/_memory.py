"""A benchmark child's peak memory: its own and its descendants' max RSS, and their sampled sum.

``max_rss_mb(resource.RUSAGE_SELF)`` is this process's peak resident set, and
``max_rss_mb(resource.RUSAGE_CHILDREN)`` the largest of its waited-for descendants' (the
kernel's ``getrusage``); :class:`TreeRss` samples the summed RSS of this process and all its
live descendants (systems that train in worker processes). Only the standard library is
imported here, since children run in peer venvs too.

    >>> with TreeRss() as tree:  # doctest: +SKIP
    ...     fit()
    >>> tree.peak_kb / 1024.0, max_rss_mb(resource.RUSAGE_SELF)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
from pathlib import Path

__all__ = ["TreeRss", "max_rss_mb", "memory_used"]


def max_rss_mb(who: int) -> float:
    """``getrusage(who)``'s max RSS in MiB (``resource.RUSAGE_SELF`` or ``RUSAGE_CHILDREN``)."""
    return resource.getrusage(who).ru_maxrss / 1024.0  # KiB on Linux


def memory_used(tree: TreeRss) -> dict[str, float]:
    """The memory keys of a child's answer: its own and its descendants' peak RSS (MiB), and
    the peak of their sum sampled by ``tree``."""
    return {
        "rss_self_mb": max_rss_mb(resource.RUSAGE_SELF),
        "rss_children_mb": max_rss_mb(resource.RUSAGE_CHILDREN),
        "tree_rss_peak_mb": tree.peak_kb / 1024.0,
    }


class TreeRss:
    """Samples the summed RSS of this process and its live descendants (Linux /proc)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeRss:
        if Path("/proc/self/stat").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError):
                self.peak_kb = max(self.peak_kb, self._sample())
            self._stop.wait(self.interval)

    @staticmethod
    def _sample() -> int:
        parents: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"
            pid = int(entry.name)
            parents.setdefault(int(fields[1]), []).append(pid)  # fields[1]: ppid
            rss[pid] = int(fields[21]) * page_kb  # fields[21]: rss in pages
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(parents.get(pid, []))
        return total
