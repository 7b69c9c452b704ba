"""openaml's AutoML package: `AutoMLConfig`, the model zoo, ensembles and the `automl` CLI.

Importing it is cheap: heavy libraries (pandas, scikit-learn, the boosting libraries, torch,
ray, optuna, sqlalchemy) load only when a feature that needs them is used.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("openaml")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
