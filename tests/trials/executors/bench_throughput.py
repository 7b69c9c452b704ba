"""Trivial-trial throughput of an executor alone (no store): prints trials per second.

Run from the repository root: ``python -m tests.trials.executors.bench_throughput``
(``--executor ray`` for a RayExecutor on a local Ray with as many CPUs as trials at once,
started once and warm).
Not a test (no timed assertion): the number depends on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.trials.executors import _targets
from trials.executors import Executor, LocalExecutor, RayExecutor, TrialFinished, TrialSpec


def _executor(kind: str, concurrency: int) -> Executor:
    if kind == "ray":
        return RayExecutor(max_concurrency=concurrency, num_cpus=concurrency)
    return LocalExecutor(max_concurrency=concurrency)


def measure(concurrency: int, trials: int, root: Path, kind: str = "local") -> float:
    """Trials per second for ``trials`` trivial trials, workers already started."""
    specs = [
        TrialSpec(
            f"run-{concurrency}-{i}", i, {}, _targets.trivial, root / f"c{concurrency}" / str(i)
        )
        for i in range(trials)
    ]
    with _executor(kind, concurrency) as executor:
        warm_up = [
            TrialSpec(f"warm-up-{i}", i, {}, _targets.trivial, root / "warm" / str(i))
            for i in range(4 * concurrency)  # every worker process started
        ]
        left = len(warm_up)
        while left:
            while warm_up and executor.capacity() > 0:
                executor.submit(warm_up.pop())
            left -= sum(isinstance(e, TrialFinished) for e in executor.poll(5.0))
        started = time.perf_counter()
        submitted = finished = 0
        while finished < trials:
            while submitted < trials and executor.capacity() > 0:
                executor.submit(specs[submitted])
                submitted += 1
            for event in executor.poll(1.0):
                if isinstance(event, TrialFinished):
                    if event.status != "completed":
                        raise RuntimeError(f"{event.run_id} {event.status}: {event.reason}")
                    finished += 1
        return trials / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for concurrency in (1, 2):
            rates = [
                measure(concurrency, args.trials, Path(folder) / str(r), args.executor)
                for r in range(args.repeats)
            ]
            print(
                f"{args.executor} max_concurrency={concurrency}: "
                + ", ".join(f"{rate:,.0f}" for rate in rates)
                + f" trials/s (best {max(rates):,.0f})"
            )


if __name__ == "__main__":
    main()
