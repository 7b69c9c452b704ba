"""AutoMLConfig as data: to_dict/from_dict, the search-defining part, limits, repr, equality."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from automl._config import AutoMLConfig, AutoMLConfigError
from featurization import FeaturizationConfig
from trials.executors import LocalExecutor
from trials.policies import BanditPolicy

FIXTURES = Path(__file__).parent / "fixtures"


def full_config(**changes: Any) -> AutoMLConfig:
    values: dict[str, Any] = {
        "task": "classification",
        "training_data": FIXTURES / "train.csv",
        "label_column_name": "y",
        "primary_metric": "AUC_weighted",
        "validation_data": str(FIXTURES / "valid.csv"),
        "test_size": 0.2,
        "weight_column_name": "weight",
        "positive_label": 1,
        "experiment_timeout_minutes": 0.5,
        "iteration_timeout_minutes": 0.25,
        "max_trials": 40,
        "max_concurrent_iterations": 2,
        "max_cores_per_iteration": -1,
        "mem_in_mb": 2048,
        "experiment_exit_score": 0.95,
        "enable_early_stopping": False,
        "early_termination_policy": BanditPolicy(slack_factor=0.1, delay_evaluation=2),
        "allowed_models": ["light_gbm", "RandomForest"],
        "blocked_models": ["knn"],
        "featurization": FeaturizationConfig(
            column_purposes={"city": "Categorical"},
            transformer_params={"Imputer": {"columns": ["age"], "strategy": "median"}},
            blocked_transformers=["TfIdf"],
        ),
        "enable_stack_ensemble": False,
        "model_explainability": False,
        "seed": 7,
        "workspace": "postgresql+psycopg://me:secret@db:5432/automl",
        "experiment_name": "credit",
        "verbosity": 10,
    }
    values.update(changes)
    return AutoMLConfig(**values)


def test_to_dict_is_json_and_round_trips() -> None:
    config = full_config(workspace="runs")
    data = config.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["training_data"] == {"path": str(FIXTURES / "train.csv")}
    assert data["validation_data"] == {"ref": str(FIXTURES / "valid.csv")}
    assert data["early_termination_policy"]["type"] == "bandit"
    assert "iterations" not in data and "experiment_timeout_hours" not in data
    assert AutoMLConfig.from_dict(data) == config
    assert AutoMLConfig.from_dict(json.loads(json.dumps(data))) == config


def test_a_database_password_is_masked() -> None:
    data = full_config().to_dict()
    assert data["workspace"] == "postgresql+psycopg://me:***@db:5432/automl"
    assert "secret" not in repr(full_config())


def test_in_memory_data_must_be_passed_again(frame: pd.DataFrame) -> None:
    config = AutoMLConfig("classification", training_data=frame, label_column_name="y")
    data = config.to_dict()
    assert data["training_data"] == {
        "in_memory": "pandas.DataFrame",
        "rows": 6,
        "columns": ["age", "income", "city", "weight", "fold_a", "y"],
    }
    with pytest.raises(
        AutoMLConfigError,
        match=r"`training_data` was an in-memory pandas.DataFrame .*from_dict\(data, "
        r"training_data=frame\)",
    ):
        AutoMLConfig.from_dict(data)
    assert AutoMLConfig.from_dict(data, training_data=frame) == config


def test_an_executor_instance_must_be_passed_again(base: dict[str, Any]) -> None:
    executor = LocalExecutor()
    data = AutoMLConfig(**base, executor=executor).to_dict()
    assert data["executor"] == {"instance": "LocalExecutor"}
    with pytest.raises(AutoMLConfigError, match=r"`executor` was the instance 'LocalExecutor'"):
        AutoMLConfig.from_dict(data, training_data=base["training_data"])
    again = AutoMLConfig.from_dict(data, training_data=base["training_data"], executor=executor)
    assert again.executor is executor


def test_from_dict_rejects_unknown_keys(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError,
        match=r"unknown AutoMLConfig field 'max_trial' \(did you mean 'max_trials'\?\); valid "
        r"fields: task, training_data",
    ):
        AutoMLConfig.from_dict({**base, "max_trial": 3})


def test_search_config_holds_what_defines_the_search(base: dict[str, Any]) -> None:
    config = AutoMLConfig(**base)
    search = config.search_config()
    assert json.loads(json.dumps(search)) == search
    assert set(search) == {
        "task", "label_column_name", "weight_column_name", "positive_label", "primary_metric",
        "allowed_models", "blocked_models", "enable_dnn", "featurization", "validation_data",
        "validation_size", "n_cross_validations", "cv_split_column_names", "test_data",
        "test_size", "seed", "early_termination_policy", "enable_voting_ensemble",
        "enable_stack_ensemble",
    }  # fmt: skip
    same: list[dict[str, Any]] = [  # limits, resources, exits and naming may change on resume
        {"max_trials": 5, "experiment_timeout_minutes": 3, "iteration_timeout_minutes": 1},
        {"max_concurrent_iterations": 4, "max_cores_per_iteration": -1, "mem_in_mb": 512},
        {"experiment_exit_score": 0.9, "enable_early_stopping": False},
        {"model_explainability": False, "verbosity": 30, "experiment_name": "x"},
        {"featurization": {"mode": "auto"}},  # the same as "auto"
    ]
    for changes in same:
        assert AutoMLConfig(**base, **changes).search_config() == search
    different: list[dict[str, Any]] = [
        {"seed": 1},
        {"primary_metric": "AUC_weighted"},
        {"blocked_models": ["KNN"]},
        {"n_cross_validations": 3},
        {"early_termination_policy": {"type": "median_stopping"}},
        {"featurization": "off"},
    ]
    for changes in different:
        assert AutoMLConfig(**base, **changes).search_config() != search


def test_limits_in_seconds() -> None:
    limits = full_config().limits()
    assert (limits.max_total_trials, limits.max_concurrent_trials) == (40, 2)
    assert (limits.timeout, limits.trial_timeout) == (30.0, 15.0)


def test_repr_is_short_and_shows_what_was_set(base: dict[str, Any]) -> None:
    text = repr(AutoMLConfig(**base, max_trials=20))
    assert text == (
        "AutoMLConfig('classification', training_data=<pandas.DataFrame: 6 rows x 6 columns>, "
        "label_column_name='y', primary_metric='accuracy', max_trials=20)"
    )


def test_equality_compares_tables_by_identity(frame: pd.DataFrame) -> None:
    first = AutoMLConfig("regression", training_data=frame, label_column_name="y")
    assert first == AutoMLConfig("regression", training_data=frame, label_column_name="y")
    assert first != AutoMLConfig("regression", training_data=frame.copy(), label_column_name="y")
    assert first != dataclasses.replace(first, seed=1)


def test_replace_validates_again(base: dict[str, Any]) -> None:
    config = AutoMLConfig(**base, iterations=10, experiment_timeout_hours=1)
    changed = dataclasses.replace(config, max_trials=5, experiment_timeout_minutes=3)
    assert (changed.max_trials, changed.experiment_timeout_minutes) == (5, 3.0)
    with pytest.raises(AutoMLConfigError, match=r"`seed` must be an int >= 0"):
        dataclasses.replace(config, seed=-3)


def test_pickle_and_deepcopy_keep_the_config() -> None:
    config = full_config()
    assert pickle.loads(pickle.dumps(config)) == config
    assert copy.deepcopy(config) == config
