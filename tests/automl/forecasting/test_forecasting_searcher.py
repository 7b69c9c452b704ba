"""The forecasting searcher, the model catalogue and the automatic settings, without fitting."""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
import pytest

from automl.tasks.forecasting import DEFAULT_REGRESSORS, ForecastSearcher, forecast_model_names
from automl.tasks.forecasting._models import (
    GlobalSettings,
    PanelSize,
    build_forecaster,
    canonical_model,
    model_cost,
    plan_models,
)
from automl.tasks.forecasting._prepare import auto_horizon, auto_origins
from automl.tasks.forecasting._regressor import ZooRegressor
from forecasting.models import GlobalRegressionForecaster
from trials import TrialOutcome

NRMSE = "normalized_root_mean_squared_error"
SIZE = PanelSize(n_series=3, n_rows=180, horizon=6, seasonality=12)
STATISTICAL = [
    "Naive", "SeasonalNaive", "Average", "SeasonalAverage", "Theta", "ExponentialSmoothing",
    "AutoArima",
]  # fmt: skip


def searcher(models: list[str] | None = None, seed: int = 0) -> ForecastSearcher:
    return ForecastSearcher(
        models or [*STATISTICAL, *DEFAULT_REGRESSORS],
        SIZE,
        GlobalSettings(),
        NRMSE,
        "minimize",
        seed=seed,
    )


def outcome(index: int, params: dict[str, Any], value: float) -> TrialOutcome:
    return TrialOutcome(index, f"run{index}", params, "completed", metrics={NRMSE: value})


def test_portfolio_is_cheapest_first_across_the_model_families() -> None:
    search = searcher()
    asked = [search.ask(i) for i in range(search.portfolio_size)]
    names = [request.params["learner"] for request in asked if request is not None]
    assert set(names) == {*STATISTICAL, *DEFAULT_REGRESSORS}
    costs = [
        model_cost(name, request.params["hyperparameters"], SIZE, GlobalSettings())
        for name, request in zip(names, asked, strict=True)
        if request is not None
    ]
    first_round = len(STATISTICAL) + len(DEFAULT_REGRESSORS)
    assert costs[:first_round] == sorted(costs[:first_round])  # each model's first default
    assert set(names[:first_round]) == {*STATISTICAL, *DEFAULT_REGRESSORS}
    assert names.count("SeasonalAverage") == 3  # its three defaults
    regressor = next(r for r in asked if r is not None and r.params["learner"] == "LightGBM")
    assert regressor.params["hyperparameters"]["strategy"] == "recursive"
    assert "num_leaves" in regressor.params["hyperparameters"]["regressor"]
    json.dumps(search.config())


def test_on_a_big_panel_a_global_regressor_comes_before_models_fitted_per_series() -> None:
    big = PanelSize(n_series=414, n_rows=414 * 700, horizon=48, seasonality=24)  # m4_hourly
    search = ForecastSearcher(
        [*STATISTICAL, *DEFAULT_REGRESSORS], big, GlobalSettings(), NRMSE, "minimize", seed=0
    )
    names = [search.ask(i).params["learner"] for i in range(search.portfolio_size)]  # type: ignore[union-attr]
    assert names.index("LightGBM") < names.index("Theta") < names.index("ExponentialSmoothing")
    assert names.index("ExponentialSmoothing") < names.index("AutoArima")


def test_bayesian_phase_avoids_repeats_and_is_deterministic() -> None:
    def run(seed: int) -> list[str]:
        search = searcher(["Naive", "Average", "ExponentialSmoothing", "Theta"], seed=seed)
        keys = []
        for index in range(14):
            request = search.ask(index)
            assert request is not None
            keys.append(json.dumps(request.params, sort_keys=True))
            value = 0.1 if request.params["learner"] == "ExponentialSmoothing" else 0.5
            search.tell(outcome(index, request.params, value + 0.001 * index))
        return keys

    first = run(0)
    assert first == run(0)
    # ETS (3 configurations) wins; TPE keeps proposing it, the searcher moves on once tried.
    assert len(set(first)) >= 12


def test_search_closes_at_the_exit_score() -> None:
    from automl.tasks.forecasting._searcher import ForecastSearchEnd

    search = ForecastSearcher(
        ["Naive", "Average"],
        SIZE,
        GlobalSettings(),
        NRMSE,
        "minimize",
        seed=0,
        end=ForecastSearchEnd(exit_score=0.2),
    )
    request = search.ask(0)
    assert request is not None
    search.tell(outcome(0, request.params, 0.1))
    assert search.ask(1) is None


def test_plan_models_defaults_and_seasonality_one() -> None:
    plan = plan_models(None, (), use_stl=True, seasonality=12)
    assert plan.names[: len(STATISTICAL)] == tuple(STATISTICAL)
    assert "STL-Theta" in plan.names and plan.names[-3:] == DEFAULT_REGRESSORS
    flat = plan_models(None, ("LightGBM",), use_stl=False, seasonality=1)
    assert "SeasonalNaive" not in flat.names and "LightGBM" not in flat.names
    assert "needs a seasonality above 1" in flat.skipped["SeasonalAverage"]
    with pytest.raises(ValueError, match="every model is blocked"):
        plan_models(["Naive"], ["Naive"], use_stl=False, seasonality=7)


def test_model_names_are_canonical() -> None:
    assert canonical_model("auto_arima") == "AutoArima"
    assert canonical_model("xg_boost_regressor") == "XGBoostRegressor"
    assert "STL-ExponentialSmoothing" in forecast_model_names()
    with pytest.raises(ValueError, match=r"'Prohpet', which is not a forecasting model"):
        canonical_model("Prohpet")


def test_global_regressor_is_built_from_the_zoo() -> None:
    settings = GlobalSettings(target_lags=(1, 7), holidays_country="US", seed=3)
    forecaster = build_forecaster(
        "ElasticNet",
        {"strategy": "direct", "scaling": None, "calendar": True, "fourier": None,
         "regressor": {"alpha": 0.001, "l1_ratio": 0.5}},
        settings,
    )  # fmt: skip
    assert isinstance(forecaster, GlobalRegressionForecaster)
    params = forecaster.get_params()
    assert params["target_lags"] == [1, 7] and params["holidays_country"] == "US"
    assert params["strategy"] == "direct"
    assert isinstance(params["regressor"], ZooRegressor)


@pytest.mark.parametrize("learner", ["ElasticNet", "LightGBM", "RandomForest"])
def test_zoo_regressor_fits_predicts_and_pickles(learner: str) -> None:
    from automl.learners import get_learner

    rng = np.random.default_rng(0)
    X = rng.normal(size=(250, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, 250)
    config = get_learner(learner).portfolio("regression", n_rows=250, n_features=3)[0]
    model = ZooRegressor(learner, config, seed=0).fit(X, y)
    predictions = model.predict(X)
    assert predictions.shape == (250,)
    assert np.corrcoef(predictions, y)[0, 1] > 0.9
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(again.predict(X[:5]), predictions[:5])


def test_auto_horizon_and_origins() -> None:
    assert [auto_horizon(f) for f in ("D", "h", "30min", "W-SUN", "MS", "QS", "YS")] == [
        7, 24, 2, 4, 12, 4, 1,
    ]  # fmt: skip
    assert auto_origins([200, 300], horizon=7, step=7, freq="h", min_train_size=7) == (5, 7)
    assert auto_origins([30], horizon=7, step=7, freq="h", min_train_size=7) == (3, 7)
    origins, step = auto_origins([30], horizon=7, step="auto", freq="D", min_train_size=7)
    assert origins >= 2 and step >= 1
