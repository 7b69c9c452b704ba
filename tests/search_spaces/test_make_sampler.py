"""make_sampler: names and Azure v2 `sampling_algorithm` mappings."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from search_spaces import (
    BayesianSampler,
    GridSampler,
    RandomSampler,
    SearchSpace,
    SearchSpaceError,
    choice,
    make_sampler,
)

SPACE = SearchSpace({"a": choice(1, 2, 3)})


@pytest.mark.parametrize(
    ("algorithm", "cls", "rule"),
    [
        ("random", RandomSampler, "random"),
        ("Random", RandomSampler, "random"),
        ("sobol", RandomSampler, "sobol"),
        ("GRID", GridSampler, None),
        ("bayesian", BayesianSampler, None),
        ({"type": "random"}, RandomSampler, "random"),
        ({"type": "random", "rule": "sobol"}, RandomSampler, "sobol"),
        ({"type": "random", "rule": "Sobol", "logbase": "e"}, RandomSampler, "sobol"),
        ({"type": "grid"}, GridSampler, None),
        ({"type": "bayesian"}, BayesianSampler, None),
    ],
)
def test_names_and_mappings(algorithm: Any, cls: type, rule: str | None) -> None:
    sampler = make_sampler(algorithm, SPACE, seed=3, goal="minimize")
    assert type(sampler) is cls
    assert sampler.goal == "minimize"
    if rule is not None:
        assert sampler.rule == rule  # type: ignore[attr-defined]


def test_yaml_mapping_with_seed() -> None:
    algorithm = yaml.safe_load("{type: random, seed: 42, rule: sobol}")
    sampler = make_sampler(algorithm, SPACE)
    assert sampler.seed == 42
    assert make_sampler(algorithm, SPACE, seed=42).seed == 42
    bayesian = make_sampler({"type": "bayesian", "seed": 5, "n_startup_trials": 3}, SPACE)
    assert isinstance(bayesian, BayesianSampler)
    assert (bayesian.seed, bayesian.n_startup_trials) == (5, 3)


@pytest.mark.parametrize(
    ("algorithm", "message"),
    [
        (
            "bayes",
            r"^`sampling_algorithm` must be one of bayesian, grid, random, sobol, got 'bayes' "
            r"\(did you mean 'bayesian'\?\)$",
        ),
        (3, r"`sampling_algorithm` must be a name or a mapping with `type`, got 3"),
        ({"rule": "sobol"}, r"`sampling_algorithm` mapping must have a `type`"),
        ({"type": "hyperband"}, r"`sampling_algorithm.type` must be one of bayesian, grid"),
        ({"type": "sobol"}, r"write \{type: random, rule: sobol\}"),
        (
            {"type": "random", "rules": "sobol"},
            r"^unknown key `rules` in sampling_algorithm of type random; "
            r"valid keys: logbase, rule, seed, type$",
        ),
        ({"type": "grid", "seed": 1}, r"unknown key `seed` .* grid; valid keys: type$"),
        ({"type": "bayesian", "rule": "sobol"}, r"valid keys: n_startup_trials, seed, type"),
        ({"type": "random", "rule": "halton"}, r"`rule` must be one of random, sobol"),
        ({"type": "random", "logbase": 10}, r"`logbase` must be 'e', got 10"),
        ({"type": "random", "seed": -4}, r"`seed` is given twice .* seed=2 and .*seed=-4"),
        ({"type": "random", "seed": 1}, r"`seed` is given twice with different values"),
    ],
)
def test_errors_list_the_valid_values(algorithm: Any, message: str) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        make_sampler(algorithm, SPACE, seed=2)


def test_a_bad_seed_in_the_mapping_is_an_error() -> None:
    with pytest.raises(SearchSpaceError, match=r"`seed` must be an integer >= 0, got -4"):
        make_sampler({"type": "random", "seed": -4}, SPACE)
