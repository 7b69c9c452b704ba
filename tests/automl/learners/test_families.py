"""Behaviour specific to some families: early stopping, input adaptation, fallbacks."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl.learners import LEARNERS, get_learner
from tests.automl.learners._data import Recorder, data_for, frame, split, target

EARLY_STOPPING = [name for name, cls in LEARNERS.items() if cls.info.early_stopping]
FAST = {  # a high learning rate, so that the validation loss turns early
    "LightGBM": {"learning_rate": 0.3},
    "XGBoostClassifier": {"learning_rate": 0.3},
    "XGBoostRegressor": {"learning_rate": 0.3},
    "CatBoost": {"learning_rate": 0.2, "depth": 4},
    "GradientBoosting": {"learning_rate": 0.3},
    "TabularMLP": {"learning_rate": 0.01, "hidden_size": 32, "num_layers": 2},
}


@pytest.mark.parametrize("name", EARLY_STOPPING)
def test_early_stopping_ends_before_the_cap_and_ignores_chunking(name: str) -> None:
    learner = get_learner(name)
    param = learner.info.iterations_param
    assert param is not None
    cap = 300 if name == "TabularMLP" else 1500
    params = {**FAST[name], param: cap}
    task = learner.info.tasks[0]
    data = data_for(learner, task)
    outputs = []
    for chunks in (1, 6):
        recorder = Recorder()
        model = learner.build(params, task, seed=0)
        learner.fit(
            model,
            data.X,
            data.y,
            eval_set=(data.X_valid, data.y_valid),
            on_chunk=recorder,
            chunks=chunks,
        )
        used = learner.fitted_iterations(model)
        assert used is not None and used < cap // 2, "early stopping did not stop"
        steps = recorder.steps
        assert steps == list(range(1, len(steps) + 1)) and len(steps) < max(2, chunks)
        predict = model.predict_proba if task == "classification" else model.predict
        outputs.append(np.asarray(predict(data.X_valid)))
    np.testing.assert_allclose(outputs[0], outputs[1], rtol=1e-6)


def test_chunk_views_predict_like_the_model_at_that_point() -> None:
    lgbm = get_learner("LightGBM")
    data = split("native", "classification")
    seen: list[np.ndarray] = []
    model = lgbm.build({"n_estimators": 30}, "classification", seed=0)
    lgbm.fit(
        model,
        data.X,
        data.y,
        on_chunk=lambda step, view: seen.append(view.predict_proba(data.X_valid)) or False,
        chunks=3,
    )
    shorter = lgbm.fit(lgbm.build({"n_estimators": 10}, "classification", seed=0), data.X, data.y)
    np.testing.assert_allclose(seen[0], shorter.predict_proba(data.X_valid), rtol=1e-9)
    np.testing.assert_allclose(seen[-1], model.predict_proba(data.X_valid), rtol=1e-9)
    assert list(model.classes_) == ["no", "yes"]


def test_histogram_boosting_takes_more_categories_than_bins() -> None:
    learner = get_learner("GradientBoosting")
    X = frame().copy()
    levels = [f"v{i}" for i in range(300)]
    X["wide"] = pd.Categorical([levels[(7 * i) % 300] for i in range(len(X))], categories=levels)
    y = target("regression")
    model = learner.fit(learner.build({"max_iter": 10}, "regression", seed=0), X, y)
    assert model.estimator.categorical_features == [False] * 4 + [True, True, False]
    assert np.asarray(model.predict(X)).shape == (len(X),)


def test_native_models_refuse_other_columns() -> None:
    learner = get_learner("RandomForest")
    data = split("native", "classification")
    model = learner.fit(
        learner.build({"n_estimators": 5}, "classification", seed=0), data.X, data.y
    )
    with pytest.raises(ValueError, match=r"`X` must have the columns the model was fitted on"):
        model.predict(data.X_valid.drop(columns=["x0"]))


def test_unseen_validation_labels_are_an_error() -> None:
    learner = get_learner("XGBoostClassifier")
    data = split("native", "classification")
    model = learner.build({"n_estimators": 5}, "classification", seed=0)
    y_valid = np.where(data.y_valid == "yes", "maybe", data.y_valid)
    with pytest.raises(ValueError, match=r"`y_valid` has labels that the training labels do not"):
        learner.fit(model, data.X, data.y, eval_set=(data.X_valid, y_valid))


def test_knn_caps_neighbours_at_the_training_rows() -> None:
    learner = get_learner("KNN")
    data = split("one_hot_scaled", "regression")
    params = {"n_neighbors": 500, "weights": "uniform"}
    model = learner.fit(learner.build(params, "regression", seed=0), data.X, data.y)
    assert model.n_neighbors == 200
    assert np.allclose(model.predict(data.X_valid), model.predict(data.X_valid)[0])


def test_linear_svm_falls_back_to_softmax_for_a_singleton_class() -> None:
    learner = get_learner("LinearSVM")
    data = split("one_hot_scaled", "classification", 3)
    y = data.y.copy()
    y[0] = 99  # one row of its own class: no calibration folds possible
    model = learner.fit(learner.build({}, "classification", seed=0), data.X, y)
    assert not model.calibrated_
    proba = model.predict_proba(data.X_valid)
    assert proba.shape == (40, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    calibrated = learner.fit(learner.build({}, "classification", seed=0), data.X, data.y)
    assert calibrated.calibrated_


def test_mlp_pickles_weights_and_leaves_the_global_rng_alone() -> None:
    import torch

    learner = get_learner("TabularMLP")
    data = split("one_hot_scaled", "regression")
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    model = learner.fit(learner.build({"max_epochs": 3}, "regression", seed=0), data.X, data.y)
    assert torch.equal(torch.rand(1), expected_next)
    restored: Any = pickle.loads(pickle.dumps(model))
    assert restored.module_ is None  # rebuilt from numpy weights on first use
    np.testing.assert_array_equal(restored.predict(data.X_valid), model.predict(data.X_valid))


def test_catboost_leaves_no_training_files(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    learner = get_learner("CatBoost")
    data = split("native", "classification")
    model = learner.build({"iterations": 9}, "classification", seed=0)
    learner.fit(model, data.X, data.y, eval_set=(data.X_valid, data.y_valid), chunks=3)
    assert list(tmp_path.iterdir()) == []
    assert model.estimator.get_params().get("train_dir") is None
