"""The AutoML searcher's proposals and the shared fold cache, without running trials."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from automl._fold_data import FoldPlan, load_fold, load_plan, prepare_folds
from automl._searcher import AutoMLSearcher, DataShape, SearchEnd
from automl._validation import choose_validation, make_folds
from automl.learners import get_learner
from tests.automl.experiment.conftest import classification_frame
from trials import TrialOutcome

SHAPE = DataShape(200, {"native": 4, "one_hot_scaled": 8}, 2)
NAMES = ["LightGBM", "LogisticRegression", "DecisionTree"]


def _searcher(seed: int = 0) -> AutoMLSearcher:
    return AutoMLSearcher([get_learner(n) for n in NAMES], "classification", SHAPE, "accuracy",
                          seed=seed)  # fmt: skip


def _drive(searcher: AutoMLSearcher, n: int) -> list[dict[str, object]]:
    asked = []
    for index in range(n):
        request = searcher.ask(index)
        assert request is not None
        asked.append(request.params)
        value = 0.5 + 0.01 * ((index * 7) % 5)
        searcher.tell(TrialOutcome(index, f"run{index}", request.params, "completed",
                                   {"accuracy": value}))  # fmt: skip
    return asked


def test_portfolio_first_round_has_every_learner_cheapest_first() -> None:
    searcher = _searcher()
    first_round = [searcher.ask(i).params for i in range(len(NAMES))]  # type: ignore[union-attr]
    assert sorted(p["learner"] for p in first_round) == sorted(NAMES)
    costs = [
        get_learner(str(p["learner"])).cost(
            p["hyperparameters"], n_rows=200,  # type: ignore[arg-type]
            n_features=SHAPE.n_features[get_learner(str(p["learner"])).info.input_kind],
            n_classes=2,
        )
        for p in first_round
    ]  # fmt: skip
    assert costs == sorted(costs)


def test_bayesian_phase_after_portfolio_is_deterministic() -> None:
    size = _searcher().portfolio_size
    first = _drive(_searcher(), size + 3)
    again = _drive(_searcher(), size + 3)
    assert first == again
    tags = _searcher().ask(size).tags  # type: ignore[union-attr]
    assert tags["phase"] == "bayesian"
    for params in first[size:]:
        learner = get_learner(str(params["learner"]))
        space = learner.search_space("classification", n_rows=200,
                                     n_features=SHAPE.n_features[learner.info.input_kind],
                                     n_classes=2)  # fmt: skip
        assert space.contains(params["hyperparameters"])


def test_config_is_json_and_names_the_search() -> None:
    import json

    config = _searcher(seed=3).config()
    assert json.loads(json.dumps(config))["seed"] == 3
    assert config["learners"] == NAMES
    with pytest.raises(ValueError, match="at least one learner"):
        AutoMLSearcher([], "classification", SHAPE, "accuracy", seed=0)


def test_fold_matrices_are_cached_once_and_memory_mapped(tmp_path: Path) -> None:
    frame = classification_frame().dropna(subset=["label"]).reset_index(drop=True)
    X, y = frame.drop(columns=["label"]), frame["label"].to_numpy()
    plan = choose_validation(len(y), task="classification", n_cross_validations=3)
    folds = make_folds(plan, y, task="classification", seed=0)
    empty = FoldPlan(str(tmp_path / "folds"), "classification", 3, len(y), ["bad", "good"],
                     None, "accuracy", None, {}, 0)  # fmt: skip
    done = prepare_folds(X, y, folds, plan=empty, kinds=["native", "one_hot_scaled"],
                         featurization=None)  # fmt: skip
    assert done.n_features["native"] == 3 + 1  # age, age__missing, income, city
    assert load_plan(done.cache_dir) == done
    stamp = (tmp_path / "folds" / "fold0_native.joblib").stat().st_mtime_ns
    prepare_folds(X, y, folds, plan=empty, kinds=["native", "one_hot_scaled"], featurization=None)
    assert (tmp_path / "folds" / "fold0_native.joblib").stat().st_mtime_ns == stamp
    data = load_fold(done.cache_dir, 0, "one_hot_scaled")
    assert isinstance(data.X_train, np.memmap)
    assert len(data.X_valid) == len(folds[0].valid) == len(data.y_valid)


def _tell(searcher: AutoMLSearcher, index: int, params: dict[str, Any], value: float) -> None:
    outcome = TrialOutcome(index, f"run{index}", params, "completed", {"accuracy": value})
    searcher.tell(outcome)


def test_ensembles_take_the_last_indexes_voting_then_stack() -> None:
    searcher = AutoMLSearcher(
        [get_learner(name) for name in NAMES], "classification", SHAPE, "accuracy", seed=0,
        end=SearchEnd(max_trials=5, voting_ensemble=True, stack_ensemble=True),
    )  # fmt: skip
    for index in range(3):
        request = searcher.ask(index)
        assert request is not None and "learner" in request.params
        if index < 2:
            _tell(searcher, index, request.params, 0.8 + index / 100)
    assert searcher.ask(3) is None  # waits for child 2: the same seed, the same ensembles
    _tell(searcher, 2, {"learner": "DecisionTree", "hyperparameters": {}}, 0.7)
    voting, stack = searcher.ask(3), searcher.ask(4)
    assert voting is not None and voting.params["ensemble"] == "VotingEnsemble"
    assert stack is not None and stack.params["ensemble"] == "StackEnsemble"
    assert voting.params["members"] == stack.params["members"] == [1, 0, 2]


def test_a_closing_search_asks_its_ensembles_without_waiting_for_running_children() -> None:
    deadline = time.monotonic() + 0.3
    searcher = AutoMLSearcher(
        [get_learner(name) for name in NAMES], "classification", SHAPE, "accuracy", seed=0,
        end=SearchEnd(max_trials=50, voting_ensemble=True, stack_ensemble=True,
                      deadline=deadline),
    )  # fmt: skip
    requests = [searcher.ask(index) for index in range(3)]
    for index in (0, 1):
        request = requests[index]
        assert request is not None
        _tell(searcher, index, request.params, 0.8 + index / 100)
    time.sleep(max(0.0, deadline - time.monotonic()) + 0.01)
    voting, stack = searcher.ask(3), searcher.ask(4)  # child 2 still runs
    assert voting is not None and voting.params["ensemble"] == "VotingEnsemble"
    assert stack is not None and stack.params["ensemble"] == "StackEnsemble"
    assert voting.params["members"] == [1, 0]
    assert searcher.ask(5) is None


def test_a_closing_search_preempts_running_children_for_its_ensembles() -> None:
    deadline = time.monotonic() + 0.3
    searcher = AutoMLSearcher(
        [get_learner(name) for name in NAMES], "classification", SHAPE, "accuracy", seed=0,
        end=SearchEnd(max_trials=50, voting_ensemble=True, deadline=deadline),
    )  # fmt: skip
    requests = [searcher.ask(index) for index in range(4)]
    for index in (0, 1):
        request = requests[index]
        assert request is not None
        _tell(searcher, index, request.params, 0.8)
    assert searcher.preempt([2, 3]) == ([], "")  # before the deadline: nothing
    time.sleep(max(0.0, deadline - time.monotonic()) + 0.01)
    stopped, reason = searcher.preempt([2, 3])
    assert stopped == [2, 3] and "deadline" in reason
    assert searcher.ask(4) is not None  # the voting ensemble
    assert searcher.preempt([2, 3, 4]) == ([], "")  # every ensemble asked: none stopped


def test_only_children_of_learners_that_can_use_a_gpu_ask_for_one() -> None:
    from trials.executors import Resources

    gpu = Resources(cpus=1, gpus=0.25)
    names = ["XGBoostClassifier", "LogisticRegression", "CatBoost"]
    searcher = AutoMLSearcher(
        [get_learner(name) for name in names], "classification", SHAPE, "accuracy", seed=0,
        gpu_resources=gpu,
    )  # fmt: skip
    asked = [searcher.ask(index) for index in range(3)]
    given = {r.params["learner"]: r.resources for r in asked if r is not None}
    assert given == {"XGBoostClassifier": gpu, "CatBoost": gpu, "LogisticRegression": None}
    assert searcher.uses_gpu("CatBoost") and not searcher.uses_gpu("LogisticRegression")
    plain = _searcher()
    assert not plain.uses_gpu("LightGBM")
