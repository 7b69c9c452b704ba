"""What the parent learns about the best model once it is refitted: test scores, explanation.

Both are recorded on the parent run (properties, and the explanation as the artifact
``explanation.json``) and returned in the result. The explanation runs in what is left of
the time budget: its cost is estimated from one timed prediction, and the number of rows
and repeats shrinks to fit; when even one repeat would not fit it is skipped, and the
result says why.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._config import AutoMLConfig
    from automl._explain import Explanation
    from automl._pipeline import AutoMLPipeline
    from automl._prepare import PreparedData
    from trials import Workspace

__all__ = ["Assessment", "assess"]

_EXPLAIN_REPEATS = 5
_EXPLAIN_ROWS = 5000
_MIN_EXPLAIN_ROWS = 200


@dataclass(frozen=True)
class Assessment:
    """Test scores (empty without test data) and the explanation (None with the reason)."""

    test_scores: dict[str, float]
    explanation: Explanation | None
    explanation_note: str | None


def _scores(
    model: AutoMLPipeline,
    X: Any,
    y: Any,
    weights: Any,
    config: AutoMLConfig,
    prepared: PreparedData,
) -> dict[str, float]:
    import numpy as np

    from automl.metrics import compute_metrics

    plan = prepared.plan
    if config.task == "classification":
        values = compute_metrics(
            "classification",
            y,
            y_proba=model.predict_proba(X),
            classes=plan.classes,
            positive_label=plan.positive_label,
            sample_weight=weights,
        )
    else:
        y_range = None if plan.y_range is None else (plan.y_range[0], plan.y_range[1])
        values = compute_metrics(
            config.task,
            y,
            np.asarray(model.predict(X), dtype=np.float64),
            y_range=y_range,
            sample_weight=weights,
        )
    return {name: float(value) for name, value in values.items() if math.isfinite(value)}


def _explain(
    model: AutoMLPipeline, config: AutoMLConfig, prepared: PreparedData, seconds_left: float | None
) -> tuple[Explanation | None, str | None]:
    """Permutation importance sized to the time left (None and why when it cannot fit)."""
    from automl._explain import explain_model

    X, y = prepared.explain
    rows = min(len(X), _EXPLAIN_ROWS)
    repeats = _EXPLAIN_REPEATS
    if seconds_left is not None:
        sample = X.iloc[: min(rows, 500)]
        started = time.perf_counter()
        predict = model.predict_proba if config.task == "classification" else model.predict
        predict(sample)
        per_row = (time.perf_counter() - started) / max(1, len(sample))
        # raw columns x repeats predictions, and as many again for engineered columns
        per_pass = 2.0 * per_row * X.shape[1] + 1e-9
        affordable_rows = int(0.8 * seconds_left / (per_pass * repeats))
        if affordable_rows < rows:
            repeats = 3
            affordable_rows = int(0.8 * seconds_left / (per_pass * repeats))
        rows = min(rows, affordable_rows)
        if rows < min(_MIN_EXPLAIN_ROWS, len(X)):
            return None, (
                f"skipped: explaining would take about {per_pass * repeats * len(X):.0f} s, "
                f"{seconds_left:.0f} s of the budget were left"
            )
    plan = prepared.plan
    y_range = None if plan.y_range is None else (plan.y_range[0], plan.y_range[1])
    try:
        explanation = explain_model(
            model,
            X,
            y,
            task=config.task,
            metric=str(config.primary_metric),
            n_repeats=repeats,
            seed=config.seed,
            max_rows=rows,
            y_range=y_range,
            positive_label=plan.positive_label,
        )
    except ValueError as error:  # e.g. a metric undefined on these rows
        return None, f"skipped: {error}"
    return explanation, None


def assess(
    model: AutoMLPipeline,
    config: AutoMLConfig,
    prepared: PreparedData,
    workspace: Workspace,
    parent_run_id: str,
    seconds_left: float | None,
) -> Assessment:
    """Score the best model on the test data and explain it; record both on the parent run.

    Args:
        model: The refitted best model.
        config: The experiment's configuration (``model_explainability``, metric, seed).
        prepared: The data prep (test rows, rows to explain on).
        workspace: Where the parent run is.
        parent_run_id: The experiment's parent run.
        seconds_left: What is left of the time budget (None: no budget).
    """
    test_scores: dict[str, float] = {}
    if prepared.test is not None:
        test_X, test_y, test_w = prepared.test
        test_scores = _scores(model, test_X, test_y, test_w, config, prepared)
    explanation, note = None, None
    if config.model_explainability:
        explanation, note = _explain(model, config, prepared, seconds_left)
    writer = workspace.writer()
    properties: dict[str, Any] = {}
    if test_scores:
        properties["test_scores"] = json.dumps(test_scores, sort_keys=True)
    if explanation is not None:
        from automl._explain import EXPLANATION_ARTIFACT

        properties.update(explanation.properties())
        payload = json.dumps(explanation.to_dict(), indent=2).encode("utf-8")
        writer.log_artifact(parent_run_id, payload, EXPLANATION_ARTIFACT)
    if note is not None:
        properties["explanation.note"] = note
    if properties:
        writer.set_properties(parent_run_id, properties)
    writer.commit()
    return Assessment(test_scores, explanation, note)
