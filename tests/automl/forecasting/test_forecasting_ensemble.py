"""The forecasting VotingEnsemble end to end on generated panels: scoring, choice, refit, time."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest

from automl import AutoMLResult
from automl._experiment_common import ranked_children
from automl.tasks.forecasting import ForecastingPipeline
from automl.tasks.forecasting._folds import load_fold, load_plan
from automl.tasks.forecasting._models import is_regressor
from automl.tasks.forecasting._prepare import PreparedForecast
from automl.tasks.forecasting._refit import choose_and_refit, ensemble_members
from forecasting import FORECAST_METRICS, forecast_metrics
from forecasting.models import WeightedForecaster
from tests.automl.forecasting.conftest import daily_frame, forecast_config, future_frame

NRMSE = "normalized_root_mean_squared_error"


def _ensemble_row(result: AutoMLResult) -> pd.Series:
    board = result.leaderboard
    rows = board[board["kind"] == "ensemble"]
    assert len(rows) == 1
    return rows.iloc[0]


def _description(result: AutoMLResult) -> dict[str, Any]:
    assert result.workspace is not None
    path = result.workspace.open_artifact(str(_ensemble_row(result)["run_id"]), "ensemble.json")
    description: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return description


def test_the_ensemble_is_scored_as_the_children_are(forecast_run: AutoMLResult) -> None:
    """Recomputed here from the members' saved forecasts, the weights and the cached folds:
    every metric per origin with forecast_metrics, then the mean over origins."""
    workspace = forecast_run.workspace
    assert workspace is not None
    members = _description(forecast_run)["members"]
    assert len(members) >= 2 and sum(m["weight"] for m in members) == pytest.approx(1.0)
    plan = load_plan(workspace.artifact_root / "automl" / "daily" / "folds")
    saved = {
        m["run_id"]: joblib.load(workspace.open_artifact(m["run_id"], "oof.joblib"))["forecasts"]
        for m in members
    }
    per_fold = []
    for fold in range(plan.n_folds):
        data = load_fold(plan.cache_dir, fold)
        frames = [
            saved[m["run_id"]]
            .loc[lambda f, k=fold: f["fold"] == k]
            .sort_values(["unique_id", "ds"])
            for m in members
        ]
        columns = ["yhat", "q0.1", "q0.5", "q0.9"]
        combined = frames[0][["unique_id", "ds"]].reset_index(drop=True)
        for column in columns:
            combined[column] = sum(
                m["weight"] * frame[column].to_numpy()
                for m, frame in zip(members, frames, strict=True)
            )
        per_fold.append(
            forecast_metrics(
                data.actual, combined, data.train, seasonality=plan.seasonality,
                quantiles=plan.quantiles,
            )
        )  # fmt: skip
    row = _ensemble_row(forecast_run)
    for metric in FORECAST_METRICS:
        expected = float(np.mean([scores[metric] for scores in per_fold]))
        assert row[metric] == pytest.approx(expected, rel=1e-9), metric
    children = forecast_run.leaderboard[forecast_run.leaderboard["kind"] == "trial"]
    assert row[NRMSE] <= children[NRMSE].min()  # selection starts from the best child


def test_a_better_ensemble_is_the_refitted_weighted_model(forecast_run: AutoMLResult) -> None:
    row = _ensemble_row(forecast_run)
    children = forecast_run.leaderboard[forecast_run.leaderboard["kind"] == "trial"]
    assert row[NRMSE] < children[NRMSE].min()  # on this panel the ensemble is better
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline) and model.algorithm == "VotingEnsemble"
    assert forecast_run.best_run is not None and forecast_run.best_run.kind == "ensemble"
    members = _description(forecast_run)["members"]
    forecaster = model.forecaster
    assert isinstance(forecaster, WeightedForecaster)
    expected = ["GlobalRegressor" if is_regressor(m["learner"]) else m["learner"] for m in members]
    assert [m.name for m in forecaster.members] == expected
    assert forecaster.weights == pytest.approx([m["weight"] for m in members])
    hyper = row["hyperparameters"]
    assert hyper["members"] == [m["learner"] for m in members]
    assert hyper["weights"] == pytest.approx([m["weight"] for m in members], abs=1e-6)
    assert [m["run_id"] for m in model.hyperparameters["members"]] == hyper["member_run_ids"]
    bands = model.forecast_quantiles(future_frame())
    assert (bands["q0.1"] <= bands["q0.5"]).all() and (bands["q0.5"] <= bands["q0.9"]).all()


def test_an_ensemble_no_better_than_its_best_child_is_not_chosen(tmp_path: Path) -> None:
    """Two Naive children forecast the same: their ensemble ties with them and loses the tie."""
    result = forecast_config(tmp_path / "ws", allowed_models=["Naive"], max_trials=3).fit(
        show_output=False
    )
    board = result.leaderboard
    assert list(board.sort_values("index")["algorithm"]) == ["Naive", "Naive", "VotingEnsemble"]
    assert _ensemble_row(result)[NRMSE] == pytest.approx(board[NRMSE].min(), rel=1e-12)
    assert result.best_model is not None and result.best_model.algorithm == "Naive"


def test_enable_voting_ensemble_false_asks_no_ensemble(tmp_path: Path) -> None:
    result = forecast_config(tmp_path / "ws", max_trials=3, enable_voting_ensemble=False).fit(
        show_output=False
    )
    board = result.leaderboard
    assert len(board) == 3 and (board["kind"] == "trial").all()
    assert "VotingEnsemble" not in set(board["algorithm"])


def test_an_ensemble_whose_refit_does_not_fit_gives_way_to_the_best_child(
    forecast_run: AutoMLResult,
) -> None:
    workspace = forecast_run.workspace
    assert workspace is not None
    config = forecast_config(
        workspace.location, experiment_name="daily", experiment_timeout_minutes=1
    )
    data = PreparedForecast(config, workspace, "daily")
    ranked = ranked_children(workspace, forecast_run.parent_run_id, NRMSE, lambda value: -value)
    assert ranked[0][0].kind == "ensemble"
    need = {
        run.id: sum(m.estimate_s for m in ensemble_members(workspace, run, data.plan.n_folds))
        for run, _ in ranked
    }
    child_need = need[ranked[1][0].id]
    assert child_need < need[ranked[0][0].id]
    left = (child_need + need[ranked[0][0].id]) / 2  # room for the child, not the ensemble
    started = time.monotonic() - (60.0 - left)
    chosen = choose_and_refit(config, workspace, data, ranked, started, "other-name")
    assert chosen.run is not None and chosen.run.id == ranked[1][0].id
    assert chosen.model is not None and chosen.model.algorithm != "VotingEnsemble"
    assert "VotingEnsemble" in chosen.passed_over
    assert "of the experiment's timeout" in chosen.passed_over["VotingEnsemble"]


@pytest.mark.slow
def test_a_resumed_experiment_keeps_its_ensemble_and_registered_model(tmp_path: Path) -> None:
    config = forecast_config(tmp_path / "ws", experiment_name="again", max_trials=4)
    first = config.fit(show_output=False)
    second = config.fit(show_output=False)
    assert len(second.leaderboard) == 4
    assert list(second.leaderboard["run_id"]) == list(first.leaderboard["run_id"])
    assert (second.leaderboard["kind"] == "ensemble").sum() == 1
    assert second.best_run is not None and first.best_run is not None
    assert second.best_run.id == first.best_run.id
    assert second.registered_model_version == first.registered_model_version == 1


def test_the_ensemble_forecasts_with_recent_actuals_and_rolls(forecast_run: AutoMLResult) -> None:
    model = forecast_run.best_model
    assert isinstance(model, ForecastingPipeline) and model.algorithm == "VotingEnsemble"
    recent = future_frame("2024-03-21", periods=3).assign(sales=30.0)
    moved = model.forecast(future_frame("2024-03-24", periods=2), X_recent=recent)
    assert len(moved) == 6 and np.isfinite(moved["sales"]).all()
    test = daily_frame(n=90).query("date >= '2024-03-21'")
    rolled = model.rolling_forecast(test.drop(columns="sales"), test["sales"], step=5)
    assert len(rolled) > 0 and np.isfinite(rolled["forecast"]).all()
