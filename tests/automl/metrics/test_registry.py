"""The metric registry: Azure's names, sets, goals, defaults, and the name checks."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import pytest

from automl.metrics import (
    METRICS,
    default_metric,
    goal_of,
    metric_names,
    score_for_search,
    validate_metric,
)

# azureml.automl.core.shared.constants.Metric.SCALAR_CLASSIFICATION_SET / SCALAR_REGRESSION_SET
AZURE_CLASSIFICATION = {
    "AUC_binary", "AUC_macro", "AUC_micro", "AUC_weighted", "accuracy", "weighted_accuracy",
    "norm_macro_recall", "balanced_accuracy", "log_loss", "f1_score_binary", "f1_score_micro",
    "f1_score_macro", "f1_score_weighted", "precision_score_binary", "precision_score_micro",
    "precision_score_macro", "precision_score_weighted", "recall_score_binary",
    "recall_score_micro", "recall_score_macro", "recall_score_weighted",
    "average_precision_score_binary", "average_precision_score_micro",
    "average_precision_score_macro", "average_precision_score_weighted", "matthews_correlation",
}  # fmt: skip
AZURE_REGRESSION = {
    "explained_variance", "r2_score", "spearman_correlation", "mean_absolute_percentage_error",
    "mean_absolute_error", "median_absolute_error", "root_mean_squared_error",
    "root_mean_squared_log_error", "normalized_mean_absolute_error",
    "normalized_median_absolute_error", "normalized_root_mean_squared_error",
    "normalized_root_mean_squared_log_error",
}  # fmt: skip
# Metric.CLASSIFICATION_PRIMARY_SET / REGRESSION_PRIMARY_SET
AZURE_PRIMARY = {
    "classification": {
        "accuracy", "AUC_weighted", "norm_macro_recall", "average_precision_score_weighted",
        "precision_score_weighted",
    },
    "regression": {
        "spearman_correlation", "normalized_root_mean_squared_error", "r2_score",
        "normalized_mean_absolute_error",
    },
}  # fmt: skip
MAXIMIZED_REGRESSION = {"explained_variance", "r2_score", "spearman_correlation"}


def test_names_are_azures_scalar_sets() -> None:
    assert set(metric_names("classification")) == AZURE_CLASSIFICATION
    assert set(metric_names("regression")) == AZURE_REGRESSION
    assert metric_names("forecasting") == metric_names("regression")
    assert set(METRICS) == AZURE_CLASSIFICATION | AZURE_REGRESSION


def test_goals_follow_azures_objectives() -> None:
    for name in AZURE_CLASSIFICATION:
        assert goal_of(name) == ("minimize" if name == "log_loss" else "maximize"), name
    for name in AZURE_REGRESSION:
        assert goal_of(name) == ("maximize" if name in MAXIMIZED_REGRESSION else "minimize")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_primary_flags_match_azures_primary_sets(task: str) -> None:
    primary = {name for name in metric_names(task) if METRICS[name].azure_primary}
    assert primary == AZURE_PRIMARY[task]


def test_spec_fields() -> None:
    spec = METRICS["AUC_weighted"]
    assert spec.needs_proba and spec.tasks == ("classification",) and spec.worst == 0.0
    assert METRICS["log_loss"].worst == math.inf
    assert not METRICS["weighted_accuracy"].supports_sample_weight
    assert not METRICS["spearman_correlation"].supports_sample_weight
    assert METRICS["f1_score_binary"].uses_positive_label
    assert METRICS["normalized_root_mean_squared_error"].bounds == (0.0, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        METRICS["x"] = spec  # type: ignore[index]


def test_defaults() -> None:
    assert default_metric("classification") == "accuracy"
    assert default_metric("regression") == "normalized_root_mean_squared_error"
    assert default_metric("forecasting") == "normalized_root_mean_squared_error"


def test_validate_metric_accepts_every_metric_of_the_task() -> None:
    for task in ("classification", "regression", "forecasting"):
        for name in metric_names(task):
            assert validate_metric(name, task) == name


def test_validate_metric_suggests_the_closest_name() -> None:
    with pytest.raises(
        ValueError,
        match=r"`primary_metric` must be one of accuracy, .*AUC_weighted.* for task "
        r"'classification', got 'acuracy' \(did you mean 'accuracy'\?\)",
    ):
        validate_metric("acuracy", "classification")


def test_validate_metric_names_the_task_of_a_metric_of_another_task() -> None:
    with pytest.raises(
        ValueError, match=r"got 'r2_score' \('r2_score' is a metric of regression and forecasting"
    ):
        validate_metric("r2_score", "classification")
    with pytest.raises(ValueError, match=r"got 'accuracy' \('accuracy' is a metric of classif"):
        validate_metric("accuracy", "regression")


def test_validate_metric_errors_name_the_field_and_reject_non_strings() -> None:
    with pytest.raises(ValueError, match=r"`metrics` must be one of .* got 3$"):
        validate_metric(3, "regression", field="metrics")
    with pytest.raises(ValueError, match=r"got 'zzz'$"):
        validate_metric("zzz", "regression")


def test_unknown_task_is_an_error() -> None:
    with pytest.raises(
        ValueError,
        match=r"`task` must be one of classification, regression, forecasting, got "
        r"'clasification' \(did you mean 'classification'\?\)",
    ):
        metric_names("clasification")
    with pytest.raises(ValueError, match=r"`task` must be one of .* got None"):
        default_metric(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`task` must be one of"):
        validate_metric("accuracy", "ranking")


def test_score_for_search_is_higher_is_better() -> None:
    assert score_for_search("accuracy", 0.8) == 0.8
    assert score_for_search("log_loss", 0.3) == -0.3
    assert score_for_search("normalized_root_mean_squared_error", 0.1) == -0.1
    assert score_for_search("r2_score", -0.5) == -0.5
    assert score_for_search("AUC_weighted", math.nan) == -math.inf
    assert score_for_search("log_loss", math.nan) == -math.inf
    for name in METRICS:  # better raw values always give better search scores
        better, worse = (0.9, 0.1) if goal_of(name) == "maximize" else (0.1, 0.9)
        assert score_for_search(name, better) > score_for_search(name, worse)


def test_unknown_metric_for_goal_and_search_score() -> None:
    with pytest.raises(ValueError, match=r"`metric` must be one of .* got 'AUC_weigted' \(did you"):
        goal_of("AUC_weigted")
    with pytest.raises(ValueError, match=r"`metric` must be one of .* got 'logloss' \(did you"):
        score_for_search("logloss", 0.1)


def test_importing_the_metrics_loads_no_heavy_library() -> None:
    code = (
        "import sys, json, automl.metrics, automl._validation; print(json.dumps(list(sys.modules)))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(output)}
    assert not loaded & {"sklearn", "pandas", "scipy"}
