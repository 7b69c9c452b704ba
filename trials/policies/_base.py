"""The early-termination policy interface and the validation shared by every policy."""

from __future__ import annotations

import abc
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from trials.policies._history import Goal, HistoryView, ReportHistory, check_goal


@dataclass(frozen=True, slots=True)
class Decision:
    """What a policy decided about one report.

    Attributes:
        stop: True to end the trial now (its status becomes ``early_terminated``).
        reason: Why, in words shown to users and kept in the store; ``None`` when continuing.
    """

    stop: bool
    reason: str | None = None


CONTINUE = Decision(stop=False)


class EarlyTerminationPolicy(abc.ABC):
    """Decides, after a trial reports its primary metric at a step, whether to stop it.

    A policy is evaluated only at the steps where :meth:`evaluates_at` is true. The default rule
    is Azure's: with ``evaluation_interval`` i and ``delay_evaluation`` d, step s is evaluated
    when ``s % i == 0 and s >= d``. Azure counts one "interval" per metric report, starting at
    1, and documents that "the policy applies every multiple of ``evaluation_interval`` that is
    greater than or equal to ``delay_evaluation``"; here the step a trial reports *is* the
    interval, so a trial reporting steps 1, 2, 3, ... behaves exactly as on Azure. (With
    ``i=1, d=5`` the first evaluation is at step 5.)

    Subclasses implement :meth:`_evaluate` (the rule) and :meth:`to_dict` (the Azure v2 YAML
    form, also the fingerprint), and may override :meth:`evaluates_at`.
    """

    name: ClassVar[str]
    """The ``type`` of the policy in YAML (``bandit``, ``median_stopping``, ...)."""

    evaluation_interval: int = 1
    delay_evaluation: int = 0

    @property
    def reads_finish_status(self) -> bool:
        """True when decisions at step s depend on whether other trials ended after step s.

        In deterministic mode the controller then waits, before deciding on trial k at step
        s, until every lower-index trial that reported at s has reported a later step or
        finished (not only until it has reported at s).
        """
        return False

    def evaluates_at(self, step: int) -> bool:
        """True when the policy may stop a trial at ``step``.

        The controller needs to wait for other trials (deterministic mode) only at these steps.
        """
        return step % self.evaluation_interval == 0 and step >= self.delay_evaluation

    def decide(
        self,
        index: int,
        step: int,
        history: ReportHistory,
        goal: Goal,
        *,
        deterministic: bool = True,
    ) -> Decision:
        """Decide whether trial ``index`` stops after its report at ``step``.

        Args:
            index: The trial's index in the sweep (0, 1, 2, ...).
            step: The step just reported; ``history`` must hold the trial's value there.
            history: Every report and end recorded so far.
            goal: Whether the metric is maximised or minimised.
            deterministic: When true, compare only with trials of a lower index (whose
                reports at ``step`` the controller has waited for); otherwise with every
                other trial as far as it has got.

        Returns:
            The decision; never a stop at a step where :meth:`evaluates_at` is false.

        Raises:
            ValueError: for a bad ``goal`` or when the trial has no report at ``step``.
        """
        goal = check_goal(goal)
        value = history.value_at(index, step)
        if value is None:
            raise ValueError(
                f"trial {index!r} has no report at step {step!r}; record it before deciding"
            )
        if not self.evaluates_at(step):
            return CONTINUE
        others = history.visible_to(index, deterministic=deterministic)
        return self._evaluate(index, step, value, goal, history, others)

    @abc.abstractmethod
    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        """Apply the rule at an evaluated step.

        ``value`` is the trial's own value at ``step``; ``history`` may be read for the trial's
        own earlier reports only, ``others`` for every comparison.
        """

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The policy as an Azure v2 YAML mapping; ``make_policy`` rebuilds it."""


def check_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` if it is an int >= ``minimum``; raise a house-format error otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}, got {value!r}")
    return value


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a finite number > 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"`{name}` must be a number > 0, got {value!r}")
    if not value > 0:
        raise ValueError(f"`{name}` must be > 0, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value!r}")
    return float(value)


def check_gating(policy: EarlyTerminationPolicy) -> None:
    """Validate ``evaluation_interval`` and ``delay_evaluation`` of a policy."""
    check_int("evaluation_interval", policy.evaluation_interval, minimum=1)
    check_int("delay_evaluation", policy.delay_evaluation, minimum=0)


def fmt(value: float) -> str:
    """A metric value as shown in reasons: 4 significant digits."""
    return f"{value:.4g}"
