"""``AutoMLSearcher``: portfolio first, then Bayesian optimisation with a learner choice.

Children are proposed as ``{"learner": name, "hyperparameters": {...}}``:

1. **Portfolio**: every learner's strong default configurations (moved into the space for
   this data size), in rounds: round r holds the r-th configuration of each learner, ordered
   by the learners' counted cost (cheapest first), so each learner's top default comes early.
2. **Bayesian**: Optuna TPE (:class:`search_spaces.BayesianSampler`) over a conditional
   space, a ``choice`` of the learners' sub-spaces; every finished child (portfolio ones
   included) is told to it, as a higher-is-better score.

Deterministic: the proposal for a trial index is a function of the seed, the index and the
outcomes told so far (told in index order by the controller).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trials import Searcher, TrialOutcome, TrialRequest

if TYPE_CHECKING:
    from automl.learners import Learner
    from search_spaces import BayesianSampler
    from trials.executors import Resources

__all__ = ["ENSEMBLE_KEY", "AutoMLSearcher", "DataShape", "SearchEnd"]

_LEARNER_KEY = "learner"
_MODEL = "model"
ENSEMBLE_KEY = "ensemble"
"""Parameter naming an ensemble child's kind (``"VotingEnsemble"``, ``"StackEnsemble"``)."""
MEMBERS_KEY = "members"
"""Parameter listing an ensemble child's candidate members (trial indexes)."""
_MAX_MEMBERS = 20
_NO_IMPROVEMENT_WINDOW = 20


@dataclass(frozen=True)
class SearchEnd:
    """How the search ends, and which ensembles are its last children.

    Attributes:
        max_trials: The trial-count limit; the ensembles take the last indexes.
        voting_ensemble: Ask a VotingEnsemble child at the end (Azure's
            ``enable_voting_ensemble``).
        stack_ensemble: Ask a StackEnsemble child at the end, after the voting one (Azure's
            ``enable_stack_ensemble``).
        exit_score: Stop once a child reaches this value of the primary metric.
        early_stopping: Stop once the best score has not improved for 20 children after
            the portfolio (Azure's ``enable_early_stopping``).
        deadline: ``time.monotonic()`` value after which the search closes (the ensemble
            is asked once the running children are told); None: no deadline.

    Exit score, early stopping and the deadline depend on what has been told when a child
    is asked, so with them the leaderboard may depend on concurrency and timing.
    """

    max_trials: int | None = None
    voting_ensemble: bool = False
    stack_ensemble: bool = False
    exit_score: float | None = None
    early_stopping: bool = False
    deadline: float | None = None


@dataclass(frozen=True)
class DataShape:
    """The size of the data the search is for.

    Attributes:
        n_rows: Training rows of one fold.
        n_features: Width of each input kind (``"native"``, ``"one_hot_scaled"``).
        n_classes: Number of classes (0 for regression).
    """

    n_rows: int
    n_features: Mapping[str, int]
    n_classes: int


class AutoMLSearcher(Searcher):
    """Proposes AutoML children: the learners' portfolios, then TPE with a learner choice.

    Args:
        learners: The learners to search (from ``AutoMLConfig.model_selection()``).
        task: ``"classification"`` or ``"regression"``.
        shape: The size of the data.
        primary_metric: The metric the children are scored by.
        seed: Seed of the Bayesian phase.
        definition: More of what defines the search (the experiment's config and data
            fingerprint), added to :meth:`config`.
        end: When the search closes and which ensembles end it.
        gpu_resources: What a child of a learner that can train on a GPU asks for (its
            ``gpus`` > 0); None: every child takes the controller's default resources.

    Example:
        >>> from automl.learners import get_learner
        >>> searcher = AutoMLSearcher(
        ...     [get_learner("DecisionTree")], "classification",
        ...     DataShape(100, {"native": 3, "one_hot_scaled": 5}, 2), "accuracy", seed=0)
        >>> searcher.ask(0).params["learner"]
        'DecisionTree'
    """

    def __init__(
        self,
        learners: Sequence[Learner],
        task: str,
        shape: DataShape,
        primary_metric: str,
        *,
        seed: int,
        definition: Mapping[str, Any] | None = None,
        end: SearchEnd | None = None,
        gpu_resources: Resources | None = None,
    ) -> None:
        if not learners:
            raise ValueError("`learners` must name at least one learner, got none")
        self._learners = {learner.info.name: learner for learner in learners}
        self._task = task
        self._shape = shape
        self._metric = primary_metric
        self._seed = seed
        self._definition = dict(definition or {})
        self._classes = shape.n_classes if task == "classification" else None
        self._spaces = {
            name: learner.search_space(task, **self._size(learner))
            for name, learner in self._learners.items()
        }
        self._portfolio = self._build_portfolio()
        self._sampler: BayesianSampler | None = None
        self._told: list[tuple[int, dict[str, Any], float | None, str]] = []
        self._end = end or SearchEnd()
        self._gpu_resources = gpu_resources
        # Completed search children: index -> (score, run id, learner).
        self._completed: dict[int, tuple[float, str, str]] = {}
        self._told_indexes: set[int] = set()
        self._best_index: int | None = None
        self._closing_asked = False
        self._ensembles_asked: set[str] = set()
        self._ensemble_indexes: set[int] = set()

    def _size(self, learner: Learner) -> dict[str, Any]:
        width = self._shape.n_features.get(learner.info.input_kind, 1)
        return {
            "n_rows": max(1, self._shape.n_rows),
            "n_features": max(1, width),
            "n_classes": self._classes,
        }

    def _build_portfolio(self) -> list[tuple[str, dict[str, Any]]]:
        configs: dict[str, list[dict[str, Any]]] = {}
        for name, learner in self._learners.items():
            configs[name] = learner.portfolio(self._task, **self._size(learner))
        rounds = max(len(found) for found in configs.values())
        ordered: list[tuple[str, dict[str, Any]]] = []
        for position in range(rounds):
            this_round = [
                (self._learners[name].cost(found[position], **self._size(self._learners[name])),
                 name, found[position])
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

    def run_ids(self, indexes: Sequence[int]) -> list[tuple[str, str]]:
        """``(run id, learner)`` of the completed children at ``indexes``."""
        return [self._completed[i][1:] for i in indexes if i in self._completed]

    def _closing(self) -> bool:
        """Whether the search should end now (deadline, exit score, no improvement)."""
        import math
        import time

        end = self._end
        if end.deadline is not None and time.monotonic() >= end.deadline:
            return True
        if not self._completed or self._best_index is None:
            return False
        best = self._completed[self._best_index][0]
        if end.exit_score is not None:
            from automl.metrics import score_for_search

            if best >= score_for_search(self._metric, end.exit_score):
                return True
        if end.early_stopping and math.isfinite(best):
            told_after_portfolio = [i for i in self._told_indexes if i >= len(self._portfolio)]
            since_best = [i for i in told_after_portfolio if i > self._best_index]
            return len(since_best) >= _NO_IMPROVEMENT_WINDOW
        return False

    @property
    def _ensemble_kinds(self) -> list[str]:
        """The ensembles that end the search, in the order they are asked."""
        end = self._end
        return [
            kind
            for kind, wanted in (
                ("VotingEnsemble", end.voting_ensemble),
                ("StackEnsemble", end.stack_ensemble),
            )
            if wanted
        ]

    def _ensemble(self, kind: str) -> TrialRequest | None:
        """An ensemble over the best completed children (None: fewer than two)."""
        ranked = sorted(self._completed.items(), key=lambda item: (-item[1][0], item[0]))
        members = [i for i, _ in ranked[:_MAX_MEMBERS]]
        if len(members) < 2:
            return None
        params = {ENSEMBLE_KEY: kind, MEMBERS_KEY: members}
        return TrialRequest(params, tags={"learner": kind, "phase": "ensemble"}, kind="ensemble")

    def ask(self, index: int) -> TrialRequest | None:
        """A portfolio child, then a TPE proposal; the ensembles last.

        The ensembles take the last indexes before ``max_trials``, each waiting until every
        earlier child is told (so the same seed gives the same ensembles), or are asked as
        soon as the search closes (deadline, exit score, early stopping), over the children
        completed by then: a long child still running must not keep the ensembles out of
        the budget. Once the closing ensembles are asked nothing more is proposed.
        """
        if self._closing_asked:
            return None
        end = self._end
        kinds = self._ensemble_kinds
        left = [kind for kind in kinds if kind not in self._ensembles_asked]
        final = end.max_trials is not None and index >= end.max_trials - len(left)
        closing = self._closing()
        if left and (final or closing):
            running = [i for i in range(index) if i not in self._told_indexes]
            if not closing and set(running) - self._ensemble_indexes:
                return None  # asked again once every running search child is told
            request = self._ensemble(left[0])
            if request is not None:
                self._ensembles_asked.add(left[0])
                self._ensemble_indexes.add(index)
                self._closing_asked = closing and len(left) == 1
                return request
            if closing:
                self._closing_asked = True
                return None
        elif closing:
            self._closing_asked = True
            return None
        if index < len(self._portfolio):
            name, config = self._portfolio[index]
            return self._request(name, config, "portfolio")
        proposal = self._bayesian().ask(index)[_MODEL]
        name = str(proposal.pop(_LEARNER_KEY))
        return self._request(name, proposal, "bayesian")

    def preempt(self, running: Sequence[int]) -> tuple[list[int], str]:
        """Once the search closes with ensembles still to ask, stop the running search
        children: they would hold every slot past the deadline (and be canceled at the
        timeout), keeping the ensembles out."""
        left = [kind for kind in self._ensemble_kinds if kind not in self._ensembles_asked]
        if not left or not self._closing():
            return [], ""
        children = [index for index in running if index not in self._ensemble_indexes]
        return children, "stopped at the search deadline to make room for the ensembles"

    def uses_gpu(self, learner: str) -> bool:
        """Whether children of ``learner`` are given a GPU (and train on it)."""
        return self._gpu_resources is not None and self._learners[learner].info.supports_gpu

    def _request(self, name: str, config: Mapping[str, Any], phase: str) -> TrialRequest:
        params = {_LEARNER_KEY: name, "hyperparameters": dict(config)}
        resources = self._gpu_resources if self.uses_gpu(name) else None
        return TrialRequest(params, resources, tags={"learner": name, "phase": phase})

    def _bayesian(self) -> BayesianSampler:
        if self._sampler is None:
            from search_spaces import BayesianSampler, SearchSpace, choice

            options = [{_LEARNER_KEY: name, **dict(self._spaces[name])} for name in self._learners]
            space = SearchSpace({_MODEL: choice(*options)})
            self._sampler = BayesianSampler(space, seed=self._seed, goal="maximize")
            for told in self._told:
                self._tell_sampler(self._sampler, *told)
        return self._sampler

    def tell(self, outcome: TrialOutcome) -> None:
        """Tell the Bayesian phase the child's score (higher is better)."""
        import math

        from automl.metrics import score_for_search

        self._told_indexes.add(outcome.index)
        kind = outcome.params.get(ENSEMBLE_KEY)
        if kind is not None:  # also when a resumed experiment replays its children
            self._ensembles_asked.add(str(kind))
        name = outcome.params.get(_LEARNER_KEY)
        if name not in self._learners:
            return
        params = {_LEARNER_KEY: name, **dict(outcome.params.get("hyperparameters") or {})}
        value = outcome.value(self._metric)
        score = None if value is None else score_for_search(self._metric, value)
        if outcome.status == "completed" and score is not None and math.isfinite(score):
            self._completed[outcome.index] = (score, outcome.run_id, str(name))
            best = self._best_index
            if best is None or score > self._completed[best][0]:
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
        import math

        usable = score if score is not None and math.isfinite(score) else None
        checked = "failed" if state == "completed" and usable is None else state
        sampler.tell(index, {_MODEL: params}, usable, checked)  # type: ignore[arg-type]

    def config(self) -> dict[str, Any]:
        """Task, metric, seed, the learners and the portfolio (the search's definition)."""
        return {
            "type": "automl",
            "definition": self._definition,
            "task": self._task,
            "primary_metric": self._metric,
            "seed": self._seed,
            "learners": list(self._learners),
            "voting_ensemble": self._end.voting_ensemble,
            "stack_ensemble": self._end.stack_ensemble,
            "portfolio": [
                {_LEARNER_KEY: name, "hyperparameters": config} for name, config in self._portfolio
            ],
        }

    def __repr__(self) -> str:
        return (
            f"AutoMLSearcher(learners={list(self._learners)}, task={self._task!r}, "
            f"primary_metric={self._metric!r}, seed={self._seed})"
        )
