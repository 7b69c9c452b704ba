"""Metrics a command logs with MLflow, recorded like ``trials.report`` ones.

Azure ML v2 training scripts log with ``mlflow.log_metric("accuracy", acc, step=epoch)``
(or through ``mlflow.autolog()``). When MLflow is importable where the sweep runs, the
worker points the command's MLflow at a file store in the trial's folder and reads what
the script logs there: every :data:`POLL_INTERVAL_S` seconds while it runs and once more
after it exits. Each value becomes a report, as if the script had called
``report.report(step=..., accuracy=...)``, so early-termination policies act on it while the
script runs, and each metric's value at its highest step is among the final metrics.

Setup:
    Only when ``importlib.util.find_spec("mlflow")`` finds MLflow (it is not imported: no
    cost) and MLflow still ships its file store. The command then gets
    ``MLFLOW_TRACKING_URI=file://<artifact_dir>/mlruns`` and ``MLFLOW_ALLOW_FILE_STORE=true``
    (MLflow 3 keeps the file store, in maintenance mode, behind that switch; see
    :class:`MlflowStore` for trials in a workspace's ``artifacts`` folder). Inherited
    ``MLFLOW_RUN_ID`` and ``MLFLOW_EXPERIMENT_ID`` are dropped: they name a run or an
    experiment of another store. An ``MLFLOW_TRACKING_URI`` set in the command's own
    ``env`` (``CommandTarget.env``, ``CommandTemplate(env=...)``) is kept, and nothing is
    read: the script logs where it was told to. One inherited from the sweep's
    environment is replaced, so that every trial has its own store.

Steps:
    MLflow's ``step`` is the report's step. MLflow records step 0 when ``log_metric`` gets
    none, so a metric's repeated step-0 values are numbered on from its previous value
    (0, 1, 2, ... for a script that never passes a step). Values are taken in the order
    MLflow timestamped them, and those of one step make one report, sent once a value at
    a later step was logged, or once a poll finds nothing new (not in deterministic mode:
    logging one step's metrics may take longer than a poll), or when the command ended.
    A value logged after one at a later step (e.g. a final metric logged without a step
    after per-epoch ones), or at a step already reported, counts only in the final
    metrics; a metric's final value is its value at its highest step. So the reports
    depend on what the script logged and in which order, not on when it was read (only
    values logged within one millisecond may be taken in either order). Values that are
    not finite are skipped (MLflow takes NaN, trials do not); runs nested in another
    (``mlflow.parentRunId``, e.g. those of an autologged search) are ignored, and the
    top-level runs merged.

Together with ``trials.report``:
    ``trials.report``, when the command uses it, is the trial's one source of reports.
    From its first report on, MLflow values no longer become reports; they only add to
    the final metrics, for names that ``trials.report`` never reported, so no metric is
    counted twice. A ``trials.report`` report at a step that MLflow-sourced reports already
    passed is no error: its metrics are kept as final metrics.

Stopping:
    In deterministic mode each MLflow-sourced report awaits the controller's decision, as
    ``report.report`` does, one at a time; the script itself cannot be held
    (``log_metric`` returns at once), so what it logs meanwhile waits in the worker. Once
    the trial is told to stop (a stop decision or a polite cancel) MLflow values are no
    longer recorded, as reports or as final values. A command that talks to
    ``trials.report`` hears the stop (``report.should_stop()``) and ends itself, as before;
    one that never did cannot, so the worker ends it: SIGTERM to the command and its
    descendants, SIGKILL after :data:`STOP_GRACE_S` seconds. The trial is recorded
    ``early_terminated`` (``canceled`` after a cancel) with the metrics reported up to the
    stop, whatever the script logged after it: in deterministic mode the record is the
    same however fast the script ran.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import tempfile
import time
from collections.abc import Iterator, Mapping, MutableMapping
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from trials._context import TrialContext, check_metrics

__all__ = [
    "POLL_INTERVAL_S",
    "STOP_GRACE_S",
    "MetricRelay",
    "MetricStoreReader",
    "MlflowStore",
    "file_store_available",
    "point_mlflow_at_trial",
]

POLL_INTERVAL_S = 0.5
"""Seconds between two reads of the command's MLflow store."""

STOP_GRACE_S = 5.0
"""Seconds a command may take to exit after SIGTERM before it is killed."""

TRACKING_URI = "MLFLOW_TRACKING_URI"
_STORE_NAME = "mlruns"
_ARTIFACTS = "artifacts"
_FOREIGN = ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID")
# Folders of an experiment that are not runs (MLflow's FileStore.RESERVED_EXPERIMENT_FOLDERS).
_NOT_RUNS = frozenset({"tags", "datasets", "traces", "models"})
_PARENT_TAG = "mlflow.parentRunId"

Point = tuple[int, str, int, float]  # (timestamp in ms, key, step, value)


def file_store_available() -> bool:
    """True when MLflow is importable here and ships its file store (nothing imported)."""
    try:
        spec = importlib.util.find_spec("mlflow")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        os.path.isfile(os.path.join(location, "store", "tracking", "file_store.py"))
        for location in spec.submodule_search_locations
    )


class MlflowStore:
    """A trial's MLflow file store: the folder its files are in, and the URI a command gets.

    MLflow's file store refuses runs under a folder named ``artifacts`` anywhere in its
    path (a guard against path traversal that looks at the whole path), and a workspace
    keeps every trial in ``<workspace>/artifacts/runs/<run id>``. For such a trial the URI
    goes through a link to the trial's folder in a temporary folder, removed by
    :meth:`close`; the files are in the trial's folder all the same.
    """

    def __init__(self, artifact_dir: Path) -> None:
        trial_dir = Path(os.path.abspath(artifact_dir))
        self.root = trial_dir / _STORE_NAME
        self._link_dir: str | None = None
        if _ARTIFACTS not in trial_dir.parts:
            self.uri = self.root.as_uri()
            return
        trial_dir.mkdir(parents=True, exist_ok=True)
        self._link_dir = tempfile.mkdtemp(prefix="openaml-mlflow-")
        link = os.path.join(self._link_dir, "trial")
        try:
            os.symlink(trial_dir, link, target_is_directory=True)
        except OSError:
            self.close()
            raise
        self.uri = Path(link, _STORE_NAME).as_uri()

    def close(self) -> None:
        """Remove the temporary link, if there is one."""
        if self._link_dir is not None:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(self._link_dir, "trial"))
            with contextlib.suppress(OSError):
                os.rmdir(self._link_dir)
            self._link_dir = None


def point_mlflow_at_trial(
    env: MutableMapping[str, str], explicit: Mapping[str, str], artifact_dir: Path
) -> MlflowStore | None:
    """Point a command's MLflow at a file store in its trial's folder.

    Args:
        env: The command's environment, changed in place.
        explicit: The variables the command was given itself (``CommandTarget.env``).
        artifact_dir: The trial's folder.

    Returns:
        The store (close it once the command ended), or None when MLflow metrics are not
        read for this command: no MLflow here, the command names its own tracking URI, or
        no store can be made.
    """
    if TRACKING_URI in explicit or not file_store_available():
        return None
    try:
        store = MlflowStore(artifact_dir)
    except OSError:
        return None
    env[TRACKING_URI] = store.uri
    env["MLFLOW_ALLOW_FILE_STORE"] = "true"
    for name in _FOREIGN:
        if name not in explicit:
            env.pop(name, None)
    return store


class _MetricFile:
    """One metric of one run: how far its file was read, and the step of its last line."""

    __slots__ = ("key", "offset", "step")

    def __init__(self, key: str) -> None:
        self.key = key
        self.offset = 0
        self.step: int | None = None


class MetricStoreReader:
    """Reads the values added to an MLflow file store since the last read.

    The store's layout is ``<root>/<experiment id>/<run id>/metrics/<key>``, one line
    ``"<timestamp ms> <value> <step>"`` per value (``key`` may hold ``/``: sub-folders).
    Only complete lines are taken, so a line being written is read next time.
    """

    def __init__(self, root: Path) -> None:
        self._root = str(root)
        self._files: dict[str, _MetricFile] = {}
        self._top_level: dict[str, bool] = {}

    def read(self) -> list[Point]:
        """New ``(timestamp, key, step, value)`` points, each file's in the order logged."""
        points: list[Point] = []
        for path, key in self._metric_files():
            metric = self._files.get(path)
            if metric is None:
                metric = self._files[path] = _MetricFile(key)
            points.extend(_read_new_lines(path, metric))
        return points

    def _metric_files(self) -> Iterator[tuple[str, str]]:
        for experiment in _folders(self._root):
            if not experiment.isdigit():  # e.g. .trash, or the registry's "models"
                continue
            experiment_dir = os.path.join(self._root, experiment)
            for run in _folders(experiment_dir):
                if run in _NOT_RUNS:
                    continue
                run_dir = os.path.join(experiment_dir, run)
                metrics_dir = os.path.join(run_dir, "metrics")
                files = sorted(
                    os.path.join(folder, name)
                    for folder, _, names in os.walk(metrics_dir)
                    for name in names
                )
                if files and self._is_top_level(run_dir):
                    for path in files:
                        yield path, os.path.relpath(path, metrics_dir).replace(os.sep, "/")

    def _is_top_level(self, run_dir: str) -> bool:
        # Decided when the run's first metric shows up: MLflow wrote its tags before that.
        known = self._top_level.get(run_dir)
        if known is None:
            parent_tag = os.path.join(run_dir, "tags", _PARENT_TAG)
            known = self._top_level[run_dir] = not os.path.exists(parent_tag)
        return known


def _folders(path: str) -> list[str]:
    try:
        with os.scandir(path) as entries:
            return sorted(entry.name for entry in entries if entry.is_dir())
    except OSError:
        return []


def _read_new_lines(path: str, metric: _MetricFile) -> list[Point]:
    try:
        with open(path, "rb") as handle:
            handle.seek(metric.offset)
            data = handle.read()
    except OSError:
        return []
    end = data.rfind(b"\n") + 1  # a last line without its newline is still being written
    metric.offset += end
    points: list[Point] = []
    for line in data[:end].splitlines():
        fields = line.split()
        try:
            timestamp = int(fields[0])
            value = float(fields[1])
            step = int(fields[2]) if len(fields) > 2 else 0  # MLflow < 1.0: no step
        except (IndexError, ValueError):
            continue
        if step == 0 and metric.step is not None:
            step = metric.step + 1  # logged without a step
        metric.step = step
        if math.isfinite(value):
            points.append((timestamp, metric.key, step, value))
    return points


class MetricRelay:
    """Turns what a command logs with MLflow into its trial's reports and final metrics.

    The rules are in the module's docstring. The worker calls :meth:`poll` when
    :attr:`next_poll` (a ``time.monotonic()`` time) has come, :meth:`channel_report` for
    each ``trials.report`` report, sets :attr:`listening` once the command talks to
    ``trials.report`` (it can then hear a stop), and calls :meth:`finish` once the command
    ended.
    """

    def __init__(self, root: Path, ctx: TrialContext) -> None:
        self._reader = MetricStoreReader(root)
        self._ctx = ctx
        self._settle = not ctx.deterministic
        self._waiting: list[Point] = []  # read, not yet known to be in logging order
        self._watermark: int | None = None  # the latest timestamp the previous polls read
        self._pending: dict[int, dict[str, float]] = {}  # step -> metrics not yet reported
        self._latest: dict[str, tuple[int, float]] = {}  # key -> (step, value) at its top step
        self._kept: dict[str, float] = {}  # trials.report metrics kept as final values
        self._owned: set[str] = set()  # names trials.report reported
        self._top: int | None = None  # the highest step taken in so far
        self._last_step: int | None = None  # the last step reported from MLflow
        self._live = True  # MLflow values still become reports
        self._channel_used = False  # a trials.report report reached the context
        self.listening = False
        self.next_poll = time.monotonic() + POLL_INTERVAL_S

    @property
    def must_end_command(self) -> bool:
        """True once the trial was told to stop and the command cannot hear it."""
        return not self.listening and self._ctx.stop_reason is not None

    def poll(self, final: bool = False) -> None:
        """Read the store and report the steps that are complete (all of them if final)."""
        self.next_poll = time.monotonic() + POLL_INTERVAL_S
        if self._ctx.stop_reason is not None:
            return
        new = self._reader.read()
        for _, key, step, value in new:
            latest = self._latest.get(key)
            if key not in self._owned and (latest is None or step >= latest[0]):
                self._latest[key] = (step, value)
        watermark = self._watermark
        if new:
            newest = max(point[0] for point in new)
            self._watermark = newest if watermark is None else max(watermark, newest)
        self._waiting.extend(new)
        flush = final or (self._settle and not new)
        if flush:
            ready, self._waiting = self._waiting, []
        else:
            # What was logged before a value that an earlier poll read is all written by now.
            cut = -math.inf if watermark is None else watermark
            ready = [point for point in self._waiting if point[0] <= cut]
            self._waiting = [point for point in self._waiting if point[0] > cut]
        ready.sort(key=itemgetter(0))  # stable: a file's values keep their order
        self._take(ready)
        if flush:
            self._report(sorted(self._pending))

    def channel_report(self, step: Any, metrics: Mapping[Any, Any]) -> None:
        """A ``trials.report`` report: it takes over from MLflow and reaches the context,
        unless MLflow-sourced reports already passed its step (then its metrics are kept
        as final values)."""
        names = {name for name in metrics if isinstance(name, str)}
        self._owned |= names
        for name in names:
            self._latest.pop(name, None)
        self._live = False
        self._pending.clear()
        if (
            not self._channel_used
            and self._last_step is not None
            and isinstance(step, int)
            and not isinstance(step, bool)
            and step <= self._last_step
        ):
            self._kept.update(check_metrics(metrics, "report()"))
            return
        self._ctx.report_metrics(step, metrics)
        self._channel_used = True
        for name in names:
            self._kept.pop(name, None)  # this report is the newer value

    def finish(self) -> dict[str, float]:
        """Report what is left once the command ended; returns the final metrics."""
        self.poll(final=True)
        finals = (
            {}
            if self._ctx.stop_reason is not None
            else {key: value for key, (_, value) in self._latest.items()}
        )
        finals.update(self._kept)
        return finals

    def _take(self, points: list[Point]) -> None:
        """Take in values in logging order; report each step once a later one was logged."""
        for _, group in groupby(points, key=itemgetter(0)):
            before = self._top  # the highest step logged before this millisecond
            top = before
            for _, key, step, value in group:
                top = step if top is None or step > top else top
                if (
                    not self._live
                    or key in self._owned
                    or (before is not None and step < before)  # logged after a later step
                    or (self._last_step is not None and step <= self._last_step)
                ):
                    continue  # a final value only
                self._pending.setdefault(step, {})[key] = value
            self._top = top
            if top is not None:
                self._report(sorted(step for step in self._pending if step < top))

    def _report(self, steps: list[int]) -> None:
        ctx = self._ctx
        for step in steps:
            metrics = self._pending.pop(step)
            if not self._live or ctx.stop_reason is not None:
                break
            try:
                ctx.report_metrics(step, metrics)  # in deterministic mode: awaits the decision
            except ValueError:  # not expected: trials.report owns the steps once it reports
                continue
            self._last_step = step
        if ctx.stop_reason is not None:
            self._live = False
            self._pending.clear()
