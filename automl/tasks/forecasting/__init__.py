"""AutoML forecasting: ``AutoMLConfig(task="forecasting", forecasting_parameters=...).fit()``.

Composes :mod:`forecasting` (panel preparation and guardrails, rolling-origin folds,
statistical and global forecasters, forecasting metrics) with the model zoo (any regression
learner as a global regressor), the controller, the policies and the registry
(DESIGN.md, "Forecasting in this layering"):

- :mod:`._checks`: what ``AutoMLConfig`` checks for the task;
- :mod:`._models`: the model catalogue (statistical forecasters, STL variants, regressors);
- :mod:`._prepare` and :mod:`._folds`: data prep, automatic settings, cached folds;
- :mod:`._searcher`: :class:`ForecastSearcher` (portfolio, then TPE over the models, the
  VotingEnsemble last);
- :mod:`._child`: the trial function (one model on every rolling origin);
- :mod:`._ensemble`: the VotingEnsemble child (greedy Caruana selection over the children's
  rolling-origin forecasts and quantiles);
- :mod:`._refit`: the best child (or the ensemble, as a weighted forecaster) refitted within
  the time left;
- :mod:`._pipeline`: :class:`ForecastingPipeline`, the fitted best model;
- :mod:`._experiment`: :func:`run_forecasting`.

The YAML ``forecasting:`` section of a ``type: automl`` job is read by :mod:`automl._yaml`.

Importing the package is cheap: the names below load on first access.

Example:
    >>> from automl import AutoMLConfig  # doctest: +SKIP
    >>> from forecasting import ForecastingParameters  # doctest: +SKIP
    >>> result = AutoMLConfig(  # doctest: +SKIP
    ...     "forecasting", training_data=df, label_column_name="sales",
    ...     forecasting_parameters=ForecastingParameters("date", forecast_horizon=14),
    ...     max_trials=20,
    ... ).fit()
    >>> result.best_model.forecast(future)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl.tasks.forecasting._experiment import run_forecasting
    from automl.tasks.forecasting._models import DEFAULT_REGRESSORS, forecast_model_names
    from automl.tasks.forecasting._pipeline import ForecastingPipeline
    from automl.tasks.forecasting._searcher import ForecastSearcher

_EXPORTS = {
    "DEFAULT_REGRESSORS": "automl.tasks.forecasting._models",
    "ForecastSearcher": "automl.tasks.forecasting._searcher",
    "ForecastingPipeline": "automl.tasks.forecasting._pipeline",
    "forecast_model_names": "automl.tasks.forecasting._models",
    "run_forecasting": "automl.tasks.forecasting._experiment",
}

__all__ = [
    "DEFAULT_REGRESSORS",
    "ForecastSearcher",
    "ForecastingPipeline",
    "forecast_model_names",
    "run_forecasting",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'automl.tasks.forecasting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
