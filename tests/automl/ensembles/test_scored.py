"""Greedy selection over arrays of any shape scored by the caller's function."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from automl.ensembles import (
    ChildPredictions,
    EnsembleData,
    ScoredPredictions,
    VotingSettings,
    select_voting,
)


def _pinball(truth: NDArray[np.float64], qs: tuple[float, ...]) -> Any:
    """Mean absolute error of column 0 plus the pinball loss of the quantile columns."""

    def loss(stacked: NDArray[np.float64]) -> float:
        value = float(np.abs(stacked[:, 0] - truth).mean())
        for k, q in enumerate(qs, start=1):
            diff = truth - stacked[:, k]
            value += float(np.maximum(q * diff, (q - 1) * diff).mean())
        return value

    return loss


def test_two_biased_forecasts_average_to_the_truth_column_by_column() -> None:
    truth = np.linspace(10.0, 20.0, 12)
    spread = np.column_stack([truth, truth - 2.0, truth + 2.0])
    low, high = spread - 1.5, spread + 1.5  # each child biased, in opposite directions
    data = ScoredPredictions.build([low, high], _pinball(truth, (0.1, 0.9)), goal="minimize")
    result = select_voting(data)
    assert result.weights == (0.5, 0.5)
    np.testing.assert_allclose(data.average(result.weights), spread)
    assert result.score == pytest.approx(_pinball(truth, (0.1, 0.9))(spread))
    assert result.score < min(result.child_scores)


def test_a_maximised_score_picks_the_best_child_alone() -> None:
    truth = np.arange(8.0)
    good, bad = truth + 0.1, truth[::-1].copy()

    def correlation(prediction: NDArray[np.float64]) -> float:
        if np.ptp(prediction) == 0:  # (bad + good) / 2 is constant: undefined
            return math.nan
        return float(np.corrcoef(prediction, truth)[0, 1])

    data = ScoredPredictions.build([bad, good], correlation, goal="maximize")
    result = select_voting(data, VotingSettings(ensemble_size=5))
    assert result.best_child == 1
    assert result.weights == (0.0, 1.0)
    assert result.score == pytest.approx(1.0)


def test_same_selection_as_ensemble_data_for_a_tabular_metric() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=60)
    oofs = [y + rng.normal(0, 0.5 + 0.2 * j, 60) + 0.3 * (-1) ** j for j in range(5)]
    tabular = EnsembleData.build(
        [ChildPredictions(f"r{j}", "A", math.nan, oof) for j, oof in enumerate(oofs)],
        y,
        task="regression",
        metric="mean_absolute_error",
    )
    generic = ScoredPredictions.build(oofs, lambda p: float(np.abs(p - y).mean()), goal="minimize")
    assert select_voting(generic).weights == pytest.approx(select_voting(tabular).weights)


def test_nan_scores_rank_last() -> None:
    data = ScoredPredictions.build(
        [np.zeros(3), np.ones(3)],
        lambda p: math.nan if p.sum() == 0 else float(p.sum()),
        goal="minimize",
    )
    assert data.gain(math.nan) == -math.inf
    assert select_voting(data).best_child == 1


@pytest.mark.parametrize(
    ("predictions", "goal", "match"),
    [
        ([], "minimize", r"`predictions` must hold at least one array, got none"),
        ("abc", "minimize", r"`predictions` must be a sequence of arrays, got str"),
        ([np.ones(3), np.ones(4)], "minimize", r"`predictions\[1\]` must have the shape of "
         r"`predictions\[0\]` \(3,\), got \(4,\)"),
        ([np.array([1.0, math.nan])], "minimize", r"`predictions\[0\]` must be a non-empty "
         r"array of finite numbers, got 1 NaN or infinite of 2"),
        ([np.array(["a", "b"])], "minimize", r"`predictions\[0\]` must be numeric"),
        ([np.ones(3)], "lower", r"`goal` must be one of maximize, minimize, got 'lower'"),
    ],
)  # fmt: skip
def test_bad_inputs_are_named(predictions: Any, goal: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ScoredPredictions.build(predictions, lambda p: 0.0, goal=goal)


def test_the_scorer_must_be_callable() -> None:
    with pytest.raises(ValueError, match=r"`scorer` must be callable, got int"):
        ScoredPredictions.build([np.ones(2)], 3, goal="minimize")  # type: ignore[arg-type]


def test_bad_weights_are_an_error() -> None:
    data = ScoredPredictions.build([np.ones(2), np.zeros(2)], lambda p: 0.0, goal="minimize")
    with pytest.raises(ValueError, match=r"`weights` must be 2 finite numbers with a positive"):
        data.average([0.0, 0.0])
