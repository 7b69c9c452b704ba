"""The parent's data prep of a forecasting fit: panel, guardrails, automatic settings, folds.

Loads the training data, runs :func:`forecasting.prepare_panel` (its guardrails go into the
result), resolves the ``"auto"`` settings and cuts the rolling origins, cached for the
children (:mod:`._folds`).

Automatic settings (Azure's rules, ``azureml.training.tabular.featurization.timeseries.
forecasting_heuristic_utils``):

- ``forecast_horizon="auto"``: one natural cycle of the frequency, :func:`auto_horizon`.
- ``n_cross_validations="auto"``: 5 origins, ``cv_step_size`` shrinking first and then the
  number of origins (down to 2) when the shortest series cannot hold them
  (:func:`auto_origins`); short-series handling then counts the minimum length with 2
  origins one period apart.
- ``cv_step_size="auto"``: :func:`forecasting._splits.auto_cv_step_size`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from automl._config_checks import AutoMLConfigError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from automl._config import AutoMLConfig
    from automl.tasks.forecasting._folds import ForecastPlan
    from automl.tasks.forecasting._models import GlobalSettings
    from forecasting import ForecastingParameters, PreparedPanel
    from trials import Workspace

__all__ = ["AUTO_ORIGINS", "PreparedForecast", "auto_horizon", "auto_origins"]

AUTO_ORIGINS = 5
"""Rolling origins ``n_cross_validations="auto"`` starts from (Azure's)."""
_MIN_AUTO_ORIGINS = 2


def auto_horizon(freq: str) -> int:
    """``forecast_horizon="auto"``: one cycle of the frequency (Azure's rule), else 1.

    Minutes: steps per hour, else per day; hours: steps per day; days: 7 (a week of ``"7D"``:
    4); weeks: 4; months: 12 / n; quarters: 4 / n; years: 1; anything else: 1.

    Example:
        >>> auto_horizon("D"), auto_horizon("MS"), auto_horizon("h"), auto_horizon("W-SUN")
        (7, 12, 24, 4)
    """
    from pandas.tseries import offsets

    from forecasting._frequency import offset_of

    offset = offset_of(freq)
    n = offset.n
    if isinstance(offset, (offsets.Minute, offsets.Hour)):
        seconds = float(offset.nanos) / 1e9
        cycles = (3600.0, 86400.0) if isinstance(offset, offsets.Minute) else (86400.0,)
        for cycle in cycles:
            if seconds < cycle and (cycle / seconds).is_integer():
                return int(cycle / seconds)
        return 1
    if isinstance(offset, offsets.Day):
        return 7 if n == 1 else 4 if n == 7 else 1
    if isinstance(offset, offsets.Week):
        return 4
    for kind, per_year in (
        ((offsets.MonthBegin, offsets.MonthEnd), 12),
        ((offsets.QuarterBegin, offsets.QuarterEnd), 4),
        ((offsets.YearBegin, offsets.YearEnd), 1),
    ):
        if isinstance(offset, kind):
            return per_year // n if per_year % n == 0 else 1
    return 1


def auto_origins(
    lengths: Sequence[int] | np.ndarray,
    *,
    horizon: int,
    step: int | str,
    freq: str,
    min_train_size: int,
) -> tuple[int, int]:
    """``n_cross_validations="auto"``: ``(origins, step)``, Azure's rule.

    Start from :data:`AUTO_ORIGINS` origins and the step ``cv_step_size`` asks (``"auto"``:
    :func:`~forecasting._splits.auto_cv_step_size` for that many origins, which shrinks it to
    what the shortest series holds); then drop origins, down to 2, until the shortest series
    that holds one fold holds them all.

    Example:
        >>> auto_origins([100, 120], horizon=6, step="auto", freq="MS", min_train_size=6)
        (5, 4)
        >>> auto_origins([20], horizon=6, step=3, freq="MS", min_train_size=6)
        (3, 3)
    """
    import numpy as np

    from forecasting._splits import auto_cv_step_size

    sizes = np.asarray(lengths, dtype=np.int64)
    usable = sizes[sizes >= horizon + min_train_size]
    shortest = int(usable.min() if usable.size else sizes.min())
    if step == "auto":
        chosen = auto_cv_step_size(
            sizes, horizon=horizon, n_folds=AUTO_ORIGINS, freq=freq, min_train_size=min_train_size
        )
    else:
        chosen = int(step)
    origins = AUTO_ORIGINS
    while origins > _MIN_AUTO_ORIGINS and shortest - horizon - (origins - 1) * chosen < (
        min_train_size
    ):
        origins -= 1
    return origins, chosen


class PreparedForecast:
    """The parent's data prep: the prepared panel, the resolved settings, the cached folds.

    Attributes:
        prepared: The :class:`forecasting.PreparedPanel` (panel, guardrails, ids, frequency).
        params: The forecasting parameters with ``forecast_horizon`` resolved.
        horizon: Periods forecast.
        plan: The cached folds' plan.
        validation: A sentence on the rolling origins.
        fingerprint: Content hash of the training data.
        source: Where the training data came from (for lineage).
    """

    def __init__(self, config: AutoMLConfig, workspace: Workspace, name: str) -> None:
        from automl._data import load_data
        from automl._prepare import data_fingerprint
        from forecasting import ForecastingParameters, prepare_panel

        params = config.forecasting_parameters
        if not isinstance(params, ForecastingParameters):
            raise AutoMLConfigError("`forecasting_parameters` must be set for task 'forecasting'")
        loaded = load_data(config.training_data, workspace=workspace)
        frame = loaded.frame
        config.check_columns(list(frame.columns))
        self.fingerprint = data_fingerprint(frame)
        self.source = dict(loaded.source)
        label = config.label_column_name
        folds_setting = config.n_cross_validations
        n_for_length = folds_setting if isinstance(folds_setting, int) else _MIN_AUTO_ORIGINS
        prepared = prepare_panel(
            frame, label, params, n_cross_validations=n_for_length, seed=config.seed
        )
        if params.forecast_horizon == "auto":
            params = dataclasses.replace(
                params, forecast_horizon=auto_horizon(prepared.freq), freq=prepared.freq
            )
            prepared = prepare_panel(
                frame, label, params, n_cross_validations=n_for_length, seed=config.seed
            )
        self.prepared: PreparedPanel = prepared
        self.params: ForecastingParameters = params
        self.horizon = int(params.forecast_horizon)
        self.plan, self.validation = self._folds(config, workspace, name)

    def _folds(
        self, config: AutoMLConfig, workspace: Workspace, name: str
    ) -> tuple[ForecastPlan, str]:
        import numpy as np

        from automl.tasks.forecasting._folds import ForecastPlan, write_folds
        from forecasting import rolling_origin_folds
        from forecasting._splits import auto_cv_step_size

        prepared, params, horizon = self.prepared, self.params, self.horizon
        panel = prepared.panel
        lengths = panel.groupby("unique_id", sort=False).size().to_numpy().astype(np.int64)
        min_train = horizon
        setting = config.n_cross_validations
        if setting == "auto" or not isinstance(setting, int):
            origins, step = auto_origins(
                lengths,
                horizon=horizon,
                step=params.cv_step_size,
                freq=prepared.freq,
                min_train_size=min_train,
            )
        else:
            origins = setting
            step = (
                params.cv_step_size
                if isinstance(params.cv_step_size, int)
                else auto_cv_step_size(
                    lengths,
                    horizon=horizon,
                    n_folds=origins,
                    freq=prepared.freq,
                    min_train_size=min_train,
                )
            )
        folds = rolling_origin_folds(
            panel, horizon=horizon, n_folds=origins, step=step, min_train_size=min_train
        )
        settings = self.global_settings(config)
        plan = ForecastPlan(
            cache_dir=str(workspace.artifact_root / "automl" / name / "folds"),
            n_folds=len(folds),
            horizon=horizon,
            step=int(step),
            freq=prepared.freq,
            seasonality=prepared.seasonality,
            quantiles=tuple(params.quantiles),
            primary_metric=str(config.primary_metric),
            seed=config.seed,
            n_series=len(prepared.series),
            n_rows=int(np.mean([len(fold.train_rows) for fold in folds])),
            settings=settings,
        )
        write_folds(panel, folds, plan, settings.known_covariates)
        notices = " ".join(fold.notice for fold in folds if fold.notice)
        validation = (
            f"Rolling-origin cross validation: {len(folds)} origin(s), {step} period(s) apart, "
            f"each forecasting {horizon} period(s) of every series"
            + ("" if setting != "auto" else " (n_cross_validations='auto', Azure's rule)")
            + "."
            + (f" {notices}" if notices else "")
        )
        return plan, validation

    def global_settings(self, config: AutoMLConfig) -> GlobalSettings:
        """What the global regressors take from the parameters and the data.

        Target lags and the rolling window: as set, or the global forecaster's automatic
        rule where ``"auto"`` or None (a global model needs lags); known covariates: the
        numeric (and boolean) ones. Not used yet: ``feature_lags`` and the covariates unknown
        at forecast time (the global forecaster has no covariate lags).
        """
        from automl.tasks.forecasting._models import GlobalSettings

        params, prepared = self.params, self.prepared
        lags = params.target_lags
        window = params.target_rolling_window_size
        cores = config.max_cores_per_iteration
        n_jobs = max(1, os.cpu_count() or 1) if cores == -1 else max(1, int(cores))
        return GlobalSettings(
            target_lags=lags if isinstance(lags, tuple) else "auto",
            rolling_windows=(window,) if isinstance(window, int) else "auto",
            holidays_country=params.country_or_region_for_holidays,
            known_covariates=_numeric_columns(prepared.panel, prepared.known_covariates),
            seed=config.seed,
            n_jobs=n_jobs,
        )


def _numeric_columns(panel: pd.DataFrame, columns: Sequence[str]) -> tuple[str, ...]:
    import pandas as pd

    return tuple(
        column
        for column in columns
        if pd.api.types.is_numeric_dtype(panel[column]) or pd.api.types.is_bool_dtype(panel[column])
    )
