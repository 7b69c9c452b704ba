"""The example in examples/sweep_credit parses, and its training script runs on its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from trials._sweep_yaml import load_sweep_job

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sweep_credit"


def test_the_example_job() -> None:
    job = load_sweep_job(EXAMPLE / "sweep.yaml")
    assert job.experiment_name == "sweep_credit"
    assert job.trial.code == EXAMPLE
    assert job.inputs["data"].value == str(EXAMPLE.parent / "data" / "credit_g.csv")
    assert set(job.search_space) == {
        "learning_rate",
        "max_leaf_nodes",
        "min_samples_leaf",
        "l2_regularization",
        "max_iter",
    }
    assert (job.primary_metric, job.goal) == ("accuracy", "maximize")
    assert job.sampling_algorithm == {"type": "random", "seed": 42}
    assert job.early_termination == {
        "type": "bandit",
        "slack_factor": 0.05,
        "evaluation_interval": 1,
        "delay_evaluation": 2,
    }
    limits = job.limits
    assert (limits.max_total_trials, limits.max_concurrent_trials) == (20, 2)
    assert limits.trial_timeout == 120.0
    [notice] = job.notices
    assert "trial.environment" in notice
    params = {
        "learning_rate": 0.1,
        "max_leaf_nodes": 7,
        "min_samples_leaf": 20,
        "l2_regularization": 0.0,
        "max_iter": 50,
    }
    target = job.to_sweep_kwargs()["trial"].for_trial(params)
    assert target.argv[1:4] == ("train.py", "--data", job.inputs["data"].value)
    assert target.argv[-2:] == ("--max_iter", "50")


def test_the_training_script_runs_standalone() -> None:
    data = EXAMPLE.parent / "data" / "credit_g.csv"
    argv = [sys.executable, "train.py", "--data", str(data), "--max_iter", "20"]
    done = subprocess.run(argv, cwd=EXAMPLE, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and lines[-1].startswith("step   2  iterations   20  accuracy 0.")
