"""BayesianSampler: Optuna TPE through ask/tell, deterministic per told history."""

from __future__ import annotations

import logging
import math
import statistics

import numpy as np
import optuna
import pytest

from search_spaces import (
    BayesianSampler,
    RandomSampler,
    SearchSpace,
    SearchSpaceError,
    choice,
    loguniform,
    qlognormal,
    quniform,
    randint,
    uniform,
)


def branin(x1: float, x2: float) -> float:
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


BRANIN = SearchSpace({"x1": uniform(-5, 10), "x2": uniform(0, 15)})


def best_of(sampler: BayesianSampler | RandomSampler, n_trials: int) -> float:
    best = math.inf
    for index in range(n_trials):
        params = sampler.ask(index)
        value = branin(params["x1"], params["x2"])
        best = min(best, value)
        sampler.tell(index, params, value)
    return best


def test_bayesian_beats_random_on_branin() -> None:
    seeds = range(10)
    bayesian = [best_of(BayesianSampler(BRANIN, seed=s, goal="minimize"), 50) for s in seeds]
    random = [best_of(RandomSampler(BRANIN, seed=s), 50) for s in seeds]
    # The global minimum is 0.397887.
    assert statistics.mean(bayesian) < statistics.mean(random)


def test_goal_maximize_is_symmetric() -> None:
    # Minimising v and maximising -v rank the trials alike, so the proposals agree.
    space = SearchSpace({"x": uniform(-1, 1), "k": randint(5)})
    minimizer = BayesianSampler(space, seed=0, goal="minimize", n_startup_trials=3)
    maximizer = BayesianSampler(space, seed=0, goal="maximize", n_startup_trials=3)
    wrong_way = BayesianSampler(space, seed=0, goal="maximize", n_startup_trials=3)
    differ = False
    for index in range(15):
        params = minimizer.ask(index)
        assert maximizer.ask(index) == params
        differ = differ or wrong_way.ask(index) != params
        value = (params["x"] - 0.5) ** 2 + params["k"]
        minimizer.tell(index, params, value)
        maximizer.tell(index, params, -value)
        wrong_way.tell(index, params, value)
    assert differ


def test_history_told_from_elsewhere_is_used() -> None:
    # On resume the controller re-tells the stored history before any ask.
    space = SearchSpace(
        {"lr": loguniform(-7, -1), "n": quniform(1, 9, 1), "k": randint(4), "c": choice("a", "b")}
    )
    donor = RandomSampler(space, seed=3)
    first = BayesianSampler(space, seed=1, n_startup_trials=5)
    second = BayesianSampler(space, seed=1, n_startup_trials=5)
    for index in range(20):
        params = donor.ask(index)
        first.tell(index, params, params["lr"])
        second.tell(index, params, params["lr"])
    assert first.ask(20) == second.ask(20)
    assert space.contains(first.ask(20))


def test_told_results_change_the_proposal() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    a = BayesianSampler(space, seed=0, n_startup_trials=2)
    b = BayesianSampler(space, seed=0, n_startup_trials=2)
    for index in range(6):
        params = a.ask(index)
        a.tell(index, params, params["x"])
        b.tell(index, params, -params["x"])
    assert a.ask(6) != b.ask(6)


def test_failed_trials_and_missing_values_are_ignored_by_tpe() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    plain = BayesianSampler(space, seed=0, n_startup_trials=2)
    noisy = BayesianSampler(space, seed=0, n_startup_trials=2)
    for index in range(8):
        params = RandomSampler(space, seed=5).ask(index)
        plain.tell(index, params, params["x"])
        noisy.tell(index, params, params["x"])
    for index in range(8, 12):
        params = RandomSampler(space, seed=6).ask(index)
        plain.tell(index, params, None, "failed")
        noisy.tell(index, params, math.nan)  # completed without a usable value counts as failed
    assert plain.ask(12) == noisy.ask(12)


def test_early_terminated_trials_are_told_as_pruned() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    sampler = BayesianSampler(space, seed=0, n_startup_trials=1)
    sampler.tell(0, {"x": 0.2}, 0.5, "early_terminated")
    sampler.tell(1, {"x": 0.4}, None, "early_terminated")
    sampler.tell(2, {"x": 0.9}, 1.0)
    assert space.contains(sampler.ask(3))


def test_conditional_spaces_suggest_only_the_chosen_branch() -> None:
    space = SearchSpace(
        {
            "model": choice(
                {"name": "svm", "C": loguniform(-3, 3)},
                {"name": "rf", "trees": qlognormal(4, 1, 10), "depth": randint(12)},
            ),
            "lr": uniform(0, 1),
        }
    )
    sampler = BayesianSampler(space, seed=4, n_startup_trials=4)
    for index in range(25):
        params = sampler.ask(index)
        assert space.contains(params)
        model = params["model"]
        score = model["C"] if model["name"] == "svm" else model["depth"] / 12
        sampler.tell(index, params, score + params["lr"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.tell(0, {"x": 2.0}, 1.0), r"`params` of trial 0 are not inside the search"),
        (lambda s: s.tell(0, {"y": 0.5}, 1.0), r"not inside the search space.*space changed"),
    ],
)
def test_tell_errors(call: object, message: str) -> None:
    sampler = BayesianSampler(SearchSpace({"x": uniform(0, 1)}), seed=0)
    with pytest.raises(SearchSpaceError, match=message):
        call(sampler)  # type: ignore[operator]


def test_telling_a_trial_twice_is_an_error() -> None:
    sampler = BayesianSampler(SearchSpace({"x": uniform(0, 1)}), seed=0)
    sampler.tell(0, {"x": 0.5}, 1.0)
    with pytest.raises(SearchSpaceError, match="trial 0 was already told"):
        sampler.tell(0, {"x": 0.5}, 1.0)


def test_n_startup_trials_is_validated() -> None:
    with pytest.raises(SearchSpaceError, match="`n_startup_trials` must be an integer >= 0"):
        BayesianSampler(SearchSpace({"x": uniform(0, 1)}), n_startup_trials=-1)
    assert (
        BayesianSampler(SearchSpace({"x": uniform(0, 1)}), n_startup_trials=0).n_startup_trials == 0
    )


def test_optuna_logging_is_silenced_and_restored(capsys: pytest.CaptureFixture[str]) -> None:
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(logging.INFO)
    try:
        sampler = BayesianSampler(BRANIN, seed=0, n_startup_trials=1)
        for index in range(3):
            params = sampler.ask(index)
            sampler.tell(index, params, branin(params["x1"], params["x2"]))
        assert optuna.logging.get_verbosity() == logging.INFO
    finally:
        optuna.logging.set_verbosity(before)
    captured = capsys.readouterr()
    assert "A new study created" not in captured.err + captured.out


@pytest.mark.parametrize(
    "space",
    [
        BRANIN,
        SearchSpace(
            {
                "model": choice({"kind": "a", "x": uniform(0, 1)}, {"kind": "b", "n": randint(9)}),
                "lr": loguniform(-5, 0),
            }
        ),
    ],
    ids=["flat", "conditional"],
)
def test_extra_asks_never_change_a_later_proposal(space: SearchSpace) -> None:
    """TPE is active (15 told > 10 startup trials); asks in between leave no trace."""
    busy = BayesianSampler(space, seed=3, goal="minimize")
    quiet = BayesianSampler(space, seed=3, goal="minimize")
    donor = RandomSampler(space, seed=1)
    for index in range(15):
        busy.ask(index)
        busy.ask(index + 7)
        params = donor.ask(index)
        value = float(len(repr(params)) % 7)
        busy.tell(index, params, value)
        quiet.tell(index, params, value)
    for index in range(15, 19):
        assert busy.ask(index) == quiet.ask(index)
        assert busy.ask(index) == busy.ask(index)


def test_normal_family_through_quantiles() -> None:
    from search_spaces import lognormal, normal, qnormal

    space = SearchSpace({"a": normal(10, 2), "b": qnormal(0, 3, 0.5), "c": lognormal(0, 1)})
    sampler = BayesianSampler(space, seed=2, n_startup_trials=3)
    values = []
    for index in range(15):
        params = sampler.ask(index)
        assert space.contains(params)
        values.append(params["a"])
        sampler.tell(index, params, -abs(params["a"] - 12))
    assert np.isfinite(values).all()
