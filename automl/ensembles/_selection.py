"""Greedy ensemble selection with replacement (Caruana et al., 2004): the VotingEnsemble.

The ensemble is an average of children's out-of-fold predictions, built one child at a time:
each step adds the child (possibly one already in) whose addition scores best, and the best
ensemble met along the way is kept. Azure Automated ML and AutoGluon build their voting
ensembles this way; the defaults here are Azure's (15 iterations, up to 5 initial models
within 5 % of the best, the best 50 children as candidates).

Selection reads its data through :class:`~automl.ensembles.SelectionData`: the tabular
:class:`~automl.ensembles.EnsembleData` (scored with :mod:`automl.metrics`), or
:class:`~automl.ensembles.ScoredPredictions` for arrays of any shape scored by the caller's
function (the forecasting task's rolling-origin forecasts and their quantiles).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from automl.ensembles._scored import SelectionData

__all__ = ["SelectionResult", "VotingSettings", "select_voting"]

FloatArray = NDArray[np.float64]
_RELATIVE_TIE = 1e-12


@dataclass(frozen=True)
class VotingSettings:
    """How the voting ensemble is selected.

    Attributes:
        ensemble_size: Selection iterations, counting the initial models: the weights are
            multiples of ``1 / ensemble_size`` (Azure's ``ensemble_iterations``, default 15).
        n_init: Most models in the sorted initialization. Caruana's rule: the ensemble starts
            as the average of the best ``N`` children, ``N`` (at most ``n_init``, and at most
            ``ensemble_size // 2``) chosen by the score of that average; only children within
            ``init_tolerance`` of the best child qualify (Azure's guard). 1 starts from the
            best child alone.
        init_tolerance: Relative distance to the best child's score for the initialization.
        max_candidates: Only the best children (by their own score) are candidates (Azure: 50).
        n_bags: Bagged ensemble selection (Caruana, section 4): with more than one bag, each
            bag selects from a random ``bag_fraction`` of the candidates and the weights are
            the mean of the bags' weights. 1 (the default) selects once from all candidates.
        bag_fraction: Share of the candidates in each bag.
    """

    ensemble_size: int = 15
    n_init: int = 5
    init_tolerance: float = 0.05
    max_candidates: int = 50
    n_bags: int = 1
    bag_fraction: float = 0.5

    def __post_init__(self) -> None:
        for name in ("ensemble_size", "n_init", "max_candidates", "n_bags"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be an integer >= 1, got {value!r}")
        tolerance = self.init_tolerance
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)):
            raise ValueError(f"`init_tolerance` must be a number >= 0, got {tolerance!r}")
        if not (0.0 <= tolerance < math.inf):
            raise ValueError(f"`init_tolerance` must be a number >= 0, got {tolerance!r}")
        fraction = self.bag_fraction
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)):
            raise ValueError(f"`bag_fraction` must be in (0, 1], got {fraction!r}")
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"`bag_fraction` must be in (0, 1], got {fraction!r}")


@dataclass(frozen=True)
class SelectionResult:
    """The outcome of greedy ensemble selection.

    Attributes:
        weights: One weight per child, in the input order, summing to 1 (selection counts
            over the kept ensemble's size; the mean of the bags' weights when bagged).
        score: The metric value of the weighted average of the children's predictions.
        trajectory: The metric value after the initialization and after each added child
            (of the first bag when bagged); the kept ensemble is the best point on it.
        picks: Child indices in the order they were added, initial models first (first bag).
        n_init: Number of initial models.
        best_size: Length of the kept prefix of ``picks`` (the ensemble's size).
        child_scores: Each child's own metric value, scored the same way as ``score``.
        best_child: Index of the best child by ``child_scores`` (ties: the first).
    """

    weights: tuple[float, ...]
    score: float
    trajectory: tuple[float, ...]
    picks: tuple[int, ...]
    n_init: int
    best_size: int
    child_scores: tuple[float, ...]
    best_child: int

    @property
    def members(self) -> tuple[int, ...]:
        """Indices of the children with a positive weight."""
        return tuple(j for j, w in enumerate(self.weights) if w > 0)


@dataclass(frozen=True)
class _Run:
    counts: NDArray[np.int64]
    trajectory: tuple[float, ...]
    picks: tuple[int, ...]
    n_init: int
    best_size: int


def child_scores(data: SelectionData) -> list[float]:
    """Each child's metric value on its own out-of-fold predictions."""
    return [data.score(prediction) for prediction in data.predictions]


def ranked_children(data: SelectionData, values: Sequence[float]) -> list[int]:
    """Child indices from best to worst score (undefined last; ties: input order)."""
    gains = [data.gain(value) for value in values]
    return sorted(range(len(values)), key=lambda j: (-gains[j], j))


def select_voting(
    data: SelectionData, settings: VotingSettings | None = None, *, seed: int = 0
) -> SelectionResult:
    """Greedy ensemble selection with replacement over the children's out-of-fold predictions.

    Deterministic: the same data, settings and seed give the same weights; among candidates
    that score the same, the first child in input order wins. The seed matters only for
    bagging.

    Args:
        data: The checked out-of-fold data (:meth:`EnsembleData.build`, or
            :meth:`ScoredPredictions.build` for any arrays and score function).
        settings: Selection settings; defaults to :class:`VotingSettings`.
        seed: Seed of the bags' random candidate subsets.

    Example:
        >>> import numpy as np
        >>> from automl.ensembles import ChildPredictions, EnsembleData, select_voting
        >>> y = np.array([0, 1, 1, 0])
        >>> a = ChildPredictions("a", "A", 0.75, np.array([0.2, 0.9, 0.4, 0.45]))
        >>> b = ChildPredictions("b", "B", 0.75, np.array([0.45, 0.4, 0.9, 0.2]))
        >>> data = EnsembleData.build([a, b], y, task="classification", metric="accuracy",
        ...                           classes=[0, 1])
        >>> result = select_voting(data)
        >>> result.weights, result.score
        ((0.5, 0.5), 1.0)
    """
    settings = settings or VotingSettings()
    values = child_scores(data)
    ranked = ranked_children(data, values)
    candidates = sorted(ranked[: settings.max_candidates])
    gains = np.array([data.gain(value) for value in values])
    if settings.n_bags == 1:
        runs = [_greedy(data, candidates, gains, settings)]
    else:
        rng = np.random.default_rng(seed)
        size = max(1, round(settings.bag_fraction * len(candidates)))
        runs = []
        for _ in range(settings.n_bags):
            chosen = rng.choice(len(candidates), size=size, replace=False)
            bag = sorted(candidates[int(i)] for i in chosen)
            runs.append(_greedy(data, bag, gains, settings))
    weights = np.mean([run.counts / run.counts.sum() for run in runs], axis=0)
    first = runs[0]
    return SelectionResult(
        weights=tuple(float(w) for w in weights),
        score=data.score(data.average(weights)),
        trajectory=first.trajectory,
        picks=first.picks,
        n_init=first.n_init,
        best_size=first.best_size,
        child_scores=tuple(values),
        best_child=ranked[0],
    )


def _greedy(
    data: SelectionData, candidates: list[int], gains: FloatArray, settings: VotingSettings
) -> _Run:
    """One selection run over ``candidates`` (child indices in input order)."""
    predictions = data.predictions
    init = _initial_models(data, candidates, gains, settings)
    total = np.sum([predictions[j] for j in init], axis=0)
    picks = list(init)
    value = data.score(total / len(picks))
    trajectory = [value]
    best_gain, best_size = data.gain(value), len(picks)
    buffer = np.empty_like(total)
    for _ in range(settings.ensemble_size - len(picks)):
        size = len(picks) + 1
        chosen, chosen_gain, chosen_value = candidates[0], -math.inf, math.nan
        for j in candidates:
            # The running sum makes a candidate cost one addition, not a new average.
            np.add(total, predictions[j], out=buffer)
            buffer /= size
            candidate_value = data.score(buffer)
            gain = data.gain(candidate_value)
            if _beats(gain, chosen_gain):  # ties go to the earlier child
                chosen, chosen_gain, chosen_value = j, gain, candidate_value
        total += predictions[chosen]
        picks.append(chosen)
        trajectory.append(chosen_value)
        if _beats(chosen_gain, best_gain):  # ties keep the smaller ensemble
            best_gain, best_size = chosen_gain, size
    counts = np.bincount(picks[:best_size], minlength=len(predictions)).astype(np.int64)
    return _Run(counts, tuple(trajectory), tuple(picks), len(init), best_size)


def _initial_models(
    data: SelectionData, candidates: list[int], gains: FloatArray, settings: VotingSettings
) -> list[int]:
    """Caruana's sorted initialization, limited to children near the best one (Azure)."""
    ranked = sorted(candidates, key=lambda j: (-gains[j], j))
    limit = min(settings.n_init, max(1, settings.ensemble_size // 2))
    best = gains[ranked[0]]
    if not math.isfinite(best):
        return ranked[:1]
    floor = best - settings.init_tolerance * abs(best)
    eligible = [j for j in ranked[:limit] if gains[j] >= floor]
    if len(eligible) == 1:
        return eligible
    total = np.zeros_like(data.predictions[0])
    chosen_size, chosen_gain = 1, -math.inf
    for size, j in enumerate(eligible, start=1):
        total += data.predictions[j]
        gain = data.gain(data.score(total / size))
        if _beats(gain, chosen_gain):
            chosen_size, chosen_gain = size, gain
    return eligible[:chosen_size]


def _beats(gain: float, other: float) -> bool:
    """``gain > other`` by more than rounding.

    Averaging a child with itself, or two candidates of equal value, must not look like an
    improvement because of the last bits of a float.
    """
    if other == -math.inf:
        return gain > other
    return gain > other + _RELATIVE_TIE * max(1.0, abs(other))
