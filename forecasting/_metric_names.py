"""The forecasting metrics by name: full names, goals, short aliases, quantile columns.

Azure's forecasting set comes first (``normalized_root_mean_squared_error``,
``normalized_mean_absolute_error``, ``r2_score``, ``spearman_correlation``), then the errors
in the target's units, MASE, sMAPE, MAPE and the weighted quantile loss. Definitions are in
:mod:`forecasting._metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from forecasting._errors import ForecastingError, closest_hint

__all__ = [
    "FORECAST_METRICS",
    "MAE",
    "MAPE",
    "MASE",
    "METRIC_ALIASES",
    "METRIC_GOALS",
    "NMAE",
    "NRMSE",
    "R2",
    "RMSE",
    "SMAPE",
    "SPEARMAN",
    "WQL",
    "quantile_column",
    "resolve_metrics",
]

NRMSE = "normalized_root_mean_squared_error"
NMAE = "normalized_mean_absolute_error"
R2 = "r2_score"
SPEARMAN = "spearman_correlation"
RMSE = "root_mean_squared_error"
MAE = "mean_absolute_error"
MASE = "mean_absolute_scaled_error"
SMAPE = "symmetric_mean_absolute_percentage_error"
MAPE = "mean_absolute_percentage_error"
WQL = "weighted_quantile_loss"

FORECAST_METRICS: tuple[str, ...] = (NRMSE, NMAE, R2, SPEARMAN, RMSE, MAE, MASE, SMAPE, MAPE, WQL)
"""Every metric :func:`forecast_metrics` knows, Azure's forecasting set first."""

METRIC_GOALS: dict[str, Literal["maximize", "minimize"]] = {
    name: ("maximize" if name in (R2, SPEARMAN) else "minimize") for name in FORECAST_METRICS
}
"""Whether a higher (``"maximize"``) or lower (``"minimize"``) value is better, per metric."""

METRIC_ALIASES: dict[str, str] = {
    "nrmse": NRMSE,
    "nmae": NMAE,
    "r2": R2,
    "spearman": SPEARMAN,
    "rmse": RMSE,
    "mae": MAE,
    "mase": MASE,
    "smape": SMAPE,
    "mape": MAPE,
    "wql": WQL,
}
"""Short names accepted in ``metrics=``; results are always keyed by the full name."""


def quantile_column(q: float) -> str:
    """The forecast column holding quantile ``q``: ``"q"`` + the shortest repr of ``q``.

    Example:
        >>> quantile_column(0.1), quantile_column(0.5), quantile_column(0.025)
        ('q0.1', 'q0.5', 'q0.025')
    """
    return f"q{float(q):g}"


def resolve_metrics(metrics: Sequence[str] | None, quantiles: Sequence[float] | None) -> list[str]:
    """The full names of ``metrics`` (None: every metric, the weighted quantile loss only
    with ``quantiles``), without repeats, or an error naming the unknown one."""
    if metrics is None:
        return [name for name in FORECAST_METRICS if name != WQL or quantiles is not None]
    if isinstance(metrics, str):
        raise ForecastingError(f"`metrics` must be a sequence of metric names, got {metrics!r}")
    names: list[str] = []
    for name in metrics:
        full = METRIC_ALIASES.get(name, name)
        if full not in METRIC_GOALS:
            valid = ", ".join(repr(n) for n in (*FORECAST_METRICS, *METRIC_ALIASES))
            hint = closest_hint(str(name), [*FORECAST_METRICS, *METRIC_ALIASES])
            raise ForecastingError(f"`metrics` must hold names among {valid}, got {name!r}{hint}")
        if full == WQL and quantiles is None:
            raise ForecastingError(
                f"`quantiles` must be given to score {WQL!r}, got None "
                "(pass the quantiles of the forecast's quantile columns)"
            )
        if full not in names:
            names.append(full)
    return names
