"""The most recent targets of each series: what lag and rolling features read at an origin.

A :class:`HistoryBuffer` is built by :meth:`forecasting.FeatureBuilder.history` from a panel
(or cut from scaled series by a forecaster) and rolls forward one period with
:meth:`HistoryBuffer.append`: a recursive forecaster appends its predictions, a forecaster
given recent actuals appends those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from forecasting._errors import ForecastingError, list_names

__all__ = ["HistoryBuffer"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class HistoryBuffer:
    """The most recent targets of each series: what lag and rolling features read.

    Attributes:
        ids: The series, in buffer order (the order of :meth:`append`'s values).
        values: Shape ``(len(ids), lookback)``: each series' last ``lookback`` targets, oldest
            first, NaN where the series is shorter.
        last_t: Period index of each series' last target (its forecast origin).
    """

    ids: NDArray[np.object_]
    values: FloatArray
    last_t: IntArray

    def append(self, values: ArrayLike | pd.Series) -> HistoryBuffer:
        """A buffer one period further: ``values`` (one per series) become the last targets.

        Args:
            values: An array in :attr:`ids` order, or a Series indexed by ``unique_id``.
        """
        if isinstance(values, pd.Series):
            ids = pd.Index(self.ids)
            if values.index.has_duplicates or not ids.isin(values.index).all():
                missing = ids[~ids.isin(values.index)]
                raise ForecastingError(
                    f"`values` must hold one value per series of the buffer, indexed by "
                    f"unique_id; missing: {list_names(missing, limit=5)}"
                )
            array = values.reindex(ids).to_numpy(dtype=np.float64)
        else:
            array = np.asarray(values, dtype=np.float64).reshape(-1)
        if array.shape != (len(self.ids),):
            raise ForecastingError(
                f"`values` must hold one value per series of the buffer ({len(self.ids)}), "
                f"got shape {array.shape}"
            )
        if self.values.shape[1] == 0:
            rolled = self.values
        else:
            rolled = np.concatenate([self.values[:, 1:], array[:, None]], axis=1)
        return HistoryBuffer(self.ids, rolled, self.last_t + 1)
