"""Statistical forecasters given recent actuals: fitted statsforecast models run over a longer
history, without refitting.

statsforecast's models with parameters (AutoETS, AutoARIMA, AutoTheta, MSTL, Naive,
SeasonalNaive, ...) offer ``forward(y, h, level)``: the fitted parameters applied to a new
series, here the training series extended by its recent actuals. The window averages
(HistoricAverage, SeasonalWindowAverage, and MSTL over HistoricAverage) have no parameters and
no ``forward``: their ``forecast`` on the extended series is the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Forwarded", "forward_group"]


class Forwarded:
    """A fitted statsforecast model answering ``predict`` from the extended history ``y``."""

    def __init__(self, fitted: Any, y: np.ndarray) -> None:
        self.fitted = fitted
        self.y = y

    def predict(
        self, h: int, X: np.ndarray | None = None, level: Sequence[float] | None = None
    ) -> dict[str, Any]:
        kwargs = {} if level is None else {"level": list(level)}
        if _forwardable(self.fitted):
            result: dict[str, Any] = self.fitted.forward(y=self.y, h=h, **kwargs)
        else:  # parameter-free (window averages, MSTL over one): its forecast of the series
            result = self.fitted.new().forecast(y=self.y, h=h, **kwargs)
        return result


def _forwardable(model: Any) -> bool:
    """Whether ``model`` (and the trend model of an MSTL) has ``forward``."""
    trend = getattr(model, "trend_forecaster", None)
    return hasattr(model, "forward") and (trend is None or hasattr(trend, "forward"))


def forward_group(
    fitted_models: np.ndarray,
    rows: np.ndarray,
    history: list[np.ndarray],
    values: Mapping[int, np.ndarray],
) -> None:
    """Point the fitted models (statsforecast's ``fitted_``, one ``_Guarded`` per series of a
    group in ``rows`` order) of the series in ``values`` at their extended history, and extend
    ``history`` in place."""
    for k, row in enumerate(rows):
        extra = values.get(int(row))
        if extra is None:
            continue
        history[k] = np.concatenate([history[k], extra])
        guarded = fitted_models[k, 0]
        base = guarded.fitted_
        if isinstance(base, Forwarded):
            base = base.fitted
        guarded.fitted_ = Forwarded(base, history[k])
