"""Tiny generated panels (seasonal, trending, seeded) and one shared forecasting fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

HORIZON = 7
STORES = ("north", "south", "east")


def daily_frame(n: int = 80, seed: int = 0, stores: tuple[str, ...] = STORES) -> pd.DataFrame:
    """Daily sales of a few stores: level, trend, a weekly season and noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, store in enumerate(stores):
        t = np.arange(n)
        sales = 20 + 5 * k + 0.1 * t + 3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, n)
        frames.append(
            pd.DataFrame(
                {
                    "store": store,
                    "date": pd.date_range("2024-01-01", periods=n, freq="D"),
                    "sales": sales,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def monthly_frame(n: int = 72, seed: int = 1) -> pd.DataFrame:
    """Monthly demand of two products with a known covariate (a promotion flag)."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, product in enumerate(("tea", "coffee")):
        t = np.arange(n)
        promo = (rng.random(n) < 0.3).astype(float)
        demand = (
            100 + 20 * k + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + 15 * promo
            + rng.normal(0, 1.0, n)
        )  # fmt: skip
        frames.append(
            pd.DataFrame(
                {
                    "product": product,
                    "month": pd.date_range("2019-01-01", periods=n, freq="MS"),
                    "promo": promo,
                    "demand": demand,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def future_frame(
    start: str = "2024-03-21", periods: int = HORIZON, stores: tuple[str, ...] = STORES
) -> pd.DataFrame:
    """The periods after :func:`daily_frame` (80 days from 2024-01-01) for every store."""
    dates = pd.date_range(start, periods=periods, freq="D")
    return pd.DataFrame({"store": np.repeat(stores, periods), "date": np.tile(dates, len(stores))})


def forecast_config(workspace: Path | str, **changes: Any) -> Any:
    from automl import AutoMLConfig
    from forecasting import ForecastingParameters

    settings: dict[str, Any] = {
        "training_data": daily_frame(),
        "label_column_name": "sales",
        "forecasting_parameters": ForecastingParameters(
            "date", forecast_horizon=HORIZON, time_series_id_column_names="store"
        ),
        "max_trials": 6,
        "n_cross_validations": 2,
        "workspace": str(workspace),
        "seed": 0,
        **changes,
    }
    return AutoMLConfig("forecasting", **settings)


@pytest.fixture(scope="session")
def forecast_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Six statistical children on three daily series, two rolling origins."""
    config = forecast_config(tmp_path_factory.mktemp("ws_forecast"), experiment_name="daily")
    return config.fit(show_output=False)
