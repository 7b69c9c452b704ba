"""Helpers for the learners' search spaces: natural-unit ranges and clipping into a space."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from search_spaces import (
    Choice,
    LogUniform,
    QLogUniform,
    QUniform,
    RandInt,
    SearchSpace,
    Uniform,
    loguniform,
    qloguniform,
    quniform,
)

__all__ = ["between", "clip_to_space", "int_range", "log_int", "log_range"]


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _clip_value(member: Any, value: Any) -> Any:
    if not hasattr(member, "contains"):  # a constant
        return member
    if member.contains(value):
        return value
    if isinstance(member, Choice):
        numeric = [
            option for option in member.values if _is_int(option) or isinstance(option, float)
        ]
        if numeric and isinstance(value, (int, float)) and not isinstance(value, bool):
            return min(numeric, key=lambda option: abs(float(option) - value))  # type: ignore[arg-type]
        return member.values[0]
    if isinstance(member, (QUniform, QLogUniform)):
        return member.quantize(float(value))
    if isinstance(member, LogUniform):
        return min(max(float(value), member.low), member.high)
    if isinstance(member, Uniform):
        return min(max(float(value), member.min_value), member.max_value)
    if isinstance(member, RandInt):
        return min(max(int(value), 0), member.upper - 1)
    return value


def log_range(low: float, high: float) -> LogUniform:
    """A log-uniform float on ``[low, high]`` (natural units; both bounds included exactly)."""
    # exp(log(x)) can land an ulp above x; widen by a hair so the bounds themselves belong.
    return loguniform(math.log(low) - 1e-12, math.log(high) + 1e-12)


def log_int(low: int, high: int) -> QLogUniform:
    """A log-uniform integer on ``[low, high]``."""
    return qloguniform(math.log(low), math.log(high), 1)


def int_range(low: int, high: int) -> QUniform:
    """A uniform integer on ``[low, high]``."""
    return quniform(low, high, 1)


def between(value: float, low: int, high: int) -> int:
    """``value`` as an int clipped to ``[low, high]`` (for data-size-aware bounds)."""
    return int(min(max(value, low), high))


def clip_to_space(config: Mapping[str, Any], space: SearchSpace) -> dict[str, Any]:
    """Move each value of ``config`` to the nearest value ``space`` allows.

    Raises:
        ValueError: ``config`` and ``space`` do not have the same parameter names.
    """
    if set(config) != set(space):
        raise ValueError(
            f"config keys {sorted(config)} must match the search space's {sorted(space)}"
        )
    return {name: _clip_value(space[name], config[name]) for name in space}
