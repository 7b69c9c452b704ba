"""WeightedForecaster: the weighted mean of its members' point and quantile forecasts."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecasting import ForecastingError
from forecasting.models import (
    Average,
    GlobalRegressionForecaster,
    Naive,
    NotFittedError,
    SeasonalNaive,
    WeightedForecaster,
)

QUANTILES = [0.1, 0.5, 0.9]


def _panel(n: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frames = []
    for k, name in enumerate(("a", "b")):
        t = np.arange(n)
        y = 10 + 3 * k + np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.3, n)
        frames.append(
            pd.DataFrame({"unique_id": name, "ds": pd.date_range("2024-01-01", periods=n), "y": y})
        )
    return pd.concat(frames, ignore_index=True)


def _fit(model: Any) -> Any:
    return model.fit(_panel(), freq="D", seasonality=7, horizon=5)


def test_points_and_quantiles_are_the_weighted_means_of_the_members() -> None:
    naive, seasonal = _fit(Naive()), _fit(SeasonalNaive())
    model = _fit(WeightedForecaster(members=[Naive(), SeasonalNaive()], weights=[2, 6]))
    assert model.weights == (0.25, 0.75)
    got = model.predict(quantiles=QUANTILES)
    a, b = naive.predict(quantiles=QUANTILES), seasonal.predict(quantiles=QUANTILES)
    assert list(got.columns) == ["unique_id", "ds", "yhat", "q0.1", "q0.5", "q0.9"]
    pd.testing.assert_frame_equal(got[["unique_id", "ds"]], a[["unique_id", "ds"]])
    for column in ("yhat", "q0.1", "q0.5", "q0.9"):
        expected = 0.25 * a[column].to_numpy() + 0.75 * b[column].to_numpy()
        np.testing.assert_allclose(got[column].to_numpy(), expected)
    assert (got["q0.1"] <= got["q0.9"]).all()


def test_a_shorter_horizon_and_a_single_member() -> None:
    model = _fit(WeightedForecaster(members=[Average()], weights=[3.0]))
    alone = _fit(Average())
    pd.testing.assert_frame_equal(model.predict(2), alone.predict(2))


def test_a_global_member_gets_the_known_covariates() -> None:
    panel = _panel().assign(promo=lambda frame: (frame.index % 3 == 0).astype(float))
    future = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 5),
            "ds": np.tile(pd.date_range("2024-02-12", periods=5), 2),
            "promo": 1.0,
        }
    )
    model = WeightedForecaster(
        members=[Naive(), GlobalRegressionForecaster(known_covariates=["promo"])],
        weights=[1, 1],
    ).fit(panel, freq="D", seasonality=7, horizon=5)
    assert np.isfinite(model.predict(future=future)["yhat"]).all()
    with pytest.raises(ForecastingError, match=r"`future` must be a DataFrame"):
        model.predict()


def test_member_fallbacks_are_reported_with_its_name() -> None:
    panel = _panel()
    short = pd.DataFrame({"unique_id": "c", "ds": pd.date_range("2024-02-05", periods=3), "y": 1.0})
    both = pd.concat([panel, short], ignore_index=True)
    model = WeightedForecaster(
        members=[Naive(), GlobalRegressionForecaster(strategy="direct")], weights=[1, 1]
    ).fit(both, freq="D", seasonality=7, horizon=5)
    assert "c" in model.fallbacks
    assert model.fallbacks["c"].startswith("GlobalRegressor: ")


def test_it_pickles_and_costs_what_its_members_cost() -> None:
    model = _fit(WeightedForecaster(members=[Naive(), Average()], weights=[1, 1]))
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(again.predict(), model.predict())
    size = {"n_series": 2, "n_rows": 84, "horizon": 5, "seasonality": 7}
    assert model.cost(**size) == Naive().cost(**size) + Average().cost(**size)
    assert model.name == "VotingEnsemble"


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"members": [], "weights": []}, r"`members` must be a non-empty list of Forecaster"),
        ({"members": ["Naive"], "weights": [1]}, r"`members` must be a non-empty list"),
        ({"members": [Naive()], "weights": [1, 2]}, r"`weights` must be 1 positive finite "
         r"number\(s\), one per member, got \[1, 2\]"),
        ({"members": [Naive()], "weights": [0]}, r"`weights` must be 1 positive"),
        ({"members": [Naive()], "weights": "1"}, r"`weights` must be 1 positive"),
        ({"members": [Naive()], "weights": [float("nan")]}, r"`weights` must be 1 positive"),
    ],
)  # fmt: skip
def test_bad_members_or_weights(params: dict[str, Any], match: str) -> None:
    with pytest.raises(ForecastingError, match=match):
        WeightedForecaster(**params)


def test_forecasting_before_fit_is_an_error() -> None:
    with pytest.raises(NotFittedError, match=r"VotingEnsemble is not fitted"):
        WeightedForecaster(members=[Naive()], weights=[1]).predict()


def test_recent_actuals_move_every_members_origin() -> None:
    members = [Naive(), SeasonalNaive()]
    model = _fit(WeightedForecaster(members=members, weights=[1, 3]))
    recent = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 3),
            "ds": np.tile(pd.date_range("2024-02-12", periods=3), 2),
            "y": [20.0, 21.0, 22.0, 30.0, 31.0, 32.0],
        }
    )
    moved = model.with_recent(recent)
    a, b = (_fit(member).with_recent(recent).predict() for member in (Naive(), SeasonalNaive()))
    expected = 0.25 * a["yhat"].to_numpy() + 0.75 * b["yhat"].to_numpy()
    got = moved.predict()
    np.testing.assert_allclose(got["yhat"].to_numpy(), expected)
    assert got["ds"].min() == pd.Timestamp("2024-02-15")
    assert model.predict()["ds"].min() == pd.Timestamp("2024-02-12")  # the original stays
