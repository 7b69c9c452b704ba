from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FAST = ["LightGBM", "LogisticRegression", "DecisionTree"]


def classification_frame(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Numeric and string-categorical columns with missing values; a few missing labels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.normal(0, 1, n),
            "city": rng.choice(["paris", "oslo", "rome"], n).astype(object),
        }
    )
    score = frame["income"] + (frame["city"] == "oslo") * 1.2 + rng.normal(0, 0.3, n)
    frame["label"] = np.where(score > 0.4, "good", "bad").astype(object)
    frame.loc[::9, "age"] = np.nan
    frame.loc[::11, "city"] = None
    frame.loc[[3, 17], "label"] = None
    return frame


def regression_frame(n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "kind": rng.choice(["a", "b"], n).astype(object),
        }
    )
    frame["target"] = 2.0 * frame["x1"] - frame["x2"] + (frame["kind"] == "a") * 1.5
    frame.loc[::8, "x2"] = np.nan
    return frame


@pytest.fixture(scope="session")
def classification_run(tmp_path_factory: pytest.TempPathFactory) -> object:
    from automl._config import AutoMLConfig
    from automl._experiment import run_automl

    workspace = tmp_path_factory.mktemp("ws_clf")
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        max_trials=5,
        allowed_models=FAST,
        n_cross_validations=3,
        workspace=str(workspace),
        experiment_name="clf",
        seed=0,
    )
    return run_automl(config, show_output=False)


@pytest.fixture()
def workspace_dir(tmp_path: Path) -> str:
    return str(tmp_path / "ws")
