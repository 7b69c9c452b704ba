"""The waits behind determinism: in-order tells and the decision gate."""

from __future__ import annotations

import pytest

from trials._scheduling import DecisionGate, PendingDecision, TellQueue
from trials._searcher import TrialOutcome

pytestmark = pytest.mark.timeout(30)


def _outcome(index: int) -> TrialOutcome:
    return TrialOutcome(index=index, run_id=f"r{index}", params={}, status="completed")


def test_ordered_queue_tells_in_index_order_without_gaps() -> None:
    told: list[int] = []
    queue = TellQueue(lambda o: told.append(o.index), ordered=True)
    queue.add([_outcome(2), _outcome(0), _outcome(3)])
    queue.tell_through(float("inf"))
    assert told == [0]  # 1 is missing: 2 and 3 wait
    assert not queue.all_told_below(2)
    queue.add([_outcome(1)])
    queue.tell_through(2)
    assert told == [0, 1, 2] and queue.waiting == 1
    assert queue.all_told_below(3) and not queue.all_told_below(4)
    queue.tell_through(float("inf"))
    assert told == [0, 1, 2, 3] and queue.told == 4


def test_unordered_queue_tells_at_once() -> None:
    told: list[int] = []
    queue = TellQueue(lambda o: told.append(o.index), ordered=False)
    queue.add([_outcome(3), _outcome(1)])
    assert told == [3, 1] and queue.all_told_below(100)


def test_gate_waits_for_lower_trials_to_reach_the_step() -> None:
    gate = DecisionGate(reads_finish_status=False)
    gate.hold(PendingDecision("r2", 2, step=3))
    assert gate.ready({0: 3, 1: 2, 2: 3}) == []  # trial 1 has not reached step 3
    assert [d.index for d in gate.ready({0: 3, 1: 3, 2: 3})] == [2]
    assert len(gate) == 0


def test_gate_ignores_finished_and_higher_trials() -> None:
    gate = DecisionGate(reads_finish_status=False)
    gate.hold(PendingDecision("r1", 1, step=5))
    gate.hold(PendingDecision("r3", 3, step=5))
    # Trial 0 finished (no longer running); trial 2 lags behind trial 3 only.
    ready = gate.ready({1: 5, 2: 1, 3: 5})
    assert [d.index for d in ready] == [1]
    gate.drop(3)
    assert gate.ready({}) == []


def test_gate_waits_past_the_step_when_the_policy_reads_finish_status() -> None:
    gate = DecisionGate(reads_finish_status=True)
    gate.hold(PendingDecision("r1", 1, step=2))
    assert gate.ready({0: 2, 1: 2}) == []  # trial 0 may still end right after step 2
    assert [d.index for d in gate.ready({0: 3, 1: 2})] == [1]
