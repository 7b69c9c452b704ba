"""What a sweep (any controller run) returns: the best trial, counts, the leaderboard."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from trials._searcher import Objective

if TYPE_CHECKING:
    import pandas as pd

    from trials.store import ModelVersion, Workspace

__all__ = ["BestTrial", "SweepResult"]


@dataclass(frozen=True)
class BestTrial:
    """The completed trial with the best final value of the primary metric.

    Attributes:
        run_id: Its run in the store.
        index: Its trial index.
        params: The parameters it ran with.
        metrics: Its final metrics.
    """

    run_id: str
    index: int
    params: dict[str, Any]
    metrics: dict[str, float]


class SweepResult:
    """The outcome of a sweep: where it is stored, how it ended, and its best trial.

    The leaderboard is read from the store when first asked for, so the workspace must
    still be open then.

    Attributes:
        experiment_name: The experiment's name (pass it again to resume or extend it).
        parent_run_id: The parent run of the trials.
        status: How the parent run ended: ``completed`` or ``canceled``.
        status_reason: Why (``"reached max_total_trials=20"``, ``"experiment timeout of
            60 s reached"``, ``"canceled by the user (Ctrl-C)"``, ...).
        best_trial: The best completed trial, or None when no completed trial has a
            finite value of the primary metric.
        status_counts: Trials by final status, over every session of the experiment.
        workspace: The workspace holding the experiment.
    """

    def __init__(
        self,
        *,
        workspace: Workspace,
        experiment_name: str,
        parent_run_id: str,
        status: str,
        status_reason: str | None,
        objective: Objective,
        best_trial: BestTrial | None,
        status_counts: Mapping[str, int],
    ) -> None:
        self.workspace = workspace
        self.experiment_name = experiment_name
        self.parent_run_id = parent_run_id
        self.status = status
        self.status_reason = status_reason
        self.best_trial = best_trial
        self.status_counts = dict(status_counts)
        self._objective = objective
        self._leaderboard: pd.DataFrame | None = None

    @property
    def primary_metric(self) -> str:
        """The metric trials are ranked by."""
        return self._objective.primary_metric

    @property
    def goal(self) -> str:
        """``"maximize"`` or ``"minimize"``."""
        return self._objective.goal

    @property
    def n_trials(self) -> int:
        """Number of trials of the experiment (every session, every status)."""
        return sum(self.status_counts.values())

    @property
    def leaderboard(self) -> pd.DataFrame:
        """One row per trial, best first (read from the store on first access).

        Columns as :meth:`Workspace.leaderboard`: run_id, index, kind, status,
        status_reason, duration_seconds, the final metrics (primary first), then the
        flattened parameters. Run records superseded by a rerun (status ``interrupted``)
        are left out.
        """
        if self._leaderboard is None:
            board = self.workspace.leaderboard(
                self.experiment_name,
                self._objective.primary_metric,
                self._objective.goal,
                parent_id=self.parent_run_id,
            )
            kept = board[board["status"] != "interrupted"]
            self._leaderboard = kept.reset_index(drop=True)
        return self._leaderboard

    def register_best_model(
        self,
        name: str,
        path: str | os.PathLike[str],
        *,
        tags: Mapping[str, Any] | None = None,
        description: str | None = None,
        code_dir: str | os.PathLike[str] | None = None,
        data_fingerprint: str | None = None,
        extra_lineage: Mapping[str, Any] | None = None,
    ) -> ModelVersion:
        """Register the model file or folder at ``path`` as made by the best trial.

        The lineage records the best trial's run (experiment, parameters, final metrics)
        plus what is given here (see :meth:`ModelRegistry.register`).

        Args:
            name: Model name.
            path: The model file or folder (e.g. one the best trial saved).
            tags: Initial tags of the version.
            description: Free text.
            code_dir: Folder whose git commit goes into the lineage.
            data_fingerprint: Fingerprint of the training data.
            extra_lineage: More provenance, JSON-able.

        Returns:
            The new model version.

        Raises:
            ValueError: No completed trial has a value of the primary metric.
        """
        if self.best_trial is None:
            raise ValueError(
                f"no completed trial of experiment {self.experiment_name!r} has a value of "
                f"`{self.primary_metric}`, so there is no best trial to register a model for; "
                "check that trials report or return that metric"
            )
        return self.workspace.models.register(
            name,
            path,
            run_id=self.best_trial.run_id,
            tags=tags,
            description=description,
            code_dir=code_dir,
            data_fingerprint=data_fingerprint,
            extra_lineage=extra_lineage,
        )

    def __repr__(self) -> str:
        best = (
            "none"
            if self.best_trial is None
            else f"trial {self.best_trial.index} "
            f"{self.primary_metric}={self.best_trial.metrics.get(self.primary_metric)!r}"
        )
        return (
            f"SweepResult(experiment_name={self.experiment_name!r}, status={self.status!r}, "
            f"trials={self.status_counts}, best={best})"
        )
