from __future__ import annotations

import pytest

from tests.trials.policies._support import history_of
from trials.policies import BanditPolicy, ReportHistory


def _at_step_5(values: dict[int, float], metric: str = "metric") -> ReportHistory:
    history = ReportHistory(metric=metric)
    for index, value in values.items():
        history.record(index, 5, value)
    return history


def test_slack_factor_maximize() -> None:
    # best 0.80; threshold 0.80 / (1 + 0.1) = 0.7273
    history = _at_step_5({0: 0.80, 1: 0.75, 2: 0.61}, metric="accuracy")
    policy = BanditPolicy(slack_factor=0.1)
    assert not policy.decide(0, 5, history, "maximize").stop
    assert not policy.decide(1, 5, history, "maximize").stop  # 0.75 >= 0.7273
    decision = policy.decide(2, 5, history, "maximize")  # 0.61 < 0.7273
    assert decision.stop
    assert decision.reason == (
        "bandit: accuracy=0.61 at step 5 is outside slack_factor=0.1 of best 0.8 of trial 0 "
        "(threshold 0.7273)"
    )


def test_slack_factor_minimize() -> None:
    # best 0.50; threshold 0.50 * (1 + 0.1) = 0.55
    history = _at_step_5({0: 0.50, 1: 0.54, 2: 0.56})
    policy = BanditPolicy(slack_factor=0.1)
    assert not policy.decide(1, 5, history, "minimize").stop  # 0.54 <= 0.55
    assert policy.decide(2, 5, history, "minimize").stop  # 0.56 > 0.55


def test_slack_amount_both_goals() -> None:
    policy = BanditPolicy(slack_amount=0.2)
    # maximize: best 0.80; threshold 0.80 - 0.2 = 0.60
    up = _at_step_5({0: 0.80, 1: 0.61, 2: 0.59})
    assert not policy.decide(1, 5, up, "maximize").stop
    assert policy.decide(2, 5, up, "maximize").stop
    # minimize: best 0.50; threshold 0.50 + 0.2 = 0.70
    down = _at_step_5({0: 0.50, 1: 0.69, 2: 0.71})
    assert not policy.decide(1, 5, down, "minimize").stop
    decision = policy.decide(2, 5, down, "minimize")
    assert decision.stop
    assert decision.reason is not None
    assert "slack_amount=0.2 of best 0.5 of trial 0 (threshold 0.7)" in decision.reason


def test_slack_factor_with_negative_metrics() -> None:
    policy = BanditPolicy(slack_factor=0.1)
    # maximize, best -2.0 (negative): threshold -2.0 * (1 + 0.1) = -2.2
    up = _at_step_5({0: -2.0, 1: -2.1, 2: -2.3})
    assert not policy.decide(1, 5, up, "maximize").stop  # -2.1 >= -2.2
    assert policy.decide(2, 5, up, "maximize").stop  # -2.3 < -2.2
    # minimize, best -2.0 (negative): threshold -2.0 / (1 + 0.1) = -1.818
    down = _at_step_5({0: -2.0, 1: -1.9, 2: -1.7})
    assert not policy.decide(1, 5, down, "minimize").stop  # -1.9 <= -1.818
    assert policy.decide(2, 5, down, "minimize").stop  # -1.7 > -1.818


def test_threshold_formula() -> None:
    policy = BanditPolicy(slack_factor=0.25)
    assert policy.threshold(1.0, "maximize") == pytest.approx(0.8)  # 1 / 1.25
    assert policy.threshold(1.0, "minimize") == pytest.approx(1.25)  # 1 * 1.25
    assert policy.threshold(-1.0, "maximize") == pytest.approx(-1.25)
    assert policy.threshold(-1.0, "minimize") == pytest.approx(-0.8)
    assert BanditPolicy(slack_amount=0.3).threshold(1.0, "minimize") == pytest.approx(1.3)


def test_the_best_trial_and_a_lone_trial_continue() -> None:
    policy = BanditPolicy(slack_factor=0.01)
    assert not policy.decide(0, 5, _at_step_5({0: 0.1}), "maximize").stop
    history = _at_step_5({0: 0.5, 1: 0.9})
    assert not policy.decide(1, 5, history, "maximize").stop


def test_deterministic_mode_sees_only_lower_indices() -> None:
    # trial 1 at 0.75; trial 0 at 0.80 and trial 2 at 0.95 (higher index)
    history = _at_step_5({0: 0.80, 1: 0.75, 2: 0.95})
    policy = BanditPolicy(slack_factor=0.1)
    # deterministic: best 0.80 -> threshold 0.7273, 0.75 continues
    assert not policy.decide(1, 5, history, "maximize").stop
    # otherwise: best 0.95 -> threshold 0.95 / 1.1 = 0.8636, 0.75 stops
    assert policy.decide(1, 5, history, "maximize", deterministic=False).stop


def test_compares_values_at_the_same_step_only() -> None:
    # trial 0 reached 0.9 at step 2 but reported 0.5 at step 1
    history = history_of({0: [0.5, 0.9], 1: [0.46]})
    # step 1: best 0.5, threshold 0.4545; 0.46 continues
    assert not BanditPolicy(slack_factor=0.1).decide(1, 1, history, "maximize").stop


def test_interval_and_delay() -> None:
    # evaluated at multiples of 2 that are >= 5: steps 6, 8, 10
    policy = BanditPolicy(slack_factor=0.1, evaluation_interval=2, delay_evaluation=5)
    history = history_of({0: [1.0] * 10, 1: [0.1] * 10})
    stops = [s for s in range(1, 11) if policy.decide(1, s, history, "maximize").stop]
    assert stops == [6, 8, 10]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, r"exactly one of `slack_factor` and `slack_amount` is required"),
        (
            {"slack_factor": 0.1, "slack_amount": 0.2},
            ValueError,
            r"`slack_factor` and `slack_amount` are mutually exclusive; "
            r"got slack_factor=0.1, slack_amount=0.2",
        ),
        ({"slack_factor": -1.0}, ValueError, r"`slack_factor` must be > 0, got -1.0"),
        ({"slack_factor": 0}, ValueError, r"`slack_factor` must be > 0, got 0"),
        ({"slack_factor": float("inf")}, ValueError, r"`slack_factor` must be finite, got inf"),
        ({"slack_factor": "0.1"}, TypeError, r"`slack_factor` must be a number > 0, got '0.1'"),
        ({"slack_amount": float("nan")}, ValueError, r"`slack_amount` must be > 0, got nan"),
        ({"slack_amount": True}, TypeError, r"`slack_amount` must be a number > 0, got True"),
        (
            {"slack_factor": 0.1, "evaluation_interval": 0},
            ValueError,
            r"`evaluation_interval` must be an int >= 1, got 0",
        ),
        (
            {"slack_factor": 0.1, "evaluation_interval": 1.5},
            TypeError,
            r"`evaluation_interval` must be an int >= 1, got 1.5",
        ),
        (
            {"slack_factor": 0.1, "delay_evaluation": -1},
            ValueError,
            r"`delay_evaluation` must be an int >= 0, got -1",
        ),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        BanditPolicy(**kwargs)  # type: ignore[arg-type]


def test_to_dict_is_azure_v2() -> None:
    policy = BanditPolicy(slack_factor=0.1, delay_evaluation=5)
    assert policy.to_dict() == {
        "type": "bandit",
        "slack_factor": 0.1,
        "evaluation_interval": 1,
        "delay_evaluation": 5,
    }
    assert BanditPolicy(slack_amount=1).to_dict()["slack_amount"] == 1.0
