"""Which transformer each column gets: the featurizer's plan, from purposes and the config."""

from __future__ import annotations

from featurization._column_purposes import ColumnPurpose, ColumnPurposeInfo
from featurization._config import FeaturizationConfig
from featurization._errors import FeaturizationError
from featurization._frames import Task
from featurization._transformer_params import (
    HashOneHotEncoderParams,
    ImputerParams,
    TargetEncoderParams,
    TfIdfParams,
)
from featurization.transformers._base import ColumnStep
from featurization.transformers._datetime import DateTimeStep
from featurization.transformers._encoders import CategoricalStep, HashStep
from featurization.transformers._imputers import NumericStep
from featurization.transformers._target_encoder import TargetEncoderStep
from featurization.transformers._text import TextStep

__all__ = ["plan_steps"]

_DROPPED = {
    ColumnPurpose.ALL_NAN: "all values missing",
    ColumnPurpose.IGNORE: "ignored",
}


def plan_steps(
    purposes: dict[str, ColumnPurposeInfo], config: FeaturizationConfig, task: Task
) -> tuple[list[ColumnStep], dict[str, str]]:
    """One step per kept column (in column order) and the reason each other column is dropped.

    Raises:
        FeaturizationError: An ``Imputer`` entry names a column it cannot apply to.
    """
    steps: list[ColumnStep] = []
    dropped: dict[str, str] = {}
    target_named = set(config.target_encoded_columns())
    for column, info in purposes.items():
        step = _step_for(column, info.purpose, config, task, column in target_named)
        if isinstance(step, str):
            dropped[column] = step
        else:
            steps.append(step)
    return steps, dropped


def _step_for(
    column: str, purpose: ColumnPurpose, config: FeaturizationConfig, task: Task, named: bool
) -> ColumnStep | str:
    if purpose in _DROPPED:
        return _DROPPED[purpose]
    imputer = config.params_for(ImputerParams, column)
    explicit_imputer = column in imputer.columns
    if explicit_imputer and purpose not in (
        ColumnPurpose.NUMERIC,
        ColumnPurpose.CATEGORICAL,
        ColumnPurpose.CATEGORICAL_HASH,
    ):
        raise FeaturizationError(
            f"`transformer_params['Imputer'].columns` names {column!r}, a {purpose.value} "
            "column; the Imputer applies to Numeric, Categorical and CategoricalHash columns"
        )
    indicator = not (config.passthrough or config.is_blocked("MissingIndicator"))
    if purpose is ColumnPurpose.NUMERIC:
        return NumericStep(column, imputer, indicator=indicator)
    if purpose is ColumnPurpose.DATETIME:
        if config.is_blocked("DateTimeTransformer"):
            return "DateTimeTransformer blocked"
        return DateTimeStep(column, indicator=indicator)
    if purpose is ColumnPurpose.TEXT:
        if config.is_blocked("TfIdf"):
            return "TfIdf blocked"
        return TextStep(column, config.params_for(TfIdfParams, column))
    fill = _label_fill(column, imputer, explicit_imputer)
    hashed = purpose is ColumnPurpose.CATEGORICAL_HASH
    if named or (hashed and config.high_cardinality_encoding == "target"):
        params = config.params_for(TargetEncoderParams, column)
        return TargetEncoderStep(column, params, task=task, random_state=config.random_state)
    if not hashed:
        return CategoricalStep(column, fill)
    if config.is_blocked("HashOneHotEncoder"):
        return "HashOneHotEncoder blocked"
    return HashStep(column, config.params_for(HashOneHotEncoderParams, column), fill)


def _label_fill(column: str, imputer: ImputerParams, explicit: bool) -> ImputerParams | None:
    """The Imputer entry that fills a categorical column's missing labels, if any."""
    if imputer.strategy in ("most_frequent", "constant"):
        return imputer
    if explicit:
        raise FeaturizationError(
            f"`transformer_params['Imputer'].strategy` for categorical column {column!r} "
            f"must be 'most_frequent' or 'constant', got {imputer.strategy!r}"
        )
    return None
