"""RayExecutor: trials as Ray tasks, on a local Ray or an existing cluster."""

from __future__ import annotations

import contextlib
import importlib
import math
from time import monotonic
from typing import Any

from trials.executors._base import Executor
from trials.executors._events import Event
from trials.executors._ray_capacity import ClusterView, demand_of
from trials.executors._ray_mailbox import Mailbox
from trials.executors._ray_task import run_attempt, shared_value
from trials.executors._ray_trial import RayTrial, failure_reason, is_retryable
from trials.executors._spec import Resources, TrialSpec

__all__ = ["RayExecutor"]

_MIB = 1024 * 1024
_TAKE_WAIT_S = 10.0  # the executor's waiting call for messages returns empty after this
_INSTALL = "pip install 'openaml[ray]'"


def _import_ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise ImportError(
            f"RayExecutor needs Ray, which is not installed here: {_INSTALL} (or use LocalExecutor)"
        ) from exc


class RayExecutor(Executor):
    """Runs each trial as a Ray task, on a local Ray or an existing cluster.

    A trial asks Ray for its :class:`Resources`: ``cpus`` as ``num_cpus`` (and its thread
    cap), ``gpus`` as ``num_gpus`` (fractions pack several trials on one GPU; the trial sees
    the GPUs Ray assigned in ``CUDA_VISIBLE_DEVICES``), ``mem_in_mb`` as Ray's ``memory``
    (reserved for scheduling) and as a cap on the resident memory of the worker process
    running the trial and its children, enforced on the node as the local executor does
    (over it: killed, failed with the reason, not retried), and ``custom`` as Ray's custom
    ``resources``. Reports reach the controller while the trial runs, answers and cancels
    reach ``ctx.should_stop()``, through one small mailbox actor. The trial's artifact
    folder is a temporary folder on the node that runs it; the files it logs travel as they
    are logged, its stdout and stderr as they grow (every half second: a killed trial keeps
    its logs), the others when it ends, into ``spec.artifact_dir`` here. Trial functions,
    their modules and this package must be importable on every node (install them there, or
    pass Ray a ``runtime_env``).

    Args:
        address: The cluster to connect to (``"ray://host:10001"``, ``"host:6379"``,
            ``"auto"``); None: start a local Ray on :meth:`start` and stop it on
            :meth:`shutdown`. When this process is already connected to Ray, that
            connection is used (and left open).
        max_concurrency: Most trials at once; None: as many as the cluster's resources
            fit.
        max_retries: How many times a trial whose worker or node died is run again (it
            keeps its run; what it reported is not reported twice). An exception raised by
            the trial is never retried.
        num_cpus: CPUs of the local Ray (default: this machine's); only without address.
        num_gpus: GPUs of the local Ray (default: those detected); only without address.
        init_options: More keyword arguments for ``ray.init`` (``runtime_env``,
            ``object_store_memory``, ``include_dashboard``, ...).

    Example:
        >>> from trials.executors import RayExecutor, TrialSpec
        >>> with RayExecutor(max_concurrency=4) as executor:  # doctest: +SKIP
        ...     executor.submit(TrialSpec("run-1", 0, {"lr": 0.1}, train, Path("out/run-1")))
        ...     events = executor.poll(timeout=1.0)
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        max_concurrency: int | None = None,
        max_retries: int = 0,
        num_cpus: int | None = None,
        num_gpus: float | None = None,
        init_options: dict[str, Any] | None = None,
    ) -> None:
        if address is not None and (not isinstance(address, str) or not address.strip()):
            raise ValueError(
                f"`address` must be None or a Ray address such as 'ray://host:10001', "
                f"got {address!r}"
            )
        _check_count("max_concurrency", max_concurrency, minimum=1, optional=True)
        _check_count("max_retries", max_retries, minimum=0, optional=False)
        _check_count("num_cpus", num_cpus, minimum=1, optional=True)
        if num_gpus is not None and (
            not isinstance(num_gpus, (int, float)) or isinstance(num_gpus, bool) or num_gpus < 0
        ):
            raise ValueError(f"`num_gpus` must be a number >= 0 or None, got {num_gpus!r}")
        if address is not None and (num_cpus is not None or num_gpus is not None):
            raise ValueError(
                "`num_cpus` and `num_gpus` describe a local Ray that this executor starts; "
                f"with `address`={address!r} the cluster's own resources count: leave them None"
            )
        if init_options is not None and not isinstance(init_options, dict):
            raise TypeError(f"`init_options` must be a dict or None, got {init_options!r}")
        self._ray = _import_ray()
        self._address = address.strip() if address is not None else None
        self._max_concurrency = max_concurrency
        self._max_retries = max_retries
        self._num_cpus = num_cpus
        self._num_gpus = num_gpus
        self._init_options = dict(init_options or {})
        self._cluster: ClusterView | None = None
        self._mailbox: Any = None
        self._task: Any = None
        self._remotes: dict[tuple[Any, ...], Any] = {}
        self._take: Any = None
        self._trials: dict[str, RayTrial] = {}
        self._owners: dict[Any, str] = {}  # the running attempt's ObjectRef -> run id
        self._events: list[Event] = []
        self._forget: list[str] = []
        self._shared: dict[str, Any] = {}
        self._owns_connection = False
        self._started = False
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"RayExecutor(address={self._address!r}, max_concurrency={self._max_concurrency}, "
            f"max_retries={self._max_retries})"
        )

    @property
    def max_concurrency(self) -> int | None:
        """Most trials at once (None: as many as the cluster fits)."""
        return self._max_concurrency

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start or connect to Ray and create the mailbox (done by ``with`` or the first
        call that needs them)."""
        if self._closed:
            raise RuntimeError("this RayExecutor was shut down; create a new one")
        if self._started:
            return
        ray = self._ray
        if ray.is_initialized():
            self._check_connection()
        else:
            options = dict(self._init_options)
            if self._address is not None:
                options["address"] = self._address
            if self._num_cpus is not None:
                options["num_cpus"] = self._num_cpus
            if self._num_gpus is not None:
                options["num_gpus"] = self._num_gpus
            ray.init(**options)
            self._owns_connection = True
        self._cluster = ClusterView(ray)
        self._mailbox = (
            ray.remote(Mailbox)
            .options(num_cpus=0, max_concurrency=10_000, scheduling_strategy=self._here())
            .remote()
        )
        self._task = ray.remote(run_attempt)
        self._take = self._mailbox.take.remote(_TAKE_WAIT_S)
        self._started = True

    def _check_connection(self) -> None:
        """This process already talks to Ray: refuse what would silently not apply."""
        if self._num_cpus is not None or self._num_gpus is not None or self._init_options:
            raise RuntimeError(
                "this process is already connected to Ray, so `num_cpus`, `num_gpus` and "
                "`init_options` cannot apply; leave them out, or call ray.shutdown() first"
            )
        address = self._address
        if address is None or address == "auto" or address.startswith("ray://"):
            return
        current = self._ray.get_runtime_context().gcs_address
        if current != address:
            raise RuntimeError(
                f"this process is already connected to the Ray cluster at {current!r}, not "
                f"`address`={address!r}; call ray.shutdown() first to connect elsewhere"
            )

    def shutdown(self) -> None:
        """Kill running trials (no events follow), remove the mailbox, and stop the local
        Ray or disconnect from the cluster if :meth:`start` connected; idempotent."""
        if self._closed:
            return
        self._closed = True
        if not self._started:
            return
        ray = self._ray
        for trial in self._trials.values():
            with contextlib.suppress(Exception):
                ray.cancel(trial.ref, force=True)
        self._trials.clear()
        self._owners.clear()
        with contextlib.suppress(Exception):
            ray.kill(self._mailbox)
        self._shared.clear()
        if self._owns_connection:
            ray.shutdown()

    def _started_cluster(self) -> ClusterView:
        self.start()
        if self._cluster is None:  # start() sets it or raises
            raise RuntimeError("the RayExecutor did not start: create a new one")
        return self._cluster

    # -- the Executor contract ------------------------------------------------------------

    def capacity(self, resources: Resources | None = None) -> int:
        """How many more trials (with these resources) fit in the cluster now, beside those
        this executor runs, capped by ``max_concurrency``."""
        cluster = self._started_cluster()
        running = [trial.demand for trial in self._trials.values() if trial.result is None]
        fit = cluster.free_slots(demand_of(resources or Resources()), running)
        if self._max_concurrency is not None:
            fit = min(fit, self._max_concurrency - len(self._trials))
        return max(0, fit)

    def submit(self, spec: TrialSpec) -> None:
        """Start ``spec`` as a Ray task; a :class:`TrialStarted` follows once it runs.

        Raises:
            TypeError: The target or params cannot be sent to Ray.
            ValueError: No node of the cluster has the resources the trial asks for, or
                its run id is already running.
            RuntimeError: The trial does not fit now (check :meth:`capacity` first), or
                the executor was shut down.
        """
        cluster = self._started_cluster()
        if not isinstance(spec, TrialSpec):
            raise TypeError(f"`spec` must be a TrialSpec, got {type(spec).__name__}")
        if spec.run_id in self._trials:
            raise ValueError(
                f"`run_id` {spec.run_id!r} is already running; each trial needs its own"
            )
        demand = demand_of(spec.resources)
        cluster.check_fits(spec.run_id, demand)
        if self.capacity(spec.resources) <= 0:
            raise RuntimeError(
                f"trial {spec.run_id!r} does not fit now ({len(self._trials)} running); "
                "submit only while capacity(spec.resources) > 0"
            )
        trial = RayTrial(spec, demand, began=monotonic())
        self._launch(trial)
        self._trials[spec.run_id] = trial

    def poll(self, timeout: float) -> list[Event]:
        """Wait up to ``timeout`` seconds for events; returns as soon as there are some."""
        if (
            not isinstance(timeout, (int, float))
            or isinstance(timeout, bool)
            or not timeout >= 0
            or math.isinf(timeout)
        ):
            raise ValueError(f"`timeout` must be a number of seconds >= 0, got {timeout!r}")
        self.start()
        ray = self._ray
        end = monotonic() + timeout
        while True:
            now = monotonic()
            self._enforce_timeouts(now)
            wait_for = 0.0 if self._events else max(0.0, min(end, self._next_deadline()) - now)
            refs = [self._take, *self._owners]
            ready, _ = ray.wait(refs, num_returns=1, timeout=wait_for)
            if ready:
                ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
                self._handle(ready)
            if self._events or monotonic() >= end:
                break
        if self._forget:
            self._mailbox.forget.remote(self._forget)
            self._forget = []
        events, self._events = self._events, []
        return events

    def answer(self, run_id: str, step: int, stop: bool, reason: str | None = None) -> None:
        """Send the controller's decision on the report at ``step``."""
        trial = self._trials.get(run_id)
        if trial is None:
            return
        if stop and trial.stop_reason is None:
            trial.stop_reason = reason or f"stopped early at step {step}"
        self._mailbox.decide.remote(run_id, (step, bool(stop), reason))
        trial.decided = True

    def cancel(self, run_id: str, *, kill: bool, reason: str | None = None) -> None:
        """Ask a trial to stop (``kill=False``) or kill its Ray task now (``kill=True``)."""
        trial = self._trials.get(run_id)
        if trial is None:
            return
        reason = reason or "canceled"
        if kill:
            self._kill(trial, "canceled", reason)
        else:
            self._mailbox.decide.remote(run_id, (None, True, reason))
            trial.decided = True

    # -- shared objects -------------------------------------------------------------------

    def share(self, name: str, value: Any) -> bool:
        """Put ``value`` in Ray's object store once; trials read it with
        :meth:`shared` (a numpy array is then read without a copy on each node).
        Returns True. Sharing a name again replaces the value for trials submitted after.

        Example:
            >>> executor.share("train", (X, y))  # doctest: +SKIP
            >>> def train(params, ctx):  # runs on any node
            ...     X, y = RayExecutor.shared("train")
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"`name` must be a non-empty string, got {name!r}")
        self.start()
        self._shared[name] = self._ray.put(value)
        return True

    @staticmethod
    def shared(name: str) -> Any:
        """Inside a trial run by a RayExecutor: the value shared under ``name``.

        Raises:
            LookupError: Nothing was shared under that name, or this is not such a trial.
        """
        return shared_value(name)

    # -- attempts -------------------------------------------------------------------------

    def _launch(self, trial: RayTrial) -> None:
        spec = trial.spec
        resources = spec.resources
        payload = (
            spec.run_id,
            trial.attempt,
            spec.index,
            spec.params,
            spec.target,
            resources.cpus,
            resources.mem_in_mb,
            spec.deterministic,
            spec.return_metric,
        )
        try:
            ref = self._remote(resources).remote(payload, self._mailbox, self._shared)
        except Exception as exc:
            raise TypeError(
                f"trial {spec.run_id!r} cannot be sent to Ray ({type(exc).__name__}: {exc}); "
                "its target and params must be picklable"
            ) from exc
        trial.ref = ref
        now = monotonic()
        trial.deadline = None if resources.timeout is None else now + resources.timeout
        self._owners[ref] = spec.run_id

    def _remote(self, resources: Resources) -> Any:
        key = (resources.cpus, resources.gpus, resources.mem_in_mb, *resources.custom.items())
        remote = self._remotes.get(key)
        if remote is None:
            options: dict[str, Any] = {
                "num_cpus": resources.cpus,
                "num_gpus": resources.gpus,
                "max_retries": 0,  # retried here, so that a retry keeps its run
                "retry_exceptions": False,
            }
            if resources.mem_in_mb is not None:
                options["memory"] = resources.mem_in_mb * _MIB
            if resources.custom:
                options["resources"] = dict(resources.custom)
            remote = self._remotes[key] = self._task.options(**options)
        return remote

    def _here(self) -> Any:
        """Keep the mailbox on the driver's node, so that losing another node keeps it."""
        try:
            node_id = self._ray.get_runtime_context().get_node_id()
            strategies = importlib.import_module("ray.util.scheduling_strategies")
            return strategies.NodeAffinitySchedulingStrategy(node_id=node_id, soft=False)
        except Exception:  # e.g. a Ray Client driver, which runs on no node
            return "DEFAULT"

    # -- events ---------------------------------------------------------------------------

    def _handle(self, ready: list[Any]) -> None:
        ray = self._ray
        if self._take in ready:  # messages first: they come before their trial's end
            try:
                messages = ray.get(self._take)
            except ray.exceptions.RayActorError as exc:
                raise RuntimeError(
                    f"the RayExecutor's mailbox actor died ({exc}); the trials running "
                    "cannot report any more: shut this executor down and start a new one"
                ) from exc
            self._take = self._mailbox.take.remote(_TAKE_WAIT_S)
            for message in messages:
                trial = self._trials.get(message[0])
                if trial is not None:
                    trial.receive(message, self._events)
                    self._finish_if_complete(trial)
        for ref in ready:
            run_id = self._owners.pop(ref, None)
            trial = None if run_id is None else self._trials.get(run_id)
            if trial is None or trial.ref != ref:
                continue
            try:
                result = ray.get(ref)
            except Exception as exc:
                self._attempt_failed(trial, exc)
                continue
            if result[0] == trial.attempt:
                trial.result = result
                self._finish_if_complete(trial)

    def _finish_if_complete(self, trial: RayTrial) -> None:
        if trial.complete:  # else some of its messages are still on their way
            self._forget_trial(trial)
            trial.end(self._events)

    def _forget_trial(self, trial: RayTrial) -> None:
        run_id = trial.spec.run_id
        del self._trials[run_id]
        self._owners.pop(trial.ref, None)
        if trial.decided:
            self._forget.append(run_id)

    def _attempt_failed(self, trial: RayTrial, exc: BaseException) -> None:
        retryable = is_retryable(exc)
        if retryable and trial.memory_reason is None:
            self._drain_messages()  # a worker that killed itself over its cap said why
        if trial.memory_reason is not None:
            retryable, reason, error = False, trial.memory_reason, None
        elif retryable and trial.attempt < self._max_retries:
            trial.next_attempt()
            self._launch(trial)
            return
        else:
            reason = failure_reason(exc)
            if retryable and self._max_retries:
                reason += f" (after {trial.attempt + 1} attempts)"
            error = None if retryable else str(exc)  # e.g. the worker's traceback
        self._forget_trial(trial)
        trial.log_events(self._events)
        trial.finish(self._events, "failed", {}, reason, error, monotonic() - trial.began)

    def _drain_messages(self, timeout: float = 1.0) -> None:
        """Take the messages already on their way to the mailbox (waits up to ``timeout``)."""
        ready, _ = self._ray.wait([self._take], timeout=timeout)
        if ready:
            self._handle(ready)

    def _kill(self, trial: RayTrial, status: str, reason: str) -> None:
        ray = self._ray
        ready, _ = ray.wait([trial.ref], timeout=0)
        if ready:  # it ended on its own just in time: its own outcome counts
            self._handle(ready)
            if trial.spec.run_id not in self._trials or trial.result is not None:
                return  # ended, or ends once its last messages are in
        with contextlib.suppress(Exception):
            ray.cancel(trial.ref, force=True)
        if status == "canceled" and trial.stop_reason is not None:
            status, reason = "early_terminated", trial.stop_reason
        self._forget_trial(trial)
        trial.log_events(self._events)
        trial.finish(self._events, status, {}, reason, None, monotonic() - trial.began)

    # -- limits ---------------------------------------------------------------------------

    def _next_deadline(self) -> float:
        deadlines = [t.deadline for t in self._trials.values() if t.deadline is not None]
        return min(deadlines, default=math.inf)

    def _enforce_timeouts(self, now: float) -> None:
        for trial in list(self._trials.values()):
            if trial.deadline is not None and now >= trial.deadline and trial.result is None:
                limit = trial.spec.resources.timeout
                self._kill(trial, "failed", f"exceeded trial timeout of {limit!r} s")


def _check_count(name: str, value: object, *, minimum: int, optional: bool) -> None:
    if value is None and optional:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        expected = f"an integer >= {minimum}" + (" or None" if optional else "")
        raise ValueError(f"`{name}` must be {expected}, got {value!r}")
