"""Each mistake a user can make gets a clear error naming the field, before compute is spent."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl._config import AutoMLConfig, AutoMLConfigError
from automl._experiment import run_automl
from automl.learners import MissingDependencyError
from featurization import FeaturizationError
from tests.automl.experiment.conftest import classification_frame
from trials import Workspace


def tiny(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "y": ["no", "yes"] * (n // 2)}
    )


def config(**fields: Any) -> AutoMLConfig:
    values: dict[str, Any] = {
        "training_data": tiny(),
        "label_column_name": "y",
        "max_trials": 2,
        "allowed_models": ["DecisionTree"],
        "enable_voting_ensemble": False,
        "enable_stack_ensemble": False,
    }
    values.update(fields)
    return AutoMLConfig(values.pop("task", "classification"), **values)


def fails_before_compute(workspace: Path, match: str, **fields: Any) -> None:
    """The fit fails in data prep: no experiment, no fold cache in the workspace."""
    with pytest.raises(AutoMLConfigError, match=match):
        run_automl(
            config(workspace=str(workspace), experiment_name="e", **fields), show_output=False
        )
    with Workspace(workspace) as store:
        assert store.list_experiments() == []
        assert not (store.artifact_root / "automl" / "e").exists()


def test_empty_frame() -> None:
    with pytest.raises(AutoMLConfigError, match=r"`training_data` must have at least 2 row"):
        config(training_data=tiny().iloc[:0])
    with pytest.raises(AutoMLConfigError, match=r"`training_data`"):
        config(training_data=pd.DataFrame())


def test_missing_label_column() -> None:
    with pytest.raises(
        AutoMLConfigError, match=r"`label_column_name` must be a column of `training_data`.*'y'"
    ):
        config(training_data=tiny().drop(columns=["y"]))


def test_label_all_missing(tmp_path: Path) -> None:
    fails_before_compute(
        tmp_path / "ws",
        r"`label_column_name` 'y' is missing in every one of the 30 row",
        training_data=tiny().assign(y=None),
    )


def test_one_class_label(tmp_path: Path) -> None:
    fails_before_compute(
        tmp_path / "ws",
        r"`label_column_name` 'y' has one class only \('yes'\).*at least 2 classes",
        training_data=tiny().assign(y="yes"),
    )


def test_one_labelled_row(tmp_path: Path) -> None:
    frame = tiny().assign(y=[1.0, *([np.nan] * 29)])
    fails_before_compute(
        tmp_path / "ws",
        r"`label_column_name` 'y' has a value in only 1 row",
        task="regression",
        training_data=frame,
        allowed_models=["ElasticNet"],
    )


def test_unknown_metric_for_the_task() -> None:
    with pytest.raises(AutoMLConfigError, match=r"`primary_metric` must be one of .*accuracy"):
        config(primary_metric="r2_score")
    with pytest.raises(AutoMLConfigError, match=r"`primary_metric`"):
        config(task="regression", primary_metric="AUC_weighted", allowed_models=["ElasticNet"])


def test_misspelled_model_lists_valid_names() -> None:
    with pytest.raises(
        AutoMLConfigError,
        match=r"`allowed_models` contains unknown model 'DecisonTree'; did you mean "
        r"'DecisionTree'\? Valid: .*LightGBM.*LogisticRegression",
    ):
        config(allowed_models=["DecisonTree"])


def test_every_model_blocked() -> None:
    with pytest.raises(AutoMLConfigError, match=r"every model is blocked: `blocked_models`"):
        config(allowed_models=["DecisionTree"], blocked_models=["decision_tree"])


def test_torch_model_without_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "torch" else real(name, *args, **kwargs)

    monkeypatch.setattr("automl.learners._base.find_spec", find_spec)
    with pytest.raises(
        MissingDependencyError,
        match=r"`allowed_models`: TabularMLP needs PyTorch: pip install 'openaml\[torch\]'",
    ):
        config(allowed_models=["TabularMLP"])
    with pytest.raises(MissingDependencyError, match=r"`enable_dnn`.*'openaml\[torch\]'"):
        config(allowed_models=None, enable_dnn=True)


@pytest.mark.parametrize("minutes", [0, -1, 0.0])
def test_experiment_timeout_not_positive(minutes: float) -> None:
    with pytest.raises(
        AutoMLConfigError, match=r"`experiment_timeout_minutes` must be a number of minutes > 0"
    ):
        config(experiment_timeout_minutes=minutes)
    with pytest.raises(AutoMLConfigError, match=r"`experiment_timeout_hours`"):
        config(experiment_timeout_hours=minutes)


def test_one_cross_validation_fold() -> None:
    with pytest.raises(AutoMLConfigError, match=r"`n_cross_validations` must be >= 2 .*got 1"):
        config(n_cross_validations=1)


def test_validation_data_with_other_columns(tmp_path: Path) -> None:
    fails_before_compute(
        tmp_path / "ws1",
        r"`validation_data` must have the columns of `training_data`; missing 'a'; "
        r"not in `training_data`: 'z'",
        validation_data=tiny(10).rename(columns={"a": "z"}),
    )
    fails_before_compute(
        tmp_path / "ws2",
        r"`validation_data` must have the columns of `training_data`; not in "
        r"`training_data`: 'extra'",
        validation_data=tiny(10).assign(extra=1.0),
    )
    with pytest.raises(
        AutoMLConfigError, match=r"`label_column_name` must be a column of `validation_data`"
    ):
        config(validation_data=tiny(10).drop(columns=["y"]))


def test_predict_on_a_frame_without_a_training_column(tmp_path: Path) -> None:
    result = run_automl(config(workspace=str(tmp_path / "ws"), max_trials=1), show_output=False)
    model = result.best_model
    assert model is not None
    frame = tiny().drop(columns=["y"])
    assert len(model.predict(frame)) == len(frame)
    with pytest.raises(FeaturizationError, match=r"lacks column\(s\) .*'b'"):
        model.predict(frame.drop(columns=["b"]))


def test_gpus_for_models_that_cannot_use_one_is_an_error(tmp_path: Path) -> None:
    config = AutoMLConfig(
        "classification",
        training_data=classification_frame(),
        label_column_name="label",
        allowed_models=["LogisticRegression", "DecisionTree"],
        gpus_per_iteration=1,
        max_trials=2,
        workspace=str(tmp_path / "ws"),
    )
    with pytest.raises(
        AutoMLConfigError,
        match=r"`gpus_per_iteration` is 1, but none of the models searched \(LogisticRegression, "
        r"DecisionTree\) can train on a GPU; allow one of .*XGBoostClassifier",
    ):
        run_automl(config, show_output=False)


@pytest.mark.parametrize("gpus", [-1, 1.5, "one", float("nan")])
def test_bad_gpus_per_iteration_is_refused(gpus: object) -> None:
    with pytest.raises(AutoMLConfigError, match=r"`gpus_per_iteration` must be"):
        AutoMLConfig(
            "classification",
            training_data=classification_frame(),
            label_column_name="label",
            gpus_per_iteration=gpus,  # type: ignore[arg-type]
        )
