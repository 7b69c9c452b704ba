"""Argument checks and JSON encoding shared by the store's writers and registries.

Every check raises :class:`ValueError` or :class:`TypeError` in the house format:
"`field` must be <expected>, got <value>" plus a hint where one exists.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

from trials.store._records import RunStatus

__all__ = [
    "NAME_PATTERN",
    "check_mapping",
    "check_name",
    "check_optional_str",
    "describe",
    "dumps",
    "list_names",
    "parse_status",
]

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_MAX_SHOWN = 20


def describe(value: object) -> str:
    """Render a value for an error message: its repr, plus its type where that helps."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return repr(value)
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def list_names(names: Iterable[object], *, empty: str = "none") -> str:
    """Join names for an error message (at most 20 shown), or ``empty`` when there are none."""
    shown = [repr(n) for n in names]
    if not shown:
        return empty
    more = len(shown) - _MAX_SHOWN
    text = ", ".join(shown[:_MAX_SHOWN])
    return f"{text}, ... ({more} more)" if more > 0 else text


def check_name(field: str, value: object) -> str:
    """Return ``value`` if it is a valid model or dataset name, else raise.

    Raises:
        TypeError: ``value`` is not a string.
        ValueError: it does not match ``^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$``.
    """
    if not isinstance(value, str):
        raise TypeError(f"`{field}` must be a string, got {describe(value)}")
    if not NAME_PATTERN.match(value):
        raise ValueError(
            f"`{field}` must start with a letter or digit and contain only letters, digits, "
            f"'_', '.' and '-' (at most 128 characters), got {value!r}"
        )
    return value


def check_optional_str(field: str, value: object) -> str | None:
    """Return ``value`` if it is ``None`` or a string, else raise :class:`TypeError`."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"`{field}` must be a string or None, got {describe(value)}")
    return value


def _json_default(value: object) -> Any:
    # numpy scalars and arrays, paths and enums become plain JSON values.
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if hasattr(value, "__fspath__"):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(value: Any) -> str:
    """Encode JSON for the database: numpy values made plain, NaN and infinities as null.

    PostgreSQL's ``json`` type rejects ``NaN``; SQLite would keep it. Writing ``null`` on
    both keeps the backends equal.
    """
    try:
        return json.dumps(value, default=_json_default, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(json.loads(json.dumps(value, default=_json_default))))


def check_mapping(field: str, value: object) -> dict[str, Any]:
    """Return ``value`` as a dict if it is a JSON-serializable mapping with string keys.

    ``None`` gives an empty dict.

    Raises:
        TypeError: not a mapping, a key is not a string, or a value is not JSON-serializable.
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"`{field}` must be a mapping (dict), got {describe(value)}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"`{field}` keys must be strings, got {describe(key)}")
    try:
        dumps(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"`{field}` must be JSON-serializable (str, numbers, bools, None, lists and dicts), "
            f"got {describe(value)}: {exc}"
        ) from None
    return dict(value)


def parse_status(value: object, field: str = "status") -> RunStatus:
    """Return ``value`` as a :class:`RunStatus`, or raise listing the valid statuses."""
    try:
        return RunStatus(value)  # type: ignore[arg-type]  # any value: ValueError if bad
    except ValueError:
        valid = ", ".join(repr(s.value) for s in RunStatus)
        raise ValueError(f"`{field}` must be one of {valid}, got {describe(value)}") from None
