"""Classification metrics against scikit-learn, and Azure's own definitions by hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from sklearn import metrics as sk
from sklearn.preprocessing import label_binarize

from automl.metrics import compute_metrics, compute_metrics_report, metric_names

CLASSES = np.array(["cat", "dog", "emu", "fox"])
Y_TRUE = np.array(
    ["cat", "dog", "emu", "fox", "cat", "cat", "dog", "emu", "fox", "dog", "cat", "emu"]
)
PROBA = np.array(
    [
        [0.70, 0.10, 0.10, 0.10],
        [0.20, 0.50, 0.20, 0.10],
        [0.10, 0.60, 0.20, 0.10],
        [0.25, 0.25, 0.25, 0.25],
        [0.40, 0.30, 0.20, 0.10],
        [0.10, 0.20, 0.30, 0.40],
        [0.05, 0.80, 0.05, 0.10],
        [0.20, 0.10, 0.60, 0.10],
        [0.10, 0.10, 0.10, 0.70],
        [0.30, 0.30, 0.30, 0.10],
        [0.50, 0.20, 0.20, 0.10],
        [0.10, 0.20, 0.35, 0.35],
    ]
)
WEIGHT = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.0, 1.0, 2.0, 0.5, 1.0, 1.0, 2.0])
Y_BIN = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1])
P_BIN = np.array([0.1, 0.8, 0.4, 0.3, 0.9, 0.6, 0.2, 0.7, 0.7, 0.45, 0.55, 0.7])


def _argmax_labels(proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return classes[np.argmax(proba, axis=1)]


def _sklearn_reference(y, proba, classes, weight) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """What Azure's scorer computes, written with scikit-learn calls."""
    pred = _argmax_labels(proba, classes)
    w = {"sample_weight": weight}
    binarized = label_binarize(y, classes=classes)
    if binarized.shape[1] == 1:
        binarized = np.hstack([1 - binarized, binarized])
    present = [i for i, c in enumerate(classes) if c in set(y)]
    ref = {
        "accuracy": sk.accuracy_score(y, pred, **w),
        "balanced_accuracy": sk.recall_score(y, pred, average="macro", zero_division=0, **w),
        "matthews_correlation": sk.matthews_corrcoef(y, pred, **w),
        "log_loss": sk.log_loss(y, proba, labels=classes, **w),
    }
    for average in ("macro", "micro", "weighted"):
        for name, function in (
            ("f1_score", sk.f1_score),
            ("precision_score", sk.precision_score),
            ("recall_score", sk.recall_score),
        ):
            ref[f"{name}_{average}"] = function(y, pred, average=average, zero_division=0, **w)
        columns = slice(None) if average == "micro" else present
        ref[f"AUC_{average}"] = sk.roc_auc_score(
            binarized[:, columns], proba[:, columns], average=average, **w
        )
        ref[f"average_precision_score_{average}"] = sk.average_precision_score(
            binarized[:, columns], proba[:, columns], average=average, **w
        )
    return ref


CASES = {
    "multiclass": (Y_TRUE, PROBA, CLASSES),
    "binary": (Y_BIN, np.column_stack([1 - P_BIN, P_BIN]), np.array([0, 1])),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_metrics_match_scikit_learn(case: str, weighted: bool) -> None:
    y, proba, classes = CASES[case]
    weight = WEIGHT if weighted else None
    ours = compute_metrics(
        "classification", y, y_proba=proba, classes=classes, sample_weight=weight
    )
    expected = _sklearn_reference(y, proba, classes, weight)
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, abs=1e-12), name


def test_binary_metrics_use_the_second_class_or_positive_label() -> None:
    proba = np.column_stack([1 - P_BIN, P_BIN])
    ours = compute_metrics("classification", Y_BIN, y_proba=proba, classes=[0, 1])
    pred = (P_BIN > 0.5).astype(int)
    assert ours["f1_score_binary"] == pytest.approx(sk.f1_score(Y_BIN, pred))
    assert ours["precision_score_binary"] == pytest.approx(sk.precision_score(Y_BIN, pred))
    assert ours["recall_score_binary"] == pytest.approx(sk.recall_score(Y_BIN, pred))
    assert ours["AUC_binary"] == pytest.approx(sk.roc_auc_score(Y_BIN, P_BIN))
    assert ours["average_precision_score_binary"] == pytest.approx(
        sk.average_precision_score(Y_BIN, P_BIN)
    )
    flipped = compute_metrics(
        "classification", Y_BIN, y_proba=proba, classes=[0, 1], positive_label=0
    )
    assert flipped["recall_score_binary"] == pytest.approx(
        sk.recall_score(Y_BIN, pred, pos_label=0)
    )
    assert flipped["AUC_binary"] == pytest.approx(sk.roc_auc_score(Y_BIN == 0, 1 - P_BIN))


def test_binary_metrics_for_one_class_of_a_multiclass_task() -> None:
    default = compute_metrics("classification", Y_TRUE, y_proba=PROBA, classes=CLASSES)
    assert not any(name.endswith("_binary") for name in default)
    ours = compute_metrics(
        "classification", Y_TRUE, y_proba=PROBA, classes=CLASSES, positive_label="emu"
    )
    pred = _argmax_labels(PROBA, CLASSES)
    assert ours["f1_score_binary"] == pytest.approx(sk.f1_score(Y_TRUE == "emu", pred == "emu"))
    assert ours["AUC_binary"] == pytest.approx(sk.roc_auc_score(Y_TRUE == "emu", PROBA[:, 2]))
    report = compute_metrics_report(
        "classification", Y_TRUE, y_proba=PROBA, classes=CLASSES, metrics=["f1_score_binary"]
    )
    assert math.isnan(report.values["f1_score_binary"])
    assert "positive_label" in report.notes["f1_score_binary"]


def test_one_dimensional_probabilities_are_those_of_the_second_class() -> None:
    two_columns = compute_metrics(
        "classification", Y_BIN, y_proba=np.column_stack([1 - P_BIN, P_BIN]), classes=[0, 1]
    )
    one_column = compute_metrics("classification", Y_BIN, y_proba=P_BIN, classes=[0, 1])
    assert one_column == pytest.approx(two_columns)


def test_y_pred_is_used_for_label_metrics_when_given() -> None:
    pred = np.where(P_BIN > 0.65, 1, 0)  # another threshold than argmax
    ours = compute_metrics("classification", Y_BIN, pred, P_BIN, classes=[0, 1])
    assert ours["accuracy"] == pytest.approx(sk.accuracy_score(Y_BIN, pred))
    assert ours["AUC_macro"] == pytest.approx(sk.roc_auc_score(Y_BIN, P_BIN))


def test_labels_only_gives_the_label_metrics() -> None:
    pred = _argmax_labels(PROBA, CLASSES)
    ours = compute_metrics("classification", Y_TRUE, pred)
    assert "log_loss" not in ours and "AUC_weighted" not in ours
    assert ours["accuracy"] == pytest.approx(sk.accuracy_score(Y_TRUE, pred))
    assert set(ours) == {
        name for name in metric_names("classification")
        if "AUC" not in name and "average_precision" not in name
        and name != "log_loss" and not name.endswith("_binary")
    }  # fmt: skip


def test_norm_macro_recall_by_hand() -> None:
    y = [0, 0, 0, 1, 1, 2]
    pred = [0, 0, 1, 1, 0, 2]
    # recalls 2/3, 1/2, 1 -> mean 13/18; random recall R = 1/3
    value = compute_metrics("classification", y, pred, metrics=["norm_macro_recall"])
    assert value["norm_macro_recall"] == pytest.approx((13 / 18 - 1 / 3) / (1 - 1 / 3))
    # binary: R = 0.5; recalls 1/2 and 1 -> (0.75 - 0.5) / 0.5
    binary = compute_metrics("classification", [0, 0, 1, 1], [0, 1, 1, 1])
    assert binary["norm_macro_recall"] == pytest.approx(0.5)
    # worse than chance is clipped at 0
    worse = compute_metrics("classification", [0, 0, 1, 1], [1, 1, 0, 1])
    assert worse["norm_macro_recall"] == 0.0


def test_norm_macro_recall_uses_the_classes_present_in_y_true() -> None:
    y = ["a", "a", "b", "b"]
    pred = ["a", "b", "b", "b"]
    value = compute_metrics(
        "classification", y, pred, classes=["a", "b", "c", "d"], metrics=["norm_macro_recall"]
    )
    # two classes present: R = 1/2, mean recall 0.75
    assert value["norm_macro_recall"] == pytest.approx(0.5)


def test_weighted_accuracy_by_hand_and_azures_formula() -> None:
    y = np.array([0, 0, 0, 1, 1, 2])
    pred = np.array([0, 0, 1, 1, 0, 2])
    value = compute_metrics("classification", y, pred, metrics=["weighted_accuracy"])
    # class counts 3, 2, 1 and correct 2, 1, 1: (3*2 + 2*1 + 1*1) / (9 + 4 + 1)
    assert value["weighted_accuracy"] == pytest.approx(9 / 14)
    azure_weights = np.bincount(y)[y] / len(y)  # each row weighted by its class frequency
    assert value["weighted_accuracy"] == pytest.approx(
        sk.accuracy_score(y, pred, sample_weight=azure_weights)
    )


def test_weighted_accuracy_ignores_sample_weight_and_says_so() -> None:
    y, pred = [0, 0, 1], [0, 1, 1]
    report = compute_metrics_report(
        "classification", y, pred, sample_weight=[5.0, 1.0, 1.0], metrics=["weighted_accuracy"]
    )
    assert report.values["weighted_accuracy"] == pytest.approx(
        compute_metrics("classification", y, pred)["weighted_accuracy"]
    )
    assert "sample_weight is ignored" in report.notes["weighted_accuracy"]


def test_a_class_missing_from_y_true_is_left_out_of_class_averages() -> None:
    keep = Y_TRUE != "fox"
    y, proba = Y_TRUE[keep], PROBA[keep]
    report = compute_metrics_report("classification", y, y_proba=proba, classes=CLASSES)
    binarized = label_binarize(y, classes=CLASSES)[:, :3]
    for average in ("macro", "weighted"):
        assert report.values[f"AUC_{average}"] == pytest.approx(
            sk.roc_auc_score(binarized, proba[:, :3], average=average)
        )
        assert "absent: 'fox'" in report.notes[f"AUC_{average}"]
    full = label_binarize(y, classes=CLASSES)
    assert report.values["AUC_micro"] == pytest.approx(
        sk.roc_auc_score(full, proba, average="micro")
    )
    assert report.values["log_loss"] == pytest.approx(sk.log_loss(y, proba, labels=CLASSES))


def test_a_single_class_in_the_fold_never_crashes() -> None:
    y = ["dog"] * 4
    proba = PROBA[:4]
    report = compute_metrics_report("classification", y, y_proba=proba, classes=CLASSES)
    for name in ("AUC_macro", "AUC_weighted", "norm_macro_recall"):
        assert math.isnan(report.values[name]), name
        assert report.notes[name].startswith("NaN: undefined"), name
    assert "single class ('dog')" in report.notes["AUC_macro"]
    assert report.values["accuracy"] == pytest.approx(0.5)
    assert report.values["AUC_micro"] == pytest.approx(
        sk.roc_auc_score(label_binarize(y, classes=CLASSES), proba, average="micro")
    )
    assert report.values["average_precision_score_macro"] == 1.0  # only positives: AP is 1
    binary = compute_metrics_report(
        "classification", [1, 1, 1], y_proba=[0.2, 0.7, 0.9], classes=[0, 1]
    )
    assert math.isnan(binary.values["AUC_binary"]) and math.isnan(binary.values["AUC_macro"])
    assert binary.values["recall_score_binary"] == pytest.approx(2 / 3)
    assert binary.values["norm_macro_recall"] == pytest.approx((2 / 3 - 0.5) / 0.5)


def test_constant_predictions_match_scikit_learn_zero_division() -> None:
    y = Y_TRUE
    pred = np.array(["dog"] * len(y))
    ours = compute_metrics("classification", y, pred)
    assert ours["precision_score_macro"] == pytest.approx(
        sk.precision_score(y, pred, average="macro", zero_division=0)
    )
    assert ours["f1_score_weighted"] == pytest.approx(
        sk.f1_score(y, pred, average="weighted", zero_division=0)
    )
    assert ours["matthews_correlation"] == 0.0
    assert ours["norm_macro_recall"] == 0.0


def test_log_loss_clips_probabilities_of_zero() -> None:
    value = compute_metrics(
        "classification", [0, 1], y_proba=[[1.0, 0.0], [1.0, 0.0]], classes=[0, 1]
    )
    assert value["log_loss"] == pytest.approx(-math.log(1e-15) / 2, rel=1e-9)
    assert math.isfinite(value["log_loss"])


def test_label_types_and_class_order() -> None:
    shuffled = np.array(["fox", "cat", "emu", "dog"])
    order = [3, 0, 2, 1]
    pred = _argmax_labels(PROBA, CLASSES)  # PROBA has ties: argmax depends on column order
    ours = compute_metrics("classification", Y_TRUE, pred, PROBA[:, order], classes=shuffled)
    expected = compute_metrics("classification", Y_TRUE, pred, PROBA, classes=CLASSES)
    assert ours == pytest.approx(expected)
    bools = compute_metrics("classification", [True, False, True], [True, True, True])
    assert bools["accuracy"] == pytest.approx(2 / 3)
    mixed = compute_metrics("classification", [1, "a", 1], [1, "a", "a"], metrics=["accuracy"])
    assert mixed["accuracy"] == pytest.approx(2 / 3)


def test_metrics_argument_selects_and_deduplicates() -> None:
    ours = compute_metrics(
        "classification", Y_TRUE, y_proba=PROBA, classes=CLASSES,
        metrics=["log_loss", "accuracy", "log_loss"],
    )  # fmt: skip
    assert list(ours) == ["log_loss", "accuracy"]
    single = compute_metrics(
        "classification", Y_TRUE, y_proba=PROBA, classes=CLASSES, metrics="accuracy"
    )
    assert list(single) == ["accuracy"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"y_pred": None},
            r"`y_pred` or `y_proba` is required for task 'classification', got None",
        ),
        ({"y_pred": ["a"]}, r"`y_pred` must have one row per row of `y_true` \(3\), got 1"),
        (
            {"y_pred": ["a", "b", "z"], "classes": ["a", "b"]},
            r"`y_pred` must hold only labels in `classes` \('a', 'b'\), got 'z'",
        ),
        (
            {"y_pred": ["a", "b", "a"], "y_range": (0, 1)},
            r"`y_range` applies to regression and forecasting",
        ),
        (
            {"y_proba": [[0.5, 0.5]] * 3, "classes": ["a", "a"]},
            r"`classes` must not repeat a label",
        ),
        (
            {"y_proba": [[0.5, 0.5]] * 3, "classes": []},
            r"`classes` must hold at least one label, got none",
        ),
        (
            {"y_proba": [[1.0, 0.0, 0.0]] * 3},
            r"`y_proba` must have one column per class \(2\), got shape \(3, 3\); pass `classes`",
        ),
        (
            {"y_proba": [0.5, 0.5, 0.5], "classes": ["a", "b", "c"]},
            r"`y_proba` must have one column per class \(3\), got a 1-D array",
        ),
        (
            {"y_proba": [[0.5, np.nan]] * 3},
            r"`y_proba` must be finite, got 3 NaN or infinite values \(first in row 0\)",
        ),
        ({"y_proba": np.zeros((3, 2, 1))}, r"`y_proba` must be 1-D or 2-D, got shape \(3, 2, 1\)"),
        ({"y_proba": [["x", "y"]] * 3}, r"`y_proba` must be numeric, got dtype <U1"),
        (
            {"y_pred": ["a", "b", "a"], "metrics": ["AUC_weighted", "accuracy", "log_loss"]},
            r"`y_proba` is required for AUC_weighted, log_loss "
            r"\(metrics of class probabilities\), got None",
        ),
        (
            {"y_pred": ["a", "b", "a"], "metrics": ["acuracy"]},
            r"`metrics` must be one of .* got 'acuracy' \(did you mean 'accuracy'\?\)",
        ),
        (
            {"y_pred": ["a", "b", "a"], "positive_label": "c"},
            r"`positive_label` must be one of 'a', 'b', got 'c'",
        ),
        (
            {"y_pred": ["a", "b", "a"], "sample_weight": [1, -1, 1]},
            r"`sample_weight` must be non-negative, got -1.0 in row 1",
        ),
        (
            {"y_pred": ["a", "b", "a"], "sample_weight": [0, 0, 0]},
            r"`sample_weight` must have a positive total, got all zeros",
        ),
        (
            {"y_pred": ["a", "b", "a"], "sample_weight": [1, 1]},
            r"`sample_weight` must have one row per row of `y_true` \(3\), got 2",
        ),
        (
            {"y_pred": ["a", "b", "a"], "sample_weight": [1, np.inf, 1]},
            r"`sample_weight` must be finite",
        ),
    ],
)
def test_classification_input_errors(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"y_pred": None, **kwargs}
    y_pred = arguments.pop("y_pred")
    with pytest.raises(ValueError, match=message):
        compute_metrics("classification", ["a", "b", "a"], y_pred, **arguments)


def test_y_true_shape_errors() -> None:
    with pytest.raises(ValueError, match=r"`y_true` must hold at least one row, got 0"):
        compute_metrics("classification", [], [])
    with pytest.raises(ValueError, match=r"`y_true` must be one-dimensional, got shape \(2, 2\)"):
        compute_metrics("classification", [[1, 2], [3, 4]], [1, 2])
    with pytest.raises(
        ValueError, match=r"`y_true` must hold only labels in `classes` \('a', 'b'\), got 'c'"
    ):
        compute_metrics("classification", ["c"], y_proba=[[0.5, 0.5]], classes=["a", "b"])
    with pytest.raises(ValueError, match="`task` must be one of"):
        compute_metrics("multiclass", [1], [1])
    column = compute_metrics("classification", [[1], [0]], [[1], [1]], metrics=["accuracy"])
    assert column["accuracy"] == 0.5
