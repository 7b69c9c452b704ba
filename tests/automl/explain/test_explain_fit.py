"""fit() explains its best model (model_explainability) and stores the explanation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from automl._explain import EXPLANATION_ARTIFACT, Explanation, explain_model


def test_best_model_of_a_fit_explained_and_stored(tmp_path: Path) -> None:
    from automl._config import AutoMLConfig
    from automl._experiment import run_automl

    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "noise": rng.normal(size=n)}
    )
    data = X.assign(label=3.0 * X["a"] + 0.8 * X["b"] + rng.normal(0, 0.3, n))
    train, valid = data.iloc[:400], data.iloc[400:]
    result = run_automl(
        AutoMLConfig(
            "regression",
            training_data=train,
            validation_data=valid,
            label_column_name="label",
            max_trials=2,
            allowed_models=["LightGBM"],
            workspace=str(tmp_path / "ws"),
            experiment_name="explain",
            seed=0,
        )
    )
    assert result.best_model is not None and result.workspace is not None
    explanation = explain_model(
        result.best_model,
        valid.drop(columns=["label"]),
        valid["label"],
        task="regression",
        metric=result.primary_metric,
        y_range=(float(train["label"].min()), float(train["label"].max())),
    )
    assert explanation.goal == "minimize"
    assert [item.name for item in explanation.raw] == ["a", "b", "noise"]
    assert explanation.raw[1].importance > 10 * abs(explanation.raw[2].importance)
    assert explanation.engineered is not None
    assert {item.name: item.raw_column for item in explanation.engineered} == {
        "a": "a",
        "b": "b",
        "noise": "noise",
    }

    # fit() explained its best model on the validation rows the same way, and stored it
    assert result.explanation == explanation
    assert result.explanation_note is None
    frame = result.feature_importances
    assert frame is not None and frame.iloc[0]["name"] == "a"
    workspace = result.workspace
    stored = workspace.open_artifact(result.parent_run_id, EXPLANATION_ARTIFACT)
    assert Explanation.from_dict(json.loads(stored.read_text(encoding="utf-8"))) == explanation
    properties = workspace.get_run(result.parent_run_id).properties
    assert properties["explanation.metric"] == "normalized_root_mean_squared_error"
    assert properties["explanation.raw.1"].startswith("a=")


def test_explanation_can_be_turned_off(tmp_path: Path) -> None:
    from automl._config import AutoMLConfig
    from automl._experiment import run_automl

    rng = np.random.default_rng(1)
    data = pd.DataFrame({"a": rng.normal(size=120)}).assign(label=lambda f: f["a"] > 0)
    result = run_automl(
        AutoMLConfig(
            "classification",
            training_data=data,
            label_column_name="label",
            max_trials=1,
            allowed_models=["LogisticRegression"],
            model_explainability=False,
            workspace=str(tmp_path / "ws"),
        ),
        show_output=False,
    )
    assert result.explanation is None and result.feature_importances is None
    assert result.workspace is not None
    properties = result.workspace.get_run(result.parent_run_id).properties
    assert not any(key.startswith("explanation") for key in properties)
