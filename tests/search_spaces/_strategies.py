"""Hypothesis strategies for expressions and search spaces, shared by the tests."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from search_spaces import (
    Choice,
    Expression,
    SearchSpace,
    choice,
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

# Deterministic (derandomized) and without per-example deadlines, so the suite is stable.
SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def _bounds(draw: st.DrawFn, low: float, high: float) -> tuple[float, float]:
    a = draw(_floats(low, high))
    b = draw(_floats(low, high).filter(lambda x: x != a))
    return (a, b) if a < b else (b, a)


quanta: st.SearchStrategy[int | float] = st.one_of(
    st.integers(1, 100), _floats(1e-3, 100.0).filter(lambda q: q > 0)
)
sigmas = _floats(1e-3, 1e3)


@st.composite
def uniform_family(draw: st.DrawFn) -> Expression:
    """uniform, quniform, loguniform or qloguniform with sane bounds."""
    kind = draw(st.sampled_from(["uniform", "quniform", "loguniform", "qloguniform"]))
    if kind == "uniform":
        return uniform(*draw(_bounds(-1e6, 1e6)))
    if kind == "quniform":
        return quniform(*draw(_bounds(-1e6, 1e6)), draw(quanta))
    if kind == "loguniform":
        return loguniform(*draw(_bounds(-30.0, 30.0)))
    return qloguniform(*draw(_bounds(-10.0, 10.0)), draw(quanta))


@st.composite
def normal_family(draw: st.DrawFn) -> Expression:
    """normal, qnormal, lognormal or qlognormal."""
    kind = draw(st.sampled_from(["normal", "qnormal", "lognormal", "qlognormal"]))
    if kind == "normal":
        return normal(draw(_floats(-1e3, 1e3)), draw(sigmas))
    if kind == "qnormal":
        return qnormal(draw(_floats(-1e3, 1e3)), draw(sigmas), draw(quanta))
    if kind == "lognormal":
        return lognormal(draw(_floats(-10.0, 10.0)), draw(_floats(1e-3, 5.0)))
    return qlognormal(draw(_floats(-5.0, 5.0)), draw(_floats(1e-3, 3.0)), draw(quanta))


constants: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    _floats(-1e6, 1e6),
    st.text(max_size=8),
)

scalar_choices = st.lists(constants, min_size=1, max_size=5).map(choice)

expressions: st.SearchStrategy[Expression] = st.one_of(
    uniform_family(),
    normal_family(),
    st.integers(1, 10**6).map(randint),
    scalar_choices,
)

names = st.text(
    alphabet=st.characters(codec="ascii", categories=["L", "N"], include_characters="_-"),
    min_size=1,
    max_size=6,
)


def spaces(max_depth: int = 2) -> st.SearchStrategy[SearchSpace]:
    """Random search spaces, with conditional choices nested up to ``max_depth``."""
    members: st.SearchStrategy[Any] = st.one_of(expressions, constants)
    if max_depth > 0:
        sub_spaces = spaces(max_depth - 1)
        conditional = st.lists(st.one_of(sub_spaces, constants), min_size=1, max_size=3).map(
            lambda options: Choice(tuple(options))
        )
        members = st.one_of(members, conditional)
    return st.dictionaries(names, members, max_size=4).map(SearchSpace)


def choice_only_spaces(max_depth: int = 2) -> st.SearchStrategy[SearchSpace]:
    """Random spaces of choices and constants only (grid-compatible)."""
    members: st.SearchStrategy[Any] = st.one_of(scalar_choices, constants)
    if max_depth > 0:
        conditional = st.lists(
            st.one_of(choice_only_spaces(max_depth - 1), constants), min_size=1, max_size=3
        ).map(lambda options: Choice(tuple(options)))
        members = st.one_of(members, conditional)
    return st.dictionaries(names, members, max_size=3).map(SearchSpace)
