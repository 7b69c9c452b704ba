"""The registry: names, defaults per task, allowed/blocked models and missing libraries."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from automl.learners import (
    LEARNERS,
    MissingDependencyError,
    default_learners,
    get_learner,
    learner_names,
    resolve_models,
)

AZURE_CLASSIFICATION = {
    "LogisticRegression", "SGD", "KNN", "DecisionTree", "RandomForest", "ExtremeRandomTrees",
    "LightGBM", "XGBoostClassifier", "CatBoost", "GradientBoosting", "LinearSVM", "TabularMLP",
}  # fmt: skip
AZURE_REGRESSION = {
    "SGD", "KNN", "DecisionTree", "RandomForest", "ExtremeRandomTrees", "LightGBM",
    "XGBoostRegressor", "CatBoost", "GradientBoosting", "ElasticNet", "LassoLars", "TabularMLP",
}  # fmt: skip


@pytest.fixture
def without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend PyTorch is not installed (only the learners' availability check is fooled)."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "torch" else real(name, *args, **kwargs)

    monkeypatch.setattr("automl.learners._base.find_spec", find_spec)


def test_names_per_task_are_azures() -> None:
    assert set(learner_names("classification")) == AZURE_CLASSIFICATION
    assert set(learner_names("regression")) == AZURE_REGRESSION
    assert set(LEARNERS) == AZURE_CLASSIFICATION | AZURE_REGRESSION
    assert learner_names("classification")[0] == "LightGBM"


def test_get_learner_ignores_case_and_underscores() -> None:
    assert get_learner("light_gbm").info.name == "LightGBM"
    assert get_learner("xg_boost_classifier").info.name == "XGBoostClassifier"
    assert get_learner("EXTREME_RANDOM_TREES").info.name == "ExtremeRandomTrees"


def test_unknown_model_suggests_the_closest_name() -> None:
    with pytest.raises(
        ValueError,
        match=r"^`allowed_models` contains unknown model 'LightGMB'; did you mean 'LightGBM'\? "
        r"Valid: LightGBM, XGBoostClassifier, ",
    ):
        resolve_models("classification", ["LightGMB"])
    with pytest.raises(ValueError, match=r"unknown model 'zzz'\. Valid: LightGBM"):
        get_learner("zzz")
    with pytest.raises(ValueError, match=r"`blocked_models` contains unknown model 'Cat'"):
        resolve_models("classification", None, ["Cat"])


def test_azure_models_we_do_not_ship_get_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"contains 'SVM', an Azure ML model that openaml does"):
        resolve_models("classification", ["SVM"])


def test_a_model_for_the_other_task_is_refused_when_allowed() -> None:
    with pytest.raises(
        ValueError,
        match=r"`allowed_models` contains 'ElasticNet', which does not support classification\. "
        r"Valid for classification: ",
    ):
        resolve_models("classification", ["LightGBM", "ElasticNet"])
    # ... but blocking it is harmless: one config can serve both tasks
    assert resolve_models("classification", ["LightGBM"], ["ElasticNet"]).names == ("LightGBM",)


def test_allowed_minus_blocked_keeps_default_order() -> None:
    chosen = resolve_models("regression", ["knn", "LightGBM", "CatBoost"], ["cat_boost"])
    assert chosen.names == ("LightGBM", "KNN")
    assert all(learner.info.name in LEARNERS for learner in chosen.learners)


def test_everything_blocked_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"^every model is blocked: `blocked_models` removes"):
        resolve_models("classification", ["LightGBM"], ["LightGBM"])
    with pytest.raises(ValueError, match=r"^every model is blocked: .* for regression"):
        resolve_models("regression", None, list(learner_names("regression")))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"`task` must be one of classification, regression, got"):
        resolve_models("forecasting")
    with pytest.raises(ValueError, match=r"must be a list of model names, got the string"):
        resolve_models("classification", "LightGBM")


def test_defaults_cover_the_task_when_everything_is_installed() -> None:
    selection = default_learners("regression")
    assert set(selection.names) == AZURE_REGRESSION
    assert selection.skipped == {}
    assert resolve_models("regression").names == selection.names


@pytest.mark.usefixtures("without_torch")
def test_defaults_skip_a_missing_library_and_say_why() -> None:
    selection = default_learners("classification")
    assert "TabularMLP" not in selection.names
    assert selection.skipped == {
        "TabularMLP": "not installed; TabularMLP needs PyTorch: pip install 'openaml[torch]'"
    }
    assert "TabularMLP" in default_learners("classification", installed_only=False).names
    assert "TabularMLP" in resolve_models("classification").skipped


@pytest.mark.usefixtures("without_torch")
def test_an_allowed_model_without_its_library_names_the_extra() -> None:
    message = r"^TabularMLP needs PyTorch: pip install 'openaml\[torch\]'$"
    with pytest.raises(MissingDependencyError, match=message):
        resolve_models("classification", ["LightGBM", "TabularMLP"])
    learner = get_learner("TabularMLP")
    assert not learner.available()
    with pytest.raises(ImportError, match=message):
        learner.require()
    with pytest.raises(MissingDependencyError, match=message):
        learner.build({}, "regression", seed=0)
    # knowing the learner needs no library: its space and portfolio still work
    assert learner.portfolio("regression")
