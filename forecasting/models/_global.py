"""A global forecaster: any scikit-learn regressor, trained on all series at once.

:class:`GlobalRegressionForecaster` (registry name ``GlobalRegressor``) scales each series,
turns the panel into one feature row per (series, period) with
:class:`~forecasting._features.FeatureBuilder` (target lags, rolling windows, calendar parts,
holidays, Fourier terms, known covariates) and trains one regressor on the rows of every series
together. The rows at a series' start, whose lags reach before its first point, are dropped.

**Strategies** (:mod:`._global_strategies`): ``"recursive"`` (one model of the next period,
each prediction fed back) or ``"direct"`` (one model per step; costs ``horizon`` fits).
**Automatic settings** (``"auto"``): see :mod:`._global_settings`.

**Seasonal differencing** (``differencing="seasonal"``): the model learns the change over one
season and its forecasts are integrated back (:mod:`._differencing`).

**Short series** (reported in :attr:`~forecasting.models.Forecaster.fallbacks`, never raised):
a series shorter than :meth:`GlobalRegressionForecaster.min_length` (the largest lag or window
plus one point, plus ``horizon - 1`` for the direct strategy, so that it gives every step a
training row) is forecast by :class:`~forecasting.models.Naive`. When no series is long enough,
or all of them together give fewer than ``min_train_rows`` training rows, every series gets
Naive. A series whose global forecast comes out non-finite gets Naive's too (reported when
:meth:`~GlobalRegressionForecaster.predict` finds it).

**Quantiles** are conformal, from the model's own errors ``h`` steps ahead in scaled units
(:mod:`._conformal`). With ``calibration="holdout"`` (default) the errors come from a second
model trained on the series cut ``horizon + W - 1`` points before their end (``horizon`` points
with ``W = 1`` if that leaves too few rows), so they are out of sample; it doubles the training
cost. The per-series scaling is the fitted model's, learnt on the whole series. With
``"in_sample"``, or series too short to hold that much out, the fitted model forecasts windows
it was trained on (cheaper, narrower bands). With no window at all, the bands are Naive's
widths around the global forecast. :attr:`GlobalRegressionForecaster.calibration_report` says
which happened.

**Known covariates** (``known_covariates``: numeric columns of the panel whose future values
are known) are features at their own timestamps: :meth:`GlobalRegressionForecaster.predict`
then needs ``future=``, a frame with ``unique_id``, ``ds`` and those columns for every period to
forecast (what :func:`forecasting.prepare_future` returns). Other panel columns are ignored,
and so is the series identity: the model sees only features of the data.

**Recent actuals** (:meth:`~forecasting.models.Forecaster.with_recent`): the history buffer
rolls past them, so the next forecast's lags and windows read them; nothing is refitted.

Same data, same regressor (and seed) give the same forecasts. Errors of the regressor itself
propagate. The regressor is cloned (``sklearn.base.clone``, else a deep copy) for every fit, so
the instance given is never fitted; a factory must pickle (a function or class, not a lambda)
for the fitted forecaster to pickle. Families of regressors under their own names (LightGBM,
ElasticNet, ...) are the AutoML layer's to register, with their search spaces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting._errors import ForecastingError, describe
from forecasting.models._base import (
    FitContext,
    Forecaster,
    ForecasterInfo,
    check_int,
    forecast_arrays,
)
from forecasting.models._conformal import (
    calibration_residuals,
    calibration_windows,
    quantile_offsets,
)
from forecasting.models._differencing import (
    difference_recent,
    integrate,
    seasonal_differences,
)
from forecasting.models._future_covariates import with_future_covariates
from forecasting.models._global_settings import (
    FeatureConfig,
    auto_fourier,
    auto_rolling_windows,
    auto_target_lags,
    check_fourier,
    check_holidays_country,
    check_ints,
    check_known_covariates,
    is_regressor,
    make_regressor,
    resolve_config,
)
from forecasting.models._global_strategies import (
    STRATEGIES,
    ScaledPanel,
    history_buffer,
    rollout,
)
from forecasting.models._statistical import Naive, _check_bool, _check_option
from forecasting.models._statsforecast import IDLE_FACTOR
from search_spaces import SearchSpace, choice

if TYPE_CHECKING:
    import pandas as pd

    from forecasting._features import FeatureBuilder, HistoryBuffer

__all__ = [
    "GlobalRegressionForecaster",
    "auto_fourier",
    "auto_rolling_windows",
    "auto_target_lags",
]

ID, TIME, TARGET = "unique_id", "ds", "y"

_SCALINGS = ("mean_abs", "standard", None)
_DIFFERENCINGS = (None, "seasonal")
_CALIBRATIONS = ("holdout", "in_sample")
# Counted work (ns of one core) of the default regressor, timed once with one thread
# (HistGradientBoostingRegressor, scikit-learn 1.9, 500 to 50,000 rows, at nice 19 on a busy
# 2-core machine) and scaled by IDLE_FACTOR as the statistical models' costs are.
_TRAIN_CELL = 300.0  # per training row, feature and fit
_FIT_OVERHEAD = 1e8  # per fit
_STEP_OVERHEAD = 5e6  # per forecast step: the step's features and one predict call
_CALENDAR_FEATURES = 6


@dataclass
class _Global:
    """What the global model learnt, for the series it forecasts."""

    builder: FeatureBuilder
    models: list[Any]  # one (recursive) or one per step (direct)
    rows: np.ndarray  # position of each modelled series in the panel
    buffer: HistoryBuffer  # their last targets, scaled
    loc: np.ndarray
    scale: np.ndarray
    residuals: np.ndarray  # (windows, horizon) scaled errors h steps ahead
    levels: np.ndarray | None  # (series, m) last m targets, unscaled, when differenced


class GlobalRegressionForecaster(Forecaster):
    """One regressor trained across all series on lag, window, calendar and Fourier features.

    Args (keyword parameters, see ``param_defaults``):
        regressor: An unfitted scikit-learn-compatible regressor (``fit(X, y)``,
            ``predict(X)``), cloned for every fit, or a zero-argument factory of one (a class
            or function). None: ``HistGradientBoostingRegressor(random_state=0)``.
        strategy: ``"recursive"`` or ``"direct"`` (see the module docstring).
        target_lags: ``"auto"`` or a non-empty list of lags ``>= 1``.
        rolling_windows: ``"auto"`` or a list of window lengths (mean, min and max of each).
        calendar: Whether to add the calendar parts that vary at the frequency.
        holidays_country: An ISO code (``"US"``, ``"AU-VIC"``) for holiday features, or None.
        fourier: ``"auto"``, None, or ``(period, order)`` pairs.
        scaling: ``"mean_abs"``, ``"standard"`` or None (see
            :class:`~forecasting.SeriesScaler`), per series, learnt on the training panel.
        differencing: ``"seasonal"`` (model the change over one season, see the module
            docstring) or None.
        known_covariates: Numeric panel columns known in advance (then ``predict`` needs
            ``future``).
        min_train_rows: Fewest training rows (over all series, for the step with the fewest)
            for a global model; below it every series gets Naive.
        calibration: ``"holdout"`` or ``"in_sample"`` residuals for the quantiles.

    Search space: ``strategy``, ``scaling``, ``differencing``, ``calendar`` and ``fourier``; the
    regressor's own hyperparameters are the AutoML layer's to search. Defaults: recursive on
    seasonal differences scaled to mean 0 and variance 1 (the best of the search on the dev
    panels, see ``benchmarks/forecasting_vs_peers.py``), then recursive and direct on the
    levels.

    Example:
        >>> import numpy as np, pandas as pd
        >>> from sklearn.linear_model import Ridge
        >>> panel = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01", periods=48,
        ...     freq="MS"), "y": 10 + np.sin(np.arange(48) * np.pi / 6)})
        >>> model = GlobalRegressionForecaster(regressor=Ridge(), strategy="direct")
        >>> model.fit(panel, freq="MS", seasonality=12, horizon=3).predict(quantiles=[0.1]).shape
        (3, 4)
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="GlobalRegressor", kind="global", min_points=2, package="sklearn"
    )
    param_defaults: ClassVar[dict[str, Any]] = {
        "regressor": None,
        "strategy": "recursive",
        "target_lags": "auto",
        "rolling_windows": "auto",
        "calendar": True,
        "holidays_country": None,
        "fourier": "auto",
        "scaling": "mean_abs",
        "differencing": None,
        "known_covariates": (),
        "min_train_rows": 10,
        "calibration": "holdout",
    }

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._global: _Global | None = None
        self._naive: Naive | None = None
        self._future: pd.DataFrame | None = None
        self._calibration = ""

    # -- parameters --------------------------------------------------------------------------

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        regressor = params["regressor"]
        if regressor is not None and not is_regressor(regressor) and not callable(regressor):
            raise ForecastingError(
                "`regressor` must be a scikit-learn regressor (an object with fit and predict), "
                f"a zero-argument factory of one, or None, got {describe(regressor)}"
            )
        _check_option("strategy", params["strategy"], STRATEGIES)
        _check_option("scaling", params["scaling"], _SCALINGS)
        _check_option("differencing", params["differencing"], _DIFFERENCINGS)
        _check_option("calibration", params["calibration"], _CALIBRATIONS)
        for field, allow_empty in (("target_lags", False), ("rolling_windows", True)):
            if params[field] != "auto":
                params[field] = check_ints(field, params[field], allow_empty=allow_empty)
        params["fourier"] = check_fourier(params["fourier"])
        _check_bool("calendar", params["calendar"])
        check_holidays_country(params["holidays_country"])
        params["known_covariates"] = check_known_covariates(params["known_covariates"])
        params["min_train_rows"] = check_int("min_train_rows", params["min_train_rows"], 1)
        return params

    def search_space(self) -> SearchSpace:
        return SearchSpace(
            {
                "strategy": choice(*STRATEGIES),
                "scaling": choice(*_SCALINGS),
                "differencing": choice(*_DIFFERENCINGS),
                "calendar": choice(True, False),
                "fourier": choice("auto", None),
            }
        )

    def defaults(self) -> list[dict[str, Any]]:
        common: dict[str, Any] = {"calendar": True, "fourier": "auto"}
        differenced: dict[str, Any] = {
            "strategy": "recursive",
            "scaling": "standard",
            "differencing": "seasonal",
        }
        levels: list[dict[str, Any]] = [
            {"strategy": strategy, "scaling": "mean_abs", "differencing": None}
            for strategy in STRATEGIES
        ]
        return [{**config, **common} for config in (differenced, *levels)]

    def _config(self, seasonality: int, freq: str | None = None) -> FeatureConfig:
        params = self._params
        return resolve_config(
            params["target_lags"], params["rolling_windows"], params["fourier"], seasonality, freq
        )

    def _difference_lag(self, seasonality: int) -> int:
        """The lag of the differences (0: none)."""
        return 0 if self._params["differencing"] is None else max(seasonality, 1)

    def _last_step(self, horizon: int) -> int:
        return horizon if self._params["strategy"] == "direct" else 1

    def min_length(self, horizon: int, seasonality: int, freq: str | None = None) -> int:
        """Points a series needs for the global model: the largest lag or window, plus one,
        plus ``horizon - 1`` for the direct strategy (a training row for every step), plus
        ``m`` with seasonal differencing. ``freq`` resolves the automatic lags.

        Example:
            >>> GlobalRegressionForecaster().min_length(6, 12)  # lags up to 24
            25
            >>> GlobalRegressionForecaster(strategy="direct").min_length(6, 12)
            30
            >>> GlobalRegressionForecaster(differencing="seasonal").min_length(6, 12)
            37
        """
        lookback = self._config(seasonality, freq).lookback
        return lookback + self._last_step(horizon) + self._difference_lag(seasonality)

    def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
        """Counted work for the default regressor: training cells (rows x features) per fit,
        times ``horizon`` fits for the direct strategy and twice for the holdout calibration,
        plus the forecast steps and the Naive fitted as every series' fallback.

        Other regressors cost what the AutoML layer's cost model of that learner says; scale
        by its ratio to the default's."""
        series = check_int("n_series", n_series, 1)
        rows = check_int("n_rows", n_rows, 1)
        steps = check_int("horizon", horizon, 1)
        season = check_int("seasonality", seasonality, 1)
        config = self._config(season)
        features = (
            len(config.lags)
            + 3 * len(config.windows)
            + 2 * sum(order for _, order in config.fourier)
            + (_CALENDAR_FEATURES if self._params["calendar"] else 0)
            + len(self._params["known_covariates"])
        )
        train_rows = max(rows - series * config.lookback, series)
        fits = steps if self._params["strategy"] == "direct" else 1
        rounds = 2 if self._params["calibration"] == "holdout" else 1
        train = fits * (_FIT_OVERHEAD + _TRAIN_CELL * train_rows * max(features, 1))
        naive = Naive().cost(n_series=series, n_rows=rows, horizon=steps, seasonality=season)
        return float(IDLE_FACTOR * rounds * (train + steps * _STEP_OVERHEAD) + naive)

    # -- fit ---------------------------------------------------------------------------------

    def _fit(self, panel: pd.DataFrame, fitted: FitContext) -> None:
        self._global = None
        self._calibration = "none: every series is forecast by Naive"
        horizon, seasonality = fitted.horizon, fitted.seasonality
        self._naive = Naive().fit(panel, freq=fitted.freq, seasonality=seasonality, horizon=horizon)
        need = self.min_length(horizon, seasonality, fitted.freq)
        long = fitted.lengths >= need
        for position in np.flatnonzero(~long):
            n = int(fitted.lengths[position])
            points = "1 point" if n == 1 else f"{n} points"
            self._report_fallback(
                fitted.series_ids[position],
                f"Naive: {points}, fewer than the {need} {self.name} needs",
            )
        config = self._config(seasonality, fitted.freq)
        lag = self._difference_lag(seasonality)
        first_row = config.lookback + self._last_step(horizon) - 1 + lag
        rows = int(np.maximum(fitted.lengths[long] - first_row, 0).sum())
        if not long.any():
            return
        if rows < self._params["min_train_rows"]:
            for position in np.flatnonzero(long):
                self._report_fallback(
                    fitted.series_ids[position],
                    f"Naive: the series give {rows} training rows, fewer than "
                    f"min_train_rows={self._params['min_train_rows']}",
                )
            return
        positions = np.flatnonzero(long)
        if not lag:
            self._global = self._fit_global(panel, fitted, config, positions)
            return
        differenced, lengths = seasonal_differences(panel, fitted.lengths, lag)
        shorter = dataclasses.replace(fitted, lengths=lengths)
        self._global = self._fit_global(differenced, shorter, config, positions)
        ends = fitted.starts[positions] + fitted.lengths[positions]
        window = ends[:, None] - lag + np.arange(lag)[None, :]
        self._global.levels = panel[TARGET].to_numpy(dtype=np.float64)[window]

    def _scaled(
        self, panel: pd.DataFrame, fitted: FitContext, positions: np.ndarray
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """The rows of the modelled series, their target scaled; and each one's location and
        scale."""
        from forecasting._scaling import SeriesScaler

        chosen = np.zeros(len(fitted.lengths), dtype=bool)
        chosen[positions] = True
        data = panel if chosen.all() else panel.loc[np.repeat(chosen, fitted.lengths)]
        data = data.reset_index(drop=True)
        ids = fitted.series_ids[positions]
        if self._params["scaling"] is None:
            return data, np.zeros(len(ids)), np.ones(len(ids))
        scaler = SeriesScaler(self._params["scaling"]).fit(data)
        loc = scaler.loc_.reindex(ids).to_numpy(dtype=float)
        scale = scaler.scale_.reindex(ids).to_numpy(dtype=float)
        return scaler.transform(data), loc, scale

    def _fit_global(
        self, panel: pd.DataFrame, fitted: FitContext, config: FeatureConfig, positions: np.ndarray
    ) -> _Global:
        from forecasting._features import FeatureBuilder

        horizon = fitted.horizon
        frame, loc, scale = self._scaled(panel, fitted, positions)
        builder = FeatureBuilder(
            target_lags=config.lags,
            rolling_windows=config.windows,
            calendar=self._params["calendar"],
            holidays_country=self._params["holidays_country"],
            fourier=config.fourier,
            known_covariates=self._params["known_covariates"],
        ).fit(frame, fitted.freq)
        lengths = fitted.lengths[positions]
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        scaled = ScaledPanel(
            frame=frame,
            y=frame[TARGET].to_numpy(dtype=np.float64),
            t=builder.grid_.index(frame[TIME].to_numpy()),
            starts=starts,
            lengths=lengths,
            position=np.arange(len(frame)) - np.repeat(starts, lengths),
        )
        windows, cut = calibration_windows(
            lengths,
            need=config.lookback + self._last_step(horizon),
            horizon=horizon,
            holdout=self._params["calibration"] == "holdout",
            min_train_rows=self._params["min_train_rows"],
        )
        models, holdout = self._train(builder, scaled, config.lookback, horizon, cut)
        if holdout is None:
            holdout = models
            self._calibration = f"in_sample: {windows} window(s) per series, seen in training"
        else:
            self._calibration = f"holdout: {windows} window(s) per series, unseen in training"
        residuals = calibration_residuals(
            holdout, builder, scaled, lengths - horizon, windows, horizon, self._params["strategy"]
        )
        if len(residuals) == 0:
            self._calibration = "none: series too short for a window; Naive's widths"
        ids = fitted.series_ids[positions]
        buffer = history_buffer(scaled, np.arange(len(lengths)), lengths, config.lookback, ids)
        return _Global(builder, models, positions, buffer, loc, scale, residuals, None)

    def _train(
        self,
        builder: FeatureBuilder,
        scaled: ScaledPanel,
        lookback: int,
        horizon: int,
        cut: int | None,
    ) -> tuple[list[Any], list[Any] | None]:
        """The fitted models (one per step for direct), and those trained without the last
        ``cut`` points of each series (None when ``cut`` is None)."""
        models: list[Any] = []
        holdout: list[Any] | None = None if cut is None else []
        end = np.repeat(scaled.lengths - (cut or 0), scaled.lengths)
        spec = self._params["regressor"]
        for step in range(1, self._last_step(horizon) + 1):
            X = builder.transform(scaled.frame, step=step).to_numpy(dtype=np.float64)
            usable = scaled.position >= lookback + step - 1
            models.append(make_regressor(spec).fit(X[usable], scaled.y[usable]))
            if holdout is not None:
                keep = usable & (scaled.position < end)
                holdout.append(make_regressor(spec).fit(X[keep], scaled.y[keep]))
        return models, holdout

    def _extend(
        self, recent: pd.DataFrame, values: Mapping[int, np.ndarray], fitted: FitContext
    ) -> None:
        """Roll the history buffer (and the Naive fallback) past the recent actuals; the
        lags and windows of the next forecast read them."""
        from forecasting._features import HistoryBuffer
        from forecasting.models._recent import roll_windows

        if self._naive is not None:
            self._naive = self._naive.with_recent(recent)
        state = self._global
        if state is None:
            return
        buffer = state.buffer
        if state.levels is not None:
            values, state.levels = difference_recent(values, state.rows, state.levels)
        rolled, moved = roll_windows(buffer.values, state.rows, values, state.loc, state.scale)
        state.buffer = HistoryBuffer(buffer.ids, rolled, buffer.last_t + moved)

    # -- predict -----------------------------------------------------------------------------

    def predict(
        self,
        horizon: int | None = None,
        *,
        quantiles: Sequence[float] = (),
        future: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Forecast as :meth:`Forecaster.predict` does; ``future`` gives the known covariates.

        Args:
            horizon: Periods to forecast (None: the fitted horizon).
            quantiles: Probabilities of the quantile columns (see the module docstring).
            future: ``unique_id``, ``ds`` and the ``known_covariates`` of at least the
                periods forecast (extra rows ignored); needed only with known covariates.

        Raises:
            ForecastingError: As :meth:`Forecaster.predict`, and known covariates without
                ``future`` or with periods or values missing from it.
        """
        self._future = future
        try:
            return super().predict(horizon, quantiles=quantiles)
        finally:
            self._future = None

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        fitted = self._require_fitted()
        if self._naive is None:
            raise RuntimeError(f"{self.name} lost its Naive fallback: fit it again")
        frame = self._naive.predict(horizon, quantiles=quantiles)
        point, bounds = forecast_arrays(frame, len(fitted.series_ids), horizon, quantiles)
        state = self._global
        if state is None:
            return point, bounds
        rows = state.builder.future_rows(state.buffer, horizon)
        future = with_future_covariates(rows, self._future, self._params["known_covariates"])
        forecast = rollout(
            state.models, state.builder, state.buffer, future, horizon, self._params["strategy"]
        )
        global_point = forecast * state.scale[:, None] + state.loc[:, None]
        if len(state.residuals):
            offsets = quantile_offsets(state.residuals, horizon, quantiles)
            scaled_bounds = forecast[:, :, None] + offsets[None, :, :]
            global_bounds = scaled_bounds * state.scale[:, None, None] + state.loc[:, None, None]
        else:  # no calibration window: Naive's widths around the global forecast
            widths = bounds[state.rows] - point[state.rows][:, :, None]
            global_bounds = global_point[:, :, None] + widths
        if state.levels is not None:
            global_point, global_bounds = integrate(global_point, global_bounds, state.levels)
        finite = np.isfinite(global_point).all(axis=1) & np.isfinite(global_bounds).all(axis=(1, 2))
        for row in state.rows[~finite]:
            self._report_fallback(
                fitted.series_ids[row], f"Naive: {self.name} gave non-finite forecasts"
            )
        point[state.rows[finite]] = global_point[finite]
        bounds[state.rows[finite]] = global_bounds[finite]
        return point, bounds

    # -- fitted attributes -------------------------------------------------------------------

    @property
    def feature_names(self) -> list[str]:
        """The features the regressor sees, in column order (empty when every series fell
        back to Naive)."""
        self._require_fitted()
        return [] if self._global is None else list(self._global.builder.feature_names_)

    @property
    def calibration_report(self) -> str:
        """Where the quantiles' residuals came from: ``"holdout: ..."``, ``"in_sample: ..."``
        or ``"none: ..."`` (see the module docstring)."""
        self._require_fitted()
        return self._calibration

    @property
    def modelled_series(self) -> list[str]:
        """The series the global model forecasts (the others are in ``fallbacks``)."""
        fitted = self._require_fitted()
        if self._global is None:
            return []
        return [str(uid) for uid in fitted.series_ids[self._global.rows]]
