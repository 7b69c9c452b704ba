"""``Sweep``: hyperparameter sweeps of a training function or command (Azure ML HyperDrive)."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from search_spaces import Sampler, SearchSpace, make_sampler, parse_search_space
from trials._controller import Controller, ControllerOptions
from trials._limits import Limits, check_count
from trials._progress import make_progress
from trials._result import SweepResult
from trials._searcher import Goal, Objective, SamplerSearcher
from trials._targets import CommandTemplate, TrialTarget, as_trial_target
from trials.executors import CommandTarget, Executor, Resources, TrainFunction, make_executor
from trials.policies import EarlyTerminationPolicy, make_policy

if TYPE_CHECKING:
    from trials.store import Workspace

__all__ = ["Sweep"]

_EXECUTORS = ("local", "ray", "ray://host:port")
_RESOURCE_KEYS = ("cpus", "gpus", "mem_in_mb")
_RAY_ADDRESS = re.compile(r"^ray://[^\s:/]+:[0-9]{1,5}$")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if isinstance(value, (int, float, str)) or value is None:
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def new_experiment_name(prefix: str = "sweep") -> str:
    """A new unique experiment name, e.g. ``sweep-20250101-120000-3fa2c1``."""
    return f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def _space(value: object) -> SearchSpace:
    if isinstance(value, SearchSpace):
        return value
    if isinstance(value, Mapping):
        return parse_search_space(value)
    raise TypeError(
        f"`search_space` must be a SearchSpace or a mapping of parameter names to "
        f"expressions, got {_describe(value)}"
    )


def _resources(value: object) -> Resources:
    if value is None:
        return Resources()
    if isinstance(value, Resources):
        return value
    if isinstance(value, Mapping):
        unknown = sorted(str(key) for key in value if key not in _RESOURCE_KEYS)
        if unknown:
            raise ValueError(
                f"unknown key(s) {', '.join(unknown)} in `resources`; valid keys: "
                f"{', '.join(_RESOURCE_KEYS)} (the trial timeout is `trial_timeout`)"
            )
        return Resources(**value)
    raise TypeError(
        f"`resources` must be None, a Resources or a mapping (cpus, gpus, mem_in_mb), "
        f"got {_describe(value)}"
    )


def _executor(value: object) -> str | Executor:
    if isinstance(value, Executor):
        return value
    if isinstance(value, str):
        if value == "local":
            return value
        if value == "ray" or value.startswith("ray://"):
            if value != "ray" and not _RAY_ADDRESS.match(value):
                raise ValueError(
                    f"`executor` must be one of {', '.join(map(repr, _EXECUTORS))} or an "
                    f"Executor instance, got {value!r}: a Ray address is ray://host:port, "
                    "e.g. 'ray://10.0.0.5:10001'"
                )
            if importlib.util.find_spec("ray") is None:
                raise ImportError(
                    f"`executor` {value!r} needs Ray, which is not installed here: "
                    "pip install 'openaml[ray]' (or use executor='local')"
                )
            return value
    raise ValueError(
        f"`executor` must be one of {', '.join(map(repr, _EXECUTORS))} or an Executor "
        f"instance, got {_describe(value)}"
    )


def _workspace(value: object) -> Workspace | str | os.PathLike[str] | None:
    from trials.store import Workspace

    if value is None or isinstance(value, (Workspace, str, os.PathLike)):
        return value
    raise TypeError(
        f"`workspace` must be None, a folder path, a database URL or a Workspace, "
        f"got {_describe(value)}"
    )


class Sweep:
    """A hyperparameter sweep: Azure ML HyperDrive on your own machine.

    Every argument is checked here, before anything runs; :meth:`run` runs the trials,
    records them in a workspace and returns the best one.

    Args:
        trial: A module-level function ``train(params, ctx)`` (reporting with
            ``ctx.report(step=..., metric=...)`` and returning its final metrics), or a
            command line (string, list or :class:`~trials.executors.CommandTarget`) whose
            ``${{search_space.<name>}}`` placeholders receive each trial's values and which
            reports with :mod:`trials.report` (or a ``CommandTemplate``, which may also fill
            ``${{inputs.<name>}}``).
        search_space: A :class:`~search_spaces.SearchSpace` or a mapping (expressions, or
            the Azure v2 ``{type: ..., ...}`` form).
        primary_metric: The metric to optimise, as trials report or return it.
        goal: ``"maximize"`` or ``"minimize"``.
        sampling_algorithm: ``"random"``, ``"sobol"``, ``"grid"``, ``"bayesian"``, a v2
            mapping (``{"type": "random", "rule": "sobol"}``) or a Sampler.
        early_termination: None, a policy (``BanditPolicy(slack_factor=0.1)``) or a v2
            mapping (``{"type": "bandit", "slack_factor": 0.1}``).
        max_total_trials: Trials to run in all (over every run of the experiment).
        max_concurrent_trials: Trials running at once.
        timeout: Seconds of active time for the whole sweep. Give ``max_total_trials``,
            ``timeout`` or both. Without a timeout the sweep is deterministic: the same
            seed gives the same trials, statuses and scores at any concurrency.
        trial_timeout: Seconds one trial may run (it is then killed and recorded failed).
        resources: Per-trial ``Resources`` or a mapping of ``cpus``, ``gpus``, ``mem_in_mb``.
        executor: ``"local"`` (worker processes on this machine), ``"ray"`` (a local
            Ray) or ``"ray://host:port"`` (a Ray cluster), each built with
            ``max_concurrent_trials`` and shut down by :meth:`run`; or an
            :class:`~trials.executors.Executor` you own (started if needed and left
            running).
        workspace: A :class:`~trials.store.Workspace`, a folder or a database URL; None:
            ``AUTOML_WORKSPACE``, else ``./automl_workspace``.
        experiment_name: Name of the experiment. Running again under the same name with
            the same search resumes it (raise ``max_total_trials`` to extend it); None: a
            new unique name.
        seed: Seed of the sampler; None draws one (and a resumed experiment reuses its own).

    Raises:
        TypeError, ValueError: A bad argument; the message names it and what was expected.

    Example:
        >>> from search_spaces import uniform
        >>> from mypackage.training import train  # doctest: +SKIP
        >>> sweep = Sweep(  # doctest: +SKIP
        ...     train, {"lr": uniform(0.001, 0.1)}, primary_metric="accuracy",
        ...     goal="maximize", max_total_trials=20, max_concurrent_trials=4, seed=0,
        ... )
        >>> result = sweep.run()  # doctest: +SKIP
        >>> result.best_trial.params  # doctest: +SKIP
        {'lr': 0.0412...}
    """

    def __init__(
        self,
        trial: TrainFunction | CommandTarget | TrialTarget | str | Sequence[str],
        search_space: SearchSpace | Mapping[str, Any],
        *,
        primary_metric: str,
        goal: Goal,
        sampling_algorithm: str | Mapping[str, Any] | Sampler = "random",
        early_termination: EarlyTerminationPolicy | Mapping[str, Any] | str | None = None,
        max_total_trials: int | None = None,
        max_concurrent_trials: int = 1,
        timeout: float | None = None,
        trial_timeout: float | None = None,
        resources: Resources | Mapping[str, Any] | None = None,
        executor: str | Executor = "local",
        workspace: Workspace | str | os.PathLike[str] | None = None,
        experiment_name: str | None = None,
        seed: int | None = None,
    ) -> None:
        self._target = as_trial_target(trial)
        self._space = _space(search_space)
        self._objective = Objective(primary_metric, goal)
        if seed is not None:
            check_count("seed", seed, minimum=0)
        self._seed = seed
        self._algorithm = sampling_algorithm
        self._sampler = self._build_sampler(seed)
        self._policy = make_policy(early_termination)
        self._limits = Limits(max_total_trials, max_concurrent_trials, timeout, trial_timeout)
        if max_total_trials is None and timeout is None:
            size = self._sampler.size
            hint = f"; the grid has {size} points" if size is not None else ""
            raise ValueError(
                "`max_total_trials` or `timeout` must be given, got neither; a sweep needs "
                f"a limit, e.g. max_total_trials=20 or timeout=3600{hint}"
            )
        self._resources = _resources(resources)
        self._executor = _executor(executor)
        self._workspace = _workspace(workspace)
        if experiment_name is not None and (
            not isinstance(experiment_name, str) or not experiment_name.strip()
        ):
            raise ValueError(
                f"`experiment_name` must be a non-empty string or None, "
                f"got {_describe(experiment_name)}"
            )
        self._experiment_name = experiment_name or new_experiment_name()
        if isinstance(self._target, CommandTemplate):
            self._target.check(self._space)

    @property
    def experiment_name(self) -> str:
        """The experiment's name (generated when none was given)."""
        return self._experiment_name

    @property
    def search_space(self) -> SearchSpace:
        """The search space."""
        return self._space

    @property
    def limits(self) -> Limits:
        """Trial count, concurrency and timeouts."""
        return self._limits

    @property
    def policy(self) -> EarlyTerminationPolicy:
        """The early-termination policy."""
        return self._policy

    def run(self, quiet: bool = True) -> SweepResult:
        """Run the sweep (or resume it) and return its result.

        Args:
            quiet: True shows nothing; False shows live progress: a table redrawn in a
                terminal, one line per finished trial when the output is not a terminal.

        Returns:
            The result: best trial, counts by status, leaderboard, model registration.

        Raises:
            ExperimentConfigError: An experiment of this name exists with another search.
        """
        from trials.store import Workspace

        workspace = (
            self._workspace
            if isinstance(self._workspace, Workspace)
            else Workspace(self._workspace)
        )
        sampler = self._sampler
        stored_seed = self._stored_seed(workspace)
        if self._seed is None and stored_seed is not None and stored_seed != sampler.seed:
            sampler = self._build_sampler(stored_seed)
        owned = isinstance(self._executor, str)
        executor = self._build_executor() if isinstance(self._executor, str) else self._executor
        options = ControllerOptions(
            experiment_kind="sweep",
            resources=self._resources,
            shutdown_executor=owned,
            progress=make_progress(self._objective, quiet=quiet),
        )
        controller = Controller(
            SamplerSearcher(sampler, self._objective.primary_metric),
            self._target,
            executor,
            self._policy,
            self._limits,
            workspace,
            self._experiment_name,
            objective=self._objective,
            options=options,
        )
        return controller.run()

    def __repr__(self) -> str:
        return (
            f"Sweep({self._target!r}, experiment_name={self._experiment_name!r}, "
            f"primary_metric={self._objective.primary_metric!r}, goal={self._objective.goal!r})"
        )

    def _build_executor(self) -> Executor:
        """The executor the shorthand names, sized by ``max_concurrent_trials``."""
        return make_executor(
            str(self._executor), max_concurrency=self._limits.max_concurrent_trials
        )

    def _build_sampler(self, seed: int | None) -> Sampler:
        algorithm = self._algorithm
        if isinstance(algorithm, Sampler):
            if algorithm.space != self._space:
                raise ValueError(
                    "`sampling_algorithm` is a Sampler over another search space than "
                    "`search_space`; build it over the same space"
                )
            if algorithm.goal != self._objective.goal:
                raise ValueError(
                    f"`sampling_algorithm` is a Sampler with goal={algorithm.goal!r} but "
                    f"goal={self._objective.goal!r}; give both the same goal"
                )
            if seed is not None and seed != algorithm.seed:
                raise ValueError(
                    f"`seed` must be None or the Sampler's own seed ({algorithm.seed}) when "
                    f"`sampling_algorithm` is a Sampler, got {seed!r}"
                )
            return algorithm
        if not isinstance(algorithm, (str, Mapping)):
            raise TypeError(
                f"`sampling_algorithm` must be a name, a mapping with `type` or a Sampler, "
                f"got {_describe(algorithm)}"
            )
        return make_sampler(algorithm, self._space, seed=seed, goal=self._objective.goal)

    def _stored_seed(self, workspace: Workspace) -> int | None:
        """The sampler seed a stored experiment of this name was created with."""
        if isinstance(self._algorithm, Sampler):
            return None
        from trials.store import NotFoundError

        try:
            config = workspace.get_experiment(self._experiment_name).config
        except NotFoundError:
            return None
        try:
            seed = config["searcher"]["sampler"]["seed"]
        except (KeyError, TypeError):
            return None
        return seed if isinstance(seed, int) and not isinstance(seed, bool) else None
