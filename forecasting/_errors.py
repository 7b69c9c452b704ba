"""The one error type of :mod:`forecasting` and the helpers that write its messages.

Every message follows the house format (STYLE.md, habit 5): "`field` must be <expected>, got
<value>" plus a hint where one exists; data errors name the column, the series and the
timestamps involved.
"""

from __future__ import annotations

from featurization._errors import closest_hint, describe, list_names

__all__ = ["ForecastingError", "closest_hint", "describe", "list_names"]


class ForecastingError(ValueError):
    """Bad forecasting input: a :class:`ForecastingParameters` value, a frame, a column, a
    series or a timestamp.

    The message names the field or column (and the series and timestamps where data is at
    fault), what was expected and what was given, and how to fix it. Raised before any model
    is trained.
    """
