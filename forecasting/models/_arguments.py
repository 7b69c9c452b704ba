"""The checks of :meth:`Forecaster.fit` and :meth:`Forecaster.predict` arguments (the
canonical panel, the frequency, integers, quantiles) and the grid of future timestamps.

Every check raises :class:`~forecasting.ForecastingError` in the house format; ``pandas`` is
imported only inside the functions.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from forecasting._errors import ForecastingError, describe

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["check_freq", "check_int", "check_panel", "check_quantiles", "future_timestamps"]

PANEL_COLUMNS = ("unique_id", "ds", "y")


def check_int(field: str, value: object, minimum: int) -> int:
    """``value`` as an int, or an error naming ``field`` unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ForecastingError(f"`{field}` must be an integer >= {minimum}, got {describe(value)}")
    return int(value)


def _is_offset(freq: str) -> bool:
    from pandas.tseries.frequencies import to_offset

    try:
        to_offset(freq)
    except ValueError:
        return False
    return True


def check_freq(freq: object) -> str:
    """``freq`` if it is a pandas offset alias, else an error listing examples."""
    if isinstance(freq, str) and _is_offset(freq):
        return freq
    raise ForecastingError(
        f"`freq` must be a pandas offset alias such as 'h', 'D', 'W-SUN', 'MS' or 'QS', "
        f"got {describe(freq)}"
    )


def check_panel(panel: object) -> pd.DataFrame:
    """Raise unless ``panel`` is a non-empty canonical panel (see the module docstring)."""
    import pandas as pd

    if not isinstance(panel, pd.DataFrame):
        raise ForecastingError(f"`panel` must be a pandas DataFrame, got {describe(panel)}")
    missing = [column for column in PANEL_COLUMNS if column not in panel.columns]
    if missing:
        raise ForecastingError(
            f"`panel` must have the columns {', '.join(PANEL_COLUMNS)}, got no {missing!r} "
            f"among {list(map(str, panel.columns))!r}"
        )
    if panel.empty:
        raise ForecastingError("`panel` must have at least one row, got an empty frame")
    if not pd.api.types.is_datetime64_any_dtype(panel["ds"]):
        raise ForecastingError(
            f"`panel` column ds must hold datetime64 timestamps, got dtype {panel['ds'].dtype}"
        )
    y = panel["y"]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        raise ForecastingError(f"`panel` column y must be numeric, got dtype {y.dtype}")
    finite = np.isfinite(y.to_numpy(dtype=float))
    if not finite.all():
        bad = panel.loc[~finite, "unique_id"]
        raise ForecastingError(
            f"`panel` column y must be finite, got {int((~finite).sum())} missing or infinite "
            f"value(s), first in series {bad.iloc[0]!r}; impute the target before fitting"
        )
    ids = panel["unique_id"].to_numpy()
    ds = panel["ds"].to_numpy()
    same = ids[1:] == ids[:-1]
    ordered = np.where(same, ds[1:] > ds[:-1], ids[1:] > ids[:-1])
    if not ordered.all():
        row = int(np.argmin(ordered)) + 1
        raise ForecastingError(
            "`panel` must be sorted by (unique_id, ds) with one row per series and timestamp, "
            f"got row {row} (series {ids[row]!r}, ds {ds[row]}) after "
            f"(series {ids[row - 1]!r}, ds {ds[row - 1]})"
        )
    return panel


def check_quantiles(quantiles: object) -> tuple[float, ...]:
    """The distinct quantiles, ascending; an error unless each is strictly between 0 and 1."""
    expected = "`quantiles` must be a list of numbers strictly between 0 and 1"
    if isinstance(quantiles, (str, bytes)) or not isinstance(quantiles, Sequence):
        raise ForecastingError(f"{expected}, got {describe(quantiles)}")
    checked: set[float] = set()
    for q in quantiles:
        if (
            isinstance(q, bool)
            or not isinstance(q, numbers.Real)
            or not math.isfinite(float(q))
            or not 0.0 < float(q) < 1.0
        ):
            raise ForecastingError(f"{expected}, got {describe(q)} in {describe(quantiles)}")
        checked.add(float(q))
    return tuple(sorted(checked))


def future_timestamps(last_ds: Any, freq: str, horizon: int) -> np.ndarray:
    """The ``horizon`` timestamps after each of ``last_ds`` on ``freq``: shape (series, horizon).

    Example:
        >>> import pandas as pd
        >>> steps = future_timestamps(pd.DatetimeIndex(["2024-01-01"]), "MS", 2)
        >>> [str(step)[:10] for step in steps[0]]
        ['2024-02-01', '2024-03-01']
    """
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    index = pd.DatetimeIndex(last_ds)
    offset = to_offset(freq)
    steps = [np.asarray(index + step * offset) for step in range(1, horizon + 1)]
    return np.stack(steps, axis=1)
