"""Small builders shared by the policy tests."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

from trials.policies import ReportHistory


def history_of(
    rows: Mapping[int, Sequence[float]], *, first_step: int = 1, metric: str = "metric"
) -> ReportHistory:
    """A history where trial ``i`` reports ``rows[i]`` at consecutive steps from ``first_step``."""
    history = ReportHistory(metric=metric)
    for index, values in rows.items():
        for offset, value in enumerate(values):
            history.record(index, first_step + offset, value)
    return history


Report = tuple[int, int, float]  # (index, step, value)


def random_reports(
    rng: random.Random, *, trials: int = 8, steps: int = 8, special: bool = False
) -> tuple[list[Report], dict[int, str]]:
    """Random reports (increasing steps per trial, some gaps, some short trials) and ends.

    Values come from a small pool, so ties are frequent; ``special`` adds negatives, NaN and
    infinities.
    """
    pool = [0.1, 0.2, 0.3, 0.5, 0.5, 0.7, 0.8, 0.9]
    if special:
        pool += [-1.5, -0.3, 0.0, math.nan, math.inf, -math.inf]
    reports: list[Report] = []
    ends: dict[int, str] = {}
    for index in range(trials):
        last = rng.randint(1, steps)
        for step in range(1, last + 1):
            if step == 1 or rng.random() < 0.85:
                value = rng.choice(pool) if rng.random() < 0.5 else round(rng.random(), 2)
                reports.append((index, step, value))
        if rng.random() < 0.4:
            ends[index] = rng.choice(["completed", "failed", "early_terminated", "canceled"])
    return reports, ends


def build(
    reports: Sequence[Report], ends: Mapping[int, str], *, negate: bool = False
) -> ReportHistory:
    """A history holding ``reports`` (recorded in the given order) and then ``ends``."""
    history = ReportHistory()
    for index, step, value in reports:
        history.record(index, step, -value if negate else value)
    for index, status in ends.items():
        history.finish(index, status)
    return history
