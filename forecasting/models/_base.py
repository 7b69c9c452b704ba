"""The forecaster interface: one class per model, owning its search space, defaults and cost.

A :class:`Forecaster` is built with its parameters (``Naive()``, ``SeasonalAverage(
window_seasons=3)``), fitted on a panel and asked for forecasts::

    forecaster.fit(panel, freq="MS", seasonality=12, horizon=6)
    frame = forecaster.predict(quantiles=[0.1, 0.9])  # unique_id, ds, yhat, q0.1, q0.9

The panel is the canonical frame of :mod:`forecasting`: columns ``unique_id`` (str), ``ds``
(datetime64) and ``y`` (float), plus covariates, sorted by (``unique_id``, ``ds``), one row per
series per period on a regular grid (gaps filled). Local models (``info.kind == "local"``) fit
each series on its own; global models learn across series. Both forecast the ``horizon``
periods after each series' last timestamp, on ``freq``.

Like a tabular learner, a forecaster declares where to search (:meth:`Forecaster.search_space`),
which configurations to try first (:meth:`Forecaster.defaults`) and how much work a fit is
(:meth:`Forecaster.cost`, counted from sizes, never timed). Series too short for a model get a
simpler one, reported in :attr:`Forecaster.fallbacks`; nothing crashes on a short series.

Subclasses implement three hooks: ``_fit``, ``_predict`` (point forecasts and quantiles as
arrays; the base class builds the frame) and :meth:`Forecaster.cost`. ``pandas`` is imported
only when a panel is handled.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting._errors import ForecastingError, closest_hint, describe
from forecasting.models._arguments import (
    check_freq,
    check_int,
    check_panel,
    check_quantiles,
    future_timestamps,
)
from forecasting.models._info import (
    FitContext,
    ForecasterInfo,
    ForecasterKind,
    MissingDependencyError,
    NotFittedError,
    level_for_quantile,
)
from search_spaces import SearchSpace

if TYPE_CHECKING:
    from typing import Self

    import pandas as pd

__all__ = [
    "FitContext",
    "Forecaster",
    "ForecasterInfo",
    "ForecasterKind",
    "MissingDependencyError",
    "NotFittedError",
    "check_int",
    "forecast_arrays",
    "future_timestamps",
    "level_for_quantile",
]


def forecast_arrays(
    frame: pd.DataFrame, n_series: int, horizon: int, quantiles: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """A forecast frame (``yhat`` and quantile columns, series by series) as the arrays of
    :meth:`Forecaster._predict`: points ``(series, horizon)``, bounds ``(series, horizon,
    quantiles)``; how a model hands another model's forecast on (a fallback, a member)."""
    from forecasting._metrics import quantile_column

    shape = (n_series, horizon)
    point = frame["yhat"].to_numpy(dtype=float).reshape(shape)
    bounds = np.empty((*shape, len(quantiles)))
    for k, q in enumerate(quantiles):
        bounds[:, :, k] = frame[quantile_column(q)].to_numpy(dtype=float).reshape(shape)
    return point, bounds


class Forecaster(ABC):
    """A forecasting model: capabilities, parameters, search space, defaults, cost, fit, predict.

    Subclasses set :attr:`info` and :attr:`param_defaults` (every parameter with its default;
    parameter-free models leave it empty) and implement ``_fit``, ``_predict`` and
    :meth:`cost`; they override :meth:`search_space` and :meth:`defaults` when they have
    parameters worth searching, and ``_check_params`` to validate values.

    Example:
        >>> from forecasting.models import get_forecaster
        >>> model = get_forecaster("SeasonalAverage")
        >>> all(model.search_space().contains(c) for c in model.defaults())
        True
    """

    info: ClassVar[ForecasterInfo]
    param_defaults: ClassVar[Mapping[str, Any]] = {}
    """Every constructor parameter with its default value."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # ABCMeta sets __abstractmethods__ only after this hook runs: look at the methods.
        abstract = any(
            getattr(getattr(cls, name, None), "__isabstractmethod__", False) for name in dir(cls)
        )
        if abstract or cls.__name__.startswith("_"):
            return  # abstract, or a private base shared by a family
        if not isinstance(getattr(cls, "info", None), ForecasterInfo):
            raise TypeError(f"{cls.__name__}.info must be a ForecasterInfo")

    def __init__(self, **params: Any) -> None:
        full = dict(self.param_defaults)
        for key, value in params.items():
            if key not in full:
                valid = ", ".join(sorted(full)) or "none (it takes no parameters)"
                hint = closest_hint(key, full) or "."
                raise ForecastingError(
                    f"`{key}` is not a parameter of {self.info.name}{hint} Valid: {valid}"
                )
            full[key] = value
        self._params = self._check_params(full)
        self._fitted: FitContext | None = None
        self._fallbacks: dict[str, str] = {}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self._params.items())
        return f"{type(self).__name__}({args})"

    # -- identity and parameters -------------------------------------------------------------

    @property
    def name(self) -> str:
        """The model's display name (``info.name``, or a variant's, e.g. ``"STL-Theta"``)."""
        return self.info.name

    def get_params(self) -> dict[str, Any]:
        """The parameters this forecaster was built with, defaults filled in."""
        return dict(self._params)

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Validate complete parameters and return them (normalised); override to check."""
        return params

    # -- what to search ----------------------------------------------------------------------

    def search_space(self) -> SearchSpace:
        """Where a search may tune this model's parameters (empty when there is nothing to tune)."""
        return SearchSpace({})

    def defaults(self) -> list[dict[str, Any]]:
        """Strong configurations, best first, each inside :meth:`search_space` (``[{}]`` for a
        model with nothing to tune)."""
        return [{}]

    def min_length(self, horizon: int, seasonality: int) -> int:
        """The shortest series this forecaster models as itself (see ``info.min_length``)."""
        return self.info.min_length(horizon, seasonality)

    @abstractmethod
    def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
        """Counted work of fitting and predicting a panel of this size (never a timing).

        One unit is about a nanosecond of one core, as for the tabular learners, so costs
        compare across forecasters and learners.

        Args:
            n_series: Series in the panel.
            n_rows: Rows of the panel (all series together).
            horizon: Periods forecast.
            seasonality: Season length in periods (1: none).
        """

    # -- fit and predict ---------------------------------------------------------------------

    def fit(self, panel: pd.DataFrame, *, freq: str, seasonality: int, horizon: int) -> Self:
        """Fit on every series of ``panel``; forecasts start after each series' last timestamp.

        Args:
            panel: The canonical panel (``unique_id``, ``ds``, ``y`` and covariates, sorted by
                ``unique_id`` then ``ds``, gaps filled, no missing target).
            freq: The panel's pandas offset alias (``"h"``, ``"D"``, ``"MS"``, ...).
            seasonality: Season length in periods (1: no seasonality).
            horizon: The most periods :meth:`predict` will be asked for.

        Returns:
            The forecaster itself, fitted.

        Raises:
            ForecastingError: A bad panel, frequency, seasonality or horizon.
            MissingDependencyError: The model's library is not installed (the message names
                the extra to install).
        """
        import pandas as pd

        self.require()
        checked_freq = check_freq(freq)
        checked_seasonality = check_int("seasonality", seasonality, 1)
        checked_horizon = check_int("horizon", horizon, 1)
        checked = check_panel(panel)
        ids = checked["unique_id"].to_numpy()
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        lengths = np.diff(np.r_[starts, len(ids)])
        self._fitted = None
        self._fallbacks = {}
        fitted = FitContext(
            freq=checked_freq,
            seasonality=checked_seasonality,
            horizon=checked_horizon,
            series_ids=ids[starts],
            lengths=lengths,
            last_ds=pd.DatetimeIndex(checked["ds"].iloc[starts + lengths - 1]),
        )
        self._fit(checked, fitted)
        self._fitted = fitted
        return self

    def predict(
        self, horizon: int | None = None, *, quantiles: Sequence[float] = ()
    ) -> pd.DataFrame:
        """Forecast the ``horizon`` periods after each series' end.

        Args:
            horizon: Periods to forecast, at most the horizon given to :meth:`fit` (None: that
                horizon).
            quantiles: Probabilities strictly between 0 and 1; each adds a column named by
                ``forecasting.quantile_column`` (``q0.1``), in ascending order. ``0.5`` is
                the point forecast of the statistical models. Quantiles never cross.

        Returns:
            A frame with ``unique_id``, ``ds``, ``yhat`` and one column per quantile, sorted by
            ``unique_id`` then ``ds``.

        Raises:
            NotFittedError: :meth:`fit` was not called.
            ForecastingError: A horizon beyond the fitted one, bad quantiles, or quantiles
                asked of a model without them.
        """
        import pandas as pd

        from forecasting._metrics import quantile_column

        fitted = self._require_fitted()
        fit_horizon = fitted.horizon
        steps = fit_horizon if horizon is None else horizon
        if (
            isinstance(steps, bool)
            or not isinstance(steps, numbers.Integral)
            or not 1 <= steps <= fit_horizon
        ):
            raise ForecastingError(
                f"`horizon` must be an integer between 1 and {fit_horizon} (the horizon given "
                f"to fit), got {describe(horizon)}; fit again with a longer horizon"
            )
        qs = check_quantiles(quantiles)
        if qs and not self.info.supports_quantiles:
            raise ForecastingError(
                f"`quantiles` must be empty for {self.name}, which gives point forecasts only, "
                f"got {describe(quantiles)}"
            )
        point, bounds = self._predict(int(steps), qs)
        n_series = len(fitted.series_ids)
        if point.shape != (n_series, steps) or bounds.shape != (n_series, steps, len(qs)):
            raise RuntimeError(
                f"{type(self).__name__}._predict returned shapes {point.shape} and "
                f"{bounds.shape}, expected {(n_series, steps)} and {(n_series, steps, len(qs))}"
            )
        if qs:
            bounds = np.maximum.accumulate(bounds, axis=2)  # quantiles never cross
        columns: dict[str, Any] = {
            "unique_id": np.repeat(fitted.series_ids, steps),
            "ds": future_timestamps(fitted.last_ds, fitted.freq, int(steps)).ravel(),
            "yhat": point.ravel(),
        }
        for k, q in enumerate(qs):
            columns[quantile_column(q)] = bounds[:, :, k].ravel()
        return pd.DataFrame(columns)

    def with_recent(self, recent: pd.DataFrame) -> Self:
        """A copy whose forecasts start after ``recent``, the actuals observed since training.

        Nothing is refitted: statistical models run their fitted parameters over the extended
        history (statsforecast's ``forward``), global models rebuild their lags and windows
        from it. Series without recent rows keep their origin. The forecaster itself is left
        as it was.

        Args:
            recent: ``unique_id``, ``ds`` and ``y`` (covariates ignored) of the periods after
                each series' training data, without gaps: a series' first row is the period
                after its last training timestamp.

        Raises:
            NotFittedError: :meth:`fit` was not called.
            ForecastingError: A series never seen in training, a missing target, rows that
                overlap the training data, repeat a period or leave a gap, or a model that
                cannot move its origin without refitting.

        Example:
            >>> import pandas as pd
            >>> from forecasting.models import Naive
            >>> panel = pd.DataFrame({"unique_id": "a", "y": [1.0, 2.0, 3.0],
            ...                       "ds": pd.date_range("2024-01-01", periods=3)})
            >>> model = Naive().fit(panel, freq="D", seasonality=1, horizon=2)
            >>> recent = pd.DataFrame({"unique_id": "a", "ds": ["2024-01-04"], "y": [7.0]})
            >>> model.with_recent(recent).predict()["yhat"].tolist()
            [7.0, 7.0]
        """
        import copy

        from forecasting.models._recent import check_recent

        fitted = self._require_fitted()
        checked = check_recent(recent, fitted)
        moved = copy.deepcopy(self)
        moved._extend(checked.frame, checked.values, fitted)
        moved._fitted = checked.extended
        return moved

    @property
    def fallbacks(self) -> dict[str, str]:
        """Series (by ``unique_id``) not forecast by this model as asked: what was used, why.

        Example value: ``{"s3": "Naive: 5 points, fewer than the 8 ExponentialSmoothing
        needs"}``. Empty when every series got the model itself.
        """
        self._require_fitted()
        return dict(self._fallbacks)

    @property
    def last_timestamps(self) -> pd.Series:
        """Each series' last known timestamp, its forecast origin (index ``unique_id``): the
        end of training, or of the recent actuals given to :meth:`with_recent`."""
        import pandas as pd

        fitted = self._require_fitted()
        return pd.Series(
            pd.DatetimeIndex(fitted.last_ds), index=pd.Index(fitted.series_ids, name="unique_id")
        )

    @property
    def is_fitted(self) -> bool:
        """Whether :meth:`fit` has succeeded."""
        return self._fitted is not None

    # -- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _fit(self, panel: pd.DataFrame, fitted: FitContext) -> None:
        """Fit on the checked panel; ``fitted`` describes its series (panel order).

        Record series that get a fallback with :meth:`_report_fallback`.
        """

    @abstractmethod
    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Point forecasts, shape (series, horizon), and quantiles, shape (series, horizon,
        len(quantiles)), with series in the fitted panel's order and ``quantiles`` ascending."""

    def _extend(
        self, recent: pd.DataFrame, values: Mapping[int, np.ndarray], fitted: FitContext
    ) -> None:
        """Move the origin of the series in ``values`` (panel position -> recent targets,
        oldest first) past their recent rows, without refitting; ``fitted`` is the context
        before. Models that cannot override nothing and say so."""
        raise ForecastingError(
            f"{self.name} cannot move its forecast origin without refitting: forecast without "
            "recent actuals, or fit it again on the data that includes them"
        )

    def _report_fallback(self, series_id: object, what: str) -> None:
        """Record that ``series_id`` was forecast as ``what`` says (appended when repeated)."""
        key = str(series_id)
        previous = self._fallbacks.get(key)
        self._fallbacks[key] = what if previous is None else f"{previous}; {what}"

    def _require_fitted(self) -> FitContext:
        if self._fitted is None:
            raise NotFittedError(
                f"{self.name} is not fitted: call fit(panel, freq=..., seasonality=..., "
                "horizon=...) first"
            )
        return self._fitted

    @classmethod
    def available(cls) -> bool:
        """Whether the model's library can be imported (checked without importing it)."""
        try:
            return find_spec(cls.info.package) is not None
        except (ImportError, ValueError):  # a finder refusing it, or a broken install
            return False

    @classmethod
    def require(cls) -> None:
        """Raise :class:`MissingDependencyError` naming what to install when unavailable."""
        if not cls.available():
            raise MissingDependencyError(f"{cls.info.name} needs {cls.info.install_hint()}")
