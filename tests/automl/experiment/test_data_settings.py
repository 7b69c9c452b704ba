"""Test data, row weights, cv split columns and featurization 'off' in a real fit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl._config import AutoMLConfig, AutoMLConfigError
from automl._experiment import run_automl
from automl.metrics import compute_metrics
from featurization import FeaturizationError
from tests.automl.experiment.conftest import classification_frame, regression_frame


def _config(workspace_dir: str, **settings: object) -> AutoMLConfig:
    values: dict[str, object] = {
        "training_data": classification_frame(),
        "label_column_name": "label",
        "max_trials": 2,
        "allowed_models": ["LogisticRegression", "DecisionTree"],
        "workspace": workspace_dir,
        "model_explainability": False,
    }
    values.update(settings)
    return AutoMLConfig("classification", **values)  # type: ignore[arg-type]


def test_test_size_holds_out_rows_and_scores_the_best_model(workspace_dir: str) -> None:
    result = run_automl(_config(workspace_dir, test_size=0.25), show_output=False)
    assert result.best_model is not None and result.workspace is not None
    # 238 labelled rows: ceil(0.25 * 238) = 60 held out, validation chosen on the other 178
    assert result.validation.startswith("10-fold cross validation: 178 training rows")
    assert set(result.test_scores) >= {"accuracy", "AUC_weighted", "log_loss"}
    assert 0.5 < result.test_scores["accuracy"] <= 1.0
    stored = json.loads(result.workspace.get_run(result.parent_run_id).properties["test_scores"])
    assert stored == pytest.approx(result.test_scores)


def test_test_data_is_scored_with_the_refitted_model(workspace_dir: str) -> None:
    test = classification_frame(n=120, seed=7)
    result = run_automl(_config(workspace_dir, test_data=test), show_output=False)
    assert result.best_model is not None
    kept = test.dropna(subset=["label"])
    expected = compute_metrics(
        "classification",
        kept["label"].to_numpy(),
        y_proba=result.best_model.predict_proba(kept.drop(columns=["label"])),
        classes=list(result.best_model.classes_),
        metrics=["accuracy"],
    )
    assert result.test_scores["accuracy"] == pytest.approx(expected["accuracy"])


def test_test_data_with_other_columns_is_refused(workspace_dir: str) -> None:
    test = classification_frame(n=50, seed=7).rename(columns={"age": "years"})
    with pytest.raises(
        AutoMLConfigError,
        match=r"`test_data` must have the columns of `training_data`; missing 'age'",
    ):
        run_automl(_config(workspace_dir, test_data=test), show_output=False)


def test_row_weights_train_and_score_and_leave_out_learners_without_them(
    workspace_dir: str,
) -> None:
    frame = classification_frame()
    frame["w"] = np.where(frame["city"] == "oslo", 5.0, 1.0)
    result = run_automl(
        _config(
            workspace_dir,
            training_data=frame,
            weight_column_name="w",
            allowed_models=["LogisticRegression", "KNN"],
        ),
        show_output=False,
    )
    assert result.best_model is not None
    assert "w" not in result.best_model.featurizer.feature_names_in_
    assert result.skipped_models["KNN"].startswith("takes no row weights")
    assert set(result.leaderboard["algorithm"]) <= {"LogisticRegression", "VotingEnsemble"}
    unweighted = run_automl(
        _config(
            str(Path(workspace_dir) / "plain"),
            training_data=frame.drop(columns=["w"]),
            allowed_models=["LogisticRegression"],
        ),
        show_output=False,
    )
    assert result.best_score != unweighted.best_score  # the weights changed fit and score


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (-1.0, r"`weight_column_name` 'w' of `training_data` must hold finite non-negative"),
        (np.nan, r"must hold finite non-negative numbers, got nan in row 0"),
        (0.0, r"`weight_column_name` 'w' of `training_data` must have a positive total"),
    ],
)
def test_bad_weights_are_refused_naming_the_column(
    workspace_dir: str, weights: float, message: str
) -> None:
    frame = classification_frame()
    frame["w"] = 1.0 if weights != 0.0 else 0.0
    frame.loc[0, "w"] = weights
    with pytest.raises(AutoMLConfigError, match=message):
        run_automl(_config(workspace_dir, training_data=frame, weight_column_name="w"))


def test_weights_with_only_learners_that_take_none_is_an_error(workspace_dir: str) -> None:
    frame = classification_frame().assign(w=1.0)
    with pytest.raises(AutoMLConfigError, match=r"none of the models left \(KNN\) takes row"):
        run_automl(
            _config(
                workspace_dir, training_data=frame, weight_column_name="w", allowed_models=["KNN"]
            )
        )


def test_cv_split_columns_define_the_folds_and_are_not_features(workspace_dir: str) -> None:
    frame = classification_frame()
    rows = np.arange(len(frame))
    frame["fold_a"] = (rows % 2 == 0).astype(int)
    frame["fold_b"] = (rows % 2 == 1).astype(int)
    result = run_automl(
        _config(workspace_dir, training_data=frame, cv_split_column_names=["fold_a", "fold_b"]),
        show_output=False,
    )
    assert result.validation.startswith("Custom cross validation: 2 fold(s)")
    assert result.best_model is not None
    assert not {"fold_a", "fold_b"} & set(result.best_model.featurizer.feature_names_in_)


def test_cv_split_column_with_other_values_is_an_error(workspace_dir: str) -> None:
    frame = classification_frame().assign(fold=2)
    with pytest.raises(AutoMLConfigError, match=r"column 'fold' of `cv_split_column_names` must"):
        run_automl(_config(workspace_dir, training_data=frame, cv_split_column_names=["fold"]))


def test_featurization_off_uses_numeric_columns_as_given(workspace_dir: str) -> None:
    frame = regression_frame().drop(columns=["kind"])
    result = run_automl(
        AutoMLConfig(
            "regression",
            training_data=frame,
            label_column_name="target",
            featurization="off",
            max_trials=2,
            allowed_models=["ElasticNet"],
            workspace=workspace_dir,
        ),
        show_output=False,
    )
    assert [row["RawFeatureName"] for row in result.featurization_summary] == ["x1", "x2"]
    assert all(row["EngineeredFeatureCount"] == 1 for row in result.featurization_summary)
    assert result.best_model is not None
    assert result.best_model.predict(frame.drop(columns=["target"])).shape == (len(frame),)


def test_featurization_off_with_a_string_column_names_it(workspace_dir: str) -> None:
    config = AutoMLConfig(
        "regression",
        training_data=regression_frame(),
        label_column_name="target",
        featurization="off",
        max_trials=1,
        workspace=workspace_dir,
    )
    with pytest.raises(FeaturizationError, match=r"not numeric: 'kind' \(object\)"):
        run_automl(config, show_output=False)


def test_featurization_off_frame_check(workspace_dir: str) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, None, 4.0] * 10, "target": [0.0, 1.0, 2.0, 3.0] * 10})
    result = run_automl(
        AutoMLConfig(
            "regression",
            training_data=frame,
            label_column_name="target",
            featurization={"mode": "off"},
            max_trials=1,
            allowed_models=["DecisionTree"],
            workspace=workspace_dir,
            model_explainability=False,
        ),
        show_output=False,
    )
    assert result.featurization_summary[0]["Transformations"] == ["MeanImputer"]
