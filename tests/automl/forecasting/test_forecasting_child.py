"""The forecasting child: a global model is fitted once, at the oldest origin, and moved to
the later origins with the actuals observed since; its saved out-of-fold forecasts are what
that gives, not what a refit at each origin gives."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from automl.tasks.forecasting._child import forecast_fold, moved_to_origin
from automl.tasks.forecasting._folds import load_fold, load_plan
from automl.tasks.forecasting._models import build_forecaster
from tests.automl.forecasting.conftest import forecast_config


def _oof(frame: pd.DataFrame, fold: int) -> pd.DataFrame:
    rows = frame.loc[frame["fold"] == fold].drop(columns="fold")
    return rows.sort_values(["unique_id", "ds"]).reset_index(drop=True)


def test_a_global_child_is_fitted_at_the_oldest_origin_and_moved_to_the_others(
    tmp_path: Path,
) -> None:
    result = forecast_config(
        tmp_path, allowed_models=["ElasticNet"], max_trials=1, n_cross_validations=3,
        enable_voting_ensemble=False, experiment_name="moved",
    ).fit(show_output=False)  # fmt: skip
    workspace = result.workspace
    assert workspace is not None
    child = workspace.get_run(str(result.leaderboard.iloc[0]["run_id"]))
    assert child.status == "completed"
    metrics = workspace.final_metrics(child.id)
    assert metrics["fits"] == 1.0  # then moved twice
    assert 0 < metrics["fit_seconds"] < metrics["fit_time"]
    saved = joblib.load(workspace.open_artifact(child.id, "oof.joblib"))["forecasts"]
    plan = load_plan(workspace.artifact_root / "automl" / "moved" / "folds")
    assert plan.n_folds == 3
    learner, hyperparameters = child.params["learner"], child.params["hyperparameters"]

    first = build_forecaster(learner, hyperparameters, plan.settings)
    oldest = load_fold(plan.cache_dir, 0)
    pd.testing.assert_frame_equal(_oof(saved, 0), forecast_fold(first, oldest, plan))
    for fold in (1, 2):
        data = load_fold(plan.cache_dir, fold)
        moved = moved_to_origin(first, data)
        assert moved is not None and moved is not first
        assert (moved.last_timestamps == data.train.groupby("unique_id")["ds"].max()).all()
        expected = moved.predict(quantiles=plan.quantiles)
        pd.testing.assert_frame_equal(_oof(saved, fold), expected)
        refitted = forecast_fold(
            build_forecaster(learner, hyperparameters, plan.settings), data, plan
        )
        assert not np.allclose(refitted["yhat"], expected["yhat"])


def test_a_model_that_never_saw_a_series_of_the_fold_is_not_moved(tmp_path: Path) -> None:
    result = forecast_config(
        tmp_path, allowed_models=["Naive"], max_trials=1, enable_voting_ensemble=False,
        experiment_name="unmoved",
    ).fit(show_output=False)  # fmt: skip
    workspace = result.workspace
    assert workspace is not None
    plan = load_plan(workspace.artifact_root / "automl" / "unmoved" / "folds")
    oldest, latest = load_fold(plan.cache_dir, 0), load_fold(plan.cache_dir, plan.n_folds - 1)
    unseen = oldest.train[oldest.train["unique_id"] != oldest.train["unique_id"].iloc[0]]
    model = build_forecaster("Naive", {}, plan.settings)
    model.fit(unseen, freq=plan.freq, seasonality=plan.seasonality, horizon=plan.horizon)
    assert moved_to_origin(model, latest) is None
