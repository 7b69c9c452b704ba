"""While a trial runs on a Ray worker: its logs shipped as they grow, its memory cap enforced.

A thread of the attempt wakes every ``interval`` seconds and

- posts what the trial's stdout and stderr files gained since the last look, as
  ``(LOG, name, offset, data)`` messages, so a trial that is killed (past its timeout,
  canceled, its node lost) keeps its logs up to the last look, as on the local executor;
- when the trial has a memory cap (``Resources.mem_in_mb``), reads the resident memory of
  the worker process and its descendants (``/proc``, as the local executor does) and, over
  the cap, posts ``(MEMORY, resident_bytes, cap_bytes)``, waits until the mailbox holds it,
  and kills the process tree. The executor then records the trial failed with the reason and
  does not retry it. Ray's own ``memory`` option only reserves memory for scheduling; it does
  not stop a task that uses more.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import Protocol

from trials.executors import _process_tree
from trials.executors._logs import STDERR_NAME, STDOUT_NAME

__all__ = ["LOG", "MEMORY", "AttemptWatch"]

LOG = 3
MEMORY = 4

_CHUNK = 1 << 20  # at most this many bytes of one log per look


class _Poster(Protocol):
    def post(self, tag: int, *fields: object) -> None: ...

    def flush(self) -> None: ...


class AttemptWatch:
    """The watching thread of one attempt; :meth:`stop` ends it (idempotent).

    Args:
        link: Where messages go (the attempt's mailbox link).
        folder: The attempt's artifact folder, where its log files are.
        mem_cap_bytes: The memory cap, or None for none.
        interval: Seconds between looks.
    """

    def __init__(
        self, link: _Poster, folder: Path, mem_cap_bytes: int | None, interval: float = 0.5
    ) -> None:
        self._link = link
        self._folder = folder
        self._cap = mem_cap_bytes if mem_cap_bytes and _process_tree.available() else None
        self._interval = interval
        self._sent = {STDOUT_NAME: 0, STDERR_NAME: 0}
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="openaml-watch", daemon=True)

    def start(self) -> AttemptWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop looking (the attempt ships its whole files when it returns)."""
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            self.ship_logs()
            if self._cap is not None:
                self._check_memory(self._cap)

    def ship_logs(self) -> None:
        """Post what each log file gained since the last look."""
        for name, offset in self._sent.items():
            try:
                with open(self._folder / name, "rb") as handle:
                    handle.seek(offset)
                    data = handle.read(_CHUNK)
            except OSError:
                continue
            if data:
                self._link.post(LOG, name, offset, data)
                self._sent[name] = offset + len(data)

    def _check_memory(self, cap: int) -> None:
        me = os.getpid()
        tree = _process_tree.tree_pids([me])[me]
        resident = _process_tree.resident_bytes(tree)
        if resident <= cap:
            return
        self.ship_logs()
        self._link.post(MEMORY, resident, cap)
        with contextlib.suppress(Exception):
            self._link.flush()
        for pid in tree[1:]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        os.kill(me, signal.SIGKILL)
