"""openaml's AutoML package: `AutoMLConfig`, the model zoo, ensembles and the `automl` CLI.

Importing it is cheap: heavy libraries (pandas, scikit-learn, the boosting libraries, torch,
ray, optuna, sqlalchemy) load only when a feature that needs them is used, and the public
names below load on first access.

Example:
    >>> from automl import AutoMLConfig
    >>> config = AutoMLConfig(  # doctest: +SKIP
    ...     "classification", training_data="credit.csv", label_column_name="target",
    ...     experiment_timeout_minutes=5,
    ... )
    >>> result = config.fit()  # doctest: +SKIP
    >>> result.best_model.predict(frame)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl._config import AutoMLConfig, AutoMLConfigError
    from automl._data import load_training_data
    from automl._models import load_model
    from automl._pipeline import AutoMLPipeline
    from automl._result import AutoMLResult
    from automl._yaml import AutoMLJob, AutoMLJobError, load_automl_job

try:
    __version__ = version("openaml")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

_EXPORTS = {
    "AutoMLConfig": "automl._config",
    "AutoMLConfigError": "automl._config",
    "AutoMLResult": "automl._result",
    "AutoMLPipeline": "automl._pipeline",
    "load_model": "automl._models",
    "AutoMLJob": "automl._yaml",
    "AutoMLJobError": "automl._yaml",
    "load_automl_job": "automl._yaml",
    "load_training_data": "automl._data",
}

__all__ = [
    "AutoMLConfig",
    "AutoMLConfigError",
    "AutoMLJob",
    "AutoMLJobError",
    "AutoMLPipeline",
    "AutoMLResult",
    "__version__",
    "load_automl_job",
    "load_model",
    "load_training_data",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'automl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
