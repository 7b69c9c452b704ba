"""Import time of `import automl` next to `import optuna`, measured in the same run.

Each import runs in a fresh interpreter, several times; we report the median wall time of the
import statement itself (timed inside the interpreter, so interpreter start-up is excluded).
Results are appended to benchmarks/results/import_time.csv.

    python benchmarks/import_time.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "import_time.csv"
TARGETS = ["automl", "trials", "search_spaces", "optuna"]
GOAL_SECONDS = 0.3


def time_import(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    for module in TARGETS:  # warm the file-system cache once
        time_import(module)
    medians: dict[str, float] = {}
    for module in TARGETS:
        medians[module] = statistics.median(time_import(module) for _ in range(args.repeats))

    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new_file = not RESULTS.exists()
    with RESULTS.open("a", newline="") as handle:
        writer = csv.writer(handle)
        if new_file:
            writer.writerow(
                ["timestamp", "machine", "python", "module", "median_seconds", "repeats"]
            )
        for module, seconds in medians.items():
            writer.writerow(
                [
                    stamp,
                    platform.machine(),
                    platform.python_version(),
                    module,
                    f"{seconds:.4f}",
                    args.repeats,
                ]
            )

    print(f"{'module':<15}{'median import (s)':>20}{'vs optuna':>12}")
    for module, seconds in medians.items():
        print(f"{module:<15}{seconds:>20.4f}{seconds / medians['optuna']:>11.2f}x")
    verdict = "meets" if medians["automl"] <= GOAL_SECONDS else "misses"
    print(f"`import automl` {verdict} the goal of <= {GOAL_SECONDS} s; results in {RESULTS}")


if __name__ == "__main__":
    main()
