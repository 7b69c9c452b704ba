"""The searcher's entry point: :func:`build_ensembles`, its candidates, and :func:`is_better`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from automl.ensembles._data import ChildPredictions, EnsembleData
from automl.ensembles._models import StackEnsembleModel, VotingEnsembleModel
from automl.ensembles._selection import VotingSettings, select_voting
from automl.ensembles._stacking import StackSettings, fit_stack
from automl.metrics import score_for_search

__all__ = ["EnsembleCandidate", "EnsembleKind", "build_ensembles", "is_better"]

EnsembleKind: TypeAlias = Literal["VotingEnsemble", "StackEnsemble"]


def is_better(metric: str, a: float, b: float) -> bool:
    """Whether value ``a`` of ``metric`` is strictly better than ``b`` (by the metric's goal).

    NaN is worse than any number, so a NaN ``a`` is never better.

    Example:
        >>> is_better("log_loss", 0.2, 0.3), is_better("accuracy", 0.2, 0.3)
        (True, False)
    """
    return score_for_search(metric, a) > score_for_search(metric, b)


@dataclass(frozen=True, eq=False)
class EnsembleCandidate:
    """An ensemble proposed from out-of-fold predictions, to be assembled from fitted children.

    Attributes:
        kind: ``"VotingEnsemble"`` or ``"StackEnsemble"`` (Azure's names).
        member_run_ids: Run ids of the members (voting: positive weight; stack: base
            learners, best first).
        weights: The voting weights, one per member, summing to 1; None for a stack.
        oof_score: The ensemble's metric value on the out-of-fold rows. Voting: the rows the
            weights were selected on (as in Azure and AutoGluon, slightly optimistic).
            Stack: out of fold for the meta-learner too (honest).
        best_child_run_id: The best child on the same rows.
        best_child_score: Its value, scored the same way as ``oof_score`` (compare these two).
        task: The task.
        metric: The metric of both scores.
        classes: The class labels (classification), else None.
        trajectory: Voting: the metric value after each selection step.
        meta_learner_type: Stack: Azure's name of the meta-learner.
        meta_learner_kwargs: Stack: the meta-learner's constructor arguments.
        meta_learner: Stack: the meta-learner fitted on every out-of-fold row.
        oof_predictions: Stack: its out-of-fold predictions in the input row order,
            ``(n_rows, n_classes)`` probabilities or ``(n_rows,)`` values.
        oof_rows: Stack: the input rows those predictions cover (None: every row).
    """

    kind: EnsembleKind
    member_run_ids: tuple[str, ...]
    weights: tuple[float, ...] | None
    oof_score: float
    best_child_run_id: str
    best_child_score: float
    task: str
    metric: str
    classes: tuple[Any, ...] | None
    trajectory: tuple[float, ...] = ()
    meta_learner_type: str | None = None
    meta_learner_kwargs: Mapping[str, Any] = field(default_factory=dict)
    meta_learner: Any = None
    oof_predictions: Any = None
    oof_rows: Any = None

    @property
    def beats_best_child(self) -> bool:
        """Whether ``oof_score`` is strictly better than ``best_child_score``."""
        return is_better(self.metric, self.oof_score, self.best_child_score)

    def build_model(self, members: Mapping[str, Any]) -> VotingEnsembleModel | StackEnsembleModel:
        """Assemble the ensemble from fitted children, looked up by run id.

        The children should be refitted the way the best child is (same data); the stack's
        meta-learner stays the one trained on the out-of-fold predictions (Azure does so).

        Raises:
            ValueError: A member's run id is missing from ``members``.
        """
        missing = [run_id for run_id in self.member_run_ids if run_id not in members]
        if missing:
            raise ValueError(
                f"`members` must hold a fitted model for every member, missing {missing}"
            )
        fitted = [members[run_id] for run_id in self.member_run_ids]
        if self.kind == "VotingEnsemble":
            return VotingEnsembleModel(fitted, self.weights or (), self.classes, self.task)
        return StackEnsembleModel(fitted, self.meta_learner, self.classes, self.task)


def build_ensembles(
    children_oof: Sequence[ChildPredictions],
    y: ArrayLike,
    *,
    task: str,
    metric: str,
    classes: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
    seed: int = 0,
    enable_voting: bool = True,
    enable_stack: bool = False,
    voting: VotingSettings | None = None,
    stack: StackSettings | None = None,
    folds: ArrayLike | None = None,
    y_range: tuple[float, float] | None = None,
    positive_label: Any = None,
) -> list[EnsembleCandidate]:
    """Build the voting and/or stack ensemble candidates from the children's predictions.

    The caller keeps an ensemble only when ``candidate.beats_best_child`` (or
    :func:`is_better` against its own best score), then assembles it with
    :meth:`EnsembleCandidate.build_model`.

    Args:
        children_oof: Each child's out-of-fold predictions on the same rows.
        y: True labels or values of those rows.
        task: ``"classification"``, ``"regression"`` or ``"forecasting"``.
        metric: The primary metric (any scalar metric of ``task``).
        classes: Every class label, in the order of the probability columns.
        sample_weight: Row weights.
        seed: Seed of the bags and of the stack's meta folds and meta-learner.
        enable_voting: Build the VotingEnsemble (Azure's ``enable_voting_ensemble``).
        enable_stack: Build the StackEnsemble (Azure's ``enable_stack_ensemble``).
        voting: Voting settings (:class:`VotingSettings`).
        stack: Stack settings (:class:`StackSettings`).
        folds: Fold id per row when the rows come from k-fold CV (scores are fold means).
        y_range: ``(y_min, y_max)`` of the training target (normalized regression metrics).
        positive_label: The positive class of the ``*_binary`` metrics.

    Returns:
        The candidates, voting first.

    Example:
        >>> import numpy as np
        >>> y = np.array([0, 1, 1, 0])
        >>> children = [
        ...     ChildPredictions("run_1", "LightGBM", 0.75, np.array([0.2, 0.9, 0.4, 0.45])),
        ...     ChildPredictions("run_2", "XGBoost", 0.75, np.array([0.45, 0.4, 0.9, 0.2])),
        ... ]
        >>> [voting] = build_ensembles(children, y, task="classification", metric="accuracy",
        ...                            classes=[0, 1], seed=0)
        >>> voting.member_run_ids, voting.weights, voting.oof_score, voting.beats_best_child
        (('run_1', 'run_2'), (0.5, 0.5), 1.0, True)
    """
    data = EnsembleData.build(
        children_oof,
        y,
        task=task,
        metric=metric,
        classes=classes,
        sample_weight=sample_weight,
        folds=folds,
        y_range=y_range,
        positive_label=positive_label,
    )
    run_ids = [child.run_id for child in data.children]
    labels = None if data.classes is None else tuple(data.classes.tolist())
    candidates: list[EnsembleCandidate] = []
    if enable_voting:
        result = select_voting(data, voting, seed=seed)
        members = result.members
        candidates.append(
            EnsembleCandidate(
                kind="VotingEnsemble",
                member_run_ids=tuple(run_ids[j] for j in members),
                weights=tuple(result.weights[j] for j in members),
                oof_score=result.score,
                best_child_run_id=run_ids[result.best_child],
                best_child_score=result.child_scores[result.best_child],
                task=data.task,
                metric=data.metric,
                classes=labels,
                trajectory=result.trajectory,
            )
        )
    if enable_stack:
        stacked = fit_stack(data, stack, seed=seed)
        candidates.append(
            EnsembleCandidate(
                kind="StackEnsemble",
                member_run_ids=tuple(run_ids[j] for j in stacked.members),
                weights=None,
                oof_score=stacked.score,
                best_child_run_id=run_ids[stacked.best_child],
                best_child_score=stacked.baseline_score,
                meta_learner_type=stacked.meta_learner_type,
                meta_learner_kwargs=stacked.meta_learner_kwargs,
                meta_learner=stacked.meta_learner,
                oof_predictions=_input_layout(data, stacked.predictions),
                oof_rows=_input_rows(data, stacked.scored_rows),
                task=data.task,
                metric=data.metric,
                classes=labels,
            )
        )
    return candidates


def _input_layout(data: EnsembleData, predictions: Any) -> Any:
    """Internal-layout predictions back in the input row order (rows x classes)."""
    if predictions is None:
        return None
    values = np.asarray(predictions, dtype=np.float64)
    values = values.T if data.is_classification else values
    if data.order is None:
        return values
    out = np.empty_like(values)
    out[data.order] = values
    return out


def _input_rows(data: EnsembleData, rows: Any) -> Any:
    """Internal row indexes as sorted input row indexes (None stays None: every row)."""
    if rows is None:
        return None
    indexes = np.asarray(rows, dtype=np.intp)
    return np.sort(indexes if data.order is None else data.order[indexes])
