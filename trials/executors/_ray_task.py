"""What a Ray worker runs for one attempt of a trial (the body of :class:`RayExecutor`'s
Ray task).

The attempt posts ``STARTED`` to the executor's mailbox, runs the target exactly as a local
worker does (:func:`._execute.execute`: thread cap, ``CUDA_VISIBLE_DEVICES`` from the GPUs
Ray assigned, the same :class:`~trials.TrialContext`), with its artifact folder and logs in a
node-local temporary folder, and returns the outcome together with the bytes of the files
left there, so that they reach the workspace wherever the trial ran. A file the trial logs
with ``ctx.log_artifact`` travels at once, inside its ``ARTIFACT`` message.

Messages to the mailbox are ``(run_id, attempt, seq, tag, *fields)``:

- ``(STARTED, pid, node_id, gpu_ids)``: always seq 0.
- ``(REPORT, step, metrics, awaits_decision)``
- ``(ARTIFACT, name, data)``: the file's bytes.
- ``(LOG, name, offset, data)``: what a log file gained, while the trial runs
  (:mod:`._ray_watch`).
- ``(MEMORY, resident_bytes, cap_bytes)``: the trial went over its memory cap and its
  worker is being killed (:mod:`._ray_watch`).

The attempt waits until the mailbox holds all its messages before it returns, and its
result says how many it sent, so the executor emits them all before the trial's end.
"""

from __future__ import annotations

import collections
import importlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from trials._context import Decision, TrialContext
from trials.executors._execute import TrialEnvironment, execute
from trials.executors._logs import LogCapture
from trials.executors._ray_watch import LOG, MEMORY, AttemptWatch

__all__ = [
    "ARTIFACT",
    "LOG",
    "MEMORY",
    "REPORT",
    "STARTED",
    "AttemptResult",
    "run_attempt",
    "shared_value",
]

STARTED = 0
REPORT = 1
ARTIFACT = 2

# A waiting call for decisions returns empty after this long and is then asked again.
_DECISION_WAIT_S = 60.0

AttemptResult = tuple[
    int,  # attempt
    str,  # status
    dict[str, float],  # final metrics
    str | None,  # reason
    str | None,  # error
    float,  # duration_s
    int,  # number of messages sent
    list[tuple[str, bytes]],  # files left in the artifact folder: (name, data)
]

# Per worker process: the log capture keeps duplicates of the worker's own fds 1 and 2.
_process: tuple[LogCapture, TrialEnvironment] | None = None
# The executor's shared objects, name -> ObjectRef, while an attempt runs (else None), and
# their values fetched in this process, by the ObjectRef's hex id.
_shared: dict[str, Any] | None = None
_shared_cache: dict[str, Any] = {}


def _ray() -> Any:
    """The ray module, untyped: only its run-time behaviour matters here."""
    return importlib.import_module("ray")


class MailboxLink:
    """A trial context's line to the executor: the mailbox actor."""

    __slots__ = (
        "_attempt",
        "_cursor",
        "_decisions",
        "_lock",
        "_mailbox",
        "_pending",
        "_posts",
        "_run_id",
        "_seq",
        "shipped",
    )

    def __init__(self, mailbox: Any, run_id: str, attempt: int) -> None:
        self._mailbox = mailbox
        self._run_id = run_id
        self._attempt = attempt
        self._seq = 0
        self._posts: list[Any] = []
        self._cursor = 0
        self._pending: Any = None
        self._decisions: collections.deque[Decision] = collections.deque()
        self._lock = threading.Lock()  # the trial and its watch both post
        self.shipped: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) when sent

    @property
    def sent(self) -> int:
        """How many messages this attempt posted."""
        return self._seq

    def post(self, tag: int, *fields: Any) -> None:
        with self._lock:
            message = (self._run_id, self._attempt, self._seq, tag, *fields)
            self._posts.append(self._mailbox.post.remote(message))
            self._seq += 1

    def flush(self) -> None:
        """Wait until the mailbox holds every message posted so far."""
        with self._lock:
            posts = list(self._posts)
        _ray().get(posts)

    def send_report(self, step: int, metrics: dict[str, float], awaits_decision: bool) -> None:
        self.post(REPORT, step, metrics, awaits_decision)

    def send_artifact(self, name: str, path: str, size: int) -> None:
        data = Path(path).read_bytes()
        stat = os.stat(path)
        self.post(ARTIFACT, name, data)
        self.shipped[name] = (stat.st_size, stat.st_mtime_ns)

    def next_decision(self, block: bool) -> Decision | None:
        ray = _ray()
        while not self._decisions:
            if self._pending is None:
                self._pending = self._mailbox.decisions.remote(
                    self._run_id, self._cursor, _DECISION_WAIT_S
                )
            ready, _ = ray.wait([self._pending], timeout=None if block else 0)
            if not ready:
                return None
            got = ray.get(self._pending)
            self._pending = None
            self._cursor += len(got)
            self._decisions.extend(Decision(*item) for item in got)
            if not got and not block:
                return None
        return self._decisions.popleft()

    def close(self) -> None:
        """Wait until the mailbox holds every message; end the waiting decisions call."""
        ray = _ray()
        if self._pending is not None:
            self._mailbox.release.remote(self._run_id)
        ray.get(self._posts)


def run_attempt(payload: tuple[Any, ...], mailbox: Any, shared: dict[str, Any]) -> AttemptResult:
    """Run one attempt of a trial; see the module's docstring."""
    global _process
    ray = _ray()
    (run_id, attempt, index, params, target, cpus, mem_in_mb, deterministic, metric) = payload
    runtime = ray.get_runtime_context()
    gpu_ids = tuple(str(gpu) for gpu in runtime.get_accelerator_ids().get("GPU", ()))
    link = MailboxLink(mailbox, run_id, attempt)
    link.post(STARTED, os.getpid(), runtime.get_node_id(), gpu_ids)
    if _process is None:
        _process = (LogCapture(), TrialEnvironment())
    logs, environment = _process
    folder = Path(tempfile.mkdtemp(prefix="openaml-trial-"))
    _share(shared)
    try:
        environment.apply(cpus, ",".join(gpu_ids))
        ctx = TrialContext(
            run_id=run_id,
            index=index,
            params=params,
            artifact_dir=folder,
            deterministic=deterministic,
            link=link,
        )
        captured = logs.begin(str(folder))
        started = time.perf_counter()
        if captured:
            cap = None if mem_in_mb is None else int(mem_in_mb * 1024 * 1024)
            watch = AttemptWatch(link, folder, cap).start()
            try:
                outcome = execute(target, params, ctx, metric, None)
            finally:
                watch.stop()
        else:
            outcome = ("failed", {}, f"cannot write the trial's logs in {folder}", None)
        duration = time.perf_counter() - started
        logs.end()
        environment.restore()
        files = _files(folder, link.shipped)
    finally:
        _share(None)
        shutil.rmtree(folder, ignore_errors=True)
    link.close()
    status, metrics, reason, error = outcome
    return (attempt, status, metrics, reason, error, duration, link.sent, files)


def _files(folder: Path, shipped: dict[str, tuple[int, int]]) -> list[tuple[str, bytes]]:
    """The files in ``folder`` not already sent unchanged by ``log_artifact``."""
    found: list[tuple[str, bytes]] = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        name = path.relative_to(folder).as_posix()
        stat = path.stat()
        if shipped.get(name) == (stat.st_size, stat.st_mtime_ns):
            continue
        found.append((name, path.read_bytes()))
    return found


def _share(shared: dict[str, Any] | None) -> None:
    global _shared
    _shared = shared
    if shared is not None:
        keep = {ref.hex() for ref in shared.values()}
        for key in [key for key in _shared_cache if key not in keep]:
            del _shared_cache[key]


def shared_value(name: str) -> Any:
    """The value a trial's executor shared under ``name`` (see ``RayExecutor.share``)."""
    if _shared is None:
        raise LookupError(
            f"no shared object {name!r} here: RayExecutor.shared() works inside a trial that "
            "a RayExecutor runs"
        )
    ref = _shared.get(name)
    if ref is None:
        known = ", ".join(map(repr, _shared)) or "nothing"
        raise LookupError(
            f"no shared object {name!r}; the executor shares {known} "
            "(RayExecutor.share(name, value) before submitting trials)"
        )
    key = ref.hex()
    if key not in _shared_cache:
        _shared_cache[key] = _ray().get(ref)
    return _shared_cache[key]
