"""The searcher interface and the sampler adapter."""

from __future__ import annotations

from typing import Any

import pytest

from search_spaces import SearchSpace, TrialState, choice, make_sampler, uniform
from search_spaces.samplers import RandomSampler
from trials._searcher import Objective, SamplerSearcher, TrialOutcome, TrialRequest
from trials.executors import Resources

pytestmark = pytest.mark.timeout(30)


class _Recording(RandomSampler):
    """A random sampler that records its tells (so it is adaptive)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.told: list[tuple[int, float | None, TrialState]] = []

    def tell(
        self, index: int, params: Any, value: float | None, state: TrialState = "completed"
    ) -> None:
        super().tell(index, params, value, state)
        self.told.append((index, value, state))


def _outcome(index: int, status: Any, metrics: dict[str, float]) -> TrialOutcome:
    return TrialOutcome(
        index=index, run_id=f"r{index}", params={"x": 0.5}, status=status, metrics=metrics
    )


def test_sampler_searcher_asks_the_sampler() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    searcher = SamplerSearcher(make_sampler("random", space, seed=3), "score")
    request = searcher.ask(4)
    assert request is not None
    assert request.params == make_sampler("random", space, seed=3).ask(4)
    assert (request.resources, request.tags, request.kind) == (None, {}, "trial")


def test_an_exhausted_grid_answers_none() -> None:
    searcher = SamplerSearcher(make_sampler("grid", {"a": choice(1, 2)}), "score")
    assert [searcher.ask(i).params for i in range(2)] == [{"a": 1}, {"a": 2}]  # type: ignore[union-attr]
    assert searcher.ask(2) is None


def test_tells_map_statuses_to_sampler_states() -> None:
    sampler = _Recording(SearchSpace({"x": uniform(0, 1)}), seed=0)
    searcher = SamplerSearcher(sampler, "score")
    searcher.tell(_outcome(0, "completed", {"score": 0.9, "loss": 0.1}))
    searcher.tell(_outcome(1, "early_terminated", {"score": 0.4}))
    searcher.tell(_outcome(2, "failed", {"score": 0.2}))
    searcher.tell(_outcome(3, "canceled", {"score": 0.3}))
    searcher.tell(_outcome(4, "completed", {"loss": 0.3}))
    assert sampler.told == [
        (0, 0.9, "completed"),
        (1, 0.4, "early_terminated"),
        (2, None, "failed"),
        (3, None, "failed"),
        (4, None, "completed"),
    ]


def test_adaptive_only_when_the_sampler_learns() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    assert not SamplerSearcher(make_sampler("random", space), "m").adaptive
    assert not SamplerSearcher(make_sampler("grid", {"a": choice(1)}), "m").adaptive
    assert SamplerSearcher(make_sampler("bayesian", space), "m").adaptive
    assert SamplerSearcher(_Recording(space), "m").adaptive


def test_config_holds_the_sampler_settings_and_space() -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    config = SamplerSearcher(make_sampler("sobol", space, seed=5, goal="minimize"), "loss").config()
    assert config == {
        "type": "sampler",
        "sampler": {
            "class": "RandomSampler",
            "goal": "minimize",
            "rule": "sobol",
            "seed": 5,
            "size": None,
        },
        "search_space": space.to_dict(),
        "primary_metric": "loss",
    }
    bayes = SamplerSearcher(make_sampler("bayesian", space, seed=1), "m").config()["sampler"]
    assert bayes["n_startup_trials"] == 10


def test_outcome_value_ignores_missing_and_nan() -> None:
    outcome = _outcome(0, "completed", {"a": 1.0, "b": float("nan")})
    assert (outcome.value("a"), outcome.value("b"), outcome.value("c")) == (1.0, None, None)


def test_objective_compares_by_goal() -> None:
    assert Objective("m", "maximize").is_better(2.0, 1.0)
    assert Objective("m", "minimize").is_better(1.0, 2.0)
    assert not Objective("m", "minimize").is_better(float("nan"), 2.0)
    assert Objective("m", "minimize").is_better(2.0, float("nan"))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"primary_metric": "", "goal": "maximize"},
            ValueError,
            "`primary_metric` must be a non-empty string, got ''",
        ),
        (
            {"primary_metric": "m", "goal": "max"},
            ValueError,
            "`goal` must be one of 'maximize', 'minimize', got 'max'",
        ),
        (
            {"primary_metric": "m", "goal": "maximize", "cost_metric": 3},
            ValueError,
            "`cost_metric` must be",
        ),
    ],
)
def test_objective_errors(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Objective(**kwargs)


def test_request_errors() -> None:
    with pytest.raises(TypeError, match=r"`params` must be a dict, got \[1\] \(list\)"):
        TrialRequest([1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`params` names must be strings, got 1"):
        TrialRequest({1: 2})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="`resources` must be a Resources or None"):
        TrialRequest({}, resources={"cpus": 2})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`kind` must be a non-empty string"):
        TrialRequest({}, kind="")
    assert TrialRequest({"a": 1}, Resources(cpus=2)).resources == Resources(cpus=2)


def test_sampler_searcher_errors() -> None:
    with pytest.raises(TypeError, match="`sampler` must be a search_spaces Sampler, got 'random'"):
        SamplerSearcher("random", "m")  # type: ignore[arg-type]
    space = SearchSpace({"x": uniform(0, 1)})
    with pytest.raises(ValueError, match="`primary_metric` must be a non-empty string"):
        SamplerSearcher(make_sampler("random", space), "")
