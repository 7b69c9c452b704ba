"""Forecasting next to peers: our AutoML, statsforecast's models and AutoGluon-TimeSeries.

Panels: the dev panels of ``shared/data/forecasting`` (``manifest.csv`` rows of kind
``panel_split``: m4_hourly, tourism_quarterly, m1_monthly), each with its official train/test
split (``<name>_train.csv.gz``, ``<name>_test.csv.gz``: unique_id, ds, y); the manifest gives
the frequency, the seasonal period ``m`` and the horizon (the test periods of every series).
Systems (column ``system``):

- ``openaml``: ``AutoMLConfig("forecasting", training_data=train, label_column_name="y",
  forecasting_parameters=ForecastingParameters("ds", forecast_horizon=h,
  time_series_id_column_names="series", freq=freq, seasonality=m, quantiles=(0.1, 0.5,
  0.9), short_series_handling_configuration=None),
  primary_metric="mean_absolute_scaled_error", experiment_timeout_minutes=budget/60,
  max_concurrent_iterations=2, workspace=<fresh folder>, seed=0).fit(show_output=False)``,
  every other setting at its default; ``forecast`` and ``forecast_quantiles`` of the test
  periods. The id column is renamed ``series`` (named ``unique_id``, our internal name, the
  forecasts come back without it), and short series are kept (the default drops those too
  short for the rolling origins, which then cannot be forecast: 39 of m1_monthly's).
- ``seasonal_naive``, ``auto_ets``, ``auto_theta``, ``auto_arima``: statsforecast's
  ``SeasonalNaive``, ``AutoETS``, ``AutoTheta``, ``AutoARIMA`` with ``season_length=m`` and
  their defaults, ``StatsForecast(freq, n_jobs=2)``, run to completion (no time budget); the
  interval is their 80 % prediction interval.
- ``autogluon_ts``: ``TimeSeriesPredictor(prediction_length=h, freq, eval_metric="MASE",
  eval_metric_seasonal_period=m, quantile_levels=[0.1, 0.5, 0.9]).fit(train,
  presets="fast_training", time_limit=budget, excluded_model_types=["Chronos", "Chronos2",
  "Toto2"], random_seed=0)``, in a pinned peer venv with CPU torch 2.13.0. AutoGluon 1.6.3 maps
  ``fast_training`` to ``medium_quality`` (hyperparameters ``light``), which lists Chronos-2
  and Toto-2: their weights are downloaded on first use and cannot be here, so they are
  excluded (the ``note`` column names the preset's models and the ones trained).

Protocol, the same for every system: each panel is loaded once in this process and written as
parquet to a fresh temporary folder (the training part, and the unique_id and ds of the test
part). Each (system, panel) runs in its own fresh interpreter (``peer_scripts/forecast_peer.py``;
our venv, or the peer venv under ``.peers/`` made by ``_peers.ensure_peer``), in a fresh
working folder; a system with a time budget (openaml, autogluon_ts) is killed with every
process it started after ``budget x 1.05 + 5 + 120`` s (the promise plus a grace for the
interpreter, the imports and the forecast), one run to completion after ``--baseline-timeout``
s (default 4 h: statsforecast's AutoARIMA takes 20-50 s per m4_hourly series on one core of
the 2-core machine, so hours for the panel). The child
times the fit (fit_s, imports excluded: import_s) and the forecast (predict_s) and saves its
forecast; this process scores every forecast with ``forecasting.score_forecast`` (our metrics,
M4's definitions): ``mase``, the mean over series of MASE with the seasonal scale (the
in-sample MAE of the seasonal naive forecast of each series' training data, lag ``m``);
``smape``, the mean sMAPE in percent; ``mase_ratio``, mase over seasonal naive's mase;
``owa``, ``forecasting.owa`` against M4's Naive2 (``_reference_forecasts.py``: seasonally
adjusted naive, classical multiplicative decomposition where a 90 % autocorrelation test says
seasonal); ``coverage``, the fraction of test points inside the system's [0.1, 0.9] quantile
interval (systems that give quantiles). The seasonal naive and Naive2 references are computed
here, once per panel. wall_s is the child's whole life (interpreter start to exit);
peak_rss_mb the larger of the child's own max RSS and its largest descendant's
(``getrusage``), tree_rss_peak_mb the sampled sum over the child and its live descendants.
overrun: fit_s > budget x 1.05 + 5 (systems with a budget only). A failure (error, crash,
kill, a peer that does not install) is a row with failed=True and the error, and the benchmark
goes on. Rows are appended to ``benchmarks/results/forecasting_vs_peers.csv``; a (system,
panel, budget_s) row already there and not failed is skipped unless ``--force``. On a 2-core
machine, run nothing else meanwhile.

    python benchmarks/forecasting_vs_peers.py [--budget 300] [--datasets m4_hourly,m1_monthly]
        [--systems openaml,seasonal_naive,auto_ets,auto_theta,autogluon_ts,auto_arima]
        [--baseline-timeout 14400] [--force] [--results PATH]
    python benchmarks/forecasting_vs_peers.py --summary [--markdown] [--results PATH]

``--summary`` prints, per budget, each panel's table (mase, smape, mase_ratio, owa, coverage,
fit and wall seconds) and, over the panels that every system ran, each system's geometric
mean of mase_ratio, mean OWA, the panels where it beats seasonal naive, its mean coverage,
failures and overruns.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _child_process import child_env, run_child
from _forecast_summary import COLUMNS, SYSTEMS, summary
from _peers import PeerError, PeerSpecs, python_for
from _results import append, flat, git_commit, machine, read_rows, row_key

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPT = HERE / "peer_scripts" / "forecast_peer.py"
DATA = REPO.parent / "shared" / "data" / "forecasting"
RESULTS = HERE / "results" / "forecasting_vs_peers.csv"
SEED = 0
BUDGET = 300.0
QUANTILES = (0.1, 0.9)  # the scored interval
GRACE = 120.0  # seconds past the promise before a budgeted child is killed
UNBUDGETED_LIMIT = 14400.0  # default seconds before a run-to-completion child is killed
BUDGETED = ("openaml", "autogluon_ts")  # the systems given the time budget
OURS = ("openaml", "seasonal_naive", "auto_ets", "auto_theta", "auto_arima")  # our venv
# AutoGluon-TimeSeries 1.6.3 accepts torch >= 2.10, < 2.14: the CPU build 2.13.0+cpu (the local
# label keeps pip from ever choosing a CUDA build), as for the tabular AutoGluon peer.
PEERS: PeerSpecs = {
    "autogluon_ts": (
        "autogluon-ts-1.6.3",
        [
            "autogluon.timeseries==1.6.3",
            "torch==2.13.0+cpu",
            "pandas==2.3.3",
            "numpy==2.4.6",
            "pyarrow==24.0.0",
            "scikit-learn==1.9.1",
        ],
        (),
    ),
}


@dataclass(frozen=True)
class Panel:
    name: str
    freq: str
    season_length: int
    horizon: int


@dataclass(frozen=True)
class Prepared:
    """A panel loaded, written for the children, with its reference scores."""

    folder: Path  # train.parquet, future.parquet, meta.json
    train: Any  # DataFrame unique_id, ds, y
    test: Any  # DataFrame unique_id, ds, y
    snaive_mase: float
    naive2_mase: float
    naive2_smape: float
    note: str


# ---------------------------------------------------------------- data


def manifest() -> dict[str, Panel]:
    """The panels with an official train/test split (kind ``panel_split``)."""
    with (DATA / "manifest.csv").open(newline="") as handle:
        return {
            row["name"]: Panel(
                row["name"], row["freq"], int(row["season_length"]), int(row["horizon"])
            )
            for row in csv.DictReader(handle)
            if row["kind"] == "panel_split"
        }


def load(panel: Panel) -> tuple[Any, Any]:
    """The official training and test parts, ``ds`` parsed, ``unique_id`` as text."""
    import pandas as pd

    parts = []
    for part in ("train", "test"):
        frame = pd.read_csv(DATA / f"{panel.name}_{part}.csv.gz", parse_dates=["ds"])
        missing = {"unique_id", "ds", "y"} - set(frame.columns)
        if missing:
            raise ValueError(f"{panel.name}_{part}.csv.gz lacks the columns {sorted(missing)}")
        parts.append(frame.astype({"unique_id": str, "y": "float64"}))
    train, test = parts
    counts = test.groupby("unique_id").size()
    if (counts != panel.horizon).any() or set(counts.index) != set(train["unique_id"]):
        raise ValueError(
            f"{panel.name}: the test part must hold {panel.horizon} periods (the manifest's "
            f"horizon) of every training series; it holds {counts.min()}..{counts.max()} of "
            f"{len(counts)} series for {train['unique_id'].nunique()} training series"
        )
    return train, test


def scores(panel: Panel, train: Any, test: Any, forecast: Any) -> dict[str, float]:
    """Mean MASE and sMAPE of ``forecast`` (our scorer), and its interval's coverage."""
    import numpy as np

    from forecasting import score_forecast

    got = score_forecast(
        test, forecast, train, seasonality=panel.season_length, metrics=["mase", "smape"]
    ).values
    out = {"mase": got["mean_absolute_scaled_error"]}
    out["smape"] = got["symmetric_mean_absolute_percentage_error"]
    low, high = (f"q{q:g}" for q in QUANTILES)
    if {low, high} <= set(forecast.columns):
        rows = test.merge(forecast, on=["unique_id", "ds"], how="left")
        y = rows["y"].to_numpy(np.float64)
        inside = (y >= rows[low].to_numpy(np.float64)) & (y <= rows[high].to_numpy(np.float64))
        out["coverage"] = float(inside.mean())
    return out


def prepare(panel: Panel) -> Prepared:
    """Load ``panel``, write it for the children and score the reference forecasts."""
    from _reference_forecasts import naive2, seasonal_naive

    train, test = load(panel)
    future = test[["unique_id", "ds"]]
    snaive = scores(panel, train, test, seasonal_naive(train, future, panel.season_length))
    naive2_forecast, note = naive2(train, future, panel.season_length)
    reference = scores(panel, train, test, naive2_forecast)
    folder = Path(tempfile.mkdtemp(prefix=f"forecasting-vs-peers-{panel.name}-"))
    train.to_parquet(folder / "train.parquet", index=False)
    future.to_parquet(folder / "future.parquet", index=False)
    meta = {
        "freq": panel.freq,
        "horizon": panel.horizon,
        "season_length": panel.season_length,
        "quantiles": list(QUANTILES),
    }
    (folder / "meta.json").write_text(json.dumps(meta))
    return Prepared(
        folder,
        train,
        test,
        snaive["mase"],
        reference["mase"],
        reference["smape"],
        f"{note}; seasonal naive mase {snaive['mase']:.4f}, Naive2 mase "
        f"{reference['mase']:.4f} smape {reference['smape']:.3f}",
    )


# ---------------------------------------------------------------- running


def child_timeout(system: str, budget: float, baseline_timeout: float) -> float:
    return budget * 1.05 + 5 + GRACE if system in BUDGETED else baseline_timeout


def run_system(
    system: str, python: Path, prepared: Prepared, budget: float, limit: float
) -> tuple[dict[str, Any], float, Any]:
    """Run one system on one panel in a fresh interpreter: (answer, wall seconds, forecast)."""
    import pandas as pd

    workdir = Path(tempfile.mkdtemp(prefix=f"forecasting-vs-peers-{system}-"))
    command = [str(python), str(SCRIPT), "--system", system, "--data", str(prepared.folder)]
    command += ["--budget", str(budget), "--seed", str(SEED), "--workdir", str(workdir)]
    note = "budget x 1.05 + 5 + 120" if system in BUDGETED else "--baseline-timeout"
    try:
        outcome = run_child(
            command,
            cwd=workdir,
            env=child_env(ours=system in OURS),
            limit=limit,
            limit_note=note,
        )
        if outcome.failed:
            return outcome.answer, outcome.seconds, None
        return outcome.answer, outcome.seconds, pd.read_parquet(workdir / "forecast.parquet")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measure(
    system: str, panel: Panel, prepared: Prepared | None, budget: float, baseline_timeout: float
) -> dict[str, str]:
    """One row of the results: run ``system`` on ``panel`` and score it."""
    from forecasting import owa

    row = dict.fromkeys(COLUMNS, "")
    row.update(
        system=system,
        dataset=panel.name,
        horizon=str(panel.horizon),
        season_length=str(panel.season_length),
        budget_s=f"{budget:g}",
        budgeted=str(system in BUDGETED),
        failed="True",
        kill_after_s=f"{child_timeout(system, budget, baseline_timeout):.0f}",
        load_before=f"{os.getloadavg()[0]:.2f}",
    )
    if prepared is None:
        row["error"] = "the panel could not be loaded"
        return row
    row["n_series"] = str(prepared.train["unique_id"].nunique())
    try:
        python = python_for(system, PEERS)
    except PeerError as exc:
        row["error"] = flat(f"peer install failed: {exc}")
        return row
    limit = child_timeout(system, budget, baseline_timeout)
    answer, wall_s, forecast = run_system(system, python, prepared, budget, limit)
    row["version"] = str(answer.get("version", ""))
    row["wall_s"] = f"{wall_s:.1f}"
    if "error" in answer:
        row["error"] = flat(answer["error"])
        return row
    try:
        got = scores(panel, prepared.train, prepared.test, forecast)
        mase, smape = got["mase"], got["smape"]
        value = owa(mase, smape, prepared.naive2_mase, prepared.naive2_smape)
    except Exception as exc:  # a bad forecast is this system's failure, not the benchmark's
        row["error"] = flat(f"scoring failed: {type(exc).__name__}: {exc}")
        return row
    fit_s = float(answer["fit_s"])
    row.update(
        mase=f"{mase:.6g}",
        smape=f"{smape:.6g}",
        mase_ratio=f"{mase / prepared.snaive_mase:.6g}",
        owa=f"{value:.6g}",
        coverage=f"{got['coverage']:.4f}" if "coverage" in got else "",
        failed="False",
        fit_s=f"{fit_s:.2f}",
        overrun=str(fit_s > budget * 1.05 + 5) if system in BUDGETED else "",
        import_s=f"{answer['import_s']:.2f}",
        predict_s=f"{answer['predict_s']:.2f}",
        peak_rss_mb=f"{max(answer['rss_self_mb'], answer['rss_children_mb']):.0f}",
        tree_rss_peak_mb=f"{answer['tree_rss_peak_mb']:.0f}",
        best_model=flat(answer.get("best_model", ""), 200),
        note=flat(f"{answer.get('note', '')} | {prepared.note}", 1000),
    )
    return row


def outcome_line(row: dict[str, str]) -> str:
    if row["failed"] == "True":
        return f"FAILED: {row['error'][:200]}"
    over = "  OVERRUN" if row["overrun"] == "True" else ""
    cover = f"  coverage {row['coverage']}" if row["coverage"] else ""
    return (
        f"mase={float(row['mase']):.4f} ({float(row['mase_ratio']):.3f} x snaive)  "
        f"owa={float(row['owa']):.3f}{cover}  fit {row['fit_s']} s{over}  "
        f"best {row['best_model'][:30]}"
    )


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=BUDGET, help="seconds per fit")
    parser.add_argument("--datasets", help="comma-separated panels (default: every dev panel)")
    parser.add_argument("--systems", help=f"comma-separated, of {','.join(SYSTEMS)}")
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=UNBUDGETED_LIMIT,
        help="seconds before a run-to-completion baseline (statsforecast) is killed",
    )
    parser.add_argument("--force", action="store_true", help="rerun rows already measured")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the CSV to append to")
    parser.add_argument("--summary", action="store_true", help="summarise the results file")
    parser.add_argument("--markdown", action="store_true", help="the summary as markdown")
    args = parser.parse_args()
    if args.summary:
        summary(args.results, args.markdown)
        return

    budget = float(args.budget)
    if not math.isfinite(budget) or budget <= 0:
        parser.error(f"--budget must be a number of seconds > 0, got {args.budget}")
    if not math.isfinite(args.baseline_timeout) or args.baseline_timeout <= 0:
        parser.error(f"--baseline-timeout must be seconds > 0, got {args.baseline_timeout}")
    known = manifest()
    names = args.datasets.split(",") if args.datasets else list(known)
    if unknown := [n for n in names if n not in known]:
        parser.error(f"unknown datasets {unknown}; known: {', '.join(sorted(known))}")
    systems = args.systems.split(",") if args.systems else list(SYSTEMS)
    if bad := [s for s in systems if s not in SYSTEMS]:
        parser.error(f"unknown systems {bad}; known: {', '.join(SYSTEMS)}")

    done = {row_key(r) for r in read_rows(args.results) if r["failed"] == "False"}
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    context = {"timestamp": stamp, "machine": machine(), "git_commit": git_commit()}
    todo = [(n, s) for n in names for s in systems if args.force or (s, n, budget) not in done]
    skipped = len(names) * len(systems) - len(todo)
    print(
        f"{len(todo)} runs at budget {budget:g} s ({skipped} already measured; --force reruns "
        f"them); {', '.join(BUDGETED)} killed after {budget * 1.05 + 5 + GRACE:.0f} s, the "
        f"others after {args.baseline_timeout:.0f} s",
        flush=True,
    )
    started = time.perf_counter()
    for i, name in enumerate(names):
        runs = [s for n, s in todo if n == name]
        if not runs:
            continue
        panel = known[name]
        try:
            prepared: Prepared | None = prepare(panel)
        except Exception as exc:
            print(f"{name}: could not load: {type(exc).__name__}: {exc}", flush=True)
            prepared = None
        try:
            for system in runs:
                measured = measure(system, panel, prepared, budget, args.baseline_timeout)
                row = {**measured, **context}
                append(args.results, row, COLUMNS)  # row by row: an interrupted run keeps its rows
                elapsed = time.perf_counter() - started
                print(
                    f"[{i + 1}/{len(names)} {elapsed / 60:5.1f} min] {name:<18} {system:<15} "
                    f"{outcome_line(row)}",
                    flush=True,
                )
        finally:
            if prepared is not None:
                shutil.rmtree(prepared.folder, ignore_errors=True)
    print(f"\nresults appended to {args.results}")
    summary(args.results, markdown=False)


if __name__ == "__main__":
    main()
