"""Run artifacts: copied with sha256, listed, opened only after verification."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from trials import ArtifactIntegrityError, Experiment, NotFoundError, Workspace


@pytest.fixture
def run_id(workspace: Workspace) -> str:
    experiment: Experiment = workspace.get_or_create_experiment("exp", kind="sweep")
    with workspace.writer() as writer:
        return writer.start_run(experiment.id)


def test_log_file_and_bytes(workspace: Workspace, run_id: str, tmp_path: Path) -> None:
    source = tmp_path / "preds.csv"
    source.write_text("y\n1\n0\n")
    writer = workspace.writer()
    record = writer.log_artifact(run_id, source, "oof/preds.csv")
    assert record.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert record.size == source.stat().st_size
    assert record.name == "oof/preds.csv"
    writer.log_artifact(run_id, b"stdout text", "stdout.txt")
    assert workspace.artifacts(run_id) == []  # records are written on commit
    writer.commit()

    listed = workspace.artifacts(run_id)
    assert [a.name for a in listed] == ["oof/preds.csv", "stdout.txt"]
    assert listed[0].sha256 == record.sha256
    path = workspace.open_artifact(run_id, "oof/preds.csv")
    assert path == workspace.artifact_root / "runs" / run_id / "oof" / "preds.csv"
    assert path.read_text() == "y\n1\n0\n"
    assert workspace.open_artifact(run_id, "stdout.txt").read_bytes() == b"stdout text"


def test_logging_a_name_again_replaces_it(workspace: Workspace, run_id: str) -> None:
    with workspace.writer() as writer:
        writer.log_artifact(run_id, b"first", "log.txt")
    with workspace.writer() as writer:
        second = writer.log_artifact(run_id, b"second, longer", "log.txt")
    (record,) = workspace.artifacts(run_id)
    assert record.sha256 == second.sha256 and record.size == len(b"second, longer")
    assert workspace.open_artifact(run_id, "log.txt").read_bytes() == b"second, longer"


def test_tampered_artifact_is_refused(workspace: Workspace, run_id: str) -> None:
    with workspace.writer() as writer:
        record = writer.log_artifact(run_id, b"original", "model.bin")
    path = workspace.artifact_root / "runs" / run_id / "model.bin"
    path.write_bytes(b"tampered")
    actual = hashlib.sha256(b"tampered").hexdigest()
    with pytest.raises(
        ArtifactIntegrityError,
        match=rf"model\.bin'? has sha256 {actual}, expected {record.sha256}",
    ):
        workspace.open_artifact(run_id, "model.bin")
    path.unlink()
    with pytest.raises(
        ArtifactIntegrityError, match=rf"model\.bin'? is missing \(expected sha256 {record.sha256}"
    ):
        workspace.open_artifact(run_id, "model.bin")


def test_unknown_artifact_lists_existing(workspace: Workspace, run_id: str) -> None:
    with workspace.writer() as writer:
        writer.log_artifact(run_id, b"x", "a.txt")
    with pytest.raises(
        NotFoundError, match=f"run '{run_id}' has no artifact 'b.txt'; its artifacts: 'a.txt'"
    ):
        workspace.open_artifact(run_id, "b.txt")
    with pytest.raises(NotFoundError, match="no run 'ghost'"):
        workspace.artifacts("ghost")


@pytest.mark.parametrize(
    ("source", "name", "error", "match"),
    [
        (b"x", "../escape.txt", ValueError, "`name` must be a relative file name"),
        (b"x", "/etc/passwd", ValueError, "`name` must be a relative file name"),
        (b"x", "", ValueError, "`name` must be a relative file name"),
        (b"x", 3, TypeError, "`name` must be a string"),
        (12, "a.txt", TypeError, "`source` must be a file path or bytes"),
        ("/no/such/file", "a.txt", FileNotFoundError, "`source` must be an existing file"),
    ],
)
def test_bad_artifact_arguments(
    workspace: Workspace,
    run_id: str,
    source: object,
    name: object,
    error: type[Exception],
    match: str,
) -> None:
    writer = workspace.writer()
    with pytest.raises(error, match=match):
        writer.log_artifact(run_id, source, name)  # type: ignore[arg-type]
    assert writer.pending == 0


def test_artifact_of_unknown_run_fails_at_commit(workspace: Workspace) -> None:
    writer = workspace.writer()
    writer.log_artifact("ghost", b"x", "a.txt")
    with pytest.raises(NotFoundError, match=r"run id\(s\) 'ghost' that do not exist"):
        writer.commit()


def test_a_file_already_in_place_is_recorded_without_a_copy(
    workspace: Workspace, run_id: str
) -> None:
    """Executors write trial logs straight into the run's folder; logging them only hashes."""
    in_place = workspace.artifact_root / "runs" / run_id / "stdout.txt"
    in_place.parent.mkdir(parents=True, exist_ok=True)
    in_place.write_text("hello\n")
    before = in_place.stat().st_mtime_ns
    with workspace.writer() as writer:
        record = writer.log_artifact(run_id, in_place, "stdout.txt")
    assert record.sha256 == hashlib.sha256(b"hello\n").hexdigest()
    assert in_place.stat().st_mtime_ns == before  # not rewritten
    assert workspace.open_artifact(run_id, "stdout.txt").read_text() == "hello\n"
