"""``AutoMLResult``: what ``AutoMLConfig(...).fit()`` returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from automl._explain import Explanation
    from automl._pipeline import AutoMLPipeline
    from automl.tasks.forecasting import ForecastingPipeline
    from featurization import GuardrailReport
    from trials import ModelVersion, Run, SweepResult, Workspace

__all__ = ["AutoMLResult", "leaderboard_frame"]


@dataclass(frozen=True, eq=False)
class AutoMLResult:
    """The outcome of an AutoML experiment.

    Attributes:
        experiment_name: Pass it again as ``experiment_name`` to resume or extend the run.
        parent_run_id: The experiment's parent run.
        status: How the search ended (``completed``, ``canceled``).
        status_reason: Why (``"reached max_total_trials=20"``, the timeout, ...).
        primary_metric: The metric children are ranked by.
        best_model: The refitted pipeline (raw DataFrame in, predictions out; a
            ``ForecastingPipeline`` for forecasting), or None when no child completed.
        best_run: The child run of the best model (None when no child completed).
        best_score: Its out-of-fold value of the primary metric.
        leaderboard: One row per child, best first: run_id, index, algorithm,
            hyperparameters, status, status_reason, duration_seconds, every metric.
        guardrails: The data-guardrail report.
        featurization_summary: Per raw column, Azure's featurization summary.
        validation: How the children were validated (a sentence).
        dropped_rows: Rows dropped for a missing label.
        data_fingerprint: Content hash of the training data.
        registered_model_name: Name of the registered model (None if none).
        registered_model_version: Its version.
        model_version: The registry record.
        skipped_models: Learners left out of the search, with the reason.
        test_scores: Every metric of the best model on the test data (``test_data`` or
            ``test_size``); empty without test data.
        explanation: Permutation importances of the best model (``model_explainability``),
            or None; ``explanation_note`` says why when it was skipped.
        workspace: The workspace holding the experiment.
    """

    experiment_name: str
    parent_run_id: str
    status: str
    status_reason: str | None
    primary_metric: str
    best_model: AutoMLPipeline | ForecastingPipeline | None
    best_run: Run | None
    best_score: float | None
    leaderboard: pd.DataFrame
    guardrails: GuardrailReport
    featurization_summary: list[dict[str, Any]]
    validation: str
    dropped_rows: int
    data_fingerprint: str
    registered_model_name: str | None = None
    registered_model_version: int | None = None
    model_version: ModelVersion | None = None
    skipped_models: Mapping[str, str] = field(default_factory=dict)
    test_scores: Mapping[str, float] = field(default_factory=dict)
    explanation: Explanation | None = None
    explanation_note: str | None = None
    workspace: Workspace | None = None
    sweep: SweepResult | None = None

    @property
    def feature_importances(self) -> pd.DataFrame | None:
        """Raw and engineered permutation importances of the best model, most important
        first (None without an explanation)."""
        return None if self.explanation is None else self.explanation.to_frame()

    def get_output(self) -> tuple[Run | None, AutoMLPipeline | ForecastingPipeline | None]:
        """``(best_run, best_model)``, as Azure's ``AutoMLRun.get_output()``."""
        return self.best_run, self.best_model

    def plot_forecast(
        self,
        series_id: object = None,
        X_future: Any = None,
        *,
        quantiles: Sequence[float] | None = None,
        X_recent: Any = None,
        y_recent: Any = None,
        ax: Any = None,
    ) -> Any:
        """Draw one series' history, forecast and quantile band (forecasting; matplotlib).

        Args:
            series_id: The series: its id value (one id column), a tuple of id values, or a
                mapping {id column: value}; None for a single series.
            X_future: The periods to forecast (None: the whole horizon).
            quantiles: The band's quantiles (None: the experiment's).
            X_recent: Actuals observed since training (the forecast starts after them).
            y_recent: Their values, when ``X_recent`` lacks the label column.
            ax: matplotlib Axes to draw on (None: a new figure).

        Returns:
            The matplotlib Axes.

        Raises:
            ValueError: Not a forecasting result, or no best model.
            automl.learners.MissingDependencyError: matplotlib is not installed.
            forecasting.ForecastingError: An unknown series or a bad period.

        Example:
            >>> result.plot_forecast("north")  # doctest: +SKIP
        """
        from automl.tasks.forecasting._pipeline import ForecastingPipeline
        from automl.tasks.forecasting._plot import plot_forecast

        model = self.best_model
        if not isinstance(model, ForecastingPipeline):
            what = "no best model" if model is None else f"a {type(model).__name__}"
            raise ValueError(
                f"plot_forecast needs the result of a forecasting experiment with a best model, "
                f"got {what}"
            )
        return plot_forecast(
            model,
            series_id,
            X_future,
            quantiles=quantiles,
            X_recent=X_recent,
            y_recent=y_recent,
            ax=ax,
        )

    @property
    def children(self) -> list[Run]:
        """Every child run of the experiment, by trial index."""
        if self.workspace is None:
            return []
        return self.workspace.children(self.parent_run_id)

    def __repr__(self) -> str:
        algorithm = None if self.best_model is None else self.best_model.algorithm
        return (
            f"AutoMLResult(experiment_name={self.experiment_name!r}, status={self.status!r}, "
            f"best={algorithm!r}, {self.primary_metric}={self.best_score!r}, "
            f"children={len(self.leaderboard)})"
        )


def pd_series(values: list[dict[str, Any]], index: Any) -> Any:
    """A column of dicts (one per row)."""
    import pandas as pd

    return pd.Series(values, index=index, dtype=object)


def leaderboard_frame(board: pd.DataFrame, metric_names: Sequence[str]) -> pd.DataFrame:
    """The store's leaderboard with ``algorithm`` and a ``hyperparameters`` dict column.

    Completed children rank first (best first); children stopped early, canceled at the
    timeout or failed follow, since their scores cover only part of their folds.
    """
    prefix = "hyperparameters."
    hyper_columns = [str(name) for name in board.columns if str(name).startswith(prefix)]
    rows: list[dict[str, Any]] = (
        [{str(k): v for k, v in row.items()} for row in board[hyper_columns].to_dict("records")]
        if hyper_columns
        else [{} for _ in range(len(board))]
    )
    hyperparameters: list[dict[str, Any]] = [
        {
            key[len(prefix) :]: value
            for key, value in row.items()
            if value is not None and not (isinstance(value, float) and math.isnan(value))
        }
        for row in rows
    ]
    out = board.drop(columns=hyper_columns)
    if "learner" in out.columns:
        out = out.rename(columns={"learner": "algorithm"})
    else:
        out["algorithm"] = None
    if "ensemble" in out.columns:  # an ensemble child names its kind there
        out["algorithm"] = out["algorithm"].where(out["ensemble"].isna(), out["ensemble"])
        out = out.drop(columns=["ensemble"])
    out["hyperparameters"] = pd_series(hyperparameters, out.index)
    first = ["run_id", "index", "algorithm", "hyperparameters", "kind", "status"]
    known = [name for name in first if name in out.columns]
    rest = [name for name in out.columns if name not in known]
    metrics = [name for name in metric_names if name in rest]
    others = [name for name in rest if name not in metrics]
    out = out[known + metrics + others]
    if "status" in out.columns:
        out = out.sort_values("status", key=lambda s: s != "completed", kind="stable")
    return out.reset_index(drop=True)
