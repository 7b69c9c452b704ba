"""Regression metrics against scikit-learn/scipy, and Azure's normalisation and guards."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as sk

from automl.metrics import compute_metrics, compute_metrics_report, metric_names

Y = np.array([3.0, 0.5, 2.0, 7.0, 4.5, 1.0, 6.0, 2.0, 0.0, 5.0])
P = np.array([2.5, 0.0, 2.0, 8.0, 4.0, 1.5, 5.0, 3.0, 0.5, 5.5])
W = np.array([1.0, 2.0, 1.0, 0.5, 1.0, 3.0, 1.0, 1.0, 2.0, 1.0])


@pytest.mark.parametrize("weight", [None, W], ids=["unweighted", "weighted"])
def test_metrics_match_scikit_learn(weight: np.ndarray | None) -> None:
    ours = compute_metrics("regression", Y, P, sample_weight=weight)
    w = {"sample_weight": weight}
    expected = {
        "explained_variance": sk.explained_variance_score(Y, P, **w),
        "r2_score": sk.r2_score(Y, P, **w),
        "mean_absolute_error": sk.mean_absolute_error(Y, P, **w),
        "median_absolute_error": sk.median_absolute_error(Y, P, **w),
        "root_mean_squared_error": sk.root_mean_squared_error(Y, P, **w),
        "root_mean_squared_log_error": sk.root_mean_squared_log_error(Y, P, **w),
    }
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, abs=1e-12), name
    spread = Y.max() - Y.min()
    for name in ("mean_absolute_error", "median_absolute_error", "root_mean_squared_error"):
        assert ours[f"normalized_{name}"] == pytest.approx(expected[name] / spread)
    log_spread = math.log1p(Y.max()) - math.log1p(Y.min())
    assert ours["normalized_root_mean_squared_log_error"] == pytest.approx(
        expected["root_mean_squared_log_error"] / log_spread
    )


def test_spearman_matches_scipy_with_ties_and_ignores_weights() -> None:
    expected = stats.spearmanr(Y, P).statistic
    report = compute_metrics_report("regression", Y, P, sample_weight=W)
    assert report.values["spearman_correlation"] == pytest.approx(expected)
    assert "sample_weight is ignored" in report.notes["spearman_correlation"]


def test_mape_is_azures_percent_without_true_zeros() -> None:
    report = compute_metrics_report("regression", Y, P)
    usable = Y != 0
    expected = 100 * np.mean(np.abs((Y[usable] - P[usable]) / Y[usable]))
    assert report.values["mean_absolute_percentage_error"] == pytest.approx(expected)
    assert (
        "1 rows with a true value close to zero" in report.notes["mean_absolute_percentage_error"]
    )
    weighted = compute_metrics("regression", Y, P, sample_weight=W)
    expected_weighted = np.average(
        100 * np.abs((Y[usable] - P[usable]) / Y[usable]), weights=W[usable]
    )
    assert weighted["mean_absolute_percentage_error"] == pytest.approx(expected_weighted)
    zeros = compute_metrics_report("regression", [0.0, 0.0], [1.0, 2.0])
    assert math.isnan(zeros.values["mean_absolute_percentage_error"])
    assert "every true value is (close to) zero" in zeros.notes["mean_absolute_percentage_error"]


def test_normalized_metrics_divide_by_the_given_training_range() -> None:
    ours = compute_metrics("regression", Y, P, y_range=(-10.0, 30.0))
    assert ours["normalized_root_mean_squared_error"] == pytest.approx(
        sk.root_mean_squared_error(Y, P) / 40.0
    )
    assert ours["normalized_mean_absolute_error"] == pytest.approx(
        sk.mean_absolute_error(Y, P) / 40.0
    )
    assert ours["normalized_median_absolute_error"] == pytest.approx(
        sk.median_absolute_error(Y, P) / 40.0
    )


def test_normalized_metrics_with_an_empty_range_are_best_or_worst() -> None:
    exact = compute_metrics_report("regression", [2.0, 2.0], [2.0, 2.0])
    assert exact.values["normalized_root_mean_squared_error"] == 0.0
    assert "y_min == y_max" in exact.notes["normalized_root_mean_squared_error"]
    off = compute_metrics("regression", [2.0, 2.0], [2.0, 3.0])
    for name in metric_names("regression"):
        if name.startswith("normalized_"):
            assert off[name] == 1.0, name


def test_normalized_errors_are_clipped_at_one() -> None:
    report = compute_metrics_report("regression", [0.0, 1.0], [10.0, -10.0])
    assert report.values["normalized_mean_absolute_error"] == 1.0
    assert "clipped to 1" in report.notes["normalized_mean_absolute_error"]


def test_r2_is_clipped_at_minus_one_and_single_rows_are_defined() -> None:
    report = compute_metrics_report("regression", [0.0, 1.0, 2.0], [5.0, -5.0, 9.0])
    assert sk.r2_score([0.0, 1.0, 2.0], [5.0, -5.0, 9.0]) < -1
    assert report.values["r2_score"] == -1.0
    assert "clipped to -1" in report.notes["r2_score"]
    assert compute_metrics("regression", [3.0], [3.0])["r2_score"] == 1.0
    assert compute_metrics("regression", [3.0], [4.0])["r2_score"] == 0.0


def test_negative_values_make_the_log_errors_nan() -> None:
    report = compute_metrics_report("regression", [-1.0, 2.0, 3.0], [0.0, 2.0, 4.0])
    for name in ("root_mean_squared_log_error", "normalized_root_mean_squared_log_error"):
        assert math.isnan(report.values[name])
        assert report.notes[name] == "NaN: undefined when y_true or y_pred holds negative values"
    assert math.isfinite(report.values["root_mean_squared_error"])
    predicted = compute_metrics("regression", [1.0, 2.0], [-0.5, 2.0])
    assert math.isnan(predicted["root_mean_squared_log_error"])
    below = compute_metrics_report("regression", [1.0, 2.0], [1.0, 3.0], y_range=(-2.0, 5.0))
    assert math.isnan(below.values["normalized_root_mean_squared_log_error"])
    assert "y_min <= -1" in below.notes["normalized_root_mean_squared_log_error"]


def test_constant_inputs() -> None:
    constant_prediction = compute_metrics_report("regression", [1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    assert constant_prediction.values["spearman_correlation"] == -1.0
    assert "y_pred is constant" in constant_prediction.notes["spearman_correlation"]
    assert constant_prediction.values["r2_score"] == pytest.approx(
        sk.r2_score([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    )
    constant_truth = compute_metrics("regression", [2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    assert constant_truth["spearman_correlation"] == -1.0
    assert constant_truth["explained_variance"] == 0.0 and constant_truth["r2_score"] == 0.0
    perfect = compute_metrics("regression", [2.0, 2.0], [2.0, 2.0])
    assert perfect["explained_variance"] == 1.0 and perfect["r2_score"] == 1.0


def test_forecasting_uses_the_regression_metrics() -> None:
    assert compute_metrics("forecasting", Y, P) == pytest.approx(
        compute_metrics("regression", Y, P)
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y_pred": None}, r"`y_pred` is required for task 'regression', got None"),
        (
            {"y_proba": [0.5, 0.5]},
            r"`y_proba` applies to classification only, got it for 'regression'",
        ),
        ({"classes": [0, 1]}, r"`classes` applies to classification only"),
        ({"positive_label": 1}, r"`positive_label` applies to classification only, got 1"),
        ({"y_pred": [1.0]}, r"`y_pred` must have one row per row of `y_true` \(2\), got 1"),
        (
            {"y_pred": [1.0, np.nan]},
            r"`y_pred` must be finite, got 1 NaN or infinite values \(first in row 1\)",
        ),
        ({"y_pred": ["a", "b"]}, r"`y_pred` must be numeric, got dtype <U1"),
        (
            {"y_range": (3.0, 1.0)},
            r"`y_range` must be \(y_min, y_max\) with finite y_min <= y_max, got \(3.0, 1.0\)",
        ),
        ({"y_range": (0.0, math.inf)}, r"`y_range` must be \(y_min, y_max\)"),
        ({"y_range": [1.0]}, r"`y_range` must be \(y_min, y_max\)"),
        ({"y_range": ("a", 1.0)}, r"`y_range` must be \(y_min, y_max\)"),
        (
            {"metrics": ["accuracy"]},
            r"`metrics` must be one of .* for task 'regression', got 'accuracy' "
            r"\('accuracy' is a metric of classification\)",
        ),
    ],
)
def test_regression_input_errors(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"y_pred": [1.0, 2.0], **kwargs}
    y_pred = arguments.pop("y_pred")
    with pytest.raises(ValueError, match=message):
        compute_metrics("regression", [1.0, 2.0], y_pred, **arguments)


def test_regression_y_true_must_be_numeric_and_finite() -> None:
    with pytest.raises(ValueError, match=r"`y_true` must be numeric, got dtype <U1"):
        compute_metrics("regression", ["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"`y_true` must be finite"):
        compute_metrics("regression", [np.nan, 2.0], [1.0, 2.0])
