"""The multi-step strategies of the global regression forecaster, on scaled series.

``"recursive"``: one model of the next period; forecasts roll forward one period at a time for
all series at once, each prediction fed back as the latest target. ``"direct"``: one model per
step ``h = 1..horizon``, each trained on features taken ``h`` periods before its target; a
forecast asks model ``h`` for step ``h`` from the origin's features.

:class:`ScaledPanel` holds the modelled series with their target scaled and the period index of
every row; :func:`history_buffer` cuts the targets known at any origin of any series from it,
and :func:`rollout` forecasts from such a buffer with either strategy. The conformal quantiles
(:mod:`._conformal`) forecast from past origins the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from forecasting._features import FeatureBuilder, HistoryBuffer

__all__ = ["STRATEGIES", "ScaledPanel", "history_buffer", "rollout"]

STRATEGIES = ("recursive", "direct")
"""The multi-step strategies, in default order."""


@dataclass(frozen=True)
class ScaledPanel:
    """The modelled series of the panel, scaled, with the period index of every row.

    Attributes:
        frame: The rows (``unique_id``, ``ds``, ``y`` scaled, covariates), series after series.
        y: The scaled targets.
        t: Each row's period index on the feature builder's grid.
        starts: Each series' first row.
        lengths: Each series' number of rows.
        position: Each row's position within its series.
    """

    frame: pd.DataFrame
    y: np.ndarray
    t: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    position: np.ndarray


def history_buffer(
    scaled: ScaledPanel, series: np.ndarray, origins: np.ndarray, lookback: int, ids: np.ndarray
) -> HistoryBuffer:
    """The last ``lookback`` scaled targets before each origin (points known) of ``series``,
    labelled ``ids``."""
    from forecasting._features import HistoryBuffer

    last = scaled.starts[series] + origins  # one past the last known row
    window = last[:, None] - lookback + np.arange(lookback)[None, :]
    return HistoryBuffer(
        np.asarray(ids, dtype=object), scaled.y[window], scaled.t[last - 1].astype(np.int64)
    )


def rollout(
    models: list[Any],
    builder: FeatureBuilder,
    buffer: HistoryBuffer,
    future: pd.DataFrame,
    horizon: int,
    strategy: str,
) -> np.ndarray:
    """Scaled forecasts (buffer series, step): recursive feeds each step back into the buffer,
    direct asks model ``h`` for step ``h``. ``future`` holds the periods in buffer order, then
    by time."""
    result = np.empty((len(buffer.ids), horizon))
    for step in range(1, horizon + 1):
        rows = future.iloc[step - 1 :: horizon]
        if strategy == "recursive":
            X = builder.features_at(buffer, rows, strategy="recursive")
            values = np.asarray(models[0].predict(X.to_numpy(dtype=np.float64)), dtype=float)
            buffer = buffer.append(values.reshape(-1))
        else:
            X = builder.features_at(buffer, rows, strategy="direct")
            values = np.asarray(models[step - 1].predict(X.to_numpy(dtype=np.float64)), dtype=float)
        result[:, step - 1] = values.reshape(-1)
    return result
