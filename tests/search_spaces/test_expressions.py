"""Parameter expressions: validation, sampling support, quantization, dict form."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_spaces import (
    Choice,
    Expression,
    LogUniform,
    QUniform,
    SearchSpace,
    SearchSpaceError,
    Uniform,
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

from ._strategies import SETTINGS, expressions, normal_family, quanta, uniform_family

NAN, INF = float("nan"), float("inf")

CONSTRUCTION_ERRORS: list[tuple[Callable[[], Any], str]] = [
    (
        lambda: uniform(3, 1),
        r"^`max_value` must be greater than `min_value`, got min_value=3, max_value=1$",
    ),
    (lambda: uniform(1, 1), r"`max_value` must be greater than `min_value`"),
    (lambda: uniform(NAN, 1), r"`min_value` must be a finite number, got nan"),
    (lambda: uniform(0, INF), r"`max_value` must be a finite number, got inf"),
    (lambda: uniform("0", 1), r"`min_value` must be a finite number, got '0'"),  # type: ignore[arg-type]
    (lambda: uniform(True, 2), r"`min_value` must be a finite number, got True \(bool\)"),
    (lambda: uniform(None, 2), r"`min_value` must be a finite number, got None"),  # type: ignore[arg-type]
    (lambda: quniform(0, 10, 0), r"`q` must be greater than 0, got 0"),
    (lambda: quniform(0, 10, -1.5), r"`q` must be greater than 0, got -1.5"),
    (lambda: quniform(0, 10, NAN), r"`q` must be a finite number, got nan"),
    (lambda: quniform(0, 10, True), r"`q` must be a finite number, got True \(bool\)"),
    (lambda: quniform(0, 1e300, 1e-300), r"`q` must be at least .* so that quantized values"),
    (lambda: quniform(5, 1, 1), r"`max_value` must be greater than `min_value`"),
    (
        lambda: loguniform(1e-4, 1e-1 * 0),
        r"`max_value` must be greater than `min_value`, got min_value=0.0001, max_value=0.0",
    ),
    (lambda: loguniform(0, 800), r"`max_value` must be <= 709.0 \(exp\(max_value\) overflows\)"),
    (lambda: loguniform(-800, 0), r"`min_value` must be >= -745.0 .* bounds are in log space"),
    (
        lambda: loguniform(NAN, 0),
        r"`min_value` must be a finite number, got nan; bounds are in log",
    ),
    (lambda: qloguniform(0, 1, 0), r"`q` must be greater than 0"),
    (lambda: normal(0, 0), r"^`sigma` must be greater than 0, got 0$"),
    (lambda: normal(0, -1), r"`sigma` must be greater than 0, got -1"),
    (lambda: normal(INF, 1), r"`mu` must be a finite number, got inf"),
    (lambda: normal(0, "1"), r"`sigma` must be a finite number, got '1'"),  # type: ignore[arg-type]
    (lambda: qnormal(0, 1, 0), r"`q` must be greater than 0"),
    (lambda: lognormal(0, 0), r"`sigma` must be greater than 0"),
    (lambda: lognormal(800, 1), r"`mu` must be <= 709.0 \(exp\(mu\) overflows\)"),
    (lambda: qlognormal(0, 1, -2), r"`q` must be greater than 0, got -2"),
    (lambda: randint(0), r"^`upper` must be an integer >= 1, got 0; randint\(upper\) draws"),
    (lambda: randint(-3), r"`upper` must be an integer >= 1, got -3"),
    (lambda: randint(2.5), r"`upper` must be an integer >= 1, got 2.5"),  # type: ignore[arg-type]
    (lambda: randint(True), r"`upper` must be an integer >= 1, got True \(bool\)"),
    (lambda: randint(NAN), r"`upper` must be an integer >= 1, got nan"),  # type: ignore[arg-type]
    (lambda: choice(), r"`values` must have at least one option, got an empty list"),
    (lambda: choice([]), r"`values` must have at least one option"),
    (lambda: choice(1, NAN), r"`values\[1\]` must be a finite number, got nan"),
    (lambda: choice(1, object()), r"`values\[1\]` must be a str, int, float, bool or None"),
    (lambda: choice(uniform(0, 1)), r"`values\[0\]` must be a constant or a dict \(sub-space\)"),
    (lambda: choice([1, 2], [3]), r"`values\[0\]` must be .* got the list \[1, 2\]"),
    (lambda: choice({"a.b": 1}), r"parameter names must not contain '\.'"),
    (lambda: Choice("abc"), r"`values` must be a list of options, got 'abc'"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "message"), CONSTRUCTION_ERRORS)
def test_construction_errors_name_the_field_and_value(
    build: Callable[[], Any], message: str
) -> None:
    with pytest.raises(SearchSpaceError, match=message):
        build()


def test_search_space_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="`sigma`"):
        normal(0, -1)


def test_expressions_are_immutable_and_normalised() -> None:
    expression = uniform(0, 1)
    with pytest.raises(AttributeError):
        expression.min_value = 5  # type: ignore[misc]
    assert isinstance(expression.min_value, float)
    assert expression == uniform(0.0, 1.0)
    assert hash(expression) == hash(uniform(0.0, 1.0))
    assert expression != loguniform(0, 1)
    # q keeps its type: it decides whether values are ints.
    assert quniform(0, 10, 1) != quniform(0, 10, 1.0)
    assert randint(np.int64(5)) == randint(5)  # type: ignore[arg-type]
    assert choice([1, 2, 3]) == choice(1, 2, 3)
    assert choice(1) != choice(True)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (uniform(0, 1), {"type": "uniform", "min_value": 0.0, "max_value": 1.0}),
        (quniform(0, 10, 2), {"type": "quniform", "min_value": 0.0, "max_value": 10.0, "q": 2}),
        (loguniform(-4, -1), {"type": "loguniform", "min_value": -4.0, "max_value": -1.0}),
        (
            qloguniform(0, 3, 0.5),
            {"type": "qloguniform", "min_value": 0.0, "max_value": 3.0, "q": 0.5},
        ),
        (normal(0, 1), {"type": "normal", "mu": 0.0, "sigma": 1.0}),
        (qnormal(0, 1, 1), {"type": "qnormal", "mu": 0.0, "sigma": 1.0, "q": 1}),
        (lognormal(1, 2), {"type": "lognormal", "mu": 1.0, "sigma": 2.0}),
        (qlognormal(1, 2, 3), {"type": "qlognormal", "mu": 1.0, "sigma": 2.0, "q": 3}),
        (randint(10), {"type": "randint", "upper": 10}),
        (choice("a", 1, None), {"type": "choice", "values": ["a", 1, None]}),
        (
            choice({"n": randint(2)}, "off"),
            {"type": "choice", "values": [{"n": {"type": "randint", "upper": 2}}, "off"]},
        ),
    ],
)
def test_dict_form_is_azure_v2(expression: Expression, expected: dict[str, Any]) -> None:
    assert expression.to_dict() == expected
    assert Expression.from_dict(expected) == expression
    assert type(expression).from_dict(expected) == expression


def test_from_dict_on_a_subclass_checks_the_type() -> None:
    with pytest.raises(SearchSpaceError, match=r"`type` must be .uniform. for Uniform\.from_dict"):
        Uniform.from_dict({"type": "normal", "mu": 0, "sigma": 1})


def test_choice_accepts_options_or_one_list() -> None:
    assert choice(1, 2).values == (1, 2)
    assert choice([1, 2]).values == (1, 2)
    assert choice((1, 2)).values == (1, 2)
    sub = choice({"a": 1}).values[0]
    assert isinstance(sub, SearchSpace)
    assert choice(np.float64(0.5)).values == (0.5,)
    assert type(choice(np.int64(3)).values[0]) is int


@pytest.mark.parametrize(
    ("expression", "inside", "outside"),
    [
        (uniform(0, 1), [0, 0.5, 1, np.float32(0.5)], [-0.1, 1.1, True, "0.5", None, NAN]),
        (quniform(0.4, 2.6, 1), [0, 1, 2, 3, 2.0], [-1, 4, 1.5, True]),
        (quniform(0.6, 2.4, 1), [1, 2], [0, 3]),
        (quniform(0, 1, 0.1), [0.1, 0.30000000000000004, 0.3, 1.0], [0.15, 1.1]),
        (loguniform(0, 1), [1.0, math.e, 2], [0.99, 2.72]),
        (qloguniform(-1, math.log(10), 2), [0, 2, 10], [12, 1, -2]),
        (qloguniform(0, math.log(10), 2), [2, 10], [0]),
        (normal(0, 1), [0, -1e10, 3.5], [INF, NAN, "1", False]),
        (qnormal(0, 1, 0.5), [-1.5, 0, 2.0], [0.25, INF]),
        (lognormal(0, 1), [0.0, 1e-300, 5], [-1e-9, INF]),
        (qlognormal(0, 1, 2), [0, 2, 100], [-2, 1]),
        (randint(3), [0, 1, 2, 2.0, np.int64(1)], [3, -1, 1.5, True, "1"]),
        (choice(1, "a", None, True), [1, 1.0, "a", None, True], [2, "b", False, 0]),
        (choice({"n": randint(3)}, 0), [{"n": 2}, 0], [{"n": 3}, {}, {"n": 1, "x": 0}, 1]),
    ],
)
def test_contains(expression: Expression, inside: list[Any], outside: list[Any]) -> None:
    for value in inside:
        assert expression.contains(value), value
    for value in outside:
        assert not expression.contains(value), value


@pytest.mark.parametrize(
    ("expression", "value_type"),
    [
        (quniform(0, 100, 5), int),
        (quniform(0.5, 100.5, 5), int),
        (quniform(0, 1, 0.25), float),
        (quniform(0, 100, 5.0), float),
        (qloguniform(0, 5, 1), int),
        (qloguniform(0, 5, 1.0), float),
        (qnormal(0, 10, 2), int),
        (qnormal(0, 10, 0.5), float),
        (qlognormal(0, 1, 1), int),
        (qlognormal(0, 1, 0.1), float),
        (randint(7), int),
    ],
)
def test_quantized_values_are_int_exactly_when_q_is_int(
    expression: Expression, value_type: type
) -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        assert type(expression.sample(rng)) is value_type


def test_quniform_follows_azure_rounding() -> None:
    expression = quniform(0, 10, 3)
    rng = np.random.default_rng(1)
    values = {expression.sample(rng) for _ in range(500)}
    # round(uniform(0, 10) / 3) * 3 takes 0, 3, 6, 9 (and 12 never: 10/3 rounds to 3).
    assert values == {0, 3, 6, 9}
    assert quniform(0, 1, 0.1).ppf(0.5) == pytest.approx(0.5)


def test_loguniform_bounds_are_in_log_space() -> None:
    expression = loguniform(math.log(1e-4), math.log(1e-1))
    assert isinstance(expression, LogUniform)
    rng = np.random.default_rng(2)
    values = [expression.sample(rng) for _ in range(2000)]
    assert min(values) >= 1e-4 and max(values) <= 1e-1
    # Log-uniform: about a third of the values per decade.
    assert 0.25 < np.mean(np.array(values) < 1e-3) < 0.42


def test_normal_samples_have_the_right_moments() -> None:
    rng = np.random.default_rng(3)
    values = np.array([normal(10, 3).sample(rng) for _ in range(4000)])
    assert values.mean() == pytest.approx(10, abs=0.2)
    assert values.std() == pytest.approx(3, abs=0.2)
    logs = np.log([lognormal(1, 0.5).sample(rng) for _ in range(4000)])
    assert logs.mean() == pytest.approx(1, abs=0.05)


def test_ppf_is_the_inverse_cdf() -> None:
    assert uniform(2, 4).ppf(0.25) == pytest.approx(2.5)
    assert loguniform(0, 2).ppf(0.5) == pytest.approx(math.e)
    assert normal(1, 2).ppf(0.5) == pytest.approx(1)
    assert normal(0, 1).ppf(0.975) == pytest.approx(1.959964, abs=1e-5)
    assert lognormal(0, 1).ppf(0.5) == pytest.approx(1)
    assert randint(4).ppf(0.99) == 3
    assert randint(4).ppf(0.0) == 0
    assert qnormal(0, 1, 1).ppf(0.99) == 2


@SETTINGS
@given(expression=expressions, seed=st.integers(0, 2**32 - 1))
def test_samples_lie_in_the_support(expression: Expression, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = expression.sample(rng)
        assert expression.contains(value), (expression, value)


@SETTINGS
@given(expression=st.one_of(uniform_family(), normal_family()), u=st.floats(0, 1))
def test_inverse_cdf_values_lie_in_the_support(expression: Any, u: float) -> None:
    assert expression.contains(expression.ppf(u))


@SETTINGS
@given(expression=st.one_of(uniform_family(), normal_family()), seed=st.integers(0, 2**32 - 1))
def test_quantized_samples_are_multiples_of_q(expression: Any, seed: int) -> None:
    q = getattr(expression, "q", None)
    if q is None:
        return
    rng = np.random.default_rng(seed)
    for _ in range(20):
        ratio = expression.sample(rng) / q
        assert abs(ratio - round(ratio)) <= 1e-9 * max(1.0, abs(ratio))


@SETTINGS
@given(
    low=st.floats(-30, 30),
    width=st.floats(1e-3, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_loguniform_samples_lie_in_exp_bounds(low: float, width: float, seed: int) -> None:
    expression = loguniform(low, low + width)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        assert math.exp(low) <= expression.sample(rng) <= math.exp(low + width)


@SETTINGS
@given(low=st.floats(-1e3, 1e3), width=st.floats(1e-2, 1e3), q=quanta)
def test_quniform_values_stay_within_half_a_quantum(low: float, width: float, q: Any) -> None:
    expression = QUniform(low, low + width, q)
    rng = np.random.default_rng(0)
    for _ in range(10):
        value = expression.sample(rng)
        assert low - q / 2 - 1e-9 <= value <= low + width + q / 2 + 1e-9


@SETTINGS
@given(expression=expressions)
def test_dict_round_trip(expression: Expression) -> None:
    assert Expression.from_dict(expression.to_dict()) == expression
