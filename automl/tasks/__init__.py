"""AutoML tasks that need more than the tabular path: one subpackage per task.

:mod:`automl.tasks.forecasting` runs ``AutoMLConfig(task="forecasting")``: it composes the
``forecasting`` package (preparation, rolling-origin folds, forecasters, metrics) with the
model zoo, the controller and the policies. Classification and regression are the tabular path
(:mod:`automl._experiment`). Importing this package imports nothing heavy.
"""

__all__: list[str] = []
