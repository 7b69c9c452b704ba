"""Bandit policy: stop a trial that falls outside a slack of the best trial at the step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from trials.policies._base import (
    CONTINUE,
    Decision,
    EarlyTerminationPolicy,
    check_gating,
    check_positive,
    fmt,
)
from trials.policies._history import Goal, HistoryView, ReportHistory, is_better


@dataclass(frozen=True, kw_only=True)
class BanditPolicy(EarlyTerminationPolicy):
    """Stop a trial whose metric is not within a slack of the best trial's at the same step.

    At an evaluated step s, let ``v`` be the trial's value at s and ``b`` the best value
    reported at s by the visible trials (the trial itself included, so the best trial is never
    stopped). With ``slack_amount`` a the threshold is ``t = b - a`` when maximising and
    ``t = b + a`` when minimising. With ``slack_factor`` f it is Azure's
    ``t = b / (1 + f)`` when maximising and ``t = b * (1 + f)`` when minimising, for the
    usual case where ``b`` is positive. The trial stops when ``v`` is strictly worse than
    ``t`` (``v < t`` when maximising, ``v > t`` when minimising).

    Negative metrics: the rule is applied to the *score* ``s = v`` (maximise) or ``s = -v``
    (minimise), where higher is better: ``t_s = s_b / (1 + f)`` if ``s_b >= 0`` else
    ``t_s = s_b * (1 + f)``, so the threshold always lies on the worse side of the best by
    ``|b| * f / (1 + f)`` or ``|b| * f``. It reduces to Azure's formulas for positive
    metrics, never stops the best trial, and negating every value while flipping the goal
    gives the same decisions. NaN is worse than any threshold.

    Args:
        slack_factor: Allowed slack as a ratio of the best value (> 0).
        slack_amount: Allowed slack as an absolute distance from the best value (> 0).
            Exactly one of ``slack_factor`` and ``slack_amount`` is given.
        evaluation_interval: Evaluate at steps that are multiples of this (>= 1).
        delay_evaluation: Do not evaluate before this step (>= 0).

    Example:
        >>> from trials.policies import ReportHistory
        >>> history = ReportHistory(metric="accuracy")
        >>> history.record(0, step=5, value=0.80)
        >>> history.record(1, step=5, value=0.61)
        >>> BanditPolicy(slack_factor=0.1).decide(1, 5, history, "maximize").stop
        True
    """

    name: ClassVar[str] = "bandit"

    slack_factor: float | None = None
    slack_amount: float | None = None
    evaluation_interval: int = 1
    delay_evaluation: int = 0

    def __post_init__(self) -> None:
        if self.slack_factor is None and self.slack_amount is None:
            raise ValueError(
                "exactly one of `slack_factor` and `slack_amount` is required; got neither"
            )
        if self.slack_factor is not None and self.slack_amount is not None:
            raise ValueError(
                "`slack_factor` and `slack_amount` are mutually exclusive; got "
                f"slack_factor={self.slack_factor!r}, slack_amount={self.slack_amount!r}"
            )
        for name in ("slack_factor", "slack_amount"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_positive(name, value))
        check_gating(self)

    def threshold(self, best: float, goal: Goal) -> float:
        """The value a trial must not be worse than, given the best value ``best``."""
        score = best if goal == "maximize" else -best
        if self.slack_amount is not None:
            limit = score - self.slack_amount
        else:
            factor = 1.0 + (self.slack_factor or 0.0)
            limit = score / factor if score >= 0 else score * factor
        return limit if goal == "maximize" else -limit

    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        leader = others.best_at(step, goal)
        if leader is None or math.isnan(leader[1]) or not is_better(leader[1], value, goal):
            return CONTINUE
        best_index, best = leader
        limit = self.threshold(best, goal)
        if not is_better(limit, value, goal):
            return CONTINUE
        if self.slack_amount is not None:
            slack = f"slack_amount={self.slack_amount!r}"
        else:
            slack = f"slack_factor={self.slack_factor!r}"
        return Decision(
            stop=True,
            reason=(
                f"bandit: {history.metric}={fmt(value)} at step {step} is outside {slack} of "
                f"best {fmt(best)} of trial {best_index} (threshold {fmt(limit)})"
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Azure v2 form, e.g. ``{type: bandit, slack_factor: 0.1, evaluation_interval: 1,
        delay_evaluation: 5}``."""
        slack = (
            {"slack_factor": self.slack_factor}
            if self.slack_factor is not None
            else {"slack_amount": self.slack_amount}
        )
        return {
            "type": self.name,
            **slack,
            "evaluation_interval": self.evaluation_interval,
            "delay_evaluation": self.delay_evaluation,
        }
