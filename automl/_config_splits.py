"""How an :class:`~automl.AutoMLConfig` validates and tests, checked: the validation data,
size, folds or cv split columns, the test data or size, the weight column and the positive
label. (The tables' columns are checked by ``AutoMLConfig.check_columns`` afterwards.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from automl import _config_sections as sections
from automl._config_checks import AutoMLConfigError, check_optional_name

if TYPE_CHECKING:
    from automl._config import AutoMLConfig

__all__ = ["check_splits"]


def check_splits(config: AutoMLConfig, task: str) -> dict[str, Any]:
    """The checked split fields of ``config`` (field name -> value to set).

    Raises:
        AutoMLConfigError: A bad or contradictory setting, or a table that lacks a column
            the configuration names.
    """
    if task == "forecasting":
        return _forecast_splits(config)
    size, folds, columns = sections.check_validation(
        task,
        config.validation_data is not None,
        config.validation_size,
        config.n_cross_validations,
        config.cv_split_column_names,
    )
    weight = check_optional_name("weight_column_name", config.weight_column_name)
    label = config.label_column_name
    if weight == label:
        raise AutoMLConfigError(
            f"`weight_column_name` must differ from `label_column_name`, got {weight!r} for both"
        )
    for name in columns or ():
        if name in (label, weight):
            role = "label_column_name" if name == label else "weight_column_name"
            raise AutoMLConfigError(
                f"`cv_split_column_names` must not name the `{role}` column, got {name!r}"
            )
    out = {
        "validation_size": size,
        "n_cross_validations": folds,
        "cv_split_column_names": columns,
        "test_size": sections.check_test(config.test_data is not None, config.test_size),
        "positive_label": sections.check_positive_label(task, config.positive_label),
    }
    return out


def _forecast_splits(config: AutoMLConfig) -> dict[str, Any]:
    from automl.tasks.forecasting import _checks as forecast

    folds = forecast.check_forecast_validation(
        validation_data_given=config.validation_data is not None,
        validation_size=config.validation_size,
        n_cross_validations=config.n_cross_validations,
        cv_split_column_names=config.cv_split_column_names,
        test_data_given=config.test_data is not None,
        test_size=config.test_size,
        weight_column_name=config.weight_column_name,
    )
    return {
        "n_cross_validations": folds,
        "validation_size": None,
        "test_size": None,
        "positive_label": sections.check_positive_label("forecasting", config.positive_label),
    }
