"""The TCN forecaster in an AutoML forecasting search: searched by default with
``enable_dnn=True`` (Azure's rule) when PyTorch is installed, left out (and said so) without
it, an error naming the extra when asked for; its children get the GPUs of
``gpus_per_iteration``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from automl.learners import MissingDependencyError
from automl.tasks.forecasting._models import GlobalSettings, build_forecaster, plan_models
from tests.automl.forecasting.conftest import HORIZON, STORES, forecast_config, future_frame

HINT = r"TCN needs PyTorch: pip install 'openaml\[torch\]'"


@pytest.fixture
def no_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyTorch looks uninstalled to the availability check (``find_spec`` says so)."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "torch" else real(name, *args, **kwargs)

    monkeypatch.setattr("forecasting.models._base.find_spec", find_spec)


def test_without_torch_the_default_search_leaves_the_tcn_out_and_says_so(no_torch: None) -> None:
    plan = plan_models(None, (), use_stl=False, seasonality=7, enable_dnn=True)
    assert "TCN" not in plan.names
    assert plan.skipped["TCN"] == "not installed; TCN needs PyTorch: pip install 'openaml[torch]'"


def test_without_torch_asking_for_the_tcn_names_the_extra(no_torch: None, tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError, match=rf"`allowed_models`: {HINT}"):
        forecast_config(tmp_path, allowed_models=["TCN"])


def test_a_child_tcn_takes_the_experiment_seed_and_threads() -> None:
    pytest.importorskip("torch")
    settings = GlobalSettings(seed=7, n_jobs=2)
    tcn = build_forecaster("TCN", {"channels": 8}, settings)
    assert tcn.get_params()["seed"] == 7 and tcn.get_params()["n_jobs"] == 2
    assert tcn.get_params()["channels"] == 8
    assert "TCN" in plan_models(None, (), use_stl=False, seasonality=7, enable_dnn=True).names


def test_the_default_search_has_the_tcn_only_with_enable_dnn() -> None:
    plan = plan_models(None, (), use_stl=False, seasonality=7)
    assert "TCN" not in plan.names
    assert plan.skipped["TCN"] == "a neural network: set enable_dnn=True to search it"
    assert "TCN" in plan_models(["TCN"], (), use_stl=False, seasonality=7).names


def test_tcn_children_ask_for_the_gpus_of_gpus_per_iteration() -> None:
    from automl.tasks.forecasting import ForecastSearcher
    from automl.tasks.forecasting._models import PanelSize
    from trials.executors import Resources

    gpu = Resources(cpus=1, gpus=0.5)
    search = ForecastSearcher(
        ["Naive", "TCN"], PanelSize(n_series=3, n_rows=180, horizon=6, seasonality=12),
        GlobalSettings(), "normalized_root_mean_squared_error", "minimize", seed=0,
        gpu_resources=gpu,
    )  # fmt: skip
    asked = [search.ask(i) for i in range(search.portfolio_size)]
    resources = {request.params["learner"]: request.resources for request in asked if request}
    assert resources == {"Naive": None, "TCN": gpu}


def test_gpus_without_a_model_that_uses_them_are_an_error(tmp_path: Path) -> None:
    from automl import AutoMLConfigError

    config = forecast_config(tmp_path, allowed_models=["Naive"], gpus_per_iteration=1)
    message = r"`gpus_per_iteration` is 1, but none of the models searched \(Naive\) can train"
    with pytest.raises(AutoMLConfigError, match=message + r" on a GPU; allow TCN"):
        config.fit(show_output=False)


def test_an_automl_fit_of_the_tcn_forecasts_the_horizon(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    result = forecast_config(
        tmp_path, allowed_models=["TCN"], max_trials=1, enable_voting_ensemble=False
    ).fit(show_output=False)
    assert result.best_model is not None and result.best_model.algorithm == "TCN"
    forecast = result.best_model.forecast(future_frame())
    assert len(forecast) == len(STORES) * HORIZON
    assert np.isfinite(forecast["sales"]).all()
