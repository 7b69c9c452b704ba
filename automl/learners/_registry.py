"""The model zoo by Azure name: lookup, defaults per task, and ``allowed``/``blocked`` checks.

Names match Azure ML's (``LightGBM``, ``XGBoostClassifier``, ...). Lookups ignore case and
underscores, so the v2 YAML spellings (``light_gbm``, ``xg_boost_classifier``) work too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from automl.learners._base import TASKS, Learner, Task, unknown_name
from automl.learners._catboost import CatBoost
from automl.learners._hist_gradient_boosting import GradientBoosting
from automl.learners._lightgbm import LightGBM
from automl.learners._linear import SGD, ElasticNet, LassoLars, LinearSVM, LogisticRegression
from automl.learners._mlp import TabularMLP
from automl.learners._neighbors import KNN
from automl.learners._trees import DecisionTree, ExtremeRandomTrees, RandomForest
from automl.learners._xgboost import XGBoostClassifier, XGBoostRegressor

__all__ = [
    "LEARNERS",
    "ModelSelection",
    "default_learners",
    "get_learner",
    "learner_names",
    "resolve_models",
]

# Default order: strong and cheap first (a searcher may reorder by cost and portfolio).
_ORDER: tuple[type[Learner], ...] = (
    LightGBM,
    XGBoostClassifier,
    XGBoostRegressor,
    CatBoost,
    RandomForest,
    ExtremeRandomTrees,
    GradientBoosting,
    TabularMLP,
    LogisticRegression,
    LinearSVM,
    ElasticNet,
    LassoLars,
    SGD,
    KNN,
    DecisionTree,
)

LEARNERS: Mapping[str, type[Learner]] = MappingProxyType({cls.info.name: cls for cls in _ORDER})
"""Every learner by its Azure name, in default order."""

# Azure model names this zoo does not provide, so that asking for one gets a clear answer.
_AZURE_ONLY = frozenset(
    {"SVM", "MultinomialNaiveBayes", "BernoulliNaiveBayes", "TabnetClassifier",
     "FastLinearRegressor", "OnlineGradientDescentRegressor", "TabnetRegressor"}
)  # fmt: skip


def _key(name: str) -> str:
    return name.replace("_", "").lower()


_BY_KEY: Mapping[str, str] = {_key(name): name for name in LEARNERS}


@dataclass(frozen=True)
class ModelSelection:
    """The learners chosen for a task, and those left out with the reason.

    Attributes:
        learners: Learner instances, in default order.
        skipped: Name -> why it was left out (a missing library, with what to install).
    """

    learners: tuple[Learner, ...]
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        """The chosen learners' names."""
        return tuple(learner.info.name for learner in self.learners)


def _check_task(task: object) -> Task:
    if task not in TASKS:
        raise ValueError(f"`task` must be one of {', '.join(TASKS)}, got {task!r}")
    return "classification" if task == "classification" else "regression"


def _canonical(field_name: str, name: object) -> str:
    if isinstance(name, str) and _key(name) in _BY_KEY:
        return _BY_KEY[_key(name)]
    if isinstance(name, str) and name in _AZURE_ONLY:
        raise ValueError(
            f"`{field_name}` contains {name!r}, an Azure ML model that openaml does not "
            f"provide. Valid: {', '.join(LEARNERS)}"
        )
    raise ValueError(unknown_name(f"`{field_name}` contains unknown model", name, list(LEARNERS)))


def get_learner(name: str) -> Learner:
    """The learner called ``name`` (Azure's name; case and underscores ignored).

    Raises:
        ValueError: Unknown name; the message suggests the closest and lists the valid ones.

    Example:
        >>> get_learner("light_gbm").info.name
        'LightGBM'
    """
    return LEARNERS[_canonical("name", name)]()


def learner_names(task: str) -> tuple[str, ...]:
    """Names of the learners supporting ``task``, installed or not, in default order."""
    checked = _check_task(task)
    return tuple(name for name, cls in LEARNERS.items() if checked in cls.info.tasks)


def default_learners(task: str, *, installed_only: bool = True) -> ModelSelection:
    """The learners a search for ``task`` uses when the user names none.

    Args:
        task: ``"classification"`` or ``"regression"``.
        installed_only: Leave out learners whose library is missing (listed in ``skipped``).
    """
    chosen: list[Learner] = []
    skipped: dict[str, str] = {}
    for name in learner_names(task):
        cls = LEARNERS[name]
        if installed_only and not cls.available():
            skipped[name] = f"not installed; {name} needs {cls.info.install_hint()}"
        else:
            chosen.append(cls())
    return ModelSelection(tuple(chosen), skipped)


def _names(field_name: str, names: Iterable[str] | None) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise ValueError(
            f"`{field_name}` must be a list of model names, got the string {names!r}; "
            f"write [{names!r}]"
        )
    return [_canonical(field_name, name) for name in names]


def resolve_models(
    task: str,
    allowed_models: Iterable[str] | None = None,
    blocked_models: Iterable[str] | None = None,
) -> ModelSelection:
    """The learners to search, from AutoMLConfig's ``allowed_models``/``blocked_models``.

    Without ``allowed_models`` the installed defaults for ``task`` are used. A model named in
    ``allowed_models`` must support the task and be installed; one named in
    ``blocked_models`` may belong to the other task (it is simply not used).

    Raises:
        ValueError: An unknown name, an allowed model that does not support ``task``, or
            nothing left to search.
        MissingDependencyError: An allowed model's library is not installed.

    Example:
        >>> resolve_models("regression", ["LightGBM", "ElasticNet"], ["elastic_net"]).names
        ('LightGBM',)
    """
    checked = _check_task(task)
    allowed = _names("allowed_models", allowed_models)
    blocked = set(_names("blocked_models", blocked_models) or ())
    if allowed is None:
        selection = default_learners(checked)
        learners = tuple(x for x in selection.learners if x.info.name not in blocked)
        skipped = {k: v for k, v in selection.skipped.items() if k not in blocked}
        if not learners:
            raise ValueError(
                f"every model is blocked: `blocked_models` removes every installed model for "
                f"{checked} ({', '.join(selection.names) or 'none'}); unblock at least one"
            )
        return ModelSelection(learners, skipped)
    valid = learner_names(checked)
    for name in allowed:
        if name not in valid:
            raise ValueError(
                f"`allowed_models` contains {name!r}, which does not support {checked}. "
                f"Valid for {checked}: {', '.join(valid)}"
            )
    remaining = [name for name in valid if name in allowed and name not in blocked]
    if not remaining:
        raise ValueError(
            f"every model is blocked: `blocked_models` removes all of `allowed_models` "
            f"({', '.join(dict.fromkeys(allowed))}); unblock one or allow another"
        )
    for name in remaining:
        LEARNERS[name].require()
    return ModelSelection(tuple(LEARNERS[name]() for name in remaining))
