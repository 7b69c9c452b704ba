"""Asynchronous successive halving (ASHA), the stopping variant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from trials.policies._base import CONTINUE, Decision, EarlyTerminationPolicy, check_int, fmt
from trials.policies._history import Goal, HistoryView, ReportHistory


@dataclass(frozen=True, kw_only=True)
class AshaPolicy(EarlyTerminationPolicy):
    """Stop a trial at a rung unless it is in the top ``1/reduction_factor`` there.

    The step a trial reports is its resource (epochs, boosting rounds, ...). Rungs are the
    steps ``r_k = min_resource * reduction_factor**k`` for k = 0, 1, 2, ... that are below
    ``max_resource`` (all of them without one); they are the only evaluated steps, and a
    trial must report *at* a rung step to be judged there (with reports every 10 rounds, use
    a ``min_resource`` that is a multiple of 10).

    When a trial reports at rung r, let ``n`` be the number of visible trials with a value
    at r, itself included, and ``keep = ceil(n / reduction_factor)``. The trial stops when
    at least ``keep`` of the others are strictly better at r, i.e. when it is not in the top
    ``keep`` (ties favour the trial). Like Ray Tune's ASHA (which compares with a percentile
    of the earlier arrivals), the first trial at a rung always continues (``keep = 1``, no
    one is better), and so does any trial better than every one before it; the second is
    stopped if the first was strictly better, the fourth needs to be in the top 2, and so on.
    A trial that is never stopped runs to its end, so ``max_resource`` only removes rungs.

    Args:
        min_resource: The first rung (>= 1).
        reduction_factor: The ratio between rungs; the top ``1/reduction_factor`` go on (>= 2).
        max_resource: Rungs are below this step (> ``min_resource``); ``None`` for no bound.

    Example:
        >>> policy = AshaPolicy(min_resource=1, reduction_factor=3, max_resource=30)
        >>> [s for s in range(40) if policy.evaluates_at(s)]
        [1, 3, 9, 27]
    """

    name: ClassVar[str] = "asha"

    min_resource: int = 1
    reduction_factor: int = 3
    max_resource: int | None = None

    def __post_init__(self) -> None:
        check_int("min_resource", self.min_resource, minimum=1)
        check_int("reduction_factor", self.reduction_factor, minimum=2)
        if self.max_resource is not None:
            check_int("max_resource", self.max_resource, minimum=1)
            if self.max_resource <= self.min_resource:
                raise ValueError(
                    f"`max_resource` must be > min_resource={self.min_resource!r}, "
                    f"got {self.max_resource!r}"
                )

    def evaluates_at(self, step: int) -> bool:
        """True at the rung steps ``min_resource * reduction_factor**k < max_resource``."""
        if step < self.min_resource or step % self.min_resource:
            return False
        if self.max_resource is not None and step >= self.max_resource:
            return False
        ratio = step // self.min_resource
        while ratio % self.reduction_factor == 0:
            ratio //= self.reduction_factor
        return ratio == 1

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
        keep = -(-count // self.reduction_factor)
        better = others.count_better_at(step, value, goal)
        if better < keep:
            return CONTINUE
        return Decision(
            stop=True,
            reason=(
                f"asha: {history.metric}={fmt(value)} at rung {step} is not in the top "
                f"1/{self.reduction_factor} of {count} trials ({better} are better; the top "
                f"{keep} go on)"
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """``{type: asha, min_resource, reduction_factor[, max_resource]}``."""
        spec: dict[str, Any] = {
            "type": self.name,
            "min_resource": self.min_resource,
            "reduction_factor": self.reduction_factor,
        }
        if self.max_resource is not None:
            spec["max_resource"] = self.max_resource
        return spec
