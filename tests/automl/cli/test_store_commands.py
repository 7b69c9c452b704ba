"""`automl experiments|runs|models|datasets` read the store: tables for people, JSON for scripts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from automl.cli import main
from trials import Workspace


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """A workspace with one sweep of three trials, a model and a dataset."""
    location = tmp_path / "ws"
    with Workspace(location) as workspace:
        experiment = workspace.get_or_create_experiment("sweep-a", kind="sweep", fingerprint="f1")
        writer = workspace.writer()
        parent = writer.start_run(experiment.id, kind="parent")
        for index, score in enumerate([0.5, 0.9, 0.7]):
            run_id = writer.start_run(
                experiment.id, parent_id=parent, index=index, params={"lr": 0.1 * (index + 1)}
            )
            writer.log_metrics(run_id, {"accuracy": score}, step=0)
            status = "failed" if index == 2 else "completed"
            writer.set_status(run_id, status, reason="boom" if index == 2 else None)
        writer.set_status(parent, "completed")
        writer.commit()
        model_file = tmp_path / "model.bin"
        model_file.write_bytes(b"weights")
        workspace.models.register("churn", model_file, run_id=parent, tags={"stage": "dev"})
        workspace.models.register("churn", model_file, run_id=parent)
        workspace.datasets.register("tiny", pd.DataFrame({"x": [1, 2, None], "y": ["a", "b", "a"]}))
    return location


def run_cli(
    capsys: pytest.CaptureFixture[str], workspace: Path, *args: str
) -> tuple[int, str, str]:
    status = main(["--workspace", str(workspace), *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_experiments_ls(capsys: pytest.CaptureFixture[str], workspace_path: Path) -> None:
    status, out, _ = run_cli(capsys, workspace_path, "experiments", "ls")
    assert status == 0
    assert "sweep-a" in out
    status, out, _ = run_cli(capsys, workspace_path, "experiments", "ls", "--json")
    [row] = json.loads(out)
    assert (row["name"], row["kind"], row["runs"]) == ("sweep-a", "sweep", 4)


def test_runs_ls_filters_and_orders_newest_first(
    capsys: pytest.CaptureFixture[str], workspace_path: Path
) -> None:
    _, out, _ = run_cli(capsys, workspace_path, "runs", "ls", "--json", "-e", "sweep-a")
    rows = json.loads(out)
    assert [row["index"] for row in rows] == [2, 1, 0, None]
    _, out, _ = run_cli(capsys, workspace_path, "runs", "ls", "--json", "--status", "failed")
    [failed] = json.loads(out)
    assert (failed["index"], failed["status"], failed["status_reason"]) == (2, "failed", "boom")
    _, out, _ = run_cli(capsys, workspace_path, "runs", "ls", "--json", "--limit", "2")
    assert len(json.loads(out)) == 2
    status, out, _ = run_cli(capsys, workspace_path, "runs", "ls")
    assert status == 0 and "Runs (4, newest first)" in out and "completed" in out


def test_runs_show(capsys: pytest.CaptureFixture[str], workspace_path: Path) -> None:
    _, out, _ = run_cli(capsys, workspace_path, "runs", "ls", "--json", "--status", "completed")
    run_id = next(row["id"] for row in json.loads(out) if row["index"] == 1)
    _, out, _ = run_cli(capsys, workspace_path, "runs", "show", run_id, "--json")
    record = json.loads(out)
    assert record["params"] == {"lr": pytest.approx(0.2)}
    assert record["metrics"] == {"accuracy": 0.9}
    assert [change["status"] for change in record["status_history"]] == ["running", "completed"]
    status, out, _ = run_cli(capsys, workspace_path, "runs", "show", run_id)
    assert status == 0 and "accuracy" in out and "status_history" in out


def test_models_ls_and_show(capsys: pytest.CaptureFixture[str], workspace_path: Path) -> None:
    _, out, _ = run_cli(capsys, workspace_path, "models", "ls", "--json")
    [model] = json.loads(out)
    assert (model["name"], model["latest_version"]) == ("churn", 2)
    _, out, _ = run_cli(capsys, workspace_path, "models", "show", "churn", "--json")
    record = json.loads(out)
    assert record["version"] == 2 and [v["version"] for v in record["versions"]] == [1, 2]
    _, out, _ = run_cli(capsys, workspace_path, "models", "show", "churn:1", "--json")
    record = json.loads(out)
    assert record["version"] == 1 and record["tags"] == {"stage": "dev"}
    assert record["lineage"]["run_id"] == record["source_run"]
    status, out, _ = run_cli(capsys, workspace_path, "models", "show", "churn:latest")
    assert status == 0 and "lineage" in out


def test_datasets_ls_show_and_register(
    capsys: pytest.CaptureFixture[str], workspace_path: Path, tmp_path: Path
) -> None:
    _, out, _ = run_cli(capsys, workspace_path, "datasets", "ls", "--json")
    [dataset] = json.loads(out)
    assert (dataset["name"], dataset["rows"], dataset["columns"]) == ("tiny", 3, 2)
    csv = tmp_path / "more.csv"
    csv.write_text("a,b\n1,x\n2,y\n")
    status, out, _ = run_cli(capsys, workspace_path, "datasets", "register", "more", str(csv))
    assert status == 0 and "Dataset more version 1: 2 rows" in out
    _, out, _ = run_cli(capsys, workspace_path, "datasets", "show", "more:1", "--json")
    record = json.loads(out)
    assert [column["name"] for column in record["columns"]] == ["a", "b"]


def test_runs_cancel_requests_cancellation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        experiment = workspace.get_or_create_experiment("live", kind="sweep")
        writer = workspace.writer()
        run_id = writer.start_run(experiment.id)
        writer.commit()
    status, out, _ = run_cli(capsys, tmp_path / "ws", "runs", "cancel", run_id)
    assert status == 0 and "Cancel requested" in out
    with Workspace(tmp_path / "ws") as workspace:
        assert workspace.get_run(run_id).cancel_requested


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["runs", "show", "ghost"], r"no run 'ghost' in this workspace"),
        (["runs", "ls", "-e", "nope"], r"no experiment 'nope'.*experiments: 'sweep-a'"),
        (["models", "show", "ghost"], r"no model named 'ghost'"),
        (["models", "show", "churn:7"], r"churn.*7"),
        (["models", "show", "churn:x"], r"must be a number >= 1 or 'latest', got 'x'"),
        (["datasets", "show", "ghost"], r"no dataset named 'ghost'"),
        (["datasets", "register", "d", "/no/such.csv"], r"PATH must be an existing CSV"),
    ],
)
def test_user_errors_exit_2_with_a_message(
    capsys: pytest.CaptureFixture[str], workspace_path: Path, args: list[str], message: str
) -> None:
    status, _, err = run_cli(capsys, workspace_path, *args)
    assert status == 2
    assert err.startswith("automl: error: ")
    assert re.search(message, err), err


def test_cancel_of_a_finished_run_is_an_error(
    capsys: pytest.CaptureFixture[str], workspace_path: Path
) -> None:
    _, out, _ = run_cli(capsys, workspace_path, "runs", "ls", "--json", "--status", "failed")
    run_id = json.loads(out)[0]["id"]
    status, _, err = run_cli(capsys, workspace_path, "runs", "cancel", run_id)
    assert status == 2 and "already ended (failed)" in err


def test_bad_limit_is_rejected_by_the_parser(
    capsys: pytest.CaptureFixture[str], workspace_path: Path
) -> None:
    with pytest.raises(SystemExit):
        main(["--workspace", str(workspace_path), "runs", "ls", "--limit", "0"])
    assert "must be an integer >= 1, got '0'" in capsys.readouterr().err


def test_console_script_is_installed(workspace_path: Path) -> None:
    script = Path(sys.executable).with_name("automl")
    result = subprocess.run(
        [str(script), "--workspace", str(workspace_path), "runs", "ls", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(json.loads(result.stdout)) == 4
