"""Experiments started from the studio: each in its own process, recorded in the workspace.

A job is ``python -m automl.studio._job <job.json>`` started in a new session, so that it
outlives the page, the request and the studio itself. Its record lives in the workspace's
artifact root under ``studio/jobs/<experiment>/``: ``job.json`` (experiment name, the
``AutoMLConfig`` fields it runs, pid and start time of each attempt; the workspace reaches
the job through its environment),
``log.txt`` (the job's output) and, once it ends, ``result.json`` (guardrails,
featurization summary, validation, registered model, or the error).

A studio started later reads the same records: a job whose process is alive is running;
one whose process is gone while the store still says ``running`` is ``interrupted`` and can
be resumed (the same fields under the same experiment name resume it, DESIGN.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["JOB_FILE", "RESULT_FILE", "JobManager", "JobRecord", "process_alive"]

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
LOG_FILE = "log.txt"
STOPPED_FILE = "stopped"
"""Written when the studio stops a job before its parent run exists (it shows canceled)."""
_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (Linux), to tell a reused pid from ours."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] == "Z":  # a zombie has ended
        return "zombie"
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether process ``pid`` runs (and is the one started at ``started``, where known)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    now = _start_time(pid)
    if now == "zombie":
        return False
    return started is None or now is None or now == started


@dataclass(frozen=True)
class JobRecord:
    """A studio job as recorded in ``job.json``.

    Attributes:
        experiment_name: The experiment it runs.
        spec: The ``AutoMLConfig`` fields (JSON) it runs, without workspace and name.
        folder: Its folder (``job.json``, ``log.txt``, ``result.json``).
        pid: Process id of the latest attempt.
        pid_started: That process's start time (Linux), None where unknown.
        attempts: Every attempt: ``{"pid", "started_at"}``.
    """

    experiment_name: str
    spec: Mapping[str, Any]
    folder: Path
    pid: int
    pid_started: str | None
    attempts: tuple[Mapping[str, Any], ...]

    @property
    def log_path(self) -> Path:
        """The job's output."""
        return self.folder / LOG_FILE

    def result(self) -> dict[str, Any] | None:
        """What the job wrote when it ended (None while it runs or if it was killed)."""
        path = self.folder / RESULT_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @property
    def stopped(self) -> bool:
        """Whether the studio stopped this job (a cancel before its parent run existed)."""
        return (self.folder / STOPPED_FILE).is_file()

    def log_tail(self, max_bytes: int = 20_000) -> str:
        """The end of the job's output."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - max_bytes))
                return handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""


class JobManager:
    """Starts, finds, resumes and stops studio jobs of one workspace.

    Args:
        jobs_root: Folder of the job records (``<artifact root>/studio/jobs``).
        workspace_location: What the job process opens as its workspace: a folder or a
            database URL. It reaches the job through ``AUTOML_WORKSPACE`` in its
            environment, never through a file, so a URL's password is not written down.
        artifact_root: For a database URL, the artifact root (``AUTOML_ARTIFACT_ROOT``).
    """

    def __init__(
        self, jobs_root: Path, workspace_location: str, artifact_root: Path | None = None
    ) -> None:
        self.root = jobs_root
        self.workspace_location = workspace_location
        self.artifact_root = artifact_root
        self._processes: dict[int, subprocess.Popen[bytes]] = {}
        self.lock = threading.Lock()
        """Held while checking that a name is free and starting its job (requests run in
        threads: two clicks on Start must not start two jobs)."""

    def folder_for(self, experiment_name: str) -> Path:
        """The record folder of ``experiment_name`` (a safe slug plus a short hash)."""
        digest = hashlib.sha256(experiment_name.encode()).hexdigest()[:8]
        slug = _SLUG.sub("-", experiment_name)[:60].strip(".-") or "experiment"
        return self.root / f"{slug}-{digest}"

    def recent(self, limit: int = 20) -> list[JobRecord]:
        """The records of the ``limit`` most recently started jobs, newest first."""
        if not self.root.is_dir():
            return []
        files = sorted(
            self.root.glob(f"*/{JOB_FILE}"), key=lambda path: path.stat().st_mtime, reverse=True
        )
        records = [self._read(path) for path in files[:limit]]
        return [record for record in records if record is not None]

    def get(self, experiment_name: str) -> JobRecord | None:
        """The job record of ``experiment_name``, or None if the studio did not start it."""
        record = self._read(self.folder_for(experiment_name) / JOB_FILE)
        return record if record is not None and record.experiment_name == experiment_name else None

    def _read(self, path: Path) -> JobRecord | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return JobRecord(
            experiment_name=str(data["experiment_name"]),
            spec=dict(data["spec"]),
            folder=path.parent,
            pid=int(data["pid"]),
            pid_started=data.get("pid_started"),
            attempts=tuple(data.get("attempts", ())),
        )

    def alive(self, record: JobRecord) -> bool:
        """Whether the job's latest process still runs (reaping it if this studio started
        it and it has ended)."""
        process = self._processes.get(record.pid)
        if process is not None:
            if process.poll() is None:
                return True
            del self._processes[record.pid]
            return False
        return process_alive(record.pid, record.pid_started)

    def start(self, experiment_name: str, spec: Mapping[str, Any]) -> JobRecord:
        """Start a new job for ``experiment_name`` running the ``AutoMLConfig`` fields ``spec``.

        Raises:
            ValueError: a job of that experiment is already running.
        """
        existing = self.get(experiment_name)
        if existing is not None and self.alive(existing):
            raise ValueError(
                f"experiment {experiment_name!r} is already running (process {existing.pid}); "
                "wait for it to end or cancel it"
            )
        folder = self.folder_for(experiment_name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RESULT_FILE).unlink(missing_ok=True)
        (folder / STOPPED_FILE).unlink(missing_ok=True)
        attempts = [] if existing is None else list(existing.attempts)
        return self._launch(folder, experiment_name, dict(spec), attempts)

    def resume(self, experiment_name: str) -> JobRecord:
        """Run the job of ``experiment_name`` again with its recorded spec (a resume).

        Raises:
            LookupError: the studio did not start this experiment.
            ValueError: it is still running.
        """
        record = self.get(experiment_name)
        if record is None:
            raise LookupError(
                f"experiment {experiment_name!r} was not started from the studio, so the "
                "studio has no spec to resume it with; resume it the way it was started"
            )
        return self.start(experiment_name, record.spec)

    def stop(self, record: JobRecord) -> bool:
        """Interrupt the job's process group (SIGINT, the controller's Ctrl-C); True if sent."""
        import signal

        if not self.alive(record):
            return False
        (record.folder / STOPPED_FILE).write_text(f"{time.time()}\n", encoding="utf-8")
        try:
            os.killpg(record.pid, signal.SIGINT)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _launch(
        self,
        folder: Path,
        experiment_name: str,
        spec: dict[str, Any],
        attempts: list[Mapping[str, Any]],
    ) -> JobRecord:
        job_file = folder / JOB_FILE
        data: dict[str, Any] = {
            "experiment_name": experiment_name,
            "spec": spec,
            "pid": 0,
            "pid_started": None,
            "attempts": attempts,
        }
        job_file.write_text(json.dumps(data, indent=2), encoding="utf-8")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "AUTOML_WORKSPACE": self.workspace_location}
        if self.artifact_root is not None:
            env["AUTOML_ARTIFACT_ROOT"] = str(self.artifact_root)
        with open(folder / LOG_FILE, "ab") as log:
            log.write(f"\n--- studio job started {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
            log.flush()
            process = subprocess.Popen(
                [sys.executable, "-m", "automl.studio._job", str(job_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=folder,
                env=env,
                start_new_session=True,
            )
        self._processes[process.pid] = process
        data["pid"] = process.pid
        data["pid_started"] = _start_time(process.pid)
        data["attempts"] = [*attempts, {"pid": process.pid, "started_at": time.time()}]
        temporary = job_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
        temporary.replace(job_file)
        record = self.get(experiment_name)
        if record is None:  # pragma: no cover - just written
            raise RuntimeError(f"could not read back the job record {job_file}")
        return record
