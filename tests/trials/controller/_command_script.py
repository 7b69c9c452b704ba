"""A command-line trial: parses its arguments and reports through ``trials.report``."""

from __future__ import annotations

import argparse

from trials import report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--name", required=True)
    args = parser.parse_args()
    for step in range(1, 4):
        report.report(step=step, score=args.lr * step, lr=args.lr)
        if report.should_stop():
            break
    print(f"trained {args.name} with lr={args.lr!r}")


if __name__ == "__main__":
    main()
