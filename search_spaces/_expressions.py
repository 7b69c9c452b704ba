"""The parameter-expression base classes and what every expression shares.

An expression is an immutable, validated description of the values one hyperparameter may
take (Azure ML HyperDrive's "parameter expressions"). The concrete ones live in
``_uniform.py`` (uniform family and ``randint``), ``_normal.py`` (normal family) and
``_choice.py`` (``choice``, conditional sub-spaces).
"""

from __future__ import annotations

import json
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from search_spaces._errors import SearchSpaceError
from search_spaces._validation import as_plain_number, describe, is_real_number

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "UNIT_EPSILON",
    "Constant",
    "Distribution",
    "Expression",
    "canonical_json",
    "check_constant",
    "clip_unit",
    "is_multiple_of",
    "multiplier",
    "quantize",
    "same_constant",
]

Constant: TypeAlias = str | int | float | bool | None
"""A fixed parameter value: a JSON scalar."""

UNIT_EPSILON = 1e-12
"""Unit-interval draws are clipped to ``[UNIT_EPSILON, 1 - UNIT_EPSILON]`` before an inverse CDF."""

# Quantized values are checked for being a multiple of q up to this relative tolerance.
_MULTIPLE_TOLERANCE = 1e-9


def canonical_json(data: Any) -> str:
    """Serialise ``data`` as canonical JSON: sorted keys, no spaces, no NaN."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


class Expression(ABC):
    """A distribution over the values of one hyperparameter.

    Expressions are immutable and validated at construction. Two expressions are equal when
    their v2 dict forms are equal (``uniform(0, 1) == uniform(0.0, 1.0)``).
    """

    __slots__ = ()

    type_name: ClassVar[str]
    """The Azure v2 ``type`` of this expression, e.g. ``"uniform"``."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value with ``rng``."""

    @abstractmethod
    def contains(self, value: object) -> bool:
        """Whether ``value`` is inside this expression's support."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """The Azure v2 dict form, e.g. ``{"type": "uniform", "min_value": 0.0, ...}``."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Expression:
        """Build an expression from its Azure v2 dict form.

        Args:
            data: A mapping with ``type`` and that type's fields.

        Returns:
            The expression. Called on a subclass, ``data`` must describe that subclass.

        Raises:
            SearchSpaceError: Unknown ``type``, unknown or missing fields, invalid values.

        Example:
            >>> Expression.from_dict({"type": "randint", "upper": 3})
            RandInt(upper=3)
        """
        from search_spaces._yaml import parse_expression

        expression = parse_expression(data, path="")
        if not isinstance(expression, cls):
            raise SearchSpaceError(
                f"`type` must be {cls.type_name!r} for {cls.__name__}.from_dict, "
                f"got {expression.type_name!r}"
            )
        return expression

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return canonical_json(self.to_dict()) == canonical_json(other.to_dict())

    def __hash__(self) -> int:
        return hash(canonical_json(self.to_dict()))


class Distribution(Expression):
    """A numeric expression with an inverse CDF (every expression except ``choice``)."""

    __slots__ = ()

    @abstractmethod
    def ppf(self, u: float) -> int | float:
        """The inverse CDF: map ``u`` in (0, 1) to a value (used by Sobol sampling)."""


def clip_unit(u: float) -> float:
    """Clip ``u`` into ``[UNIT_EPSILON, 1 - UNIT_EPSILON]`` so inverse CDFs stay finite."""
    return min(max(float(u), UNIT_EPSILON), 1.0 - UNIT_EPSILON)


def quantize(
    x: float, q: int | float, k_low: float = -math.inf, k_high: float = math.inf
) -> int | float:
    """Azure's quantization ``round(x / q) * q``, with the multiplier clipped to a range.

    ``round`` is round-half-to-even, as ``numpy.round`` in Azure's samplers. The result is an
    ``int`` when ``q`` is an int, else a float.

    Args:
        x: The value to quantize.
        q: The quantum (> 0).
        k_low: Smallest allowed multiplier ``k`` (inclusive).
        k_high: Largest allowed multiplier ``k`` (inclusive).
    """
    ratio = x / q
    if not math.isfinite(ratio):  # only for |x| near the largest float: already that coarse
        return int(x) if isinstance(q, int) else x
    k = float(round(ratio))
    k = min(max(k, k_low), k_high)
    if isinstance(q, int):
        return int(k) * q
    return k * q


def is_multiple_of(value: object, q: int | float) -> bool:
    """Whether ``value`` is a finite multiple of ``q`` (up to float round-off)."""
    if not is_real_number(value):
        return False
    if isinstance(value, numbers.Integral) and isinstance(q, int):
        return int(value) % q == 0
    ratio = float(value) / q  # type: ignore[arg-type]
    if not math.isfinite(ratio):
        return False
    return abs(ratio - round(ratio)) <= _MULTIPLE_TOLERANCE * max(1.0, abs(ratio))


def multiplier(value: object, q: int | float) -> int:
    """The integer ``k`` with ``value == k * q`` (call after :func:`is_multiple_of`)."""
    return round(float(value) / q)  # type: ignore[arg-type]


def check_constant(value: object, *, what: str = "a constant") -> Constant:
    """Return ``value`` as a plain JSON scalar, or raise if it is not one.

    numpy scalars become Python ones. NaN and infinities are rejected.

    Raises:
        SearchSpaceError: ``value`` is not a str, int, float, bool or None, or is not finite.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if type(value).__name__ == "bool_":
        return bool(value)
    if is_real_number(value):
        plain = as_plain_number(value)
        if isinstance(plain, float) and not math.isfinite(plain):
            raise SearchSpaceError(f"{what} must be a finite number, got {describe(value)}")
        return plain
    raise SearchSpaceError(f"{what} must be a str, int, float, bool or None, got {describe(value)}")


def same_constant(a: object, b: object) -> bool:
    """Equality of JSON scalars that keeps bools, None and numbers apart (``True != 1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if a is None or b is None:
        return a is None and b is None
    if is_real_number(a) and is_real_number(b):
        return float(a) == float(b)  # type: ignore[arg-type]
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False
