"""The engine of the statistical forecasters: statsforecast models fitted per series, in groups.

For every series a statistical forecaster picks a :class:`Variant` (:meth:`_choose`): the model
itself, its non-seasonal form (seasonality 1, or fewer than two seasons of data), its STL form
(``use_stl``), or a simpler model for a series too short for it. Series that share a variant
are fitted together in one ``StatsForecast(models=[...], freq=..., n_jobs=1).fit(...)`` call,
so a panel whose series are all long enough is one call. Fitted models are kept:
:meth:`predict` with any horizon up to the fitted one and any quantiles is cheap.

Nothing crashes on a series: a model that raises while fitting a series is replaced for that
series by Naive (statsforecast's ``fallback_model`` idea, which it offers only in ``forecast``),
and a series whose forecast or 80 % interval comes out non-finite is refitted with Naive; both
are reported in :attr:`~forecasting.models.Forecaster.fallbacks` with the reason.

Quantiles: ``q`` is the lower bound (``q < 0.5``) or upper bound (``q > 0.5``) of
statsforecast's central ``100 * (1 - 2 * min(q, 1 - q))`` % prediction interval; ``q = 0.5``
is the point forecast. Seasonal window averages have no interval in statsforecast (only
conformal ones, which need ``2 * horizon + 1`` points and a refit per window): they get a
normal interval from their own in-sample residuals one season ahead, with the scale growing as
the square root of the number of seasons ahead (the seasonal naive's rule). A bound that still
comes out non-finite (a one-point series has no spread) equals the point forecast, and bounds
never cross it: a quantile below 0.5 is at most the point forecast, one above at least (theta's
sampled intervals of very short series can miss it otherwise).
"""

from __future__ import annotations

import functools
import math
import warnings
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from forecasting._errors import ForecastingError
from forecasting.models._base import FitContext, Forecaster, check_int, level_for_quantile

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IDLE_FACTOR",
    "STL_SEASONS",
    "Choice",
    "StatisticalForecaster",
    "Variant",
    "model_factory",
    "naive_variant",
    "statsforecast_model",
]

_ALIAS = "model"
_PROBE_LEVEL = 80.0

STL_SEASONS = 2
"""Whole seasons STL needs (statsmodels' STL wants two full periods)."""

IDLE_FACTOR = 0.5
"""Costs below were timed (statsforecast 2.1.1, one process at nice 19 on a 2-core machine busy
with a benchmark) and are halved as a rough correction to an idle core; recalibrate on an idle
machine."""

# Prediction (and the fit-time probe) per series, and per forecast step, in ns.
_PREDICT_SERIES = 1e5
_PREDICT_STEP = 1e3
# The STL decomposition of one series (statsmodels' STL), per series and per point.
_STL_SERIES = 1e6
_STL_POINT = 2e4


def statsforecast_model(class_name: str, **params: Any) -> Any:
    """A new ``statsforecast.models.<class_name>(**params)`` (statsforecast imported on use)."""
    import statsforecast.models

    return getattr(statsforecast.models, class_name)(**params)


def model_factory(class_name: str, **params: Any) -> Callable[[], Any]:
    """Builds ``statsforecast.models.<class_name>(**params)`` when called; pickles (a fitted
    forecaster is saved with joblib), unlike a lambda."""
    return functools.partial(statsforecast_model, class_name, **params)


def _stl_model(season_length: int, trend: Callable[[], Any]) -> Any:
    return statsforecast_model("MSTL", season_length=season_length, trend_forecaster=trend())


@dataclass(frozen=True)
class Variant:
    """One way of forecasting a series with statsforecast.

    Attributes:
        key: Identifies the statsforecast configuration; series with equal keys are fitted
            together.
        label: How reports name it (``"Naive"``, ``"ExponentialSmoothing without
            seasonality"``).
        make: Builds the unfitted statsforecast model.
        window_seasons: Above 0 for a seasonal window average over that many seasons (its
            intervals come from its residuals); 0 for models with native intervals.
        season_length: The season length of a seasonal window average.
    """

    key: str
    label: str
    make: Callable[[], Any]
    window_seasons: int = 0
    season_length: int = 1


@dataclass(frozen=True)
class Choice:
    """The variant for one series, and why it is not the model as asked (None when it is)."""

    variant: Variant
    reason: str | None = None


def naive_variant() -> Variant:
    """Naive: the last value repeated; fits any series of one point or more."""
    return Variant("naive", "Naive", model_factory("Naive"))


class _Guarded:
    """A statsforecast model that falls back to Naive on a series it fails to fit.

    It follows statsforecast's model protocol (``alias``, ``new``, ``fit``, ``predict``), so
    one ``StatsForecast.fit`` call fits a whole group even when a few series defeat the model.
    """

    uses_exog = False

    def __init__(self, make: Callable[[], Any]) -> None:
        self.alias = _ALIAS
        self.prediction_intervals = None
        self._make = make
        self.fitted_: Any = None
        self.failure: str | None = None

    def __repr__(self) -> str:
        return self.alias

    def new(self) -> _Guarded:
        return _Guarded(self._make)

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> _Guarded:
        try:
            self.fitted_ = self._make().fit(y=y, X=X)
        except Exception as error:  # any model error on one series: Naive for that series
            self.failure = f"{type(error).__name__}: {error}"
            self.fitted_ = statsforecast_model("Naive").fit(y=y, X=X)
        return self

    def predict(
        self, h: int, X: np.ndarray | None = None, level: Sequence[float] | None = None
    ) -> dict[str, Any]:
        kwargs = {} if level is None else {"level": list(level)}
        result: dict[str, Any] = self.fitted_.predict(h=h, X=X, **kwargs)
        return result


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's floating-point warnings from statsforecast's optimisers, and its notes
    on short series (which the fallbacks handle)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="statsforecast")
        yield


@dataclass
class _Group:
    """Series fitted together with one variant."""

    variant: Variant
    model: Any  # a fitted statsforecast.StatsForecast
    rows: np.ndarray  # each fitted series' position in the panel, in statsforecast's order
    keep: np.ndarray  # which of them this group forecasts (the others were refitted)
    scale: np.ndarray | None  # residual scale per series (seasonal window averages)
    history: list[np.ndarray]  # each fitted series' targets (extended by recent actuals)


def _points(n: int) -> str:
    return "1 point" if n == 1 else f"{n} points"


def _window_residual_scale(y: np.ndarray, season_length: int, window_seasons: int) -> float:
    """RMS of the in-sample errors of a seasonal window average, one season ahead."""
    n = len(y)
    window = min(window_seasons, (n - 1) // season_length)
    if window < 1:
        return math.nan
    start = window * season_length
    average = np.mean(
        [y[start - j * season_length : n - j * season_length] for j in range(1, window + 1)],
        axis=0,
    )
    return float(np.sqrt(np.mean((y[start:] - average) ** 2)))


class StatisticalForecaster(Forecaster):
    """A per-series statsforecast model; subclasses say which variant a series gets.

    Subclasses implement :meth:`_nonseasonal` and :meth:`_series_cost`, plus
    :meth:`_seasonal_choice` when the model has a seasonal form and :meth:`_trend_model` when
    it offers an STL variant (``info.supports_stl``); :meth:`_choose` applies the rules of the
    module docstring of :mod:`forecasting.models._statistical`.
    """

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._groups: list[_Group] = []

    @property
    def name(self) -> str:
        """``info.name``, prefixed ``STL-`` when ``use_stl`` is on."""
        return f"STL-{self.info.name}" if self._params.get("use_stl") else self.info.name

    def min_length(self, horizon: int, seasonality: int) -> int:
        """``info.min_length``, and two whole seasons for the STL variant."""
        base = self.info.min_length(horizon, seasonality)
        if self._params.get("use_stl") and seasonality > 1:
            return max(base, STL_SEASONS * seasonality)
        return base

    def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
        """Counted work: per series, :meth:`_series_cost` of the form its length allows (plus
        the STL decomposition for the STL variant), then the predictions."""
        series = check_int("n_series", n_series, 1)
        rows = check_int("n_rows", n_rows, 1)
        steps = check_int("horizon", horizon, 1)
        season = check_int("seasonality", seasonality, 1)
        n = rows / series
        seasonal = season > 1 and n >= STL_SEASONS * season
        if self._params.get("use_stl") and seasonal:
            per_series = _STL_SERIES + _STL_POINT * n + self._series_cost(n, 1)
        else:
            per_series = self._series_cost(n, season if seasonal else 1)
        per_series += 2 * (_PREDICT_SERIES + _PREDICT_STEP * steps)  # probe + predict
        return max(1.0, IDLE_FACTOR * series * per_series)

    # -- hooks -------------------------------------------------------------------------------

    @abstractmethod
    def _nonseasonal(self, n: int) -> Variant:
        """The model without seasonality (what a series too short for two seasons gets)."""

    def _seasonal_choice(self, n: int, seasonality: int) -> Choice | None:
        """The seasonal form for a series of at least ``info.min_seasons`` seasons (None: the
        model has no seasonal form)."""
        return None

    def _trend_model(self) -> Callable[[], Any]:
        """Builds the non-seasonal statsforecast model that forecasts the STL-adjusted series."""
        raise ForecastingError(
            f"`use_stl` must be False for {self.info.name}, which has no STL variant, got True; "
            "use a model with one (Naive, Average, ExponentialSmoothing, AutoArima, Theta)"
        )

    @abstractmethod
    def _series_cost(self, n: float, seasonality: int) -> float:
        """Counted work (about ns, see :data:`IDLE_FACTOR`) of fitting one series of ``n``
        points, seasonal when ``seasonality > 1``."""

    # -- per-series choice -------------------------------------------------------------------

    def _choose(self, n: int, seasonality: int) -> Choice:
        """The variant for a series of ``n`` points at this seasonality (see module docs)."""
        info = self.info
        if n < info.min_points:
            return Choice(
                naive_variant(), f"{_points(n)}, fewer than the {info.min_points} {self.name} needs"
            )
        if self._params.get("use_stl"):
            if seasonality > 1 and n >= STL_SEASONS * seasonality:
                return Choice(self._stl_variant(seasonality))
            why = (
                "STL needs a seasonality above 1"
                if seasonality == 1
                else f"STL needs {STL_SEASONS} seasons of {seasonality} points, got {n}"
            )
            return Choice(self._nonseasonal(n), why)
        if seasonality > 1 and info.min_seasons and n >= info.min_seasons * seasonality:
            choice = self._seasonal_choice(n, seasonality)
            if choice is not None:
                return choice
        plain = self._nonseasonal(n)
        if not info.min_seasons or (seasonality == 1 and not info.requires_seasonality):
            return Choice(plain)
        why = (
            "seasonality is 1"
            if seasonality == 1
            else f"{_points(n)}, fewer than {info.min_seasons} seasons of {seasonality}"
        )
        return Choice(plain, why)

    def _stl_variant(self, seasonality: int) -> Variant:
        make = functools.partial(_stl_model, seasonality, self._trend_model())
        return Variant(f"stl-{seasonality}", f"STL-{self.info.name}", make)

    # -- fit ---------------------------------------------------------------------------------

    def _fit(self, panel: pd.DataFrame, fitted: FitContext) -> None:
        self._groups = []
        by_key: dict[str, list[int]] = {}
        variants: dict[str, Variant] = {}
        for position, n in enumerate(fitted.lengths):
            choice = self._choose(int(n), fitted.seasonality)
            by_key.setdefault(choice.variant.key, []).append(position)
            variants[choice.variant.key] = choice.variant
            if choice.reason is not None:
                self._report_fallback(
                    fitted.series_ids[position], f"{choice.variant.label}: {choice.reason}"
                )
        refit: list[int] = []
        for key, positions in by_key.items():
            refit.extend(self._fit_group(panel, fitted, variants[key], np.asarray(positions)))
        if refit:
            self._fit_group(panel, fitted, naive_variant(), np.asarray(sorted(refit)))

    def _fit_group(
        self, panel: pd.DataFrame, fitted: FitContext, variant: Variant, positions: np.ndarray
    ) -> list[int]:
        """Fit ``variant`` on the series at ``positions``; return those to refit with Naive."""
        import pandas as pd
        from statsforecast import StatsForecast

        frame = _series_rows(panel, fitted, positions)
        with _quiet():
            model = StatsForecast(models=[_Guarded(variant.make)], freq=fitted.freq, n_jobs=1)
            model.fit(frame)
        rows = pd.Index(fitted.series_ids).get_indexer(pd.Index(model.uids))
        keep = np.ones(len(rows), dtype=bool)
        for k, guarded in enumerate(model.fitted_[:, 0]):
            if guarded.failure is not None:
                self._report_fallback(
                    fitted.series_ids[rows[k]],
                    f"Naive: {variant.label} failed ({guarded.failure})",
                )
        y, starts = panel["y"].to_numpy(dtype=float), fitted.starts
        history = [y[starts[row] : starts[row] + fitted.lengths[row]] for row in rows]
        scale = None
        if variant.window_seasons:
            scale = np.array(
                [
                    _window_residual_scale(series, variant.season_length, variant.window_seasons)
                    for series in history
                ]
            )
        group = _Group(variant, model, rows, keep, scale, history)
        levels = () if variant.window_seasons else (_PROBE_LEVEL,)
        point, bounds = _group_forecast(group, fitted.horizon, levels)
        finite = np.isfinite(point).all(axis=1)
        for lower, upper in bounds.values():
            finite &= np.isfinite(lower).all(axis=1) & np.isfinite(upper).all(axis=1)
        if variant.key == naive_variant().key:
            finite[:] = True  # Naive is the last resort: keep what it gives
        for row in rows[~finite]:
            self._report_fallback(
                fitted.series_ids[row], f"Naive: {variant.label} gave non-finite forecasts"
            )
        group.keep = finite
        self._groups.append(group)
        return [int(row) for row in rows[~finite]]

    def _extend(
        self, recent: pd.DataFrame, values: Mapping[int, np.ndarray], fitted: FitContext
    ) -> None:
        """Run each series' fitted model over its history extended by ``values``."""
        from forecasting.models._statsforecast_forward import forward_group

        for group in self._groups:
            forward_group(group.model.fitted_, group.rows, group.history, values)

    # -- predict -----------------------------------------------------------------------------

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        fitted = self._require_fitted()
        n_series = len(fitted.series_ids)
        point = np.full((n_series, horizon), np.nan)
        result = np.full((n_series, horizon, len(quantiles)), np.nan)
        levels = tuple(sorted({level_for_quantile(q) for q in quantiles} - {0.0}))
        steps = np.arange(1, horizon + 1)
        for group in self._groups:
            rows = group.rows[group.keep]
            native = not group.variant.window_seasons
            mean, bounds = _group_forecast(group, horizon, levels if native else ())
            mean = mean[group.keep]
            point[rows] = mean
            for k, q in enumerate(quantiles):
                level = level_for_quantile(q)
                if level == 0.0:
                    values = mean
                elif native:
                    lower, upper = bounds[level]
                    values = (lower if q < 0.5 else upper)[group.keep]
                else:
                    if group.scale is None:
                        raise RuntimeError(
                            f"{self.name}: the seasonal window average of {group.variant.label} "
                            "has no residual scale; fit it again"
                        )
                    seasons_ahead = np.sqrt(np.ceil(steps / group.variant.season_length))
                    z = NormalDist().inv_cdf(q)
                    values = mean + z * group.scale[group.keep, None] * seasons_ahead[None, :]
                values = np.where(np.isfinite(values), values, mean)
                # Sampled intervals (theta) of short series can miss the point forecast.
                clamp = np.minimum if q < 0.5 else np.maximum
                result[rows, :, k] = clamp(values, mean)
        return point, result


def _series_rows(panel: pd.DataFrame, fitted: FitContext, positions: np.ndarray) -> pd.DataFrame:
    """The ``unique_id``, ``ds`` and ``y`` rows of the series at ``positions``."""
    columns = ["unique_id", "ds", "y"]
    if len(positions) == len(fitted.lengths):
        return panel[columns]
    chosen = np.zeros(len(fitted.lengths), dtype=bool)
    chosen[positions] = True
    return panel.loc[np.repeat(chosen, fitted.lengths), columns]


def _group_forecast(
    group: _Group, horizon: int, levels: Sequence[float]
) -> tuple[np.ndarray, dict[float, tuple[np.ndarray, np.ndarray]]]:
    """Point forecasts (series, horizon) of every series of ``group``, in its order, and the
    interval bounds per level."""
    with _quiet():
        frame = group.model.predict(h=horizon, level=list(levels) or None)
    n_series = len(group.rows)
    ids = frame["unique_id"].to_numpy()[::horizon]
    if len(ids) != n_series or not np.array_equal(ids, np.asarray(group.model.uids)):
        raise RuntimeError("statsforecast returned forecasts in an unexpected order")
    shape = (n_series, horizon)
    point = frame[_ALIAS].to_numpy(dtype=float).reshape(shape)
    bounds: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    for level in levels:
        found = {}
        for column in frame.columns:
            prefix, _, value = str(column).rpartition("-")
            if prefix in (f"{_ALIAS}-lo", f"{_ALIAS}-hi") and round(float(value), 9) == level:
                found[prefix[-2:]] = frame[column].to_numpy(dtype=float).reshape(shape)
        bounds[level] = (found["lo"], found["hi"])
    return point, bounds
