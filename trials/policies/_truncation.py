"""Truncation selection policy: stop trials in the lowest percentage at each evaluated step."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from trials.policies._base import (
    CONTINUE,
    Decision,
    EarlyTerminationPolicy,
    check_gating,
    check_int,
    fmt,
)
from trials.policies._history import Goal, HistoryView, ReportHistory, is_better


@dataclass(frozen=True)
class TruncationSelectionPolicy(EarlyTerminationPolicy):
    """Stop a trial whose value at the step ranks in the lowest ``truncation_percentage`` %.

    At an evaluated step s, the trial is ranked among the ``n`` visible trials that reported
    at s, itself included (so, as Azure says, a young trial is compared with what older trials
    had at the same step, not later). With ``p = truncation_percentage``, the lowest
    ``k = floor(n * p / 100)`` are cut: the trial stops when at least ``n - k`` of the
    ``n`` trials are strictly better at s. Ties favour the trial (equal values never stop
    each other), and nothing is stopped while ``k == 0``, i.e. until ``n >= 100 / p``
    trials have reached step s (5 trials for p=20).

    With ``exclude_finished_jobs=True``, other trials that have *finished* with s as their
    last report are left out of the ``n`` (only trials still running after s are ranked);
    in deterministic mode this makes the decision depend on whether those trials ended,
    which :attr:`reads_finish_status` tells the controller. Azure's default is False.

    Args:
        truncation_percentage: The percentage of trials to cut at each evaluation (1..99).
        evaluation_interval: Evaluate at steps that are multiples of this (>= 1).
        delay_evaluation: Do not evaluate before this step (>= 0).
        exclude_finished_jobs: Leave finished trials out of the ranking.

    Example:
        >>> TruncationSelectionPolicy(20, delay_evaluation=5).to_dict()["truncation_percentage"]
        20
    """

    name: ClassVar[str] = "truncation_selection"

    truncation_percentage: int
    _: KW_ONLY
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    exclude_finished_jobs: bool = False

    def __post_init__(self) -> None:
        percentage = check_int("truncation_percentage", self.truncation_percentage, minimum=1)
        if percentage > 99:
            raise ValueError(
                f"`truncation_percentage` must be an int between 1 and 99, got {percentage!r}"
            )
        check_gating(self)
        if not isinstance(self.exclude_finished_jobs, bool):
            raise TypeError(
                f"`exclude_finished_jobs` must be a bool, got {self.exclude_finished_jobs!r}"
            )

    @property
    def reads_finish_status(self) -> bool:
        """True with ``exclude_finished_jobs``: the ranking depends on who has ended."""
        return self.exclude_finished_jobs

    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        count = others.count_at(step) + 1
        better = others.count_better_at(step, value, goal)
        if self.exclude_finished_jobs:
            ended = [others.value_at(j, step) for j in others.finished_at(step)]
            count -= len(ended)
            better -= sum(v is not None and is_better(v, value, goal) for v in ended)
        cut = count * self.truncation_percentage // 100
        if cut == 0 or better < count - cut:
            return CONTINUE
        return Decision(
            stop=True,
            reason=(
                f"truncation_selection: {history.metric}={fmt(value)} at step {step} is in the "
                f"lowest {self.truncation_percentage}% of {count} trials ({better} are better; "
                f"the lowest {cut} are cut)"
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Azure v2 form; ``exclude_finished_jobs`` (not a v2 key) only when True."""
        spec: dict[str, Any] = {
            "type": self.name,
            "truncation_percentage": self.truncation_percentage,
            "evaluation_interval": self.evaluation_interval,
            "delay_evaluation": self.delay_evaluation,
        }
        if self.exclude_finished_jobs:
            spec["exclude_finished_jobs"] = True
        return spec
