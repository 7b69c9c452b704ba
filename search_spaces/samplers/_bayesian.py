"""Bayesian optimisation with Optuna's TPE, driven through ask/tell.

Each expression maps onto an Optuna distribution (see :class:`BayesianSampler`); a ``choice``
becomes a categorical over option indexes and only the chosen option's sub-space is suggested
(define-by-run), so conditional spaces work with TPE's ``group`` decomposition.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

from search_spaces._choice import Choice
from search_spaces._errors import SearchSpaceError
from search_spaces._expressions import UNIT_EPSILON, Distribution
from search_spaces._normal import LogNormal, Normal, QLogNormal, QNormal
from search_spaces._space import SearchSpace
from search_spaces._uniform import LogUniform, QLogUniform, QUniform, RandInt, Uniform
from search_spaces._validation import check_index, describe
from search_spaces.samplers._base import Goal, Sampler, TrialState, usable_value

__all__ = ["BayesianSampler"]


def _clipper(low: float, high: float) -> Callable[[Any], float]:
    return lambda value: min(max(float(value), low), high)


@dataclass(frozen=True)
class _Codec:
    """How one expression lives in Optuna: its distribution and the maps both ways."""

    distribution: Any  # an optuna.distributions.BaseDistribution
    decode: Callable[[Any], Any]  # Optuna's value -> the parameter's value
    encode: Callable[[Any], Any]  # the parameter's value -> Optuna's value


def _normal_codec(expression: Normal | QNormal | LogNormal | QLogNormal) -> _Codec:
    # Suggest the quantile u and map it through mu + sigma * Phi^-1(u).
    from optuna.distributions import FloatDistribution

    standard = NormalDist(expression.mu, expression.sigma)
    log = isinstance(expression, (LogNormal, QLogNormal))
    unit = _clipper(UNIT_EPSILON, 1.0 - UNIT_EPSILON)

    def encode(value: Any) -> float:
        x = float(value)
        if log:
            if x <= 0:
                return unit(0.0)
            x = math.log(x)
        return unit(standard.cdf(x))

    return _Codec(FloatDistribution(UNIT_EPSILON, 1.0 - UNIT_EPSILON), expression.ppf, encode)


def _codec(expression: Distribution) -> _Codec:
    from optuna.distributions import FloatDistribution, IntDistribution

    if isinstance(expression, (Uniform, QUniform)):
        low, high = expression.min_value, expression.max_value
        distribution = FloatDistribution(low, high)
    elif isinstance(expression, (LogUniform, QLogUniform)):
        low, high = math.exp(expression.min_value), math.exp(expression.max_value)
        distribution = FloatDistribution(low, high, log=True)
    elif isinstance(expression, RandInt):
        return _Codec(IntDistribution(0, expression.upper - 1), int, int)
    elif isinstance(expression, (Normal, QNormal, LogNormal, QLogNormal)):
        return _normal_codec(expression)
    else:
        raise SearchSpaceError(
            f"bayesian sampling does not support the expression type {expression.type_name!r}"
        )
    clip = _clipper(low, high)
    if isinstance(expression, (QUniform, QLogUniform)):
        # Sampled continuously, then quantized: Azure's round(x / q) * q exactly.
        return _Codec(distribution, expression.quantize, clip)
    return _Codec(distribution, clip, clip)


def _suggest(trial: Any, name: str, distribution: Any) -> Any:
    from optuna.distributions import CategoricalDistribution, IntDistribution

    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high)
    return trial.suggest_float(name, distribution.low, distribution.high, log=distribution.log)


def _categorical(choice: Choice) -> Any:
    from optuna.distributions import CategoricalDistribution

    return CategoricalDistribution(tuple(range(len(choice.values))))


def _ask_space(trial: Any, space: SearchSpace, prefix: str) -> dict[str, Any]:
    """Suggest a sample of ``space`` define-by-run: only chosen branches are suggested."""
    drawn: dict[str, Any] = {}
    for name in sorted(space):
        member, key = space[name], prefix + name
        if isinstance(member, Choice):
            index = _suggest(trial, key, _categorical(member))
            option = member.values[index]
            if isinstance(option, SearchSpace):
                drawn[name] = _ask_space(trial, option, f"{key}[{index}].")
            else:
                drawn[name] = option
        elif isinstance(member, Distribution):
            codec = _codec(member)
            drawn[name] = codec.decode(_suggest(trial, key, codec.distribution))
        else:
            drawn[name] = member
    return {name: drawn[name] for name in space}


def _encode_space(
    space: SearchSpace, params: Mapping[str, Any], prefix: str, out: dict[str, tuple[Any, Any]]
) -> None:
    """Fill ``out`` with Optuna name -> (value, distribution) for ``params`` (inside ``space``)."""
    for name in sorted(space):
        member, key, value = space[name], prefix + name, params[name]
        if isinstance(member, Choice):
            index = member.index_of(value)
            if index is None:  # excluded by the contains() check before
                raise SearchSpaceError(f"`{key}` is not one of the choice's options")
            out[key] = (index, _categorical(member))
            option = member.values[index]
            if isinstance(option, SearchSpace):
                _encode_space(option, value, f"{key}[{index}].", out)
        elif isinstance(member, Distribution):
            codec = _codec(member)
            out[key] = (codec.encode(value), codec.distribution)


@contextmanager
def _quiet_optuna() -> Iterator[None]:
    """Optuna at WARNING or quieter, its experimental warnings hidden, for this block only."""
    import optuna

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(max(previous, optuna.logging.WARNING))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(previous)


class BayesianSampler(Sampler):
    """Bayesian optimisation with Optuna's TPE (multivariate; ``group`` for conditional spaces).

    Expressions map onto Optuna distributions: ``uniform`` -> ``FloatDistribution(min, max)``;
    ``loguniform(a, b)`` -> ``FloatDistribution(exp(a), exp(b), log=True)``; ``quniform`` and
    ``qloguniform`` are suggested continuously on those and then quantized (so values follow
    Azure's ``round(x / q) * q`` exactly); ``randint(n)`` -> ``IntDistribution(0, n - 1)``;
    ``choice`` -> a categorical over option indexes, suggesting only the chosen sub-space's
    parameters (named ``name[i].sub``); the normal family is suggested through its quantile:
    ``u`` uniform in ``(1e-12, 1 - 1e-12)``, value ``mu + sigma * Phi^-1(u)`` (then ``exp`` and
    quantization as the expression says).

    Determinism: the sampler keeps one in-memory Optuna study with the told trials, in told
    order. Each :meth:`ask` gives that study a fresh ``TPESampler`` seeded from
    ``(seed, index)``, asks it, and marks the asked trial failed at once, which TPE ignores;
    so the proposal is a pure function of the seed, the index and the told history, and
    asking never changes what a later ask sees. A told trial is added once, so a sweep of n
    trials costs what TPE itself costs, without copying the history at every ask.

    Results: ``"completed"`` with a finite value -> COMPLETE; ``"completed"`` without a
    finite value and ``"failed"`` -> FAIL (ignored by TPE); ``"early_terminated"`` -> PRUNED,
    with its value (if finite) as the last intermediate value, which TPE ranks below every
    completed trial.

    Args:
        space: The search space.
        seed: Seed; ``None`` draws one, kept in :attr:`seed`.
        goal: ``"maximize"`` or ``"minimize"`` the told values.
        n_startup_trials: Trials proposed at random (by TPE's own random sampler) before TPE
            models the completed ones.

    Raises:
        SearchSpaceError: ``n_startup_trials`` is not a non-negative integer.

    Example:
        >>> from search_spaces import SearchSpace, uniform
        >>> sampler = BayesianSampler(SearchSpace({"x": uniform(-1, 1)}), seed=0, goal="minimize")
        >>> params = sampler.ask(0)
        >>> sampler.tell(0, params, params["x"] ** 2)
    """

    def __init__(
        self,
        space: SearchSpace | Mapping[str, Any],
        *,
        seed: int | None = None,
        goal: Goal = "maximize",
        n_startup_trials: int = 10,
    ) -> None:
        super().__init__(space, seed=seed, goal=goal)
        self._n_startup_trials = check_index("n_startup_trials", n_startup_trials)
        try:
            import optuna  # noqa: F401  (fail at construction, not at the first ask)
        except ImportError as error:  # pragma: no cover - optuna is a core dependency
            raise ImportError(
                "BayesianSampler needs optuna: pip install 'openaml' (or pip install optuna)"
            ) from error
        self._study: Any = None  # an optuna Study holding the told trials, made on first use
        self._told_count = 0
        self._told_indexes: set[int] = set()

    @property
    def n_startup_trials(self) -> int:
        """Trials proposed at random before TPE takes over."""
        return self._n_startup_trials

    def ask(self, index: int) -> dict[str, Any]:
        """The parameters for trial ``index``, from TPE over the told trials."""
        index = self._check_ask(index)
        import numpy as np
        import optuna

        # A per-index seed makes the proposal independent of earlier asks.
        trial_seed = int(np.random.SeedSequence([self.seed, index]).generate_state(1)[0])
        with _quiet_optuna():
            study = self._history()
            study.sampler = optuna.samplers.TPESampler(
                seed=trial_seed,
                n_startup_trials=self._n_startup_trials,
                multivariate=True,
                group=self.space.is_conditional,
            )
            trial = study.ask()
            try:
                return _ask_space(trial, self.space, "")
            finally:
                # A failed trial is invisible to TPE: the next ask sees only told trials.
                study.tell(trial, state=optuna.trial.TrialState.FAIL)

    def _history(self) -> Any:
        if self._study is None:
            import optuna

            self._study = optuna.create_study(direction=self.goal)
        return self._study

    def tell(
        self,
        index: int,
        params: Mapping[str, Any],
        value: float | None,
        state: TrialState = "completed",
    ) -> None:
        """Record trial ``index``'s outcome; later asks model it.

        Raises:
            SearchSpaceError: Bad arguments, ``index`` told before, or ``params`` not inside
                the search space (e.g. history from an experiment with another space).
        """
        self._check_tell(index, params, value, state)
        if index in self._told_indexes:
            raise SearchSpaceError(f"trial {index} was already told; each trial is told once")
        if not self.space.contains(params):
            raise SearchSpaceError(
                f"`params` of trial {index} are not inside the search space, got "
                f"{describe(dict(params))}; was the search space changed?"
            )
        with _quiet_optuna():
            self._history().add_trial(self._frozen_trial(params, usable_value(value), state))
        self._told_count += 1
        self._told_indexes.add(index)

    def __repr__(self) -> str:
        return (
            f"BayesianSampler(seed={self.seed}, goal={self.goal!r}, "
            f"n_startup_trials={self._n_startup_trials}, told={self._told_count})"
        )

    def _frozen_trial(
        self, params: Mapping[str, Any], value: float | None, state: TrialState
    ) -> Any:
        from optuna.trial import TrialState as OptunaState
        from optuna.trial import create_trial

        encoded: dict[str, tuple[Any, Any]] = {}
        _encode_space(self.space, params, "", encoded)
        optuna_params = {name: pair[0] for name, pair in encoded.items()}
        distributions = {name: pair[1] for name, pair in encoded.items()}
        if state == "completed" and value is not None:
            return create_trial(
                state=OptunaState.COMPLETE,
                value=value,
                params=optuna_params,
                distributions=distributions,
            )
        if state == "early_terminated":
            return create_trial(
                state=OptunaState.PRUNED,
                params=optuna_params,
                distributions=distributions,
                intermediate_values={} if value is None else {0: value},
            )
        return create_trial(
            state=OptunaState.FAIL, params=optuna_params, distributions=distributions
        )
