from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest

from tests.trials.policies._support import history_of
from trials.policies import (
    BanditPolicy,
    Decision,
    EarlyTerminationPolicy,
    Goal,
    HistoryView,
    ReportHistory,
)


class _StopAlways(EarlyTerminationPolicy):
    """A test double: stops at every evaluated step and records what it was shown."""

    name: ClassVar[str] = "stop_always"

    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        self.evaluation_interval = evaluation_interval
        self.delay_evaluation = delay_evaluation
        self.seen: list[tuple[int, int, float, list[int]]] = []

    def _evaluate(
        self,
        index: int,
        step: int,
        value: float,
        goal: Goal,
        history: ReportHistory,
        others: HistoryView,
    ) -> Decision:
        self.seen.append((index, step, value, others.indices_reported_at(step)))
        return Decision(stop=True, reason="always")

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name}


@pytest.mark.parametrize(
    ("interval", "delay", "evaluated"),
    [
        (1, 0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        (1, 5, [5, 6, 7, 8, 9, 10, 11, 12]),  # Azure: delay 5 -> first evaluation at 5
        (3, 0, [0, 3, 6, 9, 12]),
        (3, 5, [6, 9, 12]),  # multiples of 3 that are >= 5
        (4, 8, [8, 12]),
    ],
)
def test_interval_and_delay_gating(interval: int, delay: int, evaluated: list[int]) -> None:
    policy = _StopAlways(interval, delay)
    history = history_of({0: [0.5] * 13}, first_step=0)
    stopped = [s for s in range(13) if policy.decide(0, s, history, "maximize").stop]
    assert stopped == evaluated
    assert [s for s in range(13) if policy.evaluates_at(s)] == evaluated
    assert [step for _, step, _, _ in policy.seen] == evaluated  # the hook is not even called


def test_the_hook_sees_the_trial_value_and_the_visible_others() -> None:
    history = history_of({0: [0.1], 1: [0.2], 2: [0.3], 3: [0.4]})
    policy = _StopAlways()
    policy.decide(2, 1, history, "minimize")
    policy.decide(2, 1, history, "minimize", deterministic=False)
    assert policy.seen == [(2, 1, 0.3, [0, 1]), (2, 1, 0.3, [0, 1, 3])]


def test_decide_needs_the_report() -> None:
    history = history_of({0: [0.1]})
    with pytest.raises(ValueError, match=r"trial 0 has no report at step 2; record it before"):
        _StopAlways().decide(0, 2, history, "maximize")
    with pytest.raises(ValueError, match=r"trial 1 has no report at step 1"):
        _StopAlways().decide(1, 1, history, "maximize")


def test_decide_checks_the_goal() -> None:
    history = history_of({0: [0.1]})
    with pytest.raises(ValueError, match=r"`goal` must be 'maximize' or 'minimize', got 'max'"):
        BanditPolicy(slack_factor=0.1).decide(0, 1, history, "max")  # type: ignore[arg-type]


def test_a_policy_without_the_hook_cannot_be_built() -> None:
    class Incomplete(EarlyTerminationPolicy):
        name: ClassVar[str] = "incomplete"

        def to_dict(self) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match="abstract"):
        Incomplete()  # type: ignore[abstract]


def test_decision_is_frozen() -> None:
    decision = Decision(stop=True, reason="why")
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.stop = False  # type: ignore[misc]
    assert Decision(stop=False).reason is None


def test_policies_are_values() -> None:
    assert BanditPolicy(slack_factor=0.1) == BanditPolicy(slack_factor=0.1)
    assert BanditPolicy(slack_factor=0.1) != BanditPolicy(slack_amount=0.1)
    assert len({BanditPolicy(slack_factor=0.1), BanditPolicy(slack_factor=0.1)}) == 1
    assert repr(BanditPolicy(slack_factor=0.1)) == (
        "BanditPolicy(slack_factor=0.1, slack_amount=None, evaluation_interval=1, "
        "delay_evaluation=0)"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        BanditPolicy(slack_factor=0.1).slack_factor = 0.2  # type: ignore[misc]
