"""What every benchmark child script shares: its arguments and its one-line JSON answer.

A child runs one configuration in a fresh interpreter and prints, as its last stdout line,
``RESULT {json}`` with keys version, seconds, n_completed, verified, window, note (and error
when it could not run; startup_s and warm_up_s where something was started or warmed up
outside the window). The parents (benchmarks/sweep_overhead.py, benchmarks/ray_overhead.py)
parse only that line. Only the standard library is imported here, since children run in peer
venvs too.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Iterable
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
    # benchmarks/ray_overhead.py; the defaults are what benchmarks/sweep_overhead.py measures.
    parser.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="ours: executor='local' (built by the Sweep), or a RayExecutor started and warmed "
        "up outside the window",
    )
    parser.add_argument(
        "--reuse-actors",
        type=int,
        choices=[0, 1],
        default=1,
        help="Ray Tune: 1 passes reuse_actors=True; 0 leaves TuneConfig's default (False)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=0,
        help="trials run before the window, on the same Ray (ours with --executor ray, Tune)",
    )
    return parser.parse_args()


def peer_parser(description: str, systems: Iterable[str], data: str) -> argparse.ArgumentParser:
    """The arguments of a system-versus-peers child (benchmarks/automl_vs_peers.py and
    benchmarks/forecasting_vs_peers.py): the system, its data folder, budget, seed, workdir."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--system", required=True, choices=sorted(systems))
    parser.add_argument("--data", required=True, help=data)
    parser.add_argument("--budget", type=float, required=True, help="seconds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", required=True, help="a fresh, empty folder for this run")
    return parser


def answer(**result: Any) -> None:
    print(PREFIX + json.dumps(result), flush=True)


def main_guard(body: Callable[[argparse.Namespace], dict[str, Any]], description: str) -> None:
    """Run ``body(args)`` and print its result; on any error print the error instead."""
    run_guarded(body, parse_args(description))


def run_guarded(
    body: Callable[[argparse.Namespace], dict[str, Any]], args: argparse.Namespace
) -> None:
    """Run ``body(args)`` and print its result; on any error print the traceback to stderr,
    the error as the answer, and exit with status 1."""
    try:
        result = body(args)
    except BaseException as exc:  # a child never crashes without an answer
        traceback.print_exc()
        answer(error=f"{type(exc).__name__}: {exc}".strip()[:500])
        sys.exit(1)
    answer(**result)
