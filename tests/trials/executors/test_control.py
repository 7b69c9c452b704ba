"""The controller's levers: deterministic answers, cancel (polite and kill), GPUs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trials.executors import _targets
from tests.trials.executors._helpers import collect, finished, of_type, run, spec, started, wait_for
from trials.executors import (
    LocalExecutor,
    Reported,
    Resources,
    TrialStarted,
)

pytestmark = pytest.mark.timeout(60)
Make = Callable[..., LocalExecutor]


def test_deterministic_report_waits_for_the_answer(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", _targets.deterministic_reports, deterministic=True))
    first = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(first, Reported) and (first.step, first.awaits_decision) == (1, True)
    assert executor.poll(0.3) == []  # blocked in report() until the answer
    executor.answer("r1", 1, stop=False)
    second = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(second, Reported) and second.step == 2
    executor.answer("r1", 2, stop=True, reason="bandit: 0.50 is outside the slack")
    end = finished(collect(executor, ["r1"])["r1"])
    assert end.status == "early_terminated"
    assert end.reason == "bandit: 0.50 is outside the slack"
    assert end.metrics == {"loss": 0.5, "stopped_at": 2.0}


def test_stop_answer_to_an_asynchronous_report(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", _targets.waits_for_stop))
    executor.answer("r1", 3, stop=True, reason="median stopping")
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason, end.metrics) == (
        "early_terminated",
        "median stopping",
        {"stopped": 1.0},
    )


def test_polite_cancel_sets_should_stop(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", _targets.waits_for_stop))
    executor.cancel("r1", kill=False, reason="user pressed cancel")
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason, end.metrics) == (
        "canceled",
        "user pressed cancel",
        {"stopped": 1.0},
    )


def test_kill_cancel_kills_the_worker_and_a_new_one_takes_over(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor(max_concurrency=1)
    executor.submit(spec(tmp_path, "r1", _targets.sleeps))
    first = wait_for(executor, lambda e: isinstance(e, TrialStarted))
    executor.cancel("r1", kill=True)
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason) == ("canceled", "canceled")
    later = run(executor, spec(tmp_path, "r2", _targets.pid))
    assert finished(later).status == "completed"
    assert isinstance(first, TrialStarted) and started(later).pid != first.pid


def test_cancel_and_answer_for_an_unknown_run_are_ignored(make_executor: Make) -> None:
    executor = make_executor()
    executor.cancel("nobody", kill=True)
    executor.answer("nobody", 1, stop=True)
    assert executor.poll(0.0) == []


def test_whole_gpus_go_to_one_trial_each(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=3, gpus=[0, 1])
    whole = Resources(gpus=1)
    for i in range(2):
        executor.submit(spec(tmp_path, f"r{i}", _targets.environment, resources=whole))
    assert executor.capacity(whole) == 0
    assert executor.capacity() == 1
    with pytest.raises(RuntimeError, match="no GPU has room for 1 GPU"):
        executor.submit(spec(tmp_path, "r2", _targets.environment, resources=whole))
    events = collect(executor, ["r0", "r1"])
    assigned = [of_type(events[f"r{i}"], TrialStarted)[0].gpu_ids for i in range(2)]
    assert sorted(assigned) == [("0",), ("1",)]
    for i in range(2):
        seen = (tmp_path / f"r{i}" / "stdout.txt").read_text().splitlines()[1]
        assert seen == repr(assigned[i][0])
    assert executor.capacity(whole) == 2


def test_fractional_gpus_are_packed_onto_one_gpu(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=4, gpus=[0, 1])
    quarter = Resources(gpus=0.25)
    for i in range(4):
        executor.submit(spec(tmp_path, f"r{i}", _targets.environment, resources=quarter))
    events = collect(executor, [f"r{i}" for i in range(4)])
    assert {of_type(e, TrialStarted)[0].gpu_ids for e in events.values()} == {("0",)}
    assert all(finished(e).status == "completed" for e in events.values())


def test_trials_without_gpus_see_none(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(gpus=[0])
    run(executor, spec(tmp_path, "r1", _targets.environment))
    assert (tmp_path / "r1" / "stdout.txt").read_text().splitlines()[1] == "''"


def test_asking_more_gpus_than_exist_is_an_error(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(gpus=[0, 1])
    trial = spec(tmp_path, "r1", _targets.trivial, resources=Resources(gpus=3))
    with pytest.raises(ValueError, match=r"asks for `gpus`=3 but this executor has 2 GPU\(s\)"):
        executor.submit(trial)
    assert executor.capacity(Resources(gpus=3)) == 0


def test_gpus_are_detected_from_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    assert LocalExecutor().gpus == ("3", "5")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert LocalExecutor().gpus == ()
