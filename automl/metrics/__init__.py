"""Azure Automated ML's scalar metrics: the registry, goals, and one-pass computation.

Names and definitions follow Azure (``azureml.automl.core.shared.constants.Metric`` for the
names, sets and objectives; ``azureml.training.tabular.score`` for the formulas). Importing
this package loads numpy only; scikit-learn is imported lazily by the one metric that needs
it (the weighted median absolute error).

Example:
    >>> from automl.metrics import compute_metrics, default_metric, score_for_search
    >>> default_metric("regression")
    'normalized_root_mean_squared_error'
    >>> values = compute_metrics("regression", [1.0, 2.0, 4.0], [1.0, 2.5, 3.0])
    >>> round(values["mean_absolute_error"], 3)
    0.5
    >>> score_for_search("mean_absolute_error", values["mean_absolute_error"])
    -0.5
"""

from __future__ import annotations

from automl.metrics._compute import MetricsReport, compute_metrics, compute_metrics_report
from automl.metrics._registry import (
    METRICS,
    default_metric,
    goal_of,
    metric_names,
    score_for_search,
    validate_metric,
)
from automl.metrics._spec import TASKS, MetricSpec

__all__ = [
    "METRICS",
    "TASKS",
    "MetricSpec",
    "MetricsReport",
    "compute_metrics",
    "compute_metrics_report",
    "default_metric",
    "goal_of",
    "metric_names",
    "score_for_search",
    "validate_metric",
]
