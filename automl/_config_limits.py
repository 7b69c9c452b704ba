"""The limits of an :class:`~automl.AutoMLConfig`, checked: the experiment and trial
timeouts (minutes, hours folded in), the trial count (``iterations`` folded into
``max_trials``), concurrency, cores, GPUs and memory per child, and the exit score."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

from automl import _config_sections as sections
from automl._config_checks import (
    AutoMLConfigError,
    check_count,
    check_minutes,
    check_number,
    describe,
)

if TYPE_CHECKING:
    from automl._config import AutoMLConfig

__all__ = ["check_limits"]


def check_limits(config: AutoMLConfig, metric: str) -> dict[str, Any]:
    """The checked limit fields of ``config`` (field name -> value to set).

    Raises:
        AutoMLConfigError: A value out of range or of the wrong type, naming the field.
    """
    from automl._config import DEFAULT_MAX_TRIALS

    out: dict[str, Any] = {}
    local = "Azure's cloud minimum is 15 minutes; locally any time > 0 works, e.g. 0.25"
    minutes = config.experiment_timeout_minutes
    hours = config.experiment_timeout_hours
    minutes = (
        None if minutes is None else check_minutes("experiment_timeout_minutes", minutes, local)
    )
    if hours is not None:
        hours = check_minutes("experiment_timeout_hours", hours, "e.g. 0.25 for 15 minutes")
    out["experiment_timeout_minutes"] = sections.pick_alias(
        "experiment_timeout_minutes",
        minutes,
        "experiment_timeout_hours",
        None if hours is None else hours * 60,
        "minutes",
    )
    out["experiment_timeout_hours"] = None  # folded in, so that replace() works
    if config.iteration_timeout_minutes is not None:
        out["iteration_timeout_minutes"] = check_minutes(
            "iteration_timeout_minutes", config.iteration_timeout_minutes
        )
    trials = [
        None if value is None else check_count(name, value, hint="the trials to run in all")
        for name, value in (("max_trials", config.max_trials), ("iterations", config.iterations))
    ]
    count = sections.pick_alias("max_trials", trials[0], "iterations", trials[1], "trials")
    out["max_trials"] = DEFAULT_MAX_TRIALS if count is None else int(count)
    out["iterations"] = None
    out["max_concurrent_iterations"] = check_count(
        "max_concurrent_iterations", config.max_concurrent_iterations
    )
    out["max_cores_per_iteration"] = _cores(config.max_cores_per_iteration)
    out["gpus_per_iteration"] = _gpus(config.gpus_per_iteration)
    if config.mem_in_mb is not None:
        out["mem_in_mb"] = check_count("mem_in_mb", config.mem_in_mb)
    bounds = None
    if config.task == "forecasting":
        from automl.tasks.forecasting._checks import FORECAST_METRIC_BOUNDS

        bounds = FORECAST_METRIC_BOUNDS[metric]
    out["experiment_exit_score"] = sections.check_exit_score(
        config.experiment_exit_score, metric, bounds
    )
    return out


def _cores(cores: object) -> int:
    if (
        isinstance(cores, bool)
        or not isinstance(cores, numbers.Integral)
        or not (cores == -1 or int(cores) >= 1)
    ):
        raise AutoMLConfigError(
            f"`max_cores_per_iteration` must be -1 (all cores) or an int >= 1, got "
            f"{describe(cores)}"
        )
    return int(cores)


def _gpus(value: object) -> float:
    gpus = check_number("gpus_per_iteration", value, "a number >= 0")
    if gpus < 0 or (gpus > 1 and gpus != int(gpus)):
        raise AutoMLConfigError(
            "`gpus_per_iteration` must be 0, a fraction of one GPU (0.25) or a whole "
            f"number of GPUs, got {describe(value)}"
        )
    return gpus
