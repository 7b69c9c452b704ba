"""Command-line trials: `from trials import report` through the executor's channel."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trials.executors._helpers import collect, finished, of_type, run, spec, wait_for
from trials.executors import (
    ArtifactLogged,
    CommandTarget,
    LocalExecutor,
    Reported,
    Resources,
)

pytestmark = pytest.mark.timeout(60)
Make = Callable[..., LocalExecutor]
SCRIPT = str(Path(__file__).with_name("_command_script.py"))


def command(tmp_path: Path, *args: str) -> CommandTarget:
    return CommandTarget([sys.executable, SCRIPT, "--lr", "0.1", *args], cwd=tmp_path)


def gone(pid: int) -> bool:
    """The process exited (a zombie waiting for a reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rfind(")") + 2] == "Z"


def test_command_reports_and_logs_an_artifact(make_executor: Make, tmp_path: Path) -> None:
    events = run(make_executor(), spec(tmp_path, "r1", command(tmp_path)))
    reports = of_type(events, Reported)
    assert [(r.step, r.metrics) for r in reports] == [
        (1, {"loss": 0.1}),
        (2, {"loss": 0.05}),
        (3, {"loss": 0.1 / 3}),
    ]
    end = finished(events)
    assert (end.status, end.metrics) == ("completed", {"loss": 0.1 / 3})
    stdout = (tmp_path / "r1" / "stdout.txt").read_text()
    assert "training with lr=0.1" in stdout
    assert "rejected: metric 'loss' in report() must be a finite number, got nan" in stdout
    names = {e.name for e in of_type(events, ArtifactLogged)}
    assert names == {"model.txt", "stdout.txt", "stderr.txt"}
    assert (tmp_path / "r1" / "model.txt").read_text() == "weights"


def test_failing_command_reports_its_status_and_stderr(make_executor: Make, tmp_path: Path) -> None:
    end = finished(run(make_executor(), spec(tmp_path, "r1", command(tmp_path, "--fail"))))
    assert end.status == "failed"
    assert end.reason == "the command exited with status 3: something bad happened"
    assert end.error is not None and "something bad happened" in end.error


def test_missing_program_fails_the_trial(make_executor: Make, tmp_path: Path) -> None:
    target = CommandTarget([str(tmp_path / "no-such-program")])
    end = finished(run(make_executor(), spec(tmp_path, "r1", target)))
    assert end.status == "failed"
    assert end.reason is not None and end.reason.startswith("could not start the command")


def test_command_in_deterministic_mode_stops_on_the_answer(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", command(tmp_path), deterministic=True))
    first = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(first, Reported) and first.awaits_decision
    assert executor.poll(0.3) == []
    executor.answer("r1", 1, stop=True, reason="truncation")
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason) == ("early_terminated", "truncation")
    assert "stopping at step 1" in (tmp_path / "r1" / "stdout.txt").read_text()


def test_polite_cancel_reaches_the_command(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", command(tmp_path, "--wait-stop")))
    wait_for(executor, lambda e: isinstance(e, ArtifactLogged) and e.name == "model.txt")
    executor.cancel("r1", kill=False)
    end = finished(collect(executor, ["r1"])["r1"])
    assert end.status == "canceled"
    assert "stopped politely" in (tmp_path / "r1" / "stdout.txt").read_text()


def test_command_past_its_timeout_is_killed_with_its_worker(
    make_executor: Make, tmp_path: Path
) -> None:
    pid_file = tmp_path / "pid"
    target = command(tmp_path, "--sleep", "30", "--pid-file", str(pid_file))
    trial = spec(tmp_path, "r1", target, resources=Resources(timeout=3.0))  # room to start
    end = finished(run(make_executor(), trial))
    assert (end.status, end.reason) == ("failed", "exceeded trial timeout of 3.0 s")
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone(pid)


def test_command_memory_counts_in_the_worker_tree(make_executor: Make, tmp_path: Path) -> None:
    code = (
        "import time\n"
        "b = bytearray(400 << 20)\n"
        "b[::4096] = b'\\x01' * len(range(0, 400 << 20, 4096))\n"
        "time.sleep(30)\n"
    )
    target = CommandTarget([sys.executable, "-c", code], cwd=tmp_path)
    trial = spec(tmp_path, "r1", target, resources=Resources(mem_in_mb=150))
    end = finished(run(make_executor(), trial))
    assert end.status == "failed"
    assert end.reason is not None and end.reason.startswith("exceeded memory cap of 150 MB")
