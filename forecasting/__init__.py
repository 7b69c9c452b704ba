"""Time-series forecasting: parameters, data preparation, rolling-origin validation, features,
metrics and forecasters.

What is specific to time series lives here (DESIGN.md, "Forecasting in this layering");
``automl`` composes it with the controller, the policies and the model zoo. Importing the
package is cheap: the public names below load on first access.

Example:
    >>> from forecasting import ForecastingParameters, prepare_panel  # doctest: +SKIP
    >>> params = ForecastingParameters("date", forecast_horizon=12)  # doctest: +SKIP
    >>> prepared = prepare_panel(frame, "sales", params)  # doctest: +SKIP
    >>> prepared.guardrails, prepared.freq, prepared.panel.head()  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forecasting._errors import ForecastingError
    from forecasting._features import FeatureBuilder
    from forecasting._frequency import (
        canonical_freq,
        infer_panel_freq,
        infer_series_freq,
        seasonality_for,
    )
    from forecasting._future import prepare_future
    from forecasting._metrics import (
        FORECAST_METRICS,
        METRIC_GOALS,
        forecast_metrics,
        owa,
        score_forecast,
    )
    from forecasting._parameters import ForecastingParameters
    from forecasting._prepare import PreparedPanel, prepare_panel
    from forecasting._scaling import SeriesScaler
    from forecasting._short_series import minimum_series_length
    from forecasting._splits import Fold, rolling_origin_folds

_EXPORTS = {
    "FORECAST_METRICS": "forecasting._metrics",
    "FeatureBuilder": "forecasting._features",
    "Fold": "forecasting._splits",
    "ForecastingError": "forecasting._errors",
    "ForecastingParameters": "forecasting._parameters",
    "METRIC_GOALS": "forecasting._metrics",
    "PreparedPanel": "forecasting._prepare",
    "SeriesScaler": "forecasting._scaling",
    "canonical_freq": "forecasting._frequency",
    "forecast_metrics": "forecasting._metrics",
    "infer_panel_freq": "forecasting._frequency",
    "infer_series_freq": "forecasting._frequency",
    "minimum_series_length": "forecasting._short_series",
    "owa": "forecasting._metrics",
    "prepare_future": "forecasting._future",
    "prepare_panel": "forecasting._prepare",
    "rolling_origin_folds": "forecasting._splits",
    "score_forecast": "forecasting._metrics",
    "seasonality_for": "forecasting._frequency",
}

__all__ = [
    "FORECAST_METRICS",
    "METRIC_GOALS",
    "FeatureBuilder",
    "Fold",
    "ForecastingError",
    "ForecastingParameters",
    "PreparedPanel",
    "SeriesScaler",
    "canonical_freq",
    "forecast_metrics",
    "infer_panel_freq",
    "infer_series_freq",
    "minimum_series_length",
    "owa",
    "prepare_future",
    "prepare_panel",
    "rolling_origin_folds",
    "score_forecast",
    "seasonality_for",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'forecasting' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
