"""The executor contract: what the controller needs to run trials somewhere."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Self

    from trials.executors._events import Event
    from trials.executors._spec import Resources, TrialSpec

__all__ = ["Executor"]


class Executor(ABC):
    """Runs trials and reports what happens to them as events.

    The controller drives it with a loop like this one; it knows nothing else about how
    or where trials run::

        with LocalExecutor(max_concurrency=2) as executor:
            while work_left:
                while executor.capacity() > 0 and has_next:
                    executor.submit(next_spec())
                for event in executor.poll(timeout=0.25):
                    ...  # Reported -> maybe executor.answer(...); TrialFinished -> tell()

    Every submitted trial produces exactly one :class:`TrialStarted` (first) and one
    :class:`TrialFinished` (last), with :class:`Reported` and :class:`ArtifactLogged`
    events in between, in the order the trial produced them.
    """

    def start(self) -> None:  # noqa: B027 - an executor may have nothing to start
        """Start workers or connect to a cluster. Called by ``__enter__``."""

    @abstractmethod
    def capacity(self, resources: Resources | None = None) -> int:
        """How many more trials (with these resources, if given) it can take now."""

    @abstractmethod
    def submit(self, spec: TrialSpec) -> None:
        """Start a trial now; raises when the trial can never run here (bad resources,
        a target workers cannot import) or when there is no capacity for it now."""

    @abstractmethod
    def poll(self, timeout: float) -> list[Event]:
        """Wait up to ``timeout`` seconds for events of any trial and return them (the
        list is empty when nothing happened). Limits (timeouts, memory caps) are
        enforced while polling, so the controller calls it regularly."""

    @abstractmethod
    def answer(self, run_id: str, step: int, stop: bool, reason: str | None = None) -> None:
        """Give the decision on a trial's report at ``step``; ``stop=True`` makes its
        ``should_stop()`` True. Required for reports that await a decision; allowed for
        any report. Ignored when the trial already ended."""

    @abstractmethod
    def cancel(self, run_id: str, *, kill: bool, reason: str | None = None) -> None:
        """Stop a trial: ``kill=False`` asks it (``should_stop()`` turns True), ``kill=True``
        kills it now. It then finishes ``canceled`` (``early_terminated`` if it had been
        told to stop by ``answer``). Ignored when the trial already ended."""

    def share(self, name: str, value: Any) -> bool:
        """Offer a read-only ``value`` to every trial under ``name``, once.

        An executor whose trials may run where this process's files are not (a Ray
        cluster) puts it in its shared store, and trials read it with
        :func:`trials.executors.shared_value`. The default shares nothing and returns
        False: trials run on this machine and read the same files as the caller.

        Returns:
            Whether the value was shared (callers then need not ship the files).
        """
        return False

    @abstractmethod
    def shutdown(self) -> None:
        """Kill running trials and release workers; idempotent."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()
