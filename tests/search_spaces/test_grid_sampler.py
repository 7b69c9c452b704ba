"""GridSampler: the exact cartesian product of choices, nested sub-spaces included."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given

from search_spaces import (
    Choice,
    GridSampler,
    SearchExhaustedError,
    SearchSpace,
    SearchSpaceError,
    choice,
    normal,
    randint,
    uniform,
)

from ._strategies import SETTINGS, choice_only_spaces


def enumerate_grid(sampler: GridSampler) -> list[dict[str, Any]]:
    assert sampler.size is not None
    return [sampler.ask(index) for index in range(sampler.size)]


def test_grid_is_the_cartesian_product_in_sorted_name_order() -> None:
    space = SearchSpace(
        {"lr": choice(0.1, 0.01), "batch": choice(16, 32, 64), "act": choice("relu", "tanh")}
    )
    grid = GridSampler(space)
    expected = [
        {"lr": lr, "batch": batch, "act": act}
        for act, batch, lr in itertools.product(("relu", "tanh"), (16, 32, 64), (0.1, 0.01))
    ]
    assert grid.size == 12
    assert enumerate_grid(grid) == expected
    assert [list(p) for p in enumerate_grid(grid)] == [["lr", "batch", "act"]] * 12


def test_grid_with_nested_sub_spaces() -> None:
    space = SearchSpace(
        {
            "model": choice(
                {"name": "svm", "kernel": choice("rbf", "linear")},
                {"name": "rf", "depth": choice(2, 4, 8)},
                "dummy",
            ),
            "seed": 0,
        }
    )
    grid = GridSampler(space)
    assert grid.size == 2 + 3 + 1
    assert enumerate_grid(grid) == [
        {"model": {"name": "svm", "kernel": "rbf"}, "seed": 0},
        {"model": {"name": "svm", "kernel": "linear"}, "seed": 0},
        {"model": {"name": "rf", "depth": 2}, "seed": 0},
        {"model": {"name": "rf", "depth": 4}, "seed": 0},
        {"model": {"name": "rf", "depth": 8}, "seed": 0},
        {"model": "dummy", "seed": 0},
    ]


def test_grid_of_constants_and_empty_space() -> None:
    assert enumerate_grid(GridSampler(SearchSpace({"a": 1}))) == [{"a": 1}]
    assert enumerate_grid(GridSampler(SearchSpace())) == [{}]


def test_asking_past_the_grid_raises_search_exhausted() -> None:
    grid = GridSampler(SearchSpace({"a": choice(1, 2)}))
    with pytest.raises(SearchExhaustedError, match=r"GridSampler has 2 distinct proposals"):
        grid.ask(2)


def test_huge_grids_are_not_materialised() -> None:
    space = SearchSpace({f"p{i}": choice(*range(10)) for i in range(30)})
    grid = GridSampler(space)
    assert grid.size == 10**30
    assert grid.ask(10**30 - 1) == {f"p{i}": 9 for i in range(30)}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        (
            SearchSpace({"lr": uniform(0, 1), "batch": choice(1, 2)}),
            r"^grid sampling supports only `choice`; parameter `lr` is `uniform`; use the",
        ),
        (
            SearchSpace({"n": randint(3), "z": normal(0, 1)}),
            r"parameter `n` is `randint`, parameter `z` is `normal`",
        ),
        (
            SearchSpace({"model": choice({"name": "rf", "n": randint(10)}, "none")}),
            r"parameter `model\.values\[0\]\.n` is `randint`",
        ),
    ],
)
def test_grid_error_names_the_parameter(space: SearchSpace, message: str) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        GridSampler(space)


def reference_grid(space: SearchSpace) -> list[dict[str, Any]]:
    """An independent enumeration: itertools.product over the sorted names."""
    names = sorted(space)
    columns: list[list[Any]] = []
    for name in names:
        member = space[name]
        if isinstance(member, Choice):
            column: list[Any] = []
            for option in member.values:
                column += reference_grid(option) if isinstance(option, SearchSpace) else [option]
            columns.append(column)
        else:
            columns.append([member])
    return [
        {name: dict(zip(names, combo, strict=True))[name] for name in space}
        for combo in itertools.product(*columns)
    ]


@SETTINGS
@given(space=choice_only_spaces())
def test_grid_of_random_spaces_matches_a_reference_enumeration(space: SearchSpace) -> None:
    grid = GridSampler(space)
    assert grid.size is not None
    if grid.size > 500:
        return
    points = enumerate_grid(grid)
    assert json.dumps(points) == json.dumps(reference_grid(space))
    assert all(space.contains(point) for point in points)
