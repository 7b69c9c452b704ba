"""A training command for the executor tests: reports through `trials.report`."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from trials import report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("--wait-stop", action="store_true")
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    if args.pid_file:
        Path(args.pid_file).write_text(str(os.getpid()))
    if args.sleep:
        time.sleep(args.sleep)
    print(f"training with lr={args.lr}")
    for step in range(1, 4):
        report.report(step=step, loss=args.lr / step)
        if report.should_stop():
            print(f"stopping at step {step}")
            return
    try:
        report.report(step=4, loss=float("nan"))
    except ValueError as exc:
        print(f"rejected: {exc}")
    model = Path("model.txt").resolve()
    model.write_text("weights")
    report.log_artifact(model, name="model.txt")
    if args.fail:
        print("something bad happened", file=sys.stderr)
        sys.exit(3)
    if args.wait_stop:
        deadline = time.monotonic() + 20.0
        while not report.should_stop() and time.monotonic() < deadline:
            time.sleep(0.01)
        print("stopped politely")


if __name__ == "__main__":
    main()
