"""The forecasting VotingEnsemble child: greedy selection over the children's rolling-origin
forecasts.

Every child forecasts the same rolling origins and saves its forecasts (point and quantiles,
per origin) as ``oof.joblib``. The ensemble child stacks them, for each candidate, as one array
of ``(scored rows, 1 + quantiles)``, the rows being every actual of every origin in one order,
and runs the tabular task's greedy ensemble selection with replacement
(:func:`automl.ensembles.select_voting`, Caruana et al., 2004, Azure's settings) over them
through :class:`automl.ensembles.ScoredPredictions`. A candidate ensemble is scored exactly as
a child is: :func:`forecasting.forecast_metrics` per origin (each metric averaged over
series), then the mean over origins. The weighted mean applies to every column, so the
ensemble's quantiles are the weighted means of its members' quantiles (what
:class:`forecasting.models.WeightedForecaster` forecasts once refitted).

The child returns every forecasting metric of the selected ensemble (the same set as a child),
and saves ``ensemble.json`` (members with their run ids, learners and weights; the selection
trajectory; the best child's score) and its own forecasts as ``oof.joblib``.

Time: the exact scoring costs one :func:`~forecasting.forecast_metrics` call per origin and
candidate. For the metrics it supports, selection scores with
:class:`._fast_scores.FastScorer` instead (numpy sums over precomputed origins), once it has
given the exact values on the best candidates; the ensemble's logged metrics are always exact.
When the child is given the seconds it has (a search with a timeout), it times one scoring
and keeps only as many candidates (best first) as the selection can score in about half of
that time; without a timeout it uses every candidate it was given (deterministic).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from automl.tasks.forecasting._folds import FoldData, ForecastPlan
    from trials import TrialContext

__all__ = [
    "ENSEMBLE_ARTIFACT",
    "ENSEMBLE_KEY",
    "MEMBERS_KEY",
    "VOTING",
    "FoldScorer",
    "run_ensemble",
    "stack_forecasts",
]

ENSEMBLE_KEY = "ensemble"
"""Parameter naming an ensemble child's kind."""
MEMBERS_KEY = "members"
"""Parameter listing an ensemble child's candidate members (trial indexes, best first)."""
VOTING = "VotingEnsemble"
ENSEMBLE_ARTIFACT = "ensemble.json"
"""The artifact of an ensemble child: its members (run id, learner, weight) and selection."""
_TIME_SHARE = 0.5  # of the seconds left, what selection may plan to spend scoring
_ID, _TIME, _FOLD = "unique_id", "ds", "fold"


@dataclass(frozen=True, eq=False)
class StackedForecasts:
    """The candidates' forecasts on the scored rows of every origin, one array each.

    Attributes:
        keys: ``fold``, ``unique_id``, ``ds`` of the scored rows (actuals with a value), by
            origin, then series and time.
        bounds: ``(start, end)`` rows of each origin in ``keys``.
        columns: The forecast columns of every array: ``yhat`` then the quantile columns.
        arrays: One ``(rows, columns)`` array per kept candidate.
        members: ``(run id, learner)`` of each kept candidate, in input order.
        skipped: Run id -> why a candidate was left out (missing or non-finite forecasts).
    """

    keys: pd.DataFrame
    bounds: tuple[tuple[int, int], ...]
    columns: tuple[str, ...]
    arrays: list[np.ndarray]
    members: list[tuple[str, str]]
    skipped: dict[str, str]


def stack_forecasts(
    folds: Sequence[FoldData],
    members: Sequence[tuple[str, str, str]],
    quantiles: Sequence[float],
) -> StackedForecasts:
    """Stack each candidate's saved forecasts on the scored rows of every origin.

    Args:
        folds: The cached folds (origin order).
        members: ``(run id, learner, path of its oof.joblib)`` of each candidate.
        quantiles: The experiment's quantiles (their columns are stacked after ``yhat``).
    """
    import joblib
    import numpy as np
    import pandas as pd

    from forecasting._metrics import quantile_column

    columns = ("yhat", *(quantile_column(q) for q in quantiles))
    parts = []
    for index, data in enumerate(folds):
        actual = data.actual.loc[data.actual["y"].notna(), [_ID, _TIME]]
        parts.append(actual.sort_values([_ID, _TIME], kind="stable").assign(**{_FOLD: index}))
    keys = pd.concat(parts, ignore_index=True)[[_FOLD, _ID, _TIME]]
    ends = np.cumsum([len(part) for part in parts])
    bounds = tuple((int(end - len(part)), int(end)) for end, part in zip(ends, parts, strict=True))
    arrays: list[np.ndarray] = []
    kept: list[tuple[str, str]] = []
    skipped: dict[str, str] = {}
    for run_id, learner, path in members:
        try:
            forecasts = joblib.load(path)["forecasts"]
        except (OSError, KeyError, EOFError) as error:
            skipped[run_id] = f"its forecasts could not be read ({type(error).__name__})"
            continue
        missing = [column for column in (_FOLD, _ID, _TIME, *columns) if column not in forecasts]
        if missing:
            skipped[run_id] = f"its forecasts lack the column(s) {missing}"
            continue
        merged = keys.merge(
            forecasts[[_FOLD, _ID, _TIME, *columns]], on=[_FOLD, _ID, _TIME], how="left"
        )
        values = merged[list(columns)].to_numpy(dtype=np.float64)
        if len(values) != len(keys) or not np.isfinite(values).all():
            skipped[run_id] = "its forecasts miss scored rows or hold non-finite values"
            continue
        arrays.append(values)
        kept.append((run_id, learner))
    return StackedForecasts(keys, bounds, columns, arrays, kept, skipped)


class FoldScorer:
    """Scores a stacked forecast as a child is scored: per origin, then the mean over origins.

    Args:
        folds: The cached folds (origin order).
        stacked: The layout of the stacked forecasts (:func:`stack_forecasts`).
        plan: The experiment's plan (seasonality, quantiles, primary metric).
    """

    def __init__(
        self, folds: Sequence[FoldData], stacked: StackedForecasts, plan: ForecastPlan
    ) -> None:
        from forecasting._metrics import METRIC_GOALS

        self.folds = list(folds)
        self.stacked = stacked
        self.plan = plan
        self.goal = METRIC_GOALS[plan.primary_metric]
        self.calls = 0

    def frames(self, values: np.ndarray) -> list[pd.DataFrame]:
        """The stacked forecast as one forecast frame per origin (``unique_id``, ``ds``, ...)."""
        frames = []
        keys = self.stacked.keys
        for start, end in self.stacked.bounds:
            frame = keys.iloc[start:end][[_ID, _TIME]].reset_index(drop=True)
            for j, column in enumerate(self.stacked.columns):
                frame[column] = values[start:end, j]
            frames.append(frame)
        return frames

    def metrics(self, values: np.ndarray, names: Sequence[str] | None = None) -> dict[str, float]:
        """The mean over origins of each metric (``names``; None: every one, as a child)."""
        import numpy as np

        from forecasting import forecast_metrics

        per_fold = [
            forecast_metrics(
                data.actual,
                frame,
                data.train,
                seasonality=self.plan.seasonality,
                quantiles=self.plan.quantiles,
                metrics=names,
            )
            for data, frame in zip(self.folds, self.frames(values), strict=True)
        ]
        self.calls += 1
        keys = list(dict.fromkeys(key for scores in per_fold for key in scores))
        with np.errstate(all="ignore"):
            return {
                key: float(np.nanmean([scores.get(key, math.nan) for scores in per_fold]))
                if any(math.isfinite(scores.get(key, math.nan)) for scores in per_fold)
                else math.nan
                for key in keys
            }

    def __call__(self, values: np.ndarray) -> float:
        """The primary metric of ``values`` (NaN where undefined on every origin)."""
        metric = self.plan.primary_metric
        return self.metrics(values, [metric]).get(metric, math.nan)


def _affordable(
    scorer: Callable[[np.ndarray], float], stacked: StackedForecasts, time_left_s: float | None
) -> int:
    """How many candidates (best first) the selection can score in its share of the time."""
    from automl.ensembles import VotingSettings

    count = len(stacked.arrays)
    if time_left_s is None or count <= 2:
        return count
    started = time.perf_counter()
    scorer(stacked.arrays[0])
    per_call = max(time.perf_counter() - started, 1e-6)
    rounds = VotingSettings().ensemble_size + 1  # the children's own scores, then each step
    return max(2, min(count, int(_TIME_SHARE * time_left_s / (per_call * rounds))))


def run_ensemble(
    ctx: TrialContext,
    cache_dir: str,
    members: Sequence[tuple[str, str, str]],
    time_left_s: float | None = None,
) -> dict[str, float]:
    """The VotingEnsemble child (see the module docstring).

    Args:
        ctx: The trial context.
        cache_dir: Folder of the cached folds (:mod:`._folds`).
        members: ``(run id, learner, path of its oof.joblib)`` of each candidate, best first.
        time_left_s: Seconds the child has before the search's timeout; None: no limit.

    Returns:
        Every forecasting metric of the selected ensemble (mean over origins), ``fit_time``,
        ``cost`` and ``fallback_series`` (0).

    Raises:
        ValueError: Fewer than two candidates with usable forecasts.
    """
    import joblib
    import pandas as pd

    from automl.ensembles import ScoredPredictions, select_voting
    from automl.tasks.forecasting._child import COST, FALLBACKS, FIT_TIME, OOF_ARTIFACT
    from automl.tasks.forecasting._fast_scores import checked_fast_scorer
    from automl.tasks.forecasting._folds import load_fold, load_plan

    started = time.perf_counter()
    plan = load_plan(cache_dir)
    folds = [load_fold(cache_dir, fold) for fold in range(plan.n_folds)]
    stacked = stack_forecasts(folds, members, plan.quantiles)
    if len(stacked.arrays) < 2:
        raise ValueError(
            f"a {VOTING} needs the forecasts of at least 2 children, got {len(stacked.arrays)}"
            + "".join(f"; {run_id}: {why}" for run_id, why in stacked.skipped.items())
        )
    scorer = FoldScorer(folds, stacked, plan)
    fast = checked_fast_scorer(folds, stacked, plan, scorer)
    selecting: Callable[[np.ndarray], float] = scorer if fast is None else fast
    keep = _affordable(selecting, stacked, time_left_s)
    for run_id, _ in stacked.members[keep:]:
        stacked.skipped[run_id] = "left out: not enough time to score it"
    data = ScoredPredictions.build(stacked.arrays[:keep], selecting, goal=scorer.goal)
    result = select_voting(data, seed=plan.seed)
    ensemble = data.average(result.weights)
    metrics = {k: v for k, v in scorer.metrics(ensemble).items() if math.isfinite(v)}
    chosen = [(stacked.members[j], result.weights[j]) for j in result.members]
    description = {
        "kind": VOTING,
        "members": [
            {"run_id": run_id, "learner": learner, "weight": weight}
            for (run_id, learner), weight in chosen
        ],
        "score": result.score,
        "best_child": {
            "run_id": stacked.members[result.best_child][0],
            "score": result.child_scores[result.best_child],
        },
        "trajectory": list(result.trajectory),
        "candidates": [run_id for run_id, _ in stacked.members[:keep]],
        "skipped": stacked.skipped,
        "fast_scoring": fast is not None,
        "exact_scoring_calls": scorer.calls,
    }
    path = ctx.artifact_dir / ENSEMBLE_ARTIFACT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(description, indent=2, default=float), encoding="utf-8")
    ctx.log_artifact(path, ENSEMBLE_ARTIFACT)
    frames = [frame.assign(fold=fold) for fold, frame in enumerate(scorer.frames(ensemble))]
    oof_path = ctx.artifact_dir / OOF_ARTIFACT
    joblib.dump({"forecasts": pd.concat(frames, ignore_index=True)}, oof_path)
    ctx.log_artifact(oof_path, OOF_ARTIFACT)
    metrics[COST] = float(len(chosen))
    metrics[FALLBACKS] = 0.0
    metrics[FIT_TIME] = time.perf_counter() - started
    return metrics
