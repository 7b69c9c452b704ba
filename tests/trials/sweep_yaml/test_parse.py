"""Every field of a v2 sweep job is read into SweepJob; notices say what is ignored locally."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from search_spaces import SearchSpace, uniform
from trials._sweep_yaml import SweepJob, load_sweep_job, parse_sweep_job
from trials.executors import CommandTarget, Resources

from .conftest import BASE, with_changes

FULL = """
$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
display_name: Full job
description: Every field
experiment_name: full-experiment
tags: {team: risk, version: 3, draft: true}
compute: local
trial:
  command: >-
    python train.py --data ${{inputs.data}} --images ${{inputs.images}}
    --lr ${{search_space.lr}} --depth ${{search_space.depth}} --mode ${{inputs.mode}}
  code: .
  environment: azureml:AzureML-sklearn-1.5@latest
  environment_variables: {OMP_PROC_BIND: "false", LEVEL: 2, VERBOSE: true}
  resources: {cpus: 2, gpus: 0.5, mem_in_mb: 2048, instance_count: 1}
inputs:
  data: {type: uri_file, path: data.csv, mode: ro_mount}
  images: {type: URI_FOLDER, path: "file:images"}
  mode: fast
  rate: 0.5
  flag: {value: true}
outputs:
  model: {type: uri_folder}
  report:
search_space:
  lr: {type: loguniform, min_value: -9, max_value: -2}
  depth: {type: choice, values: [3, 5, 8]}
sampling_algorithm: {type: bayesian, seed: 7}
objective: {goal: Minimize, primary_metric: loss}
early_termination: {type: median_stopping, evaluation_interval: 2, delay_evaluation: 4}
limits: {max_total_trials: 30, max_concurrent_trials: 3, timeout: 3600, trial_timeout: 1e2}
"""


def test_every_field(write_job: Callable[..., Path]) -> None:
    path = write_job(text=FULL)
    job = load_sweep_job(path)
    folder = path.parent.resolve()
    assert job.schema == "https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json"
    assert (job.display_name, job.description) == ("Full job", "Every field")
    assert job.experiment_name == "full-experiment"
    assert dict(job.tags) == {"team": "risk", "version": "3", "draft": "true"}
    assert job.compute == "local"
    assert job.trial.argv[:2] == ("python", "train.py")
    assert job.trial.code == folder
    assert dict(job.trial.environment_variables) == {
        "OMP_PROC_BIND": "false",
        "LEVEL": "2",
        "VERBOSE": "true",
    }
    assert job.resources == Resources(cpus=2, gpus=0.5, mem_in_mb=2048)
    assert {name: (i.type, i.value) for name, i in job.inputs.items()} == {
        "data": ("uri_file", str(folder / "data.csv")),
        "images": ("uri_folder", str(folder / "images")),
        "mode": ("literal", "fast"),
        "rate": ("literal", 0.5),
        "flag": ("literal", True),
    }
    assert job.outputs == ("model", "report")
    assert set(job.search_space) == {"lr", "depth"}
    assert job.sampling_algorithm == {"type": "bayesian", "seed": 7}
    assert (job.primary_metric, job.goal) == ("loss", "minimize")
    assert isinstance(job.early_termination, Mapping)
    assert job.early_termination["type"] == "median_stopping"
    limits = job.limits
    assert (limits.max_total_trials, limits.max_concurrent_trials) == (30, 3)
    assert (limits.timeout, limits.trial_timeout) == (3600.0, 100.0)
    assert job.source == path
    notices = " | ".join(job.notices)
    assert "`trial.environment` is ignored" in notices
    assert "`trial.resources.instance_count`" in notices
    assert "`outputs` (model, report) are not mounted" in notices


def test_defaults_of_a_minimal_job(tmp_path: Path) -> None:
    job = parse_sweep_job(with_changes({"trial/code": None}), base_dir=tmp_path)
    assert job.trial.code == tmp_path.resolve()  # no code: the YAML file's folder
    assert job.sampling_algorithm == "random"
    assert job.early_termination is None
    assert job.limits.max_concurrent_trials == 1
    assert (job.limits.timeout, job.limits.trial_timeout) == (None, None)
    assert (job.compute, job.resources, job.inputs, job.outputs) == ("local", None, {}, ())
    assert job.experiment_name is None  # no file, no experiment_name: Sweep picks a name
    assert job.notices == ()


def test_experiment_name_is_the_file_stem_unless_given(write_job: Callable[..., Path]) -> None:
    assert load_sweep_job(write_job(name="credit_lr.yaml")).experiment_name == "credit_lr"
    named = write_job({"experiment_name": "mine"}, name="other.yml")
    assert load_sweep_job(named).experiment_name == "mine"


@pytest.mark.parametrize("goal", ["maximize", "Maximize", "MAXIMIZE"])
def test_goal_is_case_insensitive(tmp_path: Path, goal: str) -> None:
    job = parse_sweep_job(with_changes({"objective/goal": goal}), base_dir=tmp_path)
    assert job.goal == "maximize"


def test_environment_is_a_notice_not_an_error(tmp_path: Path) -> None:
    data = with_changes({"trial/environment": {"image": "python:3.11", "conda_file": "c.yml"}})
    job = parse_sweep_job(data, base_dir=tmp_path)
    [notice] = job.notices
    assert notice.startswith("`trial.environment` is ignored")


def test_top_level_resources_and_ignored_azure_keys(tmp_path: Path) -> None:
    data = with_changes({"resources": {"instance_type": "Standard_NC6", "cpus": 4}})
    job = parse_sweep_job(data, base_dir=tmp_path)
    assert job.resources == Resources(cpus=4)
    [notice] = job.notices
    assert "`resources.instance_type` ignored" in notice


def test_grid_or_timeout_makes_max_total_trials_optional(tmp_path: Path) -> None:
    grid = with_changes(
        {
            "limits": None,
            "sampling_algorithm": "grid",
            "search_space/lr": {"type": "choice", "values": [0.1, 0.2]},
        }
    )
    assert parse_sweep_job(grid, base_dir=tmp_path).limits.max_total_trials is None
    timed = with_changes({"limits": {"timeout": 60}})
    assert parse_sweep_job(timed, base_dir=tmp_path).limits.timeout == 60.0


def test_nested_choice_placeholders_use_flattened_names(tmp_path: Path) -> None:
    data = with_changes(
        {
            "trial/command": "python train.py --model ${{search_space.model.name}} "
            "--c ${{search_space.model.C}}",
            "search_space": {
                "model": {
                    "type": "choice",
                    "values": [
                        {"name": "svm", "C": {"type": "uniform", "min_value": 0.1, "max_value": 1}},
                        {"name": "rf", "trees": 100},
                    ],
                }
            },
        }
    )
    job = parse_sweep_job(data, base_dir=tmp_path)
    # `model.name` exists in every option; `model.C` only in one: allowed, with a notice.
    [notice] = job.notices
    assert "${{search_space.model.C}}" in notice and "only some options" in notice


def test_backslash_continued_lines_are_one_command(tmp_path: Path) -> None:
    data = with_changes({"trial/command": "python train.py \\\n  --lr ${{search_space.lr}}\n"})
    job = parse_sweep_job(data, base_dir=tmp_path)
    assert job.trial.argv == ("python", "train.py", "--lr", "${{search_space.lr}}")


def test_to_sweep_kwargs(write_job: Callable[..., Path]) -> None:
    job = load_sweep_job(write_job(text=FULL))
    kwargs = job.to_sweep_kwargs()
    assert set(kwargs) == {
        "trial",
        "search_space",
        "primary_metric",
        "goal",
        "sampling_algorithm",
        "early_termination",
        "max_total_trials",
        "max_concurrent_trials",
        "timeout",
        "trial_timeout",
        "resources",
        "executor",
        "experiment_name",
    }
    assert kwargs["search_space"] is job.search_space
    assert kwargs["sampling_algorithm"] == {"type": "bayesian", "seed": 7}
    assert (kwargs["max_total_trials"], kwargs["timeout"], kwargs["executor"]) == (
        30,
        3600.0,
        "local",
    )
    target = kwargs["trial"].for_trial({"lr": 0.001, "depth": 5})
    assert isinstance(target, CommandTarget)
    folder = job.trial.code
    assert target.argv == (
        sys.executable,  # `python`: the interpreter running the sweep
        "train.py",
        "--data",
        str(folder / "data.csv"),
        "--images",
        str(folder / "images"),
        "--lr",
        "0.001",
        "--depth",
        "5",
        "--mode",
        "fast",
    )
    assert target.cwd == folder
    assert dict(target.env)["LEVEL"] == "2"


def test_the_job_is_frozen(tmp_path: Path) -> None:
    job = parse_sweep_job(with_changes({"tags": {"a": "b"}}), base_dir=tmp_path)
    with pytest.raises(AttributeError):
        job.goal = "minimize"  # type: ignore[misc]
    with pytest.raises(TypeError):
        job.tags["a"] = "c"  # type: ignore[index]


def test_a_job_can_be_built_directly() -> None:
    job = SweepJob(
        trial=parse_sweep_job(BASE, base_dir=".").trial,
        search_space=SearchSpace({"lr": uniform(0.01, 0.1)}),
        primary_metric="accuracy",
        goal="maximize",
    )
    assert job.to_sweep_kwargs()["max_total_trials"] is None


def test_the_kwargs_build_a_sweep(write_job: Callable[..., Path], tmp_path: Path) -> None:
    sweep_module = pytest.importorskip("trials._sweep")
    job = load_sweep_job(write_job(text=FULL))
    sweep = sweep_module.Sweep(**job.to_sweep_kwargs(), workspace=tmp_path / "ws")
    assert sweep.experiment_name == "full-experiment"
    assert sweep.limits == job.limits


@pytest.mark.parametrize("compute", ["ray", "ray://10.0.0.5:10001", " local "])
def test_compute_names_where_trials_run(tmp_path: Path, compute: str) -> None:
    job = parse_sweep_job(with_changes({"compute": compute}), base_dir=tmp_path)
    assert job.compute == compute.strip()
    assert job.to_sweep_kwargs()["executor"] == compute.strip()
