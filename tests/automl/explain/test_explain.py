"""Permutation importance of a fitted pipeline (``automl._explain``)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from automl._explain import Explanation, FeatureImportance, explain_model
from automl._pipeline import AutoMLPipeline, PipelineMember
from automl.learners import get_learner
from automl.metrics import compute_metrics
from featurization import Featurizer, make_adapter

N_TRAIN = 500
N_VALID = 400


def frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "noise": rng.normal(size=n),
            "city": rng.choice(["oslo", "paris", "rome"], n).astype(object),
        }
    )


def target(X: pd.DataFrame, seed: int) -> np.ndarray[Any, Any]:
    """``a`` strongly, ``b`` weakly, ``city`` a little, ``noise`` not at all."""
    rng = np.random.default_rng(seed)
    return np.asarray(
        3.0 * X["a"] + 0.8 * X["b"] + 0.6 * (X["city"] == "oslo") + rng.normal(0, 0.3, len(X))
    )


def fit_pipeline(
    X: pd.DataFrame,
    y: Any,
    task: str,
    learners: Sequence[str],
    *,
    classes: list[Any] | None = None,
    adapter_options: dict[str, Any] | None = None,
) -> AutoMLPipeline:
    """As ``automl._experiment._refit``: featurizer, then per member adapter + model."""
    featurizer = Featurizer()
    base = featurizer.fit_transform(X, y, task=task)
    members = []
    for name in learners:
        learner = get_learner(name)
        adapter = make_adapter(learner.info.input_kind, **(adapter_options or {})).fit(base)
        params = {"n_estimators": 60} if name == "LightGBM" else {}
        model = learner.fit(
            learner.build(params, task, seed=0, n_jobs=1), adapter.transform(base), y
        )
        members.append(PipelineMember(learner.info.name, params, adapter, model))
    return AutoMLPipeline(featurizer, members, task=task, classes=classes)


@pytest.fixture(scope="module")
def regression_data() -> tuple[pd.DataFrame, Any, pd.DataFrame, Any]:
    X_train, X_valid = frame(N_TRAIN, 0), frame(N_VALID, 1)
    return X_train, target(X_train, 2), X_valid, target(X_valid, 3)


@pytest.fixture(scope="module")
def classification_data() -> tuple[pd.DataFrame, Any, pd.DataFrame, Any]:
    X_train, X_valid = frame(N_TRAIN, 4), frame(N_VALID, 5)

    def label(X: pd.DataFrame, seed: int) -> Any:
        return np.where(target(X, seed) > 0.3, "yes", "no").astype(object)

    return X_train, label(X_train, 6), X_valid, label(X_valid, 7)


@pytest.fixture(scope="module")
def lgbm_regression(regression_data: Any) -> AutoMLPipeline:
    X, y, _, _ = regression_data
    return fit_pipeline(X, y, "regression", ["LightGBM"])


@pytest.fixture(scope="module")
def lgbm_classification(classification_data: Any) -> AutoMLPipeline:
    X, y, _, _ = classification_data
    return fit_pipeline(X, y, "classification", ["LightGBM"], classes=["no", "yes"])


def by_name(items: Sequence[FeatureImportance] | None) -> dict[str, FeatureImportance]:
    assert items is not None
    return {item.name: item for item in items}


def assert_ranked(explanation: Explanation) -> None:
    """a > b > noise ~ 0, positive for the useful features, sorted descending."""
    raw = by_name(explanation.raw)
    assert raw["a"].importance > raw["b"].importance > raw["noise"].importance
    assert raw["b"].importance > 5 * abs(raw["noise"].importance)
    assert abs(raw["noise"].importance) < 0.02 * raw["a"].importance + 1e-3
    values = [item.importance for item in explanation.raw]
    assert values == sorted(values, reverse=True)
    assert all(item.std >= 0 and item.raw_column is None for item in explanation.raw)


@pytest.mark.parametrize("metric", ["normalized_root_mean_squared_error", "r2_score"])
def test_regression_ranks_features_goal_aware(
    lgbm_regression: AutoMLPipeline, regression_data: Any, metric: str
) -> None:
    _, _, X_valid, y_valid = regression_data
    explanation = explain_model(lgbm_regression, X_valid, y_valid, task="regression", metric=metric)
    assert_ranked(explanation)
    assert explanation.goal == (
        "minimize" if metric == "normalized_root_mean_squared_error" else "maximize"
    )
    assert by_name(explanation.raw)["a"].importance > 0  # positive even when minimised
    assert explanation.n_rows == N_VALID and explanation.n_repeats == 5
    assert explanation.note is None
    engineered = by_name(explanation.engineered)
    assert {name: item.raw_column for name, item in engineered.items()} == {
        "a": "a",
        "b": "b",
        "noise": "noise",
        "city": "city",
    }
    assert engineered["a"].importance > engineered["b"].importance > engineered["noise"].importance


@pytest.mark.parametrize("metric", ["AUC_weighted", "accuracy"])
def test_classification_ranks_features(
    lgbm_classification: AutoMLPipeline, classification_data: Any, metric: str
) -> None:
    _, _, X_valid, y_valid = classification_data
    explanation = explain_model(
        lgbm_classification, X_valid, y_valid, task="classification", metric=metric
    )
    assert_ranked(explanation)
    assert explanation.goal == "maximize"
    engineered = by_name(explanation.engineered)
    assert engineered["a"].importance > engineered["b"].importance > engineered["noise"].importance
    baseline = compute_metrics(
        "classification",
        y_valid,
        y_proba=lgbm_classification.predict_proba(X_valid),
        classes=["no", "yes"],
        metrics=[metric],
    )[metric]
    assert explanation.baseline == pytest.approx(baseline)


def test_one_hot_features_map_to_their_raw_column(regression_data: Any) -> None:
    X, y, X_valid, y_valid = regression_data
    model = fit_pipeline(X, y, "regression", ["ElasticNet"])
    explanation = explain_model(model, X_valid, y_valid, task="regression", metric="r2_score")
    engineered = by_name(explanation.engineered)
    assert {"city=oslo", "city=paris", "city=rome"} <= set(engineered)
    assert all(engineered[f"city={c}"].raw_column == "city" for c in ("oslo", "paris", "rome"))
    assert engineered["a"].raw_column == "a"
    assert (
        engineered["a"].importance > engineered["b"].importance > engineered["city=oslo"].importance
    )
    assert engineered["city=oslo"].importance > abs(engineered["noise"].importance)
    assert_ranked(explanation)


def test_sparse_adapted_matrix_gives_the_dense_result(classification_data: Any) -> None:
    X, y, X_valid, y_valid = classification_data
    results = [
        explain_model(
            fit_pipeline(
                X,
                y,
                "classification",
                ["LogisticRegression"],
                classes=["no", "yes"],
                adapter_options={"sparse": sparse},
            ),
            X_valid,
            y_valid,
            task="classification",
            metric="AUC_weighted",
            n_repeats=2,
        )
        for sparse in (True, False)
    ]
    sparse_result, dense_result = results
    assert sparse_result.engineered is not None and dense_result.engineered is not None
    assert [i.name for i in sparse_result.engineered] == [i.name for i in dense_result.engineered]
    for one, other in zip(sparse_result.engineered, dense_result.engineered, strict=True):
        assert one.importance == pytest.approx(other.importance, abs=1e-6)


def test_ensemble_gives_raw_only_and_says_so(regression_data: Any) -> None:
    X, y, X_valid, y_valid = regression_data
    model = fit_pipeline(X, y, "regression", ["LightGBM", "ElasticNet"])
    explanation = explain_model(
        model, X_valid, y_valid, task="regression", metric="r2_score", n_repeats=2
    )
    assert explanation.engineered is None
    assert explanation.note is not None and "only raw importance" in explanation.note
    assert explanation.top(2, "engineered") == []
    assert_ranked(explanation)


def test_raw_importance_is_the_documented_computation(
    lgbm_regression: AutoMLPipeline, regression_data: Any
) -> None:
    """Batched prediction gives what permuting one column and re-predicting gives."""
    _, _, X_valid, y_valid = regression_data
    metric = "normalized_root_mean_squared_error"
    explanation = explain_model(
        lgbm_regression, X_valid, y_valid, task="regression", metric=metric, n_repeats=2, seed=3
    )

    def score(X: pd.DataFrame) -> float:
        return compute_metrics("regression", y_valid, lgbm_regression.predict(X), metrics=[metric])[
            metric
        ]

    rng = np.random.default_rng(3)
    baseline = score(X_valid)
    expected = {}
    for column in X_valid.columns:
        drops = []
        for _ in range(2):
            shuffled = X_valid.copy()
            shuffled[column] = X_valid[column].to_numpy()[rng.permutation(len(X_valid))]
            drops.append(score(shuffled) - baseline)  # minimised: permuted - baseline
        expected[column] = (float(np.mean(drops)), float(np.std(drops)))
    for item in explanation.raw:
        assert (item.importance, item.std) == pytest.approx(expected[item.name], abs=1e-9)


def test_deterministic_with_the_seed(
    lgbm_classification: AutoMLPipeline, classification_data: Any
) -> None:
    _, _, X_valid, y_valid = classification_data

    def run(seed: int) -> Explanation:
        return explain_model(
            lgbm_classification,
            X_valid,
            y_valid,
            task="classification",
            metric="accuracy",
            n_repeats=2,
            seed=seed,
            max_rows=300,
        )

    first, second, other = run(11), run(11), run(12)
    assert first == second
    assert first.to_dict() != other.to_dict()
    assert first.n_rows == 300 and first.seed == 11


def test_label_column_in_the_rows_is_left_out(
    lgbm_classification: AutoMLPipeline, classification_data: Any
) -> None:
    _, _, X_valid, y_valid = classification_data
    model = lgbm_classification
    rows = X_valid.assign(label=y_valid)
    original = model.label_column_name
    model.label_column_name = "label"
    try:
        explanation = explain_model(
            model, rows, y_valid, task="classification", metric="accuracy", n_repeats=1
        )
    finally:
        model.label_column_name = original
    assert {item.name for item in explanation.raw} == {"a", "b", "noise", "city"}


def test_json_round_trip_frame_top_and_properties(
    lgbm_regression: AutoMLPipeline, regression_data: Any
) -> None:
    _, _, X_valid, y_valid = regression_data
    explanation = explain_model(
        lgbm_regression, X_valid, y_valid, task="regression", metric="r2_score", n_repeats=2
    )
    text = json.dumps(explanation.to_dict(), allow_nan=False)
    assert Explanation.from_dict(json.loads(text)) == explanation
    frame_ = explanation.to_frame()
    assert list(frame_.columns) == ["kind", "name", "importance", "std", "raw_column"]
    assert len(frame_) == len(explanation.raw) + len(explanation.engineered or [])
    assert frame_.loc[frame_["kind"] == "raw", "name"].iloc[0] == "a"
    assert [item.name for item in explanation.top(2)] == ["a", "b"]
    assert explanation.top(1, "engineered")[0].name == "a"
    properties = explanation.properties(2)
    assert properties["explanation.metric"] == "r2_score"
    assert properties["explanation.raw.1"].startswith("a=")
    assert set(properties) == {"explanation.metric", "explanation.raw.1", "explanation.raw.2"}


def test_non_finite_values_survive_json() -> None:
    explanation = Explanation(
        raw=[FeatureImportance("x", math.nan, math.nan)],
        engineered=None,
        metric="r2_score",
        n_rows=3,
        n_repeats=1,
    )
    data = json.loads(json.dumps(explanation.to_dict(), allow_nan=False))
    back = Explanation.from_dict(data)
    assert math.isnan(back.raw[0].importance) and math.isnan(back.baseline)


def test_error_paths(lgbm_regression: AutoMLPipeline, regression_data: Any) -> None:
    _, _, X_valid, y_valid = regression_data
    model = lgbm_regression
    with pytest.raises(
        ValueError, match=r"`y_valid` must have one value per row of `X_valid` \(400\)"
    ):
        explain_model(model, X_valid, y_valid[:-1], task="regression", metric="r2_score")
    with pytest.raises(ValueError, match=r"`metric` must be one of .*got 'r3_score'.*did you mean"):
        explain_model(model, X_valid, y_valid, task="regression", metric="r3_score")
    with pytest.raises(ValueError, match=r"'accuracy' is a metric of classification"):
        explain_model(model, X_valid, y_valid, task="regression", metric="accuracy")
    with pytest.raises(ValueError, match="`task` must be one of"):
        explain_model(model, X_valid, y_valid, task="ranking", metric="r2_score")
    with pytest.raises(ValueError, match="`task` must be 'classification' or 'regression'"):
        explain_model(model, X_valid, y_valid, task="forecasting", metric="r2_score")
    with pytest.raises(ValueError, match="`n_repeats` must be an integer >= 1, got 0"):
        explain_model(model, X_valid, y_valid, task="regression", metric="r2_score", n_repeats=0)
    with pytest.raises(ValueError, match="`max_rows` must be an integer >= 1, got True"):
        explain_model(model, X_valid, y_valid, task="regression", metric="r2_score", max_rows=True)
    with pytest.raises(ValueError, match=r"`n_jobs` must be an integer >= 1, or -1 .*got -2"):
        explain_model(model, X_valid, y_valid, task="regression", metric="r2_score", n_jobs=-2)
    with pytest.raises(TypeError, match="`X_valid` must be a pandas DataFrame, got ndarray"):
        explain_model(model, X_valid.to_numpy(), y_valid, task="regression", metric="r2_score")
    with pytest.raises(ValueError, match="at least one row"):
        explain_model(model, X_valid.iloc[:0], y_valid[:0], task="regression", metric="r2_score")
    with pytest.raises(ValueError, match="`k` must be an integer >= 0"):
        Explanation([], None, "r2_score", 1, 1).top(-1)
    with pytest.raises(ValueError, match="`format_version` must be 1, got 2"):
        Explanation.from_dict({"format_version": 2, "raw": [], "metric": "r2_score"})


def test_undefined_metric_is_an_error(
    lgbm_classification: AutoMLPipeline, classification_data: Any
) -> None:
    _, _, X_valid, y_valid = classification_data
    one_class = np.asarray(y_valid) == "yes"
    with pytest.raises(ValueError, match="`metric` 'AUC_weighted' is undefined on these rows"):
        explain_model(
            lgbm_classification,
            X_valid[one_class],
            np.asarray(y_valid)[one_class],
            task="classification",
            metric="AUC_weighted",
        )


def test_too_many_adapted_columns_skips_engineered(
    lgbm_regression: AutoMLPipeline, regression_data: Any
) -> None:
    _, _, X_valid, y_valid = regression_data
    explanation = explain_model(
        lgbm_regression,
        X_valid,
        y_valid,
        task="regression",
        metric="r2_score",
        n_repeats=1,
        max_engineered_features=2,
    )
    assert explanation.engineered is None
    assert explanation.note is not None and "max_engineered_features=2" in explanation.note


def test_shared_raw_results_equal_permuting_the_adapted_column(
    lgbm_regression: AutoMLPipeline, regression_data: Any
) -> None:
    """A 1:1 adapted column shares its raw result: predicting it again gives the same."""
    from automl._explain import _Context, _engineered, _scorer

    _, _, X_valid, y_valid = regression_data
    metric = "r2_score"
    shared = explain_model(
        lgbm_regression, X_valid, y_valid, task="regression", metric=metric, n_repeats=2
    )
    rng = np.random.default_rng(0)
    perms = [[rng.permutation(N_VALID) for _ in range(2)] for _ in X_valid.columns]
    raw = by_name(shared.raw)
    score = _scorer("regression", metric, np.asarray(y_valid), None, None, None)
    predicted, note = _engineered(
        lgbm_regression,
        X_valid,
        "regression",
        None,
        _Context(score, shared.baseline, 1.0, 2, 1),
        np.random.default_rng([0, 1]),
        100,
        {str(c): (raw[str(c)], perms[j]) for j, c in enumerate(X_valid.columns)},
        reuse_raw=False,
    )
    assert note is None and predicted is not None
    for item in predicted:
        assert item.importance == pytest.approx(raw[item.name].importance, abs=1e-12)
        assert item.std == pytest.approx(raw[item.name].std, abs=1e-12)


def test_threads_give_the_same_result(classification_data: Any) -> None:
    X, y, X_valid, y_valid = classification_data
    model = fit_pipeline(X, y, "classification", ["LogisticRegression"], classes=["no", "yes"])
    one, two = (
        explain_model(
            model,
            X_valid,
            y_valid,
            task="classification",
            metric="AUC_weighted",
            n_repeats=2,
            n_jobs=n_jobs,
        )
        for n_jobs in (1, -1)
    )
    assert one == two


def test_a_column_the_model_never_sees_is_exactly_zero(regression_data: Any) -> None:
    X, y, X_valid, y_valid = regression_data
    model = fit_pipeline(X.assign(const=1.0), y, "regression", ["LightGBM"])
    assert "const" not in model.members[0].adapter.raw_sources()
    explanation = explain_model(
        model,
        X_valid.assign(const=1.0),
        y_valid,
        task="regression",
        metric="r2_score",
        n_repeats=2,
    )
    assert by_name(explanation.raw)["const"] == FeatureImportance("const", 0.0, 0.0)
    assert_ranked(explanation)
