"""build_ensembles and is_better: the searcher's entry point, and its input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from automl.ensembles import ChildPredictions, EnsembleCandidate, build_ensembles, is_better
from tests.automl.ensembles._cases import child, complementary_binary


def test_voting_candidate_describes_the_ensemble() -> None:
    children, y = complementary_binary()
    [voting] = build_ensembles(
        children, y, task="classification", metric="accuracy", classes=[0, 1], seed=0
    )
    assert isinstance(voting, EnsembleCandidate)
    assert voting.kind == "VotingEnsemble"
    assert voting.member_run_ids == ("a", "b")
    assert voting.weights == (0.5, 0.5)
    assert (voting.oof_score, voting.best_child_run_id, voting.best_child_score) == (1.0, "a", 0.75)
    assert voting.beats_best_child
    assert voting.classes == (0, 1)
    assert voting.trajectory[-1] <= 1.0


def test_nothing_enabled_gives_no_candidate() -> None:
    children, y = complementary_binary()
    assert (
        build_ensembles(
            children,
            y,
            task="classification",
            metric="accuracy",
            classes=[0, 1],
            enable_voting=False,
        )
        == []
    )


@pytest.mark.parametrize(
    ("metric", "a", "b", "expected"),
    [
        ("accuracy", 0.9, 0.8, True),
        ("accuracy", 0.8, 0.8, False),
        ("log_loss", 0.2, 0.3, True),
        ("normalized_root_mean_squared_error", 0.3, 0.2, False),
        ("r2_score", math.nan, 0.1, False),
        ("r2_score", 0.1, math.nan, True),
    ],
)
def test_is_better_follows_the_goal(metric: str, a: float, b: float, expected: bool) -> None:
    assert is_better(metric, a, b) is expected


def _call(children: object, y: object = (0, 1, 1), **kwargs: object) -> None:
    options: dict[str, object] = {"task": "classification", "metric": "accuracy", "classes": [0, 1]}
    options.update(kwargs)
    build_ensembles(children, y, **options)  # type: ignore[arg-type]


GOOD = [child("run_1", [0.2, 0.7, 0.6]), child("run_2", [0.4, 0.6, 0.9], "XGBoost")]


@pytest.mark.parametrize(
    ("children", "kwargs", "match"),
    [
        ([], {}, "`children_oof` must hold at least one child, got an empty sequence"),
        (
            [*GOOD[:1], child("run_2", [[0.8, 0.2]] * 2, "XGBoost")],
            {},
            r"child 'run_2' \(XGBoost\): `oof` must have shape \(3, 2\).*got \(2, 2\)",
        ),
        (
            [*GOOD[:1], child("run_2", [0.1, math.nan, 0.5])],
            {},
            r"child 'run_2' \(LightGBM\): `oof` must be finite, got 1 NaN",
        ),
        (GOOD, {"metric": "acuracy"}, r"`metric` must be one of .* \(did you mean 'accuracy'\?\)"),
        (GOOD, {"metric": "r2_score"}, "'r2_score' is a metric of regression"),
        (GOOD, {"task": "ranking"}, "`task` must be one of classification, regression"),
        (GOOD, {"classes": None}, "`classes` is required for classification"),
        (GOOD, {"classes": [0, 0]}, "`classes` must not repeat a label"),
        (GOOD, {"y": (0, 1, 2)}, r"`y` must hold only labels in `classes` \(\[0, 1\]\), got \[2\]"),
        (GOOD, {"sample_weight": [1, 1]}, r"`sample_weight` must have shape \(3,\)"),
        (GOOD, {"sample_weight": [0, 0, 0]}, "`sample_weight` must be non-negative with a pos"),
        (GOOD, {"folds": [0, 1]}, r"`folds` must have shape \(3,\)"),
        ([GOOD[0], GOOD[0]], {}, "must not repeat a run id, got 'run_1' twice"),
        ([GOOD[0], "run_2"], {}, r"`children_oof\[1\]` must be a ChildPredictions, got str"),
        (
            [child("run_1", [[0.5, 0.5]] * 3, classes=[0, 5])],
            {},
            r"child 'run_1' \(LightGBM\): `classes` must hold only labels in `classes`",
        ),
        (
            GOOD,
            {"task": "regression", "metric": "r2_score", "positive_label": 1},
            "`classes` and `positive_label` apply to classification only",
        ),
        (
            [child("r", [1.0, 2.0])],
            {"task": "regression", "classes": None, "metric": "r2_score"},
            r"child 'r' \(LightGBM\): `oof` must have shape \(3,\)",
        ),
    ],
)
def test_input_errors(children: object, kwargs: dict[str, object], match: str) -> None:
    y = kwargs.pop("y", (0, 1, 1))
    with pytest.raises(ValueError, match=match):
        _call(children, y, **kwargs)


def test_build_model_needs_every_member() -> None:
    children, y = complementary_binary()
    [voting] = build_ensembles(
        children, y, task="classification", metric="accuracy", classes=[0, 1]
    )
    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        voting.build_model({"a": object()})


def test_child_score_is_informational() -> None:
    y = np.array([0, 1, 1, 0])
    children = [ChildPredictions("a", "A", 0.99, np.array([0.2, 0.9, 0.4, 0.45]))]
    [voting] = build_ensembles(
        children, y, task="classification", metric="accuracy", classes=[0, 1]
    )
    assert voting.best_child_score == 0.75  # rescored on the rows, not taken from `score`
    assert not voting.beats_best_child
