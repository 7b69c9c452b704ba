"""Rolling-origin forecasts through a test period: :meth:`ForecastingPipeline.rolling_forecast`.

The test period continues each series' training data. The first origin is the end of
training; origin ``k`` (``k = step, 2 * step, ...`` periods into the test period) knows the
first ``k`` actuals of each series, given to the fitted forecaster as recent actuals
(:meth:`forecasting.models.Forecaster.with_recent`: no refit). From each origin the next
``forecast_horizon`` test periods of each series are forecast; the last origins forecast what
is left. Each row of the result is one (series, origin, period) with its forecast and actual.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from automl.tasks.forecasting._pipeline import ForecastingPipeline

__all__ = ["rolling_forecast"]

ID, TIME, TARGET = "unique_id", "ds", "y"
ORIGIN, FORECAST, ACTUAL = "forecast_origin", "forecast", "actual"


def rolling_forecast(
    pipeline: ForecastingPipeline,
    X: Any,
    y: Any,
    step: object,
    quantiles: Sequence[float],
) -> pd.DataFrame:
    """See :meth:`ForecastingPipeline.rolling_forecast`."""
    import pandas as pd

    from forecasting import ForecastingError
    from forecasting._errors import describe
    from forecasting._metrics import quantile_column

    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 1:
        raise ForecastingError(f"`step` must be an integer >= 1, got {describe(step)}")
    test = pipeline._recent_frame(X, y, what="X")
    forecaster = pipeline.forecaster
    pipeline._with_recent(forecaster, test)  # the whole period must continue training
    position = test.groupby(ID, sort=False).cumcount().to_numpy()
    covariates = [column for column in test.columns if column != TARGET]
    horizon = pipeline.forecast_horizon
    frames = []
    for k in range(0, int(position.max()) + 1, int(step)):
        ahead = (position >= k) & (position < k + horizon)
        moved = forecaster if k == 0 else pipeline._with_recent(forecaster, test[position < k])
        rows = test.loc[ahead]
        predicted = pipeline._predict(moved, rows[covariates], quantiles, "recent actuals")
        origins = moved.last_timestamps.reindex(rows[ID].to_numpy()).to_numpy()
        frames.append(predicted.assign(**{ORIGIN: origins, ACTUAL: rows[TARGET].to_numpy()}))
    result = pd.concat(frames, ignore_index=True)
    result = result.sort_values([ID, ORIGIN, TIME], kind="stable", ignore_index=True)
    columns = [quantile_column(q) for q in sorted({float(q) for q in quantiles})]
    result = result.rename(columns={"yhat": FORECAST})
    result = result[[ID, ORIGIN, TIME, FORECAST, *columns, ACTUAL]]
    return pipeline.prepared.to_original(result)
