"""The policy that never stops a trial."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from trials.policies._base import CONTINUE, Decision, EarlyTerminationPolicy
from trials.policies._history import Goal, HistoryView, ReportHistory


@dataclass(frozen=True)
class NoTerminationPolicy(EarlyTerminationPolicy):
    """Never stop a trial: every trial runs to its end.

    It evaluates no step, so in deterministic mode the controller never waits for other
    trials on its account.

    Example:
        >>> NoTerminationPolicy().evaluates_at(5)
        False
    """

    name: ClassVar[str] = "none"

    def evaluates_at(self, step: int) -> bool:
        """Always False."""
        return False

    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        return CONTINUE

    def to_dict(self) -> dict[str, Any]:
        """``{type: none}`` (Azure v2 has no such type: it leaves `early_termination` out)."""
        return {"type": self.name}
