"""AutoML job YAML (Azure v2 ``type: automl``): the table both ways, a full job, every error."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import automl._yaml
from automl._config import AutoMLConfig
from automl._yaml import (
    FIELD_PATHS,
    IGNORED,
    TABLE,
    AutoMLJobError,
    config_to_yaml_mapping,
    dump_automl_job,
    load_automl_job,
    parse_automl_job,
)
from automl._yaml_values import ALGORITHMS
from featurization import FeaturizationConfig
from forecasting import ForecastingParameters
from trials.executors import LocalExecutor
from trials.policies import BanditPolicy

FIXTURES = Path(__file__).parent / "fixtures"
TRAIN = FIXTURES / "train.csv"


def minimal(**extra: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "type": "automl",
        "task": "classification",
        "target_column_name": "y",
        "training_data": {"type": "uri_file", "path": "train.csv"},
    }
    for path, value in extra.items():
        section, _, key = path.rpartition(".")
        (job.setdefault(section, {}) if section else job)[key] = value
    return job


def parse(job: dict[str, Any]) -> AutoMLConfig:
    return parse_automl_job(job, base_dir=FIXTURES).config


def lookup(mapping: dict[str, Any], path: str) -> Any:
    section, _, key = path.rpartition(".")
    return (mapping[section] if section else mapping)[key]


# Each v2 key: (a value written in YAML, the AutoMLConfig field's value it gives).
SAMPLES: dict[str, tuple[Any, Any]] = {
    "task": ("regression", "regression"),
    "primary_metric": ("r2_score", "r2_score"),
    "target_column_name": ("income", "income"),
    "training_data": ({"type": "uri_file", "path": "valid.csv"}, FIXTURES / "valid.csv"),
    "validation_data": ({"type": "uri_file", "path": "valid.csv"}, FIXTURES / "valid.csv"),
    "validation_data_size": (0.25, 0.25),
    "n_cross_validations": (4, 4),
    "cv_split_column_names": (["fold_a"], ("fold_a",)),
    "test_data": ({"type": "uri_file", "path": "valid.csv"}, FIXTURES / "valid.csv"),
    "test_data_size": (0.2, 0.2),
    "weight_column_name": ("weight", "weight"),
    "positive_label": (1, 1),
    "log_verbosity": ("warning", 30),
    "compute": ("ray://head:10001", "ray://head:10001"),
    "experiment_name": ("credit", "credit"),
    "featurization": ({"mode": "off"}, "off"),
    "limits.timeout_minutes": (20, 20.0),
    "limits.trial_timeout_minutes": (0.5, 0.5),
    "limits.max_trials": (12, 12),
    "limits.max_concurrent_trials": (3, 3),
    "limits.max_cores_per_trial": (-1, -1),
    "limits.exit_score": (0.1, 0.1),
    "limits.enable_early_termination": (False, False),
    "training.allowed_training_algorithms": (["light_gbm", "random_forest"],
                                             ("LightGBM", "RandomForest")),
    "training.blocked_training_algorithms": (["knn"], ("KNN",)),
    "training.enable_vote_ensemble": (False, False),
    "training.enable_stack_ensemble": (False, False),
    "training.enable_model_explainability": (False, False),
    "training.enable_dnn_training": (True, True),
    "training.seed": (3, 3),
    "forecasting": ({"time_column_name": "date", "forecast_horizon": 7,
                     "time_series_id_column_names": ["store"], "frequency": "D"},
                    ForecastingParameters("date", forecast_horizon=7,
                                          time_series_id_column_names="store", freq="D")),
    "sweep.early_termination": ({"type": "bandit", "slack_factor": 0.2, "evaluation_interval": 1,
                                 "delay_evaluation": 0}, BanditPolicy(slack_factor=0.2)),
    "resources.mem_in_mb": (1024, 1024),
    "resources.gpus_per_trial": (0.5, 0.5),
}  # fmt: skip
# Keys whose sample needs another setting to be valid (positive_label: classification only).
CONTEXT: dict[str, dict[str, Any]] = {
    "primary_metric": {"task": "regression"},
    "limits.exit_score": {"task": "regression"},
    "validation_data": {},
    "cv_split_column_names": {},
    "target_column_name": {"task": "regression"},
    "forecasting": {"task": "forecasting", "target_column_name": "sales",
                    "training_data": {"type": "uri_file", "path": "daily.csv"}},
}  # fmt: skip


@pytest.fixture
def ray_and_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend Ray and PyTorch are installed (only their presence is checked)."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return object() if name in ("ray", "torch") else real(name, *args)

    monkeypatch.setattr("automl._config_sections.find_spec", find_spec)
    monkeypatch.setattr("automl.learners._base.find_spec", find_spec)


def test_the_table_covers_every_field_once() -> None:
    fields = [row.field for row in TABLE]
    assert len(fields) == len(set(fields))
    every = {item.name for item in dataclasses.fields(AutoMLConfig)}
    not_in_yaml = {"workspace"}  # the CLI's --workspace, not the file
    assert set(fields) | set(AutoMLConfig.ALIASES) | not_in_yaml == every
    assert set(SAMPLES) == {row.path for row in TABLE}
    assert FIELD_PATHS["iterations"] == "limits.max_trials"
    assert FIELD_PATHS["experiment_timeout_hours"] == "limits.timeout_minutes"


@pytest.mark.usefixtures("ray_and_torch")
@pytest.mark.parametrize("row", TABLE, ids=[row.path for row in TABLE])
def test_the_table_both_ways(row: Any) -> None:
    written, expected = SAMPLES[row.path]
    job = minimal(**{**CONTEXT.get(row.path, {}), row.path: written})
    config = parse(job)
    assert getattr(config, row.field) == expected  # v2 key -> field
    back = config_to_yaml_mapping(config, base_dir=FIXTURES)
    assert lookup(back, row.path) == written  # field -> v2 key
    assert parse(back) == config


def test_the_module_documents_the_whole_table() -> None:
    doc = automl._yaml.__doc__ or ""
    for row in TABLE:
        assert f"``{row.path}``" in doc and f"``{row.field}``" in doc, row.path


def test_algorithm_names_both_ways() -> None:
    assert ALGORITHMS["light_gbm"] == "LightGBM"
    assert ALGORITHMS["xg_boost_classifier"] == "XGBoostClassifier"
    assert ALGORITHMS["logistic_regression"] == "LogisticRegression"
    for v2, name in ALGORITHMS.items():
        task = "regression" if name in ("ElasticNet", "LassoLars", "XGBoostRegressor") else None
        job = minimal(**{"training.blocked_training_algorithms": [v2]})
        if task:
            job["task"] = task
        config = parse(job)
        assert config.blocked_models == (name,)
        written = config_to_yaml_mapping(config)["training"]["blocked_training_algorithms"]
        assert written == [v2]


def test_a_full_job() -> None:
    job = load_automl_job(FIXTURES / "full_job.yaml")
    config = job.config
    assert job.experiment_name == config.experiment_name == "credit-automl"
    assert (job.display_name, job.description) == ("credit default, first try",
                                                   "Who repays their loan?")  # fmt: skip
    assert job.tags == {"team": "risk", "production": "false"}
    assert job.schema and job.schema.endswith("autoMLJob.schema.json")
    assert config.task == "classification"
    assert config.primary_metric == "AUC_weighted"
    assert config.training_data == FIXTURES / "credit_mltable" / "credit.csv"
    assert config.validation_data == FIXTURES / "valid.csv"
    assert (config.label_column_name, config.weight_column_name) == ("y", "weight")
    assert (config.positive_label, config.test_size, config.verbosity) == (1, 0.2, 10)
    assert (config.experiment_timeout_minutes, config.iteration_timeout_minutes) == (0.5, 0.25)
    assert (config.max_trials, config.max_concurrent_iterations) == (40, 2)
    assert (config.max_cores_per_iteration, config.experiment_exit_score) == (-1, 0.95)
    assert config.enable_early_stopping is False
    assert config.allowed_models == ("LightGBM", "XGBoostClassifier", "RandomForest",
                                     "LogisticRegression")  # fmt: skip
    assert config.blocked_models == ()  # svm is Azure's only: dropped with a notice
    assert (config.enable_voting_ensemble, config.enable_stack_ensemble) == (True, False)
    assert (config.model_explainability, config.enable_dnn, config.seed) == (False, False, 7)
    assert config.early_termination_policy == BanditPolicy(slack_factor=0.1, delay_evaluation=2)
    assert config.mem_in_mb == 2048
    assert config.featurization == FeaturizationConfig(
        column_purposes={"city": "Categorical"},
        transformer_params={"Imputer": [{"columns": ["age"], "strategy": "median"}]},
        blocked_transformers=["WordEmbedding", "TfIdf"],
    )
    notices = "\n".join(job.notices)
    for key in ("environment", "limits.max_nodes", "resources.instance_count"):
        assert f"`{key}`" in notices
    assert "'svm' is an Azure model that openaml does not provide" in notices


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    config = load_automl_job(FIXTURES / "full_job.yaml").config
    target = tmp_path / "again.yaml"
    dump_automl_job(config, target)
    again = load_automl_job(target).config
    assert again == config
    text = target.read_text()
    assert "primary_metric: auc_weighted" in text
    assert "xg_boost_classifier" in text


def test_the_experiment_is_named_by_the_files_stem(tmp_path: Path) -> None:
    job = minimal()
    job["training_data"]["path"] = str(TRAIN)
    (tmp_path / "nightly_credit.yaml").write_text(yaml.safe_dump(job))
    assert load_automl_job(tmp_path / "nightly_credit.yaml").experiment_name == "nightly_credit"
    (tmp_path / "my job.yaml").write_text(yaml.safe_dump(job))
    with pytest.raises(AutoMLJobError, match=r"file name 'my job' is not a valid experiment"):
        load_automl_job(tmp_path / "my job.yaml")
    assert parse_automl_job(job, base_dir=tmp_path).experiment_name is None


def test_the_workspace_comes_from_outside(tmp_path: Path) -> None:
    job = parse_automl_job(minimal(), base_dir=FIXTURES, workspace=tmp_path)
    assert job.config.workspace == tmp_path


@pytest.mark.parametrize(
    ("job", "match"),
    [
        (minimal(foo=1), r"unknown key 'foo' at the top level of the AutoML job; valid keys: "
         r"\$schema, compute, cv_split_column_names"),
        (minimal(label_column_name="y"), r"AutoMLConfig's `label_column_name` is "
         r"`target_column_name` in the YAML"),
        (minimal(name="run-1"), r"unknown key 'name'.*name the experiment with"),
        (minimal(forecasting={"time_column_name": "date"}), r"^`forecasting` must be None for "
         r"task 'classification'.*set task='forecasting' to forecast"),
        (minimal(**{"limits.max_total_trials": 3}), r"unknown key 'max_total_trials' in "
         r"`limits`; valid keys: enable_early_termination, exit_score, max_concurrent_trials, "
         r"max_cores_per_trial, max_nodes, max_trials, .*AutoML's trial count is "
         r"`limits.max_trials`"),
        (minimal(**{"limits.timeout": 60}), r"`limits.timeout_minutes` \(in minutes\)"),
        (minimal(**{"training.allowed_models": []}), r"unknown key 'allowed_models' in "
         r"`training`.*is `training.allowed_training_algorithms` in the YAML"),
        (minimal(**{"training.bogus": 1}), r"unknown key 'bogus' in `training`; valid keys: "
         r"allowed_training_algorithms"),
        (minimal(**{"sweep.sampling_algorithm": "random"}), r"unknown key 'sampling_algorithm'"
         r" in `sweep`; valid keys: early_termination; AutoML chooses its own search"),
        (minimal(**{"resources.cpus": 2}), r"unknown key 'cpus' in `resources`; valid keys: "
         r"docker_args"),
        (minimal(featurization={"mode": "custom", "column_purposes": {}}), r"unknown key "
         r"'column_purposes' in `featurization`.*`column_name_and_types`"),
        (minimal(training_data={"type": "mltable", "path": "train.csv", "datastore": "x"}),
         r"unknown key 'datastore' in `training_data`; valid keys: description, mode, path, "
         r"type; datastores are Azure storage"),
    ],
)  # fmt: skip
def test_unknown_keys_list_the_valid_ones(job: dict[str, Any], match: str) -> None:
    with pytest.raises(AutoMLJobError, match=match):
        parse(job)


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"limits.timeout_minutes": 0}, r"^`limits.timeout_minutes` must be a number of minutes "
         r"> 0, got 0"),
        ({"validation_data_size": 1.5}, r"^`validation_data_size` must be a float in \(0, 1\)"),
        ({"validation_data": {"path": "valid.csv"}, "n_cross_validations": 3},
         r"`validation_data` and `n_cross_validations` cannot be used together"),
        ({"n_cross_validations": 1}, r"^`n_cross_validations` must be >= 2"),
        ({"primary_metric": "auc_wieghted"}, r"^`primary_metric` must be one of .*did you mean"),
        ({"target_column_name": "Y"}, r"^`target_column_name` must be a column of "
         r"`training_data`, got 'Y' \(did you mean 'y'\?\)"),
        ({"test_data_size": 1}, r"^`test_data_size` must be a float in \(0, 0.99\]"),
        ({"training.allowed_training_algorithms": ["light_gmb"]}, r"^`training.allowed_training"
         r"_algorithms` contains unknown algorithm 'light_gmb' \(did you mean 'light_gbm'\?\); "
         r"valid: light_gbm, xg_boost_classifier"),
        ({"training.allowed_training_algorithms": ["svm"]}, r"'svm', an Azure model that "
         r"openaml does not provide"),
        ({"training.allowed_training_algorithms": ["light_gbm"],
          "training.blocked_training_algorithms": ["light_gbm"]},
         r"every model is blocked: `training.blocked_training_algorithms` removes"),
        ({"training.enable_onnx_compatible_models": True}, r"must be false: ONNX export"),
        ({"sweep.early_termination": {"type": "bandit"}},
         r"^`sweep.early_termination`: .*slack_factor"),
        ({"featurization": {"mode": "manual"}}, r"^`featurization.mode` must be one of auto"),
        ({"featurization": {"mode": "off", "blocked_transformers": ["tf_idf"]}},
         r"`featurization.mode` is off, so `featurization.blocked_transformers` cannot be used"),
        ({"featurization": {"mode": "custom", "column_name_and_types": {"age": "Number"}}},
         r"^`featurization.column_name_and_types\['age'\]` must be one of"),
        ({"featurization": {"enable_dnn_featurization": True}}, r"no DNN featurization"),
        ({"log_verbosity": "loud"}, r"^`log_verbosity` must be one of not_set, debug, info"),
        ({"task": "forecasting"}, r"^`forecasting` is required for task 'forecasting'"),
        ({"experiment_name": "a b"}, r"^`experiment_name` must start with a letter or digit"),
        ({"resources.mem_in_mb": 0}, r"^`resources.mem_in_mb` must be an int >= 1"),
        ({"resources.gpus_per_trial": -1}, r"^`resources.gpus_per_trial` must be 0, a fraction"),
    ],
)  # fmt: skip
def test_errors_name_the_yaml_path(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(AutoMLJobError, match=match):
        parse(minimal(**changes))


@pytest.mark.parametrize(
    ("compute", "executor"),
    [(None, "local"), ("local", "local"), ("ray", "ray"), ("ray://10.0.0.5:10001",
                                                           "ray://10.0.0.5:10001")],
)  # fmt: skip
@pytest.mark.usefixtures("ray_and_torch")
def test_compute_values(compute: str | None, executor: str) -> None:
    assert parse(minimal(compute=compute)).executor == executor


@pytest.mark.parametrize("compute", ["azureml:cpu-cluster", "cpu-cluster", "serverless", 3])
def test_other_compute_is_an_error_listing_the_values(compute: object) -> None:
    with pytest.raises(AutoMLJobError, match=r"^`compute` must be local, ray or ray://host:port"):
        parse(minimal(compute=compute))


def test_compute_ray_without_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("automl._config_sections.find_spec", lambda name, *a: None)
    with pytest.raises(AutoMLJobError, match=r"^`compute` 'ray' needs Ray: pip install "
                       r"'openaml\[ray\]'"):  # fmt: skip
        parse(minimal(compute="ray"))


def test_job_level_errors(tmp_path: Path) -> None:
    with pytest.raises(AutoMLJobError, match=r"`type` is required: write `type: automl`"):
        parse({k: v for k, v in minimal().items() if k != "type"})
    with pytest.raises(AutoMLJobError, match=r"`type` must be 'automl', got 'sweep'; a sweep"):
        parse(minimal(type="sweep"))
    for key in ("task", "target_column_name", "training_data"):
        with pytest.raises(AutoMLJobError, match=rf"^`{key}` is required"):
            parse({k: v for k, v in minimal().items() if k != key})
    with pytest.raises(AutoMLJobError, match=r"must be a mapping, got the list|must be a mapping"):
        parse_automl_job(["type", "automl"], base_dir=FIXTURES)
    with pytest.raises(AutoMLJobError, match=r"`tags.owner` must be a string, a number"):
        parse(minimal(tags={"owner": ["a"]}))
    with pytest.raises(AutoMLJobError, match=r"AutoML job file not found"):
        load_automl_job(tmp_path / "missing.yaml")
    twice = tmp_path / "twice.yaml"
    twice.write_text("type: automl\ntask: regression\ntask: classification\n")
    with pytest.raises(AutoMLJobError, match=r"twice.yaml: the key 'task' is given twice"):
        load_automl_job(twice)
    broken = tmp_path / "broken.yaml"
    broken.write_text("type: [automl\n")
    with pytest.raises(AutoMLJobError, match=r"broken.yaml: not valid YAML"):
        load_automl_job(broken)


# -- data inputs ----------------------------------------------------------------------------


def test_data_inputs() -> None:
    mltable = parse(minimal(training_data={"type": "mltable", "path": "credit_mltable"}))
    assert mltable.training_data == FIXTURES / "credit_mltable" / "credit.csv"
    for path, ref in (("azureml:credit:2", "credit:2"), ("azureml:credit@latest", "credit"),
                      ("azureml:credit", "credit")):  # fmt: skip
        config = parse(minimal(training_data={"type": "mltable", "path": path}))
        assert config.training_data == ref
        written = config_to_yaml_mapping(config)["training_data"]
        assert parse(minimal(training_data=written)).training_data == ref
    absolute = parse(minimal(training_data={"path": f"file://{TRAIN}"}))
    assert absolute.training_data == TRAIN


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ({"type": "uri_folder", "path": "."}, r"`training_data.type` must be one of mltable, "
         r"uri_file.*use type: mltable"),
        ({"type": "mltable", "path": "https://x.blob/train.csv"}, r"remote location"),
        ({"path": "azureml://datastores/x/paths/train.csv"}, r"remote location"),
        ({"path": "nothing.csv"}, r"`training_data.path` must be a file or an MLTable folder, "
         r"got 'nothing.csv' \(resolved to .*: nothing there\); a relative path is relative"),
        ({"path": "."}, r"has no MLTable file"),
        ({"type": "mltable"}, r"`training_data.path` is required"),
        ({"path": "train.csv", "mode": "upload"}, r"`training_data.mode` must be one of"),
        ("train.csv", r"`training_data` must be a mapping, got 'train.csv'; write"),
    ],
)  # fmt: skip
def test_bad_data_inputs(value: object, match: str) -> None:
    with pytest.raises(AutoMLJobError, match=match):
        parse(minimal(training_data=value))


def test_mltable_files_openaml_cannot_read(tmp_path: Path) -> None:
    folder = tmp_path / "table"
    folder.mkdir()
    (folder / "a.csv").write_text("x,y\n1,0\n2,1\n")
    cases = {
        "paths:\n  - file: a.csv\n  - file: b.csv\n": r"must name exactly one file",
        "paths:\n  - file: a.csv\ntransformations:\n  - read_delimited:\n      delimiter: ';'\n":
            r"only comma-separated files",
        "paths:\n  - file: a.csv\ntransformations:\n  - drop_columns: [x]\n":
            r"transformation 'drop_columns' .* is not supported locally",
        "paths:\n  - file: c.csv\n": r"names 'c.csv', which does not exist",
    }  # fmt: skip
    for text, match in cases.items():
        (folder / "MLTable").write_text(text)
        with pytest.raises(AutoMLJobError, match=match):
            parse_automl_job(
                minimal(training_data={"type": "mltable", "path": "table"}), base_dir=tmp_path
            )


# -- writing --------------------------------------------------------------------------------


def test_writing_what_a_yaml_cannot_hold(frame: pd.DataFrame) -> None:
    in_memory = AutoMLConfig("classification", training_data=frame, label_column_name="y")
    with pytest.raises(AutoMLJobError, match=r"`training_data` is an in-memory DataFrame"):
        config_to_yaml_mapping(in_memory)
    with_instance = AutoMLConfig(
        "classification", training_data=TRAIN, label_column_name="y", executor=LocalExecutor()
    )
    with pytest.raises(AutoMLJobError, match=r"`compute` cannot hold the executor instance"):
        config_to_yaml_mapping(with_instance)


def test_defaults_are_not_written() -> None:
    config = AutoMLConfig("classification", training_data=TRAIN, label_column_name="y")
    assert config_to_yaml_mapping(config, base_dir=FIXTURES) == {
        "type": "automl",
        "task": "classification",
        "primary_metric": "accuracy",
        "target_column_name": "y",
        "training_data": {"type": "uri_file", "path": "train.csv"},
    }


def test_ignored_keys_are_known() -> None:
    assert "environment" in IGNORED
    job = parse_automl_job(minimal(environment_id="azureml:x:1"), base_dir=FIXTURES)
    assert job.notices == ("`environment_id` is ignored: trials run in this machine's Python "
                           "environment",)  # fmt: skip
