"""``WeightedForecaster``: a weighted combination of forecasters (a voting ensemble's model).

Greedy ensemble selection picks members and weights on the rolling-origin forecasts of a
search; this forecaster is what is refitted from them. Fitting fits every member on the same
panel; forecasts combine theirs period by period:

- the **point forecast** is the weighted mean of the members' point forecasts;
- each **quantile** is the weighted mean of the members' forecasts of that quantile (a
  combination of quantiles, not the quantile of the mixture of the members' distributions:
  simple, monotone in ``q`` because every member's quantiles are, and what the ensemble was
  selected and scored on).

Weights are normalised to sum to one. A member's fallbacks (short series) are reported as the
ensemble's, prefixed with the member's name. Known covariates reach the members that take them
through ``predict(..., future=...)``; recent actuals (``with_recent``) move every member's
forecast origin.

Example:
    >>> import numpy as np, pandas as pd
    >>> from forecasting.models import Naive, SeasonalNaive, WeightedForecaster
    >>> panel = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=14),
    ...                       "y": np.arange(14.0) % 7})
    >>> model = WeightedForecaster(members=[Naive(), SeasonalNaive()], weights=[1, 3])
    >>> model.fit(panel, freq="D", seasonality=7, horizon=2).predict()["yhat"].tolist()
    [1.5, 2.25]
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting._errors import ForecastingError, describe
from forecasting.models._base import FitContext, Forecaster, ForecasterInfo, forecast_arrays

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["WeightedForecaster"]


class WeightedForecaster(Forecaster):
    """Members' forecasts combined with fixed weights (see the module docstring).

    Args (keyword parameters):
        members: The forecasters to combine (fitted again by :meth:`fit`), at least one.
        weights: One positive weight per member; normalised to sum to 1.

    Attributes:
        info: ``name="VotingEnsemble"`` (Azure's name of the model it stands for).
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="VotingEnsemble", kind="global", min_points=1, package="numpy"
    )
    param_defaults: ClassVar[dict[str, Any]] = {"members": (), "weights": ()}

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._future: pd.DataFrame | None = None

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        members = params["members"]
        if (
            isinstance(members, (str, bytes))
            or not isinstance(members, Sequence)
            or not members
            or not all(isinstance(member, Forecaster) for member in members)
        ):
            raise ForecastingError(
                f"`members` must be a non-empty list of Forecaster objects, got {describe(members)}"
            )
        weights = params["weights"]
        expected = f"`weights` must be {len(members)} positive finite number(s), one per member"
        if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
            raise ForecastingError(f"{expected}, got {describe(weights)}")
        if len(weights) != len(members) or not all(
            not isinstance(w, bool)
            and isinstance(w, numbers.Real)
            and math.isfinite(float(w))
            and float(w) > 0
            for w in weights
        ):
            raise ForecastingError(f"{expected}, got {describe(weights)}")
        total = float(sum(float(w) for w in weights))
        params["members"] = tuple(members)
        params["weights"] = tuple(float(w) / total for w in weights)
        return params

    @property
    def members(self) -> tuple[Forecaster, ...]:
        """The member forecasters."""
        members: tuple[Forecaster, ...] = self._params["members"]
        return members

    @property
    def weights(self) -> tuple[float, ...]:
        """The members' weights, summing to 1."""
        weights: tuple[float, ...] = self._params["weights"]
        return weights

    def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
        """The members' costs added up."""
        return float(
            sum(
                member.cost(
                    n_series=n_series, n_rows=n_rows, horizon=horizon, seasonality=seasonality
                )
                for member in self.members
            )
        )

    def _fit(self, panel: pd.DataFrame, fitted: FitContext) -> None:
        for member in self.members:
            member.fit(
                panel, freq=fitted.freq, seasonality=fitted.seasonality, horizon=fitted.horizon
            )
            for series, what in member.fallbacks.items():
                self._report_fallback(series, f"{member.name}: {what}")

    def _extend(
        self, recent: pd.DataFrame, values: Mapping[int, np.ndarray], fitted: FitContext
    ) -> None:
        """Move every member's origin past the recent actuals (each without refitting)."""
        self._params["members"] = tuple(member.with_recent(recent) for member in self.members)

    def predict(
        self,
        horizon: int | None = None,
        *,
        quantiles: Sequence[float] = (),
        future: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Forecast as :meth:`Forecaster.predict` does; ``future`` (the periods' known
        covariates) is handed to the members whose ``predict`` takes it."""
        self._future = future
        try:
            return super().predict(horizon, quantiles=quantiles)
        finally:
            self._future = None

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        fitted = self._require_fitted()
        shape = (len(fitted.series_ids), horizon)
        point = np.zeros(shape)
        bounds = np.zeros((*shape, len(quantiles)))
        for member, weight in zip(self.members, self.weights, strict=True):
            if quantiles and not member.info.supports_quantiles:
                raise ForecastingError(
                    f"`quantiles` must be empty: the ensemble's member {member.name} gives point "
                    f"forecasts only, got {describe(list(quantiles))}"
                )
            frame = self._member_forecast(member, horizon, quantiles)
            ids = frame["unique_id"].to_numpy().reshape(shape)[:, 0]
            if not np.array_equal(ids, fitted.series_ids):
                raise RuntimeError(
                    f"member {member.name} forecast the series in another order than the panel"
                )
            member_point, member_bounds = forecast_arrays(frame, shape[0], horizon, quantiles)
            point += weight * member_point
            bounds += weight * member_bounds
        return point, bounds

    def _member_forecast(
        self, member: Forecaster, horizon: int, quantiles: tuple[float, ...]
    ) -> pd.DataFrame:
        if "future" in inspect.signature(member.predict).parameters:
            return member.predict(horizon, quantiles=quantiles, future=self._future)  # type: ignore[call-arg]
        return member.predict(horizon, quantiles=quantiles)

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{member!r}: {weight:.3g}"
            for member, weight in zip(self.members, self.weights, strict=True)
        )
        return f"WeightedForecaster({{{parts}}})"
