"""Property tests: random folds of labels and scores agree with scikit-learn, never crash."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as sk
from sklearn.preprocessing import label_binarize

from automl.metrics import compute_metrics, compute_metrics_report


@st.composite
def folds(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    n_classes = draw(st.integers(2, 5))
    n_rows = draw(st.integers(1, 40))
    y = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n_rows, max_size=n_rows)))
    # coarse scores make ties likely
    raw = (
        np.array(
            draw(
                st.lists(
                    st.integers(0, 4), min_size=n_rows * n_classes, max_size=n_rows * n_classes
                )
            ),
            dtype=float,
        ).reshape(n_rows, n_classes)
        + 0.5
    )
    proba = raw / raw.sum(axis=1, keepdims=True)
    pred = np.array(draw(st.lists(st.integers(0, n_classes - 1), min_size=n_rows, max_size=n_rows)))
    weighted = draw(st.booleans())
    weight = (
        np.array(draw(st.lists(st.integers(1, 4), min_size=n_rows, max_size=n_rows)), dtype=float)
        if weighted
        else None
    )
    return y, pred, proba, weight


@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
@settings(max_examples=150, deadline=None)
@given(folds())
def test_random_folds_match_scikit_learn(case: tuple) -> None:  # type: ignore[type-arg]
    y, pred, proba, weight = case
    classes = np.arange(proba.shape[1])
    report = compute_metrics_report(
        "classification", y, pred, proba, classes=classes, sample_weight=weight
    )
    ours = report.values
    w = {"sample_weight": weight}
    assert ours["accuracy"] == pytest.approx(sk.accuracy_score(y, pred, **w))
    for average in ("macro", "weighted", "micro"):
        assert ours[f"f1_score_{average}"] == pytest.approx(
            sk.f1_score(y, pred, average=average, zero_division=0, **w)
        )
        assert ours[f"precision_score_{average}"] == pytest.approx(
            sk.precision_score(y, pred, average=average, zero_division=0, **w)
        )
    assert ours["matthews_correlation"] == pytest.approx(sk.matthews_corrcoef(y, pred, **w))
    assert ours["log_loss"] == pytest.approx(sk.log_loss(y, proba, labels=classes, **w))
    binarized = label_binarize(y, classes=classes)
    if binarized.shape[1] == 1:
        binarized = np.hstack([1 - binarized, binarized])
    present = np.flatnonzero(binarized.sum(axis=0) > 0)
    assert ours["AUC_micro"] == pytest.approx(
        sk.roc_auc_score(binarized, proba, average="micro", **w)
    )
    assert ours["average_precision_score_micro"] == pytest.approx(
        sk.average_precision_score(binarized, proba, average="micro", **w)
    )
    if present.size >= 2:
        for average in ("macro", "weighted"):
            assert ours[f"AUC_{average}"] == pytest.approx(
                sk.roc_auc_score(binarized[:, present], proba[:, present], average=average, **w)
            )
            assert ours[f"average_precision_score_{average}"] == pytest.approx(
                sk.average_precision_score(
                    binarized[:, present], proba[:, present], average=average, **w
                )
            )
    else:
        assert math.isnan(ours["AUC_macro"]) and "NaN" in report.notes["AUC_macro"]
    for name, value in ours.items():
        assert math.isfinite(value) or name in report.notes, name


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-5, 50, allow_nan=False), st.floats(-5, 50, allow_nan=False)),
        min_size=1,
        max_size=30,
    )
)
def test_random_regression_never_crashes_and_explains_nans(
    pairs: list[tuple[float, float]],
) -> None:
    y = np.array([a for a, _ in pairs])
    p = np.array([b for _, b in pairs])
    report = compute_metrics_report("regression", y, p)
    for name, value in report.values.items():
        assert math.isfinite(value) or name in report.notes, name
    if y.size > 1:
        assert report.values["mean_absolute_error"] == pytest.approx(sk.mean_absolute_error(y, p))


def test_fifty_thousand_rows_ten_classes_gives_every_metric() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 50_000)
    proba = rng.random((50_000, 10))
    proba /= proba.sum(axis=1, keepdims=True)
    values = compute_metrics("classification", y, y_proba=proba, classes=np.arange(10))
    assert len(values) == 21
