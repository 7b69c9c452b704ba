"""End-to-end AutoML experiments on tiny generated data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl._child import CHUNKS
from automl._config import AutoMLConfig
from automl._experiment import run_automl
from automl._pipeline import AutoMLPipeline, load_model
from automl.metrics import metric_names
from tests.automl.experiment.conftest import FAST, classification_frame, regression_frame
from trials import Workspace


def test_classification_best_model_predicts_raw_frame(classification_run: Any) -> None:
    result = classification_run
    frame = classification_frame().drop(columns=["label"])
    model = result.best_model
    assert isinstance(model, AutoMLPipeline)
    predictions = model.predict(frame)
    assert set(predictions) <= {"good", "bad"}
    proba = model.predict_proba(frame)
    assert proba.shape == (len(frame), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.classes_.tolist() == ["bad", "good"]
    assert result.dropped_rows == 2
    assert result.best_score == pytest.approx(result.leaderboard["accuracy"].iloc[0])
    best_run, best_model = result.get_output()
    assert best_model is model and best_run is not None
    assert best_run.id == result.leaderboard["run_id"].iloc[0]
    assert result.guardrails["Missing feature values imputation"].status.value == "Done"
    raw = {row["RawFeatureName"] for row in result.featurization_summary}
    assert raw == {"age", "income", "city"}


def test_leaderboard_has_algorithm_hyperparameters_metrics_and_status(
    classification_run: Any,
) -> None:
    board = classification_run.leaderboard
    assert len(board) == 5
    for column in ("algorithm", "hyperparameters", "status", "accuracy", "fit_time", "cost"):
        assert column in board.columns
    assert set(board["algorithm"]) <= {*FAST, "VotingEnsemble", "StackEnsemble"}
    ordered = board.sort_values("index")
    ensembles = ordered.iloc[-2:]  # the voting ensemble, then the stack ensemble, end it
    assert list(ensembles["algorithm"]) == ["VotingEnsemble", "StackEnsemble"]
    assert (ensembles["kind"] == "ensemble").all()
    trials = board[board["kind"] == "trial"]
    assert all(isinstance(h, dict) and h for h in trials["hyperparameters"])
    assert (board["status"] == "completed").all()
    scores = board["accuracy"].tolist()
    assert scores == sorted(scores, reverse=True)


def test_every_metric_logged_per_child_in_store(classification_run: Any) -> None:
    result = classification_run
    expected = {
        "accuracy",
        "AUC_weighted",
        "log_loss",
        "f1_score_macro",
        "precision_score_weighted",
    }
    assert expected <= set(metric_names("classification"))
    children = [child for child in result.children if child.kind == "trial"]
    assert len(children) == 3
    for child in children:
        metrics = result.workspace.final_metrics(child.id)
        assert expected <= set(metrics)
        assert "oof.joblib" in {a.name for a in result.workspace.artifacts(child.id)}
        history = result.workspace.metric_history(child.id, "accuracy")
        assert len(history) >= 3  # one report per fold at least


def test_registered_model_loads_by_name_and_version_with_hash_checked(
    classification_run: Any,
) -> None:
    from trials import ArtifactIntegrityError

    result = classification_run
    assert result.registered_model_name == "clf"
    assert result.registered_model_version == 1
    lineage = result.model_version.lineage
    assert lineage["data_fingerprint"] == result.data_fingerprint
    assert lineage["extra"]["parent_run_id"] == result.parent_run_id
    loaded = load_model(result.workspace, "clf", 1)
    frame = classification_frame()
    np.testing.assert_array_equal(loaded.predict(frame), result.best_model.predict(frame))
    path = result.workspace.artifact_root / result.model_version.artifact_path
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"tampered")
        with pytest.raises(ArtifactIntegrityError):
            load_model(result.workspace, "clf", 1)
    finally:
        path.write_bytes(original)


def test_regression_end_to_end(workspace_dir: str) -> None:
    frame = regression_frame()
    config = AutoMLConfig(
        "regression",
        training_data=frame,
        label_column_name="target",
        max_trials=3,
        allowed_models=["LightGBM", "ElasticNet", "DecisionTree"],
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="reg",
    )
    result = run_automl(config, show_output=False)
    predictions = result.best_model.predict(frame)
    assert predictions.shape == (len(frame),)
    assert np.isfinite(predictions).all()
    assert result.primary_metric == "normalized_root_mean_squared_error"
    assert "r2_score" in result.leaderboard.columns
    with pytest.raises(AttributeError, match="classification"):
        result.best_model.predict_proba(frame)


def _board(workspace: str, name: str, concurrency: int) -> list[tuple[Any, ...]]:
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(seed=3),
        label_column_name="label",
        max_trials=5,
        max_concurrent_iterations=concurrency,
        allowed_models=["LogisticRegression", "DecisionTree"],
        n_cross_validations=3,
        workspace=workspace,
        experiment_name=name,
        seed=7,
    )
    board = run_automl(config, show_output=False).leaderboard.sort_values("index")
    return [
        (row["index"], row["algorithm"], repr(sorted(row["hyperparameters"].items())),
         repr(row.get("members")), row["status"], round(row["accuracy"], 12),
         round(row["log_loss"], 12))
        for _, row in board.iterrows()
    ]  # fmt: skip


def test_same_seed_gives_same_leaderboard_at_any_concurrency(tmp_path: Path) -> None:
    first = _board(str(tmp_path / "a"), "det", 1)
    again = _board(str(tmp_path / "b"), "det", 1)
    parallel = _board(str(tmp_path / "c"), "det", 2)
    assert len(first) == 5
    assert [row[1] for row in first[-2:]] == ["VotingEnsemble", "StackEnsemble"]
    assert first[-1][3] != "None"
    assert first == again == parallel


def test_timeout_is_a_promise(workspace_dir: str) -> None:
    budget_s = 20.0
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(n=400),
        label_column_name="label",
        experiment_timeout_minutes=budget_s / 60.0,
        allowed_models=FAST,
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="timed",
        enable_early_stopping=False,
    )
    started = time.monotonic()
    result = run_automl(config, show_output=False)
    wall = time.monotonic() - started
    assert wall < budget_s * 1.05 + 5.0
    assert wall > budget_s * 0.5  # the budget, not the trial count, ended the search
    assert result.best_model is not None
    assert len(result.leaderboard) >= 3


def test_resume_repeats_nothing_finished(workspace_dir: str) -> None:
    def config(max_trials: int) -> AutoMLConfig:
        return AutoMLConfig(
            "classification",
            training_data=classification_frame(),
            label_column_name="label",
            max_trials=max_trials,
            allowed_models=["LogisticRegression", "DecisionTree"],
            n_cross_validations=3,
            workspace=workspace_dir,
            experiment_name="resumed",
        )

    first = run_automl(config(2), show_output=False)
    again = run_automl(config(2), show_output=False)
    assert again.parent_run_id == first.parent_run_id
    assert sorted(again.leaderboard["run_id"]) == sorted(first.leaderboard["run_id"])
    assert again.registered_model_version == first.registered_model_version == 1  # once
    extended = run_automl(config(3), show_output=False)
    assert set(first.leaderboard["run_id"]) < set(extended.leaderboard["run_id"])
    assert len(extended.leaderboard) == 3
    assert first.best_run is not None and extended.best_run is not None
    new_best = extended.best_run.id != first.best_run.id
    assert extended.registered_model_version == (2 if new_best else 1)
    versions = Workspace(workspace_dir).models.versions("resumed")
    assert [v.source_run_id for v in versions][-1] == extended.best_run.id


def test_voting_ensemble_is_the_last_child_and_can_be_the_best_model(workspace_dir: str) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200)})
    frame["target"] = frame["x1"] + 2.0 * np.sin(3 * frame["x2"]) + rng.normal(0, 0.3, 200)
    config = AutoMLConfig(
        "regression",
        training_data=frame,
        label_column_name="target",
        max_trials=3,
        allowed_models=["ElasticNet", "DecisionTree"],
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="ensemble",
    )
    result = run_automl(config, show_output=False)
    board = result.leaderboard
    assert board.iloc[0]["algorithm"] == "VotingEnsemble"
    assert board.iloc[0]["index"] == 2 and board.iloc[0]["kind"] == "ensemble"
    model = result.best_model
    assert model.algorithm == "VotingEnsemble"
    assert sorted(m.learner for m in model.members) == ["DecisionTree", "ElasticNet"]
    assert sum(m.weight for m in model.members) == pytest.approx(1.0)
    loaded = load_model(result.workspace, result.registered_model_name, 1)
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame))


def test_no_ensemble_when_disabled(workspace_dir: str) -> None:
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        max_trials=3,
        allowed_models=["LogisticRegression", "DecisionTree"],
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="plain",
        enable_voting_ensemble=False,
        enable_stack_ensemble=False,
    )
    board = run_automl(config, show_output=False).leaderboard
    assert (board["kind"] == "trial").all() and len(board) == 3


def test_exit_score_ends_the_search(workspace_dir: str) -> None:
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        max_trials=10,
        allowed_models=["LogisticRegression", "DecisionTree"],
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="exit",
        experiment_exit_score=0.5,
    )
    result = run_automl(config, show_output=False)
    assert len(result.leaderboard) == 1
    assert result.best_score is not None and result.best_score >= 0.5


def test_policy_stops_hopeless_children_from_chunk_reports(workspace_dir: str) -> None:
    from trials import BanditPolicy

    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        max_trials=6,
        allowed_models=["LightGBM"],
        n_cross_validations=3,
        workspace=workspace_dir,
        experiment_name="policy",
        early_termination_policy=BanditPolicy(
            slack_amount=0.001, evaluation_interval=1, delay_evaluation=0
        ),
    )
    result = run_automl(config, show_output=False)
    board = result.leaderboard
    stopped = board[board["status"] == "early_terminated"]
    assert len(stopped) >= 1
    assert stopped["status_reason"].str.startswith("bandit").all()
    assert result.best_run is not None and result.best_run.status == "completed"
    history = result.workspace.metric_history(stopped["run_id"].iloc[0], "accuracy")
    assert len(history) >= 1


def test_validation_data_is_the_single_validation_fold(workspace_dir: str) -> None:
    validation = classification_frame(n=90, seed=5)
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        validation_data=validation,
        max_trials=3,
        allowed_models=["LogisticRegression", "DecisionTree"],
        workspace=workspace_dir,
        experiment_name="holdout",
    )
    result = run_automl(config, show_output=False)
    assert "validation_data" in result.validation
    assert result.dropped_rows == 2 + 2  # missing labels in both tables
    child = next(c for c in result.children if c.kind == "trial")
    history = result.workspace.metric_history(child.id, "accuracy")
    assert history["step"].max() == CHUNKS  # one fold
    assert result.best_model.predict(validation).shape == (len(validation),)


def test_stack_ensemble_child_refits_into_a_stacked_pipeline(classification_run: Any) -> None:
    from automl._prepare import PreparedData
    from automl._refit import members_of, refit

    result = classification_run
    workspace = result.workspace
    [stack] = [run for run in result.children if run.params.get("ensemble") == "StackEnsemble"]
    assert {"ensemble.json", "stack_meta.joblib", "oof.joblib"} <= {
        artifact.name for artifact in workspace.artifacts(stack.id)
    }
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        max_trials=5,
        allowed_models=FAST,
        n_cross_validations=3,
        workspace=workspace,
        experiment_name="clf",
        seed=0,
    )
    prepared = PreparedData(config, workspace, "clf")
    members, meta_learner = members_of(workspace, stack, prepared.plan.n_folds)
    assert len(members) >= 2 and meta_learner is not None
    model = refit(prepared, config, members, meta_learner)
    assert model.algorithm == "StackEnsemble"
    frame = classification_frame(seed=11).drop(columns=["label"])
    proba = model.predict_proba(frame)
    assert proba.shape == (len(frame), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(frame)) <= {"good", "bad"}
    assert stack.status == "completed"
    assert 0.5 < workspace.final_metrics(stack.id)["accuracy"] <= 1.0


def test_killed_mid_fit_it_continues_and_registers_once(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from tests.automl.experiment._killed_fit import config
    from tests.trials.controller._process import REPO, wait_until

    folder = str(tmp_path / "ws")

    def completed() -> list[str]:
        with Workspace(folder) as ws:
            if "killed" not in {e.name for e in ws.list_experiments()}:
                return []
            return [r.id for r in ws.runs("killed", kind="trial") if r.status == "completed"]

    process = subprocess.Popen(
        [sys.executable, "-m", "tests.automl.experiment._killed_fit", folder, "killed"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its workers die with it
    )
    try:
        wait_until(lambda: len(completed()) >= 2, process, timeout=90)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    before = set(completed())
    assert 2 <= len(before) < 8

    result = run_automl(config(folder, "killed"), show_output=False)
    assert result.status == "completed"
    board = result.leaderboard
    assert len(board) == 8 and (board["status"] == "completed").all()
    assert before <= set(board["run_id"])  # nothing finished was run again
    again = run_automl(config(folder, "killed"), show_output=False)
    assert set(again.leaderboard["run_id"]) == set(board["run_id"])
    versions = Workspace(folder).models.versions("killed")
    assert [version.version for version in versions] == [1]  # registered once
    assert result.registered_model_version == again.registered_model_version == 1


def test_a_holdout_run_serves_its_fitted_models_when_no_refit_fits(tmp_path: Path) -> None:
    from automl._child import HOLDOUT_MODEL_ARTIFACT
    from automl._experiment_common import ranked_children
    from automl._prepare import PreparedData
    from automl._refit import choose_and_refit

    def config(**limits: Any) -> AutoMLConfig:
        return AutoMLConfig(
            "classification",
            training_data=classification_frame(n=300),
            label_column_name="label",
            validation_size=0.2,
            max_trials=4,
            allowed_models=["LogisticRegression", "DecisionTree"],
            workspace=str(tmp_path / "ws"),
            experiment_name="holdout",
            model_explainability=False,
            **limits,
        )

    result = run_automl(config(), show_output=False)
    assert result.workspace is not None and result.best_model is not None
    workspace = result.workspace
    trials = [run for run in result.children if run.kind == "trial"]
    assert all(
        HOLDOUT_MODEL_ARTIFACT in {a.name for a in workspace.artifacts(run.id)} for run in trials
    )
    late = config(experiment_timeout_minutes=0.05)  # 3 s, all spent long ago
    prepared = PreparedData(late, workspace, "holdout")
    metric = str(late.primary_metric)
    ranked = ranked_children(workspace, result.parent_run_id, metric, lambda value: value)
    model, run, _, version = choose_and_refit(
        late, workspace, prepared, ranked, time.monotonic() - 1000.0, "other-name"
    )
    assert model is not None and run is not None and version is None
    assert run.id == ranked[0][0].id  # the best run, without a refit
    frame = classification_frame(n=50, seed=9).drop(columns=["label"])
    proba = model.predict_proba(frame)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.algorithm == result.best_model.algorithm
