"""An AutoML fit in its own process, to be killed mid-fit by a test:
``python -m tests.automl.experiment._killed_fit WORKSPACE NAME``."""

from __future__ import annotations

import sys

from automl._config import AutoMLConfig
from automl._experiment import run_automl
from tests.automl.experiment.conftest import classification_frame


def config(workspace: str, name: str) -> AutoMLConfig:
    """Eight children of slow-enough learners, one at a time, the same in both processes."""
    return AutoMLConfig(
        "classification",
        training_data=classification_frame(n=400, seed=2),
        label_column_name="label",
        max_trials=8,
        allowed_models=["RandomForest", "ExtremeRandomTrees", "LogisticRegression"],
        n_cross_validations=5,
        workspace=workspace,
        experiment_name=name,
        model_explainability=False,
        seed=1,
    )


if __name__ == "__main__":
    run_automl(config(sys.argv[1], sys.argv[2]), show_output=False)
