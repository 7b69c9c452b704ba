"""The conformance suite every learner runs, for every task it supports (fits: see _fit)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from automl.learners import LEARNERS, get_learner
from search_spaces import RandomSampler, SearchSpace
from tests.automl.learners._data import CASES, capped, data_for, sizes

pytestmark = pytest.mark.parametrize(("name", "task"), CASES, ids=[f"{n}-{t}" for n, t in CASES])


def test_info_names_the_learner(name: str, task: str) -> None:
    learner = get_learner(name)
    assert learner.info.name == name
    assert type(learner) is LEARNERS[name]
    assert learner.info.input_kind in ("native", "one_hot_scaled")
    assert learner.info.iterative == (learner.info.iterations_param is not None)
    if learner.info.early_stopping:
        assert learner.info.iterative


def test_space_and_portfolio_share_parameter_names(name: str, task: str) -> None:
    learner = get_learner(name)
    for n_classes in (2, 3) if task == "classification" else (0,):
        space = learner.search_space(task, n_rows=1000, n_features=10, n_classes=n_classes)
        assert isinstance(space, SearchSpace)
        for config in learner.portfolio(task, n_classes=n_classes):
            assert set(config) == set(space)
        assert set(learner.default_params(task)) == set(space)
        if learner.info.iterations_param is not None:
            assert learner.info.iterations_param in space


def test_portfolio_lies_inside_the_space(name: str, task: str) -> None:
    learner = get_learner(name)
    for n_classes in (2, 3) if task == "classification" else (0,):
        big = {"n_rows": 200_000, "n_features": 50, "n_classes": n_classes}
        raw = learner.portfolio(task, n_classes=n_classes)
        assert len(raw) >= 3
        if n_classes <= 2:  # multiclass may lead with another config
            assert raw[0] == learner.default_params(task)
        space = learner.search_space(task, **big)
        outside = [config for config in raw if not space.contains(config)]
        assert not outside, f"outside the space for {big}: {outside}"
        for n_rows in (30, 200, 5000):
            small = {"n_rows": n_rows, "n_features": 6, "n_classes": n_classes}
            space = learner.search_space(task, **small)
            clipped = learner.portfolio(task, **small)
            assert clipped and all(space.contains(config) for config in clipped)
            assert len({repr(sorted(c.items())) for c in clipped}) == len(clipped)


def test_cost_is_positive_and_grows_with_rows(name: str, task: str) -> None:
    learner = get_learner(name)
    n_classes = 2 if task == "classification" else 0
    for config in learner.portfolio(task):
        costs = [
            learner.cost(config, n_rows=n, n_features=20, n_classes=n_classes)
            for n in (100, 1000, 10_000, 100_000)
        ]
        assert all(math.isfinite(c) and c > 0 for c in costs)
        assert costs == sorted(costs) and costs[-1] > costs[0]
    assert learner.cost({}, n_rows=1000, n_features=20, n_classes=n_classes) > 0


def test_sampled_configs_are_inside_the_space_and_fit(name: str, task: str) -> None:
    learner = get_learner(name)
    space = learner.search_space(task, **sizes(learner, task))
    sampler = RandomSampler(space, seed=7)
    data = data_for(learner, task)
    for index in range(3):
        config = sampler.ask(index)
        assert space.contains(config)
        model = learner.build(capped(learner, config), task, seed=0)
        learner.fit(model, data.X, data.y)
        assert np.asarray(model.predict(data.X_valid)).shape == (len(data.y_valid),)


def test_every_portfolio_config_fits(name: str, task: str) -> None:
    learner = get_learner(name)
    n_classes = 3 if task == "classification" else 0
    data = data_for(learner, task, n_classes=max(2, n_classes))
    for config in learner.portfolio(task, **sizes(learner, task, max(2, n_classes))):
        model = learner.build(capped(learner, config), task, seed=0)
        learner.fit(model, data.X, data.y)
        assert np.asarray(model.predict(data.X_valid)).shape == (len(data.y_valid),)
