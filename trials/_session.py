"""One session of an experiment: the loop that launches trials, records them and decides.

A :class:`Session` is what :meth:`Controller.run` drives between opening the experiment and
returning its result. Each pass of the loop launches what may be launched, waits briefly
for executor events, records them (buffered in the writer), makes the policy decisions that
may be made, commits when due, and tells committed outcomes to the searcher.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from trials._progress import ProgressSnapshot
from trials._resume import (
    ACTIVE_SECONDS_PROPERTY,
    CONTROLLER_PROPERTY,
    REPORTS_PROPERTY,
    Rerun,
    StoredExperiment,
    controller_stamp,
    resources_property,
)
from trials._scheduling import DecisionGate, PendingDecision, TellQueue
from trials._searcher import TrialOutcome, TrialRequest
from trials.executors import (
    ArtifactLogged,
    Reported,
    Resources,
    TrialFinished,
    TrialSpec,
)
from trials.policies import ReportHistory

if TYPE_CHECKING:
    from datetime import datetime

    from trials._controller import Controller
    from trials.store import Experiment, StoreWriter

__all__ = ["Session", "Stop"]

_HEARTBEAT_S = 1.0
_POLL_S = 0.25
_PROGRESS_S = 0.25  # redraw live progress at most this often


@dataclass
class Stop:
    """Why the session stops launching, and how it ends.

    Attributes:
        reason: Recorded as the parent run's status reason.
        status: The parent's final status (``completed`` or ``canceled``).
        kill_reason: When set, running trials are killed with this reason.
    """

    reason: str
    status: str = "completed"
    kill_reason: str | None = None


@dataclass
class _Live:
    """A running trial as the controller follows it."""

    run_id: str
    index: int
    request: TrialRequest
    last_step: int = -1
    logged: dict[str, float] = field(default_factory=dict)
    intermediate: list[tuple[int, dict[str, float]]] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)
    stopped: bool = False


class Session:
    """The loop of one :meth:`Controller.run` (see the module docstring)."""

    def __init__(
        self,
        controller: Controller,
        experiment: Experiment,
        stored: StoredExperiment,
        writer: StoreWriter,
        parent_id: str,
        stale_cancel_at: datetime | None = None,
    ) -> None:
        self._c = controller
        self._experiment = experiment
        self._writer = writer
        self._parent_id = parent_id
        self._stale_cancel_at = stale_cancel_at  # a cancel request of an earlier session
        self._artifact_root = controller.workspace.artifact_root / "runs"
        limits = controller.limits
        self.deterministic = limits.deterministic
        self._adaptive = controller.searcher.adaptive
        self._metric = controller.objective.primary_metric
        self._history = ReportHistory(metric=self._metric)
        self._gate = DecisionGate(reads_finish_status=controller.policy.reads_finish_status)
        self._tells = TellQueue(controller.searcher.tell, ordered=self.deterministic)
        self._running: dict[str, _Live] = {}
        self._reruns: deque[Rerun] = deque(stored.reruns)
        self._next_index = stored.next_index
        self.outcomes: dict[int, TrialOutcome] = {}
        self._uncommitted: list[TrialOutcome] = []
        self._held: TrialRequest | None = None
        self._exhausted = False
        self._ask_again_when_idle = False
        self.stop: Stop | None = None
        self._base_seconds = stored.active_seconds
        self._started = time.monotonic()
        self._deadline = (
            None
            if limits.timeout is None
            else self._started + limits.timeout - stored.active_seconds
        )
        self._last_commit = self._last_beat = self._last_progress = self._started
        self._restore(stored)
        if controller.options.progress is not None:
            controller.options.progress.begin(self.outcomes[i] for i in sorted(self.outcomes))

    # -- the loop --------------------------------------------------------------------------

    def run(self, interrupted: Any) -> None:
        """Run until nothing is running and nothing more may start.

        Args:
            interrupted: Has ``presses`` (Ctrl-C count) and is checked every pass.
        """
        cancel_every = self._c.options.cancel_check_interval
        next_cancel_check = self._started
        while True:
            now = time.monotonic()
            self._check_interrupts(interrupted.presses)
            if self._deadline is not None and now >= self._deadline:
                self._stop_for_timeout()
            if now >= next_cancel_check:
                self._check_cancel_requests()
                next_cancel_check = now + cancel_every
            if self.stop is None:
                self._launch()
                self._preempt()
            if not self._running and (self.stop is not None or self._finished_launching()):
                break
            self._handle(self._c.executor.poll(self._poll_timeout(now, next_cancel_check)))
            self._decide_ready()
            self._maybe_commit()
        self._finish_session()

    def active_seconds(self) -> float:
        """Active time of the experiment: earlier sessions plus this one."""
        return self._base_seconds + (time.monotonic() - self._started)

    def abort(self, reason: str) -> None:
        """After an error: kill what runs and record it ``interrupted`` (it runs again)."""
        for live in list(self._running.values()):
            self._c.executor.cancel(live.run_id, kill=True, reason=reason)
            self._writer.set_status(live.run_id, "interrupted", reason=reason)
        self._running.clear()

    def _poll_timeout(self, now: float, next_cancel_check: float) -> float:
        wake = min(self._last_commit + self._c.options.commit_interval, next_cancel_check)
        if self._deadline is not None:
            wake = min(wake, self._deadline)
        return max(0.0, min(_POLL_S, wake - now))

    def _finished_launching(self) -> bool:
        if self._reruns or self._held is not None:
            return False
        limit = self._c.limits.max_total_trials
        if limit is not None and self._next_index >= limit:
            return True
        return self._exhausted

    # -- stopping --------------------------------------------------------------------------

    def _check_interrupts(self, presses: int) -> None:
        if presses >= 2 and (self.stop is None or self.stop.kill_reason is None):
            self._stop(Stop("canceled by the user (Ctrl-C twice)", "canceled", "canceled (Ctrl-C)"))
        elif presses == 1 and self.stop is None:
            self._stop(Stop("canceled by the user (Ctrl-C)", "canceled"))

    def _stop_for_timeout(self) -> None:
        if self.stop is not None and self.stop.kill_reason is not None:
            return
        timeout = self._c.limits.timeout
        self._stop(
            Stop(f"experiment timeout of {timeout:g} s reached", kill_reason="experiment timeout")
        )

    def _stop(self, stop: Stop) -> None:
        current = self.stop
        if current is not None:
            if current.kill_reason is not None or stop.kill_reason is None:
                return  # already stopping at least as firmly
            if current.status == "canceled":
                stop = dataclasses.replace(stop, reason=current.reason, status="canceled")
        self.stop = stop
        self._held = None
        if stop.kill_reason is not None:
            for run_id in list(self._running):
                self._c.executor.cancel(run_id, kill=True, reason=stop.kill_reason)

    def _check_cancel_requests(self) -> None:
        requested = self._c.workspace.cancel_requested(self._experiment.id)
        if not requested:
            return
        if self._parent_id in requested and self._parent_cancel_is_new():
            self._stop(
                Stop("canceled on request", "canceled", "canceled: the experiment was canceled")
            )
        for run_id in requested & self._running.keys():
            live = self._running[run_id]
            if not live.stopped:
                live.stopped = True
                self._c.executor.cancel(run_id, kill=True, reason="canceled on request")

    def _parent_cancel_is_new(self) -> bool:
        if self._stale_cancel_at is None:
            return True
        parent = self._c.workspace.get_run(self._parent_id)
        return parent.cancel_requested_at not in (None, self._stale_cancel_at)

    # -- launching -------------------------------------------------------------------------

    def _launch(self) -> None:
        limit = self._c.limits.max_concurrent_trials
        executor = self._c.executor
        while len(self._running) < limit and executor.capacity() > 0:
            if self._reruns:
                rerun = self._reruns.popleft()
                again = TrialRequest(rerun.params, rerun.resources, rerun.tags, rerun.kind)
                self._start(rerun.index, again)
                continue
            request = self._held or self._ask()
            if request is None:
                return
            if self._running and executor.capacity(self._resources(request)) <= 0:
                self._held = request  # e.g. waits for a GPU; submit() judges it when alone
                return
            self._held = None
            self._start(self._next_index, request)
            self._next_index += 1

    def _preempt(self) -> None:
        """While every slot is taken, stop the running trials the searcher names."""
        live = [t for t in self._running.values() if not t.stopped]
        if not live or (
            len(self._running) < self._c.limits.max_concurrent_trials
            and self._c.executor.capacity() > 0
        ):
            return
        by_index = {t.index: t for t in live}
        chosen, reason = self._c.searcher.preempt(sorted(by_index))
        for index in chosen:
            target = by_index.get(index)
            if target is not None:
                target.stopped = True
                self._c.executor.cancel(target.run_id, kill=True, reason=reason or "preempted")

    def _ask(self) -> TrialRequest | None:
        """The searcher's request for the next index; None to wait, or when it is done."""
        index = self._next_index
        limit = self._c.limits.max_total_trials
        if self._exhausted or (limit is not None and index >= limit):
            return None
        searcher = self._c.searcher
        if self._ask_again_when_idle:
            # It had nothing to propose: ask once more when every trial ended and was told.
            if self._running or self._reruns:
                return None
            self._tell_all()
            request = searcher.ask(index)
            self._exhausted = request is None
            self._ask_again_when_idle = False
            return request
        lag = self._c.limits.max_concurrent_trials
        if self.deterministic and self._adaptive and not self._tell_through(index - lag):
            return None
        request = searcher.ask(index)
        if request is None:
            self._ask_again_when_idle = True
            return self._ask()
        return request

    def _tell_through(self, index: int) -> bool:
        """Tell every trial up to ``index``; False while one of them has not finished."""
        if index < 0:
            return True
        if any(o.index <= index for o in self._uncommitted):
            self._commit()
        self._tells.tell_through(index)
        return self._tells.all_told_below(index + 1)

    def _tell_all(self) -> None:
        if self._uncommitted:
            self._commit()
        self._tells.tell_through(float("inf"))

    def _resources(self, request: TrialRequest) -> Resources:
        resources = request.resources or self._c.options.resources
        trial_timeout = self._c.limits.trial_timeout
        if trial_timeout is not None and (
            resources.timeout is None or trial_timeout < resources.timeout
        ):
            resources = dataclasses.replace(resources, timeout=trial_timeout)
        return resources

    def _start(self, index: int, request: TrialRequest) -> None:
        writer = self._writer
        run_id = writer.start_run(
            self._experiment.id,
            parent_id=self._parent_id,
            kind=request.kind,
            index=index,
            params=request.params,
            tags=request.tags,
            properties=resources_property(request.resources),
        )
        live = _Live(run_id, index, request)
        self._running[run_id] = live
        try:
            spec = TrialSpec(
                run_id=run_id,
                index=index,
                params=request.params,
                target=self._c.target.for_trial(request.params),
                artifact_dir=self._artifact_root / run_id,
                resources=self._resources(request),
                deterministic=self.deterministic,
                return_metric=self._metric,
            )
            self._c.executor.submit(spec)
        except ValueError as error:  # this trial can never run here; the others may
            self._finished(TrialFinished(run_id, "failed", {}, str(error), None, 0.0))

    # -- events ----------------------------------------------------------------------------

    def _handle(self, events: list[Any]) -> None:
        for event in events:
            live = self._running.get(event.run_id)
            if live is None:
                continue
            if isinstance(event, Reported):
                self._reported(live, event)
            elif isinstance(event, ArtifactLogged):
                self._writer.log_artifact(live.run_id, event.path, event.name)
                live.artifacts.append(event.name)
            elif isinstance(event, TrialFinished):
                self._finished(event)
            # TrialStarted: the run was recorded running when it was submitted.

    def _reported(self, live: _Live, event: Reported) -> None:
        self._writer.log_metrics(live.run_id, event.metrics, step=event.step)
        live.last_step = event.step
        live.logged.update(event.metrics)
        live.intermediate.append((event.step, event.metrics))
        value = event.metrics.get(self._metric)
        if value is not None:
            self._history.record(live.index, event.step, value)
        evaluated = value is not None and self._c.policy.evaluates_at(event.step)
        if evaluated and not live.stopped:
            if self.deterministic and event.awaits_decision:
                self._gate.hold(PendingDecision(live.run_id, live.index, event.step))
                return
            if not self.deterministic:
                self._decide(live, event.step, awaits=event.awaits_decision)
                return
        if event.awaits_decision:
            self._c.executor.answer(live.run_id, event.step, stop=False)

    def _decide_ready(self) -> None:
        if not len(self._gate):
            return
        last_steps = {live.index: live.last_step for live in self._running.values()}
        for pending in self._gate.ready(last_steps):
            live = self._running.get(pending.run_id)
            if live is not None:
                self._decide(live, pending.step, awaits=True)

    def _decide(self, live: _Live, step: int, *, awaits: bool) -> None:
        objective = self._c.objective
        decision = self._c.policy.decide(
            live.index, step, self._history, objective.goal, deterministic=self.deterministic
        )
        if decision.stop:
            live.stopped = True
            self._c.executor.answer(live.run_id, step, stop=True, reason=decision.reason)
        elif awaits:
            self._c.executor.answer(live.run_id, step, stop=False)

    def _finished(self, event: TrialFinished) -> None:
        live = self._running.pop(event.run_id)
        self._gate.drop(live.index)
        writer = self._writer
        finals = {k: v for k, v in event.metrics.items() if live.logged.get(k) != v}
        if finals:
            writer.log_metrics(live.run_id, finals, step=max(live.last_step, 0))
        last_step = live.last_step if live.last_step >= 0 else None
        writer.set_properties(
            live.run_id, {REPORTS_PROPERTY: {"last_step": last_step, "finals": sorted(finals)}}
        )
        writer.set_status(live.run_id, event.status, reason=event.reason, error=event.error)
        self._history.finish(live.index, event.status)
        cost_metric = self._c.objective.cost_metric
        self._uncommitted.append(
            TrialOutcome(
                index=live.index,
                run_id=live.run_id,
                params=live.request.params,
                status=event.status,
                metrics=dict(event.metrics),
                intermediate=tuple(live.intermediate),
                reason=event.reason,
                error=event.error,
                duration_s=event.duration_s,
                cost=None if cost_metric is None else event.metrics.get(cost_metric),
                artifacts=tuple(live.artifacts),
                tags=live.request.tags,
            )
        )

    # -- commits ---------------------------------------------------------------------------

    def _maybe_commit(self) -> None:
        now = time.monotonic()
        progress = self._c.options.progress
        if progress is not None and now - self._last_progress >= _PROGRESS_S:
            self._last_progress = now
            progress.update(self.snapshot(now))
        if now - self._last_beat >= _HEARTBEAT_S:
            self._beat(now)
        due = now - self._last_commit >= self._c.options.commit_interval
        if due or (self._uncommitted and self._adaptive and not self.deterministic):
            self._commit()

    def snapshot(self, now: float) -> ProgressSnapshot:
        """What is running and how much time is left, for progress output."""
        return ProgressSnapshot(
            experiment=self._experiment.name,
            running=len(self._running),
            elapsed_s=self.active_seconds(),
            time_left_s=None if self._deadline is None else max(0.0, self._deadline - now),
            max_trials=self._c.limits.max_total_trials,
        )

    def _beat(self, now: float) -> None:
        self._last_beat = now
        self._writer.set_properties(
            self._parent_id,
            {
                ACTIVE_SECONDS_PROPERTY: round(self.active_seconds(), 3),
                CONTROLLER_PROPERTY: controller_stamp(),
            },
        )

    def _commit(self) -> None:
        """Commit everything buffered; the trials that finished then count and are told."""
        self._writer.commit()
        self._last_commit = time.monotonic()
        done, self._uncommitted = self._uncommitted, []
        callback = self._c.options.on_trial_end
        progress = self._c.options.progress
        for outcome in done:
            self.outcomes[outcome.index] = outcome
            if callback is not None:
                callback(outcome)
            if progress is not None:
                progress.trial_finished(outcome)
        self._tells.add(done)
        if not (self.deterministic and self._adaptive):
            self._tells.tell_through(float("inf"))

    def _finish_session(self) -> None:
        now = time.monotonic()
        self._beat(now)
        self._commit()
        if self._c.options.progress is not None:
            self._c.options.progress.update(self.snapshot(now))
        self._tells.tell_through(float("inf"))

    # -- resume ----------------------------------------------------------------------------

    def _restore(self, stored: StoredExperiment) -> None:
        """Put the stored outcomes back: policy history, counts, and tells (index order)."""
        for index in sorted(stored.outcomes):
            outcome = stored.outcomes[index]
            for step, metrics in outcome.intermediate:
                value = metrics.get(self._metric)
                if value is not None:
                    self._history.record(index, step, value)
            self._history.finish(index, outcome.status)
            self.outcomes[index] = outcome
        self._tells.add(stored.outcomes[i] for i in sorted(stored.outcomes))
        if not (self.deterministic and self._adaptive):
            self._tells.tell_through(float("inf"))
