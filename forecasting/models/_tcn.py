"""A global temporal convolutional network (TCN) in PyTorch, trained across all series.

:class:`TCNForecaster` (registry name ``TCN``) scales each series
(:class:`~forecasting.SeriesScaler`, learnt on the training panel), cuts every series into
windows of ``input_size`` past targets followed by ``horizon`` future ones, and trains one
network (:mod:`._tcn_network`) on the windows of every series together. It forecasts the whole
horizon at once (direct multi-step) as quantiles: one output per step and per level of
``quantile_levels``, trained with the pinball loss. The point forecast is the median (0.5 is
always a level); a quantile between two levels is interpolated linearly between them, one
outside them takes the nearest outer level. Quantiles never cross.

**Automatic settings.** ``input_size="auto"``: the longest automatic lag of the global
regression model (:func:`~forecasting.models._global_settings.auto_target_lags`: two seasons,
or up to 24 periods) and at least twice the horizon. ``num_layers="auto"``: the fewest
residual blocks whose receptive field covers the input (at most 8).

**Early stopping on the last window.** The last ``horizon`` targets of each series are kept
out of training and validate the network every 25 steps; training stops after 4 checks without
improvement (or at ``max_steps``) with the best weights. When the series are too short to keep
that window out and still give ``min_train_windows`` training windows, every window trains and
``max_steps`` steps run. :attr:`TCNForecaster.training_report` says which happened.

**Short series** (reported in :attr:`~forecasting.models.Forecaster.fallbacks`): the network
trains on the series holding at least ``input_size + horizon`` points and forecasts every
series holding ``input_size``; a shorter series is forecast by
:class:`~forecasting.models.Naive`, and so is every series when all of them give fewer than
``min_train_windows`` windows, and a series whose forecast comes out non-finite. Covariates in
the panel are ignored.

**Recent actuals** (:meth:`~forecasting.models.Forecaster.with_recent`): each series' input
window rolls past them (scaled as in training); nothing is refitted.

**Resources.** ``device="auto"`` trains on the GPU when torch sees one (a trial given a GPU by
its executor; the others see none), else on the CPU with ``n_jobs`` threads (default 1; None:
the count torch has, which the executor caps per trial). The same ``seed`` and data give the same
forecasts on CPU.

PyTorch is optional (``pip install 'openaml[torch]'``): without it the model is known
(:meth:`~forecasting.models.Forecaster.available` is False) and fitting raises
:class:`~forecasting.models.MissingDependencyError` naming the extra.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
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
from forecasting.models._global_settings import auto_target_lags
from forecasting.models._statistical import Naive, _check_option
from forecasting.models._statsforecast import IDLE_FACTOR
from search_spaces import SearchSpace, choice, loguniform

if TYPE_CHECKING:
    import pandas as pd

    from forecasting.models._tcn_config import NetworkConfig, Trained

__all__ = ["TCNForecaster"]

MAX_LAYERS = 8
EVAL_EVERY = 25
PATIENCE = 4
_SCALINGS = ("mean_abs", "standard")
_DEVICES = ("auto", "cpu", "cuda")
# Counted work (ns of one core): per multiply-add of a training step (forward and backward,
# timed once on one thread of a busy 2-core machine, torch 2.13 CPU) and per step's overhead.
_MAC_NS = 0.1
_STEP_OVERHEAD = 5.5e6


@dataclass
class _State:
    """What the network learnt, for the series it forecasts."""

    config: NetworkConfig
    trained: Trained
    rows: np.ndarray  # position of each modelled series in the panel
    inputs: np.ndarray  # (series, input_size) last scaled targets
    loc: np.ndarray
    scale: np.ndarray


def _check_number(field: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not low <= float(value) <= high
    ):
        raise ForecastingError(
            f"`{field}` must be a number between {low:g} and {high:g}, got {describe(value)}"
        )
    return float(value)


def _check_levels(value: object) -> tuple[float, ...]:
    expected = "`quantile_levels` must be a list of numbers strictly between 0 and 1"
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)) or not value:
        raise ForecastingError(f"{expected}, got {describe(value)}")
    levels = {0.5}
    for level in value:
        if (
            isinstance(level, bool)
            or not isinstance(level, numbers.Real)
            or not 0.0 < float(level) < 1.0
        ):
            raise ForecastingError(f"{expected}, got {describe(level)} in {describe(value)}")
        levels.add(float(level))
    return tuple(sorted(levels))


def _interpolate(values: np.ndarray, levels: tuple[float, ...], q: float) -> np.ndarray:
    """Quantile ``q`` of sorted level forecasts ``values`` (..., levels), linear in between."""
    grid = np.asarray(levels)
    if q <= grid[0]:
        return values[..., 0]
    if q >= grid[-1]:
        return values[..., -1]
    upper = int(np.searchsorted(grid, q))
    if grid[upper] == q:
        return values[..., upper]
    weight = (q - grid[upper - 1]) / (grid[upper] - grid[upper - 1])
    result: np.ndarray = values[..., upper - 1] * (1 - weight) + values[..., upper] * weight
    return result


class TCNForecaster(Forecaster):
    """A temporal convolutional network across all series, quantiles by the pinball loss.

    Args (keyword parameters, see ``param_defaults``):
        input_size: ``"auto"`` or the past targets a window reads (>= 2).
        channels: Channels of every convolution.
        kernel_size: Width of every convolution (>= 2).
        num_layers: ``"auto"`` or residual blocks (dilations 1, 2, 4, ...).
        dropout: Dropout probability in the blocks.
        learning_rate: Adam's learning rate.
        max_steps: Most training steps (mini-batches).
        batch_size: Windows per step.
        scaling: ``"mean_abs"`` or ``"standard"`` per series (see
            :class:`~forecasting.SeriesScaler`).
        quantile_levels: The levels the network outputs (0.5 added).
        min_train_windows: Fewest training windows for a network; below it, Naive.
        seed: Seed of the weights, dropout and batches.
        n_jobs: CPU threads while training and predicting (None: torch's current count). One
            by default: the network is small, and more threads rarely pay (an AutoML child
            passes the threads its trial was given).
        device: ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Search space: ``channels``, ``kernel_size``, ``dropout``, ``learning_rate`` and
    ``max_steps``. Default: 16 channels, kernel 3, dropout 0.1, learning rate 3e-3, 300 steps.

    Example:
        >>> import numpy as np, pandas as pd
        >>> panel = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01", periods=60,
        ...     freq="MS"), "y": 10 + np.sin(np.arange(60) * np.pi / 6)})
        >>> model = TCNForecaster(max_steps=20)
        >>> model.fit(panel, freq="MS", seasonality=12, horizon=3).predict(quantiles=[0.1]).shape
        (3, 4)
    """

    info: ClassVar[ForecasterInfo] = ForecasterInfo(
        name="TCN", kind="global", min_points=2, package="torch", extra="torch"
    )
    param_defaults: ClassVar[dict[str, Any]] = {
        "input_size": "auto",
        "channels": 16,
        "kernel_size": 3,
        "num_layers": "auto",
        "dropout": 0.1,
        "learning_rate": 3e-3,
        "max_steps": 300,
        "batch_size": 64,
        "scaling": "mean_abs",
        "quantile_levels": (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95),
        "min_train_windows": 8,
        "seed": 0,
        "n_jobs": 1,
        "device": "auto",
    }

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self._state: _State | None = None
        self._naive: Naive | None = None
        self._report = ""

    # -- parameters --------------------------------------------------------------------------

    def _check_params(self, params: dict[str, Any]) -> dict[str, Any]:
        for field, minimum in (("input_size", 2), ("num_layers", 1)):
            if params[field] != "auto":
                params[field] = check_int(field, params[field], minimum)
        for field, minimum in (
            ("channels", 1),
            ("kernel_size", 2),
            ("max_steps", 1),
            ("batch_size", 1),
            ("min_train_windows", 1),
            ("seed", 0),
        ):
            params[field] = check_int(field, params[field], minimum)
        params["dropout"] = _check_number("dropout", params["dropout"], 0.0, 0.9)
        params["learning_rate"] = _check_number("learning_rate", params["learning_rate"], 0, 1)
        params["quantile_levels"] = _check_levels(params["quantile_levels"])
        _check_option("scaling", params["scaling"], _SCALINGS)
        _check_option("device", params["device"], _DEVICES)
        if params["n_jobs"] is not None:
            params["n_jobs"] = check_int("n_jobs", params["n_jobs"], 1)
        return params

    def search_space(self) -> SearchSpace:
        return SearchSpace(
            {
                "channels": choice(16, 32, 64),
                "kernel_size": choice(2, 3, 5),
                "dropout": choice(0.0, 0.1, 0.2),
                "learning_rate": loguniform(math.log(1e-3), math.log(1e-2)),
                "max_steps": choice(150, 300, 600),
            }
        )

    def defaults(self) -> list[dict[str, Any]]:
        return [
            {
                "channels": 16,
                "kernel_size": 3,
                "dropout": 0.1,
                "learning_rate": 3e-3,
                "max_steps": 300,
            }
        ]

    def input_size(self, horizon: int, seasonality: int) -> int:
        """The past targets a window reads (see the module docstring).

        Example:
            >>> TCNForecaster().input_size(6, 12), TCNForecaster().input_size(14, 7)
            (24, 28)
        """
        if self._params["input_size"] != "auto":
            return int(self._params["input_size"])
        return max(auto_target_lags(seasonality)[-1], 2 * horizon)

    def _num_layers(self, input_size: int) -> int:
        if self._params["num_layers"] != "auto":
            return int(self._params["num_layers"])
        reach = 2 * (self._params["kernel_size"] - 1)  # receptive field grows by reach * 2**i
        layers = 1
        while 1 + reach * (2**layers - 1) < input_size and layers < MAX_LAYERS:
            layers += 1
        return layers

    def min_length(self, horizon: int, seasonality: int) -> int:
        """Points a series needs to be forecast by the network: one input window (it trains
        on the series that also hold the ``horizon`` after a window).

        Example:
            >>> TCNForecaster().min_length(6, 12)
            24
        """
        return self.input_size(horizon, seasonality)

    def _network_config(self, horizon: int, seasonality: int) -> NetworkConfig:
        from forecasting.models._tcn_config import NetworkConfig

        size = self.input_size(horizon, seasonality)
        return NetworkConfig(
            input_size=size,
            horizon=horizon,
            levels=self._params["quantile_levels"],
            channels=self._params["channels"],
            kernel_size=self._params["kernel_size"],
            num_layers=self._num_layers(size),
            dropout=self._params["dropout"],
        )

    def cost(self, *, n_series: int, n_rows: int, horizon: int, seasonality: int = 1) -> float:
        """Counted work: multiply-adds of ``max_steps`` training steps (forward and backward
        over a batch of windows), the steps' overhead, and the Naive fallback."""
        series = check_int("n_series", n_series, 1)
        rows = check_int("n_rows", n_rows, 1)
        steps = check_int("horizon", horizon, 1)
        season = check_int("seasonality", seasonality, 1)
        size = self.input_size(steps, season)
        channels, kernel = self._params["channels"], self._params["kernel_size"]
        layers = self._num_layers(size)
        outputs = steps * len(self._params["quantile_levels"])
        per_window = (
            size * kernel * channels * (1 + (2 * layers - 1) * channels)
            + (channels + size) * outputs
        )
        windows = max(rows - series * (size + steps - 1), 1)
        batch = min(self._params["batch_size"], windows)
        train = self._params["max_steps"] * (_STEP_OVERHEAD + 3 * _MAC_NS * batch * per_window)
        naive = Naive().cost(n_series=series, n_rows=rows, horizon=steps, seasonality=season)
        return float(IDLE_FACTOR * train + naive)

    # -- fit ---------------------------------------------------------------------------------

    def _fit(self, panel: pd.DataFrame, fitted: FitContext) -> None:
        from forecasting._scaling import SeriesScaler
        from forecasting.models._tcn_config import TrainConfig
        from forecasting.models._tcn_network import resolve_device, train_network

        self._state = None
        self._report = "none: every series is forecast by Naive"
        horizon, seasonality = fitted.horizon, fitted.seasonality
        self._naive = Naive().fit(panel, freq=fitted.freq, seasonality=seasonality, horizon=horizon)
        config = self._network_config(horizon, seasonality)
        need = config.input_size
        long = fitted.lengths >= need
        for position in np.flatnonzero(~long):
            n = int(fitted.lengths[position])
            self._report_fallback(
                fitted.series_ids[position],
                f"Naive: {n} point(s), fewer than the {need} {self.name} needs",
            )
        positions = np.flatnonzero(long)
        if len(positions) == 0:
            return
        chosen = np.repeat(long, fitted.lengths)
        data = panel.loc[chosen, ["unique_id", "y"]].reset_index(drop=True)
        scaler = SeriesScaler(self._params["scaling"]).fit(data)
        ids = fitted.series_ids[positions]
        loc = scaler.loc_.reindex(ids).to_numpy(dtype=float)
        scale = scaler.scale_.reindex(ids).to_numpy(dtype=float)
        values = scaler.transform(data)["y"].to_numpy(dtype=np.float32)
        windows = self._windows(values, fitted.lengths[positions], config)
        if windows is None:
            for position in positions:
                self._report_fallback(
                    fitted.series_ids[position],
                    f"Naive: the series give fewer than min_train_windows="
                    f"{self._params['min_train_windows']} training windows",
                )
            return
        device = resolve_device(self._params["device"])
        train = TrainConfig(
            learning_rate=self._params["learning_rate"],
            max_steps=self._params["max_steps"],
            batch_size=self._params["batch_size"],
            eval_every=EVAL_EVERY,
            patience=PATIENCE,
            seed=self._params["seed"],
            n_jobs=self._params["n_jobs"],
            device=device,
        )
        trained = train_network(config, train, windows)
        ends = np.cumsum(fitted.lengths[positions])
        inputs = values[ends[:, None] - config.input_size + np.arange(config.input_size)]
        self._state = _State(config, trained, positions, inputs, loc, scale)
        if len(windows.valid_starts):
            how = "stopped early" if trained.stopped_early else "ran every step"
            self._report = (
                f"early stopping on the last window: {trained.steps} step(s) on {device}, "
                f"{how}, best validation pinball loss {trained.best_valid_loss:.4g}"
            )
        else:
            self._report = (
                f"no validation window (series too short): {trained.steps} step(s) on {device}"
            )

    def _windows(self, values: np.ndarray, lengths: np.ndarray, config: NetworkConfig) -> Any:
        """Training and validation windows (the last one of each series validates when the
        others still give ``min_train_windows``); None when there are too few."""
        from forecasting.models._tcn_config import Windows

        span = config.input_size + config.horizon
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        last = starts + lengths - span  # the last window of each series
        last = last[lengths >= span]  # shorter series are forecast, not trained on
        starts = starts[lengths >= span]
        minimum = self._params["min_train_windows"]
        held = [np.arange(s, e - config.horizon + 1) for s, e in zip(starts, last, strict=True)]
        train = np.concatenate(held) if held else np.zeros(0, dtype=np.int64)
        if len(train) >= minimum:
            return Windows(values, train.astype(np.int64), last.astype(np.int64))
        every = np.concatenate([np.arange(s, e + 1) for s, e in zip(starts, last, strict=True)])
        if len(every) < minimum:
            return None
        return Windows(values, every.astype(np.int64), np.zeros(0, dtype=np.int64))

    def _extend(
        self, recent: pd.DataFrame, values: Mapping[int, np.ndarray], fitted: FitContext
    ) -> None:
        """Roll each series' input window (and the Naive fallback) past the recent actuals."""
        from forecasting.models._recent import roll_windows

        if self._naive is not None:
            self._naive = self._naive.with_recent(recent)
        state = self._state
        if state is not None:
            inputs, _ = roll_windows(state.inputs, state.rows, values, state.loc, state.scale)
            state.inputs = inputs

    # -- predict -----------------------------------------------------------------------------

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
        fitted = self._require_fitted()
        if self._naive is None:
            raise RuntimeError(f"{self.name} lost its Naive fallback: fit it again")
        frame = self._naive.predict(horizon, quantiles=quantiles)
        point, bounds = forecast_arrays(frame, len(fitted.series_ids), horizon, quantiles)
        state = self._state
        if state is None:
            return point, bounds
        self.require()
        from forecasting.models._tcn_network import predict_network, resolve_device

        scaled = predict_network(
            state.config,
            state.trained.state,
            state.inputs,
            n_jobs=self._params["n_jobs"],
            device=resolve_device(self._params["device"]),
        )
        levels = np.sort(scaled[:, :horizon], axis=2)
        values = levels * state.scale[:, None, None] + state.loc[:, None, None]
        grid = state.config.levels
        net_point = _interpolate(values, grid, 0.5)
        net_bounds = np.empty((len(state.rows), horizon, len(quantiles)))
        for k, q in enumerate(quantiles):
            net_bounds[:, :, k] = _interpolate(values, grid, q)
        finite = np.isfinite(net_point).all(axis=1) & np.isfinite(net_bounds).all(axis=(1, 2))
        for row in state.rows[~finite]:
            self._report_fallback(
                fitted.series_ids[row], f"Naive: {self.name} gave non-finite forecasts"
            )
        point[state.rows[finite]] = net_point[finite]
        bounds[state.rows[finite]] = net_bounds[finite]
        return point, bounds

    # -- fitted attributes -------------------------------------------------------------------

    @property
    def training_report(self) -> str:
        """How the network was trained: steps, device, early stopping (or why none was)."""
        self._require_fitted()
        return self._report

    @property
    def modelled_series(self) -> list[str]:
        """The series the network forecasts (the others are in ``fallbacks``)."""
        fitted = self._require_fitted()
        if self._state is None:
            return []
        return [str(uid) for uid in fitted.series_ids[self._state.rows]]
