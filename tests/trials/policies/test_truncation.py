from __future__ import annotations

import pytest

from trials.policies import ReportHistory, TruncationSelectionPolicy


def _at_step_1(values: list[float]) -> ReportHistory:
    history = ReportHistory(metric="auc")
    for index, value in enumerate(values):
        history.record(index, 1, value)
    return history


def test_maximize_20_percent() -> None:
    policy = TruncationSelectionPolicy(20)
    # n = 5 trials, cut floor(5 * 20 / 100) = 1: stop when >= 5 - 1 = 4 others are better
    history = _at_step_1([0.9, 0.8, 0.7, 0.6, 0.5])
    decision = policy.decide(4, 1, history, "maximize")
    assert decision.stop
    assert decision.reason == (
        "truncation_selection: auc=0.5 at step 1 is in the lowest 20% of 5 trials "
        "(4 are better; the lowest 1 are cut)"
    )
    assert not policy.decide(4, 1, _at_step_1([0.9, 0.8, 0.7, 0.6, 0.65]), "maximize").stop


def test_minimize_20_percent() -> None:
    policy = TruncationSelectionPolicy(20)
    # the same ranking with losses: 0.5 is the highest loss of 5 -> stop
    assert policy.decide(4, 1, _at_step_1([0.1, 0.2, 0.3, 0.4, 0.5]), "minimize").stop
    assert not policy.decide(4, 1, _at_step_1([0.1, 0.2, 0.3, 0.4, 0.35]), "minimize").stop


def test_too_few_trials_cut_nobody() -> None:
    # n = 4, cut floor(4 * 20 / 100) = 0
    history = _at_step_1([0.9, 0.8, 0.7, 0.1])
    assert not TruncationSelectionPolicy(20).decide(3, 1, history, "maximize").stop


def test_50_percent_of_4() -> None:
    policy = TruncationSelectionPolicy(50)
    # n = 4, cut 2: stop when >= 2 others are better
    assert policy.decide(3, 1, _at_step_1([0.9, 0.8, 0.7, 0.75]), "maximize").stop
    assert not policy.decide(3, 1, _at_step_1([0.9, 0.8, 0.7, 0.85]), "maximize").stop


def test_ties_favour_the_trial() -> None:
    history = _at_step_1([0.5] * 5)
    assert not TruncationSelectionPolicy(60).decide(4, 1, history, "maximize").stop


def test_deterministic_mode_ranks_among_lower_indices() -> None:
    # trial 2 is the worst of all 5, but in deterministic mode n = 3, cut floor(0.6) = 0
    history = _at_step_1([0.9, 0.8, 0.1, 0.7, 0.6])
    policy = TruncationSelectionPolicy(20)
    assert not policy.decide(2, 1, history, "maximize").stop
    assert policy.decide(2, 1, history, "maximize", deterministic=False).stop


def test_exclude_finished_jobs() -> None:
    # trials 0 (0.9) and 1 (0.8) finished after reporting step 1; trial 5 reports 0.65
    history = _at_step_1([0.9, 0.8, 0.7, 0.6, 0.55, 0.65])
    history.finish(0, "completed")
    history.finish(1, "early_terminated")
    # all 6 ranked: cut floor(6 * 50 / 100) = 3, 3 better (0.9, 0.8, 0.7) >= 6 - 3 -> stop
    assert TruncationSelectionPolicy(50).decide(5, 1, history, "maximize").stop
    # finished left out: n = 4, cut 2, 1 better (0.7) < 4 - 2 -> continue
    policy = TruncationSelectionPolicy(50, exclude_finished_jobs=True)
    assert policy.reads_finish_status
    assert not TruncationSelectionPolicy(50).reads_finish_status
    assert not policy.decide(5, 1, history, "maximize").stop


def test_a_trial_that_reported_later_steps_is_not_finished_at_the_step() -> None:
    history = _at_step_1([0.9, 0.8, 0.7, 0.6, 0.55, 0.65])
    history.record(0, 2, 0.9)
    history.finish(0, "completed")  # its last report is at step 2, so it counts at step 1
    policy = TruncationSelectionPolicy(50, exclude_finished_jobs=True)
    # n = 6, cut 3, better 3 (0.9, 0.8, 0.7) -> stop
    assert policy.decide(5, 1, history, "maximize").stop


def test_interval_and_delay() -> None:
    policy = TruncationSelectionPolicy(50, evaluation_interval=3, delay_evaluation=4)
    assert [s for s in range(13) if policy.evaluates_at(s)] == [6, 9, 12]


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        ((0,), {}, ValueError, r"`truncation_percentage` must be an int >= 1, got 0"),
        ((100,), {}, ValueError, r"`truncation_percentage` must be an int between 1 and 99, got"),
        ((20.5,), {}, TypeError, r"`truncation_percentage` must be an int >= 1, got 20.5"),
        ((20,), {"evaluation_interval": -1}, ValueError, r"`evaluation_interval` must be an int"),
        ((20,), {"delay_evaluation": None}, TypeError, r"`delay_evaluation` must be an int >= 0"),
        (
            (20,),
            {"exclude_finished_jobs": "yes"},
            TypeError,
            r"`exclude_finished_jobs` must be a bool, got 'yes'",
        ),
    ],
)
def test_bad_arguments(
    args: tuple[object, ...], kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        TruncationSelectionPolicy(*args, **kwargs)  # type: ignore[arg-type]


def test_to_dict() -> None:
    assert TruncationSelectionPolicy(20, delay_evaluation=5).to_dict() == {
        "type": "truncation_selection",
        "truncation_percentage": 20,
        "evaluation_interval": 1,
        "delay_evaluation": 5,
    }
    policy = TruncationSelectionPolicy(20, exclude_finished_jobs=True)
    assert policy.to_dict()["exclude_finished_jobs"] is True
