"""A training command that logs with MLflow, as Azure ML v2 examples do (no trials import
unless --mixed)."""

from __future__ import annotations

import argparse
import math
import os
import time
from pathlib import Path

import mlflow


def wait_for(path: str) -> None:
    deadline = time.monotonic() + 20.0
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--go", help="after step 2, wait for this file to exist")
    parser.add_argument("--linger", type=float, default=0.0, help="sleep before the end")
    parser.add_argument("--mixed", action="store_true", help="report loss with trials.report")
    args = parser.parse_args()
    if args.mixed:
        from trials import report

        report.report(step=1, loss=1.0)
    for step in range(1, args.steps + 1):
        mlflow.log_metric("accuracy", args.x * step, step=step)
        mlflow.log_metrics({"loss": 100.0 + step, "diverged": math.nan}, step=step)
        if args.mixed and step > 1:
            report.report(step=step, loss=1 / step)
        if step == 2 and args.go:
            print("waiting", flush=True)
            wait_for(args.go)
    mlflow.log_metric("final_score", 0.9)  # no step: logged after the others, a final value
    if args.linger:
        print("lingering", flush=True)
        time.sleep(args.linger)
    Path("done.txt").write_text(mlflow.get_tracking_uri())


if __name__ == "__main__":
    main()
