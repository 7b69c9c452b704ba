"""Training data: every accepted kind, loading it later, and the path-or-dataset rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from automl._config import AutoMLConfig, AutoMLConfigError
from automl._data import load_data, load_training_data
from trials import Workspace


@pytest.fixture
def files(tmp_path: Path, frame: pd.DataFrame) -> dict[str, Path]:
    csv = tmp_path / "credit.csv"
    parquet = tmp_path / "credit.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet, index=False)
    return {"csv": csv, "parquet": parquet}


def config_for(data: object, **changes: Any) -> AutoMLConfig:
    return AutoMLConfig("classification", training_data=data, label_column_name="y", **changes)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_files_as_path_or_string(files: dict[str, Path], frame: pd.DataFrame, kind: str) -> None:
    for value in (files[kind], str(files[kind])):
        config = config_for(value)
        assert config.training_data == value  # kept as given, read later
        loaded = load_training_data(config.training_data, workspace=None)
        pd.testing.assert_frame_equal(loaded, frame)


def test_in_memory_tables(frame: pd.DataFrame) -> None:
    assert load_training_data(config_for(frame).training_data, workspace=None) is frame
    for table in (pl.from_pandas(frame), pa.Table.from_pandas(frame, preserve_index=False)):
        loaded = load_training_data(config_for(table).training_data, workspace=None)
        pd.testing.assert_frame_equal(loaded, frame, check_dtype=False)


def test_registered_dataset(tmp_path: Path, frame: pd.DataFrame) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        workspace.datasets.register("credit", frame)
        second = workspace.datasets.register("credit", frame.head(4))
        for ref in ("credit", "credit:1", "credit:latest"):
            config = config_for(ref)  # nothing is looked up yet: there is no workspace here
            loaded = load_data(config.training_data, workspace=workspace)
            expected = frame if ref == "credit:1" else frame.head(4)
            pd.testing.assert_frame_equal(loaded.frame, expected)
        source = load_data("credit", workspace=workspace).source
        assert (source["kind"], source["name"], source["version"]) == ("dataset", "credit", 2)
        assert source["fingerprint"] == second.fingerprint
    # a workspace given by its location is opened and closed for the read
    by_location = load_training_data("credit:1", workspace=tmp_path / "ws")
    pd.testing.assert_frame_equal(by_location, frame)


def test_a_path_that_is_also_a_dataset_is_an_error(
    tmp_path: Path, frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    frame.to_csv("credit.csv", index=False)
    with Workspace(tmp_path / "ws") as workspace:
        workspace.datasets.register("credit.csv", frame)
        config = config_for("credit.csv")
        with pytest.raises(
            AutoMLConfigError,
            match=r"`training_data` 'credit.csv' is ambiguous: it is both the path .* and the "
            r"registered dataset 'credit.csv' \(version 1\).*pass pathlib.Path\('credit.csv'\) "
            r"for the file, or 'credit.csv:1' for the dataset",
        ):
            load_training_data(config.training_data, workspace=workspace)
        by_path = load_training_data(Path("credit.csv"), workspace=workspace)
        by_ref = load_training_data("credit.csv:1", workspace=workspace)
        pd.testing.assert_frame_equal(by_path, by_ref)


def test_neither_file_nor_dataset(tmp_path: Path, frame: pd.DataFrame) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        workspace.datasets.register("credit", frame)
        with pytest.raises(
            AutoMLConfigError,
            match=r"no such file at .*, and no dataset 'credt' in the workspace .* \(did you mean "
            r"'credit'\?\); registered datasets: 'credit'",
        ):
            load_training_data("credt", workspace=workspace)
    with pytest.raises(
        AutoMLConfigError, match=r"to read a registered dataset, pass the workspace"
    ):
        load_training_data("credit", workspace=None)


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (None, r"`training_data` is required"),
        (np.zeros((3, 2)), r"`training_data` must be a pandas or polars DataFrame.*ndarray.*"
         r"pandas.DataFrame\(array, columns"),
        ([[1, 2]], r"`training_data` must be a pandas or polars DataFrame"),
        ("data/missing.csv", r"got 'data/missing.csv': no such file"),
        (Path("missing.csv"), r"`training_data` must be an existing .csv or .parquet file"),
        ("", r"`training_data` must be a pandas"),
    ],
)  # fmt: skip
def test_bad_training_data(value: object, match: str) -> None:
    with pytest.raises(AutoMLConfigError, match=match):
        config_for(value)


def test_tables_are_checked_without_reading_data(tmp_path: Path, frame: pd.DataFrame) -> None:
    with pytest.raises(AutoMLConfigError, match=r"must have at least 2 row\(s\).* with 1"):
        config_for(frame.head(1))
    with pytest.raises(AutoMLConfigError, match=r"column names must be strings, got 0"):
        config_for(pd.DataFrame([[1, 2], [3, 4]]))
    with pytest.raises(AutoMLConfigError, match=r"column names must be unique, got 'y'"):
        config_for(pd.DataFrame([[1, 2], [3, 4]], columns=["y", "y"]))
    with pytest.raises(AutoMLConfigError, match=r"collect it first"):
        config_for(pl.from_pandas(frame).lazy())
    text = tmp_path / "credit.txt"
    text.write_text("a,y\n1,0\n")
    with pytest.raises(AutoMLConfigError, match=r"a file AutoML cannot read; save it as .csv"):
        config_for(text)


def test_file_headers_are_checked_at_construction(files: dict[str, Path]) -> None:
    for path in files.values():
        with pytest.raises(
            AutoMLConfigError, match=r"`label_column_name` must be a column of `training_data`"
        ):
            AutoMLConfig("classification", training_data=path, label_column_name="target")
    empty = files["csv"].with_name("empty.csv")
    empty.write_text("")
    with pytest.raises(AutoMLConfigError, match=r"must be a CSV file with a header line"):
        config_for(empty)


def test_validation_and_test_data_need_the_label(
    frame: pd.DataFrame, files: dict[str, Path]
) -> None:
    no_label = frame.drop(columns="y")
    with pytest.raises(
        AutoMLConfigError, match=r"`label_column_name` must be a column of `validation_data`"
    ):
        config_for(frame, validation_data=no_label)
    with pytest.raises(AutoMLConfigError, match=r"must be a column of `test_data`"):
        config_for(frame, test_data=no_label)
    with pytest.raises(
        AutoMLConfigError, match=r"`weight_column_name` must be a column of `validation_data`"
    ):
        config_for(frame, validation_data=frame.drop(columns="weight"), weight_column_name="weight")
    config = config_for(files["csv"], validation_data=frame, test_data=files["parquet"])
    assert config.test_data == files["parquet"]


def test_loading_errors_name_the_field(tmp_path: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    with pytest.raises(AutoMLConfigError, match=r"`test_data` must be a readable parquet file"):
        load_training_data(broken, workspace=None, field="test_data")
