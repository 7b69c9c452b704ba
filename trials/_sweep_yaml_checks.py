"""Field checks for the sweep job YAML: every error names the YAML path of the field.

Messages follow the house format: "`limits.max_total_trials` must be an int >= 1, got 0"
plus a hint where one exists.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "SweepJobError",
    "check_keys",
    "count",
    "describe",
    "mapping",
    "optional_string",
    "relocate",
    "seconds",
    "string",
    "string_mapping",
]


class SweepJobError(ValueError):
    """A sweep job YAML is invalid.

    The message names the YAML path of the field (``limits.max_total_trials``), what was
    expected and what was found, and how to fix it.
    """


def describe(value: object) -> str:
    """``value`` for a message: its repr, with the type where the repr hides it."""
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if value is None or isinstance(value, (int, float, str)):
        return repr(value)
    if isinstance(value, Mapping):
        return f"a mapping with keys {sorted(map(str, value))!r}"
    if isinstance(value, (list, tuple)):
        return f"the list {list(value)!r}"
    return f"{value!r} ({type(value).__name__})"


def _level(where: str) -> str:
    return "at the top level of the sweep job" if not where else f"in `{where}`"


def check_keys(
    data: Mapping[str, Any],
    valid: Sequence[str],
    where: str,
    hints: Mapping[str, str] | None = None,
) -> None:
    """Raise for the first key of ``data`` not in ``valid``, listing the valid keys.

    Args:
        data: The mapping read from YAML.
        valid: The keys allowed at this level.
        where: YAML path of ``data`` ("" for the top level).
        hints: Key -> advice for keys that are known but not supported here (Azure keys
            that make no sense locally).

    Raises:
        SweepJobError: A key is not in ``valid`` (or is not a string).
    """
    for key in data:
        if key in valid:
            continue
        if hints and key in hints:
            advice = f"; {hints[key]}"
        else:
            close = difflib.get_close_matches(str(key), list(valid), n=1)
            advice = f" (did you mean {close[0]!r}?)" if close else ""
        raise SweepJobError(
            f"unknown key {key!r} {_level(where)}; valid keys: {', '.join(sorted(valid))}{advice}"
        )


def mapping(value: object, where: str, hint: str = "") -> Mapping[str, Any]:
    """``value`` if it is a mapping with string keys, else raise."""
    suffix = f"; {hint}" if hint else ""
    if not isinstance(value, Mapping):
        raise SweepJobError(f"`{where}` must be a mapping, got {describe(value)}{suffix}")
    for key in value:
        if not isinstance(key, str):
            raise SweepJobError(f"the keys of `{where}` must be strings, got {describe(key)}")
    return value


def string(value: object, where: str, hint: str = "") -> str:
    """``value`` if it is a non-empty string (surrounding spaces removed), else raise."""
    if not isinstance(value, str) or not value.strip():
        suffix = f"; {hint}" if hint else ""
        raise SweepJobError(f"`{where}` must be a non-empty string, got {describe(value)}{suffix}")
    return value.strip()


def optional_string(data: Mapping[str, Any], key: str, where: str = "") -> str | None:
    """``data[key]`` as a non-empty string, or None when the key is absent or null."""
    value = data.get(key)
    path = f"{where}.{key}" if where else key
    return None if value is None else string(value, path)


def _scalar_text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"  # the YAML spelling, not Python's
    if isinstance(value, (int, float, str)):
        return str(value)
    return None


def string_mapping(value: object, where: str) -> dict[str, str]:
    """A mapping of names to scalars, as strings (booleans as ``true``/``false``)."""
    if value is None:
        return {}
    result: dict[str, str] = {}
    for key, item in mapping(value, where).items():
        text = _scalar_text(item)
        if text is None or not key:
            raise SweepJobError(
                f"`{where}.{key}` must be a string, a number or a boolean, got {describe(item)}"
            )
        result[key] = text
    return result


def count(value: object, where: str, hint: str = "") -> int:
    """``value`` if it is an int >= 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        suffix = f"; {hint}" if hint else ""
        raise SweepJobError(f"`{where}` must be an int >= 1, got {describe(value)}{suffix}")
    return value


def seconds(value: object, where: str, hint: str = "") -> float:
    """``value`` as float seconds if it is a finite number > 0 (``1e3`` read as text too)."""
    number: object = value
    if isinstance(value, str):  # YAML 1.1 reads `1e3` as a string
        try:
            number = float(value)
        except ValueError:
            number = value
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
        or number <= 0
    ):
        suffix = f"; {hint}" if hint else ""
        raise SweepJobError(
            f"`{where}` must be a number of seconds > 0, got {describe(value)}{suffix}"
        )
    return float(number)


_LEADING_FIELD = re.compile(r"^`([A-Za-z_][A-Za-z0-9_]*)`")


def relocate(error: Exception, where: str) -> SweepJobError:
    """``error`` re-worded to name its YAML path.

    A message starting with a field name (```slack_factor` must be > 0``) gets the field's
    full path (```early_termination.slack_factor` must be > 0``); any other message is
    prefixed with ```early_termination`: ``.
    """
    message = str(error.args[0]) if error.args else str(error)
    if f"`{where}." in message:  # already names the full path
        return SweepJobError(message)
    match = _LEADING_FIELD.match(message)
    if match and match.group(1) != where.rsplit(".", 1)[-1]:
        return SweepJobError(f"`{where}.{match.group(1)}`{message[match.end() :]}")
    if message.startswith(f"`{where}"):
        return SweepJobError(message)
    return SweepJobError(f"`{where}`: {message}")
