"""RandomSampler: independent per-index streams, and Sobol sequences."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import qmc

from search_spaces import (
    RandomSampler,
    SearchSpace,
    SearchSpaceError,
    choice,
    loguniform,
    normal,
    randint,
    uniform,
)

from ._strategies import SETTINGS, spaces

UNIT = SearchSpace({"a": uniform(0, 1), "b": uniform(0, 1), "c": uniform(0, 1)})


def test_random_proposals_use_a_stream_per_index() -> None:
    sampler = RandomSampler(UNIT, seed=42)
    expected = UNIT.sample(np.random.default_rng([42, 5]))
    assert sampler.ask(5) == expected
    # Tells do not matter.
    sampler.tell(0, sampler.ask(0), 1.0)
    assert sampler.ask(5) == expected


def test_sobol_points_are_scipy_scrambled_sobol_in_sorted_name_order() -> None:
    points = qmc.Sobol(3, scramble=True, rng=9).random(32)
    sampler = RandomSampler(
        SearchSpace({"c": uniform(0, 1), "a": uniform(0, 1), "b": uniform(0, 1)}),
        seed=9,
        rule="sobol",
    )
    for index in (0, 1, 17, 31):
        params = sampler.ask(index)
        assert [params["a"], params["b"], params["c"]] == pytest.approx(points[index])
    assert list(sampler.ask(0)) == ["c", "a", "b"]


def test_sobol_maps_through_inverse_cdfs() -> None:
    space = SearchSpace(
        {"lin": uniform(10, 20), "log": loguniform(0, 2), "gauss": normal(5, 2), "k": randint(4)}
    )
    points = qmc.Sobol(4, scramble=True, rng=3).random(8)
    sampler = RandomSampler(space, seed=3, rule="sobol")
    for index in range(8):
        u_gauss, u_k, u_lin, u_log = points[index]  # sorted names: gauss, k, lin, log
        params = sampler.ask(index)
        assert params["lin"] == pytest.approx(10 + 10 * u_lin)
        assert params["log"] == pytest.approx(math.exp(2 * u_log))
        assert params["gauss"] == pytest.approx(normal(5, 2).ppf(u_gauss))
        assert params["k"] == math.floor(4 * u_k)


def test_sobol_spreads_choices_evenly() -> None:
    sampler = RandomSampler(SearchSpace({"k": choice("a", "b", "c", "d")}), seed=0, rule="sobol")
    counts = Counter(sampler.ask(index)["k"] for index in range(64))
    assert counts == {"a": 16, "b": 16, "c": 16, "d": 16}


def test_sobol_covers_better_than_random() -> None:
    n = 128
    sobol = RandomSampler(UNIT, seed=1, rule="sobol")
    plain = RandomSampler(UNIT, seed=1)
    as_array = [
        np.array([[p["a"], p["b"], p["c"]] for p in map(s.ask, range(n))]) for s in (sobol, plain)
    ]
    assert qmc.discrepancy(as_array[0]) < qmc.discrepancy(as_array[1]) / 3


def test_sobol_gives_every_branch_its_own_dimensions() -> None:
    space = SearchSpace(
        {
            "model": choice({"C": uniform(0, 1)}, {"n": randint(8), "d": uniform(0, 1)}, "none"),
            "z": uniform(0, 1),
        }
    )
    # model: 1 (the choice) + 1 (C) + 2 (d, n); z: 1.
    points = qmc.Sobol(5, scramble=True, rng=4).random(16)
    sampler = RandomSampler(space, seed=4, rule="sobol")
    for index in range(16):
        u = points[index]
        params = sampler.ask(index)
        branch = math.floor(3 * u[0])
        assert params["z"] == pytest.approx(u[4])
        if branch == 0:
            assert params["model"] == {"C": pytest.approx(u[1])}
        elif branch == 1:
            # Inside the branch names are sorted too: d, then n.
            assert params["model"] == {"n": math.floor(8 * u[3]), "d": pytest.approx(u[2])}
        else:
            assert params["model"] == "none"


def test_sobol_with_constants_only() -> None:
    sampler = RandomSampler(SearchSpace({"a": 1, "b": "x"}), seed=0, rule="sobol")
    assert sampler.ask(10) == {"a": 1, "b": "x"}


def test_unknown_rule_is_an_error() -> None:
    with pytest.raises(SearchSpaceError, match="`rule` must be one of random, sobol, got 'halton'"):
        RandomSampler(UNIT, rule="halton")  # type: ignore[arg-type]


def test_rule_and_repr() -> None:
    sampler = RandomSampler(UNIT, seed=3, rule="sobol")
    assert sampler.rule == "sobol"
    assert repr(sampler) == "RandomSampler(seed=3, rule='sobol')"


@SETTINGS
@given(space=spaces(), seed=st.integers(0, 2**31), rule=st.sampled_from(["random", "sobol"]))
def test_proposals_of_random_spaces_are_inside_them(
    space: SearchSpace, seed: int, rule: str
) -> None:
    sampler = RandomSampler(space, seed=seed, rule=rule)  # type: ignore[arg-type]
    for index in (0, 1, 2, 1000):
        assert space.contains(sampler.ask(index))
