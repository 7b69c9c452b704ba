"""A sweep run in its own process, for the tests that kill or interrupt its controller.

``python -m tests.trials.controller._script WORKSPACE NAME MAX_TRIALS SLEEP LOG`` runs a
sweep of :func:`_targets.marks_runs` (each trial appends its index to LOG, then sleeps SLEEP
seconds) at concurrency 2 and prints the result as one JSON line.
"""

from __future__ import annotations

import json
import sys

from search_spaces import choice
from tests.trials.controller import _targets
from trials._sweep import Sweep


def sweep(workspace: str, name: str, max_trials: int, sleep: float, log: str) -> Sweep:
    """The sweep the subprocess runs (the tests resume it in-process with the same call)."""
    return Sweep(
        _targets.marks_runs,
        {"sleep": sleep, "log": log, "tag": choice("a", "b", "c")},
        primary_metric="score",
        goal="maximize",
        max_total_trials=max_trials,
        max_concurrent_trials=2,
        workspace=workspace,
        experiment_name=name,
        seed=7,
    )


def main(argv: list[str]) -> None:
    workspace, name, max_trials, sleep, log = argv
    result = sweep(workspace, name, int(max_trials), float(sleep), log).run()
    print(
        json.dumps(
            {
                "status": result.status,
                "reason": result.status_reason,
                "counts": result.status_counts,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
