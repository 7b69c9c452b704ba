"""Every bad sweep job is an error before any trial runs, naming the field's YAML path."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from trials._sweep_yaml import SweepJobError, load_sweep_job, parse_sweep_job

from .conftest import with_changes

E = re.escape

UNKNOWN_KEYS: list[tuple[dict[str, Any], str]] = [
    (
        {"hyperparameters": 1},
        E(
            "unknown key 'hyperparameters' at the top level of the sweep job; valid keys: "
            "$schema, compute, description, display_name, early_termination, experiment_name, "
            "inputs, limits, objective, outputs, resources, sampling_algorithm, search_space, "
            "tags, trial, type"
        ),
    ),
    (
        {"name": "job-1"},
        E("unknown key 'name' at the top level") + ".*name the experiment with `experiment_name`",
    ),
    ({"command": "python x.py"}, "goes under `trial:`"),
    ({"serach_space": {}}, E("(did you mean 'search_space'?)")),
    (
        {"trial/image": "python"},
        E(
            "unknown key 'image' in `trial`; valid keys: code, command, environment, "
            "environment_variables, resources"
        ),
    ),
    ({"trial/distribution": {"type": "pytorch"}}, "distributed training .* not supported"),
    (
        {"limits/max_trials": 5},
        E(
            "unknown key 'max_trials' in `limits`; valid keys: max_concurrent_trials, "
            "max_total_trials, timeout, trial_timeout; a sweep's trial count is `max_total_trials`"
        ),
    ),
    ({"limits/timeout_minutes": 5}, "`timeout` is in seconds"),
    (
        {"objective/metric": "auc"},
        E("unknown key 'metric' in `objective`; valid keys: goal, primary_metric"),
    ),
    (
        {"trial/resources": {"memory": 4}},
        E(
            "unknown key 'memory' in `trial.resources`; valid keys: cpus, docker_args, gpus, "
            "instance_count"
        ),
    ),
    (
        {"inputs": {"data": {"type": "uri_file", "path": "data.csv", "datastore": "ws"}}},
        E("unknown key 'datastore' in `inputs.data`; valid keys: description, mode, path, type;")
        + " datastores are Azure storage",
    ),
    (
        {"outputs": {"model": {"kind": "folder"}}},
        E(
            "unknown key 'kind' in `outputs.model`; valid keys: description, mode, name, path, "
            "type, version"
        ),
    ),
    (
        {"sampling_algorithm": {"type": "random", "sed": 1}},
        E(
            "unknown key `sed` in sampling_algorithm of type random; valid keys: logbase, rule, "
            "seed, type"
        ),
    ),
    (
        {"early_termination": {"type": "bandit", "slack": 0.1}},
        E(
            "`early_termination`: unknown key(s) slack for early termination type 'bandit'; "
            "valid keys: delay_evaluation, evaluation_interval, slack_amount, slack_factor, type"
        ),
    ),
]

BAD_VALUES: list[tuple[dict[str, Any], str]] = [
    # type
    ({"type": None}, E("`type` is required: write `type: sweep`")),
    ({"type": "command"}, E("`type` must be 'sweep', got 'command'")),
    ({"type": "automl"}, E("got 'automl'; an AutoML job runs with `automl run FILE.yaml`")),
    # trial
    ({"trial": None}, E("`trial` is required")),
    ({"trial": "python train.py"}, E("`trial` must be a mapping, got 'python train.py'")),
    ({"trial/command": None}, E("`trial.command` is required")),
    ({"trial/command": ["python", "x.py"]}, E("`trial.command` must be a non-empty string")),
    ({"trial/command": "python a.py && python b.py"}, E("shell operator '&&'")),
    ({"trial/command": "python a.py > log.txt"}, E("shell operator '>'")),
    ({"trial/command": "python a.py\npython b.py"}, E("`trial.command` holds several lines")),
    ({"trial/command": "python a.py $[[--x ${{inputs.x}}]]"}, E("optional-input block")),
    ({"trial/command": "python 'a.py"}, E("`trial.command` must be a valid command line")),
    ({"trial/code": "src"}, E("`trial.code` must be an existing folder, got 'src'")),
    ({"trial/code": "train.py"}, E("`trial.code` must be an existing folder") + ".*not a folder"),
    ({"trial/code": "azureml:code:1"}, E("`trial.code` must be a local folder, got 'azureml")),
    (
        {"trial/environment_variables": {"X": [1, 2]}},
        E(
            "`trial.environment_variables.X` must be a string, a number or a boolean, got the "
            "list [1, 2]"
        ),
    ),
    (
        {"trial/environment_variables": {"LR": "${{search_space.lr}}"}},
        E("`trial.environment_variables.LR` holds a placeholder"),
    ),
    (
        {"trial/environment_variables": ["X=1"]},
        E("`trial.environment_variables` must be a mapping"),
    ),
    ({"trial/resources": {"cpus": 0}}, E("`trial.resources.cpus` must be an integer >= 1, got 0")),
    ({"resources": {"cpus": 1}, "trial/resources": {"cpus": 2}}, E("give it once")),
    # placeholders
    (
        {"trial/command": "python train.py --m ${{search_space.momentum}}"},
        E(
            "unknown placeholder ${{search_space.momentum}} in `trial.command`; known "
            "placeholders: ${{search_space.lr}}"
        ),
    ),
    (
        {
            "trial/command": "python train.py --data ${{inputs.train}}",
            "inputs": {"data": {"type": "uri_file", "path": "data.csv"}, "n": 3},
        },
        E(
            "unknown placeholder ${{inputs.train}} in `trial.command`; known placeholders: "
            "${{search_space.lr}}, ${{inputs.data}}, ${{inputs.n}}"
        ),
    ),
    ({"trial/command": "python train.py --x ${{name}}"}, E("unknown placeholder ${{name}}")),
    (
        {"trial/command": "python train.py --out ${{outputs.model}}"},
        E("`trial.command` uses ${{outputs.model}}, but outputs are not mounted locally")
        + ".*report.log_artifact",
    ),
    # inputs
    (
        {"inputs": {"data": {"type": "uri_file", "path": "missing.csv"}}},
        E("`inputs.data.path` must be an existing file, got 'missing.csv' (resolved to ")
        + ".*nothing there.*relative to the YAML file's folder",
    ),
    (
        {"inputs": {"data": {"type": "uri_folder", "path": "data.csv"}}},
        E("`inputs.data.path` must be an existing folder") + ".*not a folder",
    ),
    (
        {"inputs": {"data": {"type": "uri_file", "path": "azureml:credit:1"}}},
        E(
            "`inputs.data.path` must be a local path, got the Azure ML asset 'azureml:credit:1', "
            "which is not supported locally"
        ),
    ),
    (
        {"inputs": {"data": {"type": "uri_file", "path": "https://example.org/d.csv"}}},
        E("got the remote URL 'https://example.org/d.csv', which is not supported locally"),
    ),
    (
        {"inputs": {"data": {"type": "mltable", "path": "."}}},
        E(
            "`inputs.data.type` must be one of uri_file, uri_folder, got 'mltable'; mltable "
            "inputs are Azure assets"
        ),
    ),
    ({"inputs": {"data": {"path": "data.csv"}}}, E("`inputs.data.type` is required")),
    ({"inputs": {"data": {"type": "uri_file"}}}, E("`inputs.data.path` is required")),
    (
        {"inputs": {"data": {"type": "uri_file", "path": "data.csv", "mode": "upload"}}},
        E("`inputs.data.mode` must be one of ro_mount, download"),
    ),
    ({"inputs": {"my-data": 1}}, E("input names must be letters, digits and '_'")),
    ({"inputs": {"x": None}}, E("`inputs.x` must be a mapping, got None; give a literal")),
    ({"inputs": {"x": {"value": [1]}}}, E("`inputs.x.value` must be a string, a number")),
    ({"outputs": {"model": {"type": "zip"}}}, E("`outputs.model.type` must be one of uri_file")),
    # search space and sampling
    ({"search_space": None}, E("`search_space` is required")),
    ({"search_space": {}}, E("`search_space` must hold at least one parameter")),
    (
        {"search_space/lr": {"type": "uniform", "min_value": 0.1}},
        E("parameter `search_space.lr`: missing field `max_value` for type `uniform`"),
    ),
    (
        {"sampling_algorithm": "hyperband"},
        E("`sampling_algorithm` must be one of bayesian, grid, random, sobol, got 'hyperband'"),
    ),
    ({"sampling_algorithm": 3}, E("`sampling_algorithm` must be a name (random, grid")),
    ({"sampling_algorithm": "grid"}, E("`sampling_algorithm`: grid sampling supports only")),
    (
        {"sampling_algorithm": {"type": "random", "rule": "halton"}},
        E("`sampling_algorithm.rule` must be one of random, sobol, got 'halton'"),
    ),
    # objective
    ({"objective": None}, E("`objective` is required, e.g. objective: {goal: maximize")),
    ({"objective/primary_metric": None}, E("`objective.primary_metric` is required")),
    ({"objective/goal": None}, E("`objective.goal` is required")),
    (
        {"objective/goal": "up"},
        E("`objective.goal` must be one of maximize, minimize (any case), got 'up'"),
    ),
    ({"objective/primary_metric": ""}, E("`objective.primary_metric` must be a non-empty string")),
    # early termination
    (
        {"early_termination": {"type": "hyperband"}},
        E(
            "`early_termination.type` must be one of asha, bandit, median_stopping, none, "
            "truncation_selection, got 'hyperband'"
        ),
    ),
    (
        {"early_termination": {"slack_factor": 0.1}},
        E("`early_termination.type` is required"),
    ),
    (
        {"early_termination": {"type": "bandit"}},
        E("`early_termination`: exactly one of `slack_factor` and `slack_amount` is required"),
    ),
    (
        {"early_termination": {"type": "bandit", "slack_factor": -1}},
        E("`early_termination.slack_factor` must be > 0, got -1"),
    ),
    ({"early_termination": [1]}, E("`early_termination` must be a mapping such as")),
    # limits
    (
        {"limits/max_total_trials": 0},
        E("`limits.max_total_trials` must be an int >= 1, got 0; the trials to run in all"),
    ),
    (
        {"limits/max_total_trials": "five"},
        E("`limits.max_total_trials` must be an int >= 1, got 'five'"),
    ),
    ({"limits/max_total_trials": True}, E("got True (bool)")),
    ({"limits/max_total_trials": 2.5}, E("`limits.max_total_trials` must be an int >= 1, got 2.5")),
    (
        {"limits/max_concurrent_trials": 0},
        E("`limits.max_concurrent_trials` must be an int >= 1, got 0"),
    ),
    ({"limits/timeout": -1}, E("`limits.timeout` must be a number of seconds > 0, got -1")),
    ({"limits/trial_timeout": "soon"}, E("`limits.trial_timeout` must be a number of seconds > 0")),
    ({"limits": None}, E("`limits.max_total_trials` is required (unless `limits.timeout`")),
    ({"limits": [20]}, E("`limits` must be a mapping, got the list [20]")),
    # compute
    (
        {"compute": "ray://10.0.0.1"},
        E("`compute` must be local, ray or ray://host:port, got 'ray://10.0.0.1'"),
    ),
    (
        {"compute": "azureml:cpu-cluster"},
        E(
            "`compute` must be local, ray or ray://host:port, got 'azureml:cpu-cluster'; Azure "
            "compute targets do not exist locally"
        ),
    ),
    ({"compute": "gpu"}, E("`compute` must be local, ray or ray://host:port, got 'gpu'")),
    # metadata
    ({"experiment_name": ""}, E("`experiment_name` must be a non-empty string, got ''")),
    ({"display_name": 3}, E("`display_name` must be a non-empty string, got 3")),
    ({"tags": {"a": {"b": 1}}}, E("`tags.a` must be a string, a number or a boolean")),
]


@pytest.mark.parametrize(
    ("changes", "message"),
    UNKNOWN_KEYS + BAD_VALUES,
    ids=["+".join(changes) for changes, _ in UNKNOWN_KEYS + BAD_VALUES],
)
def test_bad_job(write_job: Callable[..., Path], changes: dict[str, Any], message: str) -> None:
    path = write_job(changes)
    with pytest.raises(SweepJobError, match=message):
        load_sweep_job(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", E("a sweep job must be a mapping with `type: sweep` at its top, got None")),
        ("- a\n- b\n", E("a sweep job must be a mapping with `type: sweep` at its top")),
        ("type: [sweep\n", "not valid YAML"),
        ("type: sweep\ntype: sweep\n", E("the key 'type' is given twice (line 2); keep one")),
        ("type: sweep\nlimits:\n  timeout: 1\n  timeout: 2\n", E("'timeout' is given twice")),
    ],
)
def test_bad_file(write_job: Callable[..., Path], text: str, message: str) -> None:
    path = write_job(text=text)
    with pytest.raises(SweepJobError, match=E(f"{path}: ") + ".*" + message):
        load_sweep_job(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SweepJobError, match=E("sweep job file not found: ")):
        load_sweep_job(tmp_path / "nope.yaml")


def test_errors_are_value_errors(tmp_path: Path) -> None:
    # the CLI reports ValueError without a traceback, with exit status 2
    with pytest.raises(ValueError, match=E("`limits.max_total_trials`")):
        parse_sweep_job(with_changes({"limits/max_total_trials": 0}), base_dir=tmp_path)
