"""Design matrices for global machine-learning forecasters, without leakage.

:class:`FeatureBuilder` turns a panel (``unique_id``, ``ds``, ``y`` and covariates, one row per
series per period) into one feature row per (series, timestamp):

* ``lag_k``: the ``k``-th most recent target at the **origin**; ``rolling_<stat>_<w>``: a
  statistic of the ``w`` most recent targets at the origin (NaN-aware, partial windows at a
  series' start). The origin of a row at period ``t`` is ``t - step``: with ``step = 1``,
  ``lag_k = y[t - k]`` (one-step-ahead, the **recursive** strategy); with ``step = h``,
  ``lag_k = y[t - h - k + 1]`` (the **direct** strategy's model for step ``h``: features
  from the origin only).
* Calendar parts of ``ds`` that vary at the frequency (minute, hour, day of week, weekend, day
  of month, week of year, month, quarter, year), holidays of a country (``holidays``
  package), Fourier terms ``sin/cos(2 pi k t / period)`` with ``t`` the period index from the
  first training timestamp (so it continues across any origin), and known covariates as given.

No feature of a row at ``t`` uses a target at or after ``t - step + 1``: targets after the
origin never reach a feature. Training rows come from :meth:`FeatureBuilder.transform`; rows
to forecast from :meth:`FeatureBuilder.features_at`, which reads a :class:`HistoryBuffer` (the
last targets of each series) and gives exactly the row :meth:`~FeatureBuilder.transform` gives
for the same period once the targets up to the origin are known. A recursive forecaster rolls
forward one period at a time, vectorized over series, appending its predictions to the buffer;
a direct one asks for every future period at once and picks the model of each row's step.

Example:
    >>> import numpy as np, pandas as pd
    >>> train = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=6),
    ...                       "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    >>> fb = FeatureBuilder(target_lags=[1, 2], rolling_windows=[3], calendar=False,
    ...                     rolling_stats=("mean",)).fit(train, "D")
    >>> fb.transform(train).iloc[-1].tolist()          # row of 2024-01-06: y[t-1], y[t-2]
    [5.0, 4.0, 4.0]
    >>> buffer = fb.history(train)
    >>> for _ in range(2):                             # recursive: one period at a time
    ...     rows = fb.future_rows(buffer, 1)
    ...     X = fb.features_at(buffer, rows)
    ...     buffer = buffer.append(X["lag_1"].to_numpy() + 1.0)   # a "model": last + 1
    >>> buffer.values.tolist()
    [[6.0, 7.0, 8.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError, describe, list_names
from forecasting._feature_checks import (
    ROLLING_STATS,
    check_rolling_stats,
    covariate_names,
    fourier_terms,
    numeric_column,
    positive_ints,
)
from forecasting._frame_checks import check_positive_int, require_columns
from forecasting._history import HistoryBuffer
from forecasting._time_features import (
    PeriodGrid,
    calendar_features,
    calendar_parts,
    fourier_features,
    holiday_features,
    parse_holidays_country,
)

__all__ = ["ROLLING_STATS", "FeatureBuilder", "HistoryBuffer", "Strategy"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Strategy = Literal["recursive", "direct"]
ID, TIME, TARGET = "unique_id", "ds", "y"


class FeatureBuilder:
    """Lag, rolling, calendar, holiday, Fourier and covariate features per (series, timestamp).

    Args:
        target_lags: Lags ``k >= 1`` of the target (relative to the origin, see the module).
        rolling_windows: Window lengths ``w >= 1`` over the targets up to the origin.
        calendar: Add the calendar parts that vary at the panel's frequency.
        holidays_country: ISO code (``"US"``, ``"AU-VIC"`` with a subdivision) for holiday
            features, or None.
        fourier: ``(period, order)`` pairs, ``period`` in periods of the frequency (7 for a
            weekly cycle in daily data) and ``1 <= order <= period / 2``.
        known_covariates: Numeric columns known for future periods, copied as features.
        rolling_stats: Statistics of each rolling window, from :data:`ROLLING_STATS`
            (Azure's default rolling features are the min, max and mean:
            ``TimeSeriesInternal.TRANSFORM_DICT_DEFAULT`` in ``azureml-automl-core``).

    Fitted attributes: ``freq_``, ``grid_`` (:class:`PeriodGrid` anchored at the first
    training timestamp), ``lookback_`` (targets a row needs: the largest lag or window),
    ``calendar_parts_``, ``holidays_`` ((country, subdivision) or None), ``feature_names_``.
    """

    def __init__(
        self,
        target_lags: Sequence[int] = (1,),
        rolling_windows: Sequence[int] = (),
        calendar: bool = True,
        holidays_country: str | None = None,
        fourier: Sequence[tuple[float, int]] = (),
        known_covariates: Sequence[str] = (),
        rolling_stats: Sequence[str] = ("mean", "min", "max"),
    ) -> None:
        self.target_lags = target_lags
        self.rolling_windows = rolling_windows
        self.calendar = calendar
        self.holidays_country = holidays_country
        self.fourier = fourier
        self.known_covariates = known_covariates
        self.rolling_stats = rolling_stats

    # ----------------------------------------------------------------------------- fitting

    def fit(self, train_panel: pd.DataFrame, freq: str) -> FeatureBuilder:
        """Check the configuration against the training panel and fix the period clock.

        Nothing is learnt from the targets: the anchor ``t = 0`` is the first training
        timestamp and the covariates are checked to exist and be numeric.
        """
        self._lags = positive_ints("target_lags", self.target_lags)
        self._windows = positive_ints("rolling_windows", self.rolling_windows)
        self._stats = check_rolling_stats(self.rolling_stats)
        self._fourier = fourier_terms(self.fourier)
        if not isinstance(self.calendar, bool):
            raise ForecastingError(f"`calendar` must be a bool, got {describe(self.calendar)}")
        self.holidays_ = (
            None if self.holidays_country is None else parse_holidays_country(self.holidays_country)
        )
        require_columns(train_panel, "train_panel", (ID, TIME, TARGET))
        self._covariates = covariate_names(self.known_covariates, train_panel)
        if len(train_panel) == 0:
            raise ForecastingError("`train_panel` must hold at least one row, got none")
        self.freq_ = freq
        self.grid_ = PeriodGrid(freq, pd.Timestamp(pd.to_datetime(train_panel[TIME]).min()))
        self.calendar_parts_ = calendar_parts(self.grid_.offset) if self.calendar else ()
        self.lookback_ = max([*self._lags, *self._windows, 0])
        sample = self._time_block(pd.DatetimeIndex([self.grid_.anchor]), np.zeros(1, np.int64))
        self.feature_names_: list[str] = [
            *(f"lag_{k}" for k in self._lags),
            *(f"rolling_{stat}_{w}" for w in self._windows for stat in self._stats),
            *sample,
            *self._covariates,
        ]
        if not self.feature_names_:
            raise ForecastingError(
                "`FeatureBuilder` must produce at least one feature, got none (give "
                "target_lags, rolling_windows, calendar, holidays_country, fourier or "
                "known_covariates)"
            )
        self._check_grid(train_panel, "train_panel")
        return self

    # ---------------------------------------------------------------------- training rows

    def transform(self, panel: pd.DataFrame, *, step: int = 1) -> pd.DataFrame:
        """Features of every row of ``panel``, from the panel's own targets up to each origin.

        Args:
            panel: Columns ``unique_id``, ``ds``, ``y`` and the known covariates; any row
                order (the result follows it, with the panel's index).
            step: Periods from the origin to the row: 1 for the recursive strategy (and
                one-step models), ``h`` for the direct strategy's model of step ``h``.

        Returns:
            A float frame with :attr:`feature_names_` as columns. Lags before a series'
            first row are NaN; drop or impute those rows as the learner needs.
        """
        self._check_fitted()
        check_positive_int("step", step)
        layout = self._check_grid(panel, "panel")
        order, codes = layout.order, layout.codes
        y = panel[TARGET].to_numpy(dtype=np.float64)[order]
        columns: dict[str, FloatArray] = {}
        if self.lookback_:
            pad = self.lookback_ + step - 1
            pos = np.arange(len(y)) + (codes + 1) * pad
            buffer = np.full(len(y) + len(layout.ids) * pad, np.nan)
            buffer[pos] = y
            for k in self._lags:
                columns[f"lag_{k}"] = buffer[pos - (k + step - 1)]
            for w in self._windows:
                rolling = pd.Series(buffer).rolling(w, min_periods=1)
                for stat in self._stats:
                    values = getattr(rolling, stat)().to_numpy(dtype=np.float64)
                    columns[f"rolling_{stat}_{w}"] = values[pos - step]
        ds = pd.DatetimeIndex(layout.ds)
        columns.update(self._time_block(ds, layout.t))
        for name in self._covariates:
            columns[name] = numeric_column(panel, "panel", name)[order]
        return self._frame(columns, order, panel.index)

    # --------------------------------------------------------------------- forecast rows

    def history(self, panel: pd.DataFrame) -> HistoryBuffer:
        """The last :attr:`lookback_` targets of each series of ``panel`` (its origins)."""
        self._check_fitted()
        layout = self._check_grid(panel, "panel")
        y = panel[TARGET].to_numpy(dtype=np.float64)[layout.order]
        n_series = len(layout.ids)
        starts = np.concatenate([[0], np.cumsum(layout.lengths)[:-1]]).astype(np.int64)
        ends = starts + layout.lengths
        back = ends[layout.codes] - np.arange(len(y))  # 1 for a series' last row
        keep = back <= self.lookback_
        values = np.full((n_series, self.lookback_), np.nan)
        values[layout.codes[keep], self.lookback_ - back[keep]] = y[keep]
        return HistoryBuffer(layout.ids, values, layout.t[ends - 1])

    def steps_ahead(self, history: HistoryBuffer, timestamps: pd.DataFrame) -> IntArray:
        """Periods from each row's series origin to its ``ds`` (the step ``h`` of the row)."""
        self._check_fitted()
        rows, t = self._locate(history, timestamps)
        result: IntArray = t - history.last_t[rows]
        return result

    def future_rows(self, history: HistoryBuffer, horizon: int) -> pd.DataFrame:
        """``unique_id`` and ``ds`` of the next ``horizon`` periods of every series.

        Rows are in buffer order, then by time; add known covariates before
        :meth:`features_at`.
        """
        self._check_fitted()
        check_positive_int("horizon", horizon)
        steps = np.arange(1, horizon + 1, dtype=np.int64)
        t = (history.last_t[:, None] + steps[None, :]).reshape(-1)
        ids = np.repeat(history.ids, horizon)
        return pd.DataFrame({ID: ids, TIME: self.grid_.timestamps(t)})

    def features_at(
        self,
        history: HistoryBuffer | pd.DataFrame,
        timestamps: pd.DataFrame,
        *,
        strategy: Strategy = "recursive",
    ) -> pd.DataFrame:
        """Features of future rows from the targets known at each series' origin.

        Args:
            history: A :class:`HistoryBuffer`, or a panel (the buffer of its last rows).
            timestamps: ``unique_id``, ``ds`` and the known covariates (no NaN) of the rows
                to featurize, any number per series, any order.
            strategy: ``"recursive"``: every row must be one period after its series' origin
                (append the predictions to roll on); ``"direct"``: any period after it, the
                features then come from the origin only (see :meth:`steps_ahead`).

        Returns:
            A float frame with :attr:`feature_names_` as columns and ``timestamps``' index:
            row for row what :meth:`transform` gives with ``step`` = the row's step.
        """
        self._check_fitted()
        if strategy not in ("recursive", "direct"):
            raise ForecastingError(
                f"`strategy` must be 'recursive' or 'direct', got {describe(strategy)}"
            )
        require_columns(timestamps, "timestamps", (ID, TIME, *self._covariates))
        buffer = history if isinstance(history, HistoryBuffer) else self.history(history)
        rows, t = self._locate(buffer, timestamps)
        steps = t - buffer.last_t[rows]
        bad = steps < 1 if strategy == "direct" else steps != 1
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            expected = "after" if strategy == "direct" else "exactly one period after"
            raise ForecastingError(
                f"`timestamps` must be {expected} the last target of their series with "
                f"strategy={strategy!r}; series {buffer.ids[rows[first]]!r} at "
                f"{timestamps[TIME].iloc[first]} is {int(steps[first])} periods from it"
            )
        columns: dict[str, FloatArray] = {}
        window = buffer.values[rows]
        for k in self._lags:
            columns[f"lag_{k}"] = window[:, self.lookback_ - k]
        for w in self._windows:
            stats = _window_stats(window[:, self.lookback_ - w :], self._stats)
            columns.update({f"rolling_{stat}_{w}": value for stat, value in stats.items()})
        columns.update(self._time_block(pd.DatetimeIndex(timestamps[TIME]), t))
        for name in self._covariates:
            values = numeric_column(timestamps, "timestamps", name)
            if np.isnan(values).any():
                first = int(np.flatnonzero(np.isnan(values))[0])
                raise ForecastingError(
                    f"`timestamps` column {name!r} (a known covariate) must have a value for "
                    f"every future row; {int(np.isnan(values).sum())} are missing, e.g. series "
                    f"{timestamps[ID].iloc[first]!r} at {timestamps[TIME].iloc[first]}"
                )
            columns[name] = values
        order = np.arange(len(timestamps), dtype=np.int64)
        return self._frame(columns, order, timestamps.index)

    # --------------------------------------------------------------------------- helpers

    def _time_block(self, ds: pd.DatetimeIndex, t: IntArray) -> dict[str, FloatArray]:
        columns = calendar_features(ds, self.calendar_parts_)
        if self.holidays_ is not None:
            country, subdiv = self.holidays_
            columns.update(holiday_features(ds, country, subdiv, self.grid_.offset))
        columns.update(fourier_features(t, self._fourier))
        return columns

    def _frame(
        self, columns: dict[str, FloatArray], order: IntArray, index: pd.Index
    ) -> pd.DataFrame:
        """Columns computed in ``order`` (sorted rows), put back in the caller's row order."""
        data = {}
        for name in self.feature_names_:
            values = np.empty(len(order), dtype=np.float64)
            values[order] = columns[name]
            data[name] = values
        return pd.DataFrame(data, index=index, columns=self.feature_names_)

    def _locate(self, buffer: HistoryBuffer, timestamps: pd.DataFrame) -> tuple[IntArray, IntArray]:
        """Buffer row and period index of every row of ``timestamps``."""
        require_columns(timestamps, "timestamps", (ID, TIME))
        rows = pd.Index(buffer.ids).get_indexer(pd.Index(timestamps[ID])).astype(np.int64)
        if (rows < 0).any():
            unknown = pd.unique(timestamps[ID].to_numpy()[rows < 0])
            raise ForecastingError(
                f"`timestamps` must only name series of the history; unknown: "
                f"{list_names(unknown, limit=5)}"
            )
        ds = pd.to_datetime(timestamps[TIME]).to_numpy()
        return rows, self.grid_.index(ds)

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_names_"):
            raise ForecastingError("`FeatureBuilder` must be fitted first: call fit(panel, freq)")

    def _check_grid(self, panel: pd.DataFrame, argument: str) -> _Layout:
        """Sort ``panel`` by series and time and check each series is gap-free on the grid."""
        require_columns(panel, argument, (ID, TIME, TARGET, *self._covariates))
        layout = _layout(panel, argument, self.grid_)
        gaps = (np.diff(layout.t) != 1) & (layout.codes[1:] == layout.codes[:-1])
        if gaps.any():
            where = int(np.flatnonzero(gaps)[0])
            raise ForecastingError(
                f"`{argument}` must have one row per period in each series; series "
                f"{layout.ids[layout.codes[where]]!r} jumps from {pd.Timestamp(layout.ds[where])} "
                f"to {pd.Timestamp(layout.ds[where + 1])} (fill missing periods first)"
            )
        return layout


@dataclass(frozen=True)
class _Layout:
    """A panel's rows sorted by (series in order of appearance, time)."""

    order: IntArray
    codes: IntArray
    ids: NDArray[np.object_]
    lengths: IntArray
    ds: NDArray[np.datetime64]
    t: IntArray


def _layout(panel: pd.DataFrame, argument: str, grid: PeriodGrid) -> _Layout:
    codes, uniques = pd.factorize(panel[ID], sort=False)
    if (codes < 0).any():
        raise ForecastingError(f"`{argument}` column 'unique_id' must not hold missing values")
    ds = pd.to_datetime(panel[TIME]).to_numpy()
    if pd.isna(ds).any():
        raise ForecastingError(f"`{argument}` column 'ds' must not hold missing timestamps")
    order = np.lexsort((ds, codes)).astype(np.int64)
    sorted_codes = codes[order].astype(np.int64)
    sorted_ds = ds[order]
    lengths = np.bincount(sorted_codes, minlength=len(uniques)).astype(np.int64)
    return _Layout(
        order=order,
        codes=sorted_codes,
        ids=np.asarray(uniques, dtype=object),
        lengths=lengths,
        ds=sorted_ds,
        t=grid.index(sorted_ds),
    )


def _window_stats(window: FloatArray, stats: Sequence[str]) -> dict[str, FloatArray]:
    """NaN-aware statistics of each row of ``window``, like pandas' rolling ones."""
    finite = np.isfinite(window)
    count = finite.sum(axis=1)
    filled = np.where(finite, window, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = filled.sum(axis=1) / count
        out: dict[str, FloatArray] = {}
        for stat in stats:
            if stat == "mean":
                out[stat] = np.where(count > 0, mean, np.nan)
            elif stat == "std":
                squares = np.where(finite, (window - mean[:, None]) ** 2, 0.0).sum(axis=1)
                out[stat] = np.where(count > 1, np.sqrt(squares / (count - 1)), np.nan)
            elif stat == "min":
                low = np.where(finite, window, np.inf).min(axis=1, initial=np.inf)
                out[stat] = np.where(count > 0, low, np.nan)
            else:
                high = np.where(finite, window, -np.inf).max(axis=1, initial=-np.inf)
                out[stat] = np.where(count > 0, high, np.nan)
    return out
