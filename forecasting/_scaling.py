"""Per-series scaling of the target, so that one global model serves series of any scale.

Example:
    >>> import pandas as pd
    >>> train = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [1, 2, 1, 2],
    ...                       "y": [1.0, 3.0, 100.0, 300.0]})
    >>> scaler = SeriesScaler("mean_abs").fit(train)
    >>> scaler.transform(train)["y"].tolist()
    [0.5, 1.5, 0.5, 1.5]
    >>> forecast = pd.DataFrame({"unique_id": ["b"], "ds": [3], "yhat": [2.0]})
    >>> scaler.inverse_transform(forecast)["yhat"].tolist()
    [400.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from forecasting._errors import ForecastingError, describe, list_names
from forecasting._frame_checks import require_columns

__all__ = ["ScalingMethod", "SeriesScaler"]

FloatArray = NDArray[np.float64]
ScalingMethod = Literal["mean_abs", "standard"]
ID, TARGET = "unique_id", "y"


class SeriesScaler:
    """Scale each series by statistics of its training rows; invert on predictions.

    Args:
        method: ``"mean_abs"``: ``y / mean|y|`` (keeps zero at zero and the sign; the scaling
            of global models in GluonTS and DeepAR); ``"standard"``:
            ``(y - mean y) / std y`` (population std, ``ddof=0``).

    NaN targets are skipped. A series whose scale is 0 or undefined (all zero, constant, or
    all NaN) gets scale 1 (and, for ``"standard"``, its mean or 0 as location), and is listed
    in ``fallback_series_``.

    Fitted attributes: ``loc_`` and ``scale_`` (Series indexed by ``unique_id``),
    ``fallback_series_``.
    """

    def __init__(self, method: ScalingMethod = "mean_abs") -> None:
        self.method = method

    def fit(self, panel: pd.DataFrame, column: str = TARGET) -> SeriesScaler:
        """Learn each series' location and scale from ``panel[column]`` (training rows only)."""
        if self.method not in ("mean_abs", "standard"):
            raise ForecastingError(
                f"`method` must be 'mean_abs' or 'standard', got {describe(self.method)}"
            )
        require_columns(panel, "panel", (ID, column))
        values = panel[column].astype(np.float64)
        grouped = values.groupby(panel[ID], sort=False)
        if self.method == "mean_abs":
            scale = values.abs().groupby(panel[ID], sort=False).mean()
            loc = pd.Series(0.0, index=scale.index)
        else:
            loc = grouped.mean().fillna(0.0)
            scale = grouped.std(ddof=0)
        bad = ~(np.isfinite(scale.to_numpy()) & (scale.to_numpy() > 0))
        self.fallback_series_: list[str] = [str(s) for s in scale.index[bad]]
        self.scale_ = scale.where(~bad, 1.0).astype(np.float64)
        self.loc_ = loc.astype(np.float64)
        return self

    def transform(self, frame: pd.DataFrame, columns: Sequence[str] = (TARGET,)) -> pd.DataFrame:
        """A copy of ``frame`` with ``columns`` scaled: ``(value - loc) / scale`` per series."""
        loc, scale = self._per_row(frame, columns)
        out = frame.copy()
        for column in columns:
            out[column] = (frame[column].to_numpy(dtype=np.float64) - loc) / scale
        return out

    def fit_transform(self, panel: pd.DataFrame) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform` of the target."""
        return self.fit(panel).transform(panel)

    def inverse_transform(
        self, frame: pd.DataFrame, columns: Sequence[str] = ("yhat",)
    ) -> pd.DataFrame:
        """A copy of ``frame`` with ``columns`` (predictions, quantiles) back on each series'
        scale: ``value * scale + loc``."""
        loc, scale = self._per_row(frame, columns)
        out = frame.copy()
        for column in columns:
            out[column] = frame[column].to_numpy(dtype=np.float64) * scale + loc
        return out

    def _per_row(
        self, frame: pd.DataFrame, columns: Sequence[str]
    ) -> tuple[FloatArray, FloatArray]:
        if not hasattr(self, "scale_"):
            raise ForecastingError("`SeriesScaler` must be fitted first: call fit(panel)")
        if isinstance(columns, str):
            raise ForecastingError(f"`columns` must be a list of names, got {columns!r}")
        require_columns(frame, "frame", (ID, *columns))
        rows = self.scale_.index.get_indexer(pd.Index(frame[ID]))
        if (rows < 0).any():
            unknown = pd.unique(frame[ID].to_numpy()[rows < 0])
            raise ForecastingError(
                f"`frame` must only hold series seen in fit; unknown: "
                f"{list_names(unknown, limit=5)}"
            )
        loc: FloatArray = np.asarray(self.loc_, dtype=np.float64)[rows]
        scale: FloatArray = np.asarray(self.scale_, dtype=np.float64)[rows]
        return loc, scale
