"""One conformance suite that every sampler passes.

The determinism contract (DESIGN.md): the proposal for index k is a pure function of the
seed, k and the tells made so far, in order.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from search_spaces import (
    BayesianSampler,
    GridSampler,
    RandomSampler,
    Sampler,
    SearchExhaustedError,
    SearchSpace,
    SearchSpaceError,
    TrialState,
    choice,
    flatten_params,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)

Factory = Callable[[SearchSpace, int | None], Sampler]

SAMPLERS: dict[str, Factory] = {
    "random": lambda space, seed: RandomSampler(space, seed=seed),
    "sobol": lambda space, seed: RandomSampler(space, seed=seed, rule="sobol"),
    "grid": lambda space, seed: GridSampler(space, seed=seed),
    # Few startup trials, so that the suite exercises TPE itself, not only its warm-up.
    "bayesian": lambda space, seed: BayesianSampler(space, seed=seed, n_startup_trials=4),
}

MIXED = SearchSpace(
    {
        "model": choice(
            {"name": "svm", "C": loguniform(-3, 3), "kernel": choice("rbf", "linear")},
            {"name": "rf", "trees": qloguniform(2, 6, 1), "depth": randint(10)},
            "dummy",
        ),
        "lr": uniform(0, 1),
        "units": quniform(16, 256, 16),
        "shift": normal(0, 2),
        "step": qnormal(0, 2, 0.5),
        "scale": lognormal(0, 1),
        "count": qlognormal(1, 1, 1),
        "epochs": 5,
    }
)

CHOICES_ONLY = SearchSpace(
    {
        "model": choice(
            {"name": "svm", "kernel": choice("rbf", "linear", "poly")},
            {"name": "rf", "depth": choice(2, 4, 8, None)},
            "dummy",
        ),
        "batch": choice(16, 32, 64),
        "flag": choice(True, False),
        "epochs": 5,
    }
)


def space_for(kind: str) -> SearchSpace:
    return CHOICES_ONLY if kind == "grid" else MIXED


def objective(params: dict[str, Any]) -> float:
    """A deterministic score from any proposal (numbers summed, strings hashed stably)."""
    total = 0.0
    for value in flatten_params(params).values():
        if isinstance(value, bool) or value is None:
            total += 0.5 if value else 0.0
        elif isinstance(value, (int, float)):
            total += math.tanh(float(value) / 10)
        else:
            total += sum(map(ord, value)) % 7 / 7
    return total


STATES: tuple[TrialState, ...] = ("completed", "completed", "failed", "early_terminated")


def drive(sampler: Sampler, n: int, *, lag: int = 1) -> list[dict[str, Any]]:
    """Ask 0..n-1, telling trial k - lag + 1 before asking k (trial-index order)."""
    n = min(n, sampler.size or n)
    proposals: list[dict[str, Any]] = []
    told = 0
    for k in range(n):
        while told <= k - lag:
            state = STATES[told % len(STATES)]
            value = None if state == "failed" else objective(proposals[told])
            sampler.tell(told, proposals[told], value, state)
            told += 1
        proposals.append(sampler.ask(k))
    return proposals


@pytest.fixture(params=sorted(SAMPLERS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_proposals_are_inside_the_space(kind: str) -> None:
    space = space_for(kind)
    for params in drive(SAMPLERS[kind](space, 0), 16):
        assert space.contains(params), params


def test_same_seed_and_history_give_the_same_proposals(kind: str) -> None:
    space = space_for(kind)
    first = drive(SAMPLERS[kind](space, 7), 14)
    second = drive(SAMPLERS[kind](space, 7), 14)
    assert first == second


def test_same_seed_and_history_agree_with_concurrency(kind: str) -> None:
    space = space_for(kind)
    assert drive(SAMPLERS[kind](space, 3), 14, lag=3) == drive(SAMPLERS[kind](space, 3), 14, lag=3)


def test_asking_again_gives_the_same_proposal(kind: str) -> None:
    space = space_for(kind)
    sampler = SAMPLERS[kind](space, 11)
    proposals = drive(sampler, 8)
    again = sampler.ask(7)
    assert again == proposals[7]
    sampler.ask(3)  # an unrelated ask changes nothing
    assert sampler.ask(7) == again
    # A fresh sampler fed the same tells, without the intermediate asks, agrees.
    fresh = SAMPLERS[kind](space, 11)
    for index in range(7):
        value = objective(proposals[index])
        fresh.tell(index, proposals[index], value, STATES[index % len(STATES)])
    assert fresh.ask(7) == sampler.ask(7)


def test_different_seeds_give_different_proposals(kind: str) -> None:
    space = space_for(kind)
    first = drive(SAMPLERS[kind](space, 0), 8)
    second = drive(SAMPLERS[kind](space, 1), 8)
    if kind == "grid":
        assert first == second  # a grid has no randomness
    else:
        assert first != second


def test_failed_and_early_terminated_trials_are_accepted(kind: str) -> None:
    space = space_for(kind)
    sampler = SAMPLERS[kind](space, 5)
    for index in range(min(12, sampler.size or 12)):
        params = sampler.ask(index)
        assert space.contains(params)
        state: TrialState = ("failed", "early_terminated", "completed")[index % 3]
        sampler.tell(index, params, None if index % 2 else 0.5, state)


def test_conditional_space_of_choices_works_for_every_sampler(kind: str) -> None:
    sampler = SAMPLERS[kind](CHOICES_ONLY, 2)
    proposals = drive(sampler, 24)
    names = {p["model"] if isinstance(p["model"], str) else p["model"]["name"] for p in proposals}
    assert names <= {"svm", "rf", "dummy"} and len(names) >= 2
    for params in proposals:
        assert CHOICES_ONLY.contains(params)
        if isinstance(params["model"], dict) and params["model"]["name"] == "svm":
            assert set(params["model"]) == {"name", "kernel"}


def test_seed_none_draws_a_recorded_seed(kind: str) -> None:
    space = space_for(kind)
    sampler = SAMPLERS[kind](space, None)
    assert isinstance(sampler.seed, int) and sampler.seed >= 0
    assert drive(SAMPLERS[kind](space, sampler.seed), 5) == drive(sampler, 5)


def test_size_and_exhaustion(kind: str) -> None:
    sampler = SAMPLERS[kind](space_for(kind), 0)
    if kind == "grid":
        assert sampler.size == 2 * (3 + 4 + 1) * 3
        with pytest.raises(SearchExhaustedError, match="index 48 is past the end"):
            sampler.ask(48)
    else:
        assert sampler.size is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.ask(-1), r"`index` must be an integer >= 0, got -1"),
        (lambda s: s.ask(1.0), r"`index` must be an integer >= 0, got 1.0"),
        (lambda s: s.ask(True), r"`index` must be an integer >= 0, got True \(bool\)"),
        (lambda s: s.tell(0, {}, 1.0, "done"), r"`state` must be one of completed, failed, "),
        (lambda s: s.tell(0, [], 1.0), r"`params` must be a mapping, got \[\]"),
        (lambda s: s.tell(0, {}, "1.0"), r"`value` must be a number or None, got '1.0'"),
        (lambda s: s.tell(-2, {}, 1.0), r"`index` must be an integer >= 0, got -2"),
    ],
)
def test_argument_errors(kind: str, call: Callable[[Sampler], Any], message: str) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        call(SAMPLERS[kind](space_for(kind), 0))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"seed": -1}, r"`seed` must be an integer >= 0, got -1"),
        ({"seed": 1.5}, r"`seed` must be an integer >= 0, got 1.5"),
        ({"goal": "max"}, r"`goal` must be one of maximize, minimize, got 'max'"),
    ],
)
def test_constructor_errors(kind: str, arguments: dict[str, Any], message: str) -> None:
    cls = {"random": RandomSampler, "sobol": RandomSampler, "grid": GridSampler}.get(
        kind, BayesianSampler
    )
    with pytest.raises(SearchSpaceError, match=message):
        cls(space_for(kind), **arguments)


def test_a_plain_mapping_is_accepted_as_space(kind: str) -> None:
    sampler = SAMPLERS[kind]({"a": choice(1, 2)}, 0)  # type: ignore[arg-type]
    assert sampler.space == SearchSpace({"a": choice(1, 2)})
    assert sampler.ask(0)["a"] in (1, 2)
