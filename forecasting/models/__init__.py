"""Forecasting models: one class per model, a common base, and a registry by name.

Statistical models fit each series on its own with statsforecast (Naive, SeasonalNaive,
Average, SeasonalAverage, ExponentialSmoothing, AutoArima, Theta, and STL variants);
:class:`GlobalRegressionForecaster` (``GlobalRegressor``) trains any scikit-learn regressor
across all series, :class:`TCNForecaster` (``TCN``) a temporal convolutional network in PyTorch
(optional: ``pip install 'openaml[torch]'``); all share :class:`Forecaster`::

    >>> from forecasting.models import forecaster_names, get_forecaster
    >>> forecaster_names()[:4]
    ['Naive', 'SeasonalNaive', 'Average', 'SeasonalAverage']
    >>> get_forecaster("SeasonalAverage", window_seasons=2)
    SeasonalAverage(window_seasons=2)

``import forecasting.models`` imports neither pandas, statsforecast, scikit-learn nor torch;
fitting does.
"""

from forecasting.models._base import (
    FitContext,
    Forecaster,
    ForecasterInfo,
    ForecasterKind,
    MissingDependencyError,
    NotFittedError,
    level_for_quantile,
)
from forecasting.models._global import GlobalRegressionForecaster
from forecasting.models._registry import FORECASTERS, forecaster_names, get_forecaster
from forecasting.models._statistical import (
    AutoArima,
    Average,
    ExponentialSmoothing,
    Naive,
    SeasonalAverage,
    SeasonalNaive,
    Theta,
)
from forecasting.models._statsforecast import StatisticalForecaster
from forecasting.models._tcn import TCNForecaster
from forecasting.models._weighted import WeightedForecaster

__all__ = [
    "FORECASTERS",
    "AutoArima",
    "Average",
    "ExponentialSmoothing",
    "FitContext",
    "Forecaster",
    "ForecasterInfo",
    "ForecasterKind",
    "GlobalRegressionForecaster",
    "MissingDependencyError",
    "Naive",
    "NotFittedError",
    "SeasonalAverage",
    "SeasonalNaive",
    "StatisticalForecaster",
    "TCNForecaster",
    "Theta",
    "WeightedForecaster",
    "forecaster_names",
    "get_forecaster",
    "level_for_quantile",
]
