"""FeaturizationConfig: validation, the forms of transformer_params, and resolve_featurization."""

from __future__ import annotations

import dataclasses
import json

import pytest

from featurization import (
    FeaturizationConfig,
    FeaturizationError,
    HashOneHotEncoderParams,
    ImputerParams,
    TargetEncoderParams,
    TfIdfParams,
    resolve_featurization,
)


def test_defaults_and_normalisation() -> None:
    config = FeaturizationConfig(
        column_purposes={"a": "numeric", "b": "CATEGORICALHASH"},
        blocked_transformers=["tfidf", "CatTargetEncoder", "WordEmbedding"],
        drop_columns=("c",),
    )
    assert config.column_purposes == {"a": "Numeric", "b": "CategoricalHash"}
    assert config.blocked_transformers == ("TargetEncoder", "TfIdf", "WordEmbedding")
    assert config.is_blocked("TfIdf") and not config.is_blocked("OneHotEncoder")
    assert config.drop_columns == ("c",)
    assert FeaturizationConfig().high_cardinality_encoding == "hash"
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.drop_columns = ()  # type: ignore[misc]


def test_transformer_params_forms_agree() -> None:
    flat = FeaturizationConfig(
        transformer_params={"Imputer": {"columns": ["age"], "strategy": "median"}}
    )
    azure = FeaturizationConfig(
        transformer_params={"imputer": [{"fields": ["age"], "parameters": {"strategy": "median"}}]}
    )
    typed = FeaturizationConfig(
        transformer_params={"Imputer": ImputerParams(columns=("age",), strategy="median")}
    )
    added = FeaturizationConfig().with_transformer_params(
        "Imputer", ["age"], {"strategy": "median"}
    )
    for config in (flat, azure, typed, added):
        assert config.params_for(ImputerParams, "age") == ImputerParams(("age",), "median")
        assert config.params_for(ImputerParams, "other") == ImputerParams()


def test_a_column_entry_wins_over_the_general_one() -> None:
    config = FeaturizationConfig(
        transformer_params={
            "Imputer": [{"strategy": "median"}, {"columns": ["x"], "strategy": "most_frequent"}],
            "HashOneHotEncoder": {"number_of_bits": 4},
            "TfIdf": {"max_features": 100, "char_max_features": 0},
            "CatTargetEncoder": {"columns": ["k"], "folds": 3, "smoothing": 0},
        }
    )
    assert config.params_for(ImputerParams, "x").strategy == "most_frequent"
    assert config.params_for(ImputerParams, "y").strategy == "median"
    assert config.params_for(HashOneHotEncoderParams, "z").number_of_bits == 4
    assert config.params_for(TfIdfParams, "t").char_max_features == 0
    assert config.params_for(TargetEncoderParams, "k").folds == 3
    assert config.target_encoded_columns() == ["k"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"column_purposes": {"age": "Nmeric"}},
            r"`column_purposes\['age'\]` must be one of 'Numeric', 'Categorical', "
            r"'CategoricalHash', 'DateTime', 'Text', 'Ignore', got 'Nmeric'; "
            r"did you mean 'Numeric'\?",
        ),
        ({"column_purposes": {"age": "AllNan"}}, r"must be one of .*got 'AllNan'"),
        ({"column_purposes": ["age"]}, r"`column_purposes` must be a mapping"),
        ({"column_purposes": {1: "Numeric"}}, r"`column_purposes` keys must be column names"),
        (
            {"blocked_transformers": ["OneHot"]},
            r"`blocked_transformers` entries must be one of .*'DateTimeTransformer'.*"
            r"got 'OneHot'; did you mean 'OneHotEncoder'\?",
        ),
        ({"blocked_transformers": "TfIdf"}, r"must be a list of names.*wrap it in a list"),
        ({"drop_columns": [3]}, r"`drop_columns` must hold names"),
        (
            {"transformer_params": {"Imputr": {}}},
            r"`transformer_params` keys must be one of .*did you mean 'Imputer'\?",
        ),
        (
            {"transformer_params": {"Imputer": {"strat": "median"}}},
            r"`transformer_params\['Imputer'\]` keys must be among .*did you mean 'strategy'",
        ),
        (
            {"transformer_params": {"Imputer": {"strategy": "avg"}}},
            r"`transformer_params\['Imputer'\].strategy` must be one of 'mean', 'median', "
            r"'most_frequent', 'constant', got 'avg'",
        ),
        (
            {"transformer_params": {"Imputer": {"strategy": "constant"}}},
            r"`transformer_params\['Imputer'\].fill_value` must be given",
        ),
        (
            {"transformer_params": {"Imputer": {"columns": "age"}}},
            r"`transformer_params\['Imputer'\].columns` must be a list of column names",
        ),
        (
            {"transformer_params": {"HashOneHotEncoder": {"number_of_bits": 40}}},
            r"number_of_bits` must be an integer in \[1, 20\], got 40",
        ),
        (
            {"transformer_params": {"TargetEncoder": {"smoothing": -1}}},
            r"smoothing` must be a number >= 0, got -1",
        ),
        (
            {"transformer_params": {"Imputer": [{"columns": ["a"]}, {"columns": ["a"]}]}},
            r"names column 'a' in two entries",
        ),
        ({"transformer_params": {"Imputer": [{}, {}]}}, r"2 entries without columns"),
        ({"transformer_params": {"Imputer": 3}}, r"must be a mapping or a list of them"),
        ({"high_cardinality_encoding": "woe"}, r"must be one of 'hash', 'target', got 'woe'"),
        ({"drop_columns": ["a"], "column_purposes": {"a": "Text"}}, r"both name 'a'"),
        (
            {"blocked_transformers": ["TargetEncoder"], "high_cardinality_encoding": "target"},
            r"blocks 'TargetEncoder' but `high_cardinality_encoding` is 'target'",
        ),
        ({"random_state": "seed"}, r"`random_state` must be an integer, got 'seed'"),
        ({"thresholds": {"id_min_rows": 3}}, r"`thresholds` must be a PurposeThresholds"),
    ],
)
def test_bad_values_fail_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(FeaturizationError, match=message):
        FeaturizationConfig(**kwargs)  # type: ignore[arg-type]


def test_featurization_error_is_a_value_error() -> None:
    assert issubclass(FeaturizationError, ValueError)


def test_to_dict_is_json_and_reads_back() -> None:
    config = FeaturizationConfig(
        column_purposes={"a": "Text"},
        transformer_params={"Imputer": {"columns": ["b"], "strategy": "median"}},
        blocked_transformers=["MissingIndicator"],
        high_cardinality_encoding="target",
    )
    data = json.loads(json.dumps(config.to_dict()))
    assert resolve_featurization(data) == config


def test_resolve_featurization() -> None:
    assert resolve_featurization("auto") == FeaturizationConfig()
    assert resolve_featurization(None) == FeaturizationConfig()
    assert resolve_featurization("OFF") == FeaturizationConfig(passthrough=True)
    config = FeaturizationConfig(drop_columns=["x"])
    assert resolve_featurization(config) is config
    assert resolve_featurization({"mode": "off"}).passthrough
    assert resolve_featurization({"mode": "custom", "drop_columns": ["x"]}) == config
    with pytest.raises(FeaturizationError, match=r"`featurization` must be 'auto', 'off'"):
        resolve_featurization("on")
    with pytest.raises(FeaturizationError, match=r"`featurization.mode` must be one of"):
        resolve_featurization({"mode": "manual"})
    with pytest.raises(
        FeaturizationError, match=r"keys must be among .*did you mean 'drop_columns'"
    ):
        resolve_featurization({"drop_column": ["x"]})
