"""Rolling-origin cross-validation on a panel (Azure AutoML's forecasting validation).

Each fold cuts every series at an **origin**: its training rows are the rows strictly before the
origin, its validation rows the next ``horizon`` rows. The last fold's validation window ends at
each series' own last row; each earlier fold's origin is ``step`` rows earlier (Azure's
``cv_step_size``). Folds are listed oldest first (fold 0 has the earliest origin). A series too
short for a fold (fewer than ``min_train_size`` training rows before that fold's window) is
left out of that fold and named in the fold's :attr:`Fold.notice`; it still takes part in the
later folds it is long enough for.

Folds hold row positions into the panel, not copies of it: ``fold.train(panel)`` and
``fold.valid(panel)`` select them. The split is by rows, so the panel should be on a regular
grid (the canonical panel format); it need not be sorted.

Example:
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 3,
    ...                       "ds": [*pd.date_range("2024-01-01", periods=6),
    ...                              *pd.date_range("2024-01-04", periods=3)],
    ...                       "y": range(9)})
    >>> folds = rolling_origin_folds(panel, horizon=2, n_folds=2, step=1)
    >>> [(f.index, len(f.train_rows), len(f.valid_rows), f.left_out) for f in folds]
    [(0, 3, 2, ('b',)), (1, 5, 4, ())]
    >>> folds[1].valid(panel)["y"].tolist()
    [4, 5, 7, 8]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pandas.tseries import offsets

from forecasting._errors import ForecastingError
from forecasting._frame_checks import check_positive_int
from forecasting._time_features import nominal_days, to_offset

__all__ = ["Fold", "auto_cv_step_size", "rolling_origin_folds"]

IntArray = NDArray[np.int64]
ID, TIME = "unique_id", "ds"


@dataclass(frozen=True, eq=False)
class Fold:
    """One rolling origin.

    Attributes:
        index: Position of the fold, 0 for the earliest origin.
        train_rows: Row positions (``iloc``) of the training rows, every series of the fold.
        valid_rows: Row positions of the validation rows (``horizon`` per series of the fold).
        origins: Per series of the fold (index ``unique_id``), its last training timestamp:
            the forecast origin the validation rows are forecast from.
        left_out: The series too short for this fold, in panel order.
        notice: A sentence naming the series left out and why, or None.
    """

    index: int
    train_rows: IntArray
    valid_rows: IntArray
    origins: pd.Series
    left_out: tuple[str, ...]
    notice: str | None

    def train(self, panel: pd.DataFrame) -> pd.DataFrame:
        """The training rows of ``panel`` (the frame the folds were made from)."""
        return panel.iloc[self.train_rows]

    def valid(self, panel: pd.DataFrame) -> pd.DataFrame:
        """The validation rows of ``panel`` (the frame the folds were made from)."""
        return panel.iloc[self.valid_rows]


def rolling_origin_folds(
    panel: pd.DataFrame,
    *,
    horizon: int,
    n_folds: int,
    step: int | Literal["auto"],
    freq: str | None = None,
    min_train_size: int = 1,
) -> list[Fold]:
    """Split a panel into ``n_folds`` rolling origins, oldest first.

    Args:
        panel: Columns ``unique_id`` and ``ds`` (others are carried along), one row per series
            per period.
        horizon: Validation rows per series and fold (the forecast horizon), >= 1.
        n_folds: Number of origins (Azure's ``n_cross_validations``), >= 1.
        step: Rows between consecutive origins (Azure's ``cv_step_size``), >= 1, or ``"auto"``
            for :func:`auto_cv_step_size`.
        freq: The panel's frequency (a pandas offset alias); needed only for ``step="auto"``.
        min_train_size: Fewest training rows a series needs to take part in a fold.

    Returns:
        The folds; every fold holds at least one series.

    Raises:
        ForecastingError: A bad argument, a missing column, a duplicate timestamp in a series,
            or a fold that no series is long enough for.
    """
    check_positive_int("horizon", horizon)
    check_positive_int("n_folds", n_folds)
    check_positive_int("min_train_size", min_train_size)
    for column in (ID, TIME):
        if column not in panel.columns:
            raise ForecastingError(
                f"`panel` must have a column {column!r}; found {list(map(str, panel.columns))}"
            )
    order, codes, uniques = _sorted_codes(panel)
    lengths = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    if step == "auto":
        if freq is None:
            raise ForecastingError("`freq` must be given when `step` is 'auto', got None")
        step = auto_cv_step_size(
            lengths, horizon=horizon, n_folds=n_folds, freq=freq, min_train_size=min_train_size
        )
    else:
        check_positive_int("step", step)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    ds = panel[TIME].to_numpy()[order]
    folds = []
    for index in range(n_folds):
        back = (n_folds - 1 - index) * step
        train_len = lengths - back - horizon
        kept = train_len >= min_train_size
        if not kept.any():
            need = min_train_size + horizon + back
            raise ForecastingError(
                f"`n_folds` ({n_folds}), `step` ({step}) and `horizon` ({horizon}) ask fold "
                f"{index} for {need} rows per series, but the longest series has "
                f"{int(lengths.max())}; lower n_folds, step or horizon"
            )
        train_rows = order[_ranges(starts[kept], train_len[kept])]
        valid_rows = order[_ranges(starts[kept] + train_len[kept], np.full(kept.sum(), horizon))]
        last_train = ds[starts[kept] + train_len[kept] - 1]
        origins = pd.Series(last_train, index=pd.Index(uniques[kept], name=ID), name=TIME)
        left_out = tuple(str(s) for s in uniques[~kept])
        notice = None
        if left_out:
            shown = ", ".join(repr(s) for s in left_out[:10])
            more = f" and {len(left_out) - 10} more" if len(left_out) > 10 else ""
            notice = (
                f"Fold {index}: {len(left_out)} series shorter than "
                f"{min_train_size + horizon + back} rows (min_train_size {min_train_size} + "
                f"horizon {horizon} + {back} rows to the origin) left out: {shown}{more}."
            )
        folds.append(Fold(index, train_rows, valid_rows, origins, left_out, notice))
    return folds


def auto_cv_step_size(
    series_lengths: Sequence[int] | IntArray,
    *,
    horizon: int,
    n_folds: int,
    freq: str,
    min_train_size: int = 1,
) -> int:
    """``cv_step_size="auto"``: Azure's rule for a given number of folds.

    From ``auto_cv_one_series`` in ``azureml.training.tabular.featurization.timeseries.
    forecasting_heuristic_utils`` (the branch with ``n_cross_validations`` set and
    ``cv_step_size="auto"``), with ``L`` the length of the shortest series that can hold one
    fold (Azure's choice under short-series handling "auto"/"drop"):

    1. Start from the horizon ``h``.
    2. Frequencies coarser than a month (quarterly, yearly, "2MS", ...): 1.
    3. Monthly (``P = 12`` periods a year), semi-monthly (24), weekly (52) and daily or
       business-daily (360, as Azure counts) data keep every validation window inside the
       last two years: ``min(floor((2P - min(h, P)) / (n_folds - 1)), h)``; and if the
       earliest fold would then keep less than two years of training data in the shortest
       series, ``max(floor((L - h - 2P) / (n_folds - 1)), 1)``.
    4. Never more than the shortest series allows:
       ``max(min(step, floor((L - h - min_train_size) / (n_folds - 1))), 1)``. (Azure
       subtracts ``2 + 2h + max(lags, window)`` here because its featurization needs them; our
       caller says what its features need through ``min_train_size``.)

    Other frequencies (hourly, minutely, "2W", ...) skip step 3. With one fold the step is
    unused and the horizon is returned.

    Example:
        >>> auto_cv_step_size([100], horizon=6, n_folds=3, freq="MS")
        6
        >>> auto_cv_step_size([40], horizon=6, n_folds=3, freq="MS")
        5
        >>> auto_cv_step_size([100], horizon=8, n_folds=3, freq="QS")
        1
    """
    check_positive_int("horizon", horizon)
    check_positive_int("n_folds", n_folds)
    check_positive_int("min_train_size", min_train_size)
    lengths = np.asarray(series_lengths, dtype=np.int64)
    if lengths.size == 0:
        raise ForecastingError("`series_lengths` must hold at least one length, got none")
    offset = to_offset(freq)
    if n_folds == 1:
        return horizon
    usable = lengths[lengths >= horizon + min_train_size]
    shortest = int(usable.min() if usable.size else lengths.min())
    gaps = n_folds - 1
    step = horizon
    if nominal_days(offset) > 31:
        step = 1
    else:
        per_year = _periods_per_year(offset)
        if per_year is not None:
            step = min((2 * per_year - min(horizon, per_year)) // gaps, horizon)
            if shortest - horizon - step * gaps < 2 * per_year:
                step = max((shortest - horizon - 2 * per_year) // gaps, 1)
    room = math.floor((shortest - horizon - min_train_size) / gaps)
    return int(max(min(step, room), 1))


def _sorted_codes(panel: pd.DataFrame) -> tuple[IntArray, IntArray, NDArray[np.object_]]:
    """Row order sorting by (series, time), the sorted rows' series codes, the series names.

    Series keep their order of first appearance, so a sorted panel keeps its row order.
    """
    codes, uniques = pd.factorize(panel[ID], sort=False)
    if (codes < 0).any():
        raise ForecastingError("`panel` column 'unique_id' must not hold missing values")
    ds = pd.to_datetime(panel[TIME]).to_numpy()
    if pd.isna(ds).any():
        raise ForecastingError("`panel` column 'ds' must not hold missing timestamps")
    order = np.lexsort((ds, codes)).astype(np.int64)
    sorted_codes = codes[order].astype(np.int64)
    sorted_ds = ds[order]
    same = (sorted_codes[1:] == sorted_codes[:-1]) & (sorted_ds[1:] == sorted_ds[:-1])
    if same.any():
        where = int(np.flatnonzero(same)[0]) + 1
        raise ForecastingError(
            f"`panel` must hold one row per series and timestamp; series "
            f"{uniques[sorted_codes[where]]!r} has {pd.Timestamp(sorted_ds[where])} twice"
        )
    return order, sorted_codes, np.asarray(uniques, dtype=object)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """Concatenated ``arange(start, start + length)`` for each pair, vectorized."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets_ = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    result: IntArray = (np.arange(total, dtype=np.int64) + offsets_).astype(np.int64)
    return result


def _periods_per_year(offset: offsets.BaseOffset) -> int | None:
    """Azure's periods a year for monthly, semi-monthly, weekly and daily data, else None."""
    if offset.n != 1:
        return None
    monthly = (
        offsets.MonthBegin,
        offsets.MonthEnd,
        offsets.BusinessMonthBegin,
        offsets.BusinessMonthEnd,
        offsets.CustomBusinessMonthBegin,
        offsets.CustomBusinessMonthEnd,
    )
    if isinstance(offset, monthly):
        return 12
    if isinstance(offset, (offsets.SemiMonthBegin, offsets.SemiMonthEnd)):
        return 24
    if isinstance(offset, offsets.Week):
        return 52
    if isinstance(offset, (offsets.Day, offsets.BusinessDay, offsets.CustomBusinessDay)):
        return 360
    return None
