"""The rolling-origin folds of a forecasting experiment, cached for its children.

The parent cuts the prepared panel into rolling origins once and writes, per fold, the
training panel, the actuals of the validation window and the periods to forecast (with the
known covariates) to ``fold<k>.joblib`` in a folder of the experiment's artifact area; a small
``plan.json`` says what a child needs besides (horizon, frequency, seasonality, quantiles,
metric, the global regressors' settings). A child reads them by path, so nothing is sent with
a trial, and a resumed experiment reuses what is on disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl.tasks.forecasting._models import GlobalSettings, PanelSize

if TYPE_CHECKING:
    import pandas as pd

    from forecasting import Fold

__all__ = ["FoldData", "ForecastPlan", "load_fold", "load_plan", "write_folds"]

_PLAN_FILE = "plan.json"


@dataclass(frozen=True)
class ForecastPlan:
    """What a forecasting child needs to know about the cached folds (JSON-able).

    Attributes:
        cache_dir: Folder of the cached folds.
        n_folds: Number of rolling origins.
        horizon: Periods forecast from each origin.
        step: Periods between two origins.
        freq: The panel's frequency (pandas offset alias).
        seasonality: Season length in periods.
        quantiles: Quantiles forecast and scored (weighted quantile loss).
        primary_metric: The metric the search optimises.
        seed: The experiment's seed.
        n_series: Series in the panel.
        n_rows: Rows of the mean fold's training panel.
        settings: The global regressors' settings.
    """

    cache_dir: str
    n_folds: int
    horizon: int
    step: int
    freq: str
    seasonality: int
    quantiles: tuple[float, ...]
    primary_metric: str
    seed: int
    n_series: int
    n_rows: int
    settings: GlobalSettings

    @property
    def size(self) -> PanelSize:
        """The size of a fold's training panel, for spaces and costs."""
        return PanelSize(
            self.n_series, max(1, self.n_rows), self.horizon, self.seasonality, self.freq
        )


@dataclass(frozen=True, eq=False)
class FoldData:
    """One fold: its training panel, the actuals to score and the periods to forecast.

    Attributes:
        train: The canonical panel before the origin (``unique_id``, ``ds``, ``y``,
            covariates).
        actual: ``unique_id``, ``ds``, ``y`` of the validation window.
        future: ``unique_id``, ``ds`` and the known covariates of the validation window.
    """

    train: pd.DataFrame
    actual: pd.DataFrame
    future: pd.DataFrame


def _fold_path(cache_dir: str | os.PathLike[str], fold: int) -> Path:
    return Path(cache_dir) / f"fold{fold}.joblib"


def write_folds(
    panel: pd.DataFrame, folds: Sequence[Fold], plan: ForecastPlan, known: Sequence[str]
) -> None:
    """Write each fold (unless already there) and the plan to ``plan.cache_dir``."""
    import joblib

    cache = Path(plan.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    for fold in folds:
        path = _fold_path(cache, fold.index)
        if path.exists():
            continue
        valid = fold.valid(panel).reset_index(drop=True)
        data = {
            "train": fold.train(panel).reset_index(drop=True),
            "actual": valid[["unique_id", "ds", "y"]],
            "future": valid[["unique_id", "ds", *known]],
        }
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        joblib.dump(data, temporary)
        os.replace(temporary, path)
    (cache / _PLAN_FILE).write_text(json.dumps(asdict(plan)), encoding="utf-8")


def load_plan(cache_dir: str | os.PathLike[str]) -> ForecastPlan:
    """The plan written by :func:`write_folds`."""
    data: dict[str, Any] = json.loads((Path(cache_dir) / _PLAN_FILE).read_text(encoding="utf-8"))
    raw = data.pop("settings")
    settings = GlobalSettings(
        target_lags=raw["target_lags"]
        if raw["target_lags"] == "auto"
        else tuple(raw["target_lags"]),
        rolling_windows=(
            raw["rolling_windows"]
            if raw["rolling_windows"] == "auto"
            else tuple(raw["rolling_windows"])
        ),
        holidays_country=raw["holidays_country"],
        known_covariates=tuple(raw["known_covariates"]),
        seed=int(raw["seed"]),
        n_jobs=int(raw["n_jobs"]),
    )
    data["quantiles"] = tuple(float(q) for q in data["quantiles"])
    return ForecastPlan(**data, settings=settings)


def load_fold(cache_dir: str | os.PathLike[str], fold: int) -> FoldData:
    """One cached fold."""
    import joblib

    data = joblib.load(_fold_path(cache_dir, fold))
    return FoldData(data["train"], data["actual"], data["future"])
