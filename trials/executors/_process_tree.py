"""A worker's process tree, read from ``/proc``: its resident memory, and killing it.

No psutil: ``/proc/PID/statm`` gives the resident pages, and the children come from
``/proc/PID/task/TID/children`` where the kernel has it (CONFIG_PROC_CHILDREN), else from
one pass over ``/proc/*/stat``. Workers lead their own process group, so the group also
catches descendants whose parent already exited.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterable

__all__ = ["available", "kill_orphans", "kill_tree", "resident_bytes", "tree_pids"]

_PROC = "/proc"
try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, OSError, ValueError):  # pragma: no cover - not POSIX
    _PAGE_SIZE = 4096


def available() -> bool:
    """True where ``/proc`` can tell a process's resident memory (Linux)."""
    return os.path.exists(f"{_PROC}/self/statm")


def _has_children_files() -> bool:
    pid = os.getpid()
    return os.path.exists(f"{_PROC}/{pid}/task/{pid}/children")


_CHILDREN_FILES = _has_children_files()


def _children_from_task_files(pid: int) -> list[int]:
    children: list[int] = []
    try:
        tids = os.listdir(f"{_PROC}/{pid}/task")
    except OSError:
        return children
    for tid in tids:
        try:
            with open(f"{_PROC}/{pid}/task/{tid}/children", "rb") as handle:
                children.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return children


def _process_table() -> list[tuple[int, int, int]]:
    """(pid, parent pid, process group) of every process we can see."""
    table: list[tuple[int, int, int]] = []
    for name in os.listdir(_PROC):
        if not name.isdigit():
            continue
        try:
            with open(f"{_PROC}/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after it.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) >= 3:
            table.append((int(name), int(fields[1]), int(fields[2])))
    return table


def tree_pids(roots: Iterable[int]) -> dict[int, list[int]]:
    """Each root's process tree (root first): its descendants and its process group."""
    roots = list(roots)
    if _CHILDREN_FILES:
        trees: dict[int, list[int]] = {}
        for root in roots:
            seen = [root]
            position = 0
            while position < len(seen):
                seen.extend(_children_from_task_files(seen[position]))
                position += 1
            trees[root] = seen
        return trees
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, parent, _ in table:
        children.setdefault(parent, []).append(pid)
    trees = {}
    for root in roots:
        seen = [root]
        members = set(seen)
        position = 0
        while position < len(seen):
            for child in children.get(seen[position], ()):
                if child not in members:
                    members.add(child)
                    seen.append(child)
            position += 1
        seen.extend(pid for pid, _, group in table if group == root and pid not in members)
        trees[root] = seen
    return trees


def resident_bytes(pids: Iterable[int]) -> int:
    """Sum of the resident memory of these processes (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"{_PROC}/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * _PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


def kill_tree(root: int) -> None:
    """SIGKILL a process, its descendants and its process group (if it leads one)."""
    pids = tree_pids([root])[root] if available() else [root]
    # Only a group leader's pid names a group, so this never hits someone else's.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(root, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def kill_orphans(group: int) -> None:
    """SIGKILL what is left of the process group of a worker that already died.

    While any member is alive the group keeps the dead leader's pid from being reused; if
    a process with that pid exists, the number was reused and the group is not ours.
    """
    if not available():
        return
    table = _process_table()
    if any(pid == group for pid, _, _ in table):
        return
    for pid, _, member_of in table:
        if member_of == group:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
