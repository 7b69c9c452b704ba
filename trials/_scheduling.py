"""The two waits that make a sweep deterministic (DESIGN.md, "Determinism").

- :class:`TellQueue`: outcomes are told to the searcher in trial-index order, and before
  the proposal for trial ``k`` exactly trials ``0 .. k - c`` have been told.
- :class:`DecisionGate`: the policy decides on trial ``k`` at step ``s`` only once every
  running trial of a lower index has got past ``s`` (or finished).

Without the deterministic mode, outcomes are told as they come and decisions are made at
once on what is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from trials._searcher import TrialOutcome

__all__ = ["DecisionGate", "PendingDecision", "TellQueue"]


class TellQueue:
    """Committed outcomes waiting to be told, told in index order when ``ordered``.

    Args:
        tell: Called once per outcome, in the order described.
        ordered: Tell in index order with no gaps (deterministic mode); otherwise in the
            order outcomes are added.
    """

    def __init__(self, tell: Callable[[TrialOutcome], None], *, ordered: bool) -> None:
        self._tell = tell
        self._ordered = ordered
        self._waiting: dict[int, TrialOutcome] = {}
        self._next = 0  # in ordered mode: the lowest index not told yet
        self._told = 0

    @property
    def told(self) -> int:
        """How many outcomes were told."""
        return self._told

    @property
    def waiting(self) -> int:
        """How many outcomes wait to be told."""
        return len(self._waiting)

    def all_told_below(self, index: int) -> bool:
        """True when every trial with an index below ``index`` was told (ordered mode)."""
        return not self._ordered or self._next >= index

    def add(self, outcomes: Iterable[TrialOutcome]) -> None:
        """Queue committed outcomes; unordered, they are told at once."""
        for outcome in outcomes:
            if self._ordered:
                self._waiting[outcome.index] = outcome
            else:
                self._tell(outcome)
                self._told += 1

    def tell_through(self, index: float) -> None:
        """Tell, in index order, the waiting outcomes up to ``index`` with no gap."""
        while self._next <= index and self._next in self._waiting:
            outcome = self._waiting.pop(self._next)
            self._next += 1
            self._tell(outcome)
            self._told += 1

    def skip_to(self, index: int) -> None:
        """Start telling at ``index`` (trials below it need no tell)."""
        self._next = max(self._next, index)


@dataclass
class PendingDecision:
    """A report that awaits the policy's decision."""

    run_id: str
    index: int
    step: int


class DecisionGate:
    """Holds reports of a deterministic sweep until the policy may decide on them.

    A decision on trial ``k`` at step ``s`` may be made once every running trial ``j < k``
    has reported step ``s`` or a later one (a later one only, when the policy reads
    finish statuses); finished trials are no longer running. Trials start in index order,
    so the lowest running trial never waits and no wait can last forever.

    Args:
        reads_finish_status: The policy's :attr:`reads_finish_status`.
    """

    def __init__(self, *, reads_finish_status: bool) -> None:
        self._strict = reads_finish_status
        self._pending: dict[int, PendingDecision] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def hold(self, decision: PendingDecision) -> None:
        """Keep ``decision`` until :meth:`ready` returns it."""
        self._pending[decision.index] = decision

    def drop(self, index: int) -> None:
        """Forget the decision of trial ``index`` (it ended)."""
        self._pending.pop(index, None)

    def ready(self, last_steps: dict[int, int]) -> list[PendingDecision]:
        """Remove and return the decisions that may be made now, in index order.

        Args:
            last_steps: Running trial index -> the last step it reported (-1: none yet).
        """
        if not self._pending:
            return []
        running = sorted(last_steps.items())
        found = []
        for index in sorted(self._pending):
            decision = self._pending[index]
            if all(self._past(last, decision.step) for j, last in running if j < index):
                found.append(self._pending.pop(index))
        return found

    def _past(self, last: int, step: int) -> bool:
        return last > step if self._strict else last >= step
