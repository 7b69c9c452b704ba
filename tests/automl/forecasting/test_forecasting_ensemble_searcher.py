"""When the forecasting searcher asks its VotingEnsemble, over which children, and preemption."""

from __future__ import annotations

import time

from automl.tasks.forecasting import ForecastSearcher
from automl.tasks.forecasting._models import GlobalSettings
from automl.tasks.forecasting._searcher import MAX_ENSEMBLE_CANDIDATES, ForecastSearchEnd
from tests.automl.forecasting.test_forecasting_searcher import NRMSE, SIZE, STATISTICAL, outcome
from trials import TrialOutcome


def searcher(**end: object) -> ForecastSearcher:
    return ForecastSearcher(
        STATISTICAL, SIZE, GlobalSettings(), NRMSE, "minimize", seed=0,
        end=ForecastSearchEnd(**end),  # type: ignore[arg-type]
    )  # fmt: skip


def run_children(search: ForecastSearcher, scores: list[float]) -> list[str]:
    """Ask and tell one child per score; their model names."""
    names = []
    for index, score in enumerate(scores):
        request = search.ask(index)
        assert request is not None and "learner" in request.params
        search.tell(outcome(index, request.params, score))
        names.append(request.params["learner"])
    return names


def test_the_ensemble_takes_the_last_index_over_the_best_children() -> None:
    search = searcher(max_trials=5, voting_ensemble=True)
    names = run_children(search, [0.4, 0.2, 0.3, 0.1])
    request = search.ask(4)
    assert request is not None and request.kind == "ensemble"
    assert request.params == {"ensemble": "VotingEnsemble", "members": [3, 1, 2, 0]}
    assert request.tags == {"learner": "VotingEnsemble", "phase": "ensemble"}
    assert search.run_ids([3, 1]) == [("run3", names[3]), ("run1", names[1])]
    assert search.config()["voting_ensemble"] is True


def test_the_ensemble_waits_for_the_running_children() -> None:
    search = searcher(max_trials=4, voting_ensemble=True)
    first = [search.ask(index) for index in range(3)]
    assert all(request is not None for request in first)
    search.tell(outcome(0, first[0].params, 0.3))  # type: ignore[union-attr]
    search.tell(outcome(2, first[2].params, 0.2))  # type: ignore[union-attr]
    assert search.ask(3) is None  # child 1 still runs
    search.tell(outcome(1, first[1].params, 0.1))  # type: ignore[union-attr]
    request = search.ask(3)
    assert request is not None and request.params["members"] == [1, 2, 0]


def test_no_ensemble_when_disabled_or_with_fewer_than_two_completed() -> None:
    off = searcher(max_trials=3, voting_ensemble=False)
    run_children(off, [0.3, 0.2])
    request = off.ask(2)
    assert request is not None and request.kind == "trial"
    lonely = searcher(max_trials=3, voting_ensemble=True)
    first = lonely.ask(0)
    assert first is not None
    lonely.tell(TrialOutcome(0, "run0", first.params, "failed"))
    second = lonely.ask(1)
    assert second is not None
    lonely.tell(outcome(1, second.params, 0.2))
    request = lonely.ask(2)
    assert request is not None and request.kind == "trial"  # one completed child: no ensemble


def test_at_the_deadline_the_ensemble_is_asked_at_once_and_running_children_preempted() -> None:
    search = searcher(voting_ensemble=True, deadline=time.monotonic() + 3600)
    run_children(search, [0.3, 0.2])
    running = search.ask(2)
    assert running is not None and running.kind == "trial"
    assert search.preempt([2]) == ([], "")
    search._end = ForecastSearchEnd(voting_ensemble=True, deadline=time.monotonic() - 1)
    children, reason = search.preempt([2])
    assert children == [2] and "make room for the ensemble" in reason
    request = search.ask(3)
    assert request is not None and request.params["members"] == [1, 0]
    assert search.ask(4) is None  # closed: nothing after the closing ensemble
    assert search.preempt([3]) == ([], "")


def test_a_resumed_search_does_not_ask_the_ensemble_twice() -> None:
    search = searcher(max_trials=3, voting_ensemble=True)
    run_children(search, [0.3, 0.2])
    request = search.ask(2)
    assert request is not None
    again = searcher(max_trials=4, voting_ensemble=True)
    run_children(again, [0.3, 0.2])
    again.tell(TrialOutcome(2, "run2", request.params, "completed", metrics={NRMSE: 0.15}))
    following = again.ask(3)
    assert following is not None and following.kind == "trial"


def test_candidates_are_capped() -> None:
    search = searcher(max_trials=MAX_ENSEMBLE_CANDIDATES + 6, voting_ensemble=True)
    run_children(search, [0.5 - 0.01 * k for k in range(MAX_ENSEMBLE_CANDIDATES + 5)])
    request = search.ask(MAX_ENSEMBLE_CANDIDATES + 5)
    assert request is not None
    members = request.params["members"]
    assert len(members) == MAX_ENSEMBLE_CANDIDATES
    assert members[0] == MAX_ENSEMBLE_CANDIDATES + 4  # the best first


def test_past_the_deadline_the_search_goes_on_until_an_ensemble_can_be_built() -> None:
    search = searcher(voting_ensemble=True, deadline=time.monotonic() - 1)
    first = search.ask(0)
    assert first is not None and first.kind == "trial"  # nothing completed: no ensemble yet
    assert search.preempt([0]) == ([], "")  # nothing to make room for
    search.tell(outcome(0, first.params, 0.3))
    second = search.ask(1)
    assert second is not None and second.kind == "trial"
    search.tell(outcome(1, second.params, 0.2))
    request = search.ask(2)
    assert request is not None and request.params["members"] == [1, 0]
    assert search.ask(3) is None


def test_without_an_ensemble_the_deadline_closes_the_search() -> None:
    search = searcher(voting_ensemble=False, deadline=time.monotonic() - 1)
    assert search.ask(0) is None
