"""SearchSpace: construction, conditional sampling, contains, dict/JSON forms, fingerprint."""

from __future__ import annotations

import hashlib
import json
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_spaces import (
    SearchSpace,
    SearchSpaceError,
    choice,
    flatten_params,
    loguniform,
    normal,
    quniform,
    randint,
    uniform,
)

from ._strategies import SETTINGS, spaces


def model_space() -> SearchSpace:
    return SearchSpace(
        {
            "model": choice(
                {"name": "svm", "C": uniform(0, 1)},
                {"name": "rf", "n": randint(10)},
            ),
            "lr": uniform(0, 1),
        }
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"": uniform(0, 1)}, r"parameter names must be non-empty strings, got ''"),
        ({"  ": 1}, r"parameter names must be non-empty strings"),
        ({1: uniform(0, 1)}, r"parameter names must be non-empty strings, got 1"),
        ({"a.b": 1}, r"parameter names must not contain '\.' .* got 'a\.b'; use '_' instead"),
        ({"a[0]": 1}, r"parameter names must not contain '\['"),
        (
            {"x": {"type": "uniform"}},
            r"parameter `x` must be an expression or a constant, got a dict",
        ),
        ({"x": [1, 2]}, r"parameter `x` must be an expression or a constant, got a list .*choice"),
        ({"x": float("nan")}, r"parameter `x` must be a finite number, got nan"),
        ({"x": object()}, r"parameter `x` must be a str, int, float, bool or None"),
    ],
)
def test_construction_errors(params: dict[Any, Any], message: str) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        SearchSpace(params)


def test_construction_from_keywords_and_duplicates() -> None:
    assert SearchSpace(lr=uniform(0, 1)) == SearchSpace({"lr": uniform(0, 1)})
    assert SearchSpace({"a": 1}, b=2) == SearchSpace({"a": 1, "b": 2})
    with pytest.raises(SearchSpaceError, match="parameter `a` is given twice"):
        SearchSpace({"a": 1}, a=2)
    with pytest.raises(SearchSpaceError, match="`params` must be a mapping"):
        SearchSpace([("a", 1)])  # type: ignore[arg-type]


def test_space_is_an_immutable_mapping() -> None:
    space = model_space()
    assert list(space) == ["model", "lr"]
    assert len(space) == 2
    assert space["lr"] == uniform(0, 1)
    with pytest.raises(AttributeError, match="immutable"):
        space.extra = 1
    with pytest.raises(TypeError):
        space["lr"] = 0  # type: ignore[index]
    assert pickle.loads(pickle.dumps(space)) == space
    assert "SearchSpace(" in repr(space)


def test_conditional_sampling_gives_nested_dicts() -> None:
    space = model_space()
    assert space.is_conditional
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(50):
        params = space.sample(rng)
        assert list(params) == ["model", "lr"]
        model = params["model"]
        seen.add(model["name"])
        assert set(model) == ({"name", "C"} if model["name"] == "svm" else {"name", "n"})
        assert space.contains(params)
    assert seen == {"svm", "rf"}


def test_sampling_does_not_depend_on_parameter_order() -> None:
    a = SearchSpace({"x": uniform(0, 1), "y": normal(0, 1), "z": randint(5)})
    b = SearchSpace({"z": randint(5), "y": normal(0, 1), "x": uniform(0, 1)})
    assert a == b and a.fingerprint() == b.fingerprint()
    sample_a = a.sample(np.random.default_rng(4))
    sample_b = b.sample(np.random.default_rng(4))
    assert sample_a == sample_b
    assert list(sample_b) == ["z", "y", "x"]  # the space's own order


@pytest.mark.parametrize(
    "params",
    [
        {"model": {"name": "svm", "C": 0.5}},  # missing lr
        {"model": {"name": "svm", "C": 0.5}, "lr": 0.5, "extra": 1},
        {"model": {"name": "svm", "C": 1.5}, "lr": 0.5},
        {"model": {"name": "svm", "n": 3}, "lr": 0.5},  # branch mixed up
        {"model": {"name": "rf", "n": 3, "C": 0.1}, "lr": 0.5},
        {"model": "svm", "lr": 0.5},
        {"model.name": "svm", "model.C": 0.5, "lr": 0.5},  # flattened is not nested
        [("lr", 0.5)],
    ],
)
def test_contains_rejects_what_the_space_cannot_give(params: Any) -> None:
    assert not model_space().contains(params)


def test_contains_checks_constants_by_value_and_kind() -> None:
    space = SearchSpace({"flag": True, "n": 3, "s": "x", "none": None})
    assert space.contains({"flag": True, "n": 3, "s": "x", "none": None})
    assert space.contains({"flag": True, "n": 3.0, "s": "x", "none": None})
    assert not space.contains({"flag": 1, "n": 3, "s": "x", "none": None})
    assert not space.contains({"flag": True, "n": 3, "s": "y", "none": None})
    assert not space.contains({"flag": True, "n": 3, "s": "x", "none": 0})


def test_flatten_params() -> None:
    params = {"model": {"name": "svm", "C": 0.31, "k": {"d": 2}}, "lr": 0.5}
    assert flatten_params(params) == {
        "model.name": "svm",
        "model.C": 0.31,
        "model.k.d": 2,
        "lr": 0.5,
    }
    assert flatten_params({}) == {}
    with pytest.raises(SearchSpaceError, match="`params` must be a mapping, got 3"):
        flatten_params(3)  # type: ignore[arg-type]


def test_dict_and_json_forms() -> None:
    space = model_space()
    expected = {
        "model": {
            "type": "choice",
            "values": [
                {"name": "svm", "C": {"type": "uniform", "min_value": 0.0, "max_value": 1.0}},
                {"name": "rf", "n": {"type": "randint", "upper": 10}},
            ],
        },
        "lr": {"type": "uniform", "min_value": 0.0, "max_value": 1.0},
    }
    assert space.to_dict() == expected
    assert json.loads(space.to_json()) == expected
    assert SearchSpace.from_dict(expected) == space
    assert SearchSpace.from_json(space.to_json(indent=2)) == space
    with pytest.raises(SearchSpaceError, match="`text` must be JSON"):
        SearchSpace.from_json("{not json")
    with pytest.raises(SearchSpaceError, match="`search_space` must be a mapping"):
        SearchSpace.from_json("[1, 2]")


def test_fingerprint_is_stable_and_sensitive() -> None:
    space = SearchSpace({"lr": uniform(0, 1), "n": quniform(1, 10, 1)})
    # Pinned: a change of the canonical form would break resume checks of old experiments.
    canonical = (
        '{"lr":{"max_value":1.0,"min_value":0.0,"type":"uniform"},'
        '"n":{"max_value":10.0,"min_value":1.0,"q":1,"type":"quniform"}}'
    )
    assert space.fingerprint() == hashlib.sha256(canonical.encode()).hexdigest()
    assert space.fingerprint() == (
        "7c5f14c6cd7475f665c092142839c4fa739f72e0de0f9cc654ef5fd3870ad4ad"
    )
    assert space.fingerprint() == SearchSpace(dict(reversed(list(space.items())))).fingerprint()
    assert (
        space.fingerprint()
        != SearchSpace({"lr": uniform(0, 1), "n": quniform(1, 10, 1.0)}).fingerprint()
    )
    assert (
        space.fingerprint()
        != SearchSpace({"lr": loguniform(0, 1), "n": quniform(1, 10, 1)}).fingerprint()
    )
    assert hash(space) == hash(SearchSpace(dict(space)))
    assert space != {"lr": uniform(0, 1)}


def test_empty_space() -> None:
    space = SearchSpace()
    assert space.sample(np.random.default_rng(0)) == {}
    assert space.contains({})
    assert SearchSpace.from_json(space.to_json()) == space


@SETTINGS
@given(space=spaces())
def test_json_round_trip_of_random_spaces(space: SearchSpace) -> None:
    again = SearchSpace.from_json(space.to_json())
    assert again == space
    assert again.fingerprint() == space.fingerprint()
    assert SearchSpace.from_dict(space.to_dict()) == space


@SETTINGS
@given(space=spaces(), seed=st.integers(0, 2**32 - 1))
def test_samples_of_random_spaces_are_inside_them(space: SearchSpace, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(5):
        params = space.sample(rng)
        assert space.contains(params)
        assert json.loads(json.dumps(params)) is not None  # JSON-serialisable
