"""The periods to forecast: checked against the training panel, in the canonical format.

``prepare_future`` is the forecast-time half of :func:`~forecasting._prepare.prepare_panel`:
the same time column and id columns, timestamps on the training grid, one row per series and
period, and a value for every known covariate (a missing one is an error naming the column, a
series and a timestamp). Unknown covariates, if given, are ignored.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from forecasting._errors import ForecastingError
from forecasting._frequency import check_panel_freq
from forecasting._prepare import PreparedPanel, as_data_frame
from forecasting._series_ids import SINGLE_SERIES_ID, check_id_columns, make_unique_ids
from forecasting._time_column import parse_time_column, require_column

__all__ = ["prepare_future"]


def prepare_future(
    frame: Any,
    prepared: PreparedPanel,
    *,
    allow_new_series: bool = False,
    what: str = "future data",
) -> pd.DataFrame:
    """Check the periods to forecast and return them in the canonical format.

    Args:
        frame: The time column, the id columns and the known covariates of the periods to
            forecast (the label column too, where actuals are given; missing labels allowed).
        prepared: The training panel.
        allow_new_series: Accept series not seen in training (else an error naming one).
        what: How messages name the frame (``"recent data"`` for recent actuals).

    Returns:
        ``unique_id``, ``ds``, the known covariates and ``y`` when the label column is given,
        sorted by series and time.

    Raises:
        ForecastingError: A missing or unparseable time column, a missing id column, a new
            series, a duplicate or off-grid timestamp, or a known covariate missing or with
            missing values (named with a series and a timestamp).
    """
    data = as_data_frame(frame, what)
    parsed = parse_time_column(data, prepared.time_column_name, what=what)
    if parsed.n_missing:
        raise ForecastingError(
            f"the time column {prepared.time_column_name!r} of the {what} must have a "
            f"value in every row, got {parsed.n_missing} missing"
        )
    for column in prepared.id_columns:
        require_column(data, column, "time_series_id_column_names", what)
    check_id_columns(data, prepared.id_columns)
    uid = _future_ids(data, prepared, allow_new_series, what)
    columns: dict[str, Any] = {"unique_id": uid.to_numpy(), "ds": parsed.values.to_numpy()}
    for column in prepared.known_covariates:
        if column not in data.columns:
            raise ForecastingError(
                f"the known covariate {column!r} must be in the {what}: its values for the "
                "periods to forecast are needed; list it in `features_unknown_at_forecast_time` "
                "if they are not known"
            )
        missing = data[column].isna().to_numpy()
        if missing.any():
            row = int(np.flatnonzero(missing)[0])
            raise ForecastingError(
                f"the known covariate {column!r} must have a value for every period to forecast, "
                f"got {int(missing.sum())} missing, e.g. for series {uid.iloc[row]!r} at "
                f"{parsed.values.iloc[row]}; fill them, or list {column!r} in "
                "`features_unknown_at_forecast_time`"
            )
        columns[column] = data[column].to_numpy()
    if prepared.label_column_name in data.columns:
        label = prepared.label_column_name
        columns["y"] = _future_target(data[label], label, what)
    future = pd.DataFrame(columns)
    duplicated = future.duplicated(["unique_id", "ds"])
    if duplicated.any():
        twice = future[duplicated].iloc[0]
        raise ForecastingError(
            f"the {what} has two rows for series {twice['unique_id']!r} at {twice['ds']}: "
            "give one row per series and period"
        )
    check_panel_freq(future, prepared.freq, anchor=prepared.anchor, what=f"the {what}")
    return future.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)


def _future_ids(
    data: pd.DataFrame, prepared: PreparedPanel, allow_new: bool, what: str
) -> pd.Series:
    if not prepared.id_columns:
        return pd.Series(SINGLE_SERIES_ID, index=data.index, dtype=object)
    keys = pd.MultiIndex.from_frame(prepared.ids[list(prepared.id_columns)])
    lookup = pd.Series(prepared.ids.index.to_numpy(), index=keys)
    given = pd.MultiIndex.from_frame(data[list(prepared.id_columns)])
    found = pd.Series(lookup.reindex(given).to_numpy(), index=data.index, dtype=object)
    new = found.isna()
    if new.any():
        if not allow_new:
            example = data.loc[new, list(prepared.id_columns)].iloc[0].to_dict()
            n_new = len(data.loc[new, list(prepared.id_columns)].drop_duplicates())
            raise ForecastingError(
                f"the {what} has {n_new} "
                f"series not seen in training, e.g. {example}; forecast only the trained series "
                f"({len(prepared.ids)}, e.g. {prepared.series[0]!r})"
            )
        found[new] = make_unique_ids(data[new], prepared.id_columns)
    return found


def _future_target(values: pd.Series, column: str, what: str) -> np.ndarray[Any, Any]:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise ForecastingError(
            f"the label column {column!r} of the {what} must hold numbers, got "
            f"{values[bad].iloc[0]!r}"
        )
    return numbers.to_numpy(dtype="float64")
