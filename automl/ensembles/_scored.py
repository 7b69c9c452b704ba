"""Out-of-fold predictions of any shape, scored by the caller's function.

Greedy ensemble selection (:func:`~automl.ensembles.select_voting`) needs only the children's
predictions as arrays of one shape, a function that scores an (averaged) array, and which
direction is better. :class:`~automl.ensembles.EnsembleData` provides them for the tabular
metrics of :mod:`automl.metrics`; :class:`ScoredPredictions` provides them for anything else,
such as rolling-origin forecasts stacked as ``(rows, 1 + quantiles)`` arrays and scored with a
forecasting metric averaged over series and origins. The average of the arrays is taken
element-wise, so every column (a point forecast, each quantile) is the weighted mean of the
children's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ScoredPredictions", "SelectionData"]

FloatArray = NDArray[np.float64]
_GOALS = ("maximize", "minimize")


class SelectionData(Protocol):
    """What greedy ensemble selection reads (:class:`EnsembleData` and
    :class:`ScoredPredictions` provide it).

    Attributes:
        predictions: One array per child, every array of the same shape.
    """

    predictions: list[FloatArray]

    def score(self, prediction: FloatArray) -> float:
        """The metric value of an array shaped like ``predictions[j]`` (NaN: undefined)."""
        ...

    def gain(self, value: float) -> float:
        """``value`` as higher-is-better (NaN: ``-inf``)."""
        ...

    def average(self, weights: Sequence[float] | FloatArray) -> FloatArray:
        """The weighted average of the children's predictions."""
        ...


@dataclass(eq=False)
class ScoredPredictions:
    """Children's predictions, scored by ``scorer``; build it with :meth:`build`.

    Attributes:
        predictions: Each child's predictions as a float64 array (all of one shape).
        scorer: Maps an array of that shape to the metric value (NaN where undefined).
        goal: ``"minimize"`` (a loss) or ``"maximize"``.

    Example:
        >>> import numpy as np
        >>> from automl.ensembles import ScoredPredictions, select_voting
        >>> y = np.array([1.0, 2.0, 3.0])
        >>> data = ScoredPredictions.build(
        ...     [y - 1.0, y + 1.0], lambda p: float(np.abs(p - y).mean()), goal="minimize")
        >>> select_voting(data).weights, select_voting(data).score
        ((0.5, 0.5), 0.0)
    """

    predictions: list[FloatArray]
    scorer: Callable[[FloatArray], float]
    goal: Literal["maximize", "minimize"]

    @classmethod
    def build(
        cls,
        predictions: Sequence[ArrayLike],
        scorer: Callable[[FloatArray], float],
        *,
        goal: str,
    ) -> ScoredPredictions:
        """Check the predictions (finite numbers, one shape) and the goal.

        Raises:
            ValueError: No predictions, a non-numeric or non-finite array, arrays of different
                shapes, a scorer that is not callable, or a goal other than minimize/maximize.
        """
        if goal not in _GOALS:
            raise ValueError(f"`goal` must be one of {', '.join(_GOALS)}, got {goal!r}")
        if not callable(scorer):
            raise ValueError(f"`scorer` must be callable, got {type(scorer).__name__}")
        if isinstance(predictions, (str, bytes)) or not isinstance(predictions, Sequence):
            raise ValueError(
                f"`predictions` must be a sequence of arrays, got {type(predictions).__name__}"
            )
        if not predictions:
            raise ValueError("`predictions` must hold at least one array, got none")
        arrays: list[FloatArray] = []
        for index, values in enumerate(predictions):
            array = np.asarray(values)
            try:
                numbers = np.ascontiguousarray(array, dtype=np.float64)
            except (TypeError, ValueError):
                raise ValueError(
                    f"`predictions[{index}]` must be numeric, got dtype {array.dtype}"
                ) from None
            if numbers.size == 0 or not np.isfinite(numbers).all():
                raise ValueError(
                    f"`predictions[{index}]` must be a non-empty array of finite numbers, got "
                    f"{int((~np.isfinite(numbers)).sum())} NaN or infinite of {numbers.size}"
                )
            if arrays and numbers.shape != arrays[0].shape:
                raise ValueError(
                    f"`predictions[{index}]` must have the shape of `predictions[0]` "
                    f"{arrays[0].shape}, got {numbers.shape}"
                )
            arrays.append(numbers)
        return cls(arrays, scorer, goal)  # type: ignore[arg-type]

    def score(self, prediction: FloatArray) -> float:
        """The scorer's value of ``prediction`` as a float (NaN where undefined)."""
        return float(self.scorer(prediction))

    def gain(self, value: float) -> float:
        """``value`` as higher-is-better: a loss negated, NaN as ``-inf``."""
        number = float(value)
        if math.isnan(number):
            return -math.inf
        return number if self.goal == "maximize" else -number

    def average(self, weights: Sequence[float] | FloatArray) -> FloatArray:
        """The weighted average of the predictions (weights need not sum to 1)."""
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (len(self.predictions),) or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError(
                f"`weights` must be {len(self.predictions)} finite numbers with a positive "
                f"sum, got {w.tolist()!r}"
            )
        total = np.zeros_like(self.predictions[0])
        for j in np.flatnonzero(w):
            total += w[j] * self.predictions[j]
        total /= w.sum()
        return total
