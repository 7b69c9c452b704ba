"""The controller's contract with any searcher (what AutoML's searcher will rely on)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.trials.controller import _targets
from trials._controller import Controller, ControllerOptions
from trials._limits import Limits
from trials._searcher import Objective, Searcher, TrialOutcome, TrialRequest
from trials._targets import FunctionTarget
from trials.executors import Executor, LocalExecutor, Resources
from trials.policies import EarlyTerminationPolicy, NoTerminationPolicy
from trials.store import Workspace

pytestmark = pytest.mark.timeout(60)


class Scripted(Searcher):
    """Proposes ``x = index / 10`` for ``trials`` trials, then one "ensemble" once every
    trial was told; records what it was told before each ask."""

    def __init__(self, trials: int, *, ensemble: bool = False, adaptive: bool = True) -> None:
        self.trials = trials
        self.ensemble = ensemble
        self._adaptive = adaptive
        self.told: list[TrialOutcome] = []
        self.asks: list[tuple[int, list[int]]] = []

    @property
    def adaptive(self) -> bool:
        return self._adaptive

    def ask(self, index: int) -> TrialRequest | None:
        self.asks.append((index, [o.index for o in self.told]))
        if index < self.trials:
            return TrialRequest({"x": index / 10, "sleep": 0.01 * (index % 3)}, tags={"n": index})
        if self.ensemble and index == self.trials and len(self.told) == self.trials:
            return TrialRequest({"x": 1.0, "sleep": 0.0}, kind="ensemble", tags={"of": self.trials})
        return None

    def tell(self, outcome: TrialOutcome) -> None:
        self.told.append(outcome)

    def config(self) -> dict[str, Any]:
        return {"type": "scripted", "trials": self.trials, "ensemble": self.ensemble}


def _controller(
    workspace: Workspace,
    searcher: Searcher,
    *,
    target: Any = _targets.sleeps,
    limits: Limits | None = None,
    executor: Executor | None = None,
    policy: EarlyTerminationPolicy | None = None,
    name: str = "contract",
    **options: Any,
) -> Controller:
    return Controller(
        searcher,
        FunctionTarget(target),
        executor or LocalExecutor(max_concurrency=2),
        policy or NoTerminationPolicy(),
        limits or Limits(max_concurrent_trials=2),
        workspace,
        name,
        objective=Objective("score", "maximize", cost_metric="cost"),
        options=ControllerOptions(shutdown_executor=executor is None, **options),
    )


def test_deterministic_asks_see_exactly_the_trials_up_to_k_minus_c(workspace: Workspace) -> None:
    searcher = Scripted(8)
    result = _controller(workspace, searcher).run()
    assert result.n_trials == 8
    asks = {index: told for index, told in searcher.asks if index < 8}
    assert asks == {k: list(range(max(0, k - 1))) for k in range(8)}
    assert [o.index for o in searcher.told] == list(range(8))


def test_a_searcher_may_propose_more_once_everything_is_told(workspace: Workspace) -> None:
    searcher = Scripted(4, ensemble=True)
    result = _controller(workspace, searcher).run()
    assert result.status_reason == "the searcher has nothing more to propose"
    runs = workspace.children(result.parent_run_id)
    assert [(r.index, r.kind) for r in runs] == [
        (0, "trial"),
        (1, "trial"),
        (2, "trial"),
        (3, "trial"),
        (4, "ensemble"),
    ]
    assert runs[4].tags == {"of": 4} and runs[0].tags == {"n": 0}
    assert [o.index for o in searcher.told] == [0, 1, 2, 3, 4]
    assert searcher.asks[-1][0] == 5  # asked once more after the ensemble, said None


def test_outcomes_carry_reports_finals_cost_and_artifacts(workspace: Workspace) -> None:
    searcher = Scripted(2)
    seen: list[TrialOutcome] = []
    _controller(
        workspace, searcher, target=_targets.reports_then_returns, on_trial_end=seen.append
    ).run()
    outcome = searcher.told[1]
    assert outcome.status == "completed" and outcome.tags == {"n": 1}
    assert outcome.metrics == {"score": 100.1, "extra": 1.0, "cost": 12.0}
    assert outcome.intermediate == (
        (1, {"score": 0.1}),
        (2, {"score": 0.2}),
        (3, {"score": 0.1 * 3}),
    )
    assert outcome.cost == 12.0
    assert set(outcome.artifacts) == {"notes/note.txt", "stdout.txt", "stderr.txt"}
    assert sorted(o.index for o in seen) == [0, 1]
    # The store ranks by the final value: the returned score, logged at the last step.
    history = workspace.metric_history(outcome.run_id, "score")
    assert list(history["step"]) == [1, 2, 3, 3]
    assert list(history["value"]) == pytest.approx([0.1, 0.2, 0.3, 100.1])
    assert workspace.final_metrics(outcome.run_id)["score"] == 100.1


def test_a_resumed_experiment_retells_the_same_outcomes(workspace: Workspace) -> None:
    first = Scripted(3)
    _controller(workspace, first, target=_targets.reports_then_returns).run()
    again = Scripted(4)
    again.config = first.config  # type: ignore[method-assign]  # same search, one more trial
    _controller(workspace, again, target=_targets.reports_then_returns, limits=Limits(4, 2)).run()
    retold = {o.index: o for o in again.told}
    for outcome in first.told:
        stored = retold[outcome.index]
        assert (stored.run_id, stored.status, stored.params, stored.tags) == (
            outcome.run_id,
            outcome.status,
            outcome.params,
            outcome.tags,
        )
        assert stored.metrics == outcome.metrics and stored.intermediate == outcome.intermediate
        assert (stored.cost, sorted(stored.artifacts)) == (outcome.cost, sorted(outcome.artifacts))
    assert [o.index for o in again.told] == [0, 1, 2, 3]


def test_each_end_is_committed_before_it_is_told(workspace: Workspace) -> None:
    checked: list[str] = []

    class Checking(Scripted):
        def tell(self, outcome: TrialOutcome) -> None:
            with Workspace(workspace.location) as reader:  # another connection
                checked.append(reader.get_run(outcome.run_id).status.value)
            super().tell(outcome)

    _controller(workspace, Checking(4)).run()
    assert checked == ["completed"] * 4


def test_requests_may_carry_their_own_resources(workspace: Workspace) -> None:
    class Timed(Scripted):
        def ask(self, index: int) -> TrialRequest | None:
            request = super().ask(index)
            if request is None:
                return None
            sleep = 30.0 if index == 1 else 0.0  # the timeout leaves room for a loaded machine
            return TrialRequest({"sleep": sleep}, resources=Resources(timeout=3.0))

    result = _controller(workspace, Timed(2)).run()
    runs = workspace.children(result.parent_run_id)
    assert [r.status.value for r in runs] == ["completed", "failed"]
    assert runs[1].status_reason == "exceeded trial timeout of 3.0 s"
    assert runs[1].properties["resources"]["timeout"] == 3.0


def test_an_executor_passed_in_is_left_running(workspace: Workspace) -> None:
    with LocalExecutor(max_concurrency=2) as executor:
        _controller(workspace, Scripted(2), executor=executor, name="a").run()
        _controller(workspace, Scripted(2), executor=executor, name="b").run()
        assert executor.capacity() == 2
    own = LocalExecutor(max_concurrency=1)
    controller = _controller(workspace, Scripted(1), name="c")
    controller.executor = own
    controller.options = ControllerOptions(shutdown_executor=True)
    controller.run()
    with pytest.raises(RuntimeError, match="was shut down"):
        own.capacity()


def test_with_a_timeout_outcomes_are_told_as_they_come(
    workspace: Workspace, tmp_path: Path
) -> None:
    searcher = Scripted(6, adaptive=True)
    result = _controller(workspace, searcher, limits=Limits(6, 2, timeout=30.0)).run()
    assert result.n_trials == 6 and len(searcher.told) == 6
    # Not held back by index order: trial k may be asked after trial k-1 was told.
    assert any(told and told[-1] == index - 1 for index, told in searcher.asks if index < 6)


class Preempting(Scripted):
    """Two long trials fill both slots; once both run, it stops them for a quick third."""

    def ask(self, index: int) -> TrialRequest | None:
        if index < 2:
            return TrialRequest({"x": 0.1, "sleep": 30.0})
        if index == 2 and len(self.told) == 2:
            return TrialRequest({"x": 0.9, "sleep": 0.0}, kind="ensemble")
        return None

    def preempt(self, running: Any) -> tuple[list[int], str]:
        return [index for index in running if index < 2], "make room for the ensemble"


def test_preempted_trials_are_stopped_and_recorded_with_the_searchers_reason(
    workspace: Workspace,
) -> None:
    result = _controller(workspace, Preempting(2), limits=Limits(max_concurrent_trials=2)).run()
    children = workspace.children(result.parent_run_id)
    assert [(run.index, run.status) for run in children] == [
        (0, "canceled"),
        (1, "canceled"),
        (2, "completed"),
    ]
    assert children[0].status_reason == "make room for the ensemble"
    assert result.status == "completed"


def test_by_default_a_searcher_preempts_nothing() -> None:
    assert Scripted(1).preempt([0, 1]) == ([], "")
