"""A benchmark's results file: rows appended to a CSV, read back, and printed as tables.

Each row is a dict of strings with the benchmark's columns. :func:`append` writes a row at once
(an interrupted benchmark keeps its rows) and rewrites a file made with other columns under the
new header first, so a benchmark can add columns without losing old rows. :func:`machine` and
:func:`git_commit` describe where and from what a row was measured; :func:`table` prints a
summary aligned as text or as markdown. Used by benchmarks/automl_vs_peers.py and
benchmarks/forecasting_vs_peers.py.

    >>> append(Path("results.csv"), {"system": "ours", "score": "0.9"}, ["system", "score"])
    ... # doctest: +SKIP
    >>> print("\\n".join(table(["system", "score"], [["ours", "0.9"]], markdown=True)))
    | system | score |
    | --- | --- |
    | ours | 0.9 |
"""

from __future__ import annotations

import csv
import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BudgetGroup",
    "append",
    "budget_groups",
    "flat",
    "git_commit",
    "machine",
    "read_rows",
    "row_key",
    "table",
]

REPO = Path(__file__).resolve().parent.parent


def machine() -> str:
    """The platform, architecture and core count, e.g. ``Linux-6.8 x86_64, 2 cores``."""
    return f"{platform.platform(terse=True)} {platform.machine()}, {os.cpu_count()} cores"


def git_commit() -> str:
    """``git describe --always --dirty`` of the repository ('' when git cannot say)."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip()


def flat(text: object, limit: int = 600) -> str:
    """``text`` on one line (whitespace runs become one space), cut at ``limit`` characters."""
    return " ".join(str(text).split())[:limit]


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row of the CSV at ``path`` ([] when there is no file)."""
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def append(path: Path, row: dict[str, str], columns: Sequence[str]) -> None:
    """Append ``row``; a file written with other columns is rewritten with ``columns`` first."""
    columns = list(columns)
    path.parent.mkdir(parents=True, exist_ok=True)
    header: list[str] = []
    if path.exists():
        with path.open(newline="") as handle:
            header = next(csv.reader(handle), [])
    if header and header != columns:
        old = read_rows(path)
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({**dict.fromkeys(columns, ""), **r} for r in old)
        header = columns
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        if not header:
            writer.writeheader()
        writer.writerow(row)


def table(head: Sequence[str], body: Sequence[Sequence[str]], markdown: bool) -> list[str]:
    """The lines of a table: markdown, or plain text with columns padded to their widest."""
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
        return lines + ["| " + " | ".join(r) + " |" for r in body]
    widths = [max(len(str(c)) for c in column) for column in zip(head, *body, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in body:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    return lines


def row_key(row: dict[str, str]) -> tuple[str, str, float]:
    """A system-versus-peers row's identity: (system, dataset, budget)."""
    return (row["system"], row["dataset"], float(row["budget_s"]))


@dataclass(frozen=True)
class BudgetGroup:
    """The latest rows of one budget, by dataset and system.

    Attributes:
        budget: Seconds per fit.
        rows: Every latest row at this budget.
        systems: The systems that ran, in the benchmark's order.
        by_dataset: dataset -> system -> row.
        complete: The datasets every system ran, sorted.
    """

    budget: float
    rows: list[dict[str, str]]
    systems: list[str]
    by_dataset: dict[str, dict[str, dict[str, str]]]
    complete: list[str]


def budget_groups(rows: Iterable[dict[str, str]], order: Sequence[str]) -> list[BudgetGroup]:
    """The last row of each (system, dataset, budget), grouped by budget (ascending); systems
    in ``order``, others after them by name."""
    latest = list({row_key(row): row for row in rows}.values())
    groups = []
    for budget in sorted({float(r["budget_s"]) for r in latest}):
        at = [r for r in latest if float(r["budget_s"]) == budget]
        names = {r["system"] for r in at}
        systems = [s for s in order if s in names] + sorted(names - set(order))
        by_dataset: dict[str, dict[str, dict[str, str]]] = {}
        for r in at:
            by_dataset.setdefault(r["dataset"], {})[r["system"]] = r
        complete = sorted(d for d, got in by_dataset.items() if set(got) >= set(systems))
        groups.append(BudgetGroup(budget, at, systems, by_dataset, complete))
    return groups
