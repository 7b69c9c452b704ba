"""What a metric is: :class:`MetricSpec`, the tasks it applies to, and "undefined" values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from search_spaces import Goal

__all__ = ["TASKS", "MetricSpec", "Scoring", "Task", "UndefinedMetricError"]

Task: TypeAlias = Literal["classification", "regression", "forecasting"]
TASKS: tuple[str, ...] = ("classification", "regression", "forecasting")
"""Tasks known to the metric registry; forecasting is scored with the regression metrics."""


class UndefinedMetricError(Exception):
    """Raised by a metric's compute function when the value is undefined for the data.

    :func:`~automl.metrics.compute_metrics` turns it into ``NaN`` and keeps the message
    as the reason (see :func:`~automl.metrics.compute_metrics_report`). It never reaches a
    user: it is a signal between a metric and the scoring loop, not a user-input error.
    """


class Scoring:
    """Base of the per-call scoring state that metrics share (confusion matrix, curves, ...).

    The scoring loop sets :attr:`current` to the metric being computed, so that a compute
    function can attach a note (a clipped value, ignored classes) with :meth:`note`.
    """

    def __init__(self) -> None:
        self.current = ""
        self.notes: dict[str, str] = {}

    def note(self, text: str) -> None:
        """Attach ``text`` to the metric being computed (shown in the metrics report)."""
        previous = self.notes.get(self.current)
        self.notes[self.current] = f"{previous} {text}" if previous else text


@dataclass(frozen=True)
class MetricSpec:
    """One scalar metric of Azure Automated ML.

    Attributes:
        name: Azure's metric name, e.g. ``"AUC_weighted"``.
        tasks: The tasks it scores (forecasting uses the regression metrics).
        goal: ``"maximize"`` or ``"minimize"`` (Azure's ``MetricObjective``).
        needs_proba: Computed from class probabilities (``y_proba``), not labels.
        supports_sample_weight: ``sample_weight`` is used; when False it is ignored
            (as in Azure: ``weighted_accuracy`` and ``spearman_correlation``).
        uses_positive_label: A binary metric of one positive class (the ``*_binary``
            metrics): the second class of a binary task, or ``positive_label``.
        azure_primary: Azure accepts it as ``primary_metric`` for its task.
        bounds: The range Azure clips the value to (``inf`` for no bound).
        description: Azure's verbose name.
        compute: Computes the value from the task's shared scoring state (built by
            :func:`~automl.metrics.compute_metrics`, which is the way to call it).
    """

    name: str
    tasks: tuple[str, ...]
    goal: Goal
    needs_proba: bool
    supports_sample_weight: bool
    uses_positive_label: bool
    azure_primary: bool
    bounds: tuple[float, float]
    description: str
    compute: Callable[[Any], float]

    @property
    def worst(self) -> float:
        """The worst value in :attr:`bounds` (the lower bound of a maximised metric)."""
        return self.bounds[0] if self.goal == "maximize" else self.bounds[1]
