"""Argument checks shared by expressions, spaces and samplers.

Every check raises :class:`SearchSpaceError` in the house format:
"`field` must be <expected>, got <value>" plus a hint where one exists.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from search_spaces._errors import SearchSpaceError

__all__ = [
    "as_plain_number",
    "check_finite_number",
    "check_index",
    "check_positive_number",
    "describe",
    "is_integral_number",
    "is_real_number",
    "list_names",
]


def describe(value: object) -> str:
    """Render a value for an error message: its repr, plus its type where that helps."""
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if isinstance(value, (int, float, str)) or value is None:
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def list_names(names: Iterable[str]) -> str:
    """Join names for an error message, sorted, separated by commas."""
    return ", ".join(sorted(names))


def is_real_number(value: object) -> bool:
    """True for int/float (numpy scalars included) that are not bools."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    return isinstance(value, numbers.Real)


def is_integral_number(value: object) -> bool:
    """True for integers (numpy included, bools excluded) and floats with no fraction."""
    if not is_real_number(value):
        return False
    if isinstance(value, numbers.Integral):
        return True
    as_float = float(value)  # type: ignore[arg-type]
    return math.isfinite(as_float) and as_float.is_integer()


def check_finite_number(field: str, value: object, *, hint: str = "") -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number.

    Args:
        field: Name of the argument, used in the message.
        value: The value given.
        hint: Appended to the message, e.g. how to fix it.

    Raises:
        SearchSpaceError: ``value`` is a bool, not a number, NaN or infinite.
    """
    if not is_real_number(value) or not math.isfinite(float(value)):  # type: ignore[arg-type]
        suffix = f"; {hint}" if hint else ""
        raise SearchSpaceError(f"`{field}` must be a finite number, got {describe(value)}{suffix}")
    return float(value)  # type: ignore[arg-type]


def check_positive_number(field: str, value: object) -> int | float:
    """Return ``value`` (int kept as int) if it is a finite number > 0, else raise.

    Raises:
        SearchSpaceError: ``value`` is not a finite real number or is <= 0.
    """
    as_float = check_finite_number(field, value)
    if as_float <= 0:
        raise SearchSpaceError(f"`{field}` must be greater than 0, got {describe(value)}")
    if isinstance(value, numbers.Integral):
        return int(value)
    return as_float


def check_index(field: str, value: object) -> int:
    """Return ``value`` as an int if it is a non-negative integer (not a bool), else raise.

    Raises:
        SearchSpaceError: ``value`` is not an integer or is negative.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise SearchSpaceError(f"`{field}` must be an integer >= 0, got {describe(value)}")
    return int(value)


def as_plain_number(value: Any) -> int | float:
    """Convert a numpy scalar to the matching Python int or float."""
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)
