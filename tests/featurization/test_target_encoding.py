"""Target encoding: out of fold on the training rows, full statistics for new rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from featurization import FeaturizationConfig, Featurizer


def unique_keys(n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(n)], "x": rng.normal(size=n)})
    return frame, rng.normal(10, 3, n)


CONFIG = FeaturizationConfig(
    column_purposes={"key": "CategoricalHash"},
    high_cardinality_encoding="target",
    transformer_params={"TargetEncoder": {"folds": 5, "smoothing": 0}},
)


def test_a_row_never_sees_its_own_label_in_fit_transform() -> None:
    frame, y = unique_keys()
    base = Featurizer(CONFIG).fit_transform(frame, y, task="regression")
    encoded = base.numeric[:, base.numeric_names.index("key__target_mean")]
    # Each key is in one row: out of fold it is unseen, so it gets the prior of the other
    # folds' rows: one value per fold, and never the row's own label.
    assert len(np.unique(encoded)) == 5
    assert np.all(np.abs(encoded - y.mean()) < 1.0)
    assert np.abs(encoded - y).mean() > 0.5 * y.std()


def test_fit_then_transform_on_the_same_rows_would_leak() -> None:
    frame, y = unique_keys()
    featurizer = Featurizer(CONFIG).fit(frame, y, task="regression")
    base = featurizer.transform(frame)
    in_sample = base.numeric[:, base.numeric_names.index("key__target_mean")]
    np.testing.assert_allclose(in_sample, y, rtol=1e-5)  # why fit_transform is out of fold


def test_unseen_and_missing_labels_at_transform() -> None:
    frame = pd.DataFrame({"key": ["a", "b", None, "a", "b", None] * 20})
    y = np.array([1.0, 0.0, 5.0, 1.0, 0.0, 5.0] * 20)
    featurizer = Featurizer(CONFIG).fit(frame, y, task="regression")
    out = featurizer.transform(pd.DataFrame({"key": ["a", "zzz", None]})).numeric[:, 0]
    np.testing.assert_allclose(out, [1.0, y.mean(), 5.0], rtol=1e-6)


def test_frequent_labels_get_close_to_their_mean_out_of_fold() -> None:
    rng = np.random.default_rng(3)
    keys = rng.choice(["a", "b", "c"], 600)
    y = np.where(keys == "a", 1.0, 0.0) + rng.normal(0, 0.1, 600)
    frame = pd.DataFrame({"key": keys})
    config = FeaturizationConfig(transformer_params={"TargetEncoder": {"columns": ["key"]}})
    encoded = Featurizer(config).fit_transform(frame, y, task="regression").numeric[:, 0]
    assert np.abs(encoded[keys == "a"] - 1.0).max() < 0.1
    assert np.abs(encoded[keys == "b"]).max() < 0.1


def test_classification_columns() -> None:
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"key": rng.choice(list("abcdef"), 300)})
    config = FeaturizationConfig(transformer_params={"TargetEncoder": {"columns": ["key"]}})
    binary = Featurizer(config).fit_transform(
        frame, rng.choice(["no", "yes"], 300), task="classification"
    )
    assert binary.numeric_names == ("key__target_p_yes",)
    assert ((binary.numeric >= 0) & (binary.numeric <= 1)).all()
    multi = Featurizer(config).fit_transform(frame, rng.integers(0, 3, 300), task="classification")
    assert multi.numeric_names == ("key__target_p_0", "key__target_p_1", "key__target_p_2")
    np.testing.assert_allclose(multi.numeric.sum(axis=1), 1.0, rtol=1e-5)


def test_target_encoding_is_deterministic() -> None:
    frame, y = unique_keys()
    first = Featurizer(CONFIG).fit_transform(frame, y, task="regression")
    second = Featurizer(CONFIG).fit_transform(frame, y, task="regression")
    np.testing.assert_array_equal(first.numeric, second.numeric)
