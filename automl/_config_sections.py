"""The cross-field checks of :class:`~automl.AutoMLConfig`, one function per concern.

Each takes raw values and returns them normalised, or raises :class:`AutoMLConfigError`
(:class:`~automl.learners.MissingDependencyError` where a library is missing) naming the
field. Rules reused from the layers below: metrics (``validate_metric``), the model zoo
(``resolve_models``), featurization (``resolve_featurization``), policies (``make_policy``)
and validation (``choose_validation``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from typing import Any

from automl._config_checks import (
    AutoMLConfigError,
    check_count,
    check_names,
    check_number,
    closest,
    describe,
    relocate,
)
from automl.learners import (
    LEARNERS,
    MissingDependencyError,
    get_learner,
    learner_names,
    resolve_models,
)
from automl.metrics import METRICS
from featurization import FeaturizationConfig, resolve_featurization
from trials.executors import Executor
from trials.policies import EarlyTerminationPolicy, make_policy

__all__ = [
    "EXPERIMENT_NAME",
    "VERBOSITY_LEVELS",
    "check_columns",
    "check_executor",
    "check_exit_score",
    "check_experiment_name",
    "check_featurization",
    "check_models",
    "check_policy",
    "check_positive_label",
    "check_test",
    "check_validation",
    "check_verbosity",
    "check_workspace",
    "is_dnn",
    "pick_alias",
]

EXPERIMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
"""Experiment names: the run store's rule for names."""

VERBOSITY_LEVELS: Mapping[int, str] = {
    0: "not_set",
    10: "debug",
    20: "info",
    30: "warning",
    40: "error",
    50: "critical",
}
"""Python logging levels -> Azure v2 ``log_verbosity`` names."""

_RAY_ADDRESS = re.compile(r"^ray://[^\s:/]+:[0-9]{1,5}$")
_EXECUTORS = "'local', 'ray', 'ray://host:port' or an Executor instance"


def pick_alias(
    name: str, value: float | None, alias: str, alias_value: float | None, unit: str
) -> float | None:
    """The one value that two names of one setting give; an error when both disagree."""
    if value is not None and alias_value is not None and not math.isclose(value, alias_value):
        raise AutoMLConfigError(
            f"`{name}` and `{alias}` set the same limit and disagree: {name} gives "
            f"{value:g} {unit}, {alias} gives {alias_value:g} {unit}; give only one of them"
        )
    return value if value is not None else alias_value


def check_exit_score(
    value: object, metric: str, bounds: tuple[float, float] | None = None
) -> float | None:
    """``experiment_exit_score``: None, or a number inside the primary metric's range
    (``bounds``, else the range of the tabular metric registry)."""
    if value is None:
        return None
    score = check_number("experiment_exit_score", value, "a finite number (a score to reach)")
    low, high = METRICS[metric].bounds if bounds is None else bounds
    if not low <= score <= high:
        raise AutoMLConfigError(
            f"`experiment_exit_score` must be within the range of `primary_metric` {metric!r} "
            f"[{low:g}, {high:g}], got {describe(value)}"
        )
    return score


def is_dnn(name: str) -> bool:
    """Whether a learner is a neural network (what ``enable_dnn`` lets into the search)."""
    return LEARNERS[name].info.package == "torch"


def check_models(
    task: str, allowed: object, blocked: object, enable_dnn: bool
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """``allowed_models``/``blocked_models`` as canonical Azure names, checked now.

    Unknown names (with the valid ones), a model of the other task in ``allowed_models``,
    nothing left to search, and an allowed model (or ``enable_dnn``) whose library is
    missing are errors.
    """
    allowed_names = None if allowed is None else check_names("allowed_models", allowed, "models")
    blocked_names = () if blocked is None else check_names("blocked_models", blocked, "models")
    try:
        selection = resolve_models(task, allowed_names, blocked_names)
    except MissingDependencyError as error:
        raise MissingDependencyError(f"`allowed_models`: {error}") from None
    except ValueError as error:
        raise AutoMLConfigError(str(error)) from None
    canonical_allowed = (
        None
        if allowed_names is None
        else tuple(dict.fromkeys(get_learner(n).info.name for n in allowed_names))
    )
    canonical_blocked = tuple(dict.fromkeys(get_learner(n).info.name for n in blocked_names))
    if canonical_allowed is None:
        dnn = [n for n in learner_names(task) if is_dnn(n) and n not in canonical_blocked]
        if enable_dnn:
            for name in dnn:
                try:
                    LEARNERS[name].require()
                except MissingDependencyError as error:
                    raise MissingDependencyError(
                        f"`enable_dnn` is True but {error}; or leave enable_dnn=False"
                    ) from None
        elif not [x for x in selection.names if not is_dnn(x)]:
            raise AutoMLConfigError(
                f"every model is blocked: `blocked_models` removes every model for {task} "
                f"that the search may use ({', '.join(dnn)} only with `enable_dnn=True`); "
                "unblock at least one, or set enable_dnn=True"
            )
    return canonical_allowed, canonical_blocked


def check_featurization(value: object) -> str | FeaturizationConfig:
    """``featurization``: ``"auto"``, ``"off"`` or a :class:`FeaturizationConfig`."""
    if value is None:
        return "auto"
    if isinstance(value, FeaturizationConfig):
        return value
    if isinstance(value, str):
        mode = value.strip().lower()
        if mode in ("auto", "off"):
            return mode
        hint = (
            "; custom featurization is a FeaturizationConfig(...) or a mapping of its fields"
            if mode == "custom"
            else closest(mode, ["auto", "off"])
        )
        raise AutoMLConfigError(
            "`featurization` must be 'auto', 'off', a FeaturizationConfig or a mapping of its "
            f"fields, got {value!r}{hint}"
        )
    if isinstance(value, Mapping):
        try:
            resolved = resolve_featurization(value)
        except ValueError as error:
            raise relocate(error, "featurization") from None
        return "off" if resolved.passthrough else resolved
    raise AutoMLConfigError(
        "`featurization` must be 'auto', 'off', a FeaturizationConfig or a mapping of its "
        f"fields, got {describe(value)}"
    )


def check_policy(value: object) -> EarlyTerminationPolicy:
    """``early_termination_policy`` as a policy instance (None: no early termination)."""
    if value is not None and not isinstance(value, (EarlyTerminationPolicy, str, Mapping)):
        raise AutoMLConfigError(
            "`early_termination_policy` must be None, a policy (BanditPolicy(...), ...), a type "
            f"name or a mapping such as {{'type': 'bandit', 'slack_factor': 0.1}}, got "
            f"{describe(value)}"
        )
    try:
        return make_policy(value)
    except (TypeError, ValueError) as error:
        raise relocate(error, "early_termination_policy") from None


def check_validation(
    task: str,
    validation_data_given: bool,
    validation_size: object,
    n_cross_validations: object,
    cv_split_column_names: object,
) -> tuple[float | None, int | None, tuple[str, ...] | None]:
    """Azure's validation settings and their exclusivity, with ``automl._validation``'s rules.

    ``validation_size=0`` and ``n_cross_validations="auto"`` mean "not set" (Azure's).
    """
    from automl._validation import MAX_N_CROSS_VALIDATIONS, choose_validation

    columns = (
        None
        if cv_split_column_names is None
        else check_names("cv_split_column_names", cv_split_column_names, "column names")
    )
    folds = n_cross_validations
    if isinstance(folds, str) and folds.strip().lower() == "auto":
        folds = None
    try:
        plan = choose_validation(
            MAX_N_CROSS_VALIDATIONS,  # any size that fits every allowed fold count
            task=task,
            validation_data_given=validation_data_given,
            validation_size=validation_size,  # type: ignore[arg-type]
            n_cross_validations=folds,  # type: ignore[arg-type]
            cv_split_column_names=columns,
        )
    except ValueError as error:
        raise AutoMLConfigError(str(error)) from None
    size = None if validation_size is None or validation_size == 0 else float(validation_size)  # type: ignore[arg-type]
    n_folds = None if folds is None else int(folds)  # type: ignore[call-overload]
    del plan
    return size, n_folds, columns or None


def check_test(test_data_given: bool, test_size: object) -> float | None:
    """``test_size``: None (or 0: not set) or a fraction in (0, 0.99]; not with ``test_data``."""
    if test_size is None or (not isinstance(test_size, bool) and test_size == 0):
        return None
    size = check_number("test_size", test_size, "a float in (0, 0.99]")
    if not 0.0 < size <= 0.99:
        raise AutoMLConfigError(f"`test_size` must be a float in (0, 0.99], got {test_size!r}")
    if test_data_given:
        raise AutoMLConfigError(
            "`test_data` and `test_size` cannot be used together (Azure's rule): give test "
            "data, or a fraction of the training data to hold out for testing"
        )
    return size


def check_positive_label(task: str, value: object) -> Any:
    """``positive_label``: None, or a label value (classification only)."""
    if value is None:
        return None
    if task != "classification":
        raise AutoMLConfigError(
            f"`positive_label` must be None for task {task!r} (it names the positive class of "
            f"a classification), got {describe(value)}"
        )
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # a numpy scalar
    if not isinstance(value, (str, int, float, bool)):
        raise AutoMLConfigError(
            f"`positive_label` must be a class label (a string, number or bool), got "
            f"{describe(value)}"
        )
    return value


def check_columns(
    columns: Sequence[str],
    data_field: str,
    *,
    label: str,
    weight: str | None,
    cv_columns: Sequence[str] | None,
) -> None:
    """The named columns exist in a table of ``data_field``.

    The label must be in every table; the weight column in the training and validation
    data; the cv split columns in the training data.
    """
    wanted = [("label_column_name", label)]
    if weight is not None and data_field != "test_data":
        wanted.append(("weight_column_name", weight))
    if data_field == "training_data":
        wanted += [("cv_split_column_names", name) for name in cv_columns or ()]
    known = set(columns)
    for field_name, name in wanted:
        if name not in known:
            shown = ", ".join(repr(c) for c in list(columns)[:30])
            more = f", ... ({len(columns) - 30} more)" if len(columns) > 30 else ""
            raise AutoMLConfigError(
                f"`{field_name}` must be a column of `{data_field}`, got {name!r}"
                f"{closest(name, columns)}; its columns are {shown}{more}"
            )


def check_executor(value: object) -> str | Executor:
    """``executor``: ``"local"``, ``"ray"`` / ``"ray://host:port"`` (Ray installed) or an
    :class:`~trials.executors.Executor`."""
    if isinstance(value, Executor):
        return value
    text = value.strip() if isinstance(value, str) else None
    if text == "local":
        return text
    if text is not None and (text == "ray" or text.startswith("ray://")):
        if text != "ray" and not _RAY_ADDRESS.match(text):
            raise AutoMLConfigError(
                f"`executor` must be {_EXECUTORS}, got {value!r}: a Ray address is "
                "ray://host:port, e.g. 'ray://10.0.0.5:10001'"
            )
        if find_spec("ray") is None:
            raise MissingDependencyError(
                f"`executor` {text!r} needs Ray: pip install 'openaml[ray]' (or use "
                "executor='local')"
            )
        return text
    hint = closest(text, ["local", "ray"]) if text is not None else ""
    if text is not None and text.lower().startswith("azureml:"):
        hint = "; Azure compute targets do not exist locally"
    raise AutoMLConfigError(f"`executor` must be {_EXECUTORS}, got {describe(value)}{hint}")


def check_workspace(value: object) -> Any:
    """``workspace``: None, a folder path, a database URL or a Workspace (not opened here)."""
    from trials.store import Workspace

    if value is None or isinstance(value, (Workspace, os.PathLike)):
        return value
    if isinstance(value, str) and value.strip():
        return value
    raise AutoMLConfigError(
        "`workspace` must be None (AUTOML_WORKSPACE, else ./automl_workspace), a folder path, "
        f"a database URL or a Workspace, got {describe(value)}"
    )


def check_experiment_name(value: object) -> str | None:
    """``experiment_name``: None (a new unique name at fit time) or a valid name."""
    if value is None:
        return None
    if not isinstance(value, str) or not EXPERIMENT_NAME.match(value):
        raise AutoMLConfigError(
            "`experiment_name` must start with a letter or digit and hold only letters, "
            f"digits, '_', '.' and '-' (at most 128 characters), or be None, got {describe(value)}"
        )
    return value


def check_verbosity(value: object) -> int:
    """``verbosity``: a Python logging level (Azure's), e.g. 20 for INFO."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in VERBOSITY_LEVELS:
        levels = ", ".join(f"{level} ({name.upper()})" for level, name in VERBOSITY_LEVELS.items())
        raise AutoMLConfigError(f"`verbosity` must be a logging level: {levels}, got {value!r}")
    return value


def check_seed(value: object) -> int:
    """``seed``: a non-negative int."""
    return check_count("seed", value, minimum=0, hint="the same seed gives the same search")
