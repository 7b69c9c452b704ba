from __future__ import annotations

import pytest

from tests.trials.policies._support import history_of
from trials.policies import AshaPolicy, ReportHistory


def test_rungs() -> None:
    assert [s for s in range(100) if AshaPolicy().evaluates_at(s)] == [1, 3, 9, 27, 81]
    policy = AshaPolicy(min_resource=10, reduction_factor=2, max_resource=80)
    assert [s for s in range(200) if policy.evaluates_at(s)] == [10, 20, 40]
    assert [s for s in range(20) if AshaPolicy(max_resource=9).evaluates_at(s)] == [1, 3]


def test_arrivals_at_a_rung_maximize() -> None:
    policy = AshaPolicy()
    history = ReportHistory(metric="acc")
    stops = []
    for index, value in enumerate([0.5, 0.4, 0.6, 0.55, 0.45]):
        history.record(index, 1, value)
        stops.append(policy.decide(index, 1, history, "maximize").stop)
    # trial 0: n=1, keep ceil(1/3)=1, 0 better -> continue (the first always goes on)
    # trial 1: n=2, keep 1, 1 better (0.5) -> stop
    # trial 2: n=3, keep 1, 0 better -> continue
    # trial 3: n=4, keep 2, 1 better (0.6) -> continue
    # trial 4: n=5, keep 2, 3 better (0.5, 0.6, 0.55) -> stop
    assert stops == [False, True, False, False, True]
    assert policy.decide(4, 1, history, "maximize").reason == (
        "asha: acc=0.45 at rung 1 is not in the top 1/3 of 5 trials (3 are better; the top 2 go on)"
    )


def test_arrivals_at_a_rung_minimize() -> None:
    policy = AshaPolicy()
    history = ReportHistory()
    stops = []
    for index, value in enumerate([0.5, 0.6, 0.4, 0.45, 0.55]):
        history.record(index, 1, value)
        stops.append(policy.decide(index, 1, history, "minimize").stop)
    # the mirror of the maximise case: 0.6 loses to 0.5; 0.55 has 0.5, 0.4, 0.45 better
    assert stops == [False, True, False, False, True]


def test_only_rung_steps_are_judged() -> None:
    history = history_of({0: [0.9, 0.9, 0.9], 1: [0.1, 0.1, 0.1]})
    policy = AshaPolicy()
    assert [s for s in (1, 2, 3) if policy.decide(1, s, history, "maximize").stop] == [1, 3]


def test_deterministic_mode_ignores_higher_indices() -> None:
    history = history_of({0: [0.5], 1: [0.9]})
    assert not AshaPolicy().decide(0, 1, history, "maximize").stop
    assert AshaPolicy().decide(0, 1, history, "maximize", deterministic=False).stop


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"min_resource": 0}, ValueError, r"`min_resource` must be an int >= 1, got 0"),
        ({"reduction_factor": 1}, ValueError, r"`reduction_factor` must be an int >= 2, got 1"),
        ({"reduction_factor": 2.5}, TypeError, r"`reduction_factor` must be an int >= 2, got 2.5"),
        (
            {"min_resource": 4, "max_resource": 4},
            ValueError,
            r"`max_resource` must be > min_resource=4, got 4",
        ),
        ({"max_resource": "9"}, TypeError, r"`max_resource` must be an int >= 1, got '9'"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        AshaPolicy(**kwargs)  # type: ignore[arg-type]


def test_to_dict() -> None:
    assert AshaPolicy().to_dict() == {"type": "asha", "min_resource": 1, "reduction_factor": 3}
    assert AshaPolicy(max_resource=100).to_dict()["max_resource"] == 100
