"""`automl sweep FILE.yaml`: run a sweep job written in Azure ML's v2 YAML (`type: sweep`).

The job is validated before any trial runs; what it asks for that does not apply locally
(`trial.environment`, `outputs`, ...) is printed as notices. The experiment is named by
`--name`, else the job's `experiment_name`, else the file's stem, so running the same file
again resumes the sweep. At the end the command prints the ten best trials.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from typing import TYPE_CHECKING, Any

from automl.cli._render import add_job_command, print_json, print_table

if TYPE_CHECKING:
    from trials._sweep_yaml import SweepJob

__all__ = ["register"]

TOP = 10
# Columns of a store leaderboard that a metric or parameter of the same name cannot take.
_FIXED_COLUMNS = ("run_id", "index", "kind", "status", "status_reason", "duration_seconds")
_ROW_KEYS = ("index", "status", "run_id", "status_reason", "params")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `sweep` command."""
    description = (
        "Run a sweep job: an Azure ML v2 YAML file with `type: sweep` (trial command, "
        "search_space, objective, sampling_algorithm, early_termination, limits). Running "
        "the same file again resumes its experiment."
    )
    add_job_command(
        commands,
        "sweep",
        help_text="run a sweep job from its YAML file",
        description=description,
        metavar="FILE.yaml",
        handler=_sweep,
    )


def _sweep(args: argparse.Namespace) -> None:
    from trials._sweep_yaml import load_sweep_job

    job = load_sweep_job(args.file)
    name = job.experiment_name if args.name is None else args.name.strip()
    if not name:
        raise ValueError(f"--name must be a non-empty experiment name, got {args.name!r}")
    if not args.json:
        for notice in job.notices:
            print(f"automl: notice: {notice}", file=sys.stderr)
    sweep_class = _sweep_class()
    kwargs = job.to_sweep_kwargs()
    kwargs["experiment_name"] = name
    try:
        result = sweep_class(**kwargs, workspace=args.workspace).run(quiet=args.quiet or args.json)
    except KeyboardInterrupt:
        print(
            f"\nautoml: interrupted; run the same command again to resume {name!r}",
            file=sys.stderr,
        )
        raise SystemExit(130) from None
    name = getattr(result, "experiment_name", None) or name
    rows = _leaderboard(args, job, name)
    if args.json:
        print_json(
            {
                "experiment": name,
                "primary_metric": job.primary_metric,
                "goal": job.goal,
                "notices": list(job.notices),
                "leaderboard": rows,
            }
        )
        return
    metric_key = _metric_key(job.primary_metric)
    taken = {"index", "status", metric_key}
    table = [
        {
            "index": row["index"],
            "status": row["status"],
            metric_key: row[metric_key],
            **{f"param.{k}" if k in taken else k: v for k, v in row["params"].items()},
        }
        for row in rows
    ]
    params = list(dict.fromkeys(key for row in table for key in list(row)[3:]))
    title = f"Sweep {name}: top {len(rows)}, best {job.primary_metric} first"
    print_table(table, ["index", "status", metric_key, *params], title)
    workspace = "" if args.workspace is None else f" --workspace {shlex.quote(args.workspace)}"
    print(f"Every trial: automl{workspace} runs ls --experiment {shlex.quote(name)}")


def _sweep_class() -> Any:
    import trials

    sweep_class = getattr(trials, "Sweep", None)
    if sweep_class is None:
        from automl.cli import CliError

        raise CliError(
            "`automl sweep` needs trials.Sweep, which this build of openaml does not have "
            "yet; the job file itself is valid"
        )
    return sweep_class


def _metric_key(metric: str) -> str:
    return f"metric.{metric}" if metric in _ROW_KEYS else metric


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _leaderboard(args: argparse.Namespace, job: SweepJob, name: str) -> list[dict[str, Any]]:
    """The best trials of experiment ``name``, read back from the store."""
    from automl.cli._store_commands import open_workspace
    from trials._targets import search_space_paths

    metric = job.primary_metric
    with open_workspace(args) as workspace:
        frame = workspace.leaderboard(name, metric, job.goal, limit=TOP)
    metric_column = f"metric.{metric}" if metric in _FIXED_COLUMNS else metric
    metric_key = _metric_key(metric)
    columns = list(frame.columns)
    param_columns: dict[str, str] = {}
    for path in search_space_paths(job.search_space):
        for column in (f"param.{path}", path):
            if column in columns and column != metric_column:
                param_columns[path] = column
                break
    ordered = sorted(param_columns.items(), key=lambda item: columns.index(item[1]))
    rows = []
    for record in frame.to_dict("records"):
        params = {path: _plain(record.get(column)) for path, column in ordered}
        rows.append(
            {
                "index": record.get("index"),
                "status": record.get("status"),
                metric_key: _plain(record.get(metric_column)),
                "run_id": record.get("run_id"),
                "status_reason": record.get("status_reason"),
                "params": {path: value for path, value in params.items() if value is not None},
            }
        )
    return rows
