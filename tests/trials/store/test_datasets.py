"""The dataset registry: versions only on new content, profiles, verified loads, refs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trials import ArtifactIntegrityError, NotFoundError, Workspace


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": [31, 45, None, 23],
            "city": ["Oslo", "Lund", "Oslo", None],
            "label": [1, 0, 1, 1],
        }
    )


def test_register_dataframe_profile_and_load(workspace: Workspace, frame: pd.DataFrame) -> None:
    version = workspace.datasets.register("customers", frame, description="d", tags={"src": "crm"})
    assert (version.name, version.version, version.format) == ("customers", 1, "parquet")
    assert version.ref == "customers:1"
    assert version.description == "d" and version.tags == {"src": "crm"}
    assert version.rows == 4
    columns = {c["name"]: c for c in version.profile["columns"]}
    assert list(columns) == ["age", "city", "label"]
    assert columns["age"] == {"name": "age", "dtype": "float64", "missing_pct": 25.0, "distinct": 3}
    assert columns["city"]["missing_pct"] == 25.0 and columns["city"]["distinct"] == 2
    assert columns["label"]["dtype"] == "int64" and columns["label"]["distinct"] == 2
    stored = workspace.artifact_root / version.artifact_path
    assert version.artifact_path == "datasets/customers/1/data.parquet"
    assert version.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    pd.testing.assert_frame_equal(workspace.datasets.load("customers"), frame)


def test_same_content_returns_latest_new_content_adds_a_version(
    workspace: Workspace, frame: pd.DataFrame
) -> None:
    first = workspace.datasets.register("customers", frame)
    assert workspace.datasets.register("customers", frame.copy()) == first
    changed = frame.assign(label=[0, 0, 1, 1])
    second = workspace.datasets.register("customers", changed)
    assert second.version == 2 and second.fingerprint != first.fingerprint
    # Going back to the first content is a change from the latest: a third version.
    third = workspace.datasets.register("customers", frame)
    assert third.version == 3 and third.fingerprint == first.fingerprint
    assert [v.version for v in workspace.datasets.versions("customers")] == [1, 2, 3]
    pd.testing.assert_frame_equal(workspace.datasets.load("customers", 2), changed)


def test_csv_and_parquet_files(workspace: Workspace, frame: pd.DataFrame, tmp_path: Path) -> None:
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)
    from_csv = workspace.datasets.register("people", csv)
    assert from_csv.format == "csv"
    assert from_csv.artifact_path == "datasets/people/1/data.csv"
    assert from_csv.sha256 == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert workspace.datasets.path("people").read_bytes() == csv.read_bytes()
    pd.testing.assert_frame_equal(workspace.datasets.load("people"), pd.read_csv(csv))

    parquet = tmp_path / "data.parquet"
    frame.to_parquet(parquet)
    # Same table, read back with the same dtypes: recognised whatever the file format.
    assert workspace.datasets.register("people", parquet) == from_csv
    assert workspace.datasets.register("people", pd.read_csv(csv)) == from_csv
    other = workspace.datasets.register("other", parquet)
    assert other.format == "parquet" and other.fingerprint == from_csv.fingerprint


def test_resolve_refs_and_list(workspace: Workspace, frame: pd.DataFrame) -> None:
    workspace.datasets.register("a", frame)
    workspace.datasets.register("a", frame.head(2))
    workspace.datasets.register("b.v2", frame)
    assert workspace.datasets.resolve("a").version == 2
    assert workspace.datasets.resolve("a:latest").version == 2
    assert workspace.datasets.resolve("a:1").version == 1
    assert workspace.datasets.resolve("b.v2").name == "b.v2"
    assert len(workspace.datasets.load("a:2")) == 2
    assert len(workspace.datasets.load("a:1")) == 4
    assert [(d.name, d.version) for d in workspace.datasets.list()] == [("a", 2), ("b.v2", 1)]
    with pytest.raises(ValueError, match="`ref` must be 'name', 'name:latest' or 'name:<version>'"):
        workspace.datasets.resolve("a:one")
    with pytest.raises(TypeError, match="`ref` must be a string"):
        workspace.datasets.resolve(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`version` must be 'latest' when `name` is a reference"):
        workspace.datasets.load("a:1", 2)
    with pytest.raises(NotFoundError, match="dataset 'a' has no version 5; its versions: 1, 2"):
        workspace.datasets.resolve("a:5")
    with pytest.raises(NotFoundError, match=r"no dataset named 'c'.*datasets: 'a', 'b\.v2'"):
        workspace.datasets.get("c")


def test_tags_are_mutable(workspace: Workspace, frame: pd.DataFrame) -> None:
    workspace.datasets.register("a", frame, tags={"x": 1})
    assert workspace.datasets.set_tags("a", 1, {"y": 2}).tags == {"x": 1, "y": 2}
    assert workspace.datasets.get("a").tags == {"x": 1, "y": 2}


def test_tampered_dataset_is_refused(workspace: Workspace, frame: pd.DataFrame) -> None:
    version = workspace.datasets.register("a", frame)
    (workspace.artifact_root / version.artifact_path).write_bytes(b"not parquet")
    actual = hashlib.sha256(b"not parquet").hexdigest()
    with pytest.raises(
        ArtifactIntegrityError,
        match=rf"dataset 'a' version 1: stored file '.*data\.parquet' has sha256 {actual}, "
        rf"expected {version.sha256}",
    ):
        workspace.datasets.load("a")


def test_unhashable_cells_still_fingerprint(workspace: Workspace) -> None:
    frame = pd.DataFrame({"v": [np.array([1, 2]).tolist(), [3]]})
    version = workspace.datasets.register("lists", frame)
    assert version.profile["columns"][0]["distinct"] is None
    assert workspace.datasets.register("lists", frame).version == 1


@pytest.mark.parametrize(
    ("name", "source", "error", "match"),
    [
        ("bad/name", "frame", ValueError, "`name` must start with a letter or digit"),
        ("a", "data.json", ValueError, "`source` must be a .csv, .parquet or .pq file"),
        ("a", "missing.csv", FileNotFoundError, "`source` must be an existing file"),
        ("a", 42, TypeError, "`source` must be a pandas DataFrame or a path"),
    ],
)
def test_bad_registration_arguments(
    workspace: Workspace,
    frame: pd.DataFrame,
    tmp_path: Path,
    name: str,
    source: object,
    error: type[Exception],
    match: str,
) -> None:
    (tmp_path / "data.json").write_text("{}")
    resolved = (
        frame if source == "frame" else tmp_path / source if isinstance(source, str) else source
    )
    with pytest.raises(error, match=match):
        workspace.datasets.register(name, resolved)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="`description` must be a string or None"):
        workspace.datasets.register("a", frame, description=5)  # type: ignore[arg-type]


def test_frame_parquet_cannot_store_is_refused(workspace: Workspace) -> None:
    duplicated = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="`source` must be a DataFrame that Parquet can store"):
        workspace.datasets.register("dup", duplicated)
    with pytest.raises(NotFoundError, match="no dataset named 'dup'"):
        workspace.datasets.get("dup")
