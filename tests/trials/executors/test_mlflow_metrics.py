"""Commands that log with MLflow (`mlflow.log_metric`) get those metrics recorded as reports."""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.trials.executors._helpers import collect, finished, of_type, run, spec, wait_for
from trials._context import Decision, TrialContext
from trials.executors import CommandTarget, Event, LocalExecutor, Reported
from trials.executors._command import run_command
from trials.executors._mlflow import MetricRelay, MetricStoreReader, point_mlflow_at_trial
from trials.executors._worker import _PipeLink

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(find_spec("mlflow") is None, reason="needs mlflow (the dev extra)"),
]
Make = Callable[..., LocalExecutor]
SCRIPT = str(Path(__file__).with_name("_mlflow_script.py"))
QUIET = {"MLFLOW_DISABLE_TELEMETRY": "true"}


def command(tmp_path: Path, *args: str) -> CommandTarget:
    return CommandTarget([sys.executable, SCRIPT, "--x", "0.25", *args], cwd=tmp_path, env=QUIET)


def reported(events: list[Event]) -> list[tuple[int, dict[str, float]]]:
    return [(r.step, r.metrics) for r in of_type(events, Reported)]


# -- through a LocalExecutor, with real MLflow ---------------------------------------------


def test_logged_metrics_are_reported_while_the_command_runs(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor()
    go = tmp_path / "go"
    executor.submit(spec(tmp_path, "r1", command(tmp_path, "--go", str(go))))
    # The script waits for `go` after logging step 2: its reports come while it runs.
    events: list[Event] = []
    deadline = time.monotonic() + 20.0
    while len(of_type(events, Reported)) < 2 and time.monotonic() < deadline:
        events += executor.poll(0.2)
    assert [r.step for r in of_type(events, Reported)] == [1, 2]
    assert not (tmp_path / "done.txt").exists()
    go.touch()
    events += collect(executor, ["r1"])["r1"]
    assert reported(events) == [
        (1, {"accuracy": 0.25, "loss": 101.0}),  # the NaN `diverged` is skipped
        (2, {"accuracy": 0.5, "loss": 102.0}),
        (3, {"accuracy": 0.75, "loss": 103.0}),
    ]
    end = finished(events)
    # final_score was logged without a step after step 3: a final value, not a report.
    assert (end.status, end.metrics) == (
        "completed",
        {"accuracy": 0.75, "loss": 103.0, "final_score": 0.9},
    )
    store = tmp_path / "r1" / "mlruns"
    assert (tmp_path / "done.txt").read_text() == store.as_uri()


def test_trials_report_takes_over_from_mlflow(make_executor: Make, tmp_path: Path) -> None:
    events = run(make_executor(), spec(tmp_path, "r1", command(tmp_path, "--mixed")))
    # Only trials.report's reports; MLflow's `loss` (101, 102, ...) is not counted at all,
    # its `accuracy` only as a final metric.
    assert reported(events) == [(1, {"loss": 1.0}), (2, {"loss": 0.5}), (3, {"loss": 1 / 3})]
    assert finished(events).metrics == {"loss": 1 / 3, "accuracy": 0.75, "final_score": 0.9}


def test_deterministic_reports_await_decisions_and_a_stop_ends_the_command(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor()
    target = command(tmp_path, "--steps", "5", "--linger", "30")
    executor.submit(spec(tmp_path, "r1", target, deterministic=True))
    first = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(first, Reported) and (first.step, first.awaits_decision) == (1, True)
    assert executor.poll(0.3) == []  # step 2 (already read) waits for the decision on step 1
    executor.answer("r1", 1, stop=False)
    second = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(second, Reported) and second.step == 2
    started = time.monotonic()
    executor.answer("r1", 2, stop=True, reason="bandit")
    events = collect(executor, ["r1"])["r1"]
    assert time.monotonic() - started < 5.0  # SIGTERM: no waiting for the 30 s linger
    assert reported(events) == []  # steps 3 to 5 were logged, and dropped after the stop
    end = finished(events)
    assert (end.status, end.reason) == ("early_terminated", "bandit")
    assert end.metrics == {"accuracy": 0.5, "loss": 102.0}
    assert not (tmp_path / "done.txt").exists()


def test_a_polite_cancel_ends_a_command_that_cannot_hear_it(
    make_executor: Make, tmp_path: Path
) -> None:
    executor = make_executor()
    executor.submit(spec(tmp_path, "r1", command(tmp_path, "--linger", "30")))
    wait_for(executor, lambda e: isinstance(e, Reported))
    started = time.monotonic()
    executor.cancel("r1", kill=False, reason="enough")
    end = finished(collect(executor, ["r1"])["r1"])
    assert time.monotonic() - started < 5.0
    assert (end.status, end.reason) == ("canceled", "enough")
    assert not (tmp_path / "done.txt").exists()


def test_sweep_records_mlflow_metrics(tmp_path: Path) -> None:
    from search_spaces import choice
    from trials import CommandTemplate, Sweep
    from trials.store import Workspace

    template = CommandTemplate(
        f"{sys.executable} {SCRIPT} --x ${{{{search_space.x}}}}", cwd=tmp_path, env=QUIET
    )
    with Workspace(tmp_path / "workspace") as workspace:
        result = Sweep(
            template,
            {"x": choice(0.1, 0.2)},
            primary_metric="accuracy",
            goal="maximize",
            sampling_algorithm="grid",
            max_total_trials=2,
            max_concurrent_trials=2,
            workspace=workspace,
            seed=0,
        ).run()
        runs = workspace.children(result.parent_run_id)
        assert [run.status.value for run in runs] == ["completed"] * 2, runs[0].status_reason
        for trial in workspace.children(result.parent_run_id):
            x = trial.params["x"]
            history = workspace.metric_history(trial.id, "accuracy")
            assert list(history["step"]) == [1, 2, 3]
            assert list(history["value"]) == pytest.approx([x, 2 * x, 3 * x])
            finals = workspace.final_metrics(trial.id)
            assert finals["final_score"] == 0.9
            assert finals["accuracy"] == pytest.approx(3 * x)
        assert result.best_trial is not None and result.best_trial.params["x"] == 0.2


# -- what the command is given --------------------------------------------------------------


def in_process(tmp_path: Path, target: CommandTarget) -> tuple[tuple[object, ...], list[bytes]]:
    """Run a command as a worker would, here; returns the outcome and what it sent."""
    ours, theirs = multiprocessing.Pipe()
    ctx = TrialContext(
        run_id="r1",
        index=0,
        params={},
        artifact_dir=tmp_path / "r1",
        deterministic=False,
        link=_PipeLink(theirs, "r1"),
    )
    (tmp_path / "r1").mkdir()
    outcome = run_command(target, ctx, theirs)
    sent = []
    while ours.poll():
        sent.append(ours.recv_bytes())
    return outcome, sent


ENV_PROBE = (
    "import os; print(os.environ.get('MLFLOW_TRACKING_URI'), "
    "os.environ.get('MLFLOW_ALLOW_FILE_STORE'))"
)


def test_without_mlflow_nothing_is_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # find_spec("mlflow") is now None
    target = CommandTarget([sys.executable, "-c", ENV_PROBE], cwd=tmp_path)
    outcome, sent = in_process(tmp_path, target)
    assert outcome == ("completed", {}, None, None)
    assert sent == []
    assert capfd.readouterr().out == "None None\n"
    assert not (tmp_path / "r1" / "mlruns").exists()


def test_a_tracking_uri_given_to_the_command_is_kept(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    mine = (tmp_path / "my-store").as_uri()
    target = CommandTarget(
        [sys.executable, "-c", ENV_PROBE], cwd=tmp_path, env={"MLFLOW_TRACKING_URI": mine}
    )
    outcome, _ = in_process(tmp_path, target)
    assert outcome == ("completed", {}, None, None)
    assert capfd.readouterr().out == f"{mine} None\n"


def test_inherited_mlflow_variables_are_replaced(tmp_path: Path) -> None:
    env = {"MLFLOW_TRACKING_URI": "http://server", "MLFLOW_RUN_ID": "abc", "PATH": "/bin"}
    store = point_mlflow_at_trial(env, {}, tmp_path / "r1")
    assert store is not None and store.root == tmp_path / "r1" / "mlruns"
    assert env == {
        "MLFLOW_TRACKING_URI": store.root.as_uri(),
        "MLFLOW_ALLOW_FILE_STORE": "true",
        "PATH": "/bin",
    }


# -- reading the store, and the rules, without a command ----------------------------------


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(text)


def test_the_reader_takes_complete_lines_of_top_level_runs(tmp_path: Path) -> None:
    run = tmp_path / "0" / "a1b2"
    write(run / "metrics" / "train" / "loss", "1000 0.5 0\n1001 0.25 0\n1002 0.1")
    write(run / "metrics" / "acc", "1000 nan 1\nnot a line\n1003 0.75 4\n")
    nested = tmp_path / "0" / "c3d4"
    write(nested / "tags" / "mlflow.parentRunId", "a1b2")
    write(nested / "metrics" / "acc", "1000 0.1 1\n")
    write(tmp_path / "0" / "models" / "m-1" / "metrics" / "acc", "1000 0.2 1\n")
    reader = MetricStoreReader(tmp_path)
    assert reader.read() == [
        (1003, "acc", 4, 0.75),
        (1000, "train/loss", 0, 0.5),
        (1001, "train/loss", 1, 0.25),
    ]
    assert reader.read() == []
    write(run / "metrics" / "train" / "loss", "5 0\n")  # the partial line is now complete
    assert reader.read() == [(1002, "train/loss", 2, 0.15)]


class MemoryLink:
    """A TrialLink that keeps what is sent and answers from a list."""

    def __init__(self, decisions: list[Decision] | None = None) -> None:
        self.reports: list[tuple[int, dict[str, float], bool]] = []
        self.decisions = decisions or []

    def send_report(self, step: int, metrics: dict[str, float], awaits_decision: bool) -> None:
        self.reports.append((step, metrics, awaits_decision))

    def send_artifact(self, name: str, path: str, size: int) -> None:
        raise AssertionError("no artifacts here")

    def next_decision(self, block: bool) -> Decision | None:
        if self.decisions:
            return self.decisions.pop(0)
        if block:  # deterministic mode: go on
            return Decision(self.reports[-1][0], False, None)
        return None


def relay_on(tmp_path: Path, link: MemoryLink, deterministic: bool = False) -> MetricRelay:
    ctx = TrialContext(
        run_id="r1",
        index=0,
        params={},
        artifact_dir=tmp_path,
        deterministic=deterministic,
        link=link,
    )
    return MetricRelay(tmp_path / "mlruns", ctx)


def test_a_step_is_reported_once_a_later_one_was_logged(tmp_path: Path) -> None:
    link = MemoryLink()
    relay = relay_on(tmp_path, link, deterministic=True)  # no settling on quiet polls
    metrics = tmp_path / "mlruns" / "0" / "r" / "metrics"
    write(metrics / "acc", "1000 0.5 1\n")
    relay.poll()
    relay.poll()
    assert link.reports == []  # step 1 may still get more metrics
    write(metrics / "loss", "1001 2.0 1\n")
    write(metrics / "acc", "1002 0.6 2\n")
    relay.poll()
    relay.poll()
    assert link.reports == [(1, {"acc": 0.5, "loss": 2.0}, True)]
    write(metrics / "loss", "1003 1.5 1\n")  # logged after step 2: a late value
    assert relay.finish() == {"acc": 0.6, "loss": 1.5}
    assert link.reports[1:] == [(2, {"acc": 0.6}, True)]


def test_metrics_logged_without_steps_are_numbered(tmp_path: Path) -> None:
    link = MemoryLink()
    relay = relay_on(tmp_path, link)
    metrics = tmp_path / "mlruns" / "0" / "r" / "metrics"
    # What `mlflow.log_metric(key, value)` (no step) writes: step 0 every time.
    write(metrics / "loss", "1000 1.0 0\n1002 0.5 0\n1004 0.25 0\n")
    write(metrics / "acc", "1001 0.1 0\n1003 0.2 0\n1005 0.3 0\n")
    assert relay.finish() == {"loss": 0.25, "acc": 0.3}
    assert link.reports == [
        (0, {"loss": 1.0, "acc": 0.1}, False),
        (1, {"loss": 0.5, "acc": 0.2}, False),
        (2, {"loss": 0.25, "acc": 0.3}, False),
    ]


def test_a_trials_report_behind_mlflow_steps_is_kept_as_a_final_value(tmp_path: Path) -> None:
    link = MemoryLink()
    relay = relay_on(tmp_path, link)
    write(tmp_path / "mlruns" / "0" / "r" / "metrics" / "acc", "1000 0.5 5\n")
    relay.poll()
    relay.poll()  # nothing new: step 5 is settled and reported
    assert link.reports == [(5, {"acc": 0.5}, False)]
    relay.channel_report(1, {"score": 3.0})  # no error for a step MLflow already passed
    relay.channel_report(None, {"score": 4.0})  # reported at the next step
    write(tmp_path / "mlruns" / "0" / "r" / "metrics" / "acc", "1001 0.7 6\n")
    assert relay.finish() == {"acc": 0.7}  # score: 4.0, as reported last
    assert link.reports[1:] == [(6, {"score": 4.0}, False)]
