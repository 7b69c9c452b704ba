"""``AutoMLResult.plot_forecast``: one series' history, forecast and quantile band, drawn with
matplotlib (imported only here; a clear error names the package when it is missing).

The history is the last training points the pipeline keeps (:data:`._pipeline.HISTORY_POINTS`),
then the recent actuals when given; the forecast covers the periods of ``X_future`` for the
series, or the whole horizon after its last known period; the band spans the lowest and the
highest of ``quantiles``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from automl.tasks.forecasting._pipeline import ForecastingPipeline

__all__ = ["plot_forecast", "series_uid"]

ID, TIME, TARGET = "unique_id", "ds", "y"


def series_uid(pipeline: ForecastingPipeline, series_id: object) -> str:
    """The ``unique_id`` of a series named by its id value (one id column), a tuple of id values
    (in ``time_series_id_column_names`` order), a mapping {id column: value}, or its
    ``unique_id``; None for a single series.

    Raises:
        forecasting.ForecastingError: No such series (the message shows some that exist).
    """
    from forecasting import ForecastingError

    prepared = pipeline.prepared
    ids = prepared.ids
    columns = list(prepared.id_columns)
    if series_id is None and len(ids) == 1:
        return str(ids.index[0])
    if isinstance(series_id, Mapping):
        wanted = dict(series_id)
    elif isinstance(series_id, tuple) and len(series_id) == len(columns):
        wanted = dict(zip(columns, series_id, strict=True))
    elif len(columns) == 1:
        wanted = {columns[0]: series_id}
    else:
        wanted = {}
    if wanted and set(wanted) == set(columns):
        match = (ids[columns] == [wanted[column] for column in columns]).all(axis=1)
        if match.any():
            return str(ids.index[match.to_numpy()][0])
    if series_id in set(ids.index):
        return str(series_id)
    examples = [tuple(row) if len(row) > 1 else row[0] for row in ids[columns].head(3).values]
    raise ForecastingError(
        f"`series_id` must name a series seen in training (by {', '.join(columns) or 'id'}), "
        f"got {series_id!r}; e.g. {examples}"
    )


def plot_forecast(
    pipeline: ForecastingPipeline,
    series_id: object,
    X_future: Any = None,
    *,
    quantiles: Sequence[float] | None = None,
    X_recent: Any = None,
    y_recent: Any = None,
    ax: Any = None,
) -> Any:
    """Draw one series' history, forecast and quantile band; return the matplotlib Axes.

    Args:
        pipeline: The fitted forecasting pipeline.
        series_id: The series (see :func:`series_uid`).
        X_future: The periods to forecast (as ``ForecastingPipeline.forecast``; rows of other
            series ignored). None: the whole horizon (needs no known covariates).
        quantiles: The band's quantiles (None: the pipeline's; the lowest and highest bound
            it).
        X_recent: Recent actuals, as ``ForecastingPipeline.forecast``.
        y_recent: Their values, as ``ForecastingPipeline.forecast``.
        ax: Axes to draw on (None: a new figure).

    Raises:
        automl.learners.MissingDependencyError: matplotlib is not installed.
        forecasting.ForecastingError: An unknown series, or no ``X_future`` for a model with
            known covariates (and every error of ``forecast``).
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        from automl.learners import MissingDependencyError

        raise MissingDependencyError(
            "plot_forecast needs matplotlib: pip install matplotlib"
        ) from None
    import numpy as np

    uid = series_uid(pipeline, series_id)
    forecaster = pipeline._moved(X_recent, y_recent)
    future = _future(pipeline, uid, X_future, forecaster.last_timestamps[uid])
    qs = tuple(sorted({float(q) for q in (pipeline.quantiles if quantiles is None else quantiles)}))
    data = "training data" if X_recent is None else "recent actuals"
    forecast = pipeline._predict(forecaster, future, qs, data)
    history = getattr(pipeline, "history", None)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4))
    if history is not None:
        rows = history[history[ID] == uid]
        ax.plot(rows[TIME], rows[TARGET], color="black", linewidth=1, label="history")
    if X_recent is not None:
        recent = pipeline._recent_frame(X_recent, y_recent)
        recent = recent[recent[ID] == uid]
        ax.plot(recent[TIME], recent[TARGET], color="dimgray", marker=".", label="recent actuals")
    ax.plot(forecast[TIME], forecast["yhat"], color="tab:blue", label=f"{pipeline.algorithm}")
    if len(qs) >= 1 and len(forecast):
        from forecasting._metrics import quantile_column

        low, high = quantile_column(qs[0]), quantile_column(qs[-1])
        ax.fill_between(
            forecast[TIME].to_numpy(),
            np.asarray(forecast[low], dtype=float),
            np.asarray(forecast[high], dtype=float),
            color="tab:blue",
            alpha=0.25,
            label=f"{qs[0]:g} to {qs[-1]:g} quantiles",
        )
    ax.axvline(forecaster.last_timestamps[uid], color="gray", linestyle="--", linewidth=1)
    ax.set_title(f"{_label(pipeline, uid)}: {pipeline.label_column_name}")
    ax.set_xlabel(pipeline.prepared.time_column_name)
    ax.set_ylabel(pipeline.label_column_name)
    ax.legend(loc="best")
    return ax


def _future(pipeline: ForecastingPipeline, uid: str, X_future: Any, origin: Any) -> pd.DataFrame:
    """The canonical periods to forecast for ``uid``."""
    import pandas as pd

    from forecasting import ForecastingError, prepare_future
    from forecasting._frequency import offset_of

    if X_future is not None:
        future = prepare_future(X_future, pipeline.prepared)
        future = future[future[ID] == uid].reset_index(drop=True)
        if future.empty:
            raise ForecastingError(
                f"`X_future` must hold periods of the series plotted ({_label(pipeline, uid)}), "
                "got none"
            )
        return future
    if pipeline.prepared.known_covariates:
        raise ForecastingError(
            f"`X_future` must be given to plot this model: it needs the known covariates "
            f"{list(pipeline.prepared.known_covariates)} of the periods to forecast"
        )
    offset = offset_of(pipeline.freq)
    stamps = [origin + k * offset for k in range(1, pipeline.forecast_horizon + 1)]
    return pd.DataFrame({ID: uid, TIME: pd.DatetimeIndex(stamps)})


def _label(pipeline: ForecastingPipeline, uid: str) -> str:
    prepared = pipeline.prepared
    if not prepared.id_columns:
        return "the series"
    row = prepared.ids.loc[[uid], list(prepared.id_columns)].iloc[0]
    return ", ".join(f"{column}={row[column]}" for column in prepared.id_columns)
