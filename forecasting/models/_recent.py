"""Recent actuals: the rows observed after a fitted forecaster's training data, which move its
forecast origin without refitting (:meth:`forecasting.models.Forecaster.with_recent`).

:func:`check_recent` checks them against what the forecaster was fitted on: known series only,
each series' rows continuing its training data without overlap or gap (the first at the period
after its last training timestamp, then one period after another), a finite target in every
row. It returns them sorted, with each series' values, and the fit context of the extended
panel (lengths grown, last timestamps moved).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecasting._errors import ForecastingError, describe, list_names
from forecasting.models._info import FitContext

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Recent", "check_recent", "roll_windows"]

ID, TIME, TARGET = "unique_id", "ds", "y"


@dataclass(frozen=True)
class Recent:
    """Checked recent actuals.

    Attributes:
        frame: The rows (``unique_id``, ``ds``, ``y``, covariates), sorted by series and time.
        values: Series position in the fitted panel -> its recent targets, oldest first (only
            series with recent rows).
        extended: The fit context of the training panel extended by these rows.
    """

    frame: pd.DataFrame
    values: dict[int, np.ndarray]
    extended: FitContext


def check_recent(recent: object, fitted: FitContext) -> Recent:
    """Check ``recent`` against the fitted series (see the module docstring).

    Raises:
        ForecastingError: Not a frame, a missing column, a series never seen in training, a
            missing or non-finite target, or rows that overlap the training data, leave a gap
            after it, or repeat a period (each named with the series and the periods).
    """
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    if not isinstance(recent, pd.DataFrame):
        raise ForecastingError(
            f"`recent` must be a DataFrame with unique_id, ds and y, got {describe(recent)}"
        )
    missing = [column for column in (ID, TIME, TARGET) if column not in recent.columns]
    if missing:
        raise ForecastingError(f"`recent` must have the columns unique_id, ds and y; no {missing}")
    frame = recent.assign(**{TIME: pd.to_datetime(recent[TIME])})
    frame = frame.sort_values([ID, TIME], kind="stable").reset_index(drop=True)
    positions = pd.Index(fitted.series_ids).get_indexer(pd.Index(frame[ID]))
    if (positions < 0).any():
        unknown = pd.unique(frame[ID].to_numpy()[positions < 0])
        raise ForecastingError(
            f"`recent` must only hold series seen in training; never seen: "
            f"{list_names(unknown, limit=5)}"
        )
    y = pd.to_numeric(frame[TARGET], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(y)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ForecastingError(
            f"`recent` must hold the actual of every recent period, got {int(bad.sum())} "
            f"missing or non-numeric, e.g. series {frame[ID].iloc[row]!r} at "
            f"{frame[TIME].iloc[row]}"
        )
    offset = to_offset(fitted.freq)
    last_ds = pd.DatetimeIndex(fitted.last_ds)
    lengths = fitted.lengths.copy()
    new_last = last_ds.to_numpy().copy()
    values: dict[int, np.ndarray] = {}
    for position in np.unique(positions):
        index = np.flatnonzero(positions == position)
        stamps = pd.DatetimeIndex(frame[TIME].to_numpy()[index])
        end = last_ds[position]
        expected = pd.DatetimeIndex([end + k * offset for k in range(1, len(index) + 1)])
        _check_continues(fitted.series_ids[position], stamps, expected, end)
        values[int(position)] = y[index]
        lengths[position] += len(index)
        new_last[position] = stamps[-1].to_datetime64()
    extended = dataclasses.replace(fitted, lengths=lengths, last_ds=pd.DatetimeIndex(new_last))
    return Recent(frame.assign(**{TARGET: y}), values, extended)


def _check_continues(
    series: object, stamps: pd.DatetimeIndex, expected: pd.DatetimeIndex, end: pd.Timestamp
) -> None:
    """Raise unless ``stamps`` are exactly ``expected`` (the periods after ``end``)."""
    wrong = np.flatnonzero(stamps != expected)
    if not len(wrong):
        return
    k = int(wrong[0])
    got, want = stamps[k], expected[k]
    if got <= end:
        why = f"overlaps the training data, which ends at {end}"
    elif k and got == stamps[k - 1]:
        why = "repeats a period"
    elif got > want:
        why = f"leaves a gap: {want} is missing"
    else:
        why = f"is off the frequency grid (expected {want})"
    raise ForecastingError(
        f"`recent` must continue each series' training data period after period; series "
        f"{series!r} at {got} {why}. Give the actuals of the periods right after training, "
        "without gaps"
    )


def roll_windows(
    windows: np.ndarray,
    rows: np.ndarray,
    values: Mapping[int, np.ndarray],
    loc: np.ndarray,
    scale: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of each series' last scaled targets, rolled past its recent ``values``.

    Args:
        windows: Shape (series, width): the last ``width`` scaled targets, oldest first.
        rows: Each window's series position in the fitted panel.
        values: Series position -> recent targets (unscaled), oldest first.
        loc: Each window's series location (``y_scaled = (y - loc) / scale``).
        scale: Each window's series scale.

    Returns:
        The rolled windows (same shape and dtype) and how many periods each moved.
    """
    rolled = windows.copy()
    moved = np.zeros(len(rows), dtype=np.int64)
    width = windows.shape[1]
    for k, row in enumerate(rows):
        extra = values.get(int(row))
        if extra is None or width == 0:
            moved[k] = 0 if extra is None else len(extra)
            continue
        scaled = (np.asarray(extra, dtype=np.float64) - loc[k]) / scale[k]
        rolled[k] = np.concatenate([windows[k], scaled])[-width:]
        moved[k] = len(extra)
    return rolled, moved
