"""The registry of Azure's scalar metrics: names, tasks, goals, defaults and checks."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from types import MappingProxyType

from automl.metrics._classification import CLASSIFICATION_SPECS
from automl.metrics._regression import REGRESSION_SPECS
from automl.metrics._spec import TASKS, MetricSpec
from search_spaces import Goal

__all__ = [
    "METRICS",
    "default_metric",
    "goal_of",
    "metric_names",
    "score_for_search",
    "validate_metric",
    "validate_task",
]

METRICS: Mapping[str, MetricSpec] = MappingProxyType(
    {spec.name: spec for spec in CLASSIFICATION_SPECS + REGRESSION_SPECS}
)
"""Every scalar metric by name (read-only)."""

_DEFAULTS: Mapping[str, str] = {
    "classification": "accuracy",
    "regression": "normalized_root_mean_squared_error",
    "forecasting": "normalized_root_mean_squared_error",
}


def _did_you_mean(word: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(word, valid, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def validate_task(task: object, *, field: str = "task") -> str:
    """Return ``task`` when it is a task the metrics know, else raise.

    Raises:
        ValueError: ``task`` is not one of classification, regression, forecasting.
    """
    if not isinstance(task, str) or task not in TASKS:
        hint = _did_you_mean(task, list(TASKS)) if isinstance(task, str) else ""
        raise ValueError(f"`{field}` must be one of {', '.join(TASKS)}, got {task!r}{hint}")
    return task


def metric_names(task: str) -> tuple[str, ...]:
    """Names of the scalar metrics of ``task``, in registry order.

    Example:
        >>> "AUC_weighted" in metric_names("classification")
        True
    """
    validate_task(task)
    return tuple(name for name, spec in METRICS.items() if task in spec.tasks)


def default_metric(task: str) -> str:
    """Azure's default primary metric: accuracy, or normalized RMSE for regression/forecasting."""
    return _DEFAULTS[validate_task(task)]


def validate_metric(name: object, task: str, *, field: str = "primary_metric") -> str:
    """Return ``name`` when it is a scalar metric of ``task``, else raise a helpful error.

    Every scalar metric of the task is accepted (a superset of Azure's primary metrics,
    which :attr:`MetricSpec.azure_primary` marks).

    Args:
        name: The metric name to check.
        task: The task it should score.
        field: The configuration field named in the error.

    Raises:
        ValueError: Unknown name, or a metric of another task; the message lists the
            valid names and suggests the closest one.

    Example:
        >>> validate_metric("AUC_weighted", "classification")
        'AUC_weighted'
    """
    valid = list(metric_names(task))
    if isinstance(name, str) and name in valid:
        return name
    if isinstance(name, str) and name in METRICS:
        hint = f" ({name!r} is a metric of {' and '.join(METRICS[name].tasks)})"
    else:
        hint = _did_you_mean(name, valid) if isinstance(name, str) else ""
    raise ValueError(
        f"`{field}` must be one of {', '.join(valid)} for task {task!r}, got {name!r}{hint}"
    )


def _spec_of(name: str) -> MetricSpec:
    if name not in METRICS:
        hint = _did_you_mean(name, list(METRICS))
        raise ValueError(f"`metric` must be one of {', '.join(METRICS)}, got {name!r}{hint}")
    return METRICS[name]


def goal_of(name: str) -> Goal:
    """Whether ``name`` is maximised or minimised (Azure's ``MetricObjective``)."""
    return _spec_of(name).goal


def score_for_search(name: str, value: float) -> float:
    """``value`` as a higher-is-better score: minimised metrics are negated.

    An undefined value (NaN) becomes ``-inf`` so that it ranks last; samplers treat any
    non-finite score as unusable (``search_spaces.usable_value``).

    Example:
        >>> score_for_search("log_loss", 0.25)
        -0.25
    """
    spec = _spec_of(name)
    as_float = float(value)
    if math.isnan(as_float):
        return -math.inf
    return as_float if spec.goal == "maximize" else -as_float
