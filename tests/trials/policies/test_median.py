from __future__ import annotations

import pytest

from tests.trials.policies._support import history_of
from trials.policies import MedianStoppingPolicy

NOW = MedianStoppingPolicy(delay_evaluation=0)

# running averages at step 3: trial 0 (0.5+0.6+0.7)/3 = 0.6, trial 1 (0.4+0.5+0.6)/3 = 0.5,
# trial 2 (0.3+0.4+0.5)/3 = 0.4; their median is 0.5
RISING = {0: [0.5, 0.6, 0.7], 1: [0.4, 0.5, 0.6], 2: [0.3, 0.4, 0.5]}


def test_maximize_best_so_far_against_median_of_running_averages() -> None:
    # trial 3: best so far max(0.45, 0.40, 0.35) = 0.45 < 0.5 -> stop
    history = history_of({**RISING, 3: [0.45, 0.40, 0.35]}, metric="accuracy")
    decision = NOW.decide(3, 3, history, "maximize")
    assert decision.stop
    assert decision.reason == (
        "median_stopping: best accuracy so far 0.45 at step 3 is worse than 0.5, the median of "
        "the running averages of 3 other trials"
    )
    # trial 3 with a poor average (0.35) but best 0.55 > 0.5 -> continue: the rule uses its best
    history = history_of({**RISING, 3: [0.2, 0.3, 0.55]})
    assert not NOW.decide(3, 3, history, "maximize").stop


def test_minimize() -> None:
    # running averages at step 3: 0.4, 0.5, 0.6 -> median 0.5
    losses = {0: [0.5, 0.4, 0.3], 1: [0.6, 0.5, 0.4], 2: [0.7, 0.6, 0.5]}
    # trial 3: best so far min(0.6, 0.55, 0.58) = 0.55 > 0.5 -> stop
    assert NOW.decide(3, 3, history_of({**losses, 3: [0.6, 0.55, 0.58]}), "minimize").stop
    # trial 3: best so far min(0.9, 0.8, 0.45) = 0.45 < 0.5 -> continue
    assert not NOW.decide(3, 3, history_of({**losses, 3: [0.9, 0.8, 0.45]}), "minimize").stop


def test_even_count_takes_the_mean_of_the_middle_two() -> None:
    # running averages at step 1 (= values): 0.6, 0.5, 0.4, 0.3 -> median (0.5 + 0.4) / 2 = 0.45
    others = {0: [0.6], 1: [0.5], 2: [0.4], 3: [0.3]}
    assert NOW.decide(4, 1, history_of({**others, 4: [0.44]}), "maximize").stop
    assert not NOW.decide(4, 1, history_of({**others, 4: [0.46]}), "maximize").stop


def test_needs_three_other_trials_at_the_step() -> None:
    # two others (averages 0.6, 0.5) are not enough, however bad trial 2 is
    history = history_of({0: RISING[0], 1: RISING[1], 2: [0.0, 0.0, 0.0]})
    assert not NOW.decide(2, 3, history, "maximize").stop
    # a third other trial that stopped at step 2 does not count at step 3
    history = history_of({0: RISING[0], 1: RISING[1], 2: [0.9, 0.9], 3: [0.0, 0.0, 0.0]})
    assert not NOW.decide(3, 3, history, "maximize").stop


def test_deterministic_mode_ignores_higher_indices() -> None:
    # trial 1 (best 0.1) has only trial 0 below it; trials 2, 3, 4 are above
    history = history_of({0: [0.9], 1: [0.1], 2: [0.9], 3: [0.9], 4: [0.9]})
    assert not NOW.decide(1, 1, history, "maximize").stop
    assert NOW.decide(1, 1, history, "maximize", deterministic=False).stop


def test_default_delay_is_azures_0() -> None:
    policy = MedianStoppingPolicy()
    assert (policy.evaluation_interval, policy.delay_evaluation) == (1, 0)
    history = history_of({0: [0.9] * 6, 1: [0.9] * 6, 2: [0.9] * 6, 3: [0.1] * 6})
    stops = [s for s in range(1, 7) if policy.decide(3, s, history, "maximize").stop]
    assert stops == [1, 2, 3, 4, 5, 6]
    delayed = MedianStoppingPolicy(delay_evaluation=5)
    assert [s for s in range(1, 7) if delayed.decide(3, s, history, "maximize").stop] == [5, 6]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"evaluation_interval": 0}, ValueError, r"`evaluation_interval` must be an int >= 1"),
        ({"delay_evaluation": -3}, ValueError, r"`delay_evaluation` must be an int >= 0, got -3"),
        ({"delay_evaluation": "5"}, TypeError, r"`delay_evaluation` must be an int >= 0, got '5'"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        MedianStoppingPolicy(**kwargs)  # type: ignore[arg-type]


def test_to_dict() -> None:
    assert MedianStoppingPolicy(evaluation_interval=2).to_dict() == {
        "type": "median_stopping",
        "evaluation_interval": 2,
        "delay_evaluation": 0,
    }
