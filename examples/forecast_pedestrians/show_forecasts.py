"""Print the next two weeks of the model `automl run job.yaml` registered, with its 80 % band.

Run the job first (from the repository root):

    automl run examples/forecast_pedestrians/job.yaml
    python examples/forecast_pedestrians/show_forecasts.py [--workspace automl_workspace]

The registered model (`forecast_pedestrians`, latest version) is loaded from the workspace
(its file's sha256 is checked) and asked for the 14 days after the end of the data.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from automl import load_model
from automl.tasks.forecasting import ForecastingPipeline
from trials import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "melbourne_pedestrians_daily.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="automl_workspace")
    parser.add_argument("--name", default="forecast_pedestrians", help="registered model")
    parser.add_argument("--days", type=int, default=14, help="days to show (at most 28)")
    args = parser.parse_args()
    with Workspace(args.workspace) as workspace:
        model = load_model(workspace, args.name)
    if not isinstance(model, ForecastingPipeline):
        raise SystemExit(f"{args.name!r} is a {model.task} model, not a forecasting one")
    last = pd.read_csv(DATA, parse_dates=["ds"])["ds"].max()
    future = pd.DataFrame({"ds": pd.date_range(last, periods=args.days + 1, freq="D")[1:]})
    forecast = model.forecast(future).merge(model.forecast_quantiles(future), on="ds")
    forecast.insert(1, "day", forecast["ds"].dt.day_name().str[:3])
    print(f"{model!r}: the {args.days} days after {last.date()}")
    print(forecast.round(0).to_string(index=False))


if __name__ == "__main__":
    main()
