"""The reports of a sweep's trials, indexed for early-termination decisions.

The controller fills one :class:`ReportHistory` per sweep with the primary metric of every
trial (``record``) and each trial's final status (``finish``). Policies read it through a
:class:`HistoryView`, which hides the trials a decision may not see (see
:meth:`ReportHistory.visible_to`).

Every query about one step costs O(log n + h), where n is the number of trials that reported at
that step and h the number of them the view hides; nothing rescans the whole history. NaN is
the worst possible value for either goal (a diverged trial never looks good).
"""

from __future__ import annotations

import bisect
import math
from operator import itemgetter
from typing import Final, Literal

Goal = Literal["maximize", "minimize"]
GOALS: Final = ("maximize", "minimize")
STATUSES: Final = ("completed", "failed", "canceled", "early_terminated")

_first = itemgetter(0)


def check_goal(goal: object) -> Goal:
    """Return ``goal`` if it is ``"maximize"`` or ``"minimize"``, else raise ``ValueError``."""
    if goal == "maximize":
        return "maximize"
    if goal == "minimize":
        return "minimize"
    raise ValueError(f"`goal` must be 'maximize' or 'minimize', got {goal!r}")


def is_better(a: float, b: float, goal: Goal) -> bool:
    """True when ``a`` is strictly better than ``b`` for ``goal``; NaN is worse than anything."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a > b if goal == "maximize" else a < b


class _Trial:
    """One trial's reports in step order, with prefix sums and prefix bests."""

    __slots__ = ("highs", "lows", "status", "steps", "sums")

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.sums: list[float] = []
        self.highs: list[float] = []  # best so far when maximising (NaN ignored)
        self.lows: list[float] = []  # best so far when minimising (NaN ignored)
        self.status: str | None = None

    def position(self, step: int) -> int:
        """Position of the last report at or before ``step``; -1 when there is none."""
        return bisect.bisect_right(self.steps, step) - 1


class _Column:
    """Every report made at one step, sorted by index, by value and by running average."""

    __slots__ = ("averages", "by_average", "by_value", "ended", "indices", "values")

    def __init__(self) -> None:
        self.values: dict[int, float] = {}
        self.averages: dict[int, float] = {}
        self.indices: list[int] = []
        self.by_value: list[tuple[float, int]] = []  # NaN left out
        self.by_average: list[tuple[float, int]] = []  # NaN left out
        self.ended: set[int] = set()  # finished trials whose last report is this one

    def add(self, index: int, value: float, average: float) -> None:
        self.values[index] = value
        self.averages[index] = average
        if not self.indices or index > self.indices[-1]:
            self.indices.append(index)  # the usual order of arrival
        else:
            bisect.insort(self.indices, index)
        if not math.isnan(value):
            bisect.insort(self.by_value, (value, index))
        if not math.isnan(average):
            bisect.insort(self.by_average, (average, index))


_EMPTY: Final = _Column()


class HistoryView:
    """Read-only queries over the trials of a :class:`ReportHistory` that a decision may see.

    Per-trial queries return ``None`` for a trial that is hidden or has no report in range.
    """

    __slots__ = ("_before", "_exclude", "_history")

    def __init__(
        self, history: ReportHistory, *, before: int | None = None, exclude: int | None = None
    ) -> None:
        self._history = history
        self._before = before
        self._exclude = exclude

    @property
    def metric(self) -> str:
        """Name of the metric, used in the reasons shown to users."""
        return self._history.metric

    def is_visible(self, index: int) -> bool:
        """True when trial ``index`` is part of this view."""
        if self._before is not None and index >= self._before:
            return False
        return index != self._exclude

    def _trial(self, index: int) -> _Trial | None:
        return self._history._trials.get(index) if self.is_visible(index) else None

    def _column(self, step: int) -> _Column:
        return self._history._columns.get(step, _EMPTY)

    def _hidden(self, column: _Column) -> list[int]:
        """Indices reported in ``column`` that this view hides (usually few)."""
        hidden: list[int] = []
        if self._before is not None:
            hidden = column.indices[bisect.bisect_left(column.indices, self._before) :]
        excluded = self._exclude
        if excluded is not None and excluded in column.values and excluded not in hidden:
            hidden.append(excluded)
        return hidden

    # -- one trial ---------------------------------------------------------------------------

    def value_at(self, index: int, step: int) -> float | None:
        """The value trial ``index`` reported at exactly ``step``."""
        if not self.is_visible(index):
            return None
        return self._column(step).values.get(index)

    def best_up_to(self, index: int, step: int, goal: Goal) -> float | None:
        """Best value of trial ``index`` over its steps <= ``step`` (NaN only if all are NaN)."""
        trial = self._trial(index)
        at = -1 if trial is None else trial.position(step)
        if trial is None or at < 0:
            return None
        return trial.highs[at] if check_goal(goal) == "maximize" else trial.lows[at]

    def running_average(self, index: int, step: int) -> float | None:
        """Mean of trial ``index``'s values over its steps <= ``step``."""
        trial = self._trial(index)
        at = -1 if trial is None else trial.position(step)
        if trial is None or at < 0:
            return None
        return trial.sums[at] / (at + 1)

    def last_step(self, index: int) -> int | None:
        """The highest step trial ``index`` has reported."""
        trial = self._trial(index)
        return trial.steps[-1] if trial is not None and trial.steps else None

    def status(self, index: int) -> str | None:
        """The final status of trial ``index``; ``None`` while it runs (or is hidden)."""
        trial = self._trial(index)
        return None if trial is None else trial.status

    # -- one step ----------------------------------------------------------------------------

    def indices_reported_at(self, step: int) -> list[int]:
        """Visible trials with a report at ``step``, in index order."""
        return [i for i in self._column(step).indices if self.is_visible(i)]

    def values_at(self, step: int) -> list[tuple[int, float]]:
        """``(index, value)`` of the visible reports at ``step``, in index order."""
        column = self._column(step)
        return [(i, column.values[i]) for i in column.indices if self.is_visible(i)]

    def count_at(self, step: int) -> int:
        """Number of visible trials with a report at ``step``."""
        column = self._column(step)
        return len(column.indices) - len(self._hidden(column))

    def finished_at(self, step: int) -> list[int]:
        """Visible trials that have finished and whose last report is at ``step``."""
        return sorted(i for i in self._column(step).ended if self.is_visible(i))

    def count_better_at(self, step: int, value: float, goal: Goal) -> int:
        """Number of visible trials whose value at ``step`` is strictly better than ``value``."""
        goal = check_goal(goal)
        column = self._column(step)
        if math.isnan(value):
            better = len(column.by_value)
        elif goal == "maximize":
            better = len(column.by_value) - bisect.bisect_right(column.by_value, value, key=_first)
        else:
            better = bisect.bisect_left(column.by_value, value, key=_first)
        hidden = self._hidden(column)
        return better - sum(is_better(column.values[i], value, goal) for i in hidden)

    def best_at(self, step: int, goal: Goal) -> tuple[int, float] | None:
        """``(index, value)`` of the best visible report at ``step``; ties go to the lowest index.

        Returns ``None`` when no visible trial reported at ``step``.
        """
        goal = check_goal(goal)
        column = self._column(step)
        hidden = set(self._hidden(column))
        ordered = reversed(column.by_value) if goal == "maximize" else iter(column.by_value)
        best = next((v for v, i in ordered if i not in hidden), None)
        if best is not None:
            start = bisect.bisect_left(column.by_value, best, key=_first)
            for v, i in column.by_value[start:]:
                if i not in hidden:
                    return i, v
        for i in column.indices:  # only NaN left, if anything
            if i not in hidden:
                return i, column.values[i]
        return None

    def median_running_average_at(self, step: int, goal: Goal) -> float | None:
        """Median of the running averages at ``step`` of the visible trials reported there.

        With an even count it is the mean of the two middle averages. NaN averages rank worst
        for ``goal``, so they only move the median when they are at least half of the values.
        """
        goal = check_goal(goal)
        column = self._column(step)
        hidden = self._hidden(column)
        hidden_positions = sorted(
            bisect.bisect_left(column.by_average, (column.averages[i], i))
            for i in hidden
            if not math.isnan(column.averages[i])
        )
        finite = len(column.by_average) - len(hidden_positions)
        nans = len(column.indices) - len(column.by_average) - (len(hidden) - len(hidden_positions))
        count = finite + nans
        if count == 0:
            return None

        def worst_first(rank: int) -> float:
            if rank < nans:
                return math.nan
            rank -= nans
            position = rank if goal == "maximize" else finite - 1 - rank
            for skipped in hidden_positions:
                if skipped > position:
                    break
                position += 1
            return column.by_average[position][0]

        low, high = worst_first((count - 1) // 2), worst_first(count // 2)
        return low if count % 2 else (low + high) / 2


class ReportHistory(HistoryView):
    """The primary-metric reports and final statuses of a sweep's trials.

    Each trial reports at strictly increasing integer steps. The controller records every
    report and every end; policies read the history through :meth:`visible_to`.

    Example:
        >>> history = ReportHistory(metric="accuracy")
        >>> history.record(0, step=1, value=0.7)
        >>> history.record(1, step=1, value=0.6)
        >>> history.visible_to(1).values_at(1)
        [(0, 0.7)]
    """

    __slots__ = ("_columns", "_metric", "_trials")

    def __init__(self, metric: str = "metric") -> None:
        if not isinstance(metric, str) or not metric:
            raise TypeError(f"`metric` must be a non-empty str, got {metric!r}")
        super().__init__(self)
        self._metric = metric
        self._trials: dict[int, _Trial] = {}
        self._columns: dict[int, _Column] = {}

    @property
    def metric(self) -> str:
        """Name of the metric, used in the reasons shown to users."""
        return self._metric

    def record(self, index: int, step: int, value: float) -> None:
        """Store trial ``index``'s value at ``step``; steps must increase within a trial."""
        _check_count("index", index)
        _check_count("step", step)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"`value` must be a number, got {value!r}")
        value = float(value)
        trial = self._trials.get(index)
        if trial is None:
            trial = self._trials[index] = _Trial()
        if trial.status is not None:
            raise ValueError(
                f"trial {index} has already finished ({trial.status}); cannot record step {step}"
            )
        if trial.steps and step <= trial.steps[-1]:
            raise ValueError(
                f"`step` must be greater than trial {index}'s last step {trial.steps[-1]}, "
                f"got {step}"
            )
        total = value + (trial.sums[-1] if trial.sums else 0.0)
        high = trial.highs[-1] if trial.highs else math.nan
        low = trial.lows[-1] if trial.lows else math.nan
        trial.steps.append(step)
        trial.sums.append(total)
        trial.highs.append(value if is_better(value, high, "maximize") else high)
        trial.lows.append(value if is_better(value, low, "minimize") else low)
        column = self._columns.get(step)
        if column is None:
            column = self._columns[step] = _Column()
        column.add(index, value, total / len(trial.steps))

    def finish(self, index: int, status: str) -> None:
        """Record trial ``index``'s final status (a trial may finish without any report)."""
        _check_count("index", index)
        if status not in STATUSES:
            raise ValueError(f"`status` must be one of {', '.join(STATUSES)}; got {status!r}")
        trial = self._trials.setdefault(index, _Trial())
        if trial.status is not None:
            raise ValueError(f"trial {index} has already finished ({trial.status})")
        trial.status = status
        if trial.steps:
            self._columns[trial.steps[-1]].ended.add(index)

    def visible_to(self, index: int, *, deterministic: bool = True) -> HistoryView:
        """The other trials that a decision on trial ``index`` may see.

        Deterministic mode: only trials with a lower index (DESIGN.md, "Determinism").
        Otherwise every other trial, with whatever it has reported so far.
        """
        _check_count("index", index)
        if deterministic:
            return HistoryView(self, before=index)
        return HistoryView(self, exclude=index)


def _check_count(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"`{name}` must be an int >= 0, got {value!r}")
