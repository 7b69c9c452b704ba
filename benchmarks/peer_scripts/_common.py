"""What every benchmark child script shares: its arguments and its one-line JSON answer.

A child runs one configuration in a fresh interpreter and prints, as its last stdout line,
``RESULT {json}`` with keys version, seconds, n_completed, verified, window, note (and error
when it could not run). The parent (benchmarks/sweep_overhead.py) parses only that line.
Only the standard library is imported here, since children run in peer venvs too.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any

PREFIX = "RESULT "


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sampler", required=True, choices=["random", "tpe"])
    parser.add_argument("--storage", required=True, help="memory | sqlite | workspace | ray")
    parser.add_argument("--n-trials", type=int, required=True)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", required=True, help="a fresh, empty folder for this run")
    return parser.parse_args()


def answer(**result: Any) -> None:
    print(PREFIX + json.dumps(result), flush=True)


def main_guard(body: Callable[[argparse.Namespace], dict[str, Any]], description: str) -> None:
    """Run ``body(args)`` and print its result; on any error print the error instead."""
    args = parse_args(description)
    try:
        result = body(args)
    except BaseException as exc:  # a child never crashes without an answer
        traceback.print_exc()
        answer(error=f"{type(exc).__name__}: {exc}".strip()[:500])
        sys.exit(1)
    answer(**result)
