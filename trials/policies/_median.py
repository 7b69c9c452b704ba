"""Median stopping policy: stop a trial whose best is worse than the others' median average."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from trials.policies._base import CONTINUE, Decision, EarlyTerminationPolicy, check_gating, fmt
from trials.policies._history import Goal, HistoryView, ReportHistory, is_better


@dataclass(frozen=True, kw_only=True)
class MedianStoppingPolicy(EarlyTerminationPolicy):
    """Stop a trial whose best value so far is worse than the median of the running averages.

    At an evaluated step s (Azure, after Google Vizier's median stopping rule): let ``B`` be
    the trial's best value over its steps <= s (max when maximising, min when minimising) and,
    for every visible *other* trial j that reported at step s, ``avg_j(s)`` the mean of j's
    values over its steps <= s. With ``M = median_j avg_j(s)`` (mean of the two middle ones
    for an even count), the trial stops when ``B`` is strictly worse than ``M``
    (``B < M`` when maximising, ``B > M`` when minimising).

    The trial itself is left out of the median, and nothing is stopped until at least
    :attr:`MIN_OTHER_TRIALS` (3) visible other trials have reported at step s: a median of one
    or two trials is too noisy to stop anything on. Trials that ended before step s do not
    count at s. The rule is symmetric: negating every value and flipping the goal gives the
    same decisions.

    Args:
        evaluation_interval: Evaluate at steps that are multiples of this (>= 1).
        delay_evaluation: Do not evaluate before this step (>= 0). The default 0 is Azure's;
            Azure recommends ``delay_evaluation=5`` as a conservative setting.

    Example:
        >>> policy = MedianStoppingPolicy(evaluation_interval=1, delay_evaluation=5)
        >>> policy.evaluates_at(4), policy.evaluates_at(5)
        (False, True)
    """

    name: ClassVar[str] = "median_stopping"
    MIN_OTHER_TRIALS: ClassVar[int] = 3

    evaluation_interval: int = 1
    delay_evaluation: int = 0

    def __post_init__(self) -> None:
        check_gating(self)

    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        count = others.count_at(step)
        if count < self.MIN_OTHER_TRIALS:
            return CONTINUE
        median = others.median_running_average_at(step, goal)
        best = history.best_up_to(index, step, goal)
        if median is None or best is None or not is_better(median, best, goal):
            return CONTINUE
        return Decision(
            stop=True,
            reason=(
                f"median_stopping: best {history.metric} so far {fmt(best)} at step {step} is "
                f"worse than {fmt(median)}, the median of the running averages of {count} "
                "other trials"
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Azure v2 form: ``{type: median_stopping, evaluation_interval, delay_evaluation}``."""
        return {
            "type": self.name,
            "evaluation_interval": self.evaluation_interval,
            "delay_evaluation": self.delay_evaluation,
        }
