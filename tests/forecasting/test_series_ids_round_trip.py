"""Series ids come back in the user's terms, whatever the id columns are called."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting._future import prepare_future
from forecasting._parameters import ForecastingParameters
from forecasting._prepare import prepare_panel


def test_an_id_column_named_unique_id_comes_back_in_forecasts() -> None:
    frame = pd.DataFrame({
        "unique_id": np.repeat(["a", "b"], 30),
        "date": list(pd.date_range("2020-01-01", periods=30, freq="D")) * 2,
        "y": np.arange(60.0),
    })  # fmt: skip
    params = ForecastingParameters(
        time_column_name="date", forecast_horizon=3, time_series_id_column_names=["unique_id"]
    )
    prepared = prepare_panel(frame, "y", params)
    back = prepared.to_original(prepared.panel.iloc[[0, 30]])
    assert list(back.columns) == ["unique_id", "date", "y"]
    assert list(back["unique_id"]) == ["a", "b"]
    future = frame.groupby("unique_id").tail(1).assign(date=pd.Timestamp("2020-01-31"))
    assert list(prepare_future(future.drop(columns=["y"]), prepared)["unique_id"]) == ["a", "b"]
