"""Chart data of an experiment, read from the store and its artifacts (never invented).

- best score over time, score per child by algorithm, parallel coordinates: the children's
  end times and final metrics (``latest_metrics`` through the leaderboard query) and their
  parameters;
- step curves: the metric history of the selected children;
- the best model's charts: the out-of-fold predictions its child run saved (``oof.joblib``):
  confusion matrix, ROC and precision-recall (classification), predicted vs actual and
  residuals (regression), forecasts with their quantile band against the actuals of the
  fold cache (forecasting);
- feature importance: the parent run's ``explanation.json`` (``model_explainability``).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from automl.studio._reads import json_dict

if TYPE_CHECKING:
    import pandas as pd

    from trials import Run, Workspace

__all__ = [
    "best_model_charts",
    "curves",
    "feature_importance",
    "search_charts",
]

_MAX_POINTS = 2000
_MAX_CURVE_RUNS = 10


def _parent(workspace: Workspace, name: str) -> Run | None:
    parents = workspace.runs(experiment=name, kind="parent", limit=1)
    return parents[0] if parents else None


def _objective(workspace: Workspace, name: str) -> tuple[str, str]:
    from trials.store._overview import objective_of

    metric, goal = objective_of(workspace.get_experiment(name).config)
    if metric is None or goal is None:
        raise LookupError(f"experiment {name!r} records no primary metric to chart")
    return metric, goal


def _board(workspace: Workspace, name: str, parent: Run, metric: str, goal: str) -> pd.DataFrame:
    return workspace.leaderboard(name, metric, goal, parent_id=parent.id)  # type: ignore[arg-type]


def search_charts(workspace: Workspace, name: str) -> dict[str, Any]:
    """Best score over time, score per child by algorithm, and parallel coordinates."""
    metric, goal = _objective(workspace, name)
    parent = _parent(workspace, name)
    empty = {"metric": metric, "goal": goal, "timeline": [], "by_algorithm": {}, "parallel": {}}
    if parent is None or parent.started_at is None:
        return empty
    board = _board(workspace, name, parent, metric, goal)
    if board.empty:
        return empty
    ended = {run.id: run.ended_at for run in workspace.children(parent.id)}
    timeline, best = [], None
    points = []
    for record in board.to_dict(orient="records"):
        value, end = record.get(metric), ended.get(record["run_id"])
        if record["status"] != "completed" or value is None or not math.isfinite(value):
            continue
        if end is not None:
            points.append(((end - parent.started_at).total_seconds(), float(value), record))
    points.sort(key=lambda item: item[0])
    for seconds, value, record in points:
        better = best is None or (value > best if goal == "maximize" else value < best)
        best = value if better else best
        timeline.append(
            {"seconds": seconds, "value": value, "best": best, "run_id": record["run_id"]}
        )
    by_algorithm: dict[str, list[dict[str, Any]]] = {}
    for _, value, record in points:
        algorithm = record.get("learner") or record.get("ensemble") or record["kind"]
        by_algorithm.setdefault(str(algorithm), []).append(
            {"index": record["index"], "value": value, "run_id": record["run_id"]}
        )
    return json_dict(
        {
            "metric": metric,
            "goal": goal,
            "timeline": timeline,
            "by_algorithm": by_algorithm,
            "parallel": _parallel(board, metric, workspace.metric_names(name, parent.id)),
        }
    )


def _parallel(board: pd.DataFrame, metric: str, metric_names: list[str]) -> dict[str, Any]:
    """Axes (parameters, then the metric) and one line per completed child."""
    import pandas as pd

    from automl.studio._reads import param_columns

    done = board[board["status"] == "completed"]
    skipped = ("ensemble", "members")  # an ensemble's members are trial indexes, not a knob
    columns = [c for c in param_columns(board, metric_names) if c not in skipped]
    columns = [c for c in columns if done[c].notna().any()]
    axes: list[dict[str, Any]] = []
    for column in columns:
        values = done[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        label = column.removeprefix("hyperparameters.")
        if numeric:
            axes.append({"name": label, "column": column, "type": "value"})
        else:
            categories = sorted({str(v) for v in values if v is not None and v == v})
            axes.append({"name": label, "column": column, "type": "category", "data": categories})
    axes.append({"name": metric, "column": metric, "type": "value"})
    lines = []
    for record in done.to_dict(orient="records"):
        line = []
        for axis in axes:
            value = record.get(axis["column"])
            if axis["type"] == "category":
                value = None if value is None or value != value else str(value)
            line.append(value)
        lines.append(line)
    return {"axes": [{k: v for k, v in a.items() if k != "column"} for a in axes], "lines": lines}


def curves(workspace: Workspace, run_ids: list[str], metric: str | None = None) -> dict[str, Any]:
    """Step-metric curves of the given runs (``metric``, else each run's first metric)."""
    if not 1 <= len(run_ids) <= _MAX_CURVE_RUNS:
        raise ValueError(
            f"`runs` must name 1 to {_MAX_CURVE_RUNS} runs, got {len(run_ids)}; select fewer"
        )
    series = []
    for run_id in run_ids:
        run = workspace.get_run(run_id)
        history = workspace.metric_history(run_id, metric)
        if metric is None and not history.empty:
            history = history[history["key"] == history["key"].iloc[0]]
        series.append(
            {
                "run_id": run_id,
                "label": f"#{run.index} {run.params.get('learner') or run.kind}",
                "metric": None if history.empty else str(history["key"].iloc[0]),
                "points": [
                    [int(s), float(v)]
                    for s, v in zip(history["step"], history["value"], strict=True)
                ],
            }
        )
    return json_dict({"series": series})


def _best_run_id(workspace: Workspace, name: str) -> str | None:
    from automl.studio._reads import _best_model

    parent = _parent(workspace, name)
    model = _best_model(workspace, name, parent).get("model")
    if model and model.get("run_id"):
        return str(model["run_id"])
    if parent is None:
        return None
    metric, goal = _objective(workspace, name)
    board = workspace.leaderboard(name, metric, goal, parent_id=parent.id, limit=1)  # type: ignore[arg-type]
    if board.empty or board["status"].iloc[0] != "completed":
        return None
    return str(board["run_id"].iloc[0])


def best_model_charts(workspace: Workspace, name: str) -> dict[str, Any]:
    """The best model's validation charts from its child's out-of-fold predictions."""
    import joblib

    from automl.studio._reads import task_of
    from trials import NotFoundError

    experiment = workspace.get_experiment(name)
    task = task_of(experiment.config)
    run_id = _best_run_id(workspace, name)
    if run_id is None:
        return {"task": task, "run_id": None, "note": "no completed child yet"}
    try:
        oof = joblib.load(workspace.open_artifact(run_id, "oof.joblib"))
    except NotFoundError:
        return {"task": task, "run_id": run_id, "note": "the best run saved no predictions"}
    if task == "forecasting":
        charts = _forecast(workspace, name, oof)
    elif task == "classification":
        charts = _classification(oof, experiment.config)
    else:
        charts = _regression(oof)
    return json_dict({"task": task, "run_id": run_id, **charts})


def _classification(oof: dict[str, Any], config: Any) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

    y = np.asarray(oof["y"])
    proba = np.asarray(oof["predictions"], dtype=np.float64)
    classes = np.unique(y)
    if proba.ndim != 2 or proba.shape[1] != len(classes):
        return {"note": "the predictions do not match the classes seen"}
    predicted = classes[np.argmax(proba, axis=1)]
    matrix = confusion_matrix(y, predicted, labels=classes)
    definition = (config or {}).get("searcher", {}).get("definition", {})
    positive = definition.get("positive_label")
    labels = classes.tolist()
    shown = [positive] if positive in labels else labels
    if len(labels) == 2 and positive not in labels:
        shown = [labels[1]]
    roc, pr = [], []
    for label in shown[:10]:
        column = labels.index(label)
        truth = (y == label).astype(int)
        fpr, tpr, _ = roc_curve(truth, proba[:, column])
        precision, recall, _ = precision_recall_curve(truth, proba[:, column])
        roc.append({"label": str(label), "points": _thin(np.column_stack([fpr, tpr]))})
        pr.append({"label": str(label), "points": _thin(np.column_stack([recall, precision]))})
    return {
        "classes": [str(c) for c in classes],
        "confusion_matrix": matrix.tolist(),
        "roc": roc,
        "precision_recall": pr,
    }


def _thin(points: Any) -> list[list[float]]:
    step = max(1, len(points) // _MAX_POINTS)
    kept = points[::step].tolist()
    if len(points) and kept[-1] != points[-1].tolist():
        kept.append(points[-1].tolist())
    return [[float(a), float(b)] for a, b in kept]


def _regression(oof: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    y = np.asarray(oof["y"], dtype=np.float64)
    predicted = np.asarray(oof["predictions"], dtype=np.float64).reshape(len(y), -1)[:, 0]
    step = max(1, len(y) // _MAX_POINTS)
    residuals = y - predicted
    counts, edges = np.histogram(residuals[np.isfinite(residuals)], bins=30)
    return {
        "predicted_vs_actual": np.column_stack([y, predicted])[::step].tolist(),
        "residual_histogram": {
            "counts": counts.tolist(),
            "edges": edges.tolist(),
        },
    }


def _forecast(workspace: Workspace, name: str, oof: dict[str, Any]) -> dict[str, Any]:
    """The first series' forecasts of the last rolling origin with its quantile band."""
    forecasts = oof.get("forecasts")
    if forecasts is None or forecasts.empty:
        return {"note": "the best run saved no forecasts"}
    last = forecasts[forecasts["fold"] == forecasts["fold"].max()]
    series = last["unique_id"].iloc[0]
    part = last[last["unique_id"] == series].sort_values("ds")
    quantiles = sorted(c for c in part.columns if isinstance(c, str) and c.startswith("q"))
    band = None
    if len(quantiles) >= 2:
        low, high = quantiles[0], quantiles[-1]
        band = {"low": low, "high": high, "lower": part[low].tolist(), "upper": part[high].tolist()}
    actual, note = _actuals(workspace, name, int(part["fold"].iloc[0]), series)
    dates = [str(d) for d in part["ds"]]
    actual_values = None
    if actual is not None:
        lookup = dict(zip((str(d) for d in actual["ds"]), actual["y"], strict=False))
        actual_values = [lookup.get(d) for d in dates]
    return {
        "series": str(series),
        "dates": dates,
        "forecast": part["yhat"].tolist(),
        "band": band,
        "actual": actual_values,
        "note": note,
    }


def _actuals(
    workspace: Workspace, name: str, fold: int, series: Any
) -> tuple[pd.DataFrame | None, str | None]:
    from automl.tasks.forecasting._folds import load_fold

    cache = workspace.artifact_root / "automl" / name / "folds"
    try:
        data = load_fold(str(cache), fold)
    except Exception:  # the fold cache was removed: show the forecast alone
        return None, "the actuals of this fold are no longer cached"
    actual = data.actual
    return actual[actual["unique_id"] == series], None


def feature_importance(workspace: Workspace, name: str, limit: int = 30) -> dict[str, Any]:
    """The best model's raw-feature permutation importances (the parent's explanation)."""
    from trials import NotFoundError

    parent = _parent(workspace, name)
    if parent is None:
        return {"features": [], "note": "the experiment has not started"}
    try:
        path = workspace.open_artifact(parent.id, "explanation.json")
    except NotFoundError:
        note = parent.properties.get("explanation.note") or "no explanation recorded (yet)"
        return {"features": [], "note": str(note)}
    data = json.loads(path.read_text(encoding="utf-8"))
    raw = data.get("raw") or []
    features = [
        {"name": item.get("name"), "importance": item.get("importance"), "std": item.get("std")}
        for item in raw[:limit]
    ]
    return json_dict({"metric": data.get("metric"), "features": features, "note": data.get("note")})
