"""The sections of a sweep job YAML that the samplers, policies and limits check:
``type``, ``search_space``, ``objective``, ``sampling_algorithm``, ``early_termination``,
``limits`` and ``compute``. Each function reads one section and raises
:class:`SweepJobError` naming the field's YAML path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from search_spaces import SearchSpace, make_sampler, parse_search_space
from trials._limits import Limits
from trials._sweep_yaml_checks import (
    SweepJobError,
    check_keys,
    count,
    describe,
    mapping,
    relocate,
    seconds,
    string,
)
from trials.policies import make_policy

__all__ = [
    "LIMITS_KEYS",
    "OBJECTIVE_KEYS",
    "check_type",
    "is_grid",
    "parse_compute",
    "parse_early_termination",
    "parse_limits",
    "parse_objective",
    "parse_sampling",
    "parse_search_space_section",
]

OBJECTIVE_KEYS = ("goal", "primary_metric")
LIMITS_KEYS = ("max_total_trials", "max_concurrent_trials", "timeout", "trial_timeout")
_LIMITS_HINTS = {
    "max_trials": "a sweep's trial count is `max_total_trials` (max_trials is AutoML's)",
    "timeout_minutes": "a sweep's `timeout` is in seconds (timeout_minutes is AutoML's)",
    "trial_timeout_minutes": "a sweep's `trial_timeout` is in seconds",
}
_GOALS = ("maximize", "minimize")
_COMPUTE_VALUES = "local, ray or ray://host:port"
_RAY_ADDRESS = re.compile(r"^ray://[^\s:/]+:[0-9]{1,5}$")


def check_type(value: object) -> None:
    """Raise unless ``type`` is ``sweep`` (any case)."""
    if value is None:
        raise SweepJobError("`type` is required: write `type: sweep` at the top of the job")
    if not isinstance(value, str) or value.strip().lower() != "sweep":
        hint = (
            "; an AutoML job runs with `automl run FILE.yaml`"
            if isinstance(value, str) and value.strip().lower() == "automl"
            else "; `automl sweep` runs sweep jobs only"
        )
        raise SweepJobError(f"`type` must be 'sweep', got {describe(value)}{hint}")


def parse_search_space_section(raw: object) -> SearchSpace:
    """Read ``search_space`` (required, at least one parameter)."""
    if raw is None:
        raise SweepJobError(
            "`search_space` is required: the parameters to sweep, e.g. "
            "{lr: {type: loguniform, min_value: -9, max_value: -2}}"
        )
    data = mapping(raw, "search_space")
    if not data:
        raise SweepJobError("`search_space` must hold at least one parameter, got {}")
    try:
        return parse_search_space(data, path="search_space")
    except ValueError as error:
        raise relocate(error, "search_space") from None


def parse_objective(raw: object) -> tuple[str, Literal["maximize", "minimize"]]:
    """Read ``objective``: returns ``(primary_metric, goal)``, the goal lower-cased."""
    if raw is None:
        raise SweepJobError(
            "`objective` is required, e.g. objective: {goal: maximize, primary_metric: accuracy}"
        )
    data = mapping(raw, "objective", "write {goal: maximize, primary_metric: accuracy}")
    check_keys(data, OBJECTIVE_KEYS, "objective")
    for key in OBJECTIVE_KEYS:
        if key not in data:
            raise SweepJobError(
                f"`objective.{key}` is required; objective needs goal and primary_metric"
            )
    metric = string(
        data["primary_metric"], "objective.primary_metric", "the metric your trials report"
    )
    goal = data["goal"]
    lowered = goal.strip().lower() if isinstance(goal, str) else None
    if lowered == "maximize":
        return metric, "maximize"
    if lowered == "minimize":
        return metric, "minimize"
    raise SweepJobError(
        f"`objective.goal` must be one of {', '.join(_GOALS)} (any case), got {describe(goal)}"
    )


def parse_sampling(raw: object, space: SearchSpace, goal: Literal["maximize", "minimize"]) -> Any:
    """Check ``sampling_algorithm`` by building its sampler; returns it as written."""
    if not isinstance(raw, (str, Mapping)):
        raise SweepJobError(
            "`sampling_algorithm` must be a name (random, grid, bayesian, sobol) or a mapping "
            f"with `type`, got {describe(raw)}"
        )
    try:
        make_sampler(raw, space, goal=goal)  # validates; each run builds its own sampler
    except (TypeError, ValueError) as error:
        raise relocate(error, "sampling_algorithm") from None
    return raw.strip() if isinstance(raw, str) else dict(raw)


def is_grid(sampling: object) -> bool:
    """True when the sampling algorithm is grid (a name or a mapping's ``type``)."""
    name = sampling.get("type") if isinstance(sampling, Mapping) else sampling
    return isinstance(name, str) and name.strip().lower() == "grid"


def parse_early_termination(raw: object) -> str | dict[str, Any] | None:
    """Check ``early_termination`` by building its policy; returns it as written."""
    if raw is None:
        return None
    if not isinstance(raw, (str, Mapping)):
        raise SweepJobError(
            "`early_termination` must be a mapping such as {type: bandit, slack_factor: 0.1}, "
            f"got {describe(raw)}"
        )
    try:
        make_policy(raw)
    except (TypeError, ValueError) as error:
        raise relocate(error, "early_termination") from None
    return raw if isinstance(raw, str) else dict(raw)


def parse_limits(raw: object, *, grid: bool) -> Limits:
    """Read ``limits``; ``max_total_trials`` is required unless ``timeout`` or ``grid``."""
    data = {} if raw is None else mapping(raw, "limits")
    check_keys(data, LIMITS_KEYS, "limits", _LIMITS_HINTS)
    values: dict[str, Any] = {}
    if data.get("max_total_trials") is not None:
        values["max_total_trials"] = count(
            data["max_total_trials"], "limits.max_total_trials", "the trials to run in all"
        )
    if data.get("max_concurrent_trials") is not None:
        values["max_concurrent_trials"] = count(
            data["max_concurrent_trials"],
            "limits.max_concurrent_trials",
            "the trials running at once",
        )
    for key in ("timeout", "trial_timeout"):
        if data.get(key) is not None:
            values[key] = seconds(data[key], f"limits.{key}")
    if "max_total_trials" not in values and "timeout" not in values and not grid:
        raise SweepJobError(
            "`limits.max_total_trials` is required (unless `limits.timeout` is given or the "
            "sampling is grid): a sweep needs an end, e.g. limits: {max_total_trials: 20}"
        )
    return Limits(**values)


def parse_compute(raw: object) -> str:
    """Read ``compute``: ``local`` (the default), ``ray`` or ``ray://host:port``."""
    if raw is None:
        return "local"
    text = raw.strip() if isinstance(raw, str) else None
    if text in ("local", "ray") or (text is not None and _RAY_ADDRESS.match(text)):
        return str(text)
    extra = (
        "; Azure compute targets do not exist locally"
        if text is not None and text.lower().startswith("azureml:")
        else ""
    )
    raise SweepJobError(f"`compute` must be {_COMPUTE_VALUES}, got {describe(raw)}{extra}")
