"""The fast scorer gives compute_metrics' value for every metric, weights and folds included."""

from __future__ import annotations

import math

import numpy as np
import pytest

from automl.ensembles import EnsembleData
from automl.metrics import compute_metrics, metric_names
from tests.automl.ensembles._cases import child


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("n_classes", [2, 4])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_classification_metrics_match_compute_metrics(
    n_classes: int, weighted: bool, ties: bool
) -> None:
    rng = np.random.default_rng(n_classes)
    classes = np.array(["w", "x", "y", "z"][:n_classes])
    y = rng.choice(classes[:-1] if n_classes > 2 else classes, size=120)  # a class may be absent
    proba = rng.dirichlet(np.ones(n_classes), size=120)
    if ties:
        proba = proba.round(1)
    weight = rng.uniform(0.1, 3.0, 120) if weighted else None
    for metric in metric_names("classification"):
        positive = classes[1] if n_classes == 2 else classes[2]
        data = EnsembleData.build(
            [child("c", proba)],
            y,
            task="classification",
            metric=metric,
            classes=classes,
            sample_weight=weight,
            positive_label=positive,
        )
        expected = compute_metrics(
            "classification",
            y,
            y_proba=proba,
            classes=classes,
            sample_weight=weight,
            positive_label=positive,
            metrics=[metric],
        )[metric]
        assert _same(data.score(data.predictions[0]), expected), metric


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_match_compute_metrics(weighted: bool) -> None:
    rng = np.random.default_rng(1)
    y = rng.uniform(0.0, 10.0, 150)
    pred = y + rng.normal(0, 1, 150)
    weight = rng.uniform(0.1, 3.0, 150) if weighted else None
    for metric in metric_names("regression"):
        data = EnsembleData.build(
            [child("c", pred)],
            y,
            task="regression",
            metric=metric,
            sample_weight=weight,
            y_range=(-1.0, 12.0),
        )
        expected = compute_metrics(
            "regression", y, pred, sample_weight=weight, y_range=(-1.0, 12.0), metrics=[metric]
        )[metric]
        assert _same(data.score(data.predictions[0]), expected), metric


def test_forecasting_uses_the_regression_metrics() -> None:
    y = np.arange(10.0)
    data = EnsembleData.build(
        [child("c", y + 1)], y, task="forecasting", metric="mean_absolute_error"
    )
    assert data.score(data.predictions[0]) == 1.0


def test_undefined_metric_is_nan() -> None:
    y = np.zeros(10, dtype=int)  # a single class: AUC is undefined
    data = EnsembleData.build(
        [child("c", np.full(10, 0.3))],
        y,
        task="classification",
        metric="AUC_weighted",
        classes=[0, 1],
    )
    assert math.isnan(data.score(data.predictions[0]))
