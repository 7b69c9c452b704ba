"""How an :class:`~automl.AutoMLConfig` meets the outside: unknown arguments, JSON, repr.

Unknown constructor arguments get the valid names (and, for Azure v1 arguments that are not
fields here, what to use instead); values are turned into JSON-able ones for ``to_dict``
and into short texts for ``repr`` (a table is never printed, a URL's password never shown).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from automl import _data
from automl._config_checks import AutoMLConfigError, closest, describe

__all__ = [
    "DATA_FIELDS",
    "V1_HINTS",
    "check_arguments",
    "config_repr",
    "plain",
    "short_data",
    "values_from_dict",
    "workspace_text",
]

DATA_FIELDS = ("training_data", "validation_data", "test_data")
_URL_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")

# Azure AutoMLConfig (v1) arguments that are not fields here, and what to use instead.
V1_HINTS: Mapping[str, str] = {
    "X": "pass one table as `training_data` and name its label with `label_column_name`",
    "y": "pass one table as `training_data` and name its label with `label_column_name`",
    "sample_weight": "name a column of `training_data` with `weight_column_name`",
    "X_valid": "pass one table as `validation_data`",
    "y_valid": "pass one table as `validation_data`",
    "sample_weight_valid": "name a column with `weight_column_name`",
    "cv_splits_indices": "mark folds in columns of `training_data`: `cv_split_column_names`",
    "compute_target": "choose where trials run with `executor` ('local', 'ray', 'ray://...')",
    "spark_context": "scale out with executor='ray'",
    "blacklist_models": "Azure renamed it: use `blocked_models`",
    "whitelist_models": "Azure renamed it: use `allowed_models`",
    "enable_onnx_compatible_models": "ONNX export is not part of openaml",
    "enable_tf": "TensorFlow models are not part of openaml; neural networks: `enable_dnn`",
    "path": "runs are kept in the workspace: `workspace`",
    "debug_log": "logs are kept in the workspace; set the level with `verbosity`",
    "show_output": "it is an argument of running the experiment, not of its configuration",
    "enforce_time_on_windows": "timeouts are always enforced",
    "exclude_nan_labels": "rows with a missing label are always dropped (Azure's default)",
    "y_min": "it is computed from the data",
    "y_max": "it is computed from the data",
    "num_classes": "it is computed from the data",
    "enable_local_managed": "trials always run in local worker processes or on Ray",
    "target_column_name": "AutoMLConfig names it `label_column_name` (the YAML spelling is "
    "target_column_name)",
}


def check_arguments(names: Iterable[str], given: Iterable[str]) -> None:
    """Raise TypeError for the first argument in ``given`` that is not in ``names``."""
    valid = sorted(names)
    for key in given:
        if key not in valid:
            hint = V1_HINTS.get(key) or closest(key, valid).strip(" ()")
            raise TypeError(
                f"AutoMLConfig got an unexpected argument `{key}`"
                f"{'; ' + hint if hint else ''}. Valid arguments: {', '.join(valid)}"
            )


def workspace_text(value: object) -> str | None:
    """A workspace as text: its location, a database URL's password masked."""
    if value is None:
        return None
    location = getattr(value, "location", None)
    if isinstance(location, str):
        text = location
    elif isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
    else:
        text = repr(value)
    return _URL_PASSWORD.sub(r"\1***@", text)


def short_data(value: object) -> str:
    """A data value for ``repr``: a table by its kind and shape, a path or name as is."""
    description = _data.describe_data(value)
    if description is not None and "in_memory" in description:
        rows, columns = description["rows"], len(description["columns"])
        return f"<{description['in_memory']}: {rows} rows x {columns} columns>"
    if isinstance(value, os.PathLike):
        return repr(os.fspath(value))
    return repr(value)


def plain(name: str, value: Any) -> Any:
    """A field's value in JSON-able form (data as descriptions, objects as mappings)."""
    from featurization import FeaturizationConfig
    from trials.executors import Executor
    from trials.policies import EarlyTerminationPolicy

    if name in DATA_FIELDS:
        return _data.describe_data(value)
    if name == "workspace":
        return workspace_text(value)
    if isinstance(value, FeaturizationConfig):
        return value.to_dict()
    if isinstance(value, EarlyTerminationPolicy):
        return value.to_dict()
    if name == "forecasting_parameters" and value is not None:
        return value.to_dict()  # v2 names; AutoMLConfig reads them back
    if isinstance(value, Executor):
        return {"instance": type(value).__name__}
    if isinstance(value, tuple):
        return list(value)
    return value


def values_from_dict(
    names: list[str], data: Mapping[str, Any], overrides: Mapping[str, Any]
) -> dict[str, Any]:
    """The constructor arguments of ``AutoMLConfig.from_dict``: ``data`` (data fields as
    descriptions, read back) with ``overrides`` on top.

    Raises:
        AutoMLConfigError: ``data`` is no mapping, a key is no field (the valid ones are
            listed), or an executor instance was not given again.
    """
    if not isinstance(data, Mapping):
        raise AutoMLConfigError(f"`data` must be a mapping of field names, got {describe(data)}")
    for key in [*data, *overrides]:
        if key not in names:
            raise AutoMLConfigError(
                f"unknown AutoMLConfig field {key!r}{closest(str(key), names)}; valid "
                f"fields: {', '.join(names)}"
            )
    values = dict(data)
    for name in DATA_FIELDS:
        if name in values and name not in overrides:
            values[name] = _data.data_from_description(name, values[name])
    executor = values.get("executor")
    if isinstance(executor, Mapping) and "executor" not in overrides:
        raise AutoMLConfigError(
            f"`executor` was the instance {executor.get('instance')!r} and cannot be "
            "restored; pass it again: AutoMLConfig.from_dict(data, executor=...)"
        )
    values.update(overrides)
    return values


def config_repr(
    values: Mapping[str, Any], defaults: Mapping[str, Any], aliases: Mapping[str, str]
) -> str:
    """``AutoMLConfig('task', field=value, ...)`` with the fields that differ from their
    defaults; tables as short descriptions, a workspace URL without its password."""
    shown = [f"{values['task']!r}"]
    for name, value in values.items():
        if name == "task" or name in aliases:
            continue
        if name in defaults and value == defaults[name]:
            continue
        if name in DATA_FIELDS:
            text = short_data(value)
        elif name == "workspace":
            text = repr(workspace_text(value))
        else:
            text = repr(value)
        shown.append(f"{name}={text}")
    return f"AutoMLConfig({', '.join(shown)})"
