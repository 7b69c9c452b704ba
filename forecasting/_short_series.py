"""Short series: too few periods to train and validate on, padded or dropped as configured.

The minimum length (:func:`minimum_series_length`) is Azure's rule for rolling-origin cross
validation, ``2 H + (n_cv - 1) step + max(max lag, window) + 1``: a horizon to train on, a
horizon to validate, the later origins, and the history the lag and window features need.

``short_series_handling_configuration`` (Azure's semantics):

- ``"auto"``: pad when every series is short, else drop the short ones;
- ``"pad"``: pad every short series; ``"drop"``: drop them (all of them short is an error);
- None: leave them as they are (Alerted), but every series short is an error.

Padding (Azure's): periods are added on the grid before the series' first timestamp, up to the
minimum length; the target gets values drawn around the series' median, ``median`` +
N(0, (5e-5 |median|)²) (5e-5 when the median is 0), clipped at 0 when the median is not
negative; numeric covariates get 0, boolean ones False, other covariates stay missing. The
noise is seeded, so the same data and seed pad the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from featurization._guardrail_report import Guardrail, GuardrailStatus
from forecasting._errors import ForecastingError
from forecasting._frequency import offset_of
from forecasting._parameters import ForecastingParameters

__all__ = ["SHORT_SERIES_GUARDRAIL", "handle_short_series", "minimum_series_length"]

SHORT_SERIES_GUARDRAIL = "Short series handling"


def minimum_series_length(params: ForecastingParameters, n_cross_validations: int = 1) -> int:
    """Azure's minimum length of a series for rolling-origin cross validation.

    ``2 H + (n_cv - 1) step + max(max lag, window) + 1``, where ``"auto"`` settings count as
    their smallest value (horizon 1, step 1, no lag, no window): they are resolved later and
    may need more.

    Example:
        >>> params = ForecastingParameters("t", forecast_horizon=6, target_lags=[1, 12])
        >>> minimum_series_length(params, n_cross_validations=3)
        27
    """
    if (
        isinstance(n_cross_validations, bool)
        or not isinstance(n_cross_validations, int)
        or (n_cross_validations < 1)
    ):
        raise ForecastingError(
            f"`n_cross_validations` must be an int >= 1, got {n_cross_validations!r}"
        )
    horizon = params.forecast_horizon if isinstance(params.forecast_horizon, int) else 1
    step = params.cv_step_size if isinstance(params.cv_step_size, int) else 1
    lag = max(params.target_lags) if isinstance(params.target_lags, tuple) else 0
    window = params.target_rolling_window_size
    window = window if isinstance(window, int) else 0
    return 2 * horizon + (n_cross_validations - 1) * step + max(lag, window) + 1


def handle_short_series(
    panel: pd.DataFrame,
    *,
    handling: str | None,
    min_length: int,
    freq: str,
    covariates: Sequence[str],
    seed: int = 0,
) -> tuple[pd.DataFrame, Guardrail, tuple[str, ...], tuple[str, ...]]:
    """Pad or drop the series of ``panel`` shorter than ``min_length`` (module docstring).

    Returns:
        The panel, the guardrail, the dropped series and the padded series.

    Raises:
        ForecastingError: Every series is short and ``handling`` is None or ``"drop"``.
    """
    lengths = panel.groupby("unique_id", sort=True).size()
    short = lengths[lengths < min_length]
    if short.empty:
        return (
            panel,
            Guardrail(
                SHORT_SERIES_GUARDRAIL,
                GuardrailStatus.PASSED,
                f"Every series has at least {min_length} periods, the minimum.",
            ),
            (),
            (),
        )
    every = len(short) == len(lengths)
    if every and handling in (None, "drop"):
        shortest = short.idxmin()
        raise ForecastingError(
            f"every series is shorter than the minimum of {min_length} periods (the shortest, "
            f"{str(shortest)!r}, has {int(short.min())}) and `short_series_handling_configuration` "
            f"is {handling!r}; set it to 'pad' or 'auto', lower `forecast_horizon`, the lags, "
            "the window or the number of cross validations, or provide more history"
        )
    mode = ("pad" if every else "drop") if handling == "auto" else handling
    details = tuple(
        {"series": str(series), "periods": int(length), "minimum": min_length}
        for series, length in short.sort_values(kind="stable").head(20).items()
    )
    if mode is None:
        return (
            panel,
            Guardrail(
                SHORT_SERIES_GUARDRAIL,
                GuardrailStatus.ALERTED,
                f"{len(short)} of {len(lengths)} series have fewer than {min_length} periods and "
                "are kept (short series handling is off); models fall back to simpler ones there.",
                details,
            ),
            (),
            (),
        )
    names = tuple(str(series) for series in short.index)
    if mode == "drop":
        kept = panel[~panel["unique_id"].isin(short.index)].reset_index(drop=True)
        return (
            kept,
            Guardrail(
                SHORT_SERIES_GUARDRAIL,
                GuardrailStatus.DONE,
                f"{len(short)} of {len(lengths)} series have fewer than {min_length} periods and "
                "were dropped; they get no forecast.",
                details,
            ),
            names,
            (),
        )
    padded = _pad(panel, short, min_length, freq, covariates, seed)
    return (
        padded,
        Guardrail(
            SHORT_SERIES_GUARDRAIL,
            GuardrailStatus.DONE,
            f"{len(short)} of {len(lengths)} series have fewer than {min_length} periods and were "
            "padded at the start: the target with values close to the series' median, numeric "
            "covariates with 0. Padding is made-up history: forecasts of these series are weak.",
            details,
        ),
        (),
        names,
    )


def _pad(
    panel: pd.DataFrame,
    short: pd.Series,
    min_length: int,
    freq: str,
    covariates: Sequence[str],
    seed: int,
) -> pd.DataFrame:
    offset = offset_of(freq)
    rng = np.random.default_rng(seed)
    firsts = panel.groupby("unique_id", sort=True)["ds"].min().to_dict()
    medians = panel.groupby("unique_id", sort=True)["y"].median().to_dict()
    pieces = []
    for series, length in short.items():
        count = min_length - int(length)
        stamps = pd.date_range(end=firsts[series], periods=count + 1, freq=offset)[:-1]
        median = float(medians[series]) if pd.notna(medians[series]) else 0.0
        scale = abs(median) * 5e-5 if median != 0 else 5e-5
        values = rng.normal(median, scale, size=count)
        if median >= 0:
            values = np.clip(values, 0.0, None)
        piece: dict[str, Any] = {"unique_id": series, "ds": stamps, "y": values}
        for column in covariates:
            dtype = panel[column].dtype
            if pd.api.types.is_bool_dtype(dtype):
                piece[column] = False
            elif pd.api.types.is_numeric_dtype(dtype):
                piece[column] = 0
        pieces.append(pd.DataFrame(piece))
    padded = pd.concat([panel, *pieces], ignore_index=True)
    for column in covariates:
        if pd.api.types.is_numeric_dtype(panel[column].dtype):
            padded[column] = padded[column].astype(panel[column].dtype)
    return padded.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
