"""AutoMLConfig: each field's defaults, aliases and errors, checked at construction."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl._config import DEFAULT_MAX_TRIALS, AutoMLConfig, AutoMLConfigError
from featurization import FeaturizationConfig
from trials.policies import BanditPolicy, NoTerminationPolicy


def make(base: dict[str, Any], **changes: Any) -> AutoMLConfig:
    return AutoMLConfig(**{**base, **changes})


def test_defaults_follow_azure(base: dict[str, Any]) -> None:
    config = make(base)
    assert config.primary_metric == "accuracy"
    assert config.max_trials == DEFAULT_MAX_TRIALS == 1000
    assert config.iterations is None  # Azure's second name, folded into max_trials
    assert config.experiment_timeout_minutes is None
    assert config.experiment_timeout_hours is None
    assert config.iteration_timeout_minutes is None
    assert (config.max_concurrent_iterations, config.max_cores_per_iteration) == (1, 1)
    assert config.mem_in_mb is None
    assert config.enable_early_stopping is True
    assert config.enable_voting_ensemble is True
    assert config.enable_stack_ensemble is True  # Azure: None -> True outside forecasting
    assert config.model_explainability is True
    assert config.enable_dnn is False
    assert config.featurization == "auto"
    assert config.early_termination_policy == NoTerminationPolicy()
    assert config.allowed_models is None
    assert config.blocked_models == ()
    assert (config.executor, config.seed, config.verbosity) == ("local", 0, 20)
    assert config.experiment_name is None
    assert config.workspace is None


def test_regression_default_metric(base: dict[str, Any]) -> None:
    config = make(base, task="regression")
    assert config.primary_metric == "normalized_root_mean_squared_error"


def test_task_is_positional_and_case_insensitive(frame: pd.DataFrame) -> None:
    config = AutoMLConfig("Regression", training_data=frame, label_column_name="y")  # type: ignore[arg-type]
    assert config.task == "regression"


@pytest.mark.parametrize(
    ("task", "match"),
    [
        ("clasification", r"`task` must be one of classification, regression.*did you mean "
         r"'classification'"),
        ("forecasting", r"`forecasting_parameters` is required for task 'forecasting'"),
        ("image_classification", r"`task` must be one of classification, regression"),
        (None, r"`task` must be one of classification, regression, forecasting, got None"),
    ],
)  # fmt: skip
def test_bad_task(base: dict[str, Any], task: object, match: str) -> None:
    with pytest.raises(AutoMLConfigError, match=match):
        make(base, task=task)


def test_unknown_metric_for_the_task(base: dict[str, Any]) -> None:
    with pytest.raises(AutoMLConfigError, match=r"`primary_metric` must be one of .*AUC_weighted"):
        make(base, primary_metric="auc")
    with pytest.raises(AutoMLConfigError, match=r"did you mean 'r2_score'"):
        make(base, task="regression", primary_metric="r2_scroe")
    with pytest.raises(AutoMLConfigError, match=r"'log_loss' is a metric of classification"):
        make(base, task="regression", primary_metric="log_loss")


def test_any_scalar_metric_of_the_task(base: dict[str, Any]) -> None:
    assert make(base, primary_metric="f1_score_macro").primary_metric == "f1_score_macro"


def test_label_column_name(base: dict[str, Any]) -> None:
    with pytest.raises(AutoMLConfigError, match=r"`label_column_name` must be .*got 3; column"):
        make(base, label_column_name=3)
    with pytest.raises(AutoMLConfigError, match=r"`label_column_name` must be .*got ''"):
        make(base, label_column_name="")
    with pytest.raises(
        AutoMLConfigError,
        match=r"`label_column_name` must be a column of `training_data`, got 'Y' "
        r"\(did you mean 'y'\?\); its columns are 'age'",
    ):
        make(base, label_column_name="Y")


# -- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -1, -0.5, float("inf"), float("nan"), "10", True])
def test_experiment_timeout_must_be_positive(base: dict[str, Any], minutes: object) -> None:
    with pytest.raises(AutoMLConfigError, match=r"`experiment_timeout_minutes` must be a number"):
        make(base, experiment_timeout_minutes=minutes)


def test_timeout_error_says_small_values_are_fine_locally(base: dict[str, Any]) -> None:
    with pytest.raises(AutoMLConfigError, match=r"locally any time > 0 works, e.g. 0.25"):
        make(base, experiment_timeout_minutes=0)


def test_small_local_timeouts_and_the_hours_alias(base: dict[str, Any]) -> None:
    config = make(base, experiment_timeout_minutes=0.25)
    assert config.experiment_timeout_minutes == 0.25
    assert config.experiment_timeout_hours is None  # folded into the minutes
    by_hours = make(base, experiment_timeout_hours=0.5)
    assert by_hours.experiment_timeout_minutes == 30.0
    assert by_hours == make(base, experiment_timeout_minutes=30)
    assert make(base, experiment_timeout_hours=1, experiment_timeout_minutes=60).limits().timeout
    with pytest.raises(AutoMLConfigError, match=r"`experiment_timeout_hours` must be a number"):
        make(base, experiment_timeout_hours=0)


def test_timeout_and_its_alias_must_agree(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError,
        match=r"`experiment_timeout_minutes` and `experiment_timeout_hours` set the same limit "
        r"and disagree: .*30 minutes.*60 minutes; give only one",
    ):
        make(base, experiment_timeout_minutes=30, experiment_timeout_hours=1)


def test_iteration_timeout(base: dict[str, Any]) -> None:
    assert make(base, iteration_timeout_minutes=2).iteration_timeout_minutes == 2.0
    with pytest.raises(AutoMLConfigError, match=r"`iteration_timeout_minutes` must be .* > 0"):
        make(base, iteration_timeout_minutes=0)


def test_iterations_is_max_trials(base: dict[str, Any]) -> None:
    assert make(base, iterations=12).max_trials == 12
    assert make(base, iterations=12) == make(base, max_trials=12)
    assert make(base, max_trials=12, iterations=12).max_trials == 12
    assert make(base, max_trials=np.int64(3)).max_trials == 3


def test_iterations_and_max_trials_conflict(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError,
        match=r"`max_trials` and `iterations` set the same limit and disagree: max_trials "
        r"gives 20 trials, iterations gives 10 trials",
    ):
        make(base, max_trials=20, iterations=10)


@pytest.mark.parametrize(
    ("name", "value"),
    [("max_trials", 0), ("iterations", 2.5), ("max_concurrent_iterations", 0),
     ("mem_in_mb", 0), ("max_trials", True)],
)  # fmt: skip
def test_counts(base: dict[str, Any], name: str, value: object) -> None:
    with pytest.raises(AutoMLConfigError, match=rf"`{name}` must be an int >= 1, got {value!r}"):
        make(base, **{name: value})


def test_max_cores_per_iteration(base: dict[str, Any]) -> None:
    assert make(base, max_cores_per_iteration=-1).max_cores_per_iteration == -1
    assert make(base, max_cores_per_iteration=8).max_cores_per_iteration == 8
    for bad in (0, -2, 1.5):
        with pytest.raises(
            AutoMLConfigError, match=r"`max_cores_per_iteration` must be -1 \(all cores\)"
        ):
            make(base, max_cores_per_iteration=bad)


def test_experiment_exit_score(base: dict[str, Any]) -> None:
    assert make(base, experiment_exit_score=0.9).experiment_exit_score == 0.9
    with pytest.raises(
        AutoMLConfigError,
        match=r"`experiment_exit_score` must be within the range of `primary_metric` "
        r"'accuracy' \[0, 1\], got 1.5",
    ):
        make(base, experiment_exit_score=1.5)
    with pytest.raises(AutoMLConfigError, match=r"`experiment_exit_score` must be a finite"):
        make(base, experiment_exit_score="high")
    regression = make(base, task="regression", experiment_exit_score=0.05)
    assert regression.experiment_exit_score == 0.05


@pytest.mark.parametrize(
    "name",
    ["enable_early_stopping", "enable_voting_ensemble", "enable_stack_ensemble",
     "model_explainability", "enable_dnn"],
)  # fmt: skip
def test_booleans_are_strict(base: dict[str, Any], name: str) -> None:
    with pytest.raises(AutoMLConfigError, match=rf"`{name}` must be True or False, got 1"):
        make(base, **{name: 1})


# -- validation and test splits (Azure's rules, from automl._validation) --------------------


def test_n_cross_validations(base: dict[str, Any]) -> None:
    assert make(base, n_cross_validations=5).n_cross_validations == 5
    assert make(base, n_cross_validations="auto").n_cross_validations is None
    for bad in (1, 0, 1001, True, "three"):
        with pytest.raises(
            AutoMLConfigError, match=r"`n_cross_validations` must be >= 2 and <= 1,000"
        ):
            make(base, n_cross_validations=bad)


def test_validation_size(base: dict[str, Any]) -> None:
    assert make(base, validation_size=0.2).validation_size == 0.2
    assert make(base, validation_size=0.0).validation_size is None  # Azure's "not set"
    with pytest.raises(AutoMLConfigError, match=r"`validation_size` must be a float in \(0, 1\)"):
        make(base, validation_size=1.5)


def test_monte_carlo_is_allowed(base: dict[str, Any]) -> None:
    config = make(base, validation_size=0.2, n_cross_validations=4)
    assert (config.validation_size, config.n_cross_validations) == (0.2, 4)


@pytest.mark.parametrize(
    ("changes", "first", "second"),
    [
        ({"n_cross_validations": 3}, "validation_data", "n_cross_validations"),
        ({"validation_size": 0.2}, "validation_data", "validation_size"),
        ({"cv_split_column_names": ["fold_a"]}, "cv_split_column_names", "validation_data"),
    ],
)
def test_validation_data_excludes_the_other_ways(
    base: dict[str, Any], frame: pd.DataFrame, changes: dict[str, Any], first: str, second: str
) -> None:
    with pytest.raises(
        AutoMLConfigError, match=rf"`{first}` and `{second}` cannot be used together"
    ):
        make(base, validation_data=frame, **changes)


def test_cv_split_columns(base: dict[str, Any]) -> None:
    assert make(base, cv_split_column_names=["fold_a"]).cv_split_column_names == ("fold_a",)
    with pytest.raises(
        AutoMLConfigError, match=r"`cv_split_column_names` and `n_cross_validations` cannot"
    ):
        make(base, cv_split_column_names=["fold_a"], n_cross_validations=3)
    with pytest.raises(AutoMLConfigError, match=r"got the string 'fold_a'; write \['fold_a'\]"):
        make(base, cv_split_column_names="fold_a")
    with pytest.raises(
        AutoMLConfigError, match=r"`cv_split_column_names` must be a column of `training_data`"
    ):
        make(base, cv_split_column_names=["fold_b"])
    with pytest.raises(AutoMLConfigError, match=r"must not name the `label_column_name` column"):
        make(base, cv_split_column_names=["y"])


def test_test_size_and_test_data(base: dict[str, Any], frame: pd.DataFrame) -> None:
    assert make(base, test_size=0.2).test_size == 0.2
    assert make(base, test_size=0).test_size is None
    with pytest.raises(AutoMLConfigError, match=r"`test_size` must be a float in \(0, 0.99\]"):
        make(base, test_size=1.0)
    with pytest.raises(AutoMLConfigError, match=r"`test_data` and `test_size` cannot be used"):
        make(base, test_data=frame, test_size=0.2)


def test_weight_column(base: dict[str, Any]) -> None:
    assert make(base, weight_column_name="weight").weight_column_name == "weight"
    with pytest.raises(AutoMLConfigError, match=r"`weight_column_name` must differ from"):
        make(base, weight_column_name="y")
    with pytest.raises(
        AutoMLConfigError, match=r"`weight_column_name` must be a column of `training_data`"
    ):
        make(base, weight_column_name="weights")


def test_positive_label(base: dict[str, Any]) -> None:
    assert make(base, positive_label=np.int64(1)).positive_label == 1
    assert type(make(base, positive_label=np.int64(1)).positive_label) is int
    with pytest.raises(AutoMLConfigError, match=r"`positive_label` must be None for task"):
        make(base, task="regression", positive_label=1)
    with pytest.raises(AutoMLConfigError, match=r"`positive_label` must be a class label"):
        make(base, positive_label=[1])


# -- featurization and policy ---------------------------------------------------------------


def test_featurization_values(base: dict[str, Any]) -> None:
    assert make(base, featurization="OFF").featurization == "off"
    assert make(base, featurization=None).featurization == "auto"
    assert make(base, featurization={"mode": "off"}).featurization == "off"
    custom = make(base, featurization={"blocked_transformers": ["TfIdf"]}).featurization
    assert custom == FeaturizationConfig(blocked_transformers=["TfIdf"])
    config = FeaturizationConfig(drop_columns=["city"])
    assert make(base, featurization=config).featurization is config


def test_featurization_errors(base: dict[str, Any]) -> None:
    with pytest.raises(AutoMLConfigError, match=r"`featurization` must be 'auto', 'off'.*custom"):
        make(base, featurization="custom")
    with pytest.raises(AutoMLConfigError, match=r"`featurization`.*did you mean 'blocked_"):
        make(base, featurization={"blocked_transfomers": ["TfIdf"]})
    with pytest.raises(
        AutoMLConfigError, match=r"`featurization.column_purposes\['age'\]` must be one of"
    ):
        make(base, featurization={"column_purposes": {"age": "Number"}})
    with pytest.raises(AutoMLConfigError, match=r"`featurization` must be .*got 3"):
        make(base, featurization=3)


def test_early_termination_policy(base: dict[str, Any]) -> None:
    policy = BanditPolicy(slack_factor=0.1)
    assert make(base, early_termination_policy=policy).early_termination_policy is policy
    from_mapping = make(
        base, early_termination_policy={"type": "bandit", "slack_factor": 0.1}
    ).early_termination_policy
    assert from_mapping == policy
    assert make(base, early_termination_policy="median_stopping").early_termination_policy


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"type": "bandid"}, r"`early_termination_policy.type` must be one of asha, bandit"),
        ({"type": "bandit", "slack": 1}, r"`early_termination_policy`: unknown key\(s\) slack"),
        ({"type": "bandit", "slack_factor": -1}, r"`early_termination_policy.slack_factor`"),
        (42, r"`early_termination_policy` must be None, a policy"),
    ],
)
def test_bad_policies(base: dict[str, Any], spec: object, match: str) -> None:
    with pytest.raises(AutoMLConfigError, match=match):
        make(base, early_termination_policy=spec)


# -- where and as what ----------------------------------------------------------------------


def test_seed_workspace_name_verbosity(base: dict[str, Any], tmp_path: Any) -> None:
    config = make(base, seed=42, workspace=tmp_path, experiment_name="credit-2024.v1")
    assert (config.seed, config.workspace, config.experiment_name) == (
        42, tmp_path, "credit-2024.v1",
    )  # fmt: skip
    with pytest.raises(AutoMLConfigError, match=r"`seed` must be an int >= 0, got -1"):
        make(base, seed=-1)
    with pytest.raises(AutoMLConfigError, match=r"`workspace` must be None .*got 3"):
        make(base, workspace=3)
    with pytest.raises(AutoMLConfigError, match=r"`experiment_name` must start with a letter"):
        make(base, experiment_name="my experiment")
    with pytest.raises(AutoMLConfigError, match=r"`verbosity` must be a logging level: 0"):
        make(base, verbosity=15)


def test_unknown_argument_lists_valid_ones(base: dict[str, Any]) -> None:
    with pytest.raises(
        TypeError, match=r"unexpected argument `label_column`; did you mean 'label_column_name'"
    ):
        make(base, label_column="y")
    with pytest.raises(TypeError, match=r"`X`; pass one table as `training_data`.*Valid argu"):
        make(base, X=[[1]])
    with pytest.raises(TypeError, match=r"`compute_target`; choose where trials run with"):
        make(base, compute_target="cpu-cluster")


def test_the_config_is_frozen(base: dict[str, Any]) -> None:
    config = make(base)
    with pytest.raises(AttributeError):
        config.max_trials = 3  # type: ignore[misc]
