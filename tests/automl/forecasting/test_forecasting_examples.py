"""The forecasting examples: the YAML job parses and validates against its data (no search),
the Python example's data and settings prepare, and the bundled data carries its licence."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

from automl import load_automl_job
from forecasting import ForecastingParameters, prepare_panel

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
JOB = EXAMPLES / "forecast_pedestrians" / "job.yaml"


def test_the_pedestrians_job_parses_and_validates() -> None:
    job = load_automl_job(JOB)
    config = job.config
    assert job.notices == ()
    assert config.task == "forecasting" and config.experiment_name == "forecast_pedestrians"
    assert config.label_column_name == "y"
    assert config.primary_metric == "normalized_root_mean_squared_error"
    assert config.experiment_timeout_minutes == 1 and config.enable_voting_ensemble
    params = config.forecasting_parameters
    assert isinstance(params, ForecastingParameters)
    assert params.time_column_name == "ds" and params.forecast_horizon == 28
    assert params.country_or_region_for_holidays == "AU" and params.freq == "D"
    assert params.quantiles == (0.1, 0.5, 0.9)
    frame = pd.read_csv(JOB.parent / "../data/melbourne_pedestrians_daily.csv")
    prepared = prepare_panel(frame, "y", params, n_cross_validations=3)
    assert prepared.freq == "D" and prepared.seasonality == 7
    assert len(prepared.panel) == 1490 and prepared.id_columns == ()
    failed = [g.name for g in prepared.guardrails if str(g.status).lower() == "alerted"]
    assert failed == []


def test_the_retail_example_prepares_a_monthly_series() -> None:
    path = EXAMPLES / "forecast_retail.py"
    spec = importlib.util.spec_from_file_location("forecast_retail", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines main() without running it
    sales = pd.read_csv(module.DATA, parse_dates=["ds"])
    params = ForecastingParameters("ds", forecast_horizon=module.HORIZON)
    prepared = prepare_panel(sales, "y", params, n_cross_validations=3)
    assert prepared.freq == "MS" and prepared.seasonality == 12
    assert len(prepared.panel) == 293


def test_the_bundled_forecasting_data_names_its_source_and_licence() -> None:
    readme = (EXAMPLES / "data" / "README.md").read_text(encoding="utf-8")
    for name in ("us_retail_sales.csv", "melbourne_pedestrians_daily.csv"):
        assert (EXAMPLES / "data" / name).is_file()
        [row] = [line for line in readme.splitlines() if line.startswith(f"| `{name}`")]
        assert "github:facebook/prophet" in row and "MIT" in row
