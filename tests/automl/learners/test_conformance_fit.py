"""The conformance suite, part two: fitting, predicting, pickling, weights, chunks.

Split from test_conformance.py so that pytest-xdist (``--dist loadfile``) runs the two halves
on two workers.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from automl.learners import get_learner
from automl.learners._base import chunk_ends
from tests.automl.learners._data import CAP, CASES, N_TRAIN, capped, data_for, fit_small, sizes

over_cases = pytest.mark.parametrize(("name", "task"), CASES, ids=[f"{n}-{t}" for n, t in CASES])
# Shapes are also checked with three classes; sparse input only for one-hot learners.
SHAPE_CASES = [(n, t, k) for n, t in CASES for k in ((2, 3) if t == "classification" else (0,))]
ONE_HOT_CASES = [(n, t) for n, t in CASES if get_learner(n).info.input_kind == "one_hot_scaled"]


def _outputs(model: Any, X: Any, task: str) -> np.ndarray:
    if task == "classification":
        return np.asarray(model.predict_proba(X))
    return np.asarray(model.predict(X))


@pytest.mark.parametrize(
    ("name", "task", "n_classes"), SHAPE_CASES, ids=[f"{n}-{t}-{k}" for n, t, k in SHAPE_CASES]
)
def test_predictions_have_the_right_shape(name: str, task: str, n_classes: int) -> None:
    learner = get_learner(name)
    model = fit_small(learner, task, n_classes=max(2, n_classes))
    data = data_for(learner, task, max(2, n_classes))
    predictions = np.asarray(model.predict(data.X_valid))
    assert predictions.shape == (len(data.y_valid),)
    if task == "regression":
        assert np.issubdtype(predictions.dtype, np.floating)
        assert np.all(np.isfinite(predictions))
        return
    expected = np.unique(data.y)  # "no"/"yes", or 10/20/30: strings and ints alike
    np.testing.assert_array_equal(model.classes_, expected)
    proba = np.asarray(model.predict_proba(data.X_valid))
    assert proba.shape == (len(data.y_valid), n_classes)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(proba >= 0)
    # predict agrees with the most probable class, in classes_ order
    np.testing.assert_array_equal(predictions, model.classes_[np.argmax(proba, axis=1)])
    train_accuracy = np.mean(model.predict(data.X) == data.y)
    assert train_accuracy > 1.0 / n_classes  # it learned something


@over_cases
def test_pickle_round_trip_predicts_the_same(name: str, task: str) -> None:
    learner = get_learner(name)
    model = fit_small(learner, task)
    data = data_for(learner, task)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(
        _outputs(restored, data.X_valid, task), _outputs(model, data.X_valid, task)
    )


@over_cases
def test_same_seed_same_predictions(name: str, task: str) -> None:
    learner = get_learner(name)
    space = learner.search_space(task, **sizes(learner, task))
    from search_spaces import RandomSampler

    config = RandomSampler(space, seed=3).ask(0)  # random config: bagging, dropout, ...
    data = data_for(learner, task)
    first = _outputs(fit_small(learner, task, config, seed=5), data.X_valid, task)
    second = _outputs(fit_small(learner, task, config, seed=5), data.X_valid, task)
    np.testing.assert_array_equal(first, second)


@over_cases
def test_sample_weights_are_used_or_refused(name: str, task: str) -> None:
    learner = get_learner(name)
    data = data_for(learner, task)
    weights = np.where(np.arange(N_TRAIN) % 2 == 0, 1.0, 3.0)
    model = learner.build(capped(learner, learner.default_params(task)), task, seed=0)
    if not learner.info.supports_sample_weight:
        with pytest.raises(ValueError, match=r"`sample_weight` must be None for " + name):
            learner.fit(model, data.X, data.y, sample_weight=weights)
        return
    learner.fit(model, data.X, data.y, sample_weight=weights)
    assert np.asarray(model.predict(data.X_valid)).shape == (len(data.y_valid),)
    with pytest.raises(ValueError, match=r"one weight per row \(200\), got 3"):
        learner.fit(model, data.X, data.y, sample_weight=weights[:3])


@pytest.mark.parametrize(
    ("name", "task"), ONE_HOT_CASES, ids=[f"{n}-{t}" for n, t in ONE_HOT_CASES]
)
def test_one_hot_learners_take_sparse_input(name: str, task: str) -> None:
    learner = get_learner(name)
    csr = data_for(learner, task, as_sparse=True)
    model = learner.build(capped(learner, learner.default_params(task)), task, seed=0)
    learner.fit(model, csr.X, csr.y, eval_set=(csr.X_valid, csr.y_valid))
    outputs = _outputs(model, csr.X_valid, task)
    assert outputs.shape[0] == len(csr.y_valid) and np.all(np.isfinite(outputs))


@over_cases
def test_chunks_report_and_stop(name: str, task: str) -> None:
    learner = get_learner(name)
    data = data_for(learner, task)
    calls: list[int] = []

    def record(step: int, model: Any) -> bool:
        calls.append(step)
        assert _outputs(model, data.X_valid, task).shape[0] == len(data.y_valid)
        return False

    whole = fit_small(learner, task)
    chunked = fit_small(learner, task, on_chunk=record, chunks=3)
    expected = [1, 2, 3] if learner.info.iterative else [1]
    assert calls == expected
    # chunking only observes: the model is the one an unchunked fit grows
    np.testing.assert_allclose(
        _outputs(chunked, data.X_valid, task), _outputs(whole, data.X_valid, task), rtol=1e-6
    )
    calls.clear()
    stopped = fit_small(
        learner, task, on_chunk=lambda step, model: calls.append(step) or True, chunks=3
    )
    assert calls == [1]
    param = learner.info.iterations_param
    if param is not None:  # the model keeps what the first of three chunks grew
        assert learner.fitted_iterations(stopped) == chunk_ends(CAP[param], 3)[0]


@over_cases
def test_early_stopping_on_eval_set(name: str, task: str) -> None:
    learner = get_learner(name)
    data = data_for(learner, task)
    param = learner.info.iterations_param
    model = learner.build(learner.default_params(task), task, seed=0)
    if param is not None:
        model = learner.build({param: 40}, task, seed=0)
    calls: list[int] = []
    learner.fit(
        model,
        data.X,
        data.y,
        eval_set=(data.X_valid, data.y_valid),
        on_chunk=lambda step, m: calls.append(step) or False,
        chunks=4,
    )
    assert np.asarray(model.predict(data.X_valid)).shape == (len(data.y_valid),)
    used = learner.fitted_iterations(model)
    refit = learner.refit_params(model, learner.default_params(task))
    if param is None:
        assert used is None and calls == [1]
        return
    assert used is not None and 1 <= used <= 40
    assert refit[param] == used
    assert calls == sorted(set(calls)) and 1 <= len(calls) <= 4
