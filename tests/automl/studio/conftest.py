"""Fixtures of the studio tests: a workspace with real experiments, and a client.

One session-scoped workspace holds a small classification experiment on the repository's
``credit_g.csv`` and a small regression experiment on seeded data, both fitted by
``AutoMLConfig(...).fit()``; tests that write (uploads, jobs) get a workspace of their own.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi", reason="the studio needs the 'studio' extra")
pytest.importorskip("httpx", reason="the studio tests need httpx")

with warnings.catch_warnings():  # starlette suggests httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient as TestClient

from automl import AutoMLConfig
from automl.studio import create_app
from automl.studio._security import CSRF_COOKIE
from trials import Workspace

CREDIT = Path(__file__).parents[3] / "examples" / "data" / "credit_g.csv"
CLASSIFICATION = "credit-exp"
REGRESSION = "reg-exp"
FORECAST = "sales-exp"


class Studio:
    """A test client that sends the CSRF header on state-changing requests."""

    def __init__(self, client: TestClient, workspace_root: Path | None = None) -> None:
        self.client = client
        self.workspace_root = workspace_root

    def csrf(self) -> str:
        if CSRF_COOKIE not in self.client.cookies:
            self.client.get("/api/meta")
        return str(self.client.cookies[CSRF_COOKIE])

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf(), **kwargs.pop("headers", {})}
        return self.client.post(url, headers=headers, **kwargs)


def regression_frame(rows: int = 160) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 3))
    y = 2.0 * x[:, 0] - x[:, 1] + rng.normal(scale=0.1, size=rows)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y})


def sales_frame(days: int = 70) -> pd.DataFrame:
    """Two daily series with a weekly pattern."""
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    weekly = 3 * np.sin(np.arange(days) * 2 * np.pi / 7)
    return pd.concat(
        [
            pd.DataFrame({"date": dates, "store": store, "sales": level + weekly +
                          rng.normal(0, 0.3, days)})
            for store, level in (("a", 10.0), ("b", 20.0))
        ],
        ignore_index=True,
    )  # fmt: skip


@pytest.fixture(scope="session")
def filled_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a dataset, a classification and a regression experiment."""
    folder = tmp_path_factory.mktemp("studio") / "ws"
    with Workspace(folder) as workspace:
        workspace.datasets.register("credit", CREDIT)
    common: dict[str, Any] = {"workspace": str(folder), "max_trials": 3, "seed": 0}
    AutoMLConfig(
        "classification",
        training_data="credit:1",
        label_column_name="target",
        allowed_models=["LogisticRegression", "DecisionTree"],
        n_cross_validations=3,
        experiment_name=CLASSIFICATION,
        **common,
    ).fit(show_output=False)
    AutoMLConfig(
        "regression",
        training_data=regression_frame(),
        label_column_name="y",
        allowed_models=["ElasticNet", "DecisionTree"],
        n_cross_validations=3,
        model_explainability=False,
        experiment_name=REGRESSION,
        **common,
    ).fit(show_output=False)
    AutoMLConfig(
        "forecasting",
        training_data=sales_frame(),
        label_column_name="sales",
        forecasting_parameters={
            "time_column_name": "date",
            "forecast_horizon": 7,
            "time_series_id_column_names": ["store"],
            "quantiles": [0.1, 0.9],
        },
        allowed_models=["Naive", "SeasonalNaive"],
        experiment_name=FORECAST,
        **{**common, "max_trials": 2},
    ).fit(show_output=False)
    return folder


@pytest.fixture
def studio(filled_workspace: Path) -> Iterator[Studio]:
    """A client of a studio over the filled workspace (loopback: no token)."""
    app = create_app(filled_workspace)
    with TestClient(app) as client:
        yield Studio(client)
    app.state.studio.workspace.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Studio]:
    """A client of a studio over a new workspace holding only the dataset 'credit'."""
    with Workspace(tmp_path / "ws") as workspace:
        workspace.datasets.register("credit", CREDIT)
    app = create_app(tmp_path / "ws")
    with TestClient(app) as client:
        yield Studio(client, tmp_path / "ws")
    app.state.studio.workspace.close()
