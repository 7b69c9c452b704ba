"""Which of a local executor's running trials are over their limits: past their timeout, or
with a process tree whose resident memory exceeds their cap (sampled every
``memory_check_interval`` seconds, from ``/proc``). The executor kills what this names."""

from __future__ import annotations

import math
from collections.abc import Sequence

from trials.executors import _process_tree
from trials.executors._handle import WorkerHandle

__all__ = ["TrialLimits"]

_MIB = 1024 * 1024


class TrialLimits:
    """Checks running trials against their timeouts and memory caps.

    Args:
        memory_check_interval: Seconds between samples of the resident memory of trials
            that have a memory cap.
    """

    def __init__(self, memory_check_interval: float) -> None:
        self._interval = memory_check_interval
        self._next_sample = 0.0

    def next_check(self, workers: Sequence[WorkerHandle]) -> float:
        """The monotonic time at which a limit may next be crossed (inf: none)."""
        soonest = math.inf
        for worker in workers:
            trial = worker.trial
            if trial is None:
                continue
            if trial.deadline is not None and trial.deadline < soonest:
                soonest = trial.deadline
            if trial.mem_cap_bytes is not None and self._next_sample < soonest:
                soonest = self._next_sample
        return soonest

    def over(self, workers: Sequence[WorkerHandle], now: float) -> list[tuple[WorkerHandle, str]]:
        """The workers whose trial is over a limit now, each with the reason."""
        sample_memory = now >= self._next_sample
        over: list[tuple[WorkerHandle, str]] = []
        capped: list[WorkerHandle] = []
        for worker in workers:
            trial = worker.trial
            if trial is None:
                continue
            if trial.deadline is not None and now >= trial.deadline:
                limit = trial.spec.resources.timeout
                over.append((worker, f"exceeded trial timeout of {limit!r} s"))
            elif sample_memory and trial.mem_cap_bytes is not None:
                capped.append(worker)
        if not sample_memory:
            return over
        self._next_sample = now + self._interval
        if not capped:
            return over
        trees = _process_tree.tree_pids(worker.pid for worker in capped)
        for worker in capped:
            trial = worker.trial
            if trial is None or trial.mem_cap_bytes is None:
                continue
            resident = _process_tree.resident_bytes(trees[worker.pid])
            if resident > trial.mem_cap_bytes:
                over.append(
                    (
                        worker,
                        f"exceeded memory cap of {trial.spec.resources.mem_in_mb} MB "
                        f"(resident {resident // _MIB} MB)",
                    )
                )
        return over
