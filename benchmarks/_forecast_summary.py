"""The results file of benchmarks/forecasting_vs_peers.py: its columns and its summary tables.

``summary(path, markdown)`` prints, per budget, one table per panel (each system's mean MASE,
sMAPE, MASE over seasonal naive's, OWA against Naive2, interval coverage, seconds) and one table
over the panels that every system ran: the geometric mean over panels of the MASE ratio (the
issue's headline number; a system that failed on one of them gets none), the mean OWA, the
panels where the system beats seasonal naive, the mean coverage, failures and overruns. The
last row of each (system, panel, budget) counts.

    >>> summary(Path("benchmarks/results/forecasting_vs_peers.csv"), markdown=True)
    ... # doctest: +SKIP
"""

from __future__ import annotations

import math
from pathlib import Path

from _results import budget_groups, read_rows, table

__all__ = ["COLUMNS", "SYSTEMS", "geometric_mean", "summary"]

# AutoARIMA last: by far the longest run (hours on m4_hourly), so a panel's other rows come first.
SYSTEMS = ("openaml", "seasonal_naive", "auto_ets", "auto_theta", "autogluon_ts", "auto_arima")
COLUMNS = [
    "timestamp",
    "machine",
    "git_commit",
    "system",
    "version",
    "dataset",
    "n_series",
    "horizon",
    "season_length",
    "budget_s",
    "budgeted",
    "mase",
    "smape",
    "mase_ratio",
    "owa",
    "coverage",
    "failed",
    "error",
    "fit_s",
    "overrun",
    "import_s",
    "predict_s",
    "wall_s",
    "kill_after_s",
    "peak_rss_mb",
    "tree_rss_peak_mb",
    "best_model",
    "load_before",
    "note",
]


def geometric_mean(values: list[float]) -> float:
    """``exp(mean(log v))`` of positive values (NaN for none)."""
    if not values:
        return math.nan
    if any(not v > 0 for v in values):
        raise ValueError(f"a geometric mean needs values > 0, got {values}")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _ok(row: dict[str, str]) -> bool:
    return row["failed"] == "False"


def _cell(row: dict[str, str], column: str, digits: int) -> str:
    if not _ok(row):
        return "failed"
    return f"{float(row[column]):.{digits}f}" if row[column] else "-"


def _panel_table(rows: dict[str, dict[str, str]], systems: list[str], markdown: bool) -> list[str]:
    head = ["system", "mase", "smape", "mase / snaive", "owa", "coverage 0.1-0.9", "fit s"]
    head += ["wall s", "overrun", "best model"]
    body = []
    for s in systems:
        if s not in rows:
            continue
        r = rows[s]
        body.append(
            [
                s,
                _cell(r, "mase", 3),
                _cell(r, "smape", 2),
                _cell(r, "mase_ratio", 3),
                _cell(r, "owa", 3),
                _cell(r, "coverage", 3),
                r["fit_s"] or "-",
                r["wall_s"] or "-",
                r["overrun"] or "-",
                r["best_model"][:30] if _ok(r) else r["error"][:60],
            ]
        )
    return table(head, body, markdown)


def _overall(
    at: list[dict[str, str]],
    by_dataset: dict[str, dict[str, dict[str, str]]],
    systems: list[str],
    complete: list[str],
) -> list[list[str]]:
    body = []
    for s in systems:
        got = [by_dataset[name][s] for name in complete]
        ok = [r for r in got if _ok(r)]
        ratios = [float(r["mase_ratio"]) for r in ok]
        if complete and len(ok) == len(got):
            geo = f"{geometric_mean(ratios):.3f}"
            mean_owa = f"{sum(float(r['owa']) for r in ok) / len(ok):.3f}"
        else:
            geo = mean_owa = f"n/a ({len(got) - len(ok)} failed)" if complete else "-"
        covered = [float(r["coverage"]) for r in ok if r["coverage"]]
        mine = [r for r in at if r["system"] == s]
        body.append(
            [
                s,
                geo,
                mean_owa,
                f"{sum(v < 1 for v in ratios)}/{len(complete)}",
                f"{sum(covered) / len(covered):.3f}" if covered else "-",
                str(sum(not _ok(r) for r in mine)),
                str(sum(r["overrun"] == "True" for r in mine)),
                str(len(mine)),
            ]
        )
    return body


def summary(path: Path, markdown: bool) -> None:
    """Print the tables of the module docstring for the results file at ``path``."""
    groups = budget_groups(read_rows(path), SYSTEMS)
    if not groups:
        print(f"no results in {path}")
        return
    for group in groups:
        budget, at, systems = group.budget, group.rows, group.systems
        by_dataset, complete = group.by_dataset, group.complete
        for name in sorted(by_dataset):
            got = by_dataset[name]
            first = next(iter(got.values()))
            title = (
                f"budget {budget:g} s, {name} ({first['n_series'] or '?'} series, horizon "
                f"{first['horizon']}, m = {first['season_length']})"
            )
            print(f"\n### {title}\n" if markdown else f"\n{title}")
            print("\n".join(_panel_table(got, systems, markdown)))
        title = (
            f"budget {budget:g} s: over the {len(complete)} panels that every system ran "
            f"({', '.join(complete) or 'none'})"
        )
        print(f"\n### {title}\n" if markdown else f"\n{title}")
        head = ["system", "geo-mean mase / snaive", "mean owa", "beats snaive"]
        head += ["mean coverage", "failures", "overruns", "runs"]
        print("\n".join(table(head, _overall(at, by_dataset, systems, complete), markdown)))
