"""``ForecastSearcher``: the forecasting portfolio first, then Bayesian optimisation.

Children are proposed as ``{"learner": <model>, "hyperparameters": {...}}`` (see
:mod:`._models` for the names and the hyperparameters of a global regressor):

1. **Portfolio**: every model's default configurations, statistical forecasters, global
   regressors and the TCN alike, cheapest first by counted cost (:func:`._models.model_cost`,
   in rounds: round r holds each model's r-th default). One order across the families: on a
   big panel a global regressor costs less than ETS or Theta fitted per series (m4_hourly:
   LightGBM ~2e9, Theta ~1e10, ETS ~1e11, AutoArima ~3e12), and with the statistical models
   first a 300 s budget ran out before any regressor was tried.
2. **Bayesian**: Optuna TPE (:class:`search_spaces.BayesianSampler`) over a ``choice`` of the
   models' spaces (a global regressor's holds the forecaster's settings and the learner's
   space); every finished child, the portfolio's included, is told to it. Statistical models
   have small spaces (Naive has none), so TPE often proposes what was tried already: a
   proposal equal to a portfolio child or a told child is asked again with a salted index
   (TPE, then random sampling over the whole space), up to :data:`RETRIES` times, and taken
   as it is after that.

3. **VotingEnsemble** (``voting_ensemble``): the last child, greedy ensemble selection over
   the rolling-origin forecasts of the best completed children (:mod:`._ensemble`). It takes
   the last index before ``max_trials``, once every earlier child is told (so the same seed
   gives the same ensemble), or is asked as soon as the search closes (deadline, exit score,
   early stopping) over the children completed by then; running children are then stopped
   (:meth:`ForecastSearcher.preempt`) so that it is not kept out of the budget. The deadline
   only makes room for the ensemble: while fewer than two children have completed, the
   search goes on past it (until the experiment's timeout), and the ensemble is asked as soon
   as there are two.

The search ends at the trial limit, the deadline, the exit score, or (``early_stopping``)
after 20 children past the portfolio without improvement. Deterministic: the proposal for a
trial index depends only on the seed, the index and the outcomes told before it (in index
order).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trials import Searcher, TrialOutcome, TrialRequest

if TYPE_CHECKING:
    from automl.tasks.forecasting._models import GlobalSettings, PanelSize
    from search_spaces import BayesianSampler, Sampler, SearchSpace
    from trials.executors import Resources

__all__ = ["ForecastSearchEnd", "ForecastSearcher"]

_LEARNER_KEY = "learner"
_MODEL = "model"
_NO_IMPROVEMENT_WINDOW = 20
RETRIES = 8
"""Proposals tried per trial before a repeated configuration is accepted."""
_SALT = 1_000_003
MAX_ENSEMBLE_CANDIDATES = 20
"""The best completed children an ensemble selects from."""


@dataclass(frozen=True)
class ForecastSearchEnd:
    """When the search closes, and whether a VotingEnsemble ends it.

    Attributes:
        max_trials: The trial-count limit; the ensemble takes the last index.
        voting_ensemble: Ask a VotingEnsemble child at the end (Azure's
            ``enable_voting_ensemble``).
        exit_score: Stop once a child reaches this value of the primary metric.
        early_stopping: Stop once the best score has not improved for 20 children after the
            portfolio (Azure's ``enable_early_stopping``).
        deadline: ``time.monotonic()`` value after which no search child is asked (the
            ensemble is asked then, over the children completed by then).
    """

    max_trials: int | None = None
    voting_ensemble: bool = False
    exit_score: float | None = None
    early_stopping: bool = False
    deadline: float | None = None


class ForecastSearcher(Searcher):
    """Proposes forecasting children: the portfolio, then TPE with a model choice.

    Args:
        models: The model names to search (from :func:`._models.plan_models`).
        size: The size of a fold's training panel.
        settings: The global regressors' settings.
        primary_metric: The metric children are ranked by.
        goal: ``"maximize"`` or ``"minimize"`` (of ``primary_metric``).
        seed: Seed of the Bayesian phase.
        definition: More of what defines the search (config, data fingerprint).
        end: When the search closes.

    Example:
        >>> from automl.tasks.forecasting._models import GlobalSettings, PanelSize
        >>> searcher = ForecastSearcher(["Naive", "Theta"], PanelSize(3, 180, 6, 12),
        ...     GlobalSettings(), "normalized_root_mean_squared_error", "minimize", seed=0)
        >>> searcher.ask(0).params
        {'learner': 'Naive', 'hyperparameters': {}}
    """

    def __init__(
        self,
        models: Sequence[str],
        size: PanelSize,
        settings: GlobalSettings,
        primary_metric: str,
        goal: str,
        *,
        seed: int,
        definition: Mapping[str, Any] | None = None,
        end: ForecastSearchEnd | None = None,
        gpu_resources: Resources | None = None,
    ) -> None:
        from automl.tasks.forecasting._models import model_space

        if not models:
            raise ValueError("`models` must name at least one forecasting model, got none")
        self._models = list(dict.fromkeys(models))
        self._size = size
        self._settings = settings
        self._metric = primary_metric
        self._goal = goal
        self._seed = seed
        self._definition = dict(definition or {})
        self._end = end or ForecastSearchEnd()
        self._gpu_resources = gpu_resources
        self._spaces = {name: model_space(name, size, settings) for name in self._models}
        self._portfolio = self._build_portfolio()
        self._sampler: BayesianSampler | None = None
        self._random: Sampler | None = None
        self._tried = {_config_key(name, config) for name, config in self._portfolio}
        self._told: list[tuple[int, dict[str, Any], float | None, str]] = []
        self._scores: dict[int, float] = {}
        self._runs: dict[int, tuple[str, str]] = {}
        self._told_indexes: set[int] = set()
        self._best_index: int | None = None
        self._closed = False
        self._ensemble_asked = False
        self._ensemble_index: int | None = None

    def _build_portfolio(self) -> list[tuple[str, dict[str, Any]]]:
        from automl.tasks.forecasting._models import model_cost, model_defaults

        ordered: list[tuple[str, dict[str, Any]]] = []
        configs = {name: model_defaults(name, self._size, self._settings) for name in self._models}
        rounds = max((len(found) for found in configs.values()), default=0)
        for position in range(rounds):
            this_round = [
                (model_cost(name, found[position], self._size, self._settings), name,
                 found[position])
                for name, found in configs.items()
                if position < len(found)
            ]  # fmt: skip
            this_round.sort(key=lambda item: (item[0], item[1]))
            ordered.extend((name, config) for _, name, config in this_round)
        return ordered

    @property
    def portfolio_size(self) -> int:
        """Number of portfolio children (asked first)."""
        return len(self._portfolio)

    def _score(self, value: float) -> float:
        """``value`` as higher-is-better (minimised metrics negated)."""
        return value if self._goal == "maximize" else -value

    def _closing(self) -> bool:
        return self._past_deadline() or self._done()

    def _past_deadline(self) -> bool:
        deadline = self._end.deadline
        return deadline is not None and time.monotonic() >= deadline

    def _done(self) -> bool:
        """The exit score is reached, or (early stopping) no improvement for a while."""
        end = self._end
        if self._best_index is None:
            return False
        best = self._scores[self._best_index]
        if end.exit_score is not None and best >= self._score(end.exit_score):
            return True
        if end.early_stopping:
            since = [
                i for i in self._told_indexes if i >= len(self._portfolio) and i > self._best_index
            ]
            return len(since) >= _NO_IMPROVEMENT_WINDOW
        return False

    def run_ids(self, indexes: Sequence[int]) -> list[tuple[str, str]]:
        """``(run id, model name)`` of the completed children at ``indexes``."""
        return [self._runs[i] for i in indexes if i in self._runs]

    def _wants_ensemble(self) -> bool:
        return self._end.voting_ensemble and not self._ensemble_asked

    def _ensemble(self) -> TrialRequest | None:
        """A VotingEnsemble over the best completed children (None: fewer than two)."""
        from automl.tasks.forecasting._ensemble import ENSEMBLE_KEY, MEMBERS_KEY, VOTING

        ranked = sorted(self._scores.items(), key=lambda item: (-item[1], item[0]))
        members = [i for i, _ in ranked[:MAX_ENSEMBLE_CANDIDATES]]
        if len(members) < 2:
            return None
        params = {ENSEMBLE_KEY: VOTING, MEMBERS_KEY: members}
        return TrialRequest(params, tags={"learner": VOTING, "phase": "ensemble"}, kind="ensemble")

    def ask(self, index: int) -> TrialRequest | None:
        """A portfolio child, then a TPE proposal, the VotingEnsemble last; None once the
        search closes."""
        if self._closed:
            return None
        done, late = self._done(), self._past_deadline()
        closing = done or late
        limit = self._end.max_trials
        if self._wants_ensemble() and (closing or (limit is not None and index >= limit - 1)):
            running = [i for i in range(index) if i not in self._told_indexes]
            if not closing and running:
                return None  # asked again once every running child is told
            request = self._ensemble()
            if request is not None:
                self._ensemble_asked = True
                self._ensemble_index = index
                self._closed = closing
                return request
            if done and running:
                return None  # asked again once they are told: they may make two children
            if late and not done:
                late = False  # the deadline makes room for an ensemble there cannot be yet
        if done or late:
            self._closed = True
            return None
        if index < len(self._portfolio):
            name, config = self._portfolio[index]
            return self._request(name, config, "portfolio")
        name, config = self._propose(index)
        return self._request(name, config, "bayesian")

    def _propose(self, index: int) -> tuple[str, dict[str, Any]]:
        """A TPE proposal not tried yet (see the module docstring)."""
        first: tuple[str, dict[str, Any]] | None = None
        for attempt in range(RETRIES):
            salted = index + attempt * _SALT
            sampler = self._bayesian() if attempt < RETRIES // 2 else self._random_sampler()
            proposal = dict(sampler.ask(salted)[_MODEL])
            name = str(proposal.pop(_LEARNER_KEY))
            if first is None:
                first = (name, proposal)
            if _config_key(name, proposal) not in self._tried:
                return name, proposal
        assert first is not None  # RETRIES >= 1
        return first

    def _space(self) -> SearchSpace:
        from search_spaces import SearchSpace, choice

        return SearchSpace({_MODEL: choice(*(self._spaces[name] for name in self._models))})

    def _random_sampler(self) -> Sampler:
        if self._random is None:
            from search_spaces import RandomSampler

            self._random = RandomSampler(self._space(), seed=self._seed)
        return self._random

    def _request(self, name: str, config: Mapping[str, Any], phase: str) -> TrialRequest:
        from automl.tasks.forecasting._models import NEURAL

        params = {_LEARNER_KEY: name, "hyperparameters": dict(config)}
        resources = self._gpu_resources if name in NEURAL else None
        return TrialRequest(params, resources, tags={"learner": name, "phase": phase})

    def _bayesian(self) -> BayesianSampler:
        if self._sampler is None:
            from search_spaces import BayesianSampler

            self._sampler = BayesianSampler(self._space(), seed=self._seed, goal="maximize")
            for told in self._told:
                self._tell_sampler(self._sampler, *told)
        return self._sampler

    def preempt(self, running: Sequence[int]) -> tuple[list[int], str]:
        """Once the search closes with the ensemble still to ask (and two completed children
        to build it from), stop the running search children: they would hold every slot past
        the deadline, keeping the ensemble out."""
        if not self._wants_ensemble() or len(self._scores) < 2 or not self._closing():
            return [], ""  # nothing to make room for: an ensemble needs two children
        children = [index for index in running if index != self._ensemble_index]
        return children, "stopped at the search deadline to make room for the ensemble"

    def tell(self, outcome: TrialOutcome) -> None:
        """Record the child's score and tell the Bayesian phase (higher is better)."""
        from automl.tasks.forecasting._ensemble import ENSEMBLE_KEY

        self._told_indexes.add(outcome.index)
        if ENSEMBLE_KEY in outcome.params:  # also when a resumed experiment replays it
            self._ensemble_asked = True
            return
        name = outcome.params.get(_LEARNER_KEY)
        if name not in self._spaces:
            return
        config = dict(outcome.params.get("hyperparameters") or {})
        self._tried.add(_config_key(str(name), config))
        params = {_LEARNER_KEY: name, **config}
        value = outcome.value(self._metric)
        score = None if value is None else self._score(value)
        if outcome.status == "completed" and score is not None and math.isfinite(score):
            self._scores[outcome.index] = score
            self._runs[outcome.index] = (outcome.run_id, str(name))
            best = self._best_index
            if best is None or score > self._scores[best]:
                self._best_index = outcome.index
        state = {"completed": "completed", "early_terminated": "early_terminated"}.get(
            outcome.status, "failed"
        )
        told = (outcome.index, params, score, state)
        self._told.append(told)
        if self._sampler is not None:
            self._tell_sampler(self._sampler, *told)

    @staticmethod
    def _tell_sampler(
        sampler: BayesianSampler,
        index: int,
        params: dict[str, Any],
        score: float | None,
        state: str,
    ) -> None:
        usable = score if score is not None and math.isfinite(score) else None
        checked = "failed" if state == "completed" and usable is None else state
        sampler.tell(index, {_MODEL: params}, usable, checked)  # type: ignore[arg-type]

    def config(self) -> dict[str, Any]:
        """Metric, seed, the models and the portfolio (the search's definition)."""
        return {
            "type": "automl-forecasting",
            "definition": self._definition,
            "primary_metric": self._metric,
            "seed": self._seed,
            "models": list(self._models),
            "voting_ensemble": self._end.voting_ensemble,
            "portfolio": [
                {_LEARNER_KEY: name, "hyperparameters": config} for name, config in self._portfolio
            ],
        }

    def __repr__(self) -> str:
        return (
            f"ForecastSearcher(models={self._models}, primary_metric={self._metric!r}, "
            f"seed={self._seed})"
        )


def _config_key(name: str, config: Mapping[str, Any]) -> str:
    """A child's identity: its model and hyperparameters, as canonical JSON."""
    import json

    return json.dumps({_LEARNER_KEY: name, **config}, sort_keys=True, default=str)
