"""Creating or resuming an experiment: its fingerprint, and what a previous run left.

An experiment is resumed when it is run again under the same name with the same
search-defining configuration (its fingerprint). What was stored is read back here: the
finished trials (told to the searcher again, in index order), the trials a killed
controller left running (marked ``interrupted`` and run again) and the active time spent.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trials._searcher import FINISHED_STATUSES, FinishedStatus, Objective, TrialOutcome
from trials.executors import Resources

if TYPE_CHECKING:
    from trials.store import Experiment, Run, Workspace

__all__ = [
    "CONTROLLER_PROPERTY",
    "ExperimentConfigError",
    "ExperimentInUseError",
    "Rerun",
    "StoredExperiment",
    "check_not_in_use",
    "check_same_config",
    "controller_stamp",
    "fingerprint",
    "load_experiment",
]

CONTROLLER_PROPERTY = "controller"
"""Parent-run property naming the process that drives the experiment, with a heartbeat."""
ACTIVE_SECONDS_PROPERTY = "active_seconds"
"""Parent-run property: active time of the experiment over every session, in seconds."""
REPORTS_PROPERTY = "reports"
"""Trial-run property: the last reported step and the metrics logged as final values."""
RESOURCES_PROPERTY = "resources"
"""Trial-run property: the resources its searcher asked for (to run it again alike)."""

_HEARTBEAT_FRESH_S = 10.0
_MAX_SHOWN = 8


class ExperimentConfigError(ValueError):
    """An experiment exists under this name with another search-defining configuration."""


class ExperimentInUseError(RuntimeError):
    """Another live process is running this experiment."""


def fingerprint(config: Mapping[str, Any]) -> str:
    """sha256 (hex) of the canonical JSON form of ``config``."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for key in value:
            _flatten(value[key], f"{prefix}.{key}" if prefix else str(key), out)
    else:
        out[prefix] = value


def changed_fields(stored: Any, current: Any) -> list[tuple[str, Any, Any]]:
    """``(dotted path, stored value, current value)`` of every field that differs."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    _flatten(stored, "", before)
    _flatten(current, "", after)
    missing = object()
    changes = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path, missing), after.get(path, missing)
        if old != new:
            changes.append((path, None if old is missing else old, None if new is missing else new))
    return changes


def check_same_config(
    experiment: Experiment, kind: str, config: Mapping[str, Any], digest: str
) -> None:
    """Raise unless ``experiment`` was created with this kind and configuration.

    Raises:
        ExperimentConfigError: The kind or a search-defining field changed; the message
            names the fields, their stored and new values, and how to start anew.
    """
    if experiment.kind != kind:
        raise ExperimentConfigError(
            f"experiment {experiment.name!r} is a {experiment.kind!r} experiment, not a "
            f"{kind!r} one; pass another experiment_name to start a new experiment"
        )
    if experiment.fingerprint == digest:
        return
    changes = changed_fields(experiment.config, dict(config)) or [("config", "?", "?")]
    shown = ", ".join(
        f"`{path}` (was {old!r}, now {new!r})" for path, old, new in changes[:_MAX_SHOWN]
    )
    more = f" and {len(changes) - _MAX_SHOWN} more" if len(changes) > _MAX_SHOWN else ""
    raise ExperimentConfigError(
        f"experiment {experiment.name!r} exists with a different search-defining "
        f"configuration: changed {shown}{more}. Resuming needs the same configuration; "
        "use a new experiment_name to start a new experiment (limits, concurrency and the "
        "executor may change between runs)"
    )


def controller_stamp() -> dict[str, Any]:
    """This process as the experiment's controller: pid, host and a heartbeat time."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "heartbeat": time.time()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_not_in_use(parent: Run) -> None:
    """Raise when another live process drives the experiment of ``parent``.

    A parent left ``running`` names its controller and a heartbeat (written every second);
    the experiment is in use when the heartbeat is fresh and, on this machine, that
    process still exists.

    Raises:
        ExperimentInUseError: The experiment is being run elsewhere right now.
    """
    if parent.status.is_terminal:
        return
    stamp = parent.properties.get(CONTROLLER_PROPERTY)
    if not isinstance(stamp, Mapping):
        return
    pid, host, beat = stamp.get("pid"), stamp.get("host"), stamp.get("heartbeat")
    if not isinstance(beat, (int, float)) or time.time() - beat > _HEARTBEAT_FRESH_S:
        return
    same_host = host == socket.gethostname()
    if same_host and (not isinstance(pid, int) or pid == os.getpid() or not _alive(pid)):
        return
    raise ExperimentInUseError(
        f"experiment {parent.experiment!r} is being run by process {pid} on {host!r} "
        f"(heartbeat {time.time() - beat:.1f} s ago); wait for it to end, or cancel it "
        f"with Workspace.request_cancel({parent.id!r})"
    )


@dataclass(frozen=True)
class Rerun:
    """A trial a previous controller left unfinished: it runs again with the same request."""

    index: int
    params: dict[str, Any]
    tags: dict[str, Any]
    kind: str
    resources: Resources | None


@dataclass
class StoredExperiment:
    """What earlier sessions of an experiment left in the store."""

    parent: Run | None = None
    outcomes: dict[int, TrialOutcome] = field(default_factory=dict)
    reruns: list[Rerun] = field(default_factory=list)
    stale_run_ids: list[str] = field(default_factory=list)
    next_index: int = 0
    active_seconds: float = 0.0


def _resources(value: object) -> Resources | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return Resources(**value)
    except (TypeError, ValueError):
        return None


def resources_property(resources: Resources | None) -> dict[str, Any]:
    """The trial-run properties that record ``resources`` (none when None)."""
    if resources is None:
        return {}
    recorded: dict[str, Any] = {
        "cpus": resources.cpus,
        "gpus": resources.gpus,
        "mem_in_mb": resources.mem_in_mb,
        "timeout": resources.timeout,
    }
    if resources.custom:
        recorded["custom"] = dict(resources.custom)
    return {RESOURCES_PROPERTY: recorded}


def _intermediate(workspace: Workspace, run: Run) -> tuple[tuple[int, dict[str, float]], ...]:
    """The reports of a finished run, without the final values logged at its end."""
    marks = run.properties.get(REPORTS_PROPERTY)
    last_step = marks.get("last_step") if isinstance(marks, Mapping) else None
    finals = set(marks.get("finals", ())) if isinstance(marks, Mapping) else set()
    if isinstance(marks, Mapping) and last_step is None:
        return ()  # it never reported: what it logged are its final values
    history = workspace.metric_history(run.id)
    entries: dict[tuple[int, str], list[float]] = {}
    for step, key, value in zip(history["step"], history["key"], history["value"], strict=True):
        entries.setdefault((int(step), str(key)), []).append(float(value))
    steps: dict[int, dict[str, float]] = {}
    for (step, key), values in entries.items():
        if last_step is not None and step > last_step:
            continue
        if step == last_step and key in finals:
            values = values[:-1]
        if values:
            steps.setdefault(step, {})[key] = values[0]
    return tuple((step, steps[step]) for step in sorted(steps))


def _outcome(workspace: Workspace, run: Run, objective: Objective) -> TrialOutcome:
    status: FinishedStatus = run.status.value  # type: ignore[assignment]
    metrics = workspace.final_metrics(run.id)
    cost = None
    if objective.cost_metric is not None:
        value = metrics.get(objective.cost_metric)
        cost = None if value is None or math.isnan(value) else value
    return TrialOutcome(
        index=run.index if run.index is not None else -1,
        run_id=run.id,
        params=dict(run.params),
        status=status,
        metrics=metrics,
        intermediate=_intermediate(workspace, run),
        reason=run.status_reason,
        error=run.error,
        duration_s=run.duration_seconds or 0.0,
        cost=cost,
        artifacts=tuple(record.name for record in workspace.artifacts(run.id)),
        tags=dict(run.tags),
    )


def load_experiment(
    workspace: Workspace, experiment: Experiment, objective: Objective
) -> StoredExperiment:
    """Read what earlier sessions of ``experiment`` stored.

    Per trial index, the latest run decides: a finished one is an outcome; one left
    ``running`` or ``queued`` is stale (to be marked ``interrupted``) and, like one already
    ``interrupted``, runs again with its stored parameters.
    """
    stored = StoredExperiment()
    parents = workspace.runs(experiment.name, kind="parent")
    if not parents:
        return stored
    stored.parent = parent = parents[-1]
    active = parent.properties.get(ACTIVE_SECONDS_PROPERTY)
    if isinstance(active, (int, float)) and math.isfinite(active) and active > 0:
        stored.active_seconds = float(active)
    latest: dict[int, Run] = {}
    for run in workspace.children(parent.id):  # by index, then creation
        if run.index is not None:
            latest[run.index] = run
            if not run.status.is_terminal:
                stored.stale_run_ids.append(run.id)
    for index in sorted(latest):
        run = latest[index]
        if run.status.value in FINISHED_STATUSES:
            stored.outcomes[index] = _outcome(workspace, run, objective)
        else:
            resources = _resources(run.properties.get(RESOURCES_PROPERTY))
            stored.reruns.append(
                Rerun(index, dict(run.params), dict(run.tags), run.kind, resources)
            )
    stored.next_index = max(latest, default=-1) + 1
    return stored
