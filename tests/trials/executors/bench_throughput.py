"""Trivial-trial throughput of LocalExecutor alone (no store): prints trials per second.

Run from the repository root: ``python -m tests.trials.executors.bench_throughput``.
Not a test (no timed assertion): the number depends on the machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.trials.executors import _targets
from trials.executors import LocalExecutor, TrialFinished, TrialSpec


def measure(concurrency: int, trials: int, root: Path) -> float:
    """Trials per second for ``trials`` trivial trials, workers already started."""
    specs = [
        TrialSpec(
            f"run-{concurrency}-{i}", i, {}, _targets.trivial, root / f"c{concurrency}" / str(i)
        )
        for i in range(trials)
    ]
    with LocalExecutor(max_concurrency=concurrency) as executor:
        warm = TrialSpec("warm-up", 0, {}, _targets.trivial, root / "warm")
        executor.submit(warm)
        while not any(isinstance(e, TrialFinished) for e in executor.poll(5.0)):
            pass
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for concurrency in (1, 2):
            rates = [
                measure(concurrency, args.trials, Path(folder) / str(r))
                for r in range(args.repeats)
            ]
            print(
                f"max_concurrency={concurrency}: "
                + ", ".join(f"{rate:,.0f}" for rate in rates)
                + f" trials/s (best {max(rates):,.0f})"
            )


if __name__ == "__main__":
    main()
