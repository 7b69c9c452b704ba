"""The uniform family: ``uniform``, ``quniform``, ``loguniform``, ``qloguniform``, ``randint``.

Semantics are Azure ML HyperDrive's. Quantized expressions return ``int`` values when ``q`` is
an int and ``float`` values otherwise (Azure always returns floats; ints are what a training
script wants for sizes and counts, and ``q=1.0`` still gives floats).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import (
    Distribution,
    clip_unit,
    is_multiple_of,
    multiplier,
)
from search_spaces._expressions import quantize as quantize_value
from search_spaces._validation import (
    check_finite_number,
    check_positive_number,
    describe,
    is_integral_number,
    is_real_number,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LogUniform",
    "QLogUniform",
    "QUniform",
    "RandInt",
    "Uniform",
    "loguniform",
    "qloguniform",
    "quniform",
    "randint",
    "uniform",
]

# exp() of a log-space bound must be a positive finite float.
_LOG_LOW_LIMIT = -745.0
_LOG_HIGH_LIMIT = 709.0
# Quantizing is meaningless once |bound| / q exceeds the integers a float holds exactly.
_MAX_MULTIPLIER = 2.0**52


def _check_bounds(
    min_value: object, max_value: object, *, log: bool = False
) -> tuple[float, float]:
    hint = "bounds are in log space: loguniform draws exp(uniform(min_value, max_value))"
    low = check_finite_number("min_value", min_value, hint=hint if log else "")
    high = check_finite_number("max_value", max_value, hint=hint if log else "")
    if high <= low:
        raise SearchSpaceError(
            "`max_value` must be greater than `min_value`, "
            f"got min_value={describe(min_value)}, max_value={describe(max_value)}"
        )
    if log and low < _LOG_LOW_LIMIT:
        raise SearchSpaceError(
            f"`min_value` must be >= {_LOG_LOW_LIMIT} (exp(min_value) underflows to 0), "
            f"got {describe(min_value)}; {hint}"
        )
    if log and high > _LOG_HIGH_LIMIT:
        raise SearchSpaceError(
            f"`max_value` must be <= {_LOG_HIGH_LIMIT} (exp(max_value) overflows), "
            f"got {describe(max_value)}; {hint}, so loguniform(log(1e-4), log(1e-1)) "
            "covers 1e-4..1e-1"
        )
    return low, high


def _check_quantum(q: object, low: float, high: float) -> int | float:
    quantum = check_positive_number("q", q)
    smallest = max(abs(low), abs(high)) / _MAX_MULTIPLIER
    if quantum < smallest:
        raise SearchSpaceError(
            f"`q` must be at least max(|bound|) / 2**52 = {smallest!r} so that quantized "
            f"values are representable, got {describe(q)}"
        )
    return quantum


def _multiplier_range(low: float, high: float, q: int | float) -> tuple[float, float]:
    # Multipliers k whose rounding interval [(k - 1/2) q, (k + 1/2) q] overlaps [low, high]
    # with positive length: the values round(x / q) * q takes with positive probability.
    return float(math.floor(low / q + 0.5)), float(math.ceil(high / q - 0.5))


@dataclass(frozen=True, eq=False, slots=True)
class Uniform(Distribution):
    """``uniform(min_value, max_value)``: a float drawn uniformly from ``[min_value, max_value]``.

    Example:
        >>> uniform(0.05, 0.1).contains(0.07)
        True
    """

    type_name: ClassVar[str] = "uniform"
    min_value: float
    max_value: float

    def __post_init__(self) -> None:
        low, high = _check_bounds(self.min_value, self.max_value)
        object.__setattr__(self, "min_value", low)
        object.__setattr__(self, "max_value", high)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw a float uniformly from ``[min_value, max_value]``."""
        return self._clip(float(rng.uniform(self.min_value, self.max_value)))

    def ppf(self, u: float) -> float:
        """``min_value + u * (max_value - min_value)``."""
        return self._clip(self.min_value + clip_unit(u) * (self.max_value - self.min_value))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a finite number in ``[min_value, max_value]``."""
        return is_real_number(value) and self.min_value <= float(value) <= self.max_value  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "uniform", "min_value": ..., "max_value": ...}``."""
        return {"type": self.type_name, "min_value": self.min_value, "max_value": self.max_value}

    def _clip(self, x: float) -> float:
        return min(max(x, self.min_value), self.max_value)


@dataclass(frozen=True, eq=False, slots=True)
class QUniform(Distribution):
    """``quniform(min_value, max_value, q)``: ``round(uniform(min_value, max_value) / q) * q``.

    Values are multiples of ``q``; an ``int`` when ``q`` is an int, else a float. The support is
    the multiples ``k * q`` that the rounding reaches with positive probability, so a value may
    lie up to ``q / 2`` outside ``[min_value, max_value]`` (as in Azure).

    Example:
        >>> quniform(0, 100, 10).contains(30)
        True
    """

    type_name: ClassVar[str] = "quniform"
    min_value: float
    max_value: float
    q: int | float

    def __post_init__(self) -> None:
        low, high = _check_bounds(self.min_value, self.max_value)
        object.__setattr__(self, "min_value", low)
        object.__setattr__(self, "max_value", high)
        object.__setattr__(self, "q", _check_quantum(self.q, low, high))

    def sample(self, rng: np.random.Generator) -> int | float:
        """Draw ``round(uniform(min_value, max_value) / q) * q``."""
        return self.quantize(float(rng.uniform(self.min_value, self.max_value)))

    def ppf(self, u: float) -> int | float:
        """Quantize ``min_value + u * (max_value - min_value)``."""
        return self.quantize(self.min_value + clip_unit(u) * (self.max_value - self.min_value))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a multiple ``k * q`` reachable by the rounding."""
        if not is_multiple_of(value, self.q):
            return False
        k_low, k_high = _multiplier_range(self.min_value, self.max_value, self.q)
        return k_low <= multiplier(value, self.q) <= k_high

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "quniform", "min_value": ..., "max_value": ..., "q": ...}``."""
        return {
            "type": self.type_name,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "q": self.q,
        }

    def quantize(self, x: float) -> int | float:
        """``round(x / q) * q``, the multiplier clipped to the support."""
        return quantize_value(x, self.q, *_multiplier_range(self.min_value, self.max_value, self.q))


@dataclass(frozen=True, eq=False, slots=True)
class LogUniform(Distribution):
    """``loguniform(min_value, max_value)``: ``exp(uniform(min_value, max_value))``.

    As in Azure the bounds are in **log space**: values lie in
    ``[exp(min_value), exp(max_value)]``; ``loguniform(math.log(1e-4), math.log(1e-1))`` covers
    learning rates from 1e-4 to 1e-1.

    Example:
        >>> import math
        >>> loguniform(math.log(1e-4), math.log(1e-1)).contains(0.01)
        True
    """

    type_name: ClassVar[str] = "loguniform"
    min_value: float
    max_value: float

    def __post_init__(self) -> None:
        low, high = _check_bounds(self.min_value, self.max_value, log=True)
        object.__setattr__(self, "min_value", low)
        object.__setattr__(self, "max_value", high)

    @property
    def low(self) -> float:
        """``exp(min_value)``, the smallest value."""
        return math.exp(self.min_value)

    @property
    def high(self) -> float:
        """``exp(max_value)``, the largest value."""
        return math.exp(self.max_value)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw ``exp(uniform(min_value, max_value))``."""
        return self._clip(math.exp(float(rng.uniform(self.min_value, self.max_value))))

    def ppf(self, u: float) -> float:
        """``exp(min_value + u * (max_value - min_value))``."""
        span = self.max_value - self.min_value
        return self._clip(math.exp(self.min_value + clip_unit(u) * span))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a number in ``[exp(min_value), exp(max_value)]``."""
        return is_real_number(value) and self.low <= float(value) <= self.high  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "loguniform", "min_value": ..., "max_value": ...}`` (log-space bounds)."""
        return {"type": self.type_name, "min_value": self.min_value, "max_value": self.max_value}

    def _clip(self, x: float) -> float:
        return min(max(x, self.low), self.high)


@dataclass(frozen=True, eq=False, slots=True)
class QLogUniform(Distribution):
    """``qloguniform(min_value, max_value, q)``: ``round(exp(uniform(min, max)) / q) * q``.

    Bounds are in log space, as for :class:`LogUniform`. Values are multiples of ``q`` (an
    ``int`` when ``q`` is an int, else a float) and may be 0 when ``exp(min_value) < q / 2``.

    Example:
        >>> qloguniform(0, 5, 1).contains(42)
        True
    """

    type_name: ClassVar[str] = "qloguniform"
    min_value: float
    max_value: float
    q: int | float

    def __post_init__(self) -> None:
        low, high = _check_bounds(self.min_value, self.max_value, log=True)
        object.__setattr__(self, "min_value", low)
        object.__setattr__(self, "max_value", high)
        object.__setattr__(self, "q", _check_quantum(self.q, math.exp(low), math.exp(high)))

    def sample(self, rng: np.random.Generator) -> int | float:
        """Draw ``round(exp(uniform(min_value, max_value)) / q) * q``."""
        return self.quantize(math.exp(float(rng.uniform(self.min_value, self.max_value))))

    def ppf(self, u: float) -> int | float:
        """Quantize ``exp(min_value + u * (max_value - min_value))``."""
        span = self.max_value - self.min_value
        return self.quantize(math.exp(self.min_value + clip_unit(u) * span))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a multiple ``k * q`` reachable by the rounding."""
        if not is_multiple_of(value, self.q):
            return False
        k_low, k_high = self._multiplier_range()
        return k_low <= multiplier(value, self.q) <= k_high

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "qloguniform", "min_value": ..., "max_value": ..., "q": ...}``."""
        return {
            "type": self.type_name,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "q": self.q,
        }

    def _multiplier_range(self) -> tuple[float, float]:
        return _multiplier_range(math.exp(self.min_value), math.exp(self.max_value), self.q)

    def quantize(self, x: float) -> int | float:
        """``round(x / q) * q``, the multiplier clipped to the support."""
        return quantize_value(x, self.q, *self._multiplier_range())


@dataclass(frozen=True, eq=False, slots=True)
class RandInt(Distribution):
    """``randint(upper)``: an integer drawn uniformly from ``[0, upper)`` (0 to upper - 1).

    Example:
        >>> randint(10).contains(9)
        True
    """

    type_name: ClassVar[str] = "randint"
    upper: int

    def __post_init__(self) -> None:
        if not is_integral_number(self.upper) or float(self.upper) < 1:
            raise SearchSpaceError(
                f"`upper` must be an integer >= 1, got {describe(self.upper)}; "
                "randint(upper) draws integers in [0, upper)"
            )
        object.__setattr__(self, "upper", int(self.upper))

    def sample(self, rng: np.random.Generator) -> int:
        """Draw an integer uniformly from ``[0, upper)``."""
        return int(rng.integers(self.upper))

    def ppf(self, u: float) -> int:
        """``floor(u * upper)``."""
        return min(int(clip_unit(u) * self.upper), self.upper - 1)

    def contains(self, value: object) -> bool:
        """Whether ``value`` is an integer (integral floats included) in ``[0, upper)``."""
        return is_integral_number(value) and 0 <= float(value) < self.upper  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "randint", "upper": ...}``."""
        return {"type": self.type_name, "upper": self.upper}


def uniform(min_value: float, max_value: float) -> Uniform:
    """A float uniform on ``[min_value, max_value]``. See :class:`Uniform`."""
    return Uniform(min_value, max_value)


def quniform(min_value: float, max_value: float, q: int | float) -> QUniform:
    """``round(uniform(min_value, max_value) / q) * q``. See :class:`QUniform`."""
    return QUniform(min_value, max_value, q)


def loguniform(min_value: float, max_value: float) -> LogUniform:
    """``exp(uniform(min_value, max_value))``, bounds in log space. See :class:`LogUniform`."""
    return LogUniform(min_value, max_value)


def qloguniform(min_value: float, max_value: float, q: int | float) -> QLogUniform:
    """``round(exp(uniform(min_value, max_value)) / q) * q``. See :class:`QLogUniform`."""
    return QLogUniform(min_value, max_value, q)


def randint(upper: int) -> RandInt:
    """An integer uniform on ``[0, upper)``. See :class:`RandInt`."""
    return RandInt(upper)
