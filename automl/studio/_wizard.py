"""The New AutoML experiment form: its choices, and its check by ``AutoMLConfig`` itself.

The form sends ``AutoMLConfig`` field names. :func:`build_spec` keeps the fields the form
may set, turns the edited column purposes into ``featurization``, and constructs an
``AutoMLConfig`` to validate: a bad value fails with exactly the message the Python API
gives, and :func:`field_of` tells which field the message is about so that the page shows
it next to that field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trials import Workspace

__all__ = ["FORM_FIELDS", "SpecError", "build_spec", "field_of", "task_choices"]

FORM_FIELDS = (
    "task",
    "label_column_name",
    "primary_metric",
    "allowed_models",
    "blocked_models",
    "validation_size",
    "n_cross_validations",
    "experiment_timeout_minutes",
    "max_trials",
    "max_concurrent_iterations",
    "experiment_exit_score",
    "enable_early_stopping",
    "enable_voting_ensemble",
    "enable_stack_ensemble",
    "model_explainability",
    "forecasting_parameters",
    "seed",
)
"""The ``AutoMLConfig`` fields the form sets (besides data, featurization and the name)."""

_EXTRA = ("dataset", "experiment_name", "featurization", "column_purposes", "validation")
_FIELD = re.compile(r"^`([A-Za-z_][A-Za-z0-9_]*)[`.]")


@dataclass
class SpecError(ValueError):
    """A form value the configuration refuses: ``field`` (None: the form as a whole)."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return self.message


def field_of(message: str) -> str | None:
    """The field an ``AutoMLConfigError`` message names first (``"`max_trials` must..."``;
    ``forecasting_parameters`` for ``"`forecasting_parameters.freq` ..."``)."""
    match = _FIELD.match(message)
    return match.group(1) if match else None


def task_choices() -> dict[str, dict[str, Any]]:
    """Per task: its metrics (default first), models and whether it needs forecasting."""
    from automl.learners import learner_names
    from automl.metrics import default_metric, metric_names
    from automl.tasks.forecasting import forecast_model_names
    from forecasting import FORECAST_METRICS

    choices: dict[str, dict[str, Any]] = {}
    for task in ("classification", "regression"):
        default = default_metric(task)
        metrics = [default, *(m for m in metric_names(task) if m != default)]
        choices[task] = {"metrics": metrics, "models": list(learner_names(task))}
    choices["forecasting"] = {
        "metrics": list(FORECAST_METRICS),
        "models": list(forecast_model_names()),
    }
    return choices


def _featurization(form: Mapping[str, Any], inferred: Mapping[str, str]) -> Any:
    mode = form.get("featurization", "auto")
    if mode not in ("auto", "off"):
        raise SpecError("featurization", f"`featurization` must be 'auto' or 'off', got {mode!r}")
    if mode == "off":
        return "off"
    purposes = form.get("column_purposes") or {}
    if not isinstance(purposes, Mapping):
        raise SpecError(
            "column_purposes",
            f"`column_purposes` must map column names to purposes, got {type(purposes).__name__}",
        )
    changed = {
        str(column): str(purpose)
        for column, purpose in purposes.items()
        if inferred.get(str(column)) != purpose
    }
    return {"column_purposes": changed} if changed else "auto"


def _validation(form: Mapping[str, Any], spec: dict[str, Any]) -> None:
    """``validation``: ``auto``, ``holdout`` (``validation_size``) or ``kfold``
    (``n_cross_validations``); the other field is dropped."""
    kind = form.get("validation", "auto")
    if kind not in ("auto", "holdout", "kfold"):
        raise SpecError(
            "validation", f"`validation` must be 'auto', 'holdout' or 'kfold', got {kind!r}"
        )
    if kind != "holdout":
        spec.pop("validation_size", None)
    if kind != "kfold":
        spec.pop("n_cross_validations", None)
    if kind == "holdout" and spec.get("validation_size") is None:
        raise SpecError("validation_size", "`validation_size` is needed for a holdout, got None")
    if kind == "kfold" and spec.get("n_cross_validations") is None:
        raise SpecError(
            "n_cross_validations", "`n_cross_validations` is needed for k folds, got None"
        )


def build_spec(
    form: Mapping[str, Any],
    workspace: Workspace,
    columns: Sequence[str],
    inferred: Mapping[str, str],
) -> dict[str, Any]:
    """The ``AutoMLConfig`` fields (JSON) a job runs, checked by ``AutoMLConfig`` itself.

    Args:
        form: The form's values (``FORM_FIELDS`` plus ``dataset``, ``featurization``,
            ``column_purposes``, ``validation``); empty strings and None mean "not set".
        workspace: Where the dataset is registered.
        columns: The dataset's columns.
        inferred: The purposes inferred for them (only edited purposes are kept).

    Raises:
        SpecError: a value the configuration refuses, with its field and message.
    """
    from automl import AutoMLConfig, AutoMLConfigError

    unknown = sorted(set(form) - set(FORM_FIELDS) - set(_EXTRA))
    if unknown:
        raise SpecError(None, f"unknown form fields {unknown}; valid: {list(FORM_FIELDS)}")
    dataset = form.get("dataset")
    if not isinstance(dataset, str) or not dataset:
        raise SpecError("dataset", "`dataset` must be a registered dataset 'name:version'")
    spec: dict[str, Any] = {
        name: form[name] for name in FORM_FIELDS if form.get(name) not in (None, "", [])
    }
    for required in ("task", "label_column_name"):
        if required not in spec:
            raise SpecError(required, f"`{required}` is required, got None")
    spec["training_data"] = dataset
    if spec.get("task") != "forecasting":
        spec.pop("forecasting_parameters", None)
    _validation(form, spec)
    spec["featurization"] = _featurization(form, inferred)
    if spec.get("task") == "forecasting":
        spec.pop("featurization")
    try:
        config = AutoMLConfig(**spec, workspace=workspace)
        config.check_columns(list(columns))
    except AutoMLConfigError as error:
        raise SpecError(field_of(str(error)), str(error)) from None
    except (TypeError, ValueError, LookupError) as error:
        message = str(error)
        raise SpecError(field_of(message), message) from None
    return spec
