"""Forecasting from Python: the next 12 months of US retail sales, with an 80 % interval.

`AutoMLConfig(task="forecasting", forecasting_parameters=...)` prepares the monthly series
(guardrails: time column, frequency, gaps), cuts rolling origins (each forecasting a full
12-month horizon), and searches statistical forecasters (Naive, SeasonalNaive, Theta, ETS,
ARIMA, ...) and global regressors (LightGBM, ElasticNet, RandomForest on lags, rolling windows,
calendar and Fourier features), two children at a time; a VotingEnsemble of the children's
rolling-origin forecasts is the last child. The best model (the ensemble only when it scores
better) is refitted on every month and registered in the workspace.

The data, `examples/data/us_retail_sales.csv` (monthly US retail sales 1992-2016, US Census
Bureau, public domain; from Prophet's examples, MIT), has two columns: `ds` and `y`.

    python examples/forecast_retail.py [--workspace automl_workspace] [--minutes 1]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from automl import AutoMLConfig
from automl.tasks.forecasting import ForecastingPipeline
from forecasting import ForecastingParameters

DATA = Path(__file__).resolve().parent / "data" / "us_retail_sales.csv"
HORIZON = 12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="automl_workspace")
    parser.add_argument("--minutes", type=float, default=1.0, help="experiment timeout")
    parser.add_argument("--name", default=None, help="experiment name (a new one by default)")
    args = parser.parse_args()
    name = args.name or f"retail-{time.strftime('%Y%m%d-%H%M%S')}"
    sales = pd.read_csv(DATA, parse_dates=["ds"])

    print(f"Forecasting {len(sales)} months of US retail sales, {HORIZON} months ahead")
    result = AutoMLConfig(
        task="forecasting",
        training_data=sales,
        label_column_name="y",
        forecasting_parameters=ForecastingParameters(
            time_column_name="ds",
            forecast_horizon=HORIZON,
            quantiles=[0.1, 0.5, 0.9],
        ),
        primary_metric="normalized_root_mean_squared_error",
        n_cross_validations=3,
        experiment_timeout_minutes=args.minutes,
        max_concurrent_iterations=2,
        workspace=args.workspace,
        experiment_name=name,
        seed=0,
    ).fit(show_output=False)

    print(f"\n{result.validation}")
    print(f"Search ended: {result.status_reason}")
    board = result.leaderboard
    columns = [
        "index", "algorithm", "status", "normalized_root_mean_squared_error",
        "mean_absolute_scaled_error", "symmetric_mean_absolute_percentage_error", "fit_time",
    ]  # fmt: skip
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(board[[c for c in columns if c in board.columns]].head(10).to_string(index=False))
    model = result.best_model
    if not isinstance(model, ForecastingPipeline):
        print("No child completed in time: no model (try --minutes 2)")
        return
    print(f"\nBest model: {model.algorithm}, registered as {result.registered_model_name}:"
          f"{result.registered_model_version}")  # fmt: skip
    if model.algorithm == "VotingEnsemble":
        for member in model.hyperparameters["members"]:
            print(f"  {member['weight']:.2f} x {member['algorithm']}")
    for passed, why in result.skipped_models.items():
        print(f"  (not used: {passed}: {why})")
    future = pd.DataFrame(
        {"ds": pd.date_range(sales["ds"].max(), periods=HORIZON + 1, freq="MS")[1:]}
    )
    forecast = model.forecast(future).merge(model.forecast_quantiles(future), on="ds")
    print(f"\nThe next {HORIZON} months (point forecast and 80 % interval):")
    print(forecast.round(0).to_string(index=False))


if __name__ == "__main__":  # children run in worker processes that import this script
    main()
