"""``ForecastingPipeline``: the fitted model of a forecasting fit, raw DataFrame in, forecasts out.

It holds the forecaster refitted on the whole panel, what it needs to read the periods to
forecast in the user's terms (:func:`forecasting.prepare_future`: the time column, the series
id columns, the known covariates), and the last training points of each series (for plots);
it pickles with joblib.

``forecast(X_future)`` and ``forecast_quantiles(X_future, quantiles)`` forecast the periods of
``X_future`` (one row per series and period; the time and id columns, and the known covariates
of those periods). Every period must lie within ``forecast_horizon`` periods after the end of
its series' data: a period past the horizon, or at or before the end of the data, is an error
naming the series, the period and the horizon; a series never seen in training is an error too
(a global regressor cannot place it; refit with its history).

**Recent actuals** (``X_recent`` with the label column, or ``X_recent`` and ``y_recent``): the
periods observed after the end of training move each series' forecast origin to their end,
without refitting (:meth:`forecasting.models.Forecaster.with_recent`: statistical models run
their fitted parameters over the extended history, global models rebuild their lags from it).
They must continue each series' training data period after period (no overlap, no gap).

``rolling_forecast(X, y, step=1)`` (Azure's name) walks through a test period: from each origin
(the end of training, then every ``step`` periods) it forecasts up to ``forecast_horizon``
periods with the actuals up to the origin, and returns every forecast next to its actual.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from forecasting import PreparedPanel
    from forecasting.models import Forecaster

__all__ = ["ForecastingPipeline"]

HISTORY_POINTS = 200
"""The most training points per series a pipeline keeps for plots (at least 3 horizons)."""
ORIGIN, FORECAST, ACTUAL = "forecast_origin", "forecast", "actual"


class ForecastingPipeline:
    """The best model of a forecasting experiment.

    Args:
        forecaster: The forecaster fitted on the whole training panel (with the horizon).
        prepared: The training panel's description (ids, time column, frequency, known
            covariates); only the last points of each series are kept.
        horizon: The horizon it was fitted with (``forecast_horizon``).
        algorithm: The model's name (``"Theta"``, ``"LightGBM"``, ...).
        hyperparameters: What it was refitted with.
        quantiles: The quantiles of :meth:`forecast_quantiles` by default.

    Attributes:
        forecast_horizon: The most periods after the end of training it forecasts.
        freq: The frequency of the series.
        last_periods: Each series' last training period (index ``unique_id``).
        history: The last training points of each series (``unique_id``, ``ds``, ``y``).
        task: ``"forecasting"``.

    Example:
        >>> result = AutoMLConfig("forecasting", ...).fit()  # doctest: +SKIP
        >>> result.best_model.forecast(future)  # doctest: +SKIP
        >>> result.best_model.rolling_forecast(test_frame)  # doctest: +SKIP
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
        panel = prepared.panel
        self.last_periods = panel.groupby("unique_id", sort=True)["ds"].max()
        keep = max(HISTORY_POINTS, 3 * self.horizon)
        tail = panel.groupby("unique_id", sort=False).cumcount(ascending=False) < keep
        self.history = panel.loc[tail, ["unique_id", "ds", "y"]].reset_index(drop=True)
        self.prepared = dataclasses.replace(prepared, panel=panel.iloc[:0])
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

    def forecast(self, X_future: Any, X_recent: Any = None, y_recent: Any = None) -> pd.DataFrame:
        """Point forecasts of the periods of ``X_future``.

        Args:
            X_future: A DataFrame (pandas, polars or pyarrow) with the time column, the series
                id columns and the known covariates of each period to forecast.
            X_recent: The periods observed since the end of training (time, id columns, known
                covariates, and the label column unless ``y_recent`` is given): the forecast
                starts after them, without refitting (see the module docstring).
            y_recent: The actuals of ``X_recent``'s rows, in its row order.

        Returns:
            The id columns, the time column and the forecast under the label column's name,
            one row per row of ``X_future``, sorted by series and time.

        Raises:
            forecasting.ForecastingError: A missing or bad column, a series not seen in
                training, a period past the forecast horizon or not after the data, recent
                actuals that overlap the training data, leave a gap or lack a value.
        """
        frame = self._forecast(X_future, (), X_recent, y_recent)
        return frame.rename(columns={"yhat": self.label_column_name})

    def forecast_quantiles(
        self,
        X_future: Any,
        quantiles: Sequence[float] | None = None,
        X_recent: Any = None,
        y_recent: Any = None,
    ) -> pd.DataFrame:
        """Quantile forecasts of the periods of ``X_future``.

        Args:
            X_future: As :meth:`forecast`.
            quantiles: Probabilities strictly between 0 and 1 (None: the experiment's
                ``forecasting_parameters.quantiles``).
            X_recent: As :meth:`forecast`.
            y_recent: As :meth:`forecast`.

        Returns:
            The id columns, the time column and one column per quantile (``"q0.1"``, ...),
            ascending and never crossing, sorted by series and time.
        """
        from forecasting._metrics import quantile_column

        wanted = self.quantiles if quantiles is None else tuple(quantiles)
        frame = self._forecast(X_future, wanted, X_recent, y_recent)
        columns = [quantile_column(q) for q in sorted({float(q) for q in wanted})]
        keep = [column for column in frame.columns if column not in ("yhat", *columns)]
        return frame[[*keep, *columns]]

    def rolling_forecast(
        self,
        X: Any,
        y: Any = None,
        step: int = 1,
        quantiles: Sequence[float] = (),
    ) -> pd.DataFrame:
        """Forecasts from rolling origins through a test period, next to the actuals.

        The first origin is the end of training; each next one is ``step`` periods later, with
        the actuals up to it given as recent actuals (nothing is refitted). From each origin,
        the next ``forecast_horizon`` periods of the test period are forecast.

        Args:
            X: The test period: time, id columns and known covariates of the periods right
                after each series' training data, and the label column unless ``y`` is given.
            y: The actuals of ``X``'s rows, in its row order.
            step: Periods between origins (an integer >= 1).
            quantiles: Quantile columns to add (``"q0.1"``, ...).

        Returns:
            The id columns, ``forecast_origin`` (the last period known when forecasting), the
            time column (the period forecast), ``forecast``, the quantile columns and
            ``actual``; sorted by series, origin and period.

        Raises:
            forecasting.ForecastingError: As :meth:`forecast`, a bad ``step``, or a test period
                that does not continue the training data or lacks an actual.
        """
        from automl.tasks.forecasting._rolling import rolling_forecast

        return rolling_forecast(self, X, y, step, quantiles)

    # -- internals ---------------------------------------------------------------------------

    def _forecast(
        self, X_future: Any, quantiles: Sequence[float], X_recent: Any, y_recent: Any
    ) -> pd.DataFrame:
        from forecasting import prepare_future

        future = prepare_future(X_future, self.prepared)
        forecaster = self._moved(X_recent, y_recent)
        data = "training data" if X_recent is None else "recent actuals"
        return self.prepared.to_original(self._predict(forecaster, future, quantiles, data))

    def _recent_frame(self, X_recent: Any, y_recent: Any, what: str = "X_recent") -> Any:
        """``X_recent`` (with ``y_recent`` as its label column) in the canonical format."""
        import numpy as np

        from forecasting import ForecastingError, prepare_future
        from forecasting._prepare import as_data_frame

        label = self.label_column_name
        data = as_data_frame(X_recent, "recent data")
        if y_recent is not None:
            values = np.asarray(y_recent, dtype=object).reshape(-1)
            if label in data.columns:
                raise ForecastingError(
                    f"`y_recent` must be None when `{what}` holds the label column {label!r}; "
                    "give the actuals once"
                )
            if len(values) != len(data):
                raise ForecastingError(
                    f"`y_recent` must hold one actual per row of `{what}` ({len(data)}), got "
                    f"{len(values)}"
                )
            data = data.assign(**{label: values})
        elif label not in data.columns:
            raise ForecastingError(
                f"`{what}` must hold the label column {label!r} with the actuals, or give them "
                "as `y_recent`"
            )
        return prepare_future(data, self.prepared, what="recent data")

    def _moved(self, X_recent: Any, y_recent: Any) -> Forecaster:
        """The forecaster, its origin moved past the recent actuals when given."""
        from forecasting import ForecastingError

        if X_recent is None:
            if y_recent is not None:
                raise ForecastingError("`y_recent` needs `X_recent`: the periods of the actuals")
            return self.forecaster
        recent = self._recent_frame(X_recent, y_recent)
        return self._with_recent(self.forecaster, recent)

    def _with_recent(self, forecaster: Forecaster, recent: pd.DataFrame) -> Forecaster:
        from forecasting import ForecastingError

        try:
            return forecaster.with_recent(recent[["unique_id", "ds", "y"]])
        except ForecastingError as error:
            text = str(error).replace("`recent`", "the recent actuals (`X_recent`)")
            raise ForecastingError(text) from None

    def _predict(
        self,
        forecaster: Forecaster,
        future: pd.DataFrame,
        quantiles: Sequence[float],
        data: str = "training data",
    ) -> pd.DataFrame:
        """Forecasts of the canonical rows of ``future`` (``unique_id``, ``ds``, covariates)
        from ``forecaster``'s origins (the end of its ``data``), in ``future``'s row order."""
        steps = self._steps(future, forecaster.last_timestamps, data)
        horizon = int(steps.max())
        if "future" in inspect.signature(forecaster.predict).parameters:
            given = future if self.prepared.known_covariates else None
            predicted = forecaster.predict(  # type: ignore[call-arg]
                horizon, quantiles=quantiles, future=given
            )
        else:
            predicted = forecaster.predict(horizon, quantiles=quantiles)
        keys = future[["unique_id", "ds"]]
        return keys.merge(predicted, on=["unique_id", "ds"], how="left", validate="one_to_one")

    def _steps(self, future: pd.DataFrame, ends_by_series: pd.Series, data: str) -> Any:
        """Periods after its series' origin of each row; errors for rows outside
        ``1..forecast_horizon``."""
        import numpy as np
        import pandas as pd

        from forecasting import ForecastingError
        from forecasting._frequency import offset_of

        ends = pd.DatetimeIndex(ends_by_series.reindex(future["unique_id"].to_numpy()))
        offset = offset_of(self.freq)
        horizon = self.horizon
        stamps = pd.DatetimeIndex(future["ds"])
        steps = np.zeros(len(future), dtype=np.int64)
        for k in range(1, horizon + 1):
            steps[(stamps == ends + k * offset) & (steps == 0)] = k
        bad = np.flatnonzero(steps == 0)
        if len(bad):
            row = int(bad[0])
            series = future["unique_id"].iloc[row]
            end = ends[row]
            where = (
                f"at or before the end of its {data}"
                if stamps[row] <= end
                else f"past the forecast horizon of {horizon} period(s)"
            )
            raise ForecastingError(
                f"`X_future` asks series {series!r} for {stamps[row]}, {where} ({end} is its "
                f"last known period; the model forecasts the {horizon} period(s) after it, "
                f"forecast_horizon={horizon}); {len(bad)} such row(s). Ask only those periods, "
                "give the actuals before them as recent actuals, or fit again with a longer "
                "`forecast_horizon`"
            )
        return steps

    def __repr__(self) -> str:
        return (
            f"ForecastingPipeline(algorithm={self.algorithm!r}, "
            f"forecast_horizon={self.forecast_horizon}, freq={self.freq!r})"
        )
