"""The mailbox: one small asynchronous Ray actor per :class:`RayExecutor` that carries a
running trial's messages to the controller and the controller's decisions back.

Trials post messages (started, report, artifact); the executor takes them in batches with a
long poll (one call outstanding, which returns as soon as something arrives). The executor
files decisions per run id (answers and cancels); a trial reads the ones after its cursor,
again with one outstanding long poll, so ``ctx.should_stop()`` is a local check of whether
that call returned. Decisions stay until the executor forgets the run, so a retried attempt
reads them again from the start.

The class is plain Python (no Ray import) and becomes an actor with ``ray.remote`` in
:mod:`._ray`. Its methods never ``await`` between reading and changing its state, so each
runs as one step of the actor's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

__all__ = ["Mailbox"]

Message = tuple[Any, ...]
"""``(run_id, attempt, seq, tag, *fields)``; see :mod:`._ray_task` for the tags."""

Decision = tuple[int | None, bool, str | None]
"""``(step, stop, reason)``; step None: a cancel."""


class Mailbox:
    """Messages from trials to the executor, decisions from the executor to trials."""

    def __init__(self) -> None:
        self._outbox: list[Message] = []
        self._arrived: asyncio.Event | None = None
        self._decisions: dict[str, list[Decision]] = {}
        self._waiting: dict[str, list[asyncio.Event]] = {}  # run id -> its waiting calls

    # -- trials -> executor ---------------------------------------------------------------

    async def post(self, message: Message) -> None:
        """A trial's message (reports, artifacts, ...)."""
        self._outbox.append(message)
        if self._arrived is not None:
            self._arrived.set()

    async def take(self, timeout: float) -> list[Message]:
        """Every waiting message; waits up to ``timeout`` seconds for one when none is."""
        if not self._outbox:
            arrived = self._arrived = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout)
            self._arrived = None
        messages, self._outbox = self._outbox, []
        return messages

    # -- executor -> trials ---------------------------------------------------------------

    async def decide(self, run_id: str, decision: Decision) -> None:
        """File a decision (an answer or a cancel) for a run."""
        self._decisions.setdefault(run_id, []).append(decision)
        self._wake(run_id)

    async def decisions(self, run_id: str, cursor: int, timeout: float) -> list[Decision]:
        """The run's decisions after the first ``cursor``; waits up to ``timeout`` seconds
        for one when there is none yet (an empty list then)."""
        if len(self._decisions.get(run_id, ())) <= cursor:
            changed = asyncio.Event()
            waiting = self._waiting.setdefault(run_id, [])
            waiting.append(changed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout)
            if not changed.is_set():  # timed out: nobody else will remove it
                waiting.remove(changed)
                if not waiting:
                    del self._waiting[run_id]
        return self._decisions.get(run_id, [])[cursor:]

    async def release(self, run_id: str) -> None:
        """Let a run's waiting :meth:`decisions` calls return (its attempt ended)."""
        self._wake(run_id)

    async def forget(self, run_ids: list[str]) -> None:
        """Drop the decisions of runs that ended."""
        for run_id in run_ids:
            self._decisions.pop(run_id, None)
            self._wake(run_id)

    def _wake(self, run_id: str) -> None:
        for changed in self._waiting.pop(run_id, ()):
            changed.set()
