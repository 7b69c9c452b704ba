"""The searcher interface: what proposes trials to the controller and learns from them.

One interface serves sweeps and AutoML alike. The controller asks for the trial of each
index with :meth:`Searcher.ask`, runs it, and tells the searcher what happened with
:meth:`Searcher.tell`, in trial-index order when it runs deterministically (see
DESIGN.md, "Determinism"). On resume it tells the stored history again, in index order, so a
searcher keeps no state of its own on disk.

:class:`SamplerSearcher` adapts a :mod:`search_spaces` sampler (random, grid, bayesian).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, get_args

from search_spaces import SearchExhaustedError
from search_spaces.samplers import Sampler, TrialState
from trials.executors import Resources

__all__ = [
    "FINISHED_STATUSES",
    "FinishedStatus",
    "Goal",
    "Objective",
    "SamplerSearcher",
    "Searcher",
    "TrialOutcome",
    "TrialRequest",
]

Goal: TypeAlias = Literal["maximize", "minimize"]
FinishedStatus: TypeAlias = Literal["completed", "failed", "early_terminated", "canceled"]
FINISHED_STATUSES: tuple[str, ...] = get_args(FinishedStatus)
_GOALS: tuple[str, ...] = get_args(Goal)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if isinstance(value, (int, float, str)) or value is None:
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def _check_name(field_name: str, value: object, hint: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        suffix = f"; {hint}" if hint else ""
        raise ValueError(
            f"`{field_name}` must be a non-empty string, got {_describe(value)}{suffix}"
        )
    return value


@dataclass(frozen=True)
class Objective:
    """What a search optimises.

    Attributes:
        primary_metric: The metric trials are ranked by (its final value) and that the
            early-termination policy reads at each step.
        goal: ``"maximize"`` or ``"minimize"``.
        cost_metric: A final metric counting the work a trial did (rows x iterations, ...),
            passed to the searcher as :attr:`TrialOutcome.cost`; None: no cost.

    Example:
        >>> Objective("accuracy", "maximize").goal
        'maximize'
    """

    primary_metric: str
    goal: Goal
    cost_metric: str | None = None

    def __post_init__(self) -> None:
        _check_name(
            "primary_metric",
            self.primary_metric,
            "name the metric your trials report, e.g. primary_metric='accuracy'",
        )
        if self.goal not in _GOALS:
            raise ValueError(
                f"`goal` must be one of {', '.join(map(repr, _GOALS))}, got {_describe(self.goal)}"
            )
        if self.cost_metric is not None:
            _check_name("cost_metric", self.cost_metric)

    def is_better(self, a: float, b: float) -> bool:
        """True when ``a`` is strictly better than ``b`` (NaN is never better)."""
        if math.isnan(a):
            return False
        if math.isnan(b):
            return True
        return a > b if self.goal == "maximize" else a < b


@dataclass(frozen=True)
class TrialRequest:
    """What a searcher proposes for one trial.

    Attributes:
        params: The trial's parameters (JSON-able values; nested dicts for sub-spaces).
        resources: What the trial may use; None: the controller's default.
        tags: Tags recorded on the trial's run (e.g. the learner's name).
        kind: The run kind recorded in the store (``"trial"``; AutoML uses ``"ensemble"``
            for its ensembles).

    Example:
        >>> TrialRequest({"lr": 0.1}, tags={"learner": "lgbm"}).kind
        'trial'
    """

    params: dict[str, Any]
    resources: Resources | None = None
    tags: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "trial"

    def __post_init__(self) -> None:
        if not isinstance(self.params, Mapping):
            raise TypeError(f"`params` must be a dict, got {_describe(self.params)}")
        bad = [key for key in self.params if not isinstance(key, str)]
        if bad:
            raise TypeError(f"`params` names must be strings, got {bad[0]!r}")
        object.__setattr__(self, "params", dict(self.params))
        if self.resources is not None and not isinstance(self.resources, Resources):
            raise TypeError(
                f"`resources` must be a Resources or None, got {_describe(self.resources)}"
            )
        if not isinstance(self.tags, Mapping):
            raise TypeError(f"`tags` must be a mapping, got {_describe(self.tags)}")
        object.__setattr__(self, "tags", dict(self.tags))
        _check_name("kind", self.kind)


@dataclass(frozen=True)
class TrialOutcome:
    """What happened to one trial, as told to its searcher.

    Attributes:
        index: The trial's index in the experiment.
        run_id: Its run in the store.
        params: The parameters it ran with.
        status: ``completed``, ``failed``, ``early_terminated`` or ``canceled``.
        metrics: Final metrics: the last reported value of each metric, overridden by what
            the trial returned.
        intermediate: ``(step, metrics)`` of every report, in step order.
        reason: Why it ended so (the policy's reason, the error's summary, ...); None
            for a completed trial.
        error: The traceback or the tail of stderr of a failed trial.
        duration_s: Seconds it ran.
        cost: The value of the objective's ``cost_metric``, where there is one.
        artifacts: Names of the files it saved (its logs included).
        tags: The tags of its request.
    """

    index: int
    run_id: str
    params: dict[str, Any]
    status: FinishedStatus
    metrics: dict[str, float] = field(default_factory=dict)
    intermediate: tuple[tuple[int, dict[str, float]], ...] = ()
    reason: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    cost: float | None = None
    artifacts: tuple[str, ...] = ()
    tags: Mapping[str, Any] = field(default_factory=dict)

    def value(self, metric: str) -> float | None:
        """The final value of ``metric``, or None when the trial has none (or NaN)."""
        value = self.metrics.get(metric)
        if value is None or math.isnan(value):
            return None
        return value


class Searcher(ABC):
    """Proposes trials (:meth:`ask`) and learns from their outcomes (:meth:`tell`).

    Contract with the controller:

    - ``ask(index)`` is called for indexes 0, 1, 2, ... in order; it may be called again for
      the same index (after returning None). In deterministic mode the outcomes told
      before ``ask(k)`` are exactly those of trials ``0 .. k - c`` (``c`` the concurrency),
      in index order, so a searcher whose proposal depends only on its seed, ``k`` and the
      told outcomes gives the same sweep whatever the finishing order.
    - ``tell(outcome)`` is called once per finished trial, after its end is committed to
      the store; on resume the stored outcomes are told again, in index order.
    - ``config()`` describes everything that defines the search; it is fingerprinted, and
      an experiment refuses to resume when it changed.
    - ``preempt(running)`` is called while every slot is taken; the trials it names are
      stopped (recorded ``canceled`` with its reason) to make room for what it must ask
      next.

    Subclasses implement the first three; :attr:`adaptive` and :meth:`preempt` may be
    overridden.
    """

    @abstractmethod
    def ask(self, index: int) -> TrialRequest | None:
        """The trial for ``index``, or None when there is nothing (more) to propose.

        None while trials are still running or not yet told is not final: the controller
        asks again once every trial has finished and been told, and stops when the
        answer is still None.
        """

    @abstractmethod
    def tell(self, outcome: TrialOutcome) -> None:
        """Learn from a finished trial."""

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The search-defining configuration, JSON-able (used for the fingerprint)."""

    def preempt(self, running: Sequence[int]) -> tuple[list[int], str]:
        """Running trials to stop now, and why (default: none).

        Args:
            running: Indexes of the trials running now, in index order.

        Returns:
            The indexes to stop (a subset of ``running``) and the reason recorded on them.
        """
        return [], ""

    @property
    def adaptive(self) -> bool:
        """Whether proposals depend on told outcomes (True unless a searcher says not).

        A non-adaptive searcher (random or grid sampling) is asked without waiting for
        earlier trials to be told, which lets trivial trials run much faster.
        """
        return True


_SAMPLER_STATES: Mapping[str, TrialState] = {
    "completed": "completed",
    "early_terminated": "early_terminated",
    "failed": "failed",
    # A canceled trial says nothing about its parameters: the sampler ignores it.
    "canceled": "failed",
}


class SamplerSearcher(Searcher):
    """A searcher over a :mod:`search_spaces` sampler (a sweep's searcher).

    Each ask is the sampler's ask; an exhausted sampler (a finished grid) answers None.
    Tells pass the final value of ``primary_metric``: completed trials as ``completed``,
    early-terminated ones as ``early_terminated`` with their last value, failed and
    canceled ones as ``failed`` without a value.

    Args:
        sampler: The sampler.
        primary_metric: The metric whose final value is told.

    Example:
        >>> from search_spaces import SearchSpace, make_sampler, uniform
        >>> sampler = make_sampler("random", SearchSpace({"x": uniform(0, 1)}), seed=0)
        >>> searcher = SamplerSearcher(sampler, "score")
        >>> 0 <= searcher.ask(0).params["x"] <= 1
        True
    """

    def __init__(self, sampler: Sampler, primary_metric: str) -> None:
        if not isinstance(sampler, Sampler):
            raise TypeError(
                f"`sampler` must be a search_spaces Sampler, got {_describe(sampler)}; build "
                "one with search_spaces.make_sampler('random', space, seed=...)"
            )
        self._sampler = sampler
        self._metric = _check_name("primary_metric", primary_metric)

    @property
    def sampler(self) -> Sampler:
        """The wrapped sampler."""
        return self._sampler

    @property
    def adaptive(self) -> bool:
        """False for samplers that ignore tells (those that keep the base ``tell``)."""
        return type(self._sampler).tell is not Sampler.tell

    def ask(self, index: int) -> TrialRequest | None:
        """The sampler's proposal for ``index``; None once it is exhausted."""
        try:
            params = self._sampler.ask(index)
        except SearchExhaustedError:
            return None
        return TrialRequest(params)

    def tell(self, outcome: TrialOutcome) -> None:
        """Tell the sampler the trial's final primary-metric value and state."""
        state = _SAMPLER_STATES[outcome.status]
        value = None if state == "failed" else outcome.value(self._metric)
        self._sampler.tell(outcome.index, outcome.params, value, state)

    def config(self) -> dict[str, Any]:
        """The sampler's class, public settings (seed, goal, rule, ...) and search space."""
        return {
            "type": "sampler",
            "sampler": sampler_config(self._sampler),
            "search_space": self._sampler.space.to_dict(),
            "primary_metric": self._metric,
        }

    def __repr__(self) -> str:
        return f"SamplerSearcher({self._sampler!r}, primary_metric={self._metric!r})"


def sampler_config(sampler: Sampler) -> dict[str, Any]:
    """The class and every public scalar property of ``sampler`` (seed, goal, rule, ...).

    Read by reflection, so a sampler's new setting becomes part of the fingerprint without
    a change here.
    """
    settings: dict[str, Any] = {"class": type(sampler).__name__}
    for name in sorted(dir(type(sampler))):
        if name.startswith("_") or name == "space":
            continue
        if not isinstance(getattr(type(sampler), name, None), property):
            continue
        value = getattr(sampler, name)
        if value is None or isinstance(value, (bool, int, float, str)):
            settings[name] = value
        elif isinstance(value, Sequence) and all(
            isinstance(item, (bool, int, float, str)) for item in value
        ):
            settings[name] = list(value)
    return settings
