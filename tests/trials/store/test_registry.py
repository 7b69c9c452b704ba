"""The model registry: versions, tags, immutable lineage, git state, integrity checks."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from trials import ArtifactIntegrityError, ModelVersion, NotFoundError, Workspace


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "model.pkl"
    path.write_bytes(b"pickled model v1")
    return path


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model_dir"
    (folder / "sub").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(b"\x00\x01weights")
    (folder / "sub" / "config.json").write_text('{"layers": 3}')
    return folder


def _trained_run(workspace: Workspace) -> str:
    experiment = workspace.get_or_create_experiment("train", kind="automl")
    with workspace.writer() as writer:
        run_id = writer.start_run(experiment.id, index=0, params={"model": {"C": 0.5}})
        writer.log_metrics(run_id, {"auc": 0.7}, step=0)
        writer.log_metrics(run_id, {"auc": 0.8}, step=1)
        writer.set_status(run_id, "completed")
    return run_id


def test_versions_increment_per_name(workspace: Workspace, model_file: Path) -> None:
    first = workspace.models.register("churn", model_file, description="first")
    second = workspace.models.register("churn", model_file)
    other = workspace.models.register("fraud", model_file)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert first.kind == "file"
    assert first.sha256 == hashlib.sha256(b"pickled model v1").hexdigest()
    assert first.size == len(b"pickled model v1")
    assert first.artifact_path == "models/churn/1/model.pkl"
    assert (workspace.artifact_root / "models" / "churn" / "2" / "model.pkl").is_file()
    assert workspace.models.get("churn") == second
    assert workspace.models.get("churn", 1) == first
    assert [v.version for v in workspace.models.versions("churn")] == [1, 2]
    assert [(m.name, m.version) for m in workspace.models.list_models()] == [
        ("churn", 2),
        ("fraud", 1),
    ]
    assert workspace.models.path("churn", 1).read_bytes() == b"pickled model v1"


def test_tags_are_mutable_lineage_is_not(workspace: Workspace, model_file: Path) -> None:
    version = workspace.models.register("churn", model_file, tags={"stage": "dev"})
    lineage = dict(version.lineage)
    updated = workspace.models.set_tags("churn", 1, {"stage": "prod", "owner": "ana"})
    assert updated.tags == {"stage": "prod", "owner": "ana"}
    removed = workspace.models.remove_tags("churn", "latest", ["owner"])
    assert removed.tags == {"stage": "prod"}
    assert workspace.models.get("churn", 1).tags == {"stage": "prod"}
    assert workspace.models.get("churn", 1).lineage == lineage
    assert not any(
        name for name in dir(workspace.models) if "lineage" in name and not name.startswith("_")
    )
    with pytest.raises(TypeError, match="`keys` must be a list of tag names"):
        workspace.models.remove_tags("churn", 1, "owner")


def test_lineage_of_a_run(workspace: Workspace, model_file: Path) -> None:
    run_id = _trained_run(workspace)
    version = workspace.models.register(
        "churn",
        model_file,
        run_id=run_id,
        data_fingerprint="sha256:abc",
        extra_lineage={"featurizer": "v2"},
    )
    lineage = version.lineage
    assert version.source_run_id == run_id
    assert lineage["run_id"] == run_id
    assert lineage["experiment"] == "train"
    assert lineage["params"] == {"model": {"C": 0.5}}
    assert lineage["metrics"] == {"auc": 0.8}
    assert lineage["data_fingerprint"] == "sha256:abc"
    assert lineage["extra"] == {"featurizer": "v2"}
    assert lineage["git"] is None  # no code_dir given
    packages = lineage["packages"]
    assert set(packages) >= {"python", "openaml", "numpy", "pandas", "scikit-learn"}
    assert packages["numpy"]
    assert "registered_at" in lineage and lineage["source"].endswith("model.pkl")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_lineage(workspace: Workspace, model_file: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    git("init", "-q")
    (repo / "train.py").write_text("print('hi')\n")
    git("add", "train.py")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "HEAD")

    clean = workspace.models.register("m", model_file, code_dir=repo)
    assert clean.lineage["git"]["commit"] == head
    assert clean.lineage["git"]["dirty"] is False

    (repo / "train.py").write_text("print('changed')\n")
    dirty = workspace.models.register("m", model_file, code_dir=repo)
    assert dirty.lineage["git"] == {**clean.lineage["git"], "dirty": True}

    not_a_repo = tmp_path / "plain"
    not_a_repo.mkdir()
    assert workspace.models.register("m", model_file, code_dir=not_a_repo).lineage["git"] is None


def test_tampered_model_file_is_refused(workspace: Workspace, model_file: Path) -> None:
    version = workspace.models.register("churn", model_file)
    stored = workspace.artifact_root / version.artifact_path
    stored.write_bytes(b"evil")
    actual = hashlib.sha256(b"evil").hexdigest()
    with pytest.raises(
        ArtifactIntegrityError,
        match=rf"model 'churn' version 1: stored file '.*model\.pkl' has sha256 {actual}, "
        rf"expected {version.sha256}",
    ):
        workspace.models.path("churn")


def test_folder_models(workspace: Workspace, model_folder: Path) -> None:
    version = workspace.models.register("net", model_folder)
    assert version.kind == "folder"
    assert set(version.manifest) == {"weights.bin", "sub/config.json"}
    assert version.size == len(b"\x00\x01weights") + len('{"layers": 3}')
    assert version.artifact_path == "models/net/1"
    path = workspace.models.path("net")
    assert (path / "sub" / "config.json").read_text() == '{"layers": 3}'

    # The folder hash is over the sorted manifest, so it is reproducible.
    again = workspace.models.register("net", model_folder)
    assert again.sha256 == version.sha256 and again.version == 2

    config = path / "sub" / "config.json"
    config.write_text('{"layers": 4}')
    actual = hashlib.sha256(b'{"layers": 4}').hexdigest()
    expected = version.manifest["sub/config.json"]
    with pytest.raises(
        ArtifactIntegrityError, match=rf"config\.json' has sha256 {actual}, expected {expected}"
    ):
        workspace.models.path("net", 1)
    config.write_text('{"layers": 3}')
    workspace.models.path("net", 1)

    (path / "extra.py").write_text("import os")
    with pytest.raises(
        ArtifactIntegrityError, match=r"extra\.py' \(sha256 [0-9a-f]{64}\) was added"
    ):
        workspace.models.path("net", 1)
    (path / "extra.py").unlink()
    (path / "weights.bin").unlink()
    with pytest.raises(ArtifactIntegrityError, match=r"weights\.bin' is missing"):
        workspace.models.path("net", 1)


def test_unknown_names_and_versions_list_what_exists(
    workspace: Workspace, model_file: Path
) -> None:
    with pytest.raises(NotFoundError, match=r"no model named 'churn'.*none registered yet"):
        workspace.models.get("churn")
    workspace.models.register("churn", model_file)
    workspace.models.register("churn", model_file)
    workspace.models.register("fraud", model_file)
    with pytest.raises(NotFoundError, match=r"no model named 'chrun'.*models: 'churn', 'fraud'"):
        workspace.models.get("chrun")
    with pytest.raises(NotFoundError, match="model 'churn' has no version 7; its versions: 1, 2"):
        workspace.models.path("churn", 7)
    with pytest.raises(NotFoundError, match="no model named 'x'"):
        workspace.models.versions("x")
    with pytest.raises(ValueError, match="`version` must be an integer >= 1 or 'latest', got 0"):
        workspace.models.get("churn", 0)


@pytest.mark.parametrize(
    ("name", "source", "kwargs", "error", "match"),
    [
        ("bad name", "file", {}, ValueError, "`name` must start with a letter or digit"),
        ("-x", "file", {}, ValueError, "`name` must start with a letter or digit"),
        ("a" * 129, "file", {}, ValueError, "at most 128 characters"),
        (3, "file", {}, TypeError, "`name` must be a string"),
        ("m", "missing", {}, FileNotFoundError, "`source` must be an existing file or folder"),
        ("m", "empty", {}, ValueError, "`source` must be a file or a folder with files"),
        ("m", 5, {}, TypeError, "`source` must be a path"),
        ("m", "file", {"tags": ["a"]}, TypeError, "`tags` must be a mapping"),
        ("m", "file", {"description": 1}, TypeError, "`description` must be a string"),
        ("m", "file", {"code_dir": "/no/such/dir"}, ValueError, "`code_dir` must be an existing"),
        ("m", "file", {"run_id": "ghost"}, NotFoundError, "no run 'ghost'"),
        ("m", "file", {"extra_lineage": {"f": {1}}}, TypeError, "`extra_lineage` must be JSON"),
    ],
)
def test_bad_registration_arguments(
    workspace: Workspace,
    model_file: Path,
    tmp_path: Path,
    name: object,
    source: object,
    kwargs: dict[str, object],
    error: type[Exception],
    match: str,
) -> None:
    (tmp_path / "empty").mkdir()
    paths = {"file": model_file, "missing": tmp_path / "nope.pkl", "empty": tmp_path / "empty"}
    resolved = paths.get(source, source) if isinstance(source, str) else source
    with pytest.raises(error, match=match):
        workspace.models.register(name, resolved, **kwargs)  # type: ignore[arg-type]
    assert workspace.models.list_models() == []
    assert not list((workspace.artifact_root / ".staging").glob("*"))


def test_concurrent_registrations_get_distinct_versions(
    workspace: Workspace, model_file: Path
) -> None:
    results: list[ModelVersion] = []
    errors: list[BaseException] = []

    def register() -> None:
        try:
            for _ in range(4):
                results.append(workspace.models.register("shared", model_file))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(v.version for v in results) == list(range(1, 17))
    for version in range(1, 17):
        assert workspace.models.path("shared", version).read_bytes() == b"pickled model v1"
