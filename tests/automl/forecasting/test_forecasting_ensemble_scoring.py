"""Stacking the children's forecasts; the fast scorer against the exact one, metric by metric."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from automl.tasks.forecasting._ensemble import FoldScorer, StackedForecasts, stack_forecasts
from automl.tasks.forecasting._fast_scores import SUPPORTED, FastScorer, checked_fast_scorer
from automl.tasks.forecasting._folds import FoldData, ForecastPlan
from automl.tasks.forecasting._models import GlobalSettings

HORIZON, QUANTILES = 4, (0.1, 0.5, 0.9)


def _series(name: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    t = np.arange(n, dtype=float)
    if name == "flat":  # an empty target range: normalized errors are 0 if exact, else 1
        y = np.full(n, 5.0)
    elif name == "zeros":  # actuals at zero: MAPE leaves them out
        y = np.where(t % 3 == 0, 0.0, 10 + rng.normal(0, 1, n))
    else:
        y = 50 + 0.5 * t + 4 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, n)
    return pd.DataFrame({"unique_id": name, "ds": pd.date_range("2024-01-01", periods=n), "y": y})


def _folds() -> list[FoldData]:
    rng = np.random.default_rng(0)
    lengths = {"flat": 30, "zeros": 30, "short": 14, "trend": 30}  # short: MASE falls back
    panel = pd.concat([_series(name, n, rng) for name, n in lengths.items()], ignore_index=True)
    folds = []
    for k in range(3):
        cut = {name: n - HORIZON * (3 - k) for name, n in lengths.items()}
        position = panel.groupby("unique_id").cumcount()
        limit = panel["unique_id"].map(cut)
        train = panel[position < limit].reset_index(drop=True)
        valid = panel[(position >= limit) & (position < limit + HORIZON)].reset_index(drop=True)
        valid.loc[valid.index[-1], "y"] = np.nan  # an actual without a value is not scored
        folds.append(FoldData(train, valid, valid[["unique_id", "ds"]]))
    return folds


def _members(folds: list[FoldData], tmp_path: Path, n: int = 4) -> list[tuple[str, str, str]]:
    rng = np.random.default_rng(1)
    members = []
    for j in range(n):
        frames = []
        for k, data in enumerate(folds):
            frame = data.future.copy()
            truth = data.actual["y"].fillna(0.0).to_numpy()
            frame["yhat"] = truth + rng.normal(j - 1.5, 1 + j, len(frame))
            if j == 0:  # exact on the flat series
                frame.loc[frame["unique_id"] == "flat", "yhat"] = 5.0
            for q, z in zip(QUANTILES, (-1.3, 0.0, 1.3), strict=True):
                frame[f"q{q:g}"] = frame["yhat"] + z * (1 + j)
            frames.append(frame.assign(fold=k))
        path = tmp_path / f"oof{j}.joblib"
        joblib.dump({"forecasts": pd.concat(frames, ignore_index=True)}, path)
        members.append((f"run{j}", f"Model{j}", str(path)))
    return members


def _plan(metric: str) -> ForecastPlan:
    return ForecastPlan(
        cache_dir="unused", n_folds=3, horizon=HORIZON, step=HORIZON, freq="D",
        seasonality=7, quantiles=QUANTILES, primary_metric=metric, seed=0, n_series=4,
        n_rows=100, settings=GlobalSettings(),
    )  # fmt: skip


@pytest.fixture(scope="module")
def stacked(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[FoldData], StackedForecasts]:
    folds = _folds()
    members = _members(folds, tmp_path_factory.mktemp("oof"))
    return folds, stack_forecasts(folds, members, QUANTILES)


def test_forecasts_are_stacked_on_the_scored_rows(
    stacked: tuple[list[FoldData], StackedForecasts],
) -> None:
    folds, data = stacked
    assert data.columns == ("yhat", "q0.1", "q0.5", "q0.9")
    assert [run_id for run_id, _ in data.members] == ["run0", "run1", "run2", "run3"]
    scored = [int(fold.actual["y"].notna().sum()) for fold in folds]
    assert [end - start for start, end in data.bounds] == scored
    assert all(array.shape == (sum(scored), 4) for array in data.arrays)


@pytest.mark.parametrize("metric", sorted(SUPPORTED))
def test_the_fast_scorer_gives_the_exact_values(
    metric: str, stacked: tuple[list[FoldData], StackedForecasts]
) -> None:
    folds, data = stacked
    plan = _plan(metric)
    exact, fast = FoldScorer(folds, data, plan), FastScorer(folds, data, plan)
    candidates = [*data.arrays, (data.arrays[0] + 3 * data.arrays[2]) / 4]
    for values in candidates:
        assert fast(values) == pytest.approx(exact(values), rel=1e-12, abs=1e-15)
    assert checked_fast_scorer(folds, data, plan, exact) is not None


def test_metrics_with_pooled_fallbacks_are_scored_exactly(
    stacked: tuple[list[FoldData], StackedForecasts],
) -> None:
    folds, data = stacked
    for metric in ("r2_score", "spearman_correlation"):
        plan = _plan(metric)
        assert checked_fast_scorer(folds, data, plan, FoldScorer(folds, data, plan)) is None
        with pytest.raises(ValueError, match=r"`primary_metric` must be one of .*, got 'r2_"):
            FastScorer(folds, data, _plan("r2_score"))


def test_a_disagreeing_fast_scorer_is_not_used(
    stacked: tuple[list[FoldData], StackedForecasts],
) -> None:
    folds, data = stacked
    plan = _plan("mean_absolute_error")
    exact = FoldScorer(folds, data, plan)
    assert checked_fast_scorer(folds, data, plan, lambda v: exact(v) * (1 + 1e-6)) is None


def test_candidates_without_every_forecast_are_left_out(
    tmp_path: Path, stacked: tuple[list[FoldData], StackedForecasts]
) -> None:
    folds, _ = stacked
    members = _members(folds, tmp_path, n=2)
    forecasts = joblib.load(members[1][2])["forecasts"]
    joblib.dump({"forecasts": forecasts.iloc[1:]}, tmp_path / "missing.joblib")
    broken = forecasts.assign(yhat=np.where(forecasts.index == 3, np.nan, forecasts["yhat"]))
    joblib.dump({"forecasts": broken}, tmp_path / "nan.joblib")
    joblib.dump({"forecasts": forecasts.drop(columns="q0.9")}, tmp_path / "noq.joblib")
    data = stack_forecasts(
        folds,
        [
            *members,
            ("gone", "A", str(tmp_path / "absent.joblib")),
            ("short", "B", str(tmp_path / "missing.joblib")),
            ("nan", "C", str(tmp_path / "nan.joblib")),
            ("noq", "D", str(tmp_path / "noq.joblib")),
        ],
        QUANTILES,
    )
    assert [run_id for run_id, _ in data.members] == ["run0", "run1"]
    assert data.skipped["gone"] == "its forecasts could not be read (FileNotFoundError)"
    assert "miss scored rows or hold non-finite values" in data.skipped["short"]
    assert "miss scored rows or hold non-finite values" in data.skipped["nan"]
    assert data.skipped["noq"] == "its forecasts lack the column(s) ['q0.9']"
