"""The TCN forecaster: fits a generated panel, beats Naive on a clean seasonal signal, ordered
quantiles, determinism, short series, parameters, and the error without PyTorch.

Networks are tiny (8 channels, 80 steps, one thread) and fitted once per module.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecasting._errors import ForecastingError
from forecasting._metrics import forecast_metrics
from forecasting.models import (
    FORECASTERS,
    Naive,
    SeasonalNaive,
    TCNForecaster,
    get_forecaster,
)

torch = pytest.importorskip("torch", reason="PyTorch missing: pip install 'openaml[torch]'")

HORIZON = 6
SEASON = 12
SMALL = {"channels": 8, "max_steps": 80, "n_jobs": 1, "device": "cpu"}


def seasonal_panel(n: int = 96, seed: int = 0, noise: float = 0.2) -> pd.DataFrame:
    """Three monthly series: different levels and phases of one yearly sine, a little noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for k in range(3):
        t = np.arange(n)
        y = 30 + 8 * k + 5 * np.sin(2 * np.pi * t / SEASON + k) + rng.normal(0, noise, n)
        ds = pd.date_range("2015-01-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def split(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    tail = panel.groupby("unique_id").cumcount(ascending=False) < HORIZON
    return panel[~tail].reset_index(drop=True), panel[tail].reset_index(drop=True)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return split(seasonal_panel())


@pytest.fixture(scope="module")
def model(data: tuple[pd.DataFrame, pd.DataFrame]) -> TCNForecaster:
    train, _ = data
    return TCNForecaster(**SMALL).fit(train, freq="MS", seasonality=SEASON, horizon=HORIZON)


def mase(forecast: pd.DataFrame, data: tuple[pd.DataFrame, pd.DataFrame]) -> float:
    train, test = data
    scores = forecast_metrics(test, forecast, train, seasonality=SEASON, metrics=["mase"])
    return scores["mean_absolute_scaled_error"]


def test_registered_as_tcn_with_its_search_space_defaults_and_cost() -> None:
    assert FORECASTERS["TCN"] is TCNForecaster
    tcn = get_forecaster("tcn")
    assert isinstance(tcn, TCNForecaster) and tcn.info.kind == "global"
    assert TCNForecaster.available()
    assert all(tcn.search_space().contains(config) for config in tcn.defaults())
    size = {"n_series": 10, "n_rows": 1000, "horizon": HORIZON, "seasonality": SEASON}
    assert 0 < TCNForecaster(max_steps=100).cost(**size) < TCNForecaster(max_steps=400).cost(**size)
    assert tcn.min_length(HORIZON, SEASON) == 24


def test_fits_and_forecasts_every_series_of_a_panel(
    model: TCNForecaster, data: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, test = data
    forecast = model.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "yhat"]
    pd.testing.assert_frame_equal(
        forecast[["unique_id", "ds"]], test[["unique_id", "ds"]], check_dtype=False
    )
    assert np.isfinite(forecast["yhat"]).all()
    assert model.modelled_series == ["s0", "s1", "s2"] and model.fallbacks == {}
    assert model.training_report.startswith("early stopping on the last window: ")
    assert len(model.predict(2)) == 3 * 2


def test_beats_naive_and_seasonal_naive_on_a_clean_seasonal_signal(
    model: TCNForecaster, data: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    train, _ = data
    fit: dict[str, Any] = {"freq": "MS", "seasonality": SEASON, "horizon": HORIZON}
    ours = mase(model.predict(), data)
    naive = mase(Naive().fit(train, **fit).predict(), data)
    seasonal = mase(SeasonalNaive().fit(train, **fit).predict(), data)
    assert ours < 0.5 * naive
    assert ours < seasonal


def test_quantiles_are_ordered_around_the_point_forecast(model: TCNForecaster) -> None:
    forecast = model.predict(quantiles=[0.01, 0.1, 0.3, 0.5, 0.9])
    columns = ["q0.01", "q0.1", "q0.3", "q0.5", "q0.9"]
    values = forecast[columns].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()
    assert (forecast["q0.1"] <= forecast["yhat"]).all()
    assert (forecast["yhat"] <= forecast["q0.9"]).all()
    np.testing.assert_allclose(forecast["q0.5"], forecast["yhat"])
    assert (forecast["q0.9"] - forecast["q0.1"] > 0).all()


def test_the_same_seed_gives_the_same_forecast(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = data
    fit: dict[str, Any] = {"freq": "MS", "seasonality": SEASON, "horizon": HORIZON}
    quick = {**SMALL, "max_steps": 30}
    first = TCNForecaster(**quick, seed=3).fit(train, **fit).predict(quantiles=[0.1])
    again = TCNForecaster(**quick, seed=3).fit(train, **fit).predict(quantiles=[0.1])
    other = TCNForecaster(**quick, seed=4).fit(train, **fit).predict(quantiles=[0.1])
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["yhat"], other["yhat"])


def test_pickles_and_forecasts_the_same(model: TCNForecaster) -> None:
    loaded = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(loaded.predict(quantiles=[0.2]), model.predict(quantiles=[0.2]))


def test_short_series_fall_back_to_naive_and_say_so() -> None:
    panel = seasonal_panel(n=60)
    keep = panel.groupby("unique_id").cumcount(ascending=False) < panel["unique_id"].map(
        {"s0": 60, "s1": 26, "s2": 12}
    )
    # s1 (26 points) is forecast, not trained on (24 + 6 needed); s2 (12) is too short.
    short = panel[keep].reset_index(drop=True)
    model = TCNForecaster(**{**SMALL, "max_steps": 10})
    model.fit(short, freq="MS", seasonality=SEASON, horizon=HORIZON)
    assert model.fallbacks == {"s2": "Naive: 12 point(s), fewer than the 24 TCN needs"}
    assert model.modelled_series == ["s0", "s1"]
    forecast = model.predict()
    last = short.groupby("unique_id")["y"].last()
    np.testing.assert_allclose(forecast.loc[forecast["unique_id"] == "s2", "yhat"], last["s2"])

    tiny = seasonal_panel(n=31)  # two windows per series: below min_train_windows=8
    model = TCNForecaster(**SMALL).fit(tiny, freq="MS", seasonality=SEASON, horizon=HORIZON)
    assert model.modelled_series == []
    assert model.fallbacks["s0"].startswith("Naive: the series give fewer than min_train_windows")
    assert model.training_report == "none: every series is forecast by Naive"


def test_series_too_short_for_a_validation_window_train_on_every_window() -> None:
    panel = seasonal_panel(n=36)  # 7 windows per series: 21 in all, 3 held out would leave 3
    model = TCNForecaster(**{**SMALL, "max_steps": 10, "min_train_windows": 10})
    model.fit(panel, freq="MS", seasonality=SEASON, horizon=HORIZON)
    assert model.training_report.startswith("no validation window (series too short): 10 step")
    assert np.isfinite(model.predict()["yhat"]).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"channels": 0}, r"`channels` must be an integer >= 1, got 0"),
        ({"kernel_size": 1}, r"`kernel_size` must be an integer >= 2, got 1"),
        ({"input_size": "long"}, r"`input_size` must be an integer >= 2, got 'long'"),
        ({"dropout": 0.95}, r"`dropout` must be a number between 0 and 0.9, got 0.95"),
        ({"quantile_levels": [0.1, 1.0]}, r"strictly between 0 and 1, got 1\.0 in \[0\.1, 1\.0\]"),
        ({"quantile_levels": []}, r"`quantile_levels` must be a list of numbers strictly"),
        ({"device": "tpu"}, r"`device` must be one of 'auto', 'cpu', 'cuda', got 'tpu'"),
        ({"scaling": None}, r"`scaling` must be one of 'mean_abs', 'standard', got None"),
        ({"n_jobs": 0}, r"`n_jobs` must be an integer >= 1, got 0"),
        ({"epochs": 3}, r"`epochs` is not a parameter of TCN"),
    ],
)
def test_bad_parameters_are_errors(params: dict[str, object], message: str) -> None:
    with pytest.raises(ForecastingError, match=message):
        TCNForecaster(**params)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_the_gpu_without_one_is_an_error(
    data: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    model = TCNForecaster(**{**SMALL, "device": "cuda"})
    with pytest.raises(ForecastingError, match=r"`device` must be 'auto' or 'cpu' where torch"):
        model.fit(data[0], freq="MS", seasonality=SEASON, horizon=HORIZON)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU: torch.cuda.is_available()")
def test_trains_on_the_gpu_like_on_the_cpu(
    model: TCNForecaster, data: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    on_gpu = TCNForecaster(**{**SMALL, "device": "auto"})
    on_gpu.fit(data[0], freq="MS", seasonality=SEASON, horizon=HORIZON)
    assert " on cuda" in on_gpu.training_report
    assert mase(on_gpu.predict(), data) < 1.5 * mase(model.predict(), data)


def test_without_torch_it_stays_known_and_fitting_or_forecasting_names_the_extra(
    model: TCNForecaster, tmp_path: Path
) -> None:
    path = tmp_path / "tcn.pickle"
    path.write_bytes(pickle.dumps(model))
    code = textwrap.dedent(
        f"""
        import importlib.abc, pickle, sys

        class NoTorch(importlib.abc.MetaPathFinder):
            # As if PyTorch were not installed: finding or importing it fails.
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "torch":
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, NoTorch())
        import numpy as np, pandas as pd
        from forecasting.models import MissingDependencyError, TCNForecaster, get_forecaster

        assert not TCNForecaster.available()
        model = get_forecaster("TCN", channels=8)
        panel = pd.DataFrame({{"unique_id": "a", "y": np.arange(40.0),
                              "ds": pd.date_range("2020-01-01", periods=40, freq="D")}})
        for action in (
            lambda: model.fit(panel, freq="D", seasonality=7, horizon=3),
            lambda: pickle.loads(open({str(path)!r}, "rb").read()).predict(),
        ):
            try:
                action()
            except MissingDependencyError as error:
                print(error)
        assert "torch" not in sys.modules
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    hint = "TCN needs PyTorch: pip install 'openaml[torch]'"
    assert result.stdout.split("\n")[:2] == [hint, hint]
