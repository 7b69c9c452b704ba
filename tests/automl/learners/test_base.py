"""The learner contract's checks and helpers, shown on a few learners."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from automl.learners import LearnerInfo, get_learner
from automl.learners._base import chunk_ends, unknown_name
from automl.learners._spaces import clip_to_space
from search_spaces import SearchSpace, choice, loguniform, quniform, uniform
from tests.automl.learners._data import split


def test_import_loads_no_learning_library() -> None:
    code = "import sys, json, automl.learners\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(output)}
    heavy = {"numpy", "pandas", "scipy", "sklearn", "lightgbm", "xgboost", "catboost", "torch"}
    assert not loaded & (heavy | {"optuna"})


def test_chunk_ends_split_evenly() -> None:
    assert chunk_ends(12, 3) == (4, 8, 12)
    assert chunk_ends(10, 3) == (4, 7, 10)
    assert chunk_ends(2, 5) == (1, 2)
    assert chunk_ends(7, 1) == (7,)


def test_clip_to_space_moves_values_inside() -> None:
    space = SearchSpace(
        {
            "lr": loguniform(-5.0, -1.0),
            "n": quniform(4, 20, 1),
            "f": uniform(0.3, 1.0),
            "k": choice(2, 5, 10),
            "s": choice("a", "b"),
        }
    )
    clipped = clip_to_space({"lr": 1.0, "n": 64, "f": 0.1, "k": 7, "s": "z"}, space)
    assert space.contains(clipped)
    assert clipped["n"] == 20 and clipped["f"] == 0.3 and clipped["k"] == 5 and clipped["s"] == "a"
    inside = {"lr": 0.1, "n": 8, "f": 0.5, "k": 10, "s": "b"}
    assert clip_to_space(inside, space) == inside
    with pytest.raises(ValueError, match="must match the search space"):
        clip_to_space({"lr": 0.1}, space)


def test_unknown_name_message() -> None:
    assert unknown_name("`x` has unknown key", "num_leave", ["num_leaves", "lr"]) == (
        "`x` has unknown key 'num_leave'; did you mean 'num_leaves'? Valid: num_leaves, lr"
    )


def test_build_checks_params_task_and_options() -> None:
    lgbm = get_learner("LightGBM")
    with pytest.raises(
        ValueError,
        match=r"^`params` for LightGBM has unknown key 'num_leave'; did you mean 'num_leaves'\? "
        r"Valid: colsample_bytree, ",
    ):
        lgbm.build({"num_leave": 8}, "classification", seed=0)
    with pytest.raises(ValueError, match=r"`task` must be one of classification for LinearSVM"):
        get_learner("LinearSVM").build({}, "regression", seed=0)
    with pytest.raises(ValueError, match=r"`seed` must be an integer >= 0, got -1"):
        lgbm.build({}, "regression", seed=-1)
    with pytest.raises(ValueError, match=r"`n_jobs` must be an integer >= 1, got 0"):
        lgbm.build({}, "regression", seed=0, n_jobs=0)
    with pytest.raises(ValueError, match=r"`gpu` must be False for LightGBM, which trains on CPU"):
        lgbm.build({}, "regression", seed=0, gpu=True)
    with pytest.raises(ValueError, match=r"`params` must be a mapping"):
        lgbm.build([("num_leaves", 8)], "regression", seed=0)  # type: ignore[arg-type]


def test_missing_params_take_the_defaults() -> None:
    lgbm = get_learner("LightGBM")
    model = lgbm.build({"num_leaves": 7}, "regression", seed=3)
    params = model.get_params()
    assert params["num_leaves"] == 7
    assert params["learning_rate"] == lgbm.default_params("regression")["learning_rate"]
    assert params["random_state"] == 3


def test_fit_checks_its_arguments() -> None:
    learner = get_learner("LogisticRegression")
    data = split("one_hot_scaled", "classification")
    model = learner.build({}, "classification", seed=0)
    with pytest.raises(ValueError, match=r"`chunks` must be an integer >= 1, got 0"):
        learner.fit(model, data.X, data.y, chunks=0)
    with pytest.raises(ValueError, match=r"`eval_set` must be a pair \(X_valid, y_valid\)"):
        learner.fit(model, data.X, data.y, eval_set=[data.X_valid])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`on_chunk` must be callable or None"):
        learner.fit(model, data.X, data.y, on_chunk=3)  # type: ignore[arg-type]


def test_sizes_are_checked() -> None:
    lgbm = get_learner("LightGBM")
    with pytest.raises(ValueError, match=r"`n_rows` must be an integer >= 1, got 0"):
        lgbm.search_space("regression", n_rows=0, n_features=3)
    with pytest.raises(ValueError, match=r"`n_classes` must be an integer >= 2, got 1"):
        lgbm.search_space("classification", n_rows=10, n_features=3, n_classes=1)


def test_search_space_depends_on_data_size() -> None:
    lgbm = get_learner("LightGBM")
    small = lgbm.search_space("regression", n_rows=100, n_features=5)
    large = lgbm.search_space("regression", n_rows=100_000, n_features=5)
    assert small != large
    assert not small.contains(lgbm.default_params("regression"))  # 20 per leaf > 100 / 10
    assert large.contains(lgbm.default_params("regression"))


def test_cost_ranks_work() -> None:
    lgbm, rf, lr = (
        get_learner("LightGBM"),
        get_learner("RandomForest"),
        get_learner("LogisticRegression"),
    )
    size = {"n_rows": 10_000, "n_features": 20, "n_classes": 2}
    assert lgbm.cost({"n_estimators": 50}, **size) < lgbm.cost({"n_estimators": 500}, **size)
    assert rf.cost({"n_estimators": 10}, **size) < rf.cost({"n_estimators": 300}, **size)
    assert lr.cost({}, **size) < lgbm.cost({}, **size)
    assert lgbm.cost({}, **size) < lgbm.cost({}, **{**size, "n_classes": 5})


def test_learner_info_is_validated() -> None:
    with pytest.raises(ValueError, match=r"`tasks` must be a non-empty subset"):
        LearnerInfo("X", ("ranking",), "native", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`input_kind` must be one of native, one_hot_scaled"):
        LearnerInfo("X", ("regression",), "dense", "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`early_stopping` needs an `iterations_param`"):
        LearnerInfo("X", ("regression",), "native", "x", early_stopping=True)
    info = LearnerInfo("X", ("regression",), "native", "torch", extra="torch")
    assert info.install_hint() == "PyTorch: pip install 'openaml[torch]'"
    assert not info.iterative


def test_refit_params_use_the_iterations_that_early_stopping_kept() -> None:
    lgbm = get_learner("LightGBM")
    data = split("native", "classification")
    model = lgbm.build({"n_estimators": 400, "learning_rate": 0.3}, "classification", seed=0)
    lgbm.fit(model, data.X, data.y, eval_set=(data.X_valid, data.y_valid))
    used = lgbm.fitted_iterations(model)
    assert used is not None and used < 400
    refit = lgbm.refit_params(model, {"n_estimators": 400, "learning_rate": 0.3})
    assert refit == {"n_estimators": used, "learning_rate": 0.3}
    again = lgbm.fit(lgbm.build(refit, "classification", seed=0), data.X, data.y)
    assert np.asarray(again.predict_proba(data.X_valid)).shape == (40, 2)
