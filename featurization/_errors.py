"""The one error type of :mod:`featurization` and helpers that write its messages.

Every message follows the house format: "`field` must be <expected>, got <value>" plus a hint
where one exists.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["FeaturizationError", "closest_hint", "describe", "list_names"]


class FeaturizationError(ValueError):
    """Bad input to featurization: a configuration value, a frame, a column or a label.

    The message names the field or column, what was expected and what was given, plus a hint
    where one exists. Raised before any compute is spent where that is possible.
    """


def describe(value: object) -> str:
    """Render a value for an error message: its repr, plus its type where that helps."""
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if isinstance(value, (int, float, str)) or value is None:
        return repr(value)
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def list_names(names: Iterable[object], *, limit: int = 30, sort: bool = False) -> str:
    """Join names for an error message as quoted reprs, at most ``limit`` of them."""
    items = [str(name) for name in names]
    if sort:
        items = sorted(items)
    shown = ", ".join(repr(item) for item in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit} more)"
    return shown


def closest_hint(name: str, candidates: Iterable[str]) -> str:
    """A "did you mean ...?" hint for a misspelt name, or an empty string."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""
