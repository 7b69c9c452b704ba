"""The controller: the one experiment loop, for sweeps and AutoML alike.

It takes a searcher (ask/tell), a target, an executor, an early-termination policy, limits
and a workspace, and runs trials until a limit is reached or the searcher has nothing more
to propose. It knows nothing about AutoML. See :class:`Controller` for what it guarantees.
"""

from __future__ import annotations

import contextlib
import math
import signal
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from trials._limits import Limits, check_seconds
from trials._progress import ProgressListener
from trials._result import BestTrial, SweepResult
from trials._resume import (
    ACTIVE_SECONDS_PROPERTY,
    CONTROLLER_PROPERTY,
    StoredExperiment,
    check_not_in_use,
    check_same_config,
    controller_stamp,
    fingerprint,
    load_experiment,
)
from trials._searcher import Objective, Searcher, TrialOutcome
from trials._session import Session, Stop
from trials._targets import TrialTarget
from trials.executors import Executor, Resources
from trials.policies import EarlyTerminationPolicy

if TYPE_CHECKING:
    from trials.store import Experiment, StoreWriter, Workspace

__all__ = ["Controller", "ControllerOptions"]

_INTERRUPTED_REASON = "the controller stopped before the trial ended; it runs again on resume"


def _describe(value: object) -> str:
    return repr(value) if value is None else f"{value!r} ({type(value).__name__})"


@dataclass(frozen=True)
class ControllerOptions:
    """How a controller runs, beyond what defines the search and its limits.

    Attributes:
        experiment_kind: The experiment's kind in the store (``"sweep"``, ``"automl"``).
        resources: Resources of trials whose request names none (the trial timeout of the
            limits applies on top).
        shutdown_executor: Shut the executor down when :meth:`Controller.run` ends. Give
            True for an executor built for this run; an executor you pass yourself is
            started if needed and left running, for you to reuse or shut down.
        on_trial_end: Called with each outcome once its end is committed.
        progress: Shows the experiment while it runs (:func:`trials._progress.make_progress`
            picks a live table in a terminal or plain lines); None shows nothing.
        handle_sigint: Catch Ctrl-C while running (main thread only): once stops launching
            and lets running trials finish, twice kills them, three times raises
            ``KeyboardInterrupt``.
        commit_interval: Seconds between commits of the buffered writes (at most).
        cancel_check_interval: Seconds between looks at the store for cancel requests.
    """

    experiment_kind: str = "sweep"
    resources: Resources = field(default_factory=Resources)
    shutdown_executor: bool = False
    on_trial_end: Callable[[TrialOutcome], None] | None = None
    progress: ProgressListener | None = None
    handle_sigint: bool = True
    commit_interval: float = 0.25
    cancel_check_interval: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.experiment_kind, str) or not self.experiment_kind:
            raise ValueError(
                "`experiment_kind` must be a non-empty string, "
                f"got {_describe(self.experiment_kind)}"
            )
        if not isinstance(self.resources, Resources):
            raise TypeError(f"`resources` must be a Resources, got {_describe(self.resources)}")
        if self.on_trial_end is not None and not callable(self.on_trial_end):
            raise TypeError(
                f"`on_trial_end` must be a function or None, got {_describe(self.on_trial_end)}"
            )
        if self.progress is not None and not isinstance(self.progress, ProgressListener):
            raise TypeError(
                f"`progress` must be a ProgressListener or None, got {_describe(self.progress)}"
            )
        for name in ("commit_interval", "cancel_check_interval"):
            seconds = check_seconds(name, getattr(self, name))
            if seconds > 1.0:
                raise ValueError(f"`{name}` must be at most 1 second, got {seconds!r}")


class _Interrupts:
    """Counts Ctrl-C presses while installed (main thread only); restores the old handler."""

    def __init__(self, enabled: bool) -> None:
        self.presses = 0
        self._enabled = enabled and threading.current_thread() is threading.main_thread()
        self._previous: Any = None

    @contextlib.contextmanager
    def installed(self) -> Iterator[_Interrupts]:
        if not self._enabled:
            yield self
            return
        self._previous = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, self._handle)
        try:
            yield self
        finally:
            previous = self._previous if self._previous is not None else signal.SIG_DFL
            signal.signal(signal.SIGINT, previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        if self.presses == 1:
            sys.stderr.write(
                "\nStopping: no new trials; running ones finish. Ctrl-C again kills them.\n"
            )
        elif self.presses == 2:
            sys.stderr.write("\nKilling the running trials.\n")
        else:
            raise KeyboardInterrupt


class Controller:
    """Runs the trials of one experiment: asks, launches, records, decides, tells.

    Guarantees:

    - **Store**: the experiment is created or resumed by name; a parent run (kind
      ``"parent"``) holds one child run per trial (its index, parameters, every report as
      step-indexed metrics, its final metrics, status, reason, error, logs and artifacts).
      Writes are committed at least every ``commit_interval``, and a trial's end is
      committed before it counts or is told to the searcher.
    - **Determinism**: without a ``timeout`` (see :class:`Limits`), trials see
      ``TrialSpec.deterministic``; the proposal for trial k is asked once trials
      ``0 .. k - c`` are told (c = ``max_concurrent_trials``), outcomes are told in index
      order, and the policy decides on trial k at step s once every lower-index trial has
      reported s or finished. The same seed then gives the same leaderboard whatever the
      finishing order.
    - **Resume**: the same name and search-defining configuration (:meth:`search_config`)
      continues the experiment: finished trials are kept and told again in index order;
      trials left running by a killed controller are marked ``interrupted`` and run again
      under the same index. A changed configuration raises
      :class:`ExperimentConfigError` naming the changed fields.
    - **Limits**: ``max_total_trials`` counts every trial index the experiment ever used;
      ``timeout`` is the total active time over sessions; past it, running trials are
      killed and recorded ``canceled`` ("experiment timeout").
    - **Cancel**: a cancel request of the parent run (``Workspace.request_cancel``) cancels
      the experiment, of a child kills that trial; both are seen within
      ``cancel_check_interval``. Ctrl-C: see :class:`ControllerOptions`.
    - **Executor**: started if needed; shut down at the end only with
      ``options.shutdown_executor``.

    Args:
        searcher: Proposes trials and learns from outcomes.
        target: Turns a trial's parameters into a function or command to run.
        executor: Runs trials.
        policy: Early-termination policy.
        limits: Trial count, concurrency, timeouts.
        workspace: The store.
        experiment_name: Name of the experiment (resumed when it exists).
        objective: Primary metric and goal.
        options: The rest (:class:`ControllerOptions`).

    Example:
        >>> controller = Controller(  # doctest: +SKIP
        ...     SamplerSearcher(make_sampler("random", space, seed=0), "accuracy"),
        ...     FunctionTarget(train),
        ...     LocalExecutor(max_concurrency=2),
        ...     BanditPolicy(slack_factor=0.1),
        ...     Limits(max_total_trials=20, max_concurrent_trials=2),
        ...     Workspace("automl_workspace"),
        ...     "my-sweep",
        ...     objective=Objective("accuracy", "maximize"),
        ...     options=ControllerOptions(shutdown_executor=True),
        ... )
        >>> controller.run().best_trial.params  # doctest: +SKIP
        {'lr': 0.031...}
    """

    def __init__(
        self,
        searcher: Searcher,
        target: TrialTarget,
        executor: Executor,
        policy: EarlyTerminationPolicy,
        limits: Limits,
        workspace: Workspace,
        experiment_name: str,
        *,
        objective: Objective,
        options: ControllerOptions | None = None,
    ) -> None:
        from trials.store import Workspace

        for name, value, kind in (
            ("searcher", searcher, Searcher),
            ("target", target, TrialTarget),
            ("executor", executor, Executor),
            ("policy", policy, EarlyTerminationPolicy),
            ("limits", limits, Limits),
            ("workspace", workspace, Workspace),
            ("objective", objective, Objective),
        ):
            if not isinstance(value, kind):
                article = "an" if kind.__name__[0] in "AEIOU" else "a"
                raise TypeError(
                    f"`{name}` must be {article} {kind.__name__}, got {_describe(value)}"
                )
        if not isinstance(experiment_name, str) or not experiment_name.strip():
            raise ValueError(
                f"`experiment_name` must be a non-empty string, got {_describe(experiment_name)}"
            )
        self.searcher = searcher
        self.target = target
        self.executor = executor
        self.policy = policy
        self.limits = limits
        self.workspace = workspace
        self.experiment_name = experiment_name
        self.objective = objective
        self.options = options if options is not None else ControllerOptions()

    def search_config(self) -> dict[str, Any]:
        """What defines the search (its fingerprint decides whether a run may resume)."""
        return {
            "kind": self.options.experiment_kind,
            "searcher": self.searcher.config(),
            "policy": self.policy.to_dict(),
            "objective": {
                "primary_metric": self.objective.primary_metric,
                "goal": self.objective.goal,
            },
            "target": self.target.identity(),
        }

    def run(self) -> SweepResult:
        """Run (or resume) the experiment until a limit, the searcher's end, or a cancel.

        Returns:
            The result; the parent run ends ``completed``, or ``canceled`` after a cancel.

        Raises:
            ExperimentConfigError: The experiment exists with another configuration.
            ExperimentInUseError: Another live process is running it.
        """
        config = self.search_config()
        digest = fingerprint(config)
        kind = self.options.experiment_kind
        experiment = self.workspace.get_or_create_experiment(
            self.experiment_name, kind=kind, fingerprint=digest, config=config
        )
        check_same_config(experiment, kind, config, digest)
        stored = load_experiment(self.workspace, experiment, self.objective)
        if stored.parent is not None:
            check_not_in_use(stored.parent)
        writer = self.workspace.writer()
        parent_id = self._open_parent(writer, experiment, stored)
        for run_id in stored.stale_run_ids:
            writer.set_status(run_id, "interrupted", reason=_INTERRUPTED_REASON)
        writer.commit()
        stale_cancel = stored.parent.cancel_requested_at if stored.parent is not None else None
        session = Session(self, experiment, stored, writer, parent_id, stale_cancel)
        interrupts = _Interrupts(self.options.handle_sigint)
        try:
            self.executor.start()
            with interrupts.installed():
                session.run(interrupts)
        except BaseException as error:
            self._record_failure(session, writer, parent_id, error)
            raise
        finally:
            if self.options.progress is not None:
                self.options.progress.close()
            if self.options.shutdown_executor:
                self.executor.shutdown()
        stop = session.stop or Stop(self._natural_end(session))
        writer.set_status(parent_id, stop.status, reason=stop.reason)
        writer.commit()
        return self._result(session, parent_id, stop, stored)

    # -- helpers -------------------------------------------------------------------------

    def _open_parent(
        self, writer: StoreWriter, experiment: Experiment, stored: StoredExperiment
    ) -> str:
        stamp = {CONTROLLER_PROPERTY: controller_stamp()}
        limits = {
            "limits": {
                "max_total_trials": self.limits.max_total_trials,
                "max_concurrent_trials": self.limits.max_concurrent_trials,
                "timeout": self.limits.timeout,
                "trial_timeout": self.limits.trial_timeout,
            }
        }
        if stored.parent is None:
            return writer.start_run(
                experiment.id,
                kind="parent",
                properties={ACTIVE_SECONDS_PROPERTY: 0.0, **stamp, **limits},
            )
        parent_id = stored.parent.id
        if not stored.parent.status.is_terminal:
            writer.set_status(
                parent_id,
                "interrupted",
                reason="the controller stopped without ending the experiment",
            )
        writer.set_status(parent_id, "running", reason="resumed")
        writer.set_properties(parent_id, {**stamp, **limits})
        return parent_id

    def _natural_end(self, session: Session) -> str:
        limit = self.limits.max_total_trials
        if limit is not None and len(session.outcomes) >= limit:
            return f"reached max_total_trials={limit}"
        return "the searcher has nothing more to propose"

    def _record_failure(
        self, session: Session, writer: StoreWriter, parent_id: str, error: BaseException
    ) -> None:
        """Best effort: running trials become ``interrupted``, the parent failed/canceled."""
        with contextlib.suppress(Exception):
            session.abort(_INTERRUPTED_REASON)
            if isinstance(error, KeyboardInterrupt):
                writer.set_status(parent_id, "canceled", reason="canceled by the user (Ctrl-C)")
            else:
                summary = f"{type(error).__name__}: {error}".splitlines()[0][:300]
                details = "".join(traceback.format_exception(error))
                writer.set_status(parent_id, "failed", reason=summary, error=details)
            writer.commit()

    def _result(
        self, session: Session, parent_id: str, stop: Stop, stored: StoredExperiment
    ) -> SweepResult:
        outcomes = session.outcomes
        counts: Counter[str] = Counter(outcome.status for outcome in outcomes.values())
        unfinished = {rerun.index for rerun in stored.reruns} - outcomes.keys()
        if unfinished:
            counts["interrupted"] += len(unfinished)
        best: TrialOutcome | None = None
        best_value = math.nan
        metric = self.objective.primary_metric
        for index in sorted(outcomes):
            outcome = outcomes[index]
            value = outcome.value(metric)
            if outcome.status != "completed" or value is None:
                continue
            if best is None or self.objective.is_better(value, best_value):
                best, best_value = outcome, value
        return SweepResult(
            workspace=self.workspace,
            experiment_name=self.experiment_name,
            parent_run_id=parent_id,
            status=stop.status,
            status_reason=stop.reason,
            objective=self.objective,
            best_trial=None
            if best is None
            else BestTrial(best.run_id, best.index, dict(best.params), dict(best.metrics)),
            status_counts=dict(sorted(counts.items())),
        )
