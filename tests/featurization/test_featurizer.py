"""The featurizer on mixed data: blocks, names, missing values, unseen values, determinism."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from featurization import BaseRepresentation, FeaturizationConfig, FeaturizationError, Featurizer
from tests.featurization._frames import mixed_frame

Fitted = tuple[Featurizer, BaseRepresentation, pd.DataFrame, np.ndarray]


@pytest.fixture(scope="module")
def fitted() -> Fitted:
    frame, y = mixed_frame()
    featurizer = Featurizer()
    return featurizer, featurizer.fit_transform(frame, y, task="classification"), frame, y


def test_blocks_have_the_promised_types_and_shapes(fitted: Fitted) -> None:
    _, base, frame, _ = fitted
    assert base.n_rows == len(frame)
    assert base.numeric.dtype == np.float32 and not np.isnan(base.numeric).any()
    assert base.categorical.dtype == np.int32
    assert sp.isspmatrix_csr(base.text) or isinstance(base.text, sp.csr_array)
    assert base.text.dtype == np.float32
    assert base.numeric.shape[1] == len(base.numeric_names)
    assert base.categorical.shape[1] == len(base.categorical_names) == len(base.categories)
    assert base.text.shape[1] == len(base.text_names) > 0


def test_names_per_block_and_dropped_columns(fitted: Fitted) -> None:
    featurizer, base, _, _ = fitted
    assert base.numeric_names[:3] == ("num", "num__missing", "small_int")
    assert {"when__year", "when__month", "when__hour", "when__ordinal", "when__missing"} <= set(
        base.numeric_names
    )
    assert base.categorical_names == ("cat", "city__hashed", "flag")
    assert base.categories[0] == ("blue", "green", "red")
    assert base.categories[2] == ("False", "True")
    assert len(base.categories[1]) == 1024  # 2 ** 10 hash buckets
    assert all(name.startswith("text__") for name in base.text_names)
    assert {"text__word__free", "text__word__free win"} & set(base.text_names)
    assert set(featurizer.dropped_columns_) == {"const", "row_id", "empty", "code"}
    assert featurizer.get_engineered_feature_names() == base.engineered_feature_names()
    assert set(base.raw_columns) == set(base.engineered_feature_names())
    assert base.raw_columns["when__hour"] == "when"


def test_missing_values_are_imputed_with_the_mean_and_marked(fitted: Fitted) -> None:
    _, base, frame, _ = fitted
    missing = frame["num"].isna().to_numpy()
    values = base.numeric[:, 0]
    assert np.allclose(values[missing], frame["num"].mean(), atol=1e-4)
    assert (base.numeric[:, 1] == missing).all()
    cat_missing = frame["cat"].isna().to_numpy()
    assert (base.categorical[cat_missing, 0] == -1).all()
    assert (base.categorical[~cat_missing, 0] >= 0).all()


def test_unseen_and_missing_categories_become_minus_one(fitted: Fitted) -> None:
    featurizer, _, frame, _ = fitted
    new = frame.head(4).copy()
    new["cat"] = ["purple", None, "red", "blue"]
    new["num"] = [np.nan, np.inf, 1.0, 2.0]
    out = featurizer.transform(new)
    assert out.categorical[:, 0].tolist() == [-1, -1, 2, 0]
    assert not np.isnan(out.numeric).any()
    assert out.numeric[:2, 1].tolist() == [1.0, 1.0]  # infinite counts as missing


def test_transform_selects_columns_by_name(fitted: Fitted) -> None:
    featurizer, _, frame, _ = fitted
    expected = featurizer.transform(frame)
    shuffled = frame[list(reversed(frame.columns))].assign(extra=1)
    shuffled = shuffled.drop(columns=["const", "row_id", "empty", "code"])  # dropped at fit
    again = featurizer.transform(shuffled)
    np.testing.assert_array_equal(again.numeric, expected.numeric)
    np.testing.assert_array_equal(again.categorical, expected.categorical)
    with pytest.raises(FeaturizationError, match=r"lacks column\(s\) .*'cat', 'text'"):
        featurizer.transform(frame.drop(columns=["cat", "text"]))


def test_fit_is_deterministic_and_pickles(fitted: Fitted) -> None:
    featurizer, base, frame, y = fitted
    again = Featurizer().fit_transform(frame, y, task="classification")
    np.testing.assert_array_equal(again.numeric, base.numeric)
    np.testing.assert_array_equal(again.categorical, base.categorical)
    assert (again.text != base.text).nnz == 0
    assert again.engineered_feature_names() == base.engineered_feature_names()
    restored = pickle.loads(pickle.dumps(featurizer))
    first, second = featurizer.transform(frame), restored.transform(frame)
    np.testing.assert_array_equal(first.numeric, second.numeric)
    np.testing.assert_array_equal(first.categorical, second.categorical)
    assert (first.text != second.text).nnz == 0


def test_summary_has_azures_format(fitted: Fitted) -> None:
    featurizer, base, frame, _ = fitted
    summary = {row["RawFeatureName"]: row for row in featurizer.get_featurization_summary()}
    assert list(summary) == list(frame.columns)
    assert summary["num"] == {
        "RawFeatureName": "num",
        "TypeDetected": "Numeric",
        "Dropped": "No",
        "EngineeredFeatureCount": 2,
        "Transformations": ["MeanImputer", "ImputationMarker"],
    }
    assert summary["empty"]["TypeDetected"] == "AllNan" and summary["empty"]["Dropped"] == "Yes"
    assert summary["city"]["Transformations"] == ["StringCast", "HashOneHotEncoder"]
    assert summary["when"]["Transformations"][0] == "DateTimeTransformer"
    total = sum(row["EngineeredFeatureCount"] for row in summary.values())
    assert total == len(base.engineered_feature_names())


def test_take_keeps_the_schema(fitted: Fitted) -> None:
    _, base, _, _ = fitted
    part = base.take(np.arange(10))
    assert part.n_rows == 10 and part.engineered_feature_names() == base.engineered_feature_names()
    mask = np.zeros(base.n_rows, dtype=bool)
    mask[:3] = True
    assert base.take(mask).n_rows == 3


def test_config_changes_the_output() -> None:
    frame, y = mixed_frame(n=120)
    config = FeaturizationConfig(
        column_purposes={"city": "CategoricalHash"},
        blocked_transformers=["MissingIndicator", "DateTimeTransformer", "TfIdf"],
        transformer_params={
            "Imputer": [
                {"columns": ["num"], "strategy": "median"},
                {"columns": ["cat"], "strategy": "most_frequent"},
            ],
            "HashOneHotEncoder": {"number_of_bits": 3},
        },
    )
    featurizer = Featurizer(config)
    base = featurizer.fit_transform(frame, y, task="classification")
    assert not any(name.endswith("__missing") for name in base.numeric_names)
    assert not any(name.startswith("when") for name in base.numeric_names)
    assert base.text is None and base.text_names == ()
    missing = frame["num"].isna().to_numpy()
    assert np.allclose(base.numeric[missing, 0], frame["num"].median(), atol=1e-4)
    assert (base.categorical[:, 0] >= 0).all()  # most frequent label filled in
    assert len(base.categories[base.categorical_names.index("city__hashed")]) == 8
    assert featurizer.dropped_columns_["when"] == "DateTimeTransformer blocked"
    summary = {row["RawFeatureName"]: row for row in featurizer.get_featurization_summary()}
    assert summary["num"]["Transformations"] == ["MedianImputer"]
    assert summary["cat"]["Transformations"][0] == "ModeCatImputer"


def test_hash_codes_are_stable_across_processes_and_versions() -> None:
    frame = pd.DataFrame({"k": [f"key{i}" for i in range(300)] * 2, "x": range(600)})
    config = FeaturizationConfig(column_purposes={"k": "CategoricalHash"})
    codes = Featurizer(config).fit_transform(frame, task="regression").categorical[:3, 0]
    # pandas' hash_array has a fixed key (Python's hash() is salted per process): a saved
    # model hashes new rows as it did in training, on any machine.
    assert codes.tolist() == [203, 771, 882]


def test_zero_rows_transform_to_empty_blocks() -> None:
    frame, y = mixed_frame(n=80)
    featurizer = Featurizer().fit(frame, y, task="classification")
    empty = featurizer.transform(frame.iloc[:0])
    assert empty.n_rows == 0 and empty.text.shape == (0, len(empty.text_names))


def test_user_errors() -> None:
    frame, y = mixed_frame(n=50)
    with pytest.raises(FeaturizationError, match="not fitted yet"):
        Featurizer().transform(frame)
    with pytest.raises(FeaturizationError, match=r"`task` must be one of 'classification'"):
        Featurizer().fit(frame, y, task="clasification")
    with pytest.raises(FeaturizationError, match="at least one row, got an empty frame"):
        Featurizer().fit(frame.iloc[:0], task="regression")
    with pytest.raises(FeaturizationError, match=r"one label per row of X \(50\), got 49"):
        Featurizer().fit(frame, y[:-1], task="classification")
    with pytest.raises(FeaturizationError, match="must have no missing values, got 1"):
        Featurizer().fit(frame, [None, *y[1:]], task="classification")
    with pytest.raises(FeaturizationError, match="must be numeric for task 'regression'"):
        Featurizer().fit(frame, ["a"] * 50, task="regression")
    with pytest.raises(FeaturizationError, match="at least one usable column"):
        Featurizer().fit(frame[["const", "empty"]], task="regression")
    with pytest.raises(FeaturizationError, match=r"`config` must be a FeaturizationConfig"):
        Featurizer("auto")  # type: ignore[arg-type]
    with pytest.raises(FeaturizationError, match=r"strategy` for categorical column 'cat'"):
        config = FeaturizationConfig(transformer_params={"Imputer": {"columns": ["cat"]}})
        Featurizer(config).fit(frame, task="regression")
    with pytest.raises(FeaturizationError, match=r"names 'text', a Text column"):
        config = FeaturizationConfig(
            transformer_params={"Imputer": {"columns": ["text"], "strategy": "most_frequent"}}
        )
        Featurizer(config).fit(frame, task="regression")
    with pytest.raises(FeaturizationError, match=r"fill_value` for numeric column 'num'"):
        config = FeaturizationConfig(
            transformer_params={
                "Imputer": {"columns": ["num"], "strategy": "constant", "fill_value": "zero"}
            }
        )
        Featurizer(config).fit(frame, task="regression")
    with pytest.raises(FeaturizationError, match=r"`y` must be given to target-encode 'city'"):
        config = FeaturizationConfig(
            column_purposes={"city": "CategoricalHash"}, high_cardinality_encoding="target"
        )
        Featurizer(config).fit(frame, task="regression")


def test_colliding_names_get_a_suffix() -> None:
    frame = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "a__missing": [0.5, 0.1, 0.2, 0.3]})
    base = Featurizer().fit_transform(frame, task="regression")
    assert base.numeric_names == ("a", "a__missing", "a__missing#2")
    assert base.raw_columns["a__missing#2"] == "a__missing"


def test_polars_input_and_a_shifted_index() -> None:
    pl = pytest.importorskip("polars")
    frame, y = mixed_frame(n=100)
    expected = Featurizer().fit_transform(frame, y, task="classification")
    from_polars = Featurizer().fit_transform(pl.from_pandas(frame), y, task="classification")
    np.testing.assert_array_equal(from_polars.numeric, expected.numeric)
    shifted = frame.set_axis(np.arange(1000, 1100))
    again = Featurizer().fit_transform(
        shifted, pd.Series(y, index=shifted.index), task="classification"
    )
    np.testing.assert_array_equal(again.numeric, expected.numeric)
    np.testing.assert_array_equal(again.categorical, expected.categorical)


def test_datetimes_in_mixed_formats_and_time_zones() -> None:
    frame = pd.DataFrame(
        {
            "mixed": ["2021-03-04", "March 5, 2021", "2021/03/06", "7 Mar 2021"] * 5,
            "zoned": ["2021-03-04T10:00:00+01:00", "2021-03-04T10:00:00+00:00"] * 10,
        }
    )
    config = FeaturizationConfig(column_purposes={"mixed": "DateTime", "zoned": "DateTime"})
    featurizer = Featurizer(config)
    base = featurizer.fit_transform(frame, task="regression")
    day = base.numeric[:, base.numeric_names.index("mixed__day")]
    assert day[:4].tolist() == [4.0, 5.0, 6.0, 7.0]
    assert "mixed__missing" not in base.numeric_names
    hour = base.numeric[:, base.numeric_names.index("zoned__hour")]
    assert hour[:2].tolist() == [9.0, 10.0]  # converted to UTC
    unseen = featurizer.transform(pd.DataFrame({"mixed": ["not a date"], "zoned": [None]}))
    assert not np.isnan(unseen.numeric).any()


def test_scikit_learn_clone_and_params() -> None:
    from sklearn.base import clone

    config = FeaturizationConfig(drop_columns=["text"])
    featurizer = Featurizer(config)
    assert clone(featurizer).get_params() == {"config": config}
    assert featurizer.set_params(config=None).config == FeaturizationConfig()
    with pytest.raises(FeaturizationError, match="parameters must be among 'config'"):
        featurizer.set_params(seed=1)


@pytest.mark.parametrize("fill", [None, {"columns": ["c"], "strategy": "most_frequent"}])
def test_few_rows_are_coded_as_many_rows_are(fill: dict[str, object] | None) -> None:
    """Up to 256 rows, string categories are coded by dictionary lookup: the same codes as
    the pandas path of larger frames, for seen, unseen and missing labels."""
    import numpy as np
    import pandas as pd

    from featurization import FeaturizationConfig, Featurizer

    rng = np.random.default_rng(3)
    train = pd.DataFrame({"c": rng.choice(["a", "b", "c", None], 400).astype(object)})
    config = FeaturizationConfig(transformer_params={"Imputer": [fill]} if fill else {})
    featurizer = Featurizer(config).fit(train, task="regression")
    new = pd.DataFrame({"c": ["b", "zzz", None, np.nan, "a", pd.NA] * 60}, dtype=object)
    many = featurizer.transform(new).categorical  # 360 rows: the pandas path
    for start in range(0, 6):
        few = featurizer.transform(new.iloc[start : start + 5]).categorical
        np.testing.assert_array_equal(few, many[start : start + 5])
    mixed = pd.DataFrame({"c": ["a", 1]}, dtype=object)  # a non-string: the pandas path
    assert featurizer.transform(mixed).categorical[:, 0].tolist()[0] == many[4, 0]
