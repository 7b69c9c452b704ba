"""How children are validated: Azure's choice of split, then reproducible folds.

:func:`choose_validation` applies Azure Automated ML's rules
(``azureml.automl.runtime._validation_strategy_selector`` and
``azureml.automl.core.config_utilities._check_validation_config``); :func:`make_folds` turns
the plan into train/validation row indexes, stratified for classification, never failing on
rare classes and reporting how it handled them; :func:`split_test` holds out a test set.
"""

from __future__ import annotations

from automl._validation._folds import Fold, FoldSet, make_folds
from automl._validation._plan import (
    AUTO_HOLDOUT_FRACTION,
    LARGE_DATA_ROWS,
    MAX_N_CROSS_VALIDATIONS,
    SMALL_DATA_ROWS,
    ValidationKind,
    ValidationPlan,
    choose_validation,
)
from automl._validation._test_split import split_test

__all__ = [
    "AUTO_HOLDOUT_FRACTION",
    "LARGE_DATA_ROWS",
    "MAX_N_CROSS_VALIDATIONS",
    "SMALL_DATA_ROWS",
    "Fold",
    "FoldSet",
    "ValidationKind",
    "ValidationPlan",
    "choose_validation",
    "make_folds",
    "split_test",
]
