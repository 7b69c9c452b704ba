from __future__ import annotations

import math
import random
import time

import pytest

from tests.trials.policies._support import build, history_of, random_reports
from trials.policies import HistoryView, ReportHistory
from trials.policies._history import is_better


def test_per_trial_queries() -> None:
    history = history_of({0: [0.5, 0.9, 0.7], 1: [0.3]})
    history.record(0, 10, 0.1)  # a gap: trial 0 reports steps 1, 2, 3 and 10

    assert history.value_at(0, 2) == 0.9
    assert history.value_at(0, 5) is None
    assert history.value_at(7, 1) is None
    assert history.best_up_to(0, 2, "maximize") == 0.9
    assert history.best_up_to(0, 5, "minimize") == 0.5  # min(0.5, 0.9, 0.7)
    assert history.best_up_to(0, 10, "minimize") == 0.1
    assert history.best_up_to(0, 0, "maximize") is None
    # running average at step 5 covers steps 1..3: (0.5 + 0.9 + 0.7) / 3 = 0.7
    assert history.running_average(0, 5) == pytest.approx(0.7)
    assert history.running_average(0, 10) == pytest.approx((0.5 + 0.9 + 0.7 + 0.1) / 4)
    assert history.running_average(1, 0) is None
    assert history.last_step(0) == 10
    assert history.last_step(5) is None
    assert history.status(0) is None
    history.finish(0, "completed")
    assert history.status(0) == "completed"


def test_nan_is_ignored_by_best_and_poisons_the_average() -> None:
    history = history_of({0: [math.nan, 0.4, math.nan, 0.6]})
    assert math.isnan(history.best_up_to(0, 1, "maximize") or 0.0)
    assert history.best_up_to(0, 4, "maximize") == 0.6
    assert history.best_up_to(0, 4, "minimize") == 0.4
    assert math.isnan(history.running_average(0, 4) or 0.0)


def test_step_queries() -> None:
    history = history_of({3: [0.2], 0: [0.7], 5: [0.7], 1: [0.1]})
    assert history.indices_reported_at(1) == [0, 1, 3, 5]
    assert history.values_at(1) == [(0, 0.7), (1, 0.1), (3, 0.2), (5, 0.7)]
    assert history.count_at(1) == 4
    assert history.count_at(2) == 0
    assert history.count_better_at(1, 0.2, "maximize") == 2  # 0.7 and 0.7
    assert history.count_better_at(1, 0.2, "minimize") == 1  # 0.1
    assert history.count_better_at(1, math.nan, "minimize") == 4
    assert history.best_at(1, "maximize") == (0, 0.7)  # tie 0 / 5 goes to the lower index
    assert history.best_at(1, "minimize") == (1, 0.1)
    assert history.best_at(2, "maximize") is None
    # running averages at step 1 are the values: median of 0.1, 0.2, 0.7, 0.7 = 0.45
    assert history.median_running_average_at(1, "maximize") == pytest.approx(0.45)
    assert history.median_running_average_at(2, "maximize") is None


def test_views_hide_what_a_decision_may_not_see() -> None:
    history = history_of({0: [0.1], 1: [0.9], 2: [0.5], 3: [0.3]})
    before_2 = history.visible_to(2)
    assert isinstance(before_2, HistoryView)
    assert before_2.indices_reported_at(1) == [0, 1]
    assert before_2.value_at(2, 1) is None
    assert before_2.value_at(3, 1) is None
    assert before_2.count_better_at(1, 0.5, "maximize") == 1
    assert before_2.best_at(1, "minimize") == (0, 0.1)
    assert before_2.median_running_average_at(1, "maximize") == pytest.approx(0.5)  # 0.1, 0.9
    assert history.visible_to(0).count_at(1) == 0

    all_but_2 = history.visible_to(2, deterministic=False)
    assert all_but_2.indices_reported_at(1) == [0, 1, 3]
    assert all_but_2.median_running_average_at(1, "maximize") == pytest.approx(0.3)
    assert all_but_2.count_better_at(1, 0.5, "minimize") == 2  # 0.1 and 0.3


def test_finished_at_lists_trials_whose_last_report_is_at_the_step() -> None:
    history = history_of({0: [0.1, 0.2], 1: [0.3], 2: [0.4]})
    history.finish(0, "completed")
    history.finish(1, "early_terminated")
    history.finish(4, "failed")  # failed before any report
    assert history.finished_at(1) == [1]
    assert history.finished_at(2) == [0]
    assert history.visible_to(1).finished_at(1) == []
    assert history.status(4) == "failed"


@pytest.mark.parametrize("seed", range(40))
def test_indexed_queries_match_a_naive_scan(seed: int) -> None:
    rng = random.Random(seed)
    reports, ends = random_reports(rng, trials=9, steps=5, special=True)
    history = build(reports, ends)
    for index in range(10):
        for deterministic in (True, False):
            view = history.visible_to(index, deterministic=deterministic)
            for step in range(1, 6):
                _check_against_scan(view, step, rng.choice([0.5, 0.2, math.nan, -1.5, 0.9]))


def _check_against_scan(view: HistoryView, step: int, probe: float) -> None:
    pairs = view.values_at(step)
    assert view.count_at(step) == len(pairs)
    for goal in ("maximize", "minimize"):
        better = sum(is_better(v, probe, goal) for _, v in pairs)
        assert view.count_better_at(step, probe, goal) == better
        best = view.best_at(step, goal)
        if not pairs:
            assert best is None
            continue
        assert best is not None
        assert not any(is_better(v, best[1], goal) for _, v in pairs)
        tied = [i for i, v in pairs if not is_better(best[1], v, goal)]
        assert best[0] == min(tied)
        averages = [view.running_average(i, step) or 0.0 for i, _ in pairs]
        # NaN ranks worst: sort worst-first, then take the middle
        worst_first = sorted(
            averages, key=lambda a: (not math.isnan(a), a if goal == "maximize" else -a)
        )
        n = len(worst_first)
        low, high = worst_first[(n - 1) // 2], worst_first[n // 2]
        median = view.median_running_average_at(step, goal)
        assert median is not None
        want = low if n % 2 else (low + high) / 2
        assert median == want or (math.isnan(median) and math.isnan(want))


def test_many_trials_decide_fast() -> None:
    history = ReportHistory()
    rng = random.Random(0)
    for index in range(10_000):
        history.record(index, 1, rng.random())
    started = time.perf_counter()
    for _ in range(200):
        late = history.visible_to(9_999)
        late.count_better_at(1, 0.5, "maximize")
        late.best_at(1, "maximize")
        late.median_running_average_at(1, "minimize")
        anyone = history.visible_to(10, deterministic=False)
        anyone.count_better_at(1, 0.5, "minimize")
        anyone.median_running_average_at(1, "maximize")
    # indexed queries: microseconds each; a full scan of 10,000 trials would take ~1 s here
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda h: h.record(-1, 1, 0.5), ValueError, r"`index` must be an int >= 0, got -1"),
        (lambda h: h.record(0, True, 0.5), ValueError, r"`step` must be an int >= 0, got True"),
        (lambda h: h.record(0, 1.0, 0.5), ValueError, r"`step` must be an int >= 0, got 1.0"),
        (lambda h: h.record(0, 1, "0.5"), TypeError, r"`value` must be a number, got '0.5'"),
        (
            lambda h: h.record(0, 3, 0.5),
            ValueError,
            r"`step` must be greater than trial 0's last step 3, got 3",
        ),
        (lambda h: h.finish(0, "done"), ValueError, r"`status` must be one of completed, .*'done'"),
        (lambda h: h.visible_to(-2), ValueError, r"`index` must be an int >= 0, got -2"),
        (lambda h: h.best_at(1, "max"), ValueError, r"`goal` must be 'maximize' or 'minimize'"),
    ],
)
def test_bad_input_is_rejected(call: object, error: type[Exception], match: str) -> None:
    history = history_of({0: [0.1, 0.2, 0.3]})
    with pytest.raises(error, match=match):
        call(history)  # type: ignore[operator]


def test_a_finished_trial_takes_no_more_reports_or_ends() -> None:
    history = history_of({0: [0.1]})
    history.finish(0, "canceled")
    with pytest.raises(ValueError, match=r"trial 0 has already finished \(canceled\); cannot"):
        history.record(0, 2, 0.2)
    with pytest.raises(ValueError, match=r"trial 0 has already finished \(canceled\)"):
        history.finish(0, "completed")


def test_metric_name_is_checked() -> None:
    assert ReportHistory("accuracy").metric == "accuracy"
    with pytest.raises(TypeError, match=r"`metric` must be a non-empty str, got ''"):
        ReportHistory("")
