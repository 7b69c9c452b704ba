"""Small argument checks shared by the metrics, splits, features and scaling modules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from forecasting._errors import ForecastingError, describe

__all__ = ["check_positive_int", "require_columns"]


def require_columns(frame: object, argument: str, columns: Sequence[str]) -> None:
    """Raise unless ``frame`` is a DataFrame holding ``columns``; the message names ``argument``."""
    if not isinstance(frame, pd.DataFrame):
        raise ForecastingError(
            f"`{argument}` must be a pandas DataFrame, got {type(frame).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ForecastingError(
            f"`{argument}` must have columns {list(columns)}; missing {missing}, "
            f"found {list(map(str, frame.columns))}"
        )


def check_positive_int(name: str, value: object) -> int:
    """``value`` as an int if it is one (not a bool) and >= 1, else an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ForecastingError(f"`{name}` must be an int >= 1, got {describe(value)}")
    return int(value)
