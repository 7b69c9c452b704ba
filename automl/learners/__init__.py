"""The model zoo: one learner per model family, with Azure ML's model names.

A learner owns its search space, its default portfolio and its cost model, and builds and fits
its estimator, in chunks for iterative ones (boosting rounds, trees, epochs) so that an
early-termination policy can stop a hopeless child::

    >>> from automl.learners import get_learner, resolve_models
    >>> resolve_models("classification", allowed_models=["LightGBM", "light_gbm"]).names
    ('LightGBM',)
    >>> lgbm = get_learner("LightGBM")
    >>> lgbm.info.input_kind, lgbm.info.iterative
    ('native', True)

Importing this package imports no learning library; each is imported when a learner builds
or fits a model.
"""

from automl.learners._base import (
    DataSize,
    InputKind,
    Learner,
    LearnerInfo,
    MissingDependencyError,
    OnChunk,
    Task,
)
from automl.learners._registry import (
    LEARNERS,
    ModelSelection,
    default_learners,
    get_learner,
    learner_names,
    resolve_models,
)

__all__ = [
    "LEARNERS",
    "DataSize",
    "InputKind",
    "Learner",
    "LearnerInfo",
    "MissingDependencyError",
    "ModelSelection",
    "OnChunk",
    "Task",
    "default_learners",
    "get_learner",
    "learner_names",
    "resolve_models",
]
