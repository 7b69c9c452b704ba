"""AutoMLConfig's model choice and executor: checked now, with the extra to install."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from automl._config import AutoMLConfig, AutoMLConfigError
from automl.learners import MissingDependencyError
from trials.executors import LocalExecutor


def make(base: dict[str, Any], **changes: Any) -> AutoMLConfig:
    return AutoMLConfig(**{**base, **changes})


def hide(monkeypatch: pytest.MonkeyPatch, target: str, package: str) -> None:
    """Make ``find_spec(package)`` say "not installed" where ``target`` looks it up."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == package else real(name, *args, **kwargs)

    monkeypatch.setattr(target, find_spec)


def test_model_names_become_azures(base: dict[str, Any]) -> None:
    config = make(
        base,
        allowed_models=["light_gbm", "XGBoostClassifier", "randomforest", "LightGBM"],
        blocked_models=["random_forest", "elastic_net"],  # a regression model may be blocked
    )
    assert config.allowed_models == ("LightGBM", "XGBoostClassifier", "RandomForest")
    assert config.blocked_models == ("RandomForest", "ElasticNet")
    assert config.model_selection().names == ("LightGBM", "XGBoostClassifier")


def test_misspelled_model_lists_the_valid_names(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError,
        match=r"`allowed_models` contains unknown model 'LightGMB'; did you mean 'LightGBM'\? "
        r"Valid: LightGBM, XGBoostClassifier, XGBoostRegressor, CatBoost",
    ):
        make(base, allowed_models=["LightGMB"])
    with pytest.raises(AutoMLConfigError, match=r"`blocked_models` contains unknown model 'knm'"):
        make(base, blocked_models=["knm"])


def test_model_lists_are_lists(base: dict[str, Any]) -> None:
    with pytest.raises(AutoMLConfigError, match=r"got the string 'LightGBM'; write \['LightGBM'\]"):
        make(base, allowed_models="LightGBM")


def test_models_of_another_task_and_azure_only_models(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError, match=r"`allowed_models` contains 'ElasticNet', which does not support"
    ):
        make(base, allowed_models=["ElasticNet"])
    with pytest.raises(AutoMLConfigError, match=r"'SVM', an Azure ML model that openaml does not"):
        make(base, allowed_models=["SVM"])


def test_every_model_blocked(base: dict[str, Any]) -> None:
    with pytest.raises(
        AutoMLConfigError, match=r"every model is blocked: `blocked_models` removes"
    ):
        make(base, allowed_models=["LightGBM"], blocked_models=["light_gbm"])
    from automl.learners import learner_names

    everything = [name for name in learner_names("classification") if name != "TabularMLP"]
    with pytest.raises(AutoMLConfigError, match=r"every model is blocked.*enable_dnn"):
        make(base, blocked_models=everything)


def test_a_torch_model_without_torch_names_the_extra(
    base: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hide(monkeypatch, "automl.learners._base.find_spec", "torch")
    with pytest.raises(
        MissingDependencyError,
        match=r"`allowed_models`: TabularMLP needs PyTorch: pip install 'openaml\[torch\]'",
    ):
        make(base, allowed_models=["TabularMLP", "LightGBM"])
    with pytest.raises(
        MissingDependencyError, match=r"`enable_dnn` is True but .*'openaml\[torch\]'"
    ):
        make(base, enable_dnn=True)
    config = make(base)  # the default search leaves it out and says why
    assert "TabularMLP" not in config.model_selection().names
    assert "enable_dnn" in config.model_selection().skipped["TabularMLP"]


def test_enable_dnn_lets_neural_networks_into_the_default_search(
    base: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        "automl.learners._base.find_spec",
        lambda name, *a: object() if name == "torch" else real(name, *a),
    )
    assert "TabularMLP" not in make(base).model_selection().names
    assert "TabularMLP" in make(base, enable_dnn=True).model_selection().names
    named = make(base, allowed_models=["TabularMLP"])  # naming it is enough
    assert named.model_selection().names == ("TabularMLP",)


def test_executor_values(base: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    assert make(base, executor=" local ").executor == "local"
    executor = LocalExecutor()
    assert make(base, executor=executor).executor is executor
    real = importlib.util.find_spec
    monkeypatch.setattr(
        "automl._config_sections.find_spec",
        lambda name, *a: object() if name == "ray" else real(name, *a),
    )
    assert make(base, executor="ray").executor == "ray"
    assert make(base, executor="ray://10.0.0.5:10001").executor == "ray://10.0.0.5:10001"


def test_ray_without_ray_names_the_extra(
    base: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hide(monkeypatch, "automl._config_sections.find_spec", "ray")
    for value in ("ray", "ray://head:10001"):
        with pytest.raises(
            MissingDependencyError, match=r"`executor` .* needs Ray: pip install 'openaml\[ray\]'"
        ):
            make(base, executor=value)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("lcoal", r"`executor` must be 'local', 'ray', .*\(did you mean 'local'\?\)"),
        ("azureml:cpu-cluster", r"Azure compute targets do not exist locally"),
        ("ray://head", r"a Ray address is ray://host:port"),
        (3, r"`executor` must be 'local'.*got 3"),
    ],
)
def test_bad_executors(base: dict[str, Any], value: object, match: str) -> None:
    with pytest.raises(AutoMLConfigError, match=match):
        make(base, executor=value)
