"""One forecasting system on one panel, for benchmarks/forecasting_vs_peers.py (fresh interpreter).

Run with the system's own interpreter: ours (openaml) and the statsforecast baselines
(seasonal_naive, auto_ets, auto_theta, auto_arima) with the project's venv, autogluon_ts with
its peer venv. The parent has written the panel to ``--data``: ``train.parquet`` (unique_id,
ds, y: the official training part), ``future.parquet`` (unique_id, ds: the periods of the
official test part, ``horizon`` per series) and ``meta.json`` (freq, horizon, season_length,
quantiles). This script imports the system (timed: import_s), fits it on the training panel
(timed: fit_s, everything the system does before forecasting), forecasts the future periods
(predict_s) and writes ``forecast.parquet`` to ``--workdir``: unique_id, ds, yhat and, where the
system gives them, one column per quantile (``q0.1``, ``q0.9``). The parent scores it with the
same code for every system.

Its last stdout line is ``RESULT {json}`` (see ``_common.py``): version, import_s, fit_s,
predict_s, rss_self_mb / rss_children_mb (``getrusage`` max RSS of this process and of its
largest waited-for descendant), tree_rss_peak_mb (the summed RSS of this process and all its
live descendants, sampled every 0.5 s; see ``_memory.py``), best_model, note; or error.
Only the standard library is imported at module level, since this runs in every venv.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import peer_parser, run_guarded
from _memory import TreeRss, memory_used

N_JOBS = 2  # every system is held to the 2 cores of the benchmark machine
# AutoGluon's presets list foundation models whose weights are downloaded on first use; there
# is no network here, so they are excluded by name (the note says which the preset listed).
AUTOGLUON_EXCLUDED = ["Chronos", "Chronos2", "Toto2"]
OUR_ID = "series"  # the id column our AutoML is given (see openaml below)


@dataclass
class Fitted:
    """A fitted system: ``predict(future)`` returns unique_id, ds, yhat and quantile columns."""

    predict: Callable[[Any], Any]
    best_model: str = ""
    note: str = ""


@dataclass(frozen=True)
class Spec:
    freq: str
    horizon: int
    season_length: int
    quantiles: list[float]  # the low and high quantile of the scored interval
    budget: float
    seed: int
    workdir: Path


Fit = Callable[[Any], Fitted]  # training panel (unique_id, ds, y) -> fitted system
Loaded = tuple[Fit, str]  # a system's fit function (imports done) and its version


def quantile_column(q: float) -> str:
    """``forecasting.quantile_column``'s names (``q0.1``), without importing our package."""
    return f"q{float(q):g}"


# ---------------------------------------------------------------- systems


def openaml(spec: Spec) -> Loaded:
    from importlib.metadata import version

    from automl import AutoMLConfig
    from forecasting import ForecastingParameters

    # Our id column is named "series": with the user's id column named "unique_id" (our
    # internal name), ForecastingPipeline.forecast returns no id column (PreparedPanel.
    # to_original drops it; reported to the forecasting package's owners).
    def fit(train: Any) -> Fitted:
        result = AutoMLConfig(
            task="forecasting",
            training_data=train.rename(columns={"unique_id": OUR_ID}),
            label_column_name="y",
            forecasting_parameters=ForecastingParameters(
                "ds",
                forecast_horizon=spec.horizon,
                time_series_id_column_names=OUR_ID,
                freq=spec.freq,
                seasonality=spec.season_length,
                quantiles=sorted({*spec.quantiles, 0.5}),
                # Every series is forecast and scored: the default ("auto") drops the series
                # too short for the rolling origins (39 of m1_monthly's), None keeps them.
                short_series_handling_configuration=None,
            ),
            primary_metric="mean_absolute_scaled_error",
            experiment_timeout_minutes=spec.budget / 60.0,
            max_concurrent_iterations=N_JOBS,
            workspace=spec.workdir / "workspace",
            seed=spec.seed,
        ).fit(show_output=False)
        model = result.best_model
        if model is None:
            raise RuntimeError(f"no child completed ({result.status}: {result.status_reason})")
        board = result.leaderboard
        tried = ", ".join(sorted(set(board["algorithm"].astype(str)))) if len(board) else ""
        note = (
            f"{len(board)} children ({tried}); {result.status}: {result.status_reason}; "
            f"validation: {result.validation}"
        )

        def predict(future: Any) -> Any:
            future = future.rename(columns={"unique_id": OUR_ID})
            point = model.forecast(future)
            bands = model.forecast_quantiles(future, quantiles=spec.quantiles)
            merged = point.merge(bands, on=[OUR_ID, "ds"], validate="one_to_one")
            return merged.rename(columns={"y": "yhat", OUR_ID: "unique_id"})

        return Fitted(predict, model.algorithm, note)

    return fit, version("openaml")


def _statsforecast(model_name: str) -> Callable[[Spec], Loaded]:
    """A statsforecast model with its defaults and ``season_length``, run to completion; the
    interval is its prediction interval at level ``100 (q_high - q_low)``."""

    def load(spec: Spec) -> Loaded:
        import statsforecast
        import statsforecast.models as models
        from statsforecast import StatsForecast

        low, high = spec.quantiles
        level = round(100 * (high - low))

        def fit(train: Any) -> Fitted:
            model = getattr(models, model_name)(season_length=spec.season_length)
            forecaster = StatsForecast(models=[model], freq=spec.freq, n_jobs=N_JOBS)
            forecaster.fit(train)
            name = str(model)

            def predict(future: Any) -> Any:
                out: Any = forecaster.predict(h=spec.horizon, level=[level])  # pandas in
                out = out.reset_index()
                return out.rename(
                    columns={
                        name: "yhat",
                        f"{name}-lo-{level}": quantile_column(low),
                        f"{name}-hi-{level}": quantile_column(high),
                    }
                )

            return Fitted(predict, name, f"{model_name}(season_length={spec.season_length})")

        return fit, f"statsforecast {statsforecast.__version__}"

    return load


def autogluon_ts(spec: Spec) -> Loaded:
    import autogluon.timeseries as agts
    from autogluon.timeseries import TimeSeriesDataFrame, TimeSeriesPredictor
    from autogluon.timeseries.configs.hyperparameter_presets import get_hyperparameter_presets
    from autogluon.timeseries.configs.predictor_presets import get_predictor_presets

    preset = "fast_training"
    listed = get_predictor_presets()[preset]["hyperparameters"]
    in_preset = sorted(get_hyperparameter_presets()[listed]) if isinstance(listed, str) else []
    excluded = [name for name in in_preset if name in AUTOGLUON_EXCLUDED]
    levels = sorted({*spec.quantiles, 0.5})

    def fit(train: Any) -> Fitted:
        data = TimeSeriesDataFrame.from_data_frame(
            train, id_column="unique_id", timestamp_column="ds"
        )
        predictor = TimeSeriesPredictor(
            target="y",
            prediction_length=spec.horizon,
            freq=spec.freq,
            eval_metric="MASE",
            eval_metric_seasonal_period=spec.season_length,
            quantile_levels=levels,
            path=str(spec.workdir / "autogluon"),
            verbosity=0,
        ).fit(
            data,
            presets=preset,
            time_limit=spec.budget,
            excluded_model_types=AUTOGLUON_EXCLUDED,
            random_seed=spec.seed,
        )
        board = predictor.leaderboard()
        trained = [str(name) for name in board["model"]]

        def predict(future: Any) -> Any:
            import pandas as pd

            # A plain DataFrame: a TimeSeriesDataFrame validates its item_id on every slice.
            out = pd.DataFrame(predictor.predict(data)).reset_index()
            out = out.rename(columns={"item_id": "unique_id", "timestamp": "ds", "mean": "yhat"})
            return out.rename(columns={str(q): quantile_column(q) for q in spec.quantiles})

        note = (
            f"preset {preset} (hyperparameters {listed!r}: {', '.join(in_preset)}); excluded "
            f"{', '.join(excluded) or 'none'} (weights not downloadable); {len(trained)} models "
            f"({', '.join(trained)})"
        )
        return Fitted(predict, str(predictor.model_best), note)

    return fit, agts.__version__


SYSTEMS: dict[str, Callable[[Spec], Loaded]] = {
    "openaml": openaml,
    "seasonal_naive": _statsforecast("SeasonalNaive"),
    "auto_ets": _statsforecast("AutoETS"),
    "auto_theta": _statsforecast("AutoTheta"),
    "auto_arima": _statsforecast("AutoARIMA"),
    "autogluon_ts": autogluon_ts,
}


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd

    data = Path(args.data)
    meta = json.loads((data / "meta.json").read_text())
    spec = Spec(
        freq=meta["freq"],
        horizon=int(meta["horizon"]),
        season_length=int(meta["season_length"]),
        quantiles=[float(q) for q in meta["quantiles"]],
        budget=args.budget,
        seed=args.seed,
        workdir=Path(args.workdir),
    )
    train = pd.read_parquet(data / "train.parquet")
    future = pd.read_parquet(data / "future.parquet")

    with TreeRss() as tree:
        started = time.perf_counter()
        fit, version = SYSTEMS[args.system](spec)
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        fitted = fit(train)
        fit_s = time.perf_counter() - started

        started = time.perf_counter()
        forecast = fitted.predict(future)
        predict_s = time.perf_counter() - started

    columns = ["unique_id", "ds", "yhat", *map(quantile_column, spec.quantiles)]
    keep = [column for column in columns if column in forecast.columns]
    if "yhat" not in keep:
        raise ValueError(f"the forecast has no point forecast; its columns: {list(forecast)}")
    forecast = forecast[keep].astype({"unique_id": str})
    forecast["ds"] = pd.to_datetime(forecast["ds"])
    forecast.to_parquet(spec.workdir / "forecast.parquet", index=False)
    return {
        "version": version,
        "import_s": import_s,
        "fit_s": fit_s,
        "predict_s": predict_s,
        **memory_used(tree),
        "best_model": fitted.best_model,
        "note": fitted.note,
    }


def main() -> None:
    parser = peer_parser(__doc__.splitlines()[0], SYSTEMS, "folder with train/future parquet, meta")
    run_guarded(run, parser.parse_args())


if __name__ == "__main__":  # our AutoML's workers (forkserver) import this module again
    main()
