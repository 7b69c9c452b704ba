from __future__ import annotations

from typing import Any

import pytest

from trials.policies import (
    POLICY_TYPES,
    AshaPolicy,
    BanditPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
    make_policy,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (None, NoTerminationPolicy()),
        ("none", NoTerminationPolicy()),
        ({"type": "none"}, NoTerminationPolicy()),
        (
            {
                "type": "bandit",
                "slack_factor": 0.1,
                "evaluation_interval": 1,
                "delay_evaluation": 5,
            },
            BanditPolicy(slack_factor=0.1, delay_evaluation=5),
        ),
        ({"type": "Bandit", "slack_amount": 0.2}, BanditPolicy(slack_amount=0.2)),
        (
            {"type": "bandit", "slack_factor": 0.1, "slack_amount": None},
            BanditPolicy(slack_factor=0.1),
        ),
        (
            {"type": "median_stopping", "evaluation_interval": 2, "delay_evaluation": 0},
            MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=0),
        ),
        ({"type": "MedianStopping"}, MedianStoppingPolicy()),
        ("median_stopping", MedianStoppingPolicy()),
        (
            {"type": "truncation_selection", "truncation_percentage": 20, "delay_evaluation": 5},
            TruncationSelectionPolicy(20, delay_evaluation=5),
        ),
        (
            {
                "type": "TruncationSelection",
                "truncation_percentage": 10,
                "evaluation_interval": None,
            },
            TruncationSelectionPolicy(10),
        ),
        (
            {"type": "asha", "min_resource": 2, "reduction_factor": 4, "max_resource": 64},
            AshaPolicy(min_resource=2, reduction_factor=4, max_resource=64),
        ),
        ("asha", AshaPolicy()),
    ],
)
def test_builds_from_specs(spec: Any, expected: object) -> None:
    assert make_policy(spec) == expected


def test_an_instance_is_returned_as_is() -> None:
    policy = BanditPolicy(slack_factor=0.3)
    assert make_policy(policy) is policy


def test_registry_names_every_policy() -> None:
    assert sorted(POLICY_TYPES) == [
        "asha",
        "bandit",
        "median_stopping",
        "none",
        "truncation_selection",
    ]


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        (
            {"type": "hyperband"},
            ValueError,
            r"`type` must be one of asha, bandit, median_stopping, none, truncation_selection, "
            r"got 'hyperband'",
        ),
        ("random", ValueError, r"`type` must be one of asha, bandit, .*got 'random'"),
        ({"type": 3}, TypeError, r"`type` must be one of asha, .*got 3"),
        (
            {"slack_factor": 0.1},
            ValueError,
            r"`type` is required in an early termination mapping \(one of asha, bandit, "
            r"median_stopping, none, truncation_selection\), got keys \['slack_factor'\]",
        ),
        (
            {"type": "bandit", "slack_factor": 0.1, "slack": 0.2},
            ValueError,
            r"unknown key\(s\) slack for early termination type 'bandit'; valid keys: "
            r"delay_evaluation, evaluation_interval, slack_amount, slack_factor, type",
        ),
        (
            {"type": "median_stopping", "truncation_percentage": 5},
            ValueError,
            r"unknown key\(s\) truncation_percentage for early termination type "
            r"'median_stopping'; valid keys: delay_evaluation, evaluation_interval, type",
        ),
        (
            {"type": "none", "evaluation_interval": 1},
            ValueError,
            r"unknown key\(s\) evaluation_interval for early termination type 'none'; "
            r"valid keys: type",
        ),
        (
            {"type": "asha", "grace_period": 1},
            ValueError,
            r"valid keys: max_resource, min_resource, reduction_factor, type",
        ),
        (
            {"type": "truncation_selection"},
            ValueError,
            r"`truncation_percentage` is required for early termination type "
            r"'truncation_selection'",
        ),
        ("bandit", ValueError, r"exactly one of `slack_factor` and `slack_amount` is required"),
        (
            {"type": "bandit", "slack_factor": 0.1, "slack_amount": 0.2},
            ValueError,
            r"`slack_factor` and `slack_amount` are mutually exclusive",
        ),
        (
            {"type": "bandit", "slack_factor": -1.0},
            ValueError,
            r"`slack_factor` must be > 0, got -1.0",
        ),
        (
            {"type": "truncation_selection", "truncation_percentage": 120},
            ValueError,
            r"`truncation_percentage` must be an int between 1 and 99, got 120",
        ),
        (
            3.5,
            TypeError,
            r"`early_termination` must be None, a policy, a type name or a mapping with `type`, "
            r"got 3.5",
        ),
    ],
)
def test_bad_specs(spec: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make_policy(spec)
