"""Field checks of :class:`~forecasting.ForecastingParameters`: one message format.

Every check returns the normalised value or raises :class:`ForecastingError` reading
"`field` must be <expected>, got <value>" plus a hint where one exists.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from typing import Any

from forecasting._errors import ForecastingError, closest_hint, describe

__all__ = [
    "check_choice",
    "check_column",
    "check_columns",
    "check_country",
    "check_int_or_auto",
    "check_lags",
    "check_quantiles",
]


def _as_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _listed(value: object) -> object:
    """A numpy array as a list (numpy scalars too), anything else as is."""
    tolist = getattr(value, "tolist", None)
    return tolist() if callable(tolist) and getattr(value, "ndim", 0) == 1 else value


def _word(value: object) -> object:
    """A string setting folded to Azure's snake_case ("SeasonTrend" -> "season_trend")."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).lower()


def check_int_or_auto(
    field: str, value: object, *, minimum: int, allow_none: bool = False
) -> int | str | None:
    """An int >= ``minimum``, ``"auto"`` (any case), or None where allowed."""
    if value is None and allow_none:
        return None
    if _word(value) == "auto":
        return "auto"
    number = _as_int(value)
    if number is None or number < minimum:
        none = ", 'auto' or None" if allow_none else " or 'auto'"
        raise ForecastingError(
            f"`{field}` must be an int >= {minimum}{none}, got {describe(value)}"
        )
    return number


def check_choice(field: str, value: object, choices: Sequence[str], *, allow_none: bool) -> Any:
    """One of ``choices`` (any case; Azure's v2 spellings such as "SeasonTrend" too), or None
    where allowed (the string "none" too, as the v2 YAML writes it)."""
    word = _word(value)
    if allow_none and (value is None or word == "none"):
        return None
    if isinstance(word, str) and word in choices:
        return word
    options = ", ".join(repr(choice) for choice in choices) + (" or None" if allow_none else "")
    hint = closest_hint(str(word), choices) if isinstance(word, str) else ""
    raise ForecastingError(f"`{field}` must be one of {options}, got {describe(value)}{hint}")


def check_column(field: str, value: object) -> str:
    """A column name: a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise ForecastingError(
            f"`{field}` must be a column name (a non-empty string), got {describe(value)}"
        )
    return value


def check_columns(field: str, value: object) -> tuple[str, ...]:
    """Column names from one name or a list of them, each once."""
    if isinstance(value, str):
        return (check_column(field, value),)
    if not isinstance(value, Sequence):
        raise ForecastingError(
            f"`{field}` must be a column name or a list of column names, got {describe(value)}"
        )
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ForecastingError(
                f"`{field}` must hold column names (non-empty strings), got {describe(name)} "
                f"in {describe(value)}"
            )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ForecastingError(f"`{field}` must name each column once, got {repeated[0]!r} twice")
    return names


def check_lags(value: object) -> tuple[int, ...] | str | None:
    """``target_lags``: None, ``"auto"``, an int >= 1 or a list of them (sorted, each once)."""
    field = "target_lags"
    value = _listed(value)
    if value is None or _word(value) == "auto":
        return None if value is None else "auto"
    lags = [value] if not isinstance(value, (Sequence, set, frozenset)) else list(value)
    if isinstance(value, str) or not lags:
        raise ForecastingError(
            f"`{field}` must be an int >= 1, a list of them, 'auto' or None, got {describe(value)}"
        )
    checked = []
    for lag in lags:
        number = _as_int(lag)
        if number is None or number < 1:
            raise ForecastingError(
                f"`{field}` must be an int >= 1, a list of them, 'auto' or None, got "
                f"{describe(lag)}" + (f" in {describe(value)}" if len(lags) > 1 else "")
            )
        checked.append(number)
    return tuple(sorted(set(checked)))


def check_quantiles(value: object) -> tuple[float, ...]:
    """A non-empty list of probabilities strictly between 0 and 1 (sorted, each once)."""
    expected = "`quantiles` must be a non-empty list of numbers strictly between 0 and 1"
    value = _listed(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, set, frozenset)):
        raise ForecastingError(f"{expected}, got {describe(value)}")
    if not value:
        raise ForecastingError(f"{expected}, got an empty list")
    checked = set()
    for item in value:
        if (
            isinstance(item, bool)
            or not isinstance(item, numbers.Real)
            or not math.isfinite(float(item))
            or not 0 < float(item) < 1
        ):
            raise ForecastingError(f"{expected}, got {describe(item)} in {describe(value)}")
        checked.add(float(item))
    return tuple(sorted(checked))


def _country_names() -> dict[str, str]:
    """Lower-case country names and codes of the ``holidays`` package -> alpha-2 code."""
    import holidays

    names: dict[str, str] = {code.lower(): code for code in holidays.list_supported_countries()}
    try:
        from holidays.registry import COUNTRIES
    except ImportError:  # pragma: no cover - older holidays releases
        return names
    for key, entry in COUNTRIES.items():
        class_name, alpha2 = entry[0], entry[1]
        for name in (key, key.replace("_", " "), class_name):
            names.setdefault(name.lower(), alpha2)
    return names


def check_country(value: object) -> str | None:
    """An ISO 3166 country or region code the ``holidays`` package knows (upper case)."""
    field = "country_or_region_for_holidays"
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ForecastingError(
            f"`{field}` must be an ISO 3166 country or region code such as 'US' or 'AU', got "
            f"{describe(value)}"
        )
    import holidays

    code = value.strip().upper()
    supported = holidays.list_supported_countries()
    if code in supported:
        return code
    names = _country_names()
    known = names.get(value.strip().lower())
    hint = f"; write {known!r}" if known is not None else _closest_code(value, names)
    raise ForecastingError(
        f"`{field}` must be an ISO 3166 country or region code that the holidays package "
        f"supports (such as 'US', 'GB', 'AU'), got {value!r}{hint}"
    )


def _closest_code(text: str, names: dict[str, str]) -> str:
    import difflib

    matches = difflib.get_close_matches(text.strip().lower(), list(names), n=1, cutoff=0.6)
    return f"; did you mean {names[matches[0]]!r}?" if matches else ""
