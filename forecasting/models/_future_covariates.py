"""The known covariates of the periods a global forecaster forecasts, read from ``future``.

A global model that uses known covariates (columns of the panel whose future values are known)
needs them for every period it forecasts: :func:`with_future_covariates` joins the periods to
forecast (``unique_id``, ``ds``) with the user's ``future`` frame and raises, naming the
covariate, the series and the period, when one is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from forecasting._errors import ForecastingError, describe

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["with_future_covariates"]

ID, TIME = "unique_id", "ds"


def with_future_covariates(
    rows: pd.DataFrame, future: object, covariates: Sequence[str]
) -> pd.DataFrame:
    """``rows`` (``unique_id``, ``ds`` of the periods to forecast) with the ``covariates`` of
    each period taken from ``future``; ``rows`` itself when there are no covariates.

    Raises:
        ForecastingError: ``future`` is not a DataFrame, lacks a column, repeats a period, or
            misses a covariate value of a period to forecast.
    """
    import pandas as pd

    names = list(covariates)
    if not names:
        return rows
    if not isinstance(future, pd.DataFrame):
        raise ForecastingError(
            f"`future` must be a DataFrame with unique_id, ds and the known covariates "
            f"{names} of the periods to forecast, got {describe(future)}"
        )
    missing = [c for c in (ID, TIME, *names) if c not in future.columns]
    if missing:
        raise ForecastingError(
            f"`future` must have the columns unique_id, ds and {names}; missing {missing}"
        )
    given = future[[ID, TIME, *names]].copy()
    given[TIME] = pd.to_datetime(given[TIME]).astype("datetime64[ns]")
    if given.duplicated([ID, TIME]).any():
        raise ForecastingError("`future` must have one row per series and period, got duplicates")
    rows = rows.copy()
    rows[TIME] = rows[TIME].astype("datetime64[ns]")
    merged = rows.merge(given, on=[ID, TIME], how="left", validate="one_to_one")
    for name in names:
        absent = merged[name].isna().to_numpy()
        if absent.any():
            first = int(np.flatnonzero(absent)[0])
            raise ForecastingError(
                f"`future` must give the known covariate {name!r} for every period to "
                f"forecast; {int(absent.sum())} missing, e.g. series "
                f"{merged[ID].iloc[first]!r} at {merged[TIME].iloc[first]}"
            )
    return merged
