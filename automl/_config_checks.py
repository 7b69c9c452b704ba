"""Field checks of :class:`~automl.AutoMLConfig`: one error type, one message format.

Every message reads "`field` must be <expected>, got <value>" plus a hint where one exists
(STYLE.md, habit 5). Errors raised by the lower layers (metrics, learners, featurization,
policies, validation) are re-raised as :class:`AutoMLConfigError` naming the field.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Iterable, Sequence

__all__ = [
    "AutoMLConfigError",
    "check_bool",
    "check_count",
    "check_label",
    "check_minutes",
    "check_names",
    "check_number",
    "check_optional_name",
    "closest",
    "describe",
    "relocate",
]


class AutoMLConfigError(ValueError):
    """A bad value in an :class:`~automl.AutoMLConfig` (or an AutoML job YAML).

    The message names the field, what was expected and what was given, and how to fix it.
    Raised at construction, before any data is read or any compute is spent.
    """


def describe(value: object) -> str:
    """``value`` for a message: its repr (shortened), with the type where the repr hides it."""
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if value is None or isinstance(value, (int, float, str)):
        return repr(value)
    text = repr(value)
    if len(text) > 80 or "\n" in text:
        text = text.split("\n", 1)[0][:77] + "..."
    return f"{text} ({type(value).__name__})"


def closest(word: object, valid: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" hint for a misspelt name, or an empty string."""
    if not isinstance(word, str):
        return ""
    folded = {name.lower(): name for name in valid}
    match = difflib.get_close_matches(word.lower(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[match[0]]!r}?)" if match else ""


def check_bool(field: str, value: object) -> bool:
    """``value`` if it is a bool (not 0/1), else raise."""
    if not isinstance(value, bool):
        raise AutoMLConfigError(f"`{field}` must be True or False, got {describe(value)}")
    return value


def check_count(field: str, value: object, *, minimum: int = 1, hint: str = "") -> int:
    """``value`` as an int if it is an integer >= ``minimum`` (numpy ints too), else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        suffix = f"; {hint}" if hint else ""
        raise AutoMLConfigError(
            f"`{field}` must be an int >= {minimum}, got {describe(value)}{suffix}"
        )
    return int(value)


def check_number(field: str, value: object, expected: str = "a finite number") -> float:
    """``value`` as a float if it is a finite real number (not a bool), else raise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
    ):
        raise AutoMLConfigError(f"`{field}` must be {expected}, got {describe(value)}")
    return float(value)


def check_minutes(field: str, value: object, hint: str = "") -> float:
    """``value`` as float minutes if it is a finite number > 0, else raise."""
    number = check_number(field, value, "a number of minutes > 0")
    if number <= 0:
        suffix = f"; {hint}" if hint else ""
        raise AutoMLConfigError(
            f"`{field}` must be a number of minutes > 0, got {describe(value)}{suffix}"
        )
    return number


def check_optional_name(field: str, value: object) -> str | None:
    """``value`` if it is None or a non-empty string (a column name), else raise."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AutoMLConfigError(
            f"`{field}` must be a column name (a non-empty string) or None, got {describe(value)}"
        )
    return value


def check_names(field: str, value: object, what: str = "names") -> tuple[str, ...]:
    """``value`` as a tuple of non-empty strings, from a list or tuple; a lone string is an
    error (it would otherwise be read as a list of letters)."""
    if isinstance(value, str):
        raise AutoMLConfigError(
            f"`{field}` must be a list of {what}, got the string {value!r}; write [{value!r}]"
        )
    if not isinstance(value, Sequence) and not isinstance(value, (set, frozenset)):
        raise AutoMLConfigError(f"`{field}` must be a list of {what}, got {describe(value)}")
    names = tuple(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise AutoMLConfigError(
                f"`{field}` must be a list of {what} (non-empty strings), got {describe(name)} "
                "in it"
            )
    return names


_LEADING_FIELD = re.compile(r"^`([A-Za-z_][^`]*)`")


def relocate(error: BaseException, field: str) -> AutoMLConfigError:
    """``error`` as an :class:`AutoMLConfigError` whose message names ``field``.

    A message that already names ``field`` is kept. One that starts with another field
    (```slack_factor` must be > 0``, from a policy) gets the full path
    (```early_termination_policy.slack_factor` must be > 0``); any other is prefixed with
    ```field`: ``.
    """
    message = str(error.args[0]) if error.args else str(error)
    if f"`{field}" in message:  # already names the field (or a part of it)
        return AutoMLConfigError(message)
    match = _LEADING_FIELD.match(message)
    if match:
        return AutoMLConfigError(f"`{field}.{match.group(1)}`{message[match.end() :]}")
    return AutoMLConfigError(f"`{field}`: {message}")


def check_label(value: object) -> str:
    """``label_column_name``: a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        hint = "; column names are strings" if isinstance(value, int) else ""
        raise AutoMLConfigError(
            f"`label_column_name` must be the name of the column to predict (a non-empty "
            f"string), got {describe(value)}{hint}"
        )
    return value
