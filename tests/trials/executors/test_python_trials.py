"""LocalExecutor running Python functions: results, reports, artifacts, logs, reuse."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trials.executors import _targets
from tests.trials.executors._helpers import collect, finished, of_type, run, spec, started
from trials.executors import (
    ArtifactLogged,
    LocalExecutor,
    Reported,
    Resources,
    TrialStarted,
)

pytestmark = pytest.mark.timeout(60)
Make = Callable[..., LocalExecutor]


def test_returned_dict_becomes_the_final_metrics(make_executor: Make, tmp_path: Path) -> None:
    events = run(make_executor(), spec(tmp_path, "r1", _targets.trivial))
    assert isinstance(events[0], TrialStarted)
    end = finished(events)
    assert (end.status, end.metrics, end.reason, end.error) == ("completed", {"x": 1.0}, None, None)
    assert end.duration_s >= 0


def test_returned_float_is_recorded_under_return_metric(
    make_executor: Make, tmp_path: Path
) -> None:
    trial = spec(tmp_path, "r1", _targets.returns_float, {"value": 0.25}, return_metric="accuracy")
    assert finished(run(make_executor(), trial)).metrics == {"accuracy": 0.25}


def test_returned_none_completes_without_metrics(make_executor: Make, tmp_path: Path) -> None:
    end = finished(run(make_executor(), spec(tmp_path, "r1", _targets.returns_none)))
    assert (end.status, end.metrics) == ("completed", {})


def test_returning_something_else_fails_with_a_clear_reason(
    make_executor: Make, tmp_path: Path
) -> None:
    end = finished(run(make_executor(), spec(tmp_path, "r1", _targets.returns_string)))
    assert end.status == "failed"
    assert end.reason is not None and "must return a float, a dict" in end.reason


def test_reports_arrive_in_order_and_last_values_join_the_final_metrics(
    make_executor: Make, tmp_path: Path
) -> None:
    events = run(make_executor(), spec(tmp_path, "r1", _targets.reports, {"steps": 3}))
    reports = of_type(events, Reported)
    assert [(r.step, r.metrics) for r in reports] == [
        (1, {"loss": 1.0}),
        (2, {"loss": 0.5}),
        (3, {"loss": 1.0 / 3}),
        (4, {"accuracy": 0.9}),
    ]
    assert not any(r.awaits_decision for r in reports)
    assert finished(events).metrics == {"loss": 1.0 / 3, "accuracy": 0.9, "final": 2.0}


def test_logged_artifact_is_copied_and_announced(make_executor: Make, tmp_path: Path) -> None:
    events = run(make_executor(), spec(tmp_path, "r1", _targets.logs_artifact))
    logged = {e.name: e for e in of_type(events, ArtifactLogged)}
    assert set(logged) == {"nested/copy.txt", "stdout.txt", "stderr.txt"}
    copy = logged["nested/copy.txt"]
    assert copy.path == tmp_path / "r1" / "nested" / "copy.txt"
    assert copy.path.read_text() == "hello artifact" and copy.size == len("hello artifact")
    assert finished(events).status == "completed"


def test_stdout_and_stderr_are_kept_per_trial_in_a_reused_worker(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    first = run(executor, spec(tmp_path, "a", _targets.prints, {"tag": "A"}))
    second = run(executor, spec(tmp_path, "b", _targets.prints, {"tag": "B"}))
    for run_id, tag, events in (("a", "A", first), ("b", "B", second)):
        out = (tmp_path / run_id / "stdout.txt").read_text()
        err = (tmp_path / run_id / "stderr.txt").read_text()
        assert sorted(out.splitlines()) == sorted([f"out {tag}", f"fd out {tag}"])
        assert err.splitlines() == [f"err {tag}"]
        sizes = {e.name: e.size for e in of_type(events, ArtifactLogged)}
        assert sizes == {"stdout.txt": len(out), "stderr.txt": len(err)}


def test_one_worker_runs_trial_after_trial(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=1)
    pids = set()
    for i in range(3):
        events = run(executor, spec(tmp_path, f"r{i}", _targets.pid, index=i))
        started = events[0]
        assert isinstance(started, TrialStarted)
        assert finished(events).metrics["pid"] == started.pid
        pids.add(started.pid)
    assert len(pids) == 1


def test_two_workers_run_two_trials_at_once(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=2)
    assert executor.capacity() == 2
    for i in range(2):
        executor.submit(spec(tmp_path, f"r{i}", _targets.pid, index=i))
    assert executor.capacity() == 0
    with pytest.raises(RuntimeError, match="workers are busy; submit only while capacity"):
        executor.submit(spec(tmp_path, "r2", _targets.pid))
    events = collect(executor, ["r0", "r1"])
    assert len({finished(e).metrics["pid"] for e in events.values()}) == 2
    assert executor.capacity() == 2


def test_thread_cap_is_set_before_the_trial(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    end = finished(
        run(executor, spec(tmp_path, "r1", _targets.environment, resources=Resources(cpus=3)))
    )
    assert end.metrics == {"omp": 3.0}
    assert (tmp_path / "r1" / "stdout.txt").read_text().splitlines()[0] == "3 3"
    end = finished(run(executor, spec(tmp_path, "r2", _targets.environment)))
    assert end.metrics == {"omp": 1.0}


def test_exception_fails_the_trial_with_its_traceback_and_the_worker_survives(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    events = run(executor, spec(tmp_path, "bad", _targets.raises))
    end = finished(events)
    assert end.status == "failed"
    assert end.reason == "ValueError: boom from the trial"
    assert end.error is not None and "Traceback" in end.error and "def raises" not in end.error
    assert 'raise ValueError("boom from the trial")' in end.error
    later = run(executor, spec(tmp_path, "good", _targets.pid))
    assert started(later).pid == started(events).pid and finished(later).status == "completed"


def test_non_finite_report_fails_the_trial(make_executor: Make, tmp_path: Path) -> None:
    trial = spec(tmp_path, "r1", _targets.report_bad, {"value": float("inf")})
    end = finished(run(make_executor(), trial))
    assert end.status == "failed"
    assert end.reason is not None and "must be a finite number, got inf" in end.reason


def test_spawn_start_method_works_too(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(start_method="spawn")
    assert finished(run(executor, spec(tmp_path, "r1", _targets.trivial))).metrics == {"x": 1.0}


def test_target_the_worker_cannot_import_fails_the_trial(
    make_executor: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    executor = make_executor()  # its worker's sys.path is fixed from here on
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "late_module_for_executor_test.py").write_text(
        "def train(params, ctx):\n    return 1.0\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    import late_module_for_executor_test  # type: ignore[import-not-found]

    events = run(executor, spec(tmp_path, "r1", late_module_for_executor_test.train))
    sys.modules.pop("late_module_for_executor_test")
    end = finished(events)
    assert end.status == "failed"
    assert end.reason is not None
    assert end.reason.startswith("the worker could not load the trial: ModuleNotFoundError")
    assert finished(run(executor, spec(tmp_path, "r2", _targets.trivial))).status == "completed"
