"""``AutoMLConfig``: what an automated ML experiment searches, on what data, within what limits.

The names are Azure ML's ``AutoMLConfig`` names (SDK v1); the Azure v2 YAML spellings map onto
them in :mod:`automl._yaml`. Every value is checked at construction and fails with a message
naming the field, what was expected and what was given; nothing is read but a data file's
header, and no heavy library is imported by importing this module.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, TypeAlias

from automl import _config_io, _data
from automl._config_checks import AutoMLConfigError, check_bool, check_label, closest, describe

if TYPE_CHECKING:
    from automl._result import AutoMLResult
    from automl.learners import ModelSelection
    from featurization import FeaturizationConfig
    from forecasting import ForecastingParameters
    from trials import Limits
    from trials.executors import Executor
    from trials.policies import EarlyTerminationPolicy
    from trials.store import Workspace

# The checks import the metrics, the model zoo, featurization and the policies: loaded on
# the first construction, so that importing this module stays cheap.

__all__ = ["DEFAULT_MAX_TRIALS", "AutoMLConfig", "AutoMLConfigError", "Task"]

Task: TypeAlias = Literal["classification", "regression", "forecasting"]
TASKS: tuple[str, ...] = ("classification", "regression", "forecasting")
_TASK_NAMES: Mapping[str, Task] = {
    "classification": "classification",
    "regression": "regression",
    "forecasting": "forecasting",
}
DEFAULT_MAX_TRIALS = 1000
"""Trials when ``max_trials`` is not given: Azure's default (and maximum) ``iterations``."""

_DATA_FIELDS = _config_io.DATA_FIELDS
_ALIASES: Mapping[str, str] = {
    "experiment_timeout_hours": "experiment_timeout_minutes",
    "iterations": "max_trials",
}


@dataclass(frozen=True, repr=False)
class AutoMLConfig:
    """The configuration of an automated ML experiment (Azure ML's ``AutoMLConfig``).

    A frozen, validated value: every bad value raises :class:`AutoMLConfigError` (or
    :class:`~automl.learners.MissingDependencyError` naming the extra to install) here, at
    construction, before any data is read or compute spent. ``.fit()`` runs the experiment.
    After construction the fields hold normalised values: ``primary_metric`` is the metric's
    name, Azure's second names (``iterations``, ``experiment_timeout_hours``) are folded into
    ``max_trials`` and ``experiment_timeout_minutes``, model names are Azure's,
    ``featurization`` is ``"auto"``, ``"off"`` or a ``FeaturizationConfig``, and
    ``early_termination_policy`` is a policy instance.

    Args:
        task: ``"classification"``, ``"regression"`` or ``"forecasting"`` (which needs
            ``forecasting_parameters``; see :mod:`automl.tasks.forecasting`).
        training_data: A pandas or polars DataFrame, a pyarrow Table, a ``Path`` to a .csv or
            .parquet file, or a string: a file path or a registered dataset (``"name"``,
            ``"name:version"``); a string that is both is an error when the data is loaded.
            Kept as given; read when the experiment runs.
        label_column_name: The column to predict (Azure's ``label_column_name``; YAML
            ``target_column_name``).
        primary_metric: The metric the search optimises; None: ``accuracy`` for
            classification, ``normalized_root_mean_squared_error`` for regression and
            forecasting (Azure's). Any scalar metric of the task
            (``automl.metrics.metric_names``; for forecasting ``forecasting.FORECAST_METRICS``
            or a short name such as ``"mase"``).
        forecasting_parameters: The time-series settings of a forecasting task (required
            there, None for the other tasks): a ``forecasting.ForecastingParameters`` or a
            mapping of its fields.
        validation_data: Data to validate on instead of splitting ``training_data``.
        validation_size: Fraction of the training data held out for validation, in (0, 1);
            with ``n_cross_validations``, Monte Carlo cross-validation. 0 means not set.
        n_cross_validations: Folds, 2 to 1,000, or ``"auto"``/None: Azure's size rule.
            Forecasting: the rolling origins, an int >= 1 or ``"auto"``/None (Azure's rule:
            up to 5, fewer for short series); it reads ``"auto"`` after construction.
        cv_split_column_names: Columns of ``training_data`` marking folds (1 train, 0 valid).
        test_data: Data to score the best model on after the search.
        test_size: Fraction of the training data held out as test data, in (0, 0.99].
        weight_column_name: A column of sample weights.
        positive_label: The positive class of binary metrics (classification only).
        experiment_timeout_minutes: Time for the whole experiment, in minutes, > 0 (Azure's
            cloud minimum is 15; locally 0.25 is fine). None: no time limit.
        experiment_timeout_hours: The same limit in hours (Azure's v1 name); giving both with
            different values is an error. Folded into ``experiment_timeout_minutes``: it
            reads None after construction.
        iteration_timeout_minutes: Time for one trial, in minutes, > 0; None: no limit.
        max_trials: Trials to run in all (YAML ``limits.max_trials``); None: 1,000, Azure's
            default. Counted over the whole experiment, across resumes.
        iterations: Azure's v1 name of ``max_trials``; both with different values is an error.
            Folded into ``max_trials``: it reads None after construction.
        max_concurrent_iterations: Trials running at once (default 1).
        max_cores_per_iteration: CPU threads per trial; -1: all cores (default 1).
        gpus_per_iteration: GPUs a child of a learner that can use one takes (XGBoost,
            CatBoost, TabularMLP), e.g. ``1`` or ``0.25`` to pack four on a GPU; other
            children take none. 0 (default): everything trains on CPUs. The executor must
            have GPUs (``LocalExecutor(gpus=[0])``, a Ray cluster with GPUs).
        mem_in_mb: Memory cap per trial in MB; None: no cap.
        experiment_exit_score: Stop once a trial reaches this score of the primary metric.
        enable_early_stopping: Stop when the score stops improving (Azure's default: True).
        early_termination_policy: Stops hopeless trials early: a policy
            (``BanditPolicy(...)``, ...), a type name, or a v2 mapping
            (``{"type": "bandit", "slack_factor": 0.1}``); None: none.
        allowed_models: Azure model names to search (case and underscores ignored:
            ``"light_gbm"`` is ``"LightGBM"``); None: every installed model of the task.
        blocked_models: Azure model names to leave out.
        enable_dnn: Let neural networks (``TabularMLP``, needs ``openaml[torch]``) into the
            default search (Azure's default: False). Naming one in ``allowed_models`` is
            enough on its own.
        featurization: ``"auto"`` (default), ``"off"``, a ``FeaturizationConfig`` or a mapping
            of its fields.
        enable_voting_ensemble: Try a voting ensemble of the best trials (default True).
        enable_stack_ensemble: Try a stack ensemble; None: True for classification and
            regression, False for forecasting (Azure's rule).
        model_explainability: Explain the best model at the end (default True).
        executor: ``"local"`` (default), ``"ray"``, ``"ray://host:port"`` (needs
            ``openaml[ray]``) or an executor instance.
        seed: Seed of the search, the splits and the models (default 0): with a trial-count
            limit and no timeout, the same seed gives the same leaderboard.
        workspace: The run store: a folder, a database URL or a ``Workspace``; None:
            ``AUTOML_WORKSPACE``, else ``./automl_workspace``. Not opened here.
        experiment_name: Running again under the same name resumes the experiment; None: a
            new unique name when the experiment runs.
        verbosity: A Python logging level for the run log (Azure's default: 20, INFO).

    Example:
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"x": range(20), "y": [0, 1] * 10})
        >>> config = AutoMLConfig(
        ...     "classification", training_data=frame, label_column_name="y",
        ...     iterations=20, allowed_models=["light_gbm", "RandomForest"],
        ... )
        >>> config.primary_metric, config.max_trials, config.allowed_models
        ('accuracy', 20, ('LightGBM', 'RandomForest'))
    """

    task: Task
    _: KW_ONLY
    training_data: Any
    label_column_name: str
    primary_metric: str | None = None
    forecasting_parameters: ForecastingParameters | Mapping[str, Any] | None = None
    validation_data: Any = None
    validation_size: float | None = None
    n_cross_validations: int | Literal["auto"] | None = None
    cv_split_column_names: Sequence[str] | None = None
    test_data: Any = None
    test_size: float | None = None
    weight_column_name: str | None = None
    positive_label: str | int | float | bool | None = None
    experiment_timeout_minutes: float | None = None
    experiment_timeout_hours: float | None = None
    iteration_timeout_minutes: float | None = None
    max_trials: int | None = None
    iterations: int | None = None
    max_concurrent_iterations: int = 1
    max_cores_per_iteration: int = 1
    gpus_per_iteration: float = 0.0
    mem_in_mb: int | None = None
    experiment_exit_score: float | None = None
    enable_early_stopping: bool = True
    early_termination_policy: EarlyTerminationPolicy | Mapping[str, Any] | str | None = None
    allowed_models: Sequence[str] | None = None
    blocked_models: Sequence[str] | None = None
    enable_dnn: bool = False
    featurization: str | FeaturizationConfig | Mapping[str, Any] = "auto"
    enable_voting_ensemble: bool = True
    enable_stack_ensemble: bool | None = None
    model_explainability: bool = True
    executor: str | Executor = "local"
    seed: int = 0
    workspace: str | os.PathLike[str] | Workspace | None = None
    experiment_name: str | None = None
    verbosity: int = 20

    ALIASES: ClassVar[Mapping[str, str]] = _ALIASES
    """Azure's second names -> the field that holds the setting."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Before the generated __init__, so that an unknown argument gets a helpful message.
        _config_io.check_arguments((item.name for item in dataclasses.fields(cls)), kwargs)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        from automl import _config_sections as sections
        from automl._config_limits import check_limits
        from automl._config_splits import check_splits
        from automl.tasks.forecasting import _checks as forecast

        task = self._check_task()
        self._set("label_column_name", check_label(self.label_column_name))
        self._set(
            "forecasting_parameters",
            forecast.check_forecasting_parameters(task, self.forecasting_parameters),
        )
        self._check_data()
        self._set("primary_metric", self._check_metric(task))
        self._update(check_limits(self, str(self.primary_metric)))
        for name in ("enable_early_stopping", "enable_voting_ensemble", "model_explainability"):
            check_bool(name, getattr(self, name))
        check_bool("enable_dnn", self.enable_dnn)
        stack: object = self.enable_stack_ensemble
        stack = forecast.check_stack_ensemble(stack) if task == "forecasting" else stack
        stack = True if stack is None else stack
        self._set("enable_stack_ensemble", check_bool("enable_stack_ensemble", stack))
        if task == "forecasting":
            params = self.forecasting_parameters
            allowed, blocked = forecast.check_forecast_models(
                self.allowed_models,
                self.blocked_models,
                self.enable_dnn,
                use_stl=getattr(params, "use_stl", None) is not None,
            )
        else:
            allowed, blocked = sections.check_models(
                task, self.allowed_models, self.blocked_models, self.enable_dnn
            )
        self._set("allowed_models", allowed)
        self._set("blocked_models", blocked)
        self._set("featurization", sections.check_featurization(self.featurization))
        if task == "forecasting" and self.featurization != "auto":
            raise AutoMLConfigError(
                "`featurization` must be 'auto' for task 'forecasting' (its features come from "
                f"`forecasting_parameters`), got {describe(self.featurization)}"
            )
        self._set("early_termination_policy", sections.check_policy(self.early_termination_policy))
        self._update(check_splits(self, task))
        for data_field in _DATA_FIELDS if task != "forecasting" else ("training_data",):
            names = _data.data_columns(data_field, getattr(self, data_field))
            if names is not None:
                self.check_columns(names, field=data_field)
        self._set("executor", sections.check_executor(self.executor))
        self._set("seed", sections.check_seed(self.seed))
        self._set("workspace", sections.check_workspace(self.workspace))
        self._set("experiment_name", sections.check_experiment_name(self.experiment_name))
        self._set("verbosity", sections.check_verbosity(self.verbosity))

    # -- construction ----------------------------------------------------------------------

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _update(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            self._set(name, value)

    def _check_task(self) -> Task:
        task = self.task
        if isinstance(task, str) and task.strip().lower() in TASKS:
            checked: Task = _TASK_NAMES[task.strip().lower()]
            self._set("task", checked)
            return checked
        raise AutoMLConfigError(
            f"`task` must be one of {', '.join(TASKS)}, got {describe(task)}{closest(task, TASKS)}"
        )

    def _check_metric(self, task: Task) -> str:
        from automl.metrics import default_metric, validate_metric
        from automl.tasks.forecasting import _checks as forecast

        if task == "forecasting":
            return forecast.check_forecast_metric(self.primary_metric)
        metric = default_metric(task) if self.primary_metric is None else self.primary_metric
        try:
            return validate_metric(metric, task)
        except ValueError as error:
            raise AutoMLConfigError(str(error)) from None

    def _check_data(self) -> None:
        if self.training_data is None:
            raise AutoMLConfigError(
                "`training_data` is required: a DataFrame, a .csv/.parquet path or a "
                "registered dataset ('name' or 'name:version'), got None"
            )
        for name in _DATA_FIELDS:
            value = getattr(self, name)
            if value is not None:
                _data.check_data(name, value, min_rows=2 if name == "training_data" else 1)

    # -- what the experiment asks ----------------------------------------------------------

    def check_columns(self, columns: Sequence[str], *, field: str = "training_data") -> None:
        """Raise unless a table of ``field`` has the columns this configuration names.

        Called at construction where the columns are known without reading the data, and by
        the experiment once data from a registered dataset is loaded.

        Raises:
            AutoMLConfigError: The label (any table), the weight column (training and
                validation data) or a cv split column (training data) is missing.
        """
        from automl import _config_sections as sections

        sections.check_columns(
            columns,
            field,
            label=self.label_column_name,
            weight=self.weight_column_name,
            cv_columns=self.cv_split_column_names,
        )
        params = self.forecasting_parameters
        if self.task == "forecasting" and params is not None and not isinstance(params, Mapping):
            from automl.tasks.forecasting._checks import check_forecast_columns

            check_forecast_columns(columns, params, field)

    def fit(self, show_output: bool = True) -> AutoMLResult:
        """Run the experiment: search, ensembles, refit and registration of the best model.

        Worker processes import the calling script, so a script calls ``fit()`` under
        ``if __name__ == "__main__":``.

        Args:
            show_output: Show progress while the search runs, as Azure's
                ``experiment.submit(config, show_output=True)``: a live table in a terminal,
                one line per finished child when the output is not a terminal. False shows
                nothing.

        Returns:
            The result: best model, leaderboard, guardrails, registered model version.
        """
        if self.task == "forecasting":
            from automl.tasks.forecasting import run_forecasting

            return run_forecasting(self, show_output=show_output)
        from automl._experiment import run_automl

        return run_automl(self, show_output=show_output)

    def model_selection(self) -> ModelSelection:
        """The learners the search uses, and those left out with the reason.

        ``allowed_models`` (or every installed model of the task) minus ``blocked_models``;
        without ``allowed_models``, neural networks only with ``enable_dnn=True``.
        """
        from automl import _config_sections as sections
        from automl.learners import ModelSelection, learner_names, resolve_models

        selection = resolve_models(self.task, self.allowed_models, self.blocked_models)
        if self.allowed_models is not None or self.enable_dnn:
            return selection
        skipped = {k: v for k, v in selection.skipped.items() if not sections.is_dnn(k)}
        blocked = self.blocked_models or ()
        for name in learner_names(self.task):
            if sections.is_dnn(name) and name not in blocked:
                skipped[name] = "a neural network: set enable_dnn=True to search it"
        kept = tuple(x for x in selection.learners if not sections.is_dnn(x.info.name))
        return ModelSelection(kept, skipped)

    def limits(self) -> Limits:
        """The trial limits for the controller (timeouts in seconds)."""
        from trials import Limits

        timeout = self.experiment_timeout_minutes
        trial = self.iteration_timeout_minutes
        return Limits(
            max_total_trials=self.max_trials,
            max_concurrent_trials=self.max_concurrent_iterations,
            timeout=None if timeout is None else timeout * 60.0,
            trial_timeout=None if trial is None else trial * 60.0,
        )

    def search_config(self) -> dict[str, Any]:
        """The search-defining configuration, JSON-able, for the resume check.

        Running an experiment again with the same name resumes it only when this is unchanged
        (the experiment adds the data fingerprints). Limits, concurrency, cores, memory, the
        executor, the workspace, the exit criteria, explanations and verbosity may change.
        """
        from featurization import resolve_featurization
        from trials.policies import EarlyTerminationPolicy

        featurization = resolve_featurization(self.featurization)
        policy = self.early_termination_policy
        forecast: dict[str, Any] = {}
        params = self.forecasting_parameters
        if params is not None and not isinstance(params, Mapping):
            forecast["forecasting_parameters"] = params.to_dict()
        return {
            "task": self.task,
            "label_column_name": self.label_column_name,
            "weight_column_name": self.weight_column_name,
            "positive_label": self.positive_label,
            "primary_metric": self.primary_metric,
            "allowed_models": _list(self.allowed_models),
            "blocked_models": _list(self.blocked_models),
            "enable_dnn": self.enable_dnn,
            "featurization": featurization.to_dict(),
            "validation_data": self.validation_data is not None,
            "validation_size": self.validation_size,
            "n_cross_validations": self.n_cross_validations,
            "cv_split_column_names": _list(self.cv_split_column_names),
            "test_data": self.test_data is not None,
            "test_size": self.test_size,
            "seed": self.seed,
            "early_termination_policy": (
                policy.to_dict() if isinstance(policy, EarlyTerminationPolicy) else None
            ),
            "enable_voting_ensemble": self.enable_voting_ensemble,
            "enable_stack_ensemble": self.enable_stack_ensemble,
            **forecast,
        }

    # -- serialisation ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Every setting, JSON-able; data as descriptions (``{"path": ...}``, ``{"ref": ...}``,
        ``{"in_memory": "pandas.DataFrame", "rows": ..., "columns": [...]}``).

        :meth:`from_dict` reads it back; an in-memory table must then be passed again.
        A database URL's password is masked.
        """
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            if item.name not in _ALIASES:
                out[item.name] = _config_io.plain(item.name, getattr(self, item.name))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], **overrides: Any) -> AutoMLConfig:
        """Build a config from :meth:`to_dict`'s form (or any mapping of field names).

        Args:
            data: Field name -> value; data fields may be descriptions.
            overrides: Fields to set instead, e.g. ``training_data=frame`` for a table that
                was in memory.

        Raises:
            AutoMLConfigError: An unknown key (the valid ones are listed), an in-memory table
                or executor not given again, or any bad value.
        """
        names = [item.name for item in dataclasses.fields(cls)]
        return cls(**_config_io.values_from_dict(names, data, overrides))

    def __eq__(self, other: object) -> bool:
        # In-memory tables compare by identity: a DataFrame's == is element-wise.
        if not isinstance(other, AutoMLConfig):
            return NotImplemented
        for item in dataclasses.fields(self):
            mine, theirs = getattr(self, item.name), getattr(other, item.name)
            if item.name in _DATA_FIELDS and (_data.frame_kind(mine) or _data.frame_kind(theirs)):
                if mine is not theirs:
                    return False
            elif mine != theirs:
                return False
        return True

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Each optional field's default as it reads after construction (``max_trials`` is
        1000, ``early_termination_policy`` is ``NoTerminationPolicy()``, ...); the primary
        metric's default depends on the task (:func:`automl.metrics.default_metric`)."""
        from trials.policies import NoTerminationPolicy

        values = {
            item.name: item.default
            for item in dataclasses.fields(cls)
            if item.default is not dataclasses.MISSING and item.name != "primary_metric"
        }
        values.update(
            max_trials=DEFAULT_MAX_TRIALS,
            enable_stack_ensemble=True,
            blocked_models=(),
            early_termination_policy=NoTerminationPolicy(),
        )
        return values

    def __repr__(self) -> str:
        shown = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}
        return _config_io.config_repr(shown, self.defaults(), _ALIASES)


def _list(value: Sequence[str] | None) -> list[str] | None:
    return None if value is None else list(value)
