"""Reading the store from the shell: experiments, runs, models and datasets."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from automl.cli._render import print_json, print_record, print_table

if TYPE_CHECKING:
    from trials import Run, Workspace

RUN_COLUMNS = ["id", "experiment", "kind", "index", "status", "status_reason", "started", "seconds"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `experiments`, `runs`, `models` and `datasets` read commands."""
    experiments = _group(commands, "experiments", "experiments in the workspace")
    _command(experiments, "ls", "list experiments, newest first", _experiments_ls)

    runs = _group(commands, "runs", "runs: trials, sweeps and AutoML children")
    ls = _command(runs, "ls", "list runs, newest first", _runs_ls)
    ls.add_argument("--experiment", "-e", help="only runs of this experiment")
    ls.add_argument("--status", "-s", action="append", help="only runs with this status")
    ls.add_argument("--parent", help="only children of this run")
    ls.add_argument("--limit", "-n", type=_positive_int, default=50, help="at most N runs (50)")
    show = _command(runs, "show", "one run: params, metrics, history, artifacts", _runs_show)
    show.add_argument("run_id", metavar="RUN_ID")
    cancel = _command(
        runs, "cancel", "ask the experiment that owns a run to cancel it", _runs_cancel
    )
    cancel.add_argument("run_id", metavar="RUN_ID")

    models = _group(commands, "models", "registered models")
    _command(models, "ls", "list models with their latest version", _models_ls)
    show = _command(
        models, "show", "versions of a model, or one version with lineage", _models_show
    )
    show.add_argument("ref", metavar="NAME[:VERSION]")

    datasets = _group(commands, "datasets", "registered datasets")
    _command(datasets, "ls", "list datasets with their latest version", _datasets_ls)
    show = _command(datasets, "show", "one dataset version with its profile", _datasets_show)
    show.add_argument("ref", metavar="NAME[:VERSION]")
    add = _command(
        datasets,
        "register",
        "register a CSV or Parquet file as a new dataset version",
        _datasets_register,
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("path", metavar="PATH")
    add.add_argument("--description", default=None)


def _group(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    parser = commands.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _command(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Any,
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text, description=help_text)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=handler)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def open_workspace(args: argparse.Namespace) -> Workspace:
    from trials import Workspace

    return Workspace(args.workspace)


def parse_ref(ref: str) -> tuple[str, int | None]:
    """Split `NAME[:VERSION]`; `latest` or no version gives None."""
    name, _, version = ref.partition(":")
    if not name:
        raise ValueError(f"expected NAME or NAME:VERSION (e.g. 'churn:3'), got {ref!r}")
    if version in {"", "latest"}:
        return name, None
    if not version.isdigit() or int(version) < 1:
        raise ValueError(
            f"the version in {ref!r} must be a number >= 1 or 'latest', got {version!r}"
        )
    return name, int(version)


def run_row(run: Run) -> dict[str, Any]:
    seconds = run.duration_seconds
    return {
        "id": run.id,
        "experiment": run.experiment,
        "kind": run.kind,
        "parent_id": run.parent_id,
        "index": run.index,
        "status": run.status,
        "status_reason": run.status_reason,
        "started": run.started_at or run.created_at,
        "seconds": None if seconds is None else round(seconds, 3),
    }


def _experiments_ls(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        experiments = sorted(workspace.list_experiments(), key=lambda e: e.created_at, reverse=True)
        rows = [
            {
                "name": experiment.name,
                "kind": experiment.kind,
                "runs": workspace.count_runs(experiment=experiment.name),
                "created": experiment.created_at,
                "updated": experiment.updated_at,
                "fingerprint": (experiment.fingerprint or "")[:12],
            }
            for experiment in experiments
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            rows, ["name", "kind", "runs", "created", "updated", "fingerprint"], "Experiments"
        )


def _runs_ls(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        filters: dict[str, Any] = {
            "experiment": args.experiment,
            "status": args.status,
            "parent_id": args.parent,
        }
        if args.experiment is not None:
            workspace.get_experiment(args.experiment)  # an unknown name is an error, not "none"
        total = workspace.count_runs(**filters)
        newest = workspace.runs(**filters, limit=args.limit, offset=max(total - args.limit, 0))
        rows = [run_row(run) for run in reversed(newest)]
    if args.json:
        print_json(rows)
    else:
        shown = f"{len(rows)} of {total}" if total > len(rows) else str(total)
        print_table(rows, RUN_COLUMNS, f"Runs ({shown}, newest first)")


def _runs_show(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        run = workspace.get_run(args.run_id)
        record: dict[str, Any] = dict(run_row(run))
        record["error"] = run.error
        record["children"] = workspace.count_runs(parent_id=run.id)
        record["params"] = dict(run.params)
        record["metrics"] = workspace.final_metrics(run.id)
        record["tags"] = dict(run.tags)
        record["properties"] = dict(run.properties)
        record["status_history"] = [
            {"status": change.status, "reason": change.reason, "at": change.at}
            for change in workspace.run_history(run.id)
        ]
        record["artifacts"] = [
            {"name": artifact.name, "size": artifact.size, "sha256": artifact.sha256}
            for artifact in workspace.artifacts(run.id)
        ]
    if args.json:
        print_json(record)
    else:
        print_record(record, f"Run {run.id}")


def _runs_cancel(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        run = workspace.get_run(args.run_id)
        if run.status.is_terminal:
            raise ValueError(
                f"run {run.id!r} already ended ({run.status}); only a queued or running run "
                "can be canceled"
            )
        workspace.request_cancel(run.id)
    record = {"run_id": run.id, "cancel_requested": True}
    if args.json:
        print_json(record)
    else:
        print(f"Cancel requested for run {run.id}; its experiment stops it within a second.")


def _models_ls(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        rows = [
            {
                "name": model.name,
                "latest_version": model.version,
                "source_run": model.source_run_id,
                "kind": model.kind,
                "size": model.size,
                "tags": dict(model.tags),
                "created": model.created_at,
            }
            for model in workspace.models.list_models()
        ]
    if args.json:
        print_json(rows)
    else:
        columns = ["name", "latest_version", "source_run", "kind", "size", "tags", "created"]
        print_table(rows, columns, "Models")


def _models_show(args: argparse.Namespace) -> None:
    name, version = parse_ref(args.ref)
    with open_workspace(args) as workspace:
        if version is None and ":" not in args.ref:
            versions = workspace.models.versions(name)
            latest = versions[-1]
        else:
            latest = workspace.models.get(name, "latest" if version is None else version)
            versions = []
    record: dict[str, Any] = {
        "name": latest.name,
        "version": latest.version,
        "source_run": latest.source_run_id,
        "kind": latest.kind,
        "artifact_path": latest.artifact_path,
        "sha256": latest.sha256,
        "size": latest.size,
        "description": latest.description,
        "created": latest.created_at,
        "tags": dict(latest.tags),
        "lineage": dict(latest.lineage),
    }
    if versions:
        record["versions"] = [
            {
                "version": v.version,
                "source_run": v.source_run_id,
                "sha256": v.sha256[:12],
                "created": v.created_at,
            }
            for v in versions
        ]
    if args.json:
        print_json(record)
    else:
        print_record(record, f"Model {latest.name} version {latest.version}")


def _datasets_ls(args: argparse.Namespace) -> None:
    with open_workspace(args) as workspace:
        rows = [
            {
                "name": dataset.name,
                "latest_version": dataset.version,
                "rows": dataset.profile.get("rows"),
                "columns": len(dataset.profile.get("columns", [])),
                "format": dataset.format,
                "size": dataset.size,
                "fingerprint": dataset.fingerprint[:12],
                "created": dataset.created_at,
            }
            for dataset in workspace.datasets.list()
        ]
    if args.json:
        print_json(rows)
    else:
        columns = [
            "name",
            "latest_version",
            "rows",
            "columns",
            "format",
            "size",
            "fingerprint",
            "created",
        ]
        print_table(rows, columns, "Datasets")


def _datasets_register(args: argparse.Namespace) -> None:
    from pathlib import Path

    path = Path(args.path)
    if not path.is_file():
        raise ValueError(f"PATH must be an existing CSV or Parquet file, got {args.path!r}")
    with open_workspace(args) as workspace:
        dataset = workspace.datasets.register(args.name, path, description=args.description)
    record = {
        "name": dataset.name,
        "version": dataset.version,
        "rows": dataset.profile.get("rows"),
        "fingerprint": dataset.fingerprint,
    }
    if args.json:
        print_json(record)
    else:
        print(
            f"Dataset {dataset.name} version {dataset.version}: {record['rows']} rows, "
            f"fingerprint {dataset.fingerprint[:12]}"
        )


def _datasets_show(args: argparse.Namespace) -> None:
    name, version = parse_ref(args.ref)
    with open_workspace(args) as workspace:
        dataset = workspace.datasets.get(name, "latest" if version is None else version)
        versions = [v.version for v in workspace.datasets.versions(name)]
    profile = dict(dataset.profile)
    record: dict[str, Any] = {
        "name": dataset.name,
        "version": dataset.version,
        "versions": versions,
        "fingerprint": dataset.fingerprint,
        "format": dataset.format,
        "size": dataset.size,
        "rows": profile.get("rows"),
        "description": dataset.description,
        "created": dataset.created_at,
        "tags": dict(dataset.tags),
        "columns": profile.get("columns", []),
    }
    if args.json:
        print_json(record)
    else:
        print_record(record, f"Dataset {dataset.name} version {dataset.version}")
