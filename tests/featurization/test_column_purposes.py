"""Column-purpose inference: every purpose with its reason, overrides, inputs and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from featurization import (
    ColumnPurpose,
    FeaturizationConfig,
    FeaturizationError,
    PurposeThresholds,
    infer_column_purposes,
)
from tests.featurization._frames import EXPECTED_PURPOSES, mixed_frame

REASONS = {
    "num": "float64 dtype",
    "small_int": "int64 dtype with 5 distinct values",
    "cat": "strings with 3 distinct values",
    "city": "high cardinality",
    "when": "parse as datetimes",
    "text": "words per value",
    "const": "constant",
    "row_id": "identifier: unique integer",
    "empty": "all 300 values are missing",
    "flag": "bool dtype",
    "code": "identifier: a distinct string",
}


@pytest.mark.parametrize("column", sorted(EXPECTED_PURPOSES))
def test_every_purpose_is_inferred_with_its_reason(column: str) -> None:
    frame, _ = mixed_frame()
    info = infer_column_purposes(frame)[column]
    assert info.purpose == EXPECTED_PURPOSES[column]
    assert REASONS[column] in info.reason
    assert info.detected == info.purpose and not info.overridden


def test_result_follows_column_order_and_counts() -> None:
    frame, _ = mixed_frame()
    purposes = infer_column_purposes(frame)
    assert list(purposes) == list(frame.columns)
    assert purposes["num"].n_missing == int(frame["num"].isna().sum())
    assert purposes["cat"].n_unique == 3
    assert purposes["num"].n_rows == len(frame)


def test_pandas_category_is_categorical_and_strings_of_numbers_are_numeric() -> None:
    frame = pd.DataFrame(
        {
            "size": pd.Categorical(["s", "m", "l", "m"] * 10),
            "price": ["1.5", "2", "3.25", "4"] * 10,
            "zip": ["02134", "10001", "02134", "94105"] * 10,
        }
    )
    purposes = infer_column_purposes(frame)
    assert purposes["size"].purpose is ColumnPurpose.CATEGORICAL
    assert purposes["price"].purpose is ColumnPurpose.NUMERIC
    assert "parse as numbers" in purposes["price"].reason
    assert purposes["zip"].purpose is ColumnPurpose.CATEGORICAL  # leading zeros: a code


def test_identifier_rule_needs_a_sequence_and_enough_rows() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "shuffled_range": rng.permutation(100) + 1000,
            "random_unique": rng.choice(10**9, 100, replace=False),
            "descending": np.arange(100, 0, -1) * 7,
        }
    )
    purposes = infer_column_purposes(frame)
    assert purposes["shuffled_range"].purpose is ColumnPurpose.IGNORE
    assert purposes["random_unique"].purpose is ColumnPurpose.NUMERIC
    assert purposes["descending"].purpose is ColumnPurpose.IGNORE
    tiny = infer_column_purposes(pd.DataFrame({"i": range(5), "s": list("abcde")}))
    assert tiny["i"].purpose is ColumnPurpose.NUMERIC
    assert tiny["s"].purpose is ColumnPurpose.CATEGORICAL


def test_a_single_value_with_missing_values_is_kept() -> None:
    frame = pd.DataFrame({"x": [1.0, None] * 10, "s": ["yes", None] * 10})
    purposes = infer_column_purposes(frame)
    assert purposes["x"].purpose is ColumnPurpose.NUMERIC
    assert purposes["s"].purpose is ColumnPurpose.CATEGORICAL


def test_datetime_dtype_and_numbers_that_look_like_years() -> None:
    frame = pd.DataFrame(
        {
            "stamp": pd.date_range("2020-01-01", periods=30, freq="D", tz="Europe/Paris"),
            "year": ["2001", "2002", "2003"] * 10,
            "us_dates": ["03/14/2021", "12/01/2020", "07/04/2019"] * 10,
        }
    )
    purposes = infer_column_purposes(frame)
    assert purposes["stamp"].purpose is ColumnPurpose.DATETIME
    assert purposes["year"].purpose is ColumnPurpose.NUMERIC
    assert purposes["us_dates"].purpose is ColumnPurpose.DATETIME


def test_thresholds_change_the_categorical_limit() -> None:
    frame, _ = mixed_frame()
    config = FeaturizationConfig(thresholds=PurposeThresholds(categorical_max_cardinality=500))
    assert infer_column_purposes(frame, config)["city"].purpose is ColumnPurpose.CATEGORICAL


def test_overrides_and_drop_columns_win_and_keep_the_detected_purpose() -> None:
    frame, _ = mixed_frame()
    config = FeaturizationConfig(
        column_purposes={"small_int": "categorical", "row_id": "Numeric"},
        drop_columns=["text"],
    )
    purposes = infer_column_purposes(frame, config)
    assert purposes["small_int"].purpose is ColumnPurpose.CATEGORICAL
    assert purposes["small_int"].detected is ColumnPurpose.NUMERIC
    assert purposes["small_int"].overridden
    assert "set by column_purposes" in purposes["small_int"].reason
    assert purposes["row_id"].purpose is ColumnPurpose.NUMERIC
    assert purposes["text"].purpose is ColumnPurpose.IGNORE
    assert purposes["text"].reason == "listed in drop_columns"


def test_polars_and_pyarrow_inputs_are_converted() -> None:
    pa = pytest.importorskip("pyarrow")
    frame, _ = mixed_frame(n=60)
    frame = frame.drop(columns=["empty"])
    expected = {name: info.purpose for name, info in infer_column_purposes(frame).items()}
    table = pa.Table.from_pandas(frame, preserve_index=False)
    from_arrow = infer_column_purposes(table)
    assert {name: info.purpose for name, info in from_arrow.items()} == expected
    pl = pytest.importorskip("polars")
    from_polars = infer_column_purposes(pl.from_pandas(frame))
    assert {name: info.purpose for name, info in from_polars.items()} == expected


def test_errors_name_the_problem() -> None:
    frame = pd.DataFrame({"age": [1.0, 2.0], "city": ["a", "b"]})
    with pytest.raises(FeaturizationError, match=r"names column 'agee'.*did you mean 'age'"):
        infer_column_purposes(frame, FeaturizationConfig(column_purposes={"agee": "Numeric"}))
    with pytest.raises(FeaturizationError, match=r"`drop_columns` names column 'town'"):
        infer_column_purposes(frame, FeaturizationConfig(drop_columns=["town"]))
    with pytest.raises(FeaturizationError, match=r"'Numeric' but none of its values is a number"):
        infer_column_purposes(frame, FeaturizationConfig(column_purposes={"city": "Numeric"}))
    with pytest.raises(FeaturizationError, match=r"'DateTime' but none of its values parses"):
        infer_column_purposes(frame, FeaturizationConfig(column_purposes={"city": "DateTime"}))
    with pytest.raises(FeaturizationError, match="at least one row"):
        infer_column_purposes(frame.iloc[:0])
    with pytest.raises(FeaturizationError, match="at least one column"):
        infer_column_purposes(pd.DataFrame(index=range(3)))
    with pytest.raises(FeaturizationError, match="must be a pandas DataFrame"):
        infer_column_purposes(np.zeros((3, 2)))
    duplicated = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(FeaturizationError, match="unique column names"):
        infer_column_purposes(duplicated)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("categorical_max_cardinality", 0, r"`thresholds.categorical_max_cardinality` must be"),
        ("text_min_unique_ratio", 1.5, r"`thresholds.text_min_unique_ratio` must be .* \(0, 1\]"),
        ("text_min_avg_tokens", -1, r"`thresholds.text_min_avg_tokens` must be a number > 0"),
        ("sample_size", 2.5, r"`thresholds.sample_size` must be an integer >= 1, got 2.5"),
    ],
)
def test_bad_thresholds_are_rejected(field: str, value: object, message: str) -> None:
    with pytest.raises(FeaturizationError, match=message):
        PurposeThresholds(**{field: value})  # type: ignore[arg-type]
