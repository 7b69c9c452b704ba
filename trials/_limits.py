"""Limits of an experiment: how many trials, how many at once, how long."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Limits", "check_count", "check_seconds"]


def check_count(name: str, value: object, *, minimum: int = 1, hint: str = "") -> int:
    """Return ``value`` if it is an int >= ``minimum``; raise a house-format error otherwise."""
    suffix = f"; {hint}" if hint else ""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`{name}` must be an int >= {minimum}, got {value!r}{suffix}")
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}, got {value!r}{suffix}")
    return value


def check_seconds(name: str, value: object, *, hint: str = "") -> float:
    """Return ``value`` as a float if it is a finite number of seconds > 0, else raise."""
    suffix = f"; {hint}" if hint else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"`{name}` must be a number of seconds > 0, got {value!r}{suffix}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a number of seconds > 0, got {value!r}{suffix}")
    return float(value)


@dataclass(frozen=True)
class Limits:
    """When an experiment stops launching trials, and how many run at once.

    Limits count over the whole experiment, across resumes: ``max_total_trials`` every
    trial it ever ran (a trial rerun after an interruption counts once), ``timeout`` its
    total active time. Raising one and running the experiment again extends it.

    Attributes:
        max_total_trials: Trials the experiment may run in all; None: no count limit.
        max_concurrent_trials: Trials running at the same time.
        timeout: Seconds of active time for the whole experiment; past it, running trials
            are killed (recorded ``canceled``) and the experiment ends. None: no limit.
        trial_timeout: Seconds one trial may run before it is killed and recorded failed.

    With no ``timeout`` the controller runs deterministically (DESIGN.md, "Determinism"):
    the same seed gives the same trials, statuses and scores at any concurrency.

    Example:
        >>> Limits(max_total_trials=20, max_concurrent_trials=4).deterministic
        True
    """

    max_total_trials: int | None = None
    max_concurrent_trials: int = 1
    timeout: float | None = None
    trial_timeout: float | None = None

    def __post_init__(self) -> None:
        if self.max_total_trials is not None:
            check_count(
                "max_total_trials",
                self.max_total_trials,
                hint="it is the number of trials the experiment runs in all",
            )
        check_count(
            "max_concurrent_trials",
            self.max_concurrent_trials,
            hint="it is the number of trials running at once",
        )
        if self.timeout is not None:
            object.__setattr__(
                self,
                "timeout",
                check_seconds("timeout", self.timeout, hint="or None for no time limit"),
            )
        if self.trial_timeout is not None:
            object.__setattr__(
                self,
                "trial_timeout",
                check_seconds("trial_timeout", self.trial_timeout, hint="or None for no limit"),
            )

    @property
    def deterministic(self) -> bool:
        """True without a ``timeout``: what runs then does not depend on timing."""
        return self.timeout is None
