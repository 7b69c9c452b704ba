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


def _board(folder: Path, executor: Any) -> dict[str, list[Any]]:
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
    rows: list[Any] = [
        (row["index"], row["algorithm"], repr(sorted(row["hyperparameters"].items())),
         row["status"], round(row["accuracy"], 12), row["kind"])
        for _, row in board.iterrows()
    ]  # fmt: skip
    # The records' shape: each child's metrics and artifacts, the parent's artifacts, the
    # registered model's lineage.
    workspace = result.workspace
    assert workspace is not None
    records: list[Any] = []
    for child in sorted(result.children, key=lambda run: run.index or 0):
        artifacts = sorted(record.name for record in workspace.artifacts(child.id))
        records.append((child.index, sorted(workspace.final_metrics(child.id)), artifacts))
    records.append(sorted(record.name for record in workspace.artifacts(result.parent_run_id)))
    assert result.registered_model_name is not None and result.best_run is not None
    version = workspace.models.get(result.registered_model_name, 1)
    records.append((version.source_run_id == result.best_run.id, sorted(version.lineage)))
    return {"board": rows, "records": records}


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
    assert [row[1] for row in local["board"][-2:]] == ["VotingEnsemble", "StackEnsemble"]
    assert {"oof.joblib", "stdout.txt"} <= set(local["records"][0][2])  # a child's artifacts
    assert local["records"][-1][0]  # the registered model points at the best child


def test_children_and_ensembles_read_their_data_from_the_object_store(tmp_path: Path) -> None:
    """A node without the experiment's files: the fold cache and the members' out-of-fold
    predictions reach the children through Ray's object store."""
    try:
        import ray
    except ImportError:
        missing_requirement("Ray is not installed: pip install 'openaml[ray]'")
    import functools
    import shutil

    from automl._child import OOF_ARTIFACT, train
    from automl._fold_data import FoldPlan, cache_files, prepare_folds, share_files
    from automl._validation import choose_validation, make_folds
    from tests.trials.executors._helpers import finished, run, spec
    from trials.executors import LocalExecutor, RayExecutor

    frame = classification_frame().dropna(subset=["label"]).reset_index(drop=True)
    X, y = frame.drop(columns=["label"]), frame["label"].to_numpy()
    folds = make_folds(choose_validation(len(y), task="classification", n_cross_validations=3),
                       y, task="classification", seed=0)  # fmt: skip
    empty = FoldPlan(str(tmp_path / "folds"), "classification", 3, len(y), ["bad", "good"],
                     None, "accuracy", None, {}, 0)  # fmt: skip
    plan = prepare_folds(X, y, folds, plan=empty, kinds=["native", "one_hot_scaled"],
                         featurization=None)  # fmt: skip
    with LocalExecutor(max_concurrency=1) as local:
        assert not share_files(local, cache_files(plan.cache_dir))  # local trials read files
    if ray.is_initialized():
        ray.shutdown()
    executor = RayExecutor(num_cpus=2, init_options={"include_dashboard": False})
    try:
        assert share_files(executor, cache_files(plan.cache_dir))
        shutil.rmtree(plan.cache_dir)  # as on a node that never saw the experiment's folder
        child = functools.partial(train, cache_dir=plan.cache_dir)
        runs = tmp_path / "runs"
        scores = {}
        for run_id, learner in [("c1", "LogisticRegression"), ("c2", "DecisionTree")]:
            params = {"learner": learner, "hyperparameters": {}}
            end = finished(run(executor, spec(runs, run_id, child, params), timeout=60))
            assert end.status == "completed", end.error
            scores[run_id] = end.metrics["accuracy"]
        members = [(run_id, "-", str(runs / run_id / OOF_ARTIFACT)) for run_id in scores]
        assert share_files(executor, [path for _, _, path in members])
        for _, _, path in members:
            Path(path).unlink()
        ensemble = functools.partial(train, cache_dir=plan.cache_dir, members=members)
        params: dict[str, Any] = {"ensemble": "VotingEnsemble", "members": [0, 1]}
        end = finished(run(executor, spec(runs, "e1", ensemble, params), timeout=60))
        assert end.status == "completed", end.error
        assert end.metrics["accuracy"] >= max(scores.values()) - 1e-12
    finally:
        executor.shutdown()
