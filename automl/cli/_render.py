"""Printing store records: Rich tables in a terminal, JSON for scripts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def add_job_command(
    commands: Any, name: str, *, help_text: str, description: str, metavar: str, handler: Any
) -> Any:
    """A command that runs a job file: `automl NAME FILE [--name N] [--quiet] [--json]`."""
    parser = commands.add_parser(name, help=help_text, description=description)
    parser.add_argument("file", metavar=metavar, help="the job file")
    parser.add_argument(
        "--name",
        default=None,
        help="experiment name (default: the job's experiment_name, else the file's stem)",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress while it runs")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=handler)
    return parser


def to_plain(value: Any) -> Any:
    """Turn records (dataclasses, enums, datetimes, paths) into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def cell(value: Any) -> str:
    """A short human form of one value for a table cell."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(to_plain(value), default=str, separators=(", ", ": "))
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def print_json(data: Any) -> None:
    json.dump(to_plain(data), sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def _console() -> Any:
    """A console as wide as the terminal; wide enough for whole ids when output is piped."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=200)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str) -> None:
    """A table with one row per record; an empty list prints a one-line notice."""
    from rich.table import Table

    console = _console()
    if not rows:
        console.print(f"{title}: none")
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in {"id", "status", "index"})
    for row in rows:
        table.add_row(*(cell(row.get(column)) for column in columns))
    console.print(table)


def print_record(sections: Mapping[str, Any], title: str) -> None:
    """One record: scalar fields as a key/value table, then each nested section."""
    from rich.table import Table

    console = _console()
    fields = Table(title=title, title_justify="left", show_header=False)
    fields.add_column("field", style="bold")
    fields.add_column("value", overflow="fold")
    nested: dict[str, Any] = {}
    for key, value in sections.items():
        if isinstance(value, Mapping | list) and value:
            nested[key] = value
        else:
            fields.add_row(key, cell(value))
    console.print(fields)
    for key, value in nested.items():
        if isinstance(value, Mapping):
            table = Table(title=key, title_justify="left", show_header=False)
            table.add_column("key", style="bold")
            table.add_column("value", overflow="fold")
            for sub_key, sub_value in value.items():
                table.add_row(str(sub_key), cell(sub_value))
            console.print(table)
        else:
            if all(isinstance(row, Mapping) for row in value):
                print_table(value, list(value[0]), key)
            else:
                console.print(f"[bold]{key}[/bold]: " + ", ".join(cell(item) for item in value))
