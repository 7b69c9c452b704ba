"""Live progress of an experiment: a Rich table in a terminal, plain lines elsewhere.

The controller tells a :class:`ProgressListener` what happens: :meth:`~ProgressListener.begin`
with the outcomes an earlier session left (on resume), :meth:`~ProgressListener.trial_finished`
for each trial once its end is committed, :meth:`~ProgressListener.update` a few times a second
with what is running and the time left, and :meth:`~ProgressListener.close` at the end.
:func:`make_progress` picks the listener for where the output goes.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from trials._searcher import Objective, TrialOutcome

__all__ = [
    "LiveProgress",
    "PlainProgress",
    "ProgressListener",
    "ProgressSnapshot",
    "ProgressTracker",
    "make_progress",
]

_STATUS_COLUMNS = (
    ("completed", "done"),
    ("early_terminated", "stopped"),
    ("failed", "failed"),
    ("canceled", "canceled"),
)


@dataclass(frozen=True)
class ProgressSnapshot:
    """The state of a running experiment that only the controller knows.

    Attributes:
        experiment: The experiment's name.
        running: Trials running now.
        elapsed_s: Active seconds of the experiment, earlier sessions included.
        time_left_s: Seconds left of the experiment's timeout; None without a timeout.
        max_trials: The trial-count limit; None without one.
    """

    experiment: str
    running: int
    elapsed_s: float
    time_left_s: float | None
    max_trials: int | None


class ProgressTracker:
    """Counts by status and the best trial so far, for any listener."""

    def __init__(self, objective: Objective) -> None:
        self.objective = objective
        self.counts: Counter[str] = Counter()
        self.best: TrialOutcome | None = None
        self.best_value: float | None = None

    def add(self, outcome: TrialOutcome) -> bool:
        """Count ``outcome``; True when it is the new best completed trial."""
        self.counts[outcome.status] += 1
        value = outcome.value(self.objective.primary_metric)
        if outcome.status != "completed" or value is None:
            return False
        if self.best_value is None or self.objective.is_better(value, self.best_value):
            self.best, self.best_value = outcome, value
            return True
        return False

    @property
    def finished(self) -> int:
        return sum(self.counts.values())


class ProgressListener(ABC):
    """What the controller tells about a running experiment (one required hook)."""

    def __init__(self, objective: Objective) -> None:
        self.tracker = ProgressTracker(objective)

    def begin(self, previous: Iterable[TrialOutcome]) -> None:
        """Count the trials an earlier session finished (on resume) without reporting them."""
        for outcome in previous:
            self.tracker.add(outcome)

    @abstractmethod
    def trial_finished(self, outcome: TrialOutcome) -> None:
        """A trial ended and its end is committed."""

    def update(self, snapshot: ProgressSnapshot) -> None:  # noqa: B027 - optional hook
        """Called a few times a second while the experiment runs."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """The experiment's session ended."""


def _format(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class PlainProgress(ProgressListener):
    """One line per finished trial, for logs and pipes (no terminal control codes)."""

    def __init__(self, objective: Objective, stream: IO[str] | None = None) -> None:
        super().__init__(objective)
        self._stream = stream

    def trial_finished(self, outcome: TrialOutcome) -> None:
        self.tracker.add(outcome)
        metric = self.tracker.objective.primary_metric
        reason = f"  ({outcome.reason})" if outcome.reason else ""
        print(
            f"trial {outcome.index:>5}  {outcome.status:<16} "
            f"{metric}={_format(outcome.value(metric)):<12} "
            f"best={_format(self.tracker.best_value)}{reason}",
            file=self._stream if self._stream is not None else sys.stdout,
            flush=True,
        )


class LiveProgress(ProgressListener):
    """A Rich table redrawn in place: counts by status, best so far, time left, last trials."""

    def __init__(self, objective: Objective, console: Any = None, recent: int = 6) -> None:
        from rich.console import Console
        from rich.live import Live

        super().__init__(objective)
        self._console = console if console is not None else Console()
        self._recent: deque[TrialOutcome] = deque(maxlen=recent)
        self._snapshot: ProgressSnapshot | None = None
        self._live = Live(console=self._console, auto_refresh=False, transient=False)
        self._live.start()

    def trial_finished(self, outcome: TrialOutcome) -> None:
        self.tracker.add(outcome)
        self._recent.appendleft(outcome)
        self._refresh()

    def update(self, snapshot: ProgressSnapshot) -> None:
        self._snapshot = snapshot
        self._refresh()

    def close(self) -> None:
        self._refresh()
        self._live.stop()

    def _refresh(self) -> None:
        self._live.update(self.render(), refresh=True)

    def render(self) -> Any:
        """The renderable shown: a summary table above the most recent trials."""
        from rich.console import Group
        from rich.table import Table

        tracker, snapshot = self.tracker, self._snapshot
        metric = tracker.objective.primary_metric
        title = "Experiment" if snapshot is None else f"Experiment {snapshot.experiment}"
        summary = Table(title=title, title_justify="left")
        for _, label in _STATUS_COLUMNS:
            summary.add_column(label, justify="right", no_wrap=True)
        for label in ("running", "trials", f"best {metric}", "elapsed", "left"):
            summary.add_column(label, justify="right", no_wrap=True)
        total = str(tracker.finished)
        if snapshot is not None and snapshot.max_trials is not None:
            total += f" / {snapshot.max_trials}"
        best = _format(tracker.best_value)
        if tracker.best is not None:
            best += f" (trial {tracker.best.index})"
        summary.add_row(
            *(str(tracker.counts.get(status, 0)) for status, _ in _STATUS_COLUMNS),
            "-" if snapshot is None else str(snapshot.running),
            total,
            best,
            _duration(None if snapshot is None else snapshot.elapsed_s),
            _duration(None if snapshot is None else snapshot.time_left_s),
        )
        recent = Table(title="Latest trials", title_justify="left")
        for column in ("trial", "status", metric, "seconds"):
            recent.add_column(column, no_wrap=True)
        recent.add_column("reason", no_wrap=True, overflow="ellipsis", ratio=1)
        for outcome in self._recent:
            recent.add_row(
                str(outcome.index),
                outcome.status,
                _format(outcome.value(metric)),
                "-" if outcome.duration_s is None else f"{outcome.duration_s:.1f}",
                outcome.reason or "",
            )
        return Group(summary, recent)


def make_progress(
    objective: Objective, *, quiet: bool, stream: IO[str] | None = None
) -> ProgressListener | None:
    """The listener for this output: None when quiet, live in a terminal, else plain lines."""
    if quiet:
        return None
    out = stream if stream is not None else sys.stdout
    if out.isatty():
        from rich.console import Console

        return LiveProgress(objective, Console(file=out))
    return PlainProgress(objective, out)
