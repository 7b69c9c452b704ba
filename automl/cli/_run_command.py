"""`automl run JOB.yaml`: run an AutoML job written in Azure ML's v2 YAML (`type: automl`).

The job is validated before any child runs; what it asks for that does not apply locally
(`environment`, `limits.max_nodes`, ...) is printed as notices. The experiment is named by
`--name`, else the job's `experiment_name`, else the file's stem, so running the same file
again resumes the experiment. At the end the command prints the ten best children and the
registered model.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
from typing import TYPE_CHECKING, Any

from automl.cli._render import add_job_command, print_json, print_table

if TYPE_CHECKING:
    from automl._result import AutoMLResult

__all__ = ["register"]

TOP = 10
_COLUMNS = ("index", "algorithm", "status")
_FIT_TIME = "fit_time"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command."""
    description = (
        "Run an AutoML job: an Azure ML v2 YAML file with `type: automl` (task, "
        "training_data, target_column_name, primary_metric, limits, training, featurization). "
        "Running the same file again resumes its experiment."
    )
    add_job_command(
        commands,
        "run",
        help_text="run an AutoML job from its YAML file",
        description=description,
        metavar="JOB.yaml",
        handler=_run,
    )


def _run(args: argparse.Namespace) -> None:
    from automl._yaml import load_automl_job

    job = load_automl_job(args.file, workspace=args.workspace)
    config = job.config
    if args.name is not None:
        name = args.name.strip()
        if not name:
            raise ValueError(f"--name must be a non-empty experiment name, got {args.name!r}")
        config = dataclasses.replace(config, experiment_name=name)
    name = config.experiment_name or ""
    if not args.json:
        for notice in job.notices:
            print(f"automl: notice: {notice}", file=sys.stderr)
    try:
        result = config.fit(show_output=not (args.quiet or args.json))
    except KeyboardInterrupt:
        print(
            f"\nautoml: interrupted; run the same command again to resume {name!r}",
            file=sys.stderr,
        )
        raise SystemExit(130) from None
    try:
        _report(args, result, list(job.notices))
    finally:
        if result.workspace is not None and result.workspace is not config.workspace:
            result.workspace.close()


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _leaderboard(result: AutoMLResult) -> list[dict[str, Any]]:
    """The best children, best first (completed ones first, as the result ranks them)."""
    board = result.leaderboard
    metric = result.primary_metric
    columns = [c for c in (*_COLUMNS, metric, _FIT_TIME) if c in board.columns]
    rows = []
    for record in board.head(TOP)[columns].to_dict("records"):
        row = {column: _plain(record.get(column)) for column in (*_COLUMNS, metric, _FIT_TIME)}
        rows.append(row)
    return rows


def _report(args: argparse.Namespace, result: AutoMLResult, notices: list[str]) -> None:
    name = result.experiment_name
    rows = _leaderboard(result)
    algorithm = None if result.best_model is None else result.best_model.algorithm
    if args.json:
        print_json(
            {
                "experiment": name,
                "status": result.status,
                "status_reason": result.status_reason,
                "primary_metric": result.primary_metric,
                "best_score": _plain(result.best_score),
                "best_algorithm": algorithm,
                "best_run_id": None if result.best_run is None else result.best_run.id,
                "registered_model_name": result.registered_model_name,
                "registered_model_version": result.registered_model_version,
                "validation": result.validation,
                "notices": notices,
                "leaderboard": rows,
            }
        )
        return
    metric = result.primary_metric
    title = f"AutoML {name}: top {len(rows)}, best {metric} first"
    print_table(rows, [*_COLUMNS, metric, _FIT_TIME], title)
    reason = f" ({result.status_reason})" if result.status_reason else ""
    print(f"Search ended: {result.status}{reason}")
    workspace = "" if args.workspace is None else f" --workspace {shlex.quote(args.workspace)}"
    if result.registered_model_name is None:
        print("No child completed: no model registered")
    else:
        ref = f"{result.registered_model_name}:{result.registered_model_version}"
        score = "-" if result.best_score is None else f"{result.best_score:.6g}"
        print(
            f"Best model: {algorithm}, {metric}={score}; "
            f"registered as {ref} (automl{workspace} models show {shlex.quote(ref)})"
        )
    print(f"Every child: automl{workspace} runs ls --experiment {shlex.quote(name)}")
