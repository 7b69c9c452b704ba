"""An explanation of a real fit's best model, stored and read back as the runner will."""

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

    workspace = result.workspace
    writer = workspace.writer()
    writer.log_artifact(
        result.parent_run_id, json.dumps(explanation.to_dict()).encode(), EXPLANATION_ARTIFACT
    )
    writer.set_properties(result.parent_run_id, explanation.properties(2))
    writer.commit()
    stored = workspace.open_artifact(result.parent_run_id, EXPLANATION_ARTIFACT)
    assert Explanation.from_dict(json.loads(stored.read_text(encoding="utf-8"))) == explanation
    properties = workspace.get_run(result.parent_run_id).properties
    assert properties["explanation.metric"] == "normalized_root_mean_squared_error"
    assert properties["explanation.raw.1"].startswith("a=")
    assert "explanation.raw.3" not in properties
