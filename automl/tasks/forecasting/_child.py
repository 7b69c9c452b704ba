"""The forecasting child: one model fitted and scored on every rolling origin.

:func:`train` runs in a worker process. For each cached fold (oldest origin first) it fits
the model on the fold's training panel, forecasts the horizon with the experiment's
quantiles, and scores the forecast with every forecasting metric
(:func:`forecasting.forecast_metrics`, averaged over series). After fold ``k`` (0-based) it
reports the running mean of the primary metric at step ``k + 1``, so that an
early-termination policy can stop a hopeless child after its first origin, and stops when told
to. The out-of-fold forecasts of every origin (point and quantiles, with a ``fold`` column)
are saved as the artifact ``oof.joblib``, which the VotingEnsemble child selects over
(:mod:`._ensemble`). It returns the mean over origins of every metric, ``fit_time``
(seconds) and ``cost`` (counted work of one fold).

Global models (one model trained across all series: the global regressors and the TCN) are
fitted once, at the oldest origin, and moved to each later origin with the actuals observed
since (:meth:`~forecasting.models.Forecaster.with_recent`: their lags read them, nothing is
refitted). Their rolling-origin search then costs one fit instead of one per origin, which is
what lets a gradient-boosted global model be searched on a large panel within minutes; their
later origins are scored with a model a few horizons older than the origin, so if anything
the score is pessimistic. A model that cannot move its origin is refitted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from automl.tasks.forecasting._folds import FoldData, ForecastPlan
    from forecasting.models import Forecaster
    from trials import TrialContext

__all__ = [
    "COST",
    "FALLBACKS",
    "FITS",
    "FIT_SECONDS",
    "FIT_TIME",
    "OOF_ARTIFACT",
    "forecast_fold",
    "moved_to_origin",
    "train",
]

OOF_ARTIFACT = "oof.joblib"
"""The artifact holding a child's rolling-origin forecasts."""
FIT_TIME = "fit_time"
FITS = "fits"
"""Metric: how many fits the child made (one per origin; one in all for a global model that
moved its origin), so that a refit's time is estimated from one fit's."""
FIT_SECONDS = "fit_seconds"
"""Metric: seconds the child spent in those fits (forecasting and scoring left out)."""
COST = "cost"
FALLBACKS = "fallback_series"
"""Metric: series (summed over origins) that the model forecast with a simpler fallback."""


def forecast_fold(forecaster: Forecaster, data: FoldData, plan: ForecastPlan) -> pd.DataFrame:
    """Fit ``forecaster`` on one fold's training panel and forecast its validation window."""
    forecaster.fit(data.train, freq=plan.freq, seasonality=plan.seasonality, horizon=plan.horizon)
    return _forecast(forecaster, data, plan)


def _forecast(forecaster: Forecaster, data: FoldData, plan: ForecastPlan) -> pd.DataFrame:
    """The fitted ``forecaster``'s forecast of the fold's validation window."""
    from forecasting.models import GlobalRegressionForecaster

    if isinstance(forecaster, GlobalRegressionForecaster):
        future = data.future if plan.settings.known_covariates else None
        return forecaster.predict(quantiles=plan.quantiles, future=future)
    return forecaster.predict(quantiles=plan.quantiles)


def moved_to_origin(fitted: Forecaster, data: FoldData) -> Forecaster | None:
    """``fitted`` (a global model fitted at an earlier origin) moved to this fold's origin
    with the fold's actuals after its own; None when it cannot move (a series it never saw,
    a model that must refit)."""
    from forecasting import ForecastingError

    last = data.train["unique_id"].map(fitted.last_timestamps)
    if last.isna().any():
        return None
    recent = data.train.loc[data.train["ds"] > last, ["unique_id", "ds", "y"]]
    try:
        return fitted.with_recent(recent) if len(recent) else fitted
    except ForecastingError:
        return None


def _finite(values: Mapping[str, float]) -> dict[str, float]:
    return {name: float(value) for name, value in values.items() if math.isfinite(value)}


def train(
    params: dict[str, Any],
    ctx: TrialContext,
    *,
    cache_dir: str,
    members: list[tuple[str, str, str]] | None = None,
    time_left_s: float | None = None,
) -> dict[str, float]:
    """The trial function of a forecasting child (bound to its cache folder by the target).

    Args:
        params: ``{"learner": model name, "hyperparameters": {...}}``, or for the ensemble
            ``{"ensemble": "VotingEnsemble", "members": [trial indexes]}``.
        ctx: The trial context.
        cache_dir: Folder of the cached folds (:mod:`._folds`).
        members: For the ensemble: ``(run id, model, oof path)`` of each candidate.
        time_left_s: For the ensemble: seconds before the search's timeout (None: no limit).

    Returns:
        The mean over origins of every forecasting metric, ``fit_time``, ``cost`` and
        ``fallback_series``; only the primary metric's running mean when a policy stopped it.
    """
    from automl.tasks.forecasting._ensemble import ENSEMBLE_KEY

    if ENSEMBLE_KEY in params:
        from automl.tasks.forecasting._ensemble import run_ensemble

        return run_ensemble(ctx, cache_dir, members or [], time_left_s)
    return _train_model(params, ctx, cache_dir)


def _train_model(params: dict[str, Any], ctx: TrialContext, cache_dir: str) -> dict[str, float]:
    """One model on every rolling origin (see the module docstring)."""
    import joblib
    import numpy as np
    import pandas as pd

    from automl.tasks.forecasting._folds import load_fold, load_plan
    from automl.tasks.forecasting._models import build_forecaster, model_cost
    from forecasting import forecast_metrics

    started = time.perf_counter()
    plan = load_plan(cache_dir)
    name = str(params["learner"])
    hyperparameters = dict(params.get("hyperparameters") or {})
    metric = plan.primary_metric
    per_fold: list[dict[str, float]] = []
    forecasts: list[pd.DataFrame] = []
    fallbacks = 0
    fits, fit_seconds = 0, 0.0
    first: Forecaster | None = None  # a global model fitted at the oldest origin
    for fold in range(plan.n_folds):
        data = load_fold(cache_dir, fold)
        forecaster = None if first is None else moved_to_origin(first, data)
        if forecaster is not None:
            forecast = _forecast(forecaster, data, plan)
        else:
            forecaster = build_forecaster(name, hyperparameters, plan.settings)
            fit_started = time.perf_counter()
            forecaster.fit(
                data.train, freq=plan.freq, seasonality=plan.seasonality, horizon=plan.horizon
            )
            fits, fit_seconds = fits + 1, fit_seconds + time.perf_counter() - fit_started
            forecast = _forecast(forecaster, data, plan)
            if first is None and forecaster.info.kind == "global":
                first = forecaster
        fallbacks += len(forecaster.fallbacks)
        scores = forecast_metrics(
            data.actual,
            forecast,
            data.train,
            seasonality=plan.seasonality,
            quantiles=plan.quantiles,
        )
        per_fold.append(scores)
        forecasts.append(forecast.assign(fold=fold))
        running = float(np.nanmean([scores_.get(metric, math.nan) for scores_ in per_fold]))
        if math.isfinite(running):
            ctx.report(step=fold + 1, **{metric: running})
        if ctx.should_stop():
            return {metric: running} if math.isfinite(running) else {}
    path = ctx.artifact_dir / OOF_ARTIFACT
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"forecasts": pd.concat(forecasts, ignore_index=True)}, path)
    ctx.log_artifact(path, OOF_ARTIFACT)
    names = list(dict.fromkeys(key for scores in per_fold for key in scores))
    with np.errstate(all="ignore"):
        means = {
            key: float(np.nanmean([scores.get(key, math.nan) for scores in per_fold]))
            if any(math.isfinite(scores.get(key, math.nan)) for scores in per_fold)
            else math.nan
            for key in names
        }
    metrics = _finite(means)
    metrics[COST] = model_cost(name, hyperparameters, plan.size, plan.settings)
    metrics[FALLBACKS] = float(fallbacks)
    metrics[FITS] = float(fits)
    metrics[FIT_SECONDS] = fit_seconds
    metrics[FIT_TIME] = time.perf_counter() - started
    return metrics
