"""An AutoML experiment on Ray records what it records on the local executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from automl._config import AutoMLConfig
from automl._experiment import run_automl
from tests.automl.experiment.conftest import classification_frame
from tests.support import missing_requirement

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]


def _board(folder: Path, executor: Any) -> list[tuple[Any, ...]]:
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(seed=4),
        label_column_name="label",
        max_trials=5,
        max_concurrent_iterations=2,
        allowed_models=["LogisticRegression", "DecisionTree"],
        n_cross_validations=3,
        workspace=str(folder),
        experiment_name="on-ray",
        model_explainability=False,
        executor=executor,
        seed=3,
    )
    result = run_automl(config, show_output=False)
    assert result.best_model is not None and result.registered_model_version == 1
    board = result.leaderboard.sort_values("index")
    return [
        (row["index"], row["algorithm"], repr(sorted(row["hyperparameters"].items())),
         row["status"], round(row["accuracy"], 12), row["kind"])
        for _, row in board.iterrows()
    ]  # fmt: skip


def test_the_same_leaderboard_on_ray_as_on_the_local_executor(tmp_path: Path) -> None:
    try:
        import ray
    except ImportError:
        missing_requirement("Ray is not installed: pip install 'openaml[ray]'")
    from trials.executors import RayExecutor

    local = _board(tmp_path / "local", "local")
    if ray.is_initialized():
        ray.shutdown()
    executor = RayExecutor(num_cpus=2, init_options={"include_dashboard": False})
    try:
        on_ray = _board(tmp_path / "ray", executor)
    finally:
        executor.shutdown()
    assert on_ray == local
    assert [row[1] for row in local[-2:]] == ["VotingEnsemble", "StackEnsemble"]
