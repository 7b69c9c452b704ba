"""Learner adapters: native DataFrames and one-hot scaled matrices, fitted on a fold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from featurization import (
    AdapterKind,
    BaseRepresentation,
    FeaturizationConfig,
    FeaturizationError,
    Featurizer,
    make_adapter,
)
from tests.featurization._frames import mixed_frame

Fold = tuple[BaseRepresentation, BaseRepresentation, np.ndarray]


@pytest.fixture(scope="module")
def fold() -> Fold:
    frame, y = mixed_frame(n=400)
    train, valid = frame.iloc[:300], frame.iloc[300:].reset_index(drop=True)
    featurizer = Featurizer()
    base = featurizer.fit_transform(train, y[:300], task="classification")
    return base, featurizer.transform(valid), y[:300]


def test_native_gives_float32_and_category_columns(fold: Fold) -> None:
    base, valid, _ = fold
    adapter = make_adapter("native").fit(base)
    frame = adapter.transform(valid)
    assert isinstance(frame, pd.DataFrame) and len(frame) == valid.n_rows
    assert list(frame.columns) == adapter.feature_names()
    for name in base.numeric_names:
        assert frame[name].dtype == np.float32
    for j, name in enumerate(base.categorical_names):
        assert isinstance(frame[name].dtype, pd.CategoricalDtype)
        assert tuple(frame[name].cat.categories) == base.categories[j]
        assert (frame[name].isna().to_numpy() == (valid.categorical[:, j] == -1)).all()
    svd = [name for name in frame.columns if name.startswith("text__svd_")]
    assert 0 < len(svd) <= 100
    assert all(frame[name].dtype == np.float32 for name in svd)


def test_native_maps_outputs_to_engineered_and_raw_features(fold: Fold) -> None:
    base, _, _ = fold
    adapter = make_adapter(AdapterKind.NATIVE, text_components=5).fit(base)
    names = adapter.feature_names()
    assert names[-5:] == [f"text__svd_{i}" for i in range(5)]
    sources = adapter.engineered_sources()
    assert sources["text__svd_0"] == base.text_names
    assert sources["cat"] == ("cat",)
    raw = dict(zip(names, adapter.raw_sources(), strict=True))
    assert raw["text__svd_4"] == "text" and raw["num__missing"] == "num"
    assert raw["city__hashed"] == "city" and raw["when__month"] == "when"


def test_native_output_trains_histogram_boosting(fold: Fold) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    base, valid, y = fold
    adapter = make_adapter("native").fit(base)
    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", max_iter=20, random_state=0
    )
    model.fit(adapter.transform(base), y)
    assert model.predict(adapter.transform(valid)).shape == (valid.n_rows,)


def test_one_hot_scaled_standardizes_and_one_hot_encodes(fold: Fold) -> None:
    base, valid, _ = fold
    adapter = make_adapter("one_hot_scaled").fit(base)
    matrix = adapter.transform(base)
    assert sp.issparse(matrix) and matrix.dtype == np.float32  # text present: CSR
    names = adapter.feature_names()
    assert matrix.shape == (base.n_rows, len(names))
    numeric = matrix[:, : len(base.numeric_names)].toarray()
    np.testing.assert_allclose(numeric.mean(axis=0), 0.0, atol=1e-5)
    stds = numeric.std(axis=0)
    assert np.allclose(stds[stds > 0], 1.0, atol=1e-4)
    cat_columns = [i for i, name in enumerate(names) if name.startswith("cat=")]
    assert [names[i] for i in cat_columns] == ["cat=blue", "cat=green", "cat=red"]
    per_row = np.asarray(matrix[:, cat_columns].sum(axis=1)).ravel()
    assert set(per_row.tolist()) <= {0.0, 1.0}
    assert (per_row == 0).sum() == (base.categorical[:, 0] == -1).sum()  # missing: all zeros
    assert adapter.transform(valid).shape == (valid.n_rows, len(names))
    assert adapter.raw_sources()[cat_columns[0]] == "cat"


def test_infrequent_categories_are_grouped_and_unseen_are_zero() -> None:
    labels = ["a"] * 50 + ["b"] * 30 + ["rare1", "rare2", "rare3"]
    frame = pd.DataFrame({"c": labels, "x": np.random.default_rng(0).normal(size=len(labels))})
    featurizer = Featurizer()
    base = featurizer.fit_transform(frame, task="regression")
    adapter = make_adapter("one_hot_scaled", min_frequency=5).fit(base)
    assert adapter.feature_names() == ["x", "c=a", "c=b", "c=__infrequent__"]
    matrix = adapter.transform(featurizer.transform(pd.DataFrame({"c": ["rare2", "new"], "x": 0})))
    assert isinstance(matrix, np.ndarray)  # no text, few columns: dense
    assert matrix[:, 1:].tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    capped = make_adapter("one_hot_scaled", min_frequency=1, max_categories=2).fit(base)
    assert capped.feature_names() == ["x", "c=a", "c=__infrequent__"]


def test_blocked_one_hot_gives_scaled_codes() -> None:
    frame, y = mixed_frame(n=150)
    config = FeaturizationConfig(blocked_transformers=["OneHotEncoder", "TfIdf"])
    base = Featurizer(config).fit_transform(frame, y, task="classification")
    adapter = make_adapter("one_hot_scaled", sparse=False).fit(base)
    matrix = adapter.transform(base)
    assert adapter.feature_names() == [*base.numeric_names, *base.categorical_names]
    np.testing.assert_allclose(matrix.mean(axis=0), 0.0, atol=1e-4)


def test_one_hot_output_trains_a_linear_model(fold: Fold) -> None:
    from sklearn.linear_model import LogisticRegression

    base, _, y = fold
    adapter = make_adapter("one_hot_scaled").fit(base)
    model = LogisticRegression(max_iter=200).fit(adapter.transform(base), y)
    assert model.score(adapter.transform(base), y) > 0.6


def test_adapter_errors(fold: Fold) -> None:
    base, _, _ = fold
    with pytest.raises(
        FeaturizationError, match=r"`kind` must be one of 'native', 'one_hot_scaled'"
    ):
        make_adapter("onehot")
    with pytest.raises(FeaturizationError, match=r"options of the 'native' adapter .*'text_comp'"):
        make_adapter("native", text_comp=3)
    with pytest.raises(FeaturizationError, match=r"`text_components` must be an integer >= 1"):
        make_adapter("native", text_components=0)
    with pytest.raises(FeaturizationError, match=r"`sparse` must be True, False or 'auto'"):
        make_adapter("one_hot_scaled", sparse="yes")
    with pytest.raises(FeaturizationError, match=r"`min_frequency` must be an integer >= 1"):
        make_adapter("one_hot_scaled", min_frequency=0)
    with pytest.raises(FeaturizationError, match="is not fitted"):
        make_adapter("native").transform(base)
    other = Featurizer().fit_transform(pd.DataFrame({"z": [1.0, 2.0, 3.0]}), task="regression")
    with pytest.raises(FeaturizationError, match="engineered features the adapter was fitted on"):
        make_adapter("native").fit(base).transform(other)
