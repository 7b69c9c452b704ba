"""Shared helpers for the executor tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from trials.executors import (
    CommandTarget,
    Event,
    Executor,
    Resources,
    TrialFinished,
    TrialSpec,
    TrialStarted,
)


def spec(
    root: Path,
    run_id: str,
    target: Callable[..., Any] | CommandTarget,
    params: dict[str, Any] | None = None,
    **options: Any,
) -> TrialSpec:
    """A TrialSpec whose artifacts go to ``root / run_id``."""
    resources = options.pop("resources", Resources())
    return TrialSpec(
        run_id=run_id,
        index=options.pop("index", 0),
        params=params or {},
        target=target,
        artifact_dir=root / run_id,
        resources=resources,
        **options,
    )


def collect(
    executor: Executor, run_ids: Iterable[str], timeout: float = 30.0
) -> dict[str, list[Event]]:
    """Poll until every run in ``run_ids`` finished; its events, in order, per run."""
    waiting = set(run_ids)
    events: dict[str, list[Event]] = {run_id: [] for run_id in waiting}
    deadline = time.monotonic() + timeout
    while waiting:
        if time.monotonic() > deadline:
            raise TimeoutError(f"runs still going after {timeout} s: {sorted(waiting)}")
        for event in executor.poll(0.5):
            events.setdefault(event.run_id, []).append(event)
            if isinstance(event, TrialFinished):
                waiting.discard(event.run_id)
    return events


def run(executor: Executor, trial: TrialSpec, timeout: float = 30.0) -> list[Event]:
    """Submit one trial and return its events once it finished."""
    executor.submit(trial)
    return collect(executor, [trial.run_id], timeout)[trial.run_id]


def finished(events: list[Event]) -> TrialFinished:
    """The TrialFinished event, checked to be the last."""
    last = events[-1]
    assert isinstance(last, TrialFinished), events
    return last


def started(events: list[Event]) -> TrialStarted:
    """The TrialStarted event, checked to be the first."""
    first = events[0]
    assert isinstance(first, TrialStarted), events
    return first


def of_type(events: list[Event], kind: type[Any]) -> list[Any]:
    """The events of one type."""
    return [event for event in events if isinstance(event, kind)]


def wait_for(
    executor: Executor, predicate: Callable[[Event], bool], timeout: float = 10.0
) -> Event:
    """Poll until an event matches; returns it (other events are dropped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in executor.poll(0.2):
            if predicate(event):
                return event
    raise TimeoutError("no matching event")
