"""`automl run JOB.yaml`: an AutoML job from its v2 YAML, leaderboard and model at the end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl import load_automl_job
from automl.cli import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "automl_credit" / "job.yaml"

JOB = """\
type: automl
task: classification
experiment_name: tiny_job
primary_metric: AUC_weighted
target_column_name: target
training_data:
  type: uri_file
  path: data.csv
limits:
  max_trials: 3
training:
  allowed_training_algorithms: [decision_tree, logistic_regression]
  enable_stack_ensemble: false
environment: azureml:AzureML-sklearn-1.0@latest
"""


@pytest.fixture
def job(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x1": rng.normal(size=60), "x2": rng.choice(["a", "b"], 60)})
    frame["target"] = np.where(frame["x1"] + rng.normal(0, 0.5, 60) > 0, "good", "bad")
    frame.to_csv(tmp_path / "data.csv", index=False)
    path = tmp_path / "job.yaml"
    path.write_text(JOB, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_run_prints_progress_leaderboard_and_model(
    job: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    status, out, err = run_cli(capsys, "--workspace", ws, "run", str(job))
    assert status == 0, err
    assert "automl: notice: `environment`" in err
    assert out.count("\ntrial ") + out.startswith("trial ") == 3  # plain progress lines
    assert "AutoML tiny_job: top 3, best AUC_weighted first" in out
    for column in ("index", "algorithm", "status", "AUC_weighted", "fit_time"):
        assert column in out
    assert "DecisionTree" in out or "LogisticRegression" in out
    assert "registered as tiny_job:1" in out
    assert f"automl --workspace {ws} runs ls --experiment tiny_job" in out

    # --json: no progress, one JSON document; --name runs another experiment of the file.
    status, out, _ = run_cli(capsys, "-w", ws, "run", str(job), "--json", "--name", "other")
    assert status == 0
    summary = json.loads(out)
    assert summary["experiment"] == "other"
    assert summary["primary_metric"] == "AUC_weighted"
    assert summary["registered_model_name"] == "other"
    assert summary["registered_model_version"] == 1
    assert summary["notices"] and "environment" in summary["notices"][0]
    rows = summary["leaderboard"]
    assert len(rows) == 3
    assert set(rows[0]) == {"index", "algorithm", "status", "AUC_weighted", "fit_time"}
    scores = [row["AUC_weighted"] for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert summary["best_score"] == pytest.approx(scores[0])


def test_bad_yaml_exits_2_with_its_message(
    job: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "ws")
    job.write_text(JOB.replace("max_trials: 3", "max_trials: 0"), encoding="utf-8")
    status, out, err = run_cli(capsys, "-w", ws, "run", str(job))
    assert status == 2 and out == ""
    assert err.startswith(f"automl: error: {job}: ")
    assert "`limits.max_trials`" in err

    job.write_text("type: automl\ntask: [unclosed\n", encoding="utf-8")
    status, _, err = run_cli(capsys, "-w", ws, "run", str(job))
    assert status == 2 and err.startswith("automl: error: ")

    status, _, err = run_cli(capsys, "-w", ws, "run", str(tmp_path / "nope.yaml"))
    assert status == 2 and "AutoML job file not found" in err

    job.write_text(JOB, encoding="utf-8")
    status, _, err = run_cli(capsys, "-w", ws, "run", str(job), "--name", " ")
    assert status == 2 and "--name must be a non-empty experiment name" in err
    assert not (tmp_path / "ws").exists()  # nothing ran


def test_example_job_is_valid() -> None:
    job = load_automl_job(EXAMPLE)
    config = job.config
    assert job.experiment_name == "automl_credit"
    assert (config.task, config.label_column_name, config.primary_metric) == (
        "classification",
        "target",
        "AUC_weighted",
    )
    assert (config.experiment_timeout_minutes, config.max_concurrent_iterations) == (1, 2)
    assert config.enable_stack_ensemble is False
    assert Path(config.training_data).name == "credit_g.csv"
    assert job.notices == ()


def test_leaderboard_puts_completed_children_before_canceled_ones() -> None:
    from automl._result import leaderboard_frame

    store_board = pd.DataFrame(  # as the store ranks it: by the metric only
        {
            "run_id": ["c", "a", "b"],
            "index": [3, 1, 2],
            "kind": ["trial"] * 3,
            "status": ["canceled", "completed", "completed"],
            "accuracy": [0.9, 0.8, np.nan],
            "learner": ["CatBoost", "LightGBM", "KNN"],
            "hyperparameters.depth": [6, np.nan, np.nan],
        }
    )
    board = leaderboard_frame(store_board, ["accuracy"])
    assert list(board["index"]) == [1, 2, 3]
    assert list(board["algorithm"]) == ["LightGBM", "KNN", "CatBoost"]
    assert board.loc[2, "hyperparameters"] == {"depth": 6}
