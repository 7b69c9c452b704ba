"""Progress output: a live table in a terminal, plain lines in a pipe, nothing when quiet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from search_spaces import RandomSampler, SearchSpace, uniform
from tests.trials.controller import _targets
from trials._controller import Controller, ControllerOptions
from trials._limits import Limits
from trials._progress import (
    LiveProgress,
    PlainProgress,
    ProgressListener,
    ProgressSnapshot,
    make_progress,
)
from trials._searcher import Objective, SamplerSearcher, TrialOutcome
from trials._targets import FunctionTarget
from trials.executors import LocalExecutor
from trials.policies import NoTerminationPolicy
from trials.store import Workspace

pytestmark = pytest.mark.timeout(60)

OBJECTIVE = Objective("score", "maximize")


def outcome(
    index: int, status: Any, score: float | None, reason: str | None = None
) -> TrialOutcome:
    return TrialOutcome(
        index=index,
        run_id=f"run-{index}",
        params={"x": index},
        status=status,
        metrics={} if score is None else {"score": score},
        reason=reason,
        duration_s=0.5,
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_make_progress_picks_the_listener_for_the_output() -> None:
    assert make_progress(OBJECTIVE, quiet=True) is None
    assert isinstance(make_progress(OBJECTIVE, quiet=False, stream=io.StringIO()), PlainProgress)
    live = make_progress(OBJECTIVE, quiet=False, stream=_Terminal())
    assert isinstance(live, LiveProgress)
    live.close()


def test_plain_lines_track_the_best_and_show_reasons() -> None:
    out = io.StringIO()
    progress = PlainProgress(OBJECTIVE, out)
    progress.begin([outcome(0, "completed", 0.9)])  # an earlier session: counted, not printed
    progress.trial_finished(outcome(1, "completed", 0.5))
    progress.trial_finished(outcome(2, "early_terminated", 0.1, "bandit: too low"))
    progress.trial_finished(outcome(3, "completed", 0.95))
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "trial     1  completed" in lines[0] and "best=0.9" in lines[0]
    assert "early_terminated" in lines[1] and "(bandit: too low)" in lines[1]
    assert "score=0.95" in lines[2] and "best=0.95" in lines[2]
    assert progress.tracker.counts == {"completed": 3, "early_terminated": 1}


def test_minimized_metrics_keep_the_lowest_as_best() -> None:
    progress = PlainProgress(Objective("loss", "minimize"), io.StringIO())
    for index, loss in enumerate([0.5, 0.2, 0.7]):
        progress.trial_finished(
            TrialOutcome(index=index, run_id=str(index), params={}, status="completed",
                         metrics={"loss": loss})
        )  # fmt: skip
    assert progress.tracker.best_value == 0.2 and progress.tracker.best is not None
    assert progress.tracker.best.index == 1


def test_live_table_shows_counts_best_and_time_left() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=150)
    progress = LiveProgress(OBJECTIVE, console)
    progress.trial_finished(outcome(0, "completed", 0.7))
    progress.trial_finished(outcome(1, "failed", None, "worker process died (signal SIGABRT)"))
    progress.update(ProgressSnapshot("exp-1", running=2, elapsed_s=65, time_left_s=3700,
                                     max_trials=20))  # fmt: skip
    render = Console(file=io.StringIO(), width=150, record=True)
    render.print(progress.render())
    text = render.export_text()
    progress.close()
    assert "Experiment exp-1" in text
    assert "2 / 20" in text  # two finished of twenty
    assert "0.7 (trial 0)" in text
    assert "1:05" in text and "1:01:40" in text  # elapsed, time left
    assert "SIGABRT" in text


class Recorder(ProgressListener):
    def __init__(self) -> None:
        super().__init__(OBJECTIVE)
        self.events: list[str] = []

    def begin(self, previous: object) -> None:
        self.events.append(f"begin:{len(list(previous))}")  # type: ignore[call-overload]

    def trial_finished(self, outcome: TrialOutcome) -> None:
        self.events.append(f"finished:{outcome.index}")

    def update(self, snapshot: ProgressSnapshot) -> None:
        self.events.append(f"update:{snapshot.running}")

    def close(self) -> None:
        self.events.append("close")


def run_sweep(workspace: Workspace, trials: int, progress: ProgressListener) -> None:
    space = SearchSpace({"x": uniform(0, 1)})
    Controller(
        SamplerSearcher(RandomSampler(space, seed=0), "score"),
        FunctionTarget(_targets.trivial),
        LocalExecutor(max_concurrency=2),
        NoTerminationPolicy(),
        Limits(max_total_trials=trials, max_concurrent_trials=2),
        workspace,
        "progress",
        objective=OBJECTIVE,
        options=ControllerOptions(shutdown_executor=True, progress=progress),
    ).run()


def test_the_controller_reports_to_the_listener_and_resumes_its_counts(tmp_path: Path) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        first = Recorder()
        run_sweep(workspace, 4, first)
        assert first.events[0] == "begin:0" and first.events[-1] == "close"
        finished = sorted(e for e in first.events if e.startswith("finished"))
        assert finished == [f"finished:{i}" for i in range(4)]
        assert any(e.startswith("update") for e in first.events)
        again = Recorder()
        run_sweep(workspace, 6, again)  # a raised limit: two more trials
        assert again.events[0] == "begin:4"
        assert sorted(e for e in again.events if e.startswith("finished")) == [
            "finished:4",
            "finished:5",
        ]


def test_a_bad_listener_is_refused() -> None:
    with pytest.raises(TypeError, match="`progress` must be a ProgressListener or None, got"):
        ControllerOptions(progress=print)  # type: ignore[arg-type]
