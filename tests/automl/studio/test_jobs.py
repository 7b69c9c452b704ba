"""Studio jobs: a real experiment in its own process, watched, outliving the app that
started it, killed (interrupted), resumed, and canceled."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automl.studio import create_app
from automl.studio._jobs import JobManager, process_alive
from tests.automl.studio.conftest import CREDIT, Studio
from trials import Workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

NAME = "job-exp"


def wait_for(what: str, check: Callable[[], Any], timeout: float = 90.0) -> Any:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def _client(folder: Path) -> tuple[Studio, Any]:
    app = create_app(folder)
    return Studio(TestClient(app)), app


def test_job_lives_on_is_interrupted_resumed_and_canceled(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace(folder) as workspace:
        workspace.datasets.register("credit", CREDIT)
    first, first_app = _client(folder)
    form = {
        "dataset": "credit:1",
        "experiment_name": NAME,
        "task": "classification",
        "label_column_name": "target",
        "allowed_models": ["LogisticRegression", "DecisionTree"],
        "validation": "holdout",
        "validation_size": 0.25,
        "max_trials": 400,
        "enable_early_stopping": False,
    }
    started = first.post("/api/experiments", json=form)
    assert started.status_code == 201, started.text
    pid = started.json()["pid"]
    again = first.post("/api/experiments", json=form)
    assert again.status_code == 422  # the name is taken (or the job still prepares)

    def children(client: Studio) -> int:
        body = client.get(f"/api/experiments/{NAME}/leaderboard").json()
        return int(body["total"]) if "total" in body else 0

    wait_for("the first children", lambda: first.get(f"/api/experiments/{NAME}").status_code == 200
             and children(first) >= 2)  # fmt: skip
    listed = first.get("/api/experiments").json()["items"]
    assert listed[0]["name"] == NAME and listed[0]["status"] == "running"

    # A second studio on the same workspace (a restart) sees it running, live.
    second, second_app = _client(folder)
    detail = second.get(f"/api/experiments/{NAME}").json()
    assert detail["status"] == "running" and detail["cancelable"] and detail["from_studio"]
    seen = children(second)
    wait_for("more children, seen by the second studio", lambda: children(second) > seen)

    # The job dies without ending the experiment: interrupted, and resumable.
    os.killpg(pid, signal.SIGKILL)
    wait_for("the killed job to be gone", lambda: not first_app.state.studio.jobs.alive(
        first_app.state.studio.jobs.get(NAME)))  # fmt: skip
    detail = second.get(f"/api/experiments/{NAME}").json()
    assert detail["status"] == "interrupted" and detail["resumable"]
    assert second.get("/api/experiments?status=interrupted").json()["items"][0]["name"] == NAME
    before = children(second)
    resumed = second.post(f"/api/experiments/{NAME}/resume")
    assert resumed.status_code == 200 and resumed.json()["pid"] != pid
    wait_for("the resumed job to add children", lambda: children(second) > before + 1)
    assert second.get(f"/api/experiments/{NAME}").json()["status"] == "running"
    assert second.post(f"/api/experiments/{NAME}/resume").status_code == 409

    # Cancel: the controller picks the request up and ends with the children canceled.
    canceled = second.post(f"/api/experiments/{NAME}/cancel")
    assert canceled.status_code == 200 and canceled.json()["how"] == "store"
    # "finishing" until the job process exits, then "canceled"
    wait_for(
        "the canceled status",
        lambda: second.get(f"/api/experiments/{NAME}").json()["status"] == "canceled",
    )
    new_pid = resumed.json()["pid"]
    assert not second_app.state.studio.jobs.alive(second_app.state.studio.jobs.get(NAME))
    with Workspace(folder) as workspace:
        runs = workspace.runs(experiment=NAME)
        assert not [run for run in runs if run.status in ("running", "queued")]
        [parent] = [run for run in runs if run.kind == "parent"]
        history = [str(change.status) for change in workspace.run_history(parent.id)]
    assert str(parent.status) == "canceled" and parent.status_reason == "canceled on request"
    assert history[-3:] == ["interrupted", "running", "canceled"]  # the kill, the resume
    assert second.post(f"/api/experiments/{NAME}/cancel").status_code == 409
    log = second.get(f"/api/experiments/{NAME}/log").text
    assert log.count("--- studio job started") == 2
    assert not process_alive(new_pid)
    for app in (first_app, second_app):
        app.state.studio.workspace.close()


def test_job_manager_records_and_errors(tmp_path: Path) -> None:
    jobs = JobManager(tmp_path / "jobs", str(tmp_path / "ws"))
    assert jobs.get("x") is None
    with pytest.raises(LookupError, match="was not started from the studio"):
        jobs.resume("x")
    assert jobs.folder_for("a/b") != jobs.folder_for("a-b")
    assert jobs.folder_for("../../etc").parent == tmp_path / "jobs"
    assert not process_alive(0) and not process_alive(2**22 + 12345)


def test_api_errors_for_experiments_not_from_the_studio(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    with Workspace(folder) as workspace:
        workspace.get_or_create_experiment("outside", kind="sweep")
    studio, app = _client(folder)
    response = studio.post("/api/experiments/outside/resume")
    assert response.status_code == 404 and "not started from the studio" in response.text
    assert studio.post("/api/experiments/outside/cancel").status_code == 409
    assert studio.post("/api/experiments/nope/cancel").status_code == 404
    assert studio.get("/api/experiments/outside/log").status_code == 404
    detail = studio.get("/api/experiments/outside").json()
    assert detail["status"] == "not started" and not detail["resumable"]
    app.state.studio.workspace.close()


def test_two_starts_of_one_name_start_one_job(fresh: Studio) -> None:
    form = {
        "dataset": "credit:1",
        "experiment_name": "twice",
        "task": "classification",
        "label_column_name": "target",
        "allowed_models": ["DecisionTree"],
        "max_trials": 1,
        "validation": "holdout",
        "validation_size": 0.25,
    }
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def start() -> None:
        barrier.wait()
        codes.append(fresh.post("/api/experiments", json=form).status_code)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 422]
    wait_for("the job to end", lambda: fresh.get("/api/experiments/twice").json()["status"]
             in ("completed", "failed"))  # fmt: skip
    detail = fresh.get("/api/experiments/twice").json()
    assert detail["status"] == "completed" and detail["guardrails"]["guardrails"]
    assert detail["best_model"]["version"] == 1  # one job registered one model


def test_cancel_while_preparing_stops_the_job(fresh: Studio) -> None:
    form = {
        "dataset": "credit:1",
        "experiment_name": "short-lived",
        "task": "classification",
        "label_column_name": "target",
        "max_trials": 200,
    }
    assert fresh.post("/api/experiments", json=form).status_code == 201
    assert fresh.get("/api/experiments/short-lived").json()["status"] == "preparing"
    page = fresh.get("/experiments/short-lived")
    assert page.status_code == 200 and "preparing" in page.text
    [listed] = fresh.get("/api/experiments").json()["items"]  # not stored yet, listed
    assert listed["name"] == "short-lived" and listed["status"] == "preparing"
    assert fresh.get("/api/experiments?status=preparing").json()["items"] == [listed]
    assert fresh.get("/api/experiments?task=regression").json()["items"] == []
    assert fresh.get("/api/experiments?status=completed").json()["items"] == []
    assert fresh.workspace_root is not None
    jobs = fresh.workspace_root / "artifacts" / "studio" / "jobs"
    record = json.loads(next(jobs.rglob("job.json")).read_text())
    assert set(record) == {"experiment_name", "spec", "pid", "pid_started", "attempts"}
    canceled = fresh.post("/api/experiments/short-lived/cancel")
    assert canceled.status_code == 200 and canceled.json()["how"] == "signal"
    wait_for("the stopped job", lambda: fresh.get("/api/experiments/short-lived").json()[
        "status"] == "canceled")  # fmt: skip
    after = fresh.get("/api/experiments").json()
    assert after["total"] == 0 and after["items"] == []  # it never reached the store
