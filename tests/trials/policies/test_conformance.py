"""Properties every early-termination policy must have, run over every registered policy."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from tests.trials.policies._support import Report, build, random_reports
from trials.policies import (
    POLICY_TYPES,
    AshaPolicy,
    BanditPolicy,
    EarlyTerminationPolicy,
    Goal,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    ReportHistory,
    TruncationSelectionPolicy,
    make_policy,
)

POLICIES: list[EarlyTerminationPolicy] = [
    NoTerminationPolicy(),
    BanditPolicy(slack_factor=0.2),
    BanditPolicy(slack_amount=0.15, evaluation_interval=2, delay_evaluation=3),
    MedianStoppingPolicy(delay_evaluation=0),
    MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=3),
    TruncationSelectionPolicy(30),
    TruncationSelectionPolicy(50, evaluation_interval=2, exclude_finished_jobs=True),
    AshaPolicy(),
    AshaPolicy(min_resource=2, reduction_factor=2, max_resource=8),
]
GOALS: tuple[Goal, Goal] = ("maximize", "minimize")
SEEDS = range(12)
TRIALS, STEPS = 8, 9


def _id(policy: EarlyTerminationPolicy) -> str:
    return json.dumps(policy.to_dict(), separators=(",", ":"))


parametrize_policies = pytest.mark.parametrize("policy", POLICIES, ids=_id)


def test_every_registered_type_is_covered() -> None:
    assert {type(p) for p in POLICIES} == set(POLICY_TYPES.values())


def _decisions(
    policy: EarlyTerminationPolicy, history: ReportHistory, reports: list[Report], goal: Goal
) -> Iterator[tuple[int, int, bool, bool]]:
    """(index, step, deterministic, stop) for every report, in both visibility modes."""
    for index, step, _ in reports:
        for deterministic in (True, False):
            decision = policy.decide(index, step, history, goal, deterministic=deterministic)
            yield index, step, deterministic, decision.stop


@parametrize_policies
@pytest.mark.parametrize("seed", SEEDS)
def test_never_stops_at_a_step_it_does_not_evaluate(
    policy: EarlyTerminationPolicy, seed: int
) -> None:
    reports, ends = random_reports(random.Random(seed), trials=TRIALS, steps=STEPS)
    history = build(reports, ends)
    for goal in GOALS:
        for _, step, _, stop in _decisions(policy, history, reports, goal):
            assert not stop or policy.evaluates_at(step)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_termination_never_stops(seed: int) -> None:
    reports, ends = random_reports(random.Random(seed), special=True)
    history = build(reports, ends)
    for goal in GOALS:
        assert not any(s for *_, s in _decisions(NoTerminationPolicy(), history, reports, goal))


@parametrize_policies
@pytest.mark.parametrize("seed", SEEDS)
def test_a_trial_best_at_every_step_is_never_stopped(
    policy: EarlyTerminationPolicy, seed: int
) -> None:
    rng = random.Random(seed)
    reports, ends = random_reports(rng, trials=TRIALS, steps=STEPS)
    champion = rng.randrange(TRIALS + 1)
    # shift the others' indices to make room for the champion at index `champion`
    shifted = [(i + (i >= champion), s, v) for i, s, v in reports]
    ends = {i + (i >= champion): status for i, status in ends.items()}
    for goal in GOALS:
        value = 1.0 if goal == "maximize" else 0.0  # others lie in [0, 1]; ties never stop
        mine = [(champion, step, value) for step in range(1, STEPS + 1)]
        everything = sorted(shifted + mine, key=lambda r: (r[1], r[0]))
        history = build(everything, ends)
        for index, step, _, stop in _decisions(policy, history, mine, goal):
            assert not stop, (index, step)


@parametrize_policies
@pytest.mark.parametrize("seed", SEEDS)
def test_mirror_symmetry(policy: EarlyTerminationPolicy, seed: int) -> None:
    reports, ends = random_reports(random.Random(seed), trials=TRIALS, steps=STEPS, special=True)
    plain, mirrored = build(reports, ends), build(reports, ends, negate=True)
    for goal, flipped in (GOALS, GOALS[::-1]):
        assert list(_decisions(policy, plain, reports, goal)) == list(
            _decisions(policy, mirrored, reports, flipped)
        )


@parametrize_policies
@pytest.mark.parametrize("seed", SEEDS)
def test_higher_indices_never_change_a_deterministic_decision(
    policy: EarlyTerminationPolicy, seed: int
) -> None:
    rng = random.Random(seed)
    reports, ends = random_reports(rng, trials=TRIALS, steps=STEPS, special=True)
    other_reports, other_ends = random_reports(rng, trials=TRIALS, steps=STEPS, special=True)
    for k in range(TRIALS):
        # the same trials 0..k; different trials above k, recorded in a different order
        mine = [r for r in reports if r[0] <= k]
        variant = mine + [r for r in other_reports if r[0] > k]
        variant.sort(key=lambda r: (r[1], -r[0]))
        variant_ends = {i: s for i, s in ends.items() if i <= k}
        variant_ends |= {i: s for i, s in other_ends.items() if i > k}
        first, second = build(reports, ends), build(variant, variant_ends)
        for goal in GOALS:
            for _, step, _ in (r for r in mine if r[0] == k):
                a = policy.decide(k, step, first, goal)
                b = policy.decide(k, step, second, goal)
                assert a == b, (k, step, goal)


@parametrize_policies
@pytest.mark.parametrize("seed", SEEDS[:4])
def test_decisions_are_repeatable(policy: EarlyTerminationPolicy, seed: int) -> None:
    reports, ends = random_reports(random.Random(seed), special=True)
    history = build(reports, ends)
    for goal in GOALS:
        once = list(_decisions(policy, history, reports, goal))
        again = list(_decisions(policy, build(reports, ends), reports, goal))
        assert once == again == list(_decisions(policy, history, reports, goal))


@parametrize_policies
def test_to_dict_round_trips_through_make_policy(policy: EarlyTerminationPolicy) -> None:
    spec = policy.to_dict()
    assert spec["type"] == policy.name
    assert json.loads(json.dumps(spec)) == spec  # plain YAML/JSON values only
    rebuilt = make_policy(spec)
    assert rebuilt == policy
    assert type(rebuilt) is type(policy)
    assert rebuilt.to_dict() == spec


@parametrize_policies
def test_stops_come_with_a_reason(policy: EarlyTerminationPolicy) -> None:
    reports, ends = random_reports(random.Random(99), trials=12, steps=STEPS)
    history = build(reports, ends)
    for index, step, _ in reports:
        for goal in GOALS:
            decision = policy.decide(index, step, history, goal, deterministic=False)
            assert (decision.reason is not None) == decision.stop
            if decision.stop:
                assert decision.reason is not None
                assert decision.reason.startswith(f"{policy.name}: ")
