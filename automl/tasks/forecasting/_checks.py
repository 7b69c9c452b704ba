"""The checks :class:`~automl.AutoMLConfig` runs for ``task="forecasting"``, one per concern.

Each takes raw field values and returns them normalised, or raises
:class:`~automl.AutoMLConfigError` naming the field:

- ``forecasting_parameters``: required (a :class:`forecasting.ForecastingParameters` or a
  mapping of its fields, Python or v2 YAML names); not allowed for other tasks.
- ``primary_metric``: one of :data:`forecasting.FORECAST_METRICS` (Azure's forecasting set
  first: normalized RMSE, the default, normalized MAE, r2 and Spearman; then RMSE, MAE, MASE,
  sMAPE, MAPE and the weighted quantile loss) or a short name (``"mase"``).
- ``allowed_models`` / ``blocked_models``: forecasting models (:mod:`._models`).
- Validation: ``n_cross_validations`` is the number of rolling origins, an int >= 1 or
  ``"auto"`` (the default: Azure's rule, up to 5 origins); user validation or test data,
  validation or test fractions, cv split columns and row weights are not supported yet.
- Columns: the time column and the given id columns must be columns of the training data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from automl._config_checks import AutoMLConfigError, check_names, closest, describe

if TYPE_CHECKING:
    from forecasting import ForecastingParameters

__all__ = [
    "FORECAST_METRIC_BOUNDS",
    "check_forecast_columns",
    "check_forecast_metric",
    "check_forecast_models",
    "check_forecast_validation",
    "check_forecasting_parameters",
    "check_stack_ensemble",
    "parameters_dict",
]

TASK = "forecasting"
FORECAST_METRIC_BOUNDS: Mapping[str, tuple[float, float]] = {
    "normalized_root_mean_squared_error": (0.0, 1.0),
    "normalized_mean_absolute_error": (0.0, 1.0),
    "r2_score": (-1.0, 1.0),
    "spearman_correlation": (-1.0, 1.0),
    "root_mean_squared_error": (0.0, float("inf")),
    "mean_absolute_error": (0.0, float("inf")),
    "mean_absolute_scaled_error": (0.0, float("inf")),
    "symmetric_mean_absolute_percentage_error": (0.0, 200.0),
    "mean_absolute_percentage_error": (0.0, float("inf")),
    "weighted_quantile_loss": (0.0, float("inf")),
}
"""The range of each forecasting metric (for ``experiment_exit_score``)."""

_NOT_YET = "is not supported for task 'forecasting' yet"


def check_forecasting_parameters(task: str, value: object) -> ForecastingParameters | None:
    """``forecasting_parameters``: required for forecasting, None for the other tasks.

    A mapping may use the Python names (``freq``, ``short_series_handling_configuration``)
    or the v2 YAML names (``frequency``, ``short_series_handling_config``).
    """
    if task != TASK:
        if value is None:
            return None
        raise AutoMLConfigError(
            f"`forecasting_parameters` must be None for task {task!r} (it configures a "
            f"forecasting task), got {describe(value)}; set task='forecasting' to forecast"
        )
    from forecasting import ForecastingParameters
    from forecasting._parameters import V2_NAMES

    if value is None:
        raise AutoMLConfigError(
            "`forecasting_parameters` is required for task 'forecasting': give "
            "ForecastingParameters(time_column_name=..., forecast_horizon=...) or a dict of "
            "its fields, got None"
        )
    if isinstance(value, ForecastingParameters):
        return value
    if not isinstance(value, Mapping):
        raise AutoMLConfigError(
            "`forecasting_parameters` must be a ForecastingParameters or a mapping of its "
            f"fields, got {describe(value)}"
        )
    kwargs = {V2_NAMES.get(str(key), str(key)): item for key, item in value.items()}
    if "time_column_name" not in kwargs:
        raise AutoMLConfigError(
            "`forecasting_parameters` must set `time_column_name` (the column of timestamps), "
            f"got the keys {', '.join(map(repr, value)) or 'none'}"
        )
    try:
        return ForecastingParameters(**kwargs)
    except (TypeError, ValueError) as error:
        message = str(error).replace("ForecastingParameters got", "`forecasting_parameters` has")
        if message.startswith("`") and not message.startswith("`forecasting_parameters"):
            message = "`forecasting_parameters." + message[1:]
        raise AutoMLConfigError(message) from None


def check_forecast_metric(value: object) -> str:
    """``primary_metric`` of a forecasting task, as its full name (default: normalized RMSE)."""
    from forecasting import FORECAST_METRICS
    from forecasting._metrics import METRIC_ALIASES

    if value is None:
        return FORECAST_METRICS[0]
    name = METRIC_ALIASES.get(value, value) if isinstance(value, str) else value
    if isinstance(name, str) and name in FORECAST_METRICS:
        return name
    shorts = ", ".join(METRIC_ALIASES)
    raise AutoMLConfigError(
        f"`primary_metric` must be one of {', '.join(FORECAST_METRICS)} for task "
        f"'forecasting' (or a short name: {shorts}), got {describe(value)}"
        f"{closest(value, [*FORECAST_METRICS, *METRIC_ALIASES])}"
    )


def check_forecast_models(
    allowed: object, blocked: object, enable_dnn: object, *, use_stl: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """``allowed_models`` / ``blocked_models`` of a forecasting task as canonical names
    (``use_stl``: whether the STL variants are in the default search).

    Raises:
        AutoMLConfigError: An unknown name (the valid ones listed), nothing left to search,
            naming what was left out and why.
        MissingDependencyError: An allowed regressor's library is missing.
    """
    from automl.tasks.forecasting._models import canonical_model, plan_models

    try:
        allowed_names = (
            None
            if allowed is None
            else tuple(
                dict.fromkeys(
                    canonical_model(name, "allowed_models")
                    for name in check_names("allowed_models", allowed, "models")
                )
            )
        )
        blocked_names = (
            ()
            if blocked is None
            else tuple(
                dict.fromkeys(
                    canonical_model(name, "blocked_models")
                    for name in check_names("blocked_models", blocked, "models")
                )
            )
        )
        plan_models(
            allowed_names,
            blocked_names,
            use_stl=use_stl,
            seasonality=None,
            enable_dnn=bool(enable_dnn),
        )
    except ValueError as error:
        if isinstance(error, AutoMLConfigError):
            raise
        raise AutoMLConfigError(str(error)) from None
    return allowed_names, blocked_names


def check_forecast_validation(
    *,
    validation_data_given: bool,
    validation_size: object,
    n_cross_validations: object,
    cv_split_column_names: object,
    test_data_given: bool,
    test_size: object,
    weight_column_name: object,
) -> int | Literal["auto"]:
    """The number of rolling origins (``n_cross_validations``): an int >= 1, or ``"auto"``.

    Raises:
        AutoMLConfigError: A bad count, or a validation setting forecasting does not take.
    """
    unsupported = {
        "validation_data": validation_data_given,
        "validation_size": validation_size not in (None, 0, 0.0),
        "cv_split_column_names": cv_split_column_names is not None,
        "test_data": test_data_given,
        "test_size": test_size not in (None, 0, 0.0),
        "weight_column_name": weight_column_name is not None,
    }
    for name, given in unsupported.items():
        if given:
            raise AutoMLConfigError(
                f"`{name}` {_NOT_YET}: forecasting validates on rolling origins of the training "
                "data; set `n_cross_validations` (the number of origins) and "
                "`forecasting_parameters.cv_step_size` instead"
            )
    folds = n_cross_validations
    if folds is None or (isinstance(folds, str) and folds.strip().lower() == "auto"):
        return "auto"
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 1:
        raise AutoMLConfigError(
            "`n_cross_validations` must be an int >= 1 (the rolling origins) or 'auto' for "
            f"task 'forecasting', got {describe(folds)}"
        )
    return int(folds)


def check_forecast_columns(
    columns: Sequence[str], params: ForecastingParameters, field_name: str
) -> None:
    """The time column and the given series id columns are columns of the training data."""
    if field_name != "training_data":
        return
    wanted = [("forecasting_parameters.time_column_name", params.time_column_name)]
    wanted += [
        ("forecasting_parameters.time_series_id_column_names", name)
        for name in params.time_series_id_column_names or ()
    ]
    known = set(columns)
    for setting, name in wanted:
        if name not in known:
            shown = ", ".join(repr(column) for column in list(columns)[:30])
            raise AutoMLConfigError(
                f"`{setting}` must be a column of `training_data`, got {name!r}"
                f"{closest(name, columns)}; its columns are {shown}"
            )


def parameters_dict(params: ForecastingParameters) -> dict[str, Any]:
    """The parameters under their Python names, JSON-able (for lineage)."""
    return {
        item.name: list(value) if isinstance(value := getattr(params, item.name), tuple) else value
        for item in dataclasses.fields(params)
    }


def check_stack_ensemble(value: object) -> object:
    """``enable_stack_ensemble`` of a forecasting config: None (read as False) or False, as
    there is no stacked ensemble of forecasts; other values go on to the common bool check."""
    if value is None:
        return False
    if value is True:
        raise AutoMLConfigError(
            "`enable_stack_ensemble` must be None or False for task 'forecasting' (its "
            "ensemble is the VotingEnsemble over the children's forecasts: "
            "`enable_voting_ensemble`), got True"
        )
    return value
