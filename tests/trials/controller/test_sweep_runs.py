"""Sweeps end to end: what the store holds afterwards."""

from __future__ import annotations

import itertools
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from search_spaces import choice, uniform
from tests.trials.controller import _targets
from trials._sweep import Sweep
from trials.policies import BanditPolicy
from trials.store import Workspace

pytestmark = pytest.mark.timeout(60)
HERE = Path(__file__).resolve().parent


def test_a_sweep_records_every_trial(workspace: Workspace) -> None:
    sweep = Sweep(
        _targets.curve,
        {"x": uniform(0.1, 1.0), "lr": 0.5, "steps": 3},
        primary_metric="score",
        goal="maximize",
        max_total_trials=6,
        max_concurrent_trials=2,
        workspace=workspace,
        experiment_name="records",
        seed=1,
    )
    result = sweep.run()
    assert (result.status, result.status_reason) == ("completed", "reached max_total_trials=6")
    assert result.status_counts == {"completed": 6}
    parent = workspace.get_run(result.parent_run_id)
    assert (parent.kind, parent.status.value) == ("parent", "completed")
    assert parent.properties["active_seconds"] > 0
    children = workspace.children(result.parent_run_id)
    assert [c.index for c in children] == list(range(6))
    for child in children:
        x = child.params["x"]
        assert child.kind == "trial" and child.status.value == "completed"
        history = workspace.metric_history(child.id, "score")
        expected = [x * (1 - 0.5**step) for step in (1, 2, 3)]
        assert list(history["step"]) == [1, 2, 3]
        assert list(history["value"]) == pytest.approx(expected)
        finals = workspace.final_metrics(child.id)
        assert finals == pytest.approx(
            {"score": expected[-1], "loss": 1 - expected[-1], "final_bonus": x}
        )
        names = {a.name for a in workspace.artifacts(child.id)}
        assert names == {"stdout.txt", "stderr.txt"}
        workspace.open_artifact(child.id, "stdout.txt")  # its sha256 checks out
    board = result.leaderboard
    assert list(board["index"]) == sorted(range(6), key=lambda i: -children[i].params["x"])
    assert list(board.columns[:6]) == [
        "run_id",
        "index",
        "kind",
        "status",
        "status_reason",
        "duration_seconds",
    ]
    assert {"score", "loss", "final_bonus", "x", "lr", "steps"} <= set(board.columns)
    best = result.best_trial
    assert best is not None and best.index == board["index"][0]
    assert best.metrics["score"] == pytest.approx(board["score"][0])


@pytest.mark.parametrize("timeout", [None, 60.0], ids=["deterministic", "with-timeout"])
def test_bandit_stops_laggards_with_its_reason(workspace: Workspace, timeout: float | None) -> None:
    result = Sweep(
        _targets.curve,
        {"x": uniform(0.0, 1.0), "lr": 0.5, "steps": 4},
        primary_metric="score",
        goal="maximize",
        early_termination={"type": "bandit", "slack_factor": 0.2, "delay_evaluation": 2},
        max_total_trials=10,
        max_concurrent_trials=2,
        timeout=timeout,
        workspace=workspace,
        seed=0,
    ).run()
    stopped = [
        r for r in workspace.children(result.parent_run_id) if r.status.value == "early_terminated"
    ]
    assert stopped and result.status_counts["early_terminated"] == len(stopped)
    for run in stopped:
        assert run.status_reason is not None
        assert (
            run.status_reason.startswith("bandit: score=")
            and "slack_factor=0.2" in run.status_reason
        )
        steps = list(workspace.metric_history(run.id, "score")["step"])
        assert steps[-1] >= 2  # stopped at an evaluated step (delay_evaluation=2) or later
        if timeout is None:  # a trial waits for each decision, so it stops right there
            assert steps[-1] < 4
    assert result.best_trial is not None


def test_failed_trials_are_recorded_and_the_sweep_goes_on(workspace: Workspace) -> None:
    result = Sweep(
        _targets.fails_some,
        {"mode": choice("ok", "raise", "abort")},
        primary_metric="score",
        goal="maximize",
        sampling_algorithm="grid",
        max_total_trials=10,
        max_concurrent_trials=2,
        workspace=workspace,
    ).run()
    assert result.status_reason == "the searcher has nothing more to propose"
    runs = {r.params["mode"]: r for r in workspace.children(result.parent_run_id)}
    assert runs["ok"].status.value == "completed"
    raised, aborted = runs["raise"], runs["abort"]
    assert raised.status.value == "failed" and raised.status_reason is not None
    assert raised.status_reason.startswith("RuntimeError: bad params")
    assert raised.error is not None and "Traceback" in raised.error
    assert aborted.status.value == "failed"
    assert aborted.status_reason == "worker process died (signal SIGABRT)"
    assert workspace.final_metrics(aborted.id) == {"score": 0.5}  # its report was kept
    assert result.status_counts == {"completed": 1, "failed": 2}
    assert result.best_trial is not None and result.best_trial.params == {"mode": "ok"}


def test_trial_timeout_fails_the_slow_trials(workspace: Workspace) -> None:
    result = Sweep(
        _targets.sleeps,
        {"sleep": choice(0.0, 30.0)},
        primary_metric="score",
        goal="maximize",
        sampling_algorithm="grid",
        max_total_trials=2,
        max_concurrent_trials=2,
        trial_timeout=3.0,  # room for a worker to start on a loaded machine
        workspace=workspace,
    ).run()
    runs = {r.params["sleep"]: r for r in workspace.children(result.parent_run_id)}
    assert runs[0.0].status.value == "completed"
    assert runs[30.0].status.value == "failed"
    assert runs[30.0].status_reason == "exceeded trial timeout of 3.0 s"


def test_a_command_trial_gets_its_values_and_reports(workspace: Workspace) -> None:
    script = HERE / "_command_script.py"
    result = Sweep(
        f"{sys.executable} {script} --lr ${{{{search_space.lr}}}} "
        "--name '${{search_space.name}}'",
        {"lr": uniform(0.001, 0.1), "name": choice("big model", "small")},
        primary_metric="score",
        goal="maximize",
        early_termination=BanditPolicy(slack_amount=10.0),
        max_total_trials=3,
        workspace=workspace,
        seed=2,
    ).run()
    assert result.status_counts == {"completed": 3}
    for run in workspace.children(result.parent_run_id):
        lr = run.params["lr"]
        history = workspace.metric_history(run.id, "score")
        assert list(history["step"]) == [1, 2, 3]
        assert list(history["value"]) == pytest.approx([lr, 2 * lr, 3 * lr])
        assert workspace.final_metrics(run.id)["lr"] == lr  # repr(float) round-trips exactly
        stdout = workspace.open_artifact(run.id, "stdout.txt").read_text()
        assert stdout == f"trained {run.params['name']} with lr={lr!r}\n"


def test_register_best_model(workspace: Workspace, tmp_path: Path) -> None:
    result = Sweep(
        _targets.trivial,
        {"x": uniform(0, 1)},
        primary_metric="score",
        goal="minimize",
        max_total_trials=4,
        workspace=workspace,
        seed=0,
    ).run()
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    version = result.register_best_model("demo", model, extra_lineage={"note": "test"})
    best = result.best_trial
    assert best is not None and best.metrics["score"] == min(result.leaderboard["score"])
    assert (version.name, version.version, version.source_run_id) == ("demo", 1, best.run_id)
    assert version.lineage["extra"] == {"note": "test"}


def test_register_without_a_best_trial_is_an_error(workspace: Workspace, tmp_path: Path) -> None:
    result = Sweep(
        _targets.trivial,
        {"x": uniform(0, 1)},
        primary_metric="accuracy",  # never reported
        goal="maximize",
        max_total_trials=1,
        workspace=workspace,
    ).run()
    assert result.best_trial is None
    with pytest.raises(
        ValueError, match=r"no completed trial of experiment .* has a value of `accuracy`"
    ):
        result.register_best_model("demo", tmp_path)


def test_many_trivial_trials_all_recorded(workspace: Workspace) -> None:
    result = Sweep(
        _targets.trivial,
        {"x": uniform(0, 1)},
        primary_metric="score",
        goal="maximize",
        max_total_trials=300,
        max_concurrent_trials=2,
        workspace=workspace,
        experiment_name="many",
        seed=4,
    ).run()
    board = result.leaderboard
    assert len(board) == 300 and set(board["status"]) == {"completed"}
    assert ((board["score"] - board["x"]).abs() < 1e-12).all()
    assert sorted(board["index"]) == list(range(300))
    assert not board["duration_seconds"].isna().any()


def test_progress_lines_when_not_quiet(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    Sweep(
        _targets.trivial,
        {"x": choice(0.25, 0.75)},
        primary_metric="score",
        goal="maximize",
        sampling_algorithm="grid",
        max_total_trials=2,
        workspace=workspace,
    ).run(quiet=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "trial     0  completed        score=0.25         best=0.25",
        "trial     1  completed        score=0.75         best=0.75",
    ]


def test_reports_are_committed_while_the_trial_runs(workspace: Workspace) -> None:
    sweep = Sweep(
        _targets.slow_curve,
        {"x": 1.0, "sleep": 0.3, "steps": 8},
        primary_metric="score",
        goal="maximize",
        max_total_trials=1,
        workspace=workspace,
        experiment_name="live",
    )
    done: list[object] = []
    thread = threading.Thread(target=lambda: done.append(sweep.run()), daemon=True)
    thread.start()
    seen: list[tuple[float, int]] = []
    with Workspace(workspace.location) as reader:  # another connection, as the studio's
        deadline = time.monotonic() + 10
        while not done and time.monotonic() < deadline:
            runs = reader.runs("live", kind="trial") if reader.list_experiments() else []
            if runs:
                steps = list(reader.metric_history(runs[0].id, "score")["step"])
                if steps and (not seen or seen[-1][1] != steps[-1]):
                    seen.append((time.monotonic(), steps[-1]))
            time.sleep(0.02)
    thread.join(timeout=10)
    assert done and len(seen) >= 5  # each report showed up while the trial ran
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(seen)]
    assert max(gaps) < 0.3 + 0.25 + 0.2  # a step's sleep + the commit interval + slack


def test_the_ctrl_c_handler_is_restored_after_run(workspace: Workspace) -> None:
    before = signal.getsignal(signal.SIGINT)
    Sweep(
        _targets.trivial,
        {"x": 0.5},
        primary_metric="score",
        goal="maximize",
        max_total_trials=1,
        workspace=workspace,
    ).run()
    assert signal.getsignal(signal.SIGINT) is before
