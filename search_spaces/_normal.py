"""The normal family: ``normal``, ``qnormal``, ``lognormal``, ``qlognormal``.

Semantics are Azure ML HyperDrive's. Quantized expressions return ``int`` values when ``q`` is
an int and ``float`` values otherwise.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, ClassVar

from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import Distribution, clip_unit, is_multiple_of, quantize
from search_spaces._validation import (
    check_finite_number,
    check_positive_number,
    describe,
    is_real_number,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "LogNormal",
    "Normal",
    "QLogNormal",
    "QNormal",
    "lognormal",
    "normal",
    "qlognormal",
    "qnormal",
]

# exp(mu) must be finite for a log-normal to make sense.
_LOG_HIGH_LIMIT = 709.0


def _check_mu_sigma(mu: object, sigma: object, *, log: bool = False) -> tuple[float, float]:
    location = check_finite_number("mu", mu)
    scale = check_finite_number("sigma", sigma)
    if scale <= 0:
        raise SearchSpaceError(f"`sigma` must be greater than 0, got {describe(sigma)}")
    if log and location > _LOG_HIGH_LIMIT:
        raise SearchSpaceError(
            f"`mu` must be <= {_LOG_HIGH_LIMIT} (exp(mu) overflows), got {describe(mu)}; "
            "lognormal draws exp(normal(mu, sigma)), so mu is in log space"
        )
    return location, scale


def _safe_exp(x: float) -> float:
    # A far-tail draw can overflow; the largest float stays a valid, finite value.
    try:
        return math.exp(x)
    except OverflowError:
        return sys.float_info.max


@dataclass(frozen=True, eq=False, slots=True)
class Normal(Distribution):
    """``normal(mu, sigma)``: a float drawn from a normal with mean ``mu`` and std ``sigma``.

    Example:
        >>> normal(10, 3).contains(-2.5)
        True
    """

    type_name: ClassVar[str] = "normal"
    mu: float
    sigma: float

    def __post_init__(self) -> None:
        mu, sigma = _check_mu_sigma(self.mu, self.sigma)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw from ``N(mu, sigma**2)``."""
        return float(rng.normal(self.mu, self.sigma))

    def ppf(self, u: float) -> float:
        """``mu + sigma * Phi^-1(u)``."""
        return NormalDist(self.mu, self.sigma).inv_cdf(clip_unit(u))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a finite number."""
        return is_real_number(value) and math.isfinite(float(value))  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "normal", "mu": ..., "sigma": ...}``."""
        return {"type": self.type_name, "mu": self.mu, "sigma": self.sigma}


@dataclass(frozen=True, eq=False, slots=True)
class QNormal(Distribution):
    """``qnormal(mu, sigma, q)``: ``round(normal(mu, sigma) / q) * q``.

    Values are multiples of ``q``: an ``int`` when ``q`` is an int, else a float.

    Example:
        >>> qnormal(0, 1, 0.5).contains(1.5)
        True
    """

    type_name: ClassVar[str] = "qnormal"
    mu: float
    sigma: float
    q: int | float

    def __post_init__(self) -> None:
        mu, sigma = _check_mu_sigma(self.mu, self.sigma)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)
        object.__setattr__(self, "q", check_positive_number("q", self.q))

    def sample(self, rng: np.random.Generator) -> int | float:
        """Draw ``round(normal(mu, sigma) / q) * q``."""
        return quantize(float(rng.normal(self.mu, self.sigma)), self.q)

    def ppf(self, u: float) -> int | float:
        """Quantize ``mu + sigma * Phi^-1(u)``."""
        return quantize(NormalDist(self.mu, self.sigma).inv_cdf(clip_unit(u)), self.q)

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a multiple of ``q``."""
        return is_multiple_of(value, self.q)

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "qnormal", "mu": ..., "sigma": ..., "q": ...}``."""
        return {"type": self.type_name, "mu": self.mu, "sigma": self.sigma, "q": self.q}


@dataclass(frozen=True, eq=False, slots=True)
class LogNormal(Distribution):
    """``lognormal(mu, sigma)``: ``exp(normal(mu, sigma))``, a positive float.

    ``mu`` and ``sigma`` describe the logarithm of the value. In floating point the support
    is ``[0, max float]``: a far-left tail draw may underflow to 0.

    Example:
        >>> lognormal(0, 1).contains(2.7)
        True
    """

    type_name: ClassVar[str] = "lognormal"
    mu: float
    sigma: float

    def __post_init__(self) -> None:
        mu, sigma = _check_mu_sigma(self.mu, self.sigma, log=True)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)

    def sample(self, rng: np.random.Generator) -> float:
        """Draw ``exp(normal(mu, sigma))``."""
        return _safe_exp(float(rng.normal(self.mu, self.sigma)))

    def ppf(self, u: float) -> float:
        """``exp(mu + sigma * Phi^-1(u))``."""
        return _safe_exp(NormalDist(self.mu, self.sigma).inv_cdf(clip_unit(u)))

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a finite number >= 0."""
        if not is_real_number(value):
            return False
        as_float = float(value)  # type: ignore[arg-type]
        return math.isfinite(as_float) and as_float >= 0

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "lognormal", "mu": ..., "sigma": ...}``."""
        return {"type": self.type_name, "mu": self.mu, "sigma": self.sigma}


@dataclass(frozen=True, eq=False, slots=True)
class QLogNormal(Distribution):
    """``qlognormal(mu, sigma, q)``: ``round(exp(normal(mu, sigma)) / q) * q``.

    Values are non-negative multiples of ``q`` (0 included): an ``int`` when ``q`` is an int,
    else a float.

    Example:
        >>> qlognormal(2, 1, 1).contains(7)
        True
    """

    type_name: ClassVar[str] = "qlognormal"
    mu: float
    sigma: float
    q: int | float

    def __post_init__(self) -> None:
        mu, sigma = _check_mu_sigma(self.mu, self.sigma, log=True)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "sigma", sigma)
        object.__setattr__(self, "q", check_positive_number("q", self.q))

    def sample(self, rng: np.random.Generator) -> int | float:
        """Draw ``round(exp(normal(mu, sigma)) / q) * q``."""
        return quantize(_safe_exp(float(rng.normal(self.mu, self.sigma))), self.q, k_low=0)

    def ppf(self, u: float) -> int | float:
        """Quantize ``exp(mu + sigma * Phi^-1(u))``."""
        x = _safe_exp(NormalDist(self.mu, self.sigma).inv_cdf(clip_unit(u)))
        return quantize(x, self.q, k_low=0)

    def contains(self, value: object) -> bool:
        """Whether ``value`` is a multiple of ``q`` that is >= 0."""
        return is_multiple_of(value, self.q) and float(value) >= 0  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """``{"type": "qlognormal", "mu": ..., "sigma": ..., "q": ...}``."""
        return {"type": self.type_name, "mu": self.mu, "sigma": self.sigma, "q": self.q}


def normal(mu: float, sigma: float) -> Normal:
    """A normal with mean ``mu`` and standard deviation ``sigma``. See :class:`Normal`."""
    return Normal(mu, sigma)


def qnormal(mu: float, sigma: float, q: int | float) -> QNormal:
    """``round(normal(mu, sigma) / q) * q``. See :class:`QNormal`."""
    return QNormal(mu, sigma, q)


def lognormal(mu: float, sigma: float) -> LogNormal:
    """``exp(normal(mu, sigma))``. See :class:`LogNormal`."""
    return LogNormal(mu, sigma)


def qlognormal(mu: float, sigma: float, q: int | float) -> QLogNormal:
    """``round(exp(normal(mu, sigma)) / q) * q``. See :class:`QLogNormal`."""
    return QLogNormal(mu, sigma, q)
