"""The reference forecasts every system of benchmarks/forecasting_vs_peers.py is measured against.

- :func:`seasonal_naive`: each series' last season repeated, ``yhat_{n+j} = y_{n-m+(j mod m)}``
  (the MASE ratio's denominator);
- :func:`naive2`: M4's Naive2 (OWA's denominator), the naive forecast of the seasonally
  adjusted series, re-seasonalised. A series is adjusted when M4's 90 % autocorrelation test
  says it is seasonal (:func:`is_seasonal`, the M4 R benchmark code's ``SeasonalityTest``:
  ``m > 1``, at least ``3 m`` observations and ``|r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2)
  / n)``), with the seasonal indices of R's classical multiplicative decomposition
  (:func:`multiplicative_indices`, ``decompose(x, type="multiplicative")$figure``: a centred
  moving average of order ``m`` (``2 x m`` when ``m`` is even), the ratios ``x / trend``
  averaged per position in the cycle, normalised to mean 1). A series with a value ``<= 0``
  cannot be decomposed multiplicatively and is left unadjusted (counted).

Both take and return long frames (``unique_id``, ``ds``, ``y`` in; ``unique_id``, ``ds``,
``yhat`` out) and forecast exactly the periods of ``future`` (``unique_id``, ``ds``: the
``horizon`` periods after each series' training data, in order). Positions in the cycle count
from each series' first observation, as R's ``ts(x, frequency = m)`` does.

    >>> import pandas as pd
    >>> train = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2000", periods=8,
    ...                       freq="QS"), "y": [1.0, 2, 3, 4, 1, 2, 3, 5]})
    >>> future = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2002", periods=3,
    ...                        freq="QS")})
    >>> seasonal_naive(train, future, 4)["yhat"].tolist()
    [1.0, 2.0, 3.0]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = ["is_seasonal", "multiplicative_indices", "naive2", "seasonal_naive"]

TCRIT = 1.645  # M4: the 90 % two-sided normal quantile of the seasonality test


def _series(
    train: pd.DataFrame, future: pd.DataFrame
) -> list[tuple[str, NDArray[np.float64], int]]:
    """Per series of ``future``, in its order: (id, training values by time, periods asked)."""
    history = train.sort_values(["unique_id", "ds"], kind="stable").groupby("unique_id", sort=False)
    values = {str(key): group["y"].to_numpy(np.float64) for key, group in history}
    counts = future.groupby("unique_id", sort=False).size()
    out = []
    for key, steps in counts.items():
        y = values.get(str(key))
        if y is None or len(y) == 0:
            raise ValueError(f"series {key!r} of `future` has no training data")
        out.append((str(key), y, int(steps)))
    return out


def _frame(future: pd.DataFrame, forecasts: dict[str, NDArray[np.float64]]) -> pd.DataFrame:
    ordered = future[["unique_id", "ds"]].sort_values(["unique_id", "ds"], kind="stable")
    yhat = np.concatenate([forecasts[str(key)] for key in ordered["unique_id"].unique()])
    return ordered.assign(yhat=yhat).reset_index(drop=True)


def seasonal_naive(train: pd.DataFrame, future: pd.DataFrame, m: int) -> pd.DataFrame:
    """Each series' last ``m`` values repeated (the last value when the series is shorter)."""
    if m < 1:
        raise ValueError(f"`m` must be an int >= 1 (the seasonal period), got {m!r}")
    forecasts = {}
    for key, y, steps in _series(train, future):
        season = y[-m:] if len(y) >= m else y[-1:]
        forecasts[key] = season[np.arange(steps) % len(season)]
    return _frame(future, forecasts)


def autocorrelations(y: NDArray[np.float64], max_lag: int) -> NDArray[np.float64]:
    """R's ``acf``: ``r_k = sum_t (y_t - mean)(y_{t+k} - mean) / sum_t (y_t - mean)^2`` for
    ``k = 1..max_lag`` (0 for a constant series)."""
    centred = y - y.mean()
    total = float(centred @ centred)
    if total == 0:
        return np.zeros(max_lag)
    return np.array([float(centred[:-k] @ centred[k:]) / total for k in range(1, max_lag + 1)])


def is_seasonal(y: NDArray[np.float64], m: int) -> bool:
    """M4's seasonality test (90 %): see the module docstring."""
    n = len(y)
    if m <= 1 or n < 3 * m:
        return False
    r = autocorrelations(y, m)
    limit = TCRIT / math.sqrt(n) * math.sqrt(1.0 + 2.0 * float(np.sum(r[: m - 1] ** 2)))
    return bool(abs(r[m - 1]) > limit)


def multiplicative_indices(y: NDArray[np.float64], m: int) -> NDArray[np.float64]:
    """R's ``decompose(ts(y, frequency = m), "multiplicative")$figure``: ``m`` seasonal
    indices of mean 1, position 0 being the series' first observation's."""
    if m < 2 or len(y) < 2 * m:
        raise ValueError(f"a decomposition needs m >= 2 and >= 2 m values, got m={m}, {len(y)}")
    weights = np.full(m + 1, 1.0 / m) if m % 2 == 0 else np.full(m, 1.0 / m)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5 / m
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratios = y / trend
    figure = np.array([np.nanmean(ratios[i::m]) for i in range(m)])
    result: NDArray[np.float64] = figure / figure.mean()
    return result


def naive2(train: pd.DataFrame, future: pd.DataFrame, m: int) -> tuple[pd.DataFrame, str]:
    """M4's Naive2 forecasts of the periods of ``future``, and a note (how many series were
    seasonally adjusted, and how many could not be for a value <= 0)."""
    if m < 1:
        raise ValueError(f"`m` must be an int >= 1 (the seasonal period), got {m!r}")
    forecasts = {}
    adjusted = not_positive = 0
    for key, y, steps in _series(train, future):
        indices = np.ones(max(m, 1))
        if is_seasonal(y, m):
            if (y > 0).all():
                indices = multiplicative_indices(y, m)
                adjusted += 1
            else:
                not_positive += 1
        n = len(y)
        inside = indices[np.arange(n) % len(indices)]
        outside = indices[(n + np.arange(steps)) % len(indices)]
        forecasts[key] = (y[-1] / inside[-1]) * outside
    note = f"Naive2: {adjusted} of {len(forecasts)} series seasonally adjusted"
    if not_positive:
        note += f", {not_positive} seasonal but with values <= 0 left unadjusted"
    return _frame(future, forecasts), note
