"""``ForecastingPipeline``: the fitted model of a forecasting fit, raw DataFrame in, forecasts out.

It holds the forecaster refitted on the whole panel and what it needs to read the periods to
forecast in the user's terms (:func:`forecasting.prepare_future`: the time column, the series
id columns, the known covariates), and pickles with joblib.

``forecast(X_future)`` and ``forecast_quantiles(X_future, quantiles)`` forecast the periods of
``X_future`` (one row per series and period; the time and id columns, and the known covariates
of those periods). Every period must lie within ``forecast_horizon`` periods after the end of
its series' training data: a period past the horizon, or at or before the end of training, is
an error naming the series, the period and the horizon; a series never seen in training is an
error too (a global regressor cannot place it; refit with its history).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from forecasting import PreparedPanel
    from forecasting.models import Forecaster

__all__ = ["ForecastingPipeline"]


class ForecastingPipeline:
    """The best model of a forecasting experiment.

    Args:
        forecaster: The forecaster fitted on the whole training panel (with the horizon).
        prepared: The training panel's description (ids, time column, frequency, known
            covariates); its panel rows are not kept.
        horizon: The horizon it was fitted with (``forecast_horizon``).
        algorithm: The model's name (``"Theta"``, ``"LightGBM"``, ...).
        hyperparameters: What it was refitted with.
        quantiles: The quantiles of :meth:`forecast_quantiles` by default.

    Attributes:
        forecast_horizon: The most periods after the end of training it forecasts.
        freq: The frequency of the series.
        last_periods: Each series' last training period (index ``unique_id``).
        task: ``"forecasting"``.

    Example:
        >>> result = AutoMLConfig("forecasting", ...).fit()  # doctest: +SKIP
        >>> result.best_model.forecast(future)  # doctest: +SKIP
    """

    task = "forecasting"

    def __init__(
        self,
        forecaster: Forecaster,
        prepared: PreparedPanel,
        *,
        horizon: int,
        algorithm: str,
        hyperparameters: Mapping[str, Any],
        quantiles: Sequence[float],
    ) -> None:
        import dataclasses

        if not forecaster.is_fitted:
            raise ValueError(f"`forecaster` must be fitted, got an unfitted {forecaster!r}")
        self.forecaster = forecaster
        self.horizon = int(horizon)
        self.last_periods = prepared.panel.groupby("unique_id", sort=True)["ds"].max()
        self.prepared = dataclasses.replace(prepared, panel=prepared.panel.iloc[:0])
        self.algorithm = algorithm
        self.hyperparameters = dict(hyperparameters)
        self.quantiles = tuple(float(q) for q in quantiles)

    @property
    def forecast_horizon(self) -> int:
        """The most periods after the end of training it forecasts."""
        return self.horizon

    @property
    def freq(self) -> str:
        """The frequency of the series (a pandas offset alias)."""
        return self.prepared.freq

    @property
    def label_column_name(self) -> str:
        """The column forecast (the point forecasts' column in :meth:`forecast`)."""
        return self.prepared.label_column_name

    def forecast(self, X_future: Any) -> pd.DataFrame:
        """Point forecasts of the periods of ``X_future``.

        Args:
            X_future: A DataFrame (pandas, polars or pyarrow) with the time column, the series
                id columns and the known covariates of each period to forecast.

        Returns:
            The id columns, the time column and the forecast under the label column's name,
            one row per row of ``X_future``, sorted by series and time.

        Raises:
            forecasting.ForecastingError: A missing or bad column, a series not seen in
                training, a period past the forecast horizon or not after the training data.
        """
        frame = self._forecast(X_future, ())
        return frame.rename(columns={"yhat": self.label_column_name})

    def forecast_quantiles(
        self, X_future: Any, quantiles: Sequence[float] | None = None
    ) -> pd.DataFrame:
        """Quantile forecasts of the periods of ``X_future``.

        Args:
            X_future: As :meth:`forecast`.
            quantiles: Probabilities strictly between 0 and 1 (None: the experiment's
                ``forecasting_parameters.quantiles``).

        Returns:
            The id columns, the time column and one column per quantile (``"q0.1"``, ...),
            ascending and never crossing, sorted by series and time.
        """
        from forecasting._metrics import quantile_column

        wanted = self.quantiles if quantiles is None else tuple(quantiles)
        frame = self._forecast(X_future, wanted)
        columns = [quantile_column(q) for q in sorted({float(q) for q in wanted})]
        keep = [column for column in frame.columns if column not in ("yhat", *columns)]
        return frame[[*keep, *columns]]

    def _forecast(self, X_future: Any, quantiles: Sequence[float]) -> pd.DataFrame:
        import inspect

        from forecasting import prepare_future

        future = prepare_future(X_future, self.prepared)
        steps = self._steps(future)
        horizon = int(steps.max())
        forecaster = self.forecaster
        if "future" in inspect.signature(forecaster.predict).parameters:  # known covariates
            given = future if self.prepared.known_covariates else None
            predicted = forecaster.predict(horizon, quantiles=quantiles, future=given)  # type: ignore[call-arg]
        else:
            predicted = forecaster.predict(horizon, quantiles=quantiles)
        keys = future[["unique_id", "ds"]]
        merged = keys.merge(predicted, on=["unique_id", "ds"], how="left", validate="one_to_one")
        return self.prepared.to_original(merged)

    def _steps(self, future: pd.DataFrame) -> Any:
        """Periods after its series' end of training of each row; errors for rows outside
        ``1..forecast_horizon``."""
        import numpy as np
        import pandas as pd

        from forecasting import ForecastingError
        from forecasting._frequency import offset_of

        ends = pd.DatetimeIndex(self.last_periods.reindex(future["unique_id"].to_numpy()))
        offset = offset_of(self.freq)
        horizon = self.horizon
        grid = [ends + k * offset for k in range(1, horizon + 1)]
        stamps = pd.DatetimeIndex(future["ds"])
        steps = np.zeros(len(future), dtype=np.int64)
        for k, shifted in enumerate(grid, start=1):
            steps[(stamps == shifted) & (steps == 0)] = k
        bad = np.flatnonzero(steps == 0)
        if len(bad):
            row = int(bad[0])
            series = future["unique_id"].iloc[row]
            end = ends[row]
            where = (
                "at or before the end of its training data"
                if stamps[row] <= end
                else f"past the forecast horizon of {horizon} period(s)"
            )
            raise ForecastingError(
                f"`X_future` asks series {series!r} for {stamps[row]}, {where} ({end} is its "
                f"last training period; the model forecasts the {horizon} period(s) after it, "
                f"forecast_horizon={horizon}); {len(bad)} such row(s). Ask only those periods, "
                "or fit again with a longer `forecast_horizon`"
            )
        return steps

    def __repr__(self) -> str:
        return (
            f"ForecastingPipeline(algorithm={self.algorithm!r}, "
            f"forecast_horizon={self.forecast_horizon}, freq={self.freq!r})"
        )
