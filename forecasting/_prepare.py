"""Data preparation of a forecasting task: the user's frame to the canonical panel, with guardrails.

The canonical panel (what every forecaster, feature builder and split reads): columns
``unique_id`` (str), ``ds`` (``datetime64[ns]``), ``y`` (float64) and the covariates, sorted by
(``unique_id``, ``ds``), one row per series and period on a regular grid.

:func:`prepare_panel` runs, in order (each step one guardrail, Passed / Done / Alerted):

1. **Time column parsing**: present (else an error listing the columns) and parsed (else an
   error showing a value that is not a time); rows without a time are dropped.
2. **Time series identifiers**: the given id columns, or detected (:mod:`._series_ids`).
3. **Duplicate timestamps**: an error, or aggregated (:mod:`._duplicates`).
4. **Frequency detection**: ``freq`` checked against every series, or inferred per series and
   for the panel (:mod:`._frequency`); a series off the grid is an error naming it.
5. **Missing timestamps and target values**: gaps filled on the grid, the target forward
   filled; **Missing feature values imputation** for covariates (:mod:`._gaps`).
6. **Short series handling**: padded, dropped or kept (:mod:`._short_series`).
7. **Covariates known at forecast time**: every other column is a covariate, known at
   forecast time unless listed in ``features_unknown_at_forecast_time``.
8. **Memory issues detection**: as for tabular data.

:func:`~forecasting._future.prepare_future` checks the periods to forecast against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from featurization._errors import FeaturizationError
from featurization._frames import as_frame
from featurization._guardrail_report import Guardrail, GuardrailReport, GuardrailStatus
from featurization._guardrails import MEMORY_FACTOR
from featurization._memory import available_memory_bytes
from forecasting._duplicates import resolve_duplicates
from forecasting._errors import ForecastingError, closest_hint, list_names
from forecasting._frequency import check_panel_freq, grid_anchor, infer_panel_freq, seasonality_for
from forecasting._gaps import fill_gaps
from forecasting._parameters import ForecastingParameters
from forecasting._series_ids import check_id_columns, detect_id_columns, make_unique_ids
from forecasting._short_series import handle_short_series, minimum_series_length
from forecasting._time_column import ParsedTime, parse_time_column, require_column

__all__ = ["PreparedPanel", "as_data_frame", "prepare_panel"]


@dataclass(frozen=True, eq=False)
class PreparedPanel:
    """Training data in the canonical panel format, and what preparation found and did.

    Attributes:
        panel: ``unique_id``, ``ds``, ``y`` and the covariates (module docstring).
        time_column_name: The user's time column (``ds`` in ``panel``).
        label_column_name: The user's target column (``y`` in ``panel``).
        id_columns: The series id columns, given or detected (``()``: one series).
        ids: One row per series kept: ``unique_id`` as the index, the id columns' values.
        freq: The panel's frequency, a canonical pandas alias.
        seasonality: The seasonal period in periods (``seasonality``, or from ``freq``).
        anchor: The timestamp the grid is counted from (fixed-duration frequencies).
        known_covariates: Covariates whose future values must be given to forecast.
        unknown_covariates: Covariates not known at forecast time (used through lags).
        min_length: The minimum series length used for short series.
        dropped_series: ``unique_id`` of the series dropped (short, or without a target).
        padded_series: ``unique_id`` of the series padded.
        guardrails: The report, one guardrail per step.
    """

    panel: pd.DataFrame
    time_column_name: str
    label_column_name: str
    id_columns: tuple[str, ...]
    ids: pd.DataFrame
    freq: str
    seasonality: int
    anchor: pd.Timestamp
    known_covariates: tuple[str, ...]
    unknown_covariates: tuple[str, ...]
    min_length: int
    dropped_series: tuple[str, ...]
    padded_series: tuple[str, ...]
    guardrails: GuardrailReport

    @property
    def series(self) -> tuple[str, ...]:
        """The ``unique_id`` of every series in the panel, sorted."""
        return tuple(str(series) for series in self.ids.index)

    def id_values(self, unique_id: str) -> dict[str, Any]:
        """The original id column values of one series.

        Raises:
            KeyError: No series of the panel has that ``unique_id``.
        """
        if unique_id not in self.ids.index:
            raise KeyError(
                f"no series {unique_id!r} in the panel{closest_hint(unique_id, self.series)}"
            )
        return {column: self.ids.at[unique_id, column] for column in self.id_columns}

    def to_original(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with ``unique_id`` replaced by the id columns and ``ds`` renamed to the
        time column (forecasts in the user's terms). Rows of unknown series keep missing ids."""
        out = frame.rename(columns={"ds": self.time_column_name})
        if "unique_id" not in out.columns:
            return out
        uid = out.pop("unique_id")
        ids = self.ids.reindex(uid.to_numpy())
        ids.index = out.index
        return pd.concat([ids, out], axis=1)


def prepare_panel(
    frame: Any,
    label_column_name: str,
    params: ForecastingParameters,
    *,
    n_cross_validations: int = 1,
    min_length: int | None = None,
    seed: int = 0,
    available_memory: int | None = None,
) -> PreparedPanel:
    """Turn training data into the canonical panel, running the forecasting guardrails.

    Args:
        frame: The training data (pandas or polars DataFrame, or pyarrow Table), label
            column included.
        label_column_name: The target column.
        params: The forecasting settings.
        n_cross_validations: Rolling-origin folds, for the default ``min_length``.
        min_length: The shortest series kept as is; None: :func:`minimum_series_length`
            (Azure's rule).
        seed: Seed of the noise that pads short series.
        available_memory: Bytes available (default: read from the operating system).

    Raises:
        ForecastingError: A bad column, time, id, duplicate, frequency or length, named
            (module docstring).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({
        ...     "day": list(pd.date_range("2024-01-01", periods=12).astype(str)) * 2,
        ...     "store": ["a"] * 12 + ["b"] * 12,
        ...     "sales": range(24),
        ... })
        >>> prepared = prepare_panel(frame, "sales", ForecastingParameters("day"))
        >>> prepared.id_columns, prepared.freq, prepared.seasonality, len(prepared.panel)
        (('store',), 'D', 7, 24)
    """
    data = as_data_frame(frame, "training data")
    time_column = params.time_column_name
    minimum = _check_min_length(
        min_length if min_length is not None else minimum_series_length(params, n_cross_validations)
    )
    require_column(data, label_column_name, "label_column_name", "training data")
    if label_column_name == time_column:
        raise ForecastingError(
            f"`label_column_name` and `time_column_name` must differ, both are {time_column!r}"
        )
    parsed = parse_time_column(data, time_column)
    keep = parsed.values.notna().to_numpy()
    data = data[keep].reset_index(drop=True)
    times = parsed.values[keep].reset_index(drop=True)
    target = _target(data[label_column_name], label_column_name)
    id_columns, ids_guardrail = _id_columns(data, times, label_column_name, params)
    covariates = [
        str(column)
        for column in data.columns
        if column not in (time_column, label_column_name, *id_columns)
    ]
    unknown = _unknown_covariates(params, covariates)
    uid = make_unique_ids(data, id_columns)
    ids = _ids_frame(data, uid, id_columns)
    panel = pd.concat(
        [
            uid.rename("unique_id"),
            times.rename("ds"),
            target.rename("y"),
            data[covariates],
        ],
        axis=1,
    ).reset_index(drop=True)
    n_missing_labels = int(panel["y"].isna().sum())
    panel, duplicates_guardrail = resolve_duplicates(
        panel,
        function=params.target_aggregation_function,
        freq=params.freq,
        covariates=covariates,
    )
    panel = panel.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    freq, frequency_guardrail = _frequency(panel, params.freq)
    anchor = grid_anchor(panel)
    panel, missing_guardrail, features_guardrail, empty = fill_gaps(panel, freq, covariates)
    panel, short_guardrail, dropped, padded = handle_short_series(
        panel,
        handling=params.short_series_handling_configuration,
        min_length=minimum,
        freq=freq,
        covariates=covariates,
        seed=seed,
    )
    panel["unique_id"] = panel["unique_id"].astype(object)
    panel["y"] = panel["y"].astype("float64")
    kept = pd.Index(panel["unique_id"].unique())
    known = tuple(column for column in covariates if column not in unknown)
    guardrails = (
        _time_guardrail(time_column, parsed),
        ids_guardrail,
        duplicates_guardrail,
        frequency_guardrail,
        _with_missing_labels(missing_guardrail, n_missing_labels),
        features_guardrail,
        short_guardrail,
        _covariates_guardrail(known, unknown),
        _memory_guardrail(panel, available_memory),
    )
    return PreparedPanel(
        panel=panel,
        time_column_name=time_column,
        label_column_name=label_column_name,
        id_columns=id_columns,
        ids=ids.loc[ids.index.isin(kept)],
        freq=freq,
        seasonality=(
            params.seasonality if isinstance(params.seasonality, int) else seasonality_for(freq)
        ),
        anchor=anchor,
        known_covariates=known,
        unknown_covariates=unknown,
        min_length=minimum,
        dropped_series=tuple(sorted({*empty, *dropped})),
        padded_series=padded,
        guardrails=GuardrailReport(guardrails),
    )


def _time_guardrail(column: str, parsed: ParsedTime) -> Guardrail:
    dropped = f"; {parsed.n_missing} row(s) without a time were dropped" if parsed.n_missing else ""
    return Guardrail(
        "Time column parsing",
        GuardrailStatus.DONE if parsed.n_missing else GuardrailStatus.PASSED,
        f"The time column {column!r}: {parsed.note}{dropped}.",
    )


def as_data_frame(frame: Any, what: str) -> pd.DataFrame:
    """``frame`` as a pandas DataFrame with rows, or a :class:`ForecastingError`."""
    try:
        data = as_frame(frame, name=what)
    except FeaturizationError as error:
        raise ForecastingError(str(error)) from None
    if data.empty:
        raise ForecastingError(f"the {what} must have rows, got an empty frame")
    return data


def _check_min_length(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ForecastingError(f"`min_length` must be an int >= 1, got {value!r}")
    return int(value)


def _target(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype(float)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise ForecastingError(
            f"the label column {column!r} must hold numbers, got {int(bad.sum())} value(s) "
            f"that are not, such as {values[bad].iloc[0]!r}"
        )
    numbers = numbers.astype("float64").replace([np.inf, -np.inf], np.nan)
    if numbers.isna().all():
        raise ForecastingError(f"the label column {column!r} must have values, got none")
    return numbers


def _id_columns(
    data: pd.DataFrame, times: pd.Series, label: str, params: ForecastingParameters
) -> tuple[tuple[str, ...], Guardrail]:
    name = "Time series identifiers"
    given = params.time_series_id_column_names
    if given is not None:
        check_id_columns(data, given)
        if label in given:
            raise ForecastingError(
                f"`time_series_id_column_names` must not hold the label column {label!r}"
            )
        text = ", ".join(repr(column) for column in given) if given else "none: one series"
        return given, Guardrail(
            name, GuardrailStatus.PASSED, f"Series id columns as given: {text}."
        )
    found = detect_id_columns(data, times, exclude=(params.time_column_name, label))
    if found is None:
        if params.target_aggregation_function is not None:
            return (), Guardrail(
                name,
                GuardrailStatus.ALERTED,
                "No set of columns tells the series apart: the data is taken as one series "
                f"whose rows are aggregated with {params.target_aggregation_function}. Set "
                "`time_series_id_column_names` if it holds several series.",
            )
        repeated = times[times.duplicated()].iloc[0]
        raise ForecastingError(
            f"the time column {params.time_column_name!r} repeats (e.g. {repeated}) and no set "
            "of non-numeric columns tells the series apart; set `time_series_id_column_names`, "
            "or `target_aggregation_function` to aggregate rows of the same timestamp"
        )
    if not found:
        return (), Guardrail(
            name, GuardrailStatus.PASSED, "The time column is unique: the data is one series."
        )
    n_series = len(data[list(found)].drop_duplicates())
    return found, Guardrail(
        name,
        GuardrailStatus.DONE,
        f"Series id columns detected: {', '.join(repr(column) for column in found)} "
        f"({n_series} series). Set `time_series_id_column_names` to choose others.",
    )


def _ids_frame(data: pd.DataFrame, uid: pd.Series, id_columns: Sequence[str]) -> pd.DataFrame:
    # The index holds the series' key; an id column may itself be named "unique_id".
    ids = data[list(id_columns)].set_axis(pd.Index(uid.to_numpy(), dtype=object))
    return ids[~ids.index.duplicated()].sort_index()


def _unknown_covariates(
    params: ForecastingParameters, covariates: Sequence[str]
) -> tuple[str, ...]:
    for column in params.features_unknown_at_forecast_time:
        if column not in covariates:
            raise ForecastingError(
                f"`features_unknown_at_forecast_time` names {column!r}, which is not a "
                f"covariate of the training data{closest_hint(column, covariates)}; the "
                f"covariates are {list_names(covariates) or 'none'}"
            )
    return tuple(params.features_unknown_at_forecast_time)


def _frequency(panel: pd.DataFrame, freq: str | None) -> tuple[str, Guardrail]:
    name = "Frequency detection"
    n_series = panel["unique_id"].nunique()
    if freq is not None:
        check_panel_freq(panel, freq)
        return freq, Guardrail(
            name,
            GuardrailStatus.PASSED,
            f"Every series is on the grid of the given frequency {freq!r}.",
        )
    found, others = infer_panel_freq(panel)
    if others:
        details = tuple(
            {"series": series, "own frequency": own, "panel frequency": found}
            for series, own in list(others.items())[:20]
        )
        return found, Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"The panel's frequency is {found!r}, but {len(others)} of {n_series} series look "
            "coarser (listed); they lie on the panel's grid and their gaps will be filled. "
            "Set `freq` and `target_aggregation_function` to model another frequency.",
            details,
        )
    return found, Guardrail(
        name,
        GuardrailStatus.DONE,
        f"Frequency {found!r} inferred; all {n_series} series are on its grid.",
    )


def _with_missing_labels(guardrail: Guardrail, n_missing: int) -> Guardrail:
    if not n_missing:
        return guardrail
    return Guardrail(
        guardrail.name,
        guardrail.status,
        f"{n_missing} row(s) have no label and were kept as gaps to impute. "
        + guardrail.description,
        guardrail.details,
    )


def _covariates_guardrail(known: Sequence[str], unknown: Sequence[str]) -> Guardrail:
    name = "Covariates known at forecast time"
    if not known and not unknown:
        return Guardrail(name, GuardrailStatus.PASSED, "No covariates: the target's history only.")
    details = tuple({"column": column, "known at forecast time": True} for column in known) + tuple(
        {"column": column, "known at forecast time": False} for column in unknown
    )
    text = (
        f"{len(known)} covariate(s) must be given for the periods to forecast"
        + (f"; {len(unknown)} are unknown then and are used through their lags" if unknown else "")
        + "."
    )
    return Guardrail(name, GuardrailStatus.DONE, text, details)


def _memory_guardrail(panel: pd.DataFrame, available: int | None) -> Guardrail:
    name = "Memory issues detection"
    size = int(panel.memory_usage(deep=True, index=False).sum())
    memory = available if available is not None else available_memory_bytes()
    needed = size * MEMORY_FACTOR
    details = (
        {"data size": _mib(size), "estimated need": _mib(needed), "available": _mib(memory)},
    )
    if memory is None:
        return Guardrail(
            name, GuardrailStatus.PASSED, "Available memory is unknown; not checked.", details
        )
    if needed > memory:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"The panel takes {_mib(size)}; lags, windows and models may need about "
            f"{MEMORY_FACTOR} times that ({_mib(needed)}) but {_mib(memory)} is available. "
            "Use fewer series or a shorter history, or a machine with more memory.",
            details,
        )
    return Guardrail(name, GuardrailStatus.PASSED, "The data fits in memory.", details)


def _mib(count: int | None) -> str:
    return "unknown" if count is None else f"{count / 2**20:.1f} MiB"
