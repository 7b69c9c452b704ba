"""AutoML jobs written in Azure ML's v2 YAML (``type: automl``), read into an AutoMLConfig.

:data:`TABLE` is the one table mapping every v2 key to its :class:`~automl.AutoMLConfig`
field; :func:`load_automl_job` reads a file with it and :func:`config_to_yaml_mapping` writes
a config back with it. Every error names the YAML path of the field
("`limits.timeout_minutes` must be a number of minutes > 0, got 0"); an unknown key is an
error listing the valid keys at its level.

==========================================  =================================================
v2 key                                      AutoMLConfig field
==========================================  =================================================
``task``                                    ``task`` (classification, regression,
                                            forecasting)
``primary_metric``                          ``primary_metric`` (``auc_weighted`` ->
                                            ``AUC_weighted``; case and ``_`` ignored)
``target_column_name``                      ``label_column_name``
``training_data``                           ``training_data`` (see :mod:`automl._yaml_data`)
``validation_data``                         ``validation_data``
``validation_data_size``                    ``validation_size``
``n_cross_validations``                     ``n_cross_validations``
``cv_split_column_names``                   ``cv_split_column_names``
``test_data``                               ``test_data``
``test_data_size``                          ``test_size``
``weight_column_name``                      ``weight_column_name``
``positive_label``                          ``positive_label``
``log_verbosity``                           ``verbosity`` (``info`` -> 20)
``compute``                                 ``executor`` (local, ray, ray://host:port)
``experiment_name``                         ``experiment_name`` (else the file's stem)
``featurization``                           ``featurization`` (mode auto/off/custom, ...)
``limits.timeout_minutes``                  ``experiment_timeout_minutes``
``limits.trial_timeout_minutes``            ``iteration_timeout_minutes``
``limits.max_trials``                       ``max_trials``
``limits.max_concurrent_trials``            ``max_concurrent_iterations``
``limits.max_cores_per_trial``              ``max_cores_per_iteration``
``limits.exit_score``                       ``experiment_exit_score``
``limits.enable_early_termination``         ``enable_early_stopping``
``forecasting``                             ``forecasting_parameters`` (the v2 names, see
                                            :mod:`automl._yaml_forecasting`)
``training.allowed_training_algorithms``    ``allowed_models`` (``light_gbm`` -> LightGBM)
``training.blocked_training_algorithms``    ``blocked_models``
``training.enable_vote_ensemble``           ``enable_voting_ensemble``
``training.enable_stack_ensemble``          ``enable_stack_ensemble``
``training.enable_model_explainability``    ``model_explainability``
``training.enable_dnn_training``            ``enable_dnn``
``training.seed``                           ``seed`` (openaml's key)
``sweep.early_termination``                 ``early_termination_policy`` (Azure's key of
                                            AutoML image/NLP jobs)
``resources.mem_in_mb``                     ``mem_in_mb`` (openaml's key, as in sweep jobs)
``resources.gpus_per_trial``                ``gpus_per_iteration`` (openaml's key)
==========================================  =================================================

Also accepted: ``$schema``, ``type: automl``, ``description``, ``tags``, ``display_name``
(kept on the :class:`AutoMLJob`); ``environment``, ``environment_id``, ``limits.max_nodes``,
Azure's ``resources`` keys and a few ``training`` settings are ignored with a notice. The
workspace is not part of the file (``automl run --workspace``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from automl import _yaml_forecasting as forecast
from automl import _yaml_values as values
from automl._config import AutoMLConfig
from automl._config_checks import AutoMLConfigError
from automl._yaml_data import read_data, write_data
from automl._yaml_values import (
    AutoMLJobError,
    check_keys,
    check_type,
    load_yaml,
    mapping,
    optional_string,
    read_tags,
    stem_name,
)
from automl.learners import MissingDependencyError
from trials.executors import Executor
from trials.policies import EarlyTerminationPolicy

__all__ = [
    "TABLE",
    "AutoMLJob",
    "AutoMLJobError",
    "V2Key",
    "config_to_yaml_mapping",
    "dump_automl_job",
    "load_automl_job",
    "parse_automl_job",
]


@dataclass
class _Context:
    base_dir: Path | None
    notices: list[str]
    task: object = None


Reader = Callable[[Any, _Context, str], Any]
Writer = Callable[[Any, _Context, str], Any]


def _same(value: Any, context: _Context, where: str) -> Any:
    return value


def _number(value: Any, context: _Context, where: str) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class V2Key:
    """One row of the table: a v2 YAML key and the AutoMLConfig field it sets.

    Attributes:
        path: The key's YAML path (``"limits.timeout_minutes"``).
        field: The AutoMLConfig field.
        read: v2 value -> the field's value (before AutoMLConfig checks it).
        write: The field's value -> v2 value.
        always: Written even when the value is the default.
    """

    path: str
    field: str
    read: Reader = _same
    write: Writer = _same
    always: bool = False


def _data_reader(value: Any, context: _Context, where: str) -> Any:
    if context.base_dir is None:
        raise AutoMLJobError(f"`{where}` needs the YAML file's folder to resolve its path")
    return read_data(value, where, context.base_dir)


def _data_writer(value: Any, context: _Context, where: str) -> Any:
    return write_data(value, where, context.base_dir)


def _executor_writer(value: Any, context: _Context, where: str) -> Any:
    if isinstance(value, Executor):
        raise AutoMLJobError(
            f"`{where}` cannot hold the executor instance {type(value).__name__}: a YAML job "
            "takes local, ray or ray://host:port"
        )
    return value


def _policy_writer(value: Any, context: _Context, where: str) -> Any:
    return value.to_dict() if isinstance(value, EarlyTerminationPolicy) else value


TABLE: tuple[V2Key, ...] = (
    V2Key("task", "task", always=True),
    V2Key(
        "primary_metric",
        "primary_metric",
        lambda v, c, w: values.read_metric(v, c.task),
        lambda v, c, w: values.write_metric(v),
        always=True,
    ),
    V2Key("target_column_name", "label_column_name", always=True),
    V2Key("training_data", "training_data", _data_reader, _data_writer, always=True),
    V2Key("validation_data", "validation_data", _data_reader, _data_writer),
    V2Key("validation_data_size", "validation_size"),
    V2Key("n_cross_validations", "n_cross_validations"),
    V2Key("cv_split_column_names", "cv_split_column_names", write=lambda v, c, w: list(v)),
    V2Key("test_data", "test_data", _data_reader, _data_writer),
    V2Key("test_data_size", "test_size"),
    V2Key("weight_column_name", "weight_column_name"),
    V2Key("positive_label", "positive_label"),
    V2Key(
        "log_verbosity",
        "verbosity",
        lambda v, c, w: values.read_log_verbosity(v, w),
        lambda v, c, w: values.write_log_verbosity(v),
    ),
    V2Key("compute", "executor", lambda v, c, w: values.read_compute(v, w), _executor_writer),
    V2Key("experiment_name", "experiment_name"),
    V2Key(
        "featurization",
        "featurization",
        lambda v, c, w: values.read_featurization(v, w),
        lambda v, c, w: values.write_featurization(v),
    ),
    V2Key("forecasting", "forecasting_parameters", forecast.reader, forecast.writer),
    V2Key("limits.timeout_minutes", "experiment_timeout_minutes", write=_number),
    V2Key("limits.trial_timeout_minutes", "iteration_timeout_minutes", write=_number),
    V2Key("limits.max_trials", "max_trials"),
    V2Key("limits.max_concurrent_trials", "max_concurrent_iterations"),
    V2Key("limits.max_cores_per_trial", "max_cores_per_iteration"),
    V2Key("limits.exit_score", "experiment_exit_score"),
    V2Key("limits.enable_early_termination", "enable_early_stopping"),
    V2Key(
        "training.allowed_training_algorithms",
        "allowed_models",
        lambda v, c, w: forecast.read_algorithms(v, c.task, w, c.notices, blocking=False),
        lambda v, c, w: forecast.write_algorithms(v, c.task),
    ),
    V2Key(
        "training.blocked_training_algorithms",
        "blocked_models",
        lambda v, c, w: forecast.read_algorithms(v, c.task, w, c.notices, blocking=True),
        lambda v, c, w: forecast.write_algorithms(v, c.task),
    ),
    V2Key("training.enable_vote_ensemble", "enable_voting_ensemble"),
    V2Key("training.enable_stack_ensemble", "enable_stack_ensemble"),
    V2Key("training.enable_model_explainability", "model_explainability"),
    V2Key("training.enable_dnn_training", "enable_dnn"),
    V2Key("training.seed", "seed"),
    V2Key("sweep.early_termination", "early_termination_policy", write=_policy_writer),
    V2Key("resources.mem_in_mb", "mem_in_mb"),
    V2Key("resources.gpus_per_trial", "gpus_per_iteration"),
)
"""Every v2 key that sets an AutoMLConfig field, in the order a job is usually written."""

FIELD_PATHS: Mapping[str, str] = MappingProxyType(
    {row.field: row.path for row in TABLE}
    | {
        alias: {row.field: row.path for row in TABLE}[name]
        for alias, name in AutoMLConfig.ALIASES.items()
    }
)
"""AutoMLConfig field (aliases too) -> its v2 YAML path."""

JOB_KEYS = ("$schema", "type", "description", "tags", "display_name")
_SECTIONS = ("limits", "training", "sweep", "resources")
_ENVIRONMENT = "is ignored: trials run in this machine's Python environment"
_RESOURCES = (
    "is an Azure compute setting and is ignored; locally `limits.max_cores_per_trial`, "
    "`resources.mem_in_mb` and `resources.gpus_per_trial` size a trial"
)
IGNORED: Mapping[str, str] = {
    "environment": _ENVIRONMENT,
    "environment_id": _ENVIRONMENT,
    "limits.max_nodes": "is ignored: trials run on this machine (or the Ray cluster), "
    "not on Azure nodes",
    "training.ensemble_model_download_timeout_minutes": "is ignored: ensembles are built "
    "from local files",
    "training.stack_ensemble_settings": "is ignored: the stack ensemble uses openaml's "
    "meta-learner",
    "training.training_mode": "is ignored: training is not distributed across nodes",
    "training.enable_onnx_compatible_models": "must be false: ONNX export is not part of "
    "openaml",
    **{
        f"resources.{key}": _RESOURCES
        for key in ("instance_count", "instance_type", "shm_size", "docker_args",
                    "properties", "locations", "max_instance_count")
    },
}  # fmt: skip
"""Accepted keys that set nothing, with the notice they give."""

_HINTS: Mapping[str, Mapping[str, str]] = {
    "": {
        "name": "Azure's job name is a unique run id; name the experiment with "
        "`experiment_name`, or label it with `display_name`",
        "properties": "use `tags` for your own key/value pairs",
        "identity": "there is no Azure identity locally; remove it",
        "services": "there are no job services locally; remove it",
        "queue_settings": "there is no job queue locally; remove it",
        "outputs": "the best model is registered in the workspace; there are no outputs",
        "environment_variables": "set environment variables before `automl run`",
        "search_space": "AutoML searches each model's own space; a search space is for "
        "`type: sweep` jobs",
    },
    "limits": {
        "max_total_trials": "AutoML's trial count is `limits.max_trials`",
        "timeout": "AutoML's limit is `limits.timeout_minutes` (in minutes)",
        "trial_timeout": "AutoML's limit is `limits.trial_timeout_minutes` (in minutes)",
    },
    "sweep": {
        "sampling_algorithm": "AutoML chooses its own search (a portfolio of strong "
        "configurations, then Bayesian optimisation)",
        "search_space": "AutoML searches each model's own space",
    },
}


def _valid_keys(section: str) -> list[str]:
    paths = [row.path for row in TABLE] + list(IGNORED)
    if section == "":
        return [*JOB_KEYS, *_SECTIONS, *(p for p in paths if "." not in p)]
    return [p.split(".", 1)[1] for p in paths if p.startswith(section + ".")]


def _hints(section: str) -> dict[str, str]:
    hints = dict(_HINTS.get(section, {}))
    for name, path in FIELD_PATHS.items():  # AutoMLConfig's names, said in the YAML's words
        if path.split(".", 1)[-1] != name:
            hints.setdefault(name, f"AutoMLConfig's `{name}` is `{path}` in the YAML")
    return hints


@dataclass(frozen=True)
class AutoMLJob:
    """A validated ``type: automl`` job: its AutoMLConfig and what the file said besides.

    Attributes:
        config: The configuration; its ``experiment_name`` is the job's ``experiment_name``,
            else the file's stem, so running the same file again resumes the experiment.
        notices: What was accepted but is ignored or changed locally, one sentence each.
        display_name: ``display_name``, if given.
        description: ``description``, if given.
        tags: ``tags``, values as strings.
        schema: ``$schema``, if given.
        source: The YAML file, when the job was loaded from one.

    Example:
        >>> job = load_automl_job("examples/automl_credit/job.yaml")  # doctest: +SKIP
        >>> job.experiment_name, job.config.task  # doctest: +SKIP
        ('automl_credit', 'classification')
    """

    config: AutoMLConfig
    notices: tuple[str, ...] = ()
    display_name: str | None = None
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    schema: str | None = None
    source: Path | None = None

    @property
    def experiment_name(self) -> str | None:
        """The experiment the job runs as (``experiment_name``, else the file's stem)."""
        return self.config.experiment_name


def load_automl_job(path: str | os.PathLike[str], *, workspace: Any = None) -> AutoMLJob:
    """Read and validate an AutoML job YAML file.

    Relative data paths are relative to the file's folder; the experiment is named by
    ``experiment_name``, else by the file's stem.

    Args:
        path: The YAML file.
        workspace: The config's ``workspace`` (the file does not name one).

    Raises:
        AutoMLJobError: The file is missing or not YAML, or the job is invalid; the message
            starts with the file's path and names the field's YAML path.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AutoMLJobError(f"AutoML job file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise AutoMLJobError(f"cannot read the AutoML job file {file}: {error}") from None
    try:
        data = load_yaml(text)
        return parse_automl_job(
            data, base_dir=file.resolve().parent, source=file, workspace=workspace
        )
    except AutoMLJobError as error:
        raise AutoMLJobError(f"{file}: {error}") from None


def parse_automl_job(
    data: object,
    *,
    base_dir: str | os.PathLike[str],
    source: str | os.PathLike[str] | None = None,
    workspace: Any = None,
) -> AutoMLJob:
    """Validate a loaded AutoML job mapping (the content of a ``type: automl`` YAML).

    Args:
        data: The mapping, as ``yaml.safe_load`` returns it.
        base_dir: The folder relative data paths are relative to (the YAML file's).
        source: The file it came from; its stem names the experiment when the job gives no
            ``experiment_name``.
        workspace: The config's ``workspace``.

    Raises:
        AutoMLJobError: The first problem found, naming the field's YAML path.
    """
    job = mapping(data, "the AutoML job", "it starts with `type: automl`")
    check_keys(job, _valid_keys(""), "", _hints(""))
    check_type(job.get("type"))
    sections: dict[str, Mapping[str, Any]] = {"": job}
    for name in _SECTIONS:
        raw = job.get(name)
        sections[name] = {} if raw is None else mapping(raw, name)
        check_keys(sections[name], _valid_keys(name), name, _hints(name))
    context = _Context(Path(base_dir).resolve(), [], job.get("task"))
    for path, notice in IGNORED.items():
        section, _, key = path.rpartition(".")
        if key in sections[section]:
            if key == "enable_onnx_compatible_models" and sections[section][key]:
                raise AutoMLJobError(f"`{path}` {notice}")
            if key != "enable_onnx_compatible_models":
                context.notices.append(f"`{path}` {notice}")
    kwargs: dict[str, Any] = {}
    for row in TABLE:
        section, _, key = row.path.rpartition(".")
        if sections[section].get(key) is not None:
            kwargs[row.field] = row.read(sections[section][key], context, row.path)
    for path, name in (("task", "task"), ("target_column_name", "label_column_name"),
                       ("training_data", "training_data")):  # fmt: skip
        if name not in kwargs:
            raise AutoMLJobError(f"`{path}` is required; an AutoML job needs task, "
                                 "target_column_name and training_data")  # fmt: skip
    if "experiment_name" not in kwargs and source is not None:
        kwargs["experiment_name"] = stem_name(Path(source))
    if workspace is not None:
        kwargs["workspace"] = workspace
    try:
        config = AutoMLConfig(**kwargs)
    except (AutoMLConfigError, MissingDependencyError) as error:
        raise AutoMLJobError(_in_yaml_words(str(error))) from None
    return AutoMLJob(
        config=config,
        notices=tuple(context.notices),
        display_name=optional_string(job, "display_name"),
        description=optional_string(job, "description"),
        tags=read_tags(job.get("tags")),
        schema=optional_string(job, "$schema"),
        source=None if source is None else Path(source),
    )


_BACKTICKED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)((?:[.\[][^`]*)?)`")


def _in_yaml_words(message: str) -> str:
    """An AutoMLConfig message with its field names replaced by their YAML paths."""

    def swap(match: re.Match[str]) -> str:
        name, rest = match.group(1), match.group(2)
        if name == "featurization" and rest.startswith(".column_purposes"):
            rest = ".column_name_and_types" + rest[len(".column_purposes") :]
        if name == "forecasting_parameters" and rest.startswith("."):
            rest = "." + forecast.v2_key(rest[1:])
        return f"`{FIELD_PATHS.get(name, name)}{rest}`"

    return _BACKTICKED.sub(swap, message)


def config_to_yaml_mapping(
    config: AutoMLConfig, *, base_dir: str | os.PathLike[str] | None = None
) -> dict[str, Any]:
    """The v2 YAML mapping of ``config``: ``type: automl``, the required keys, and every
    setting that differs from its default.

    Args:
        config: The configuration.
        base_dir: Write file paths relative to this folder (the YAML file's); None: as given.

    Raises:
        AutoMLJobError: Something a YAML job cannot hold: an in-memory table or an executor
            instance.

    Example:
        >>> import pandas as pd
        >>> config = AutoMLConfig(
        ...     "regression", training_data=pd.DataFrame({"x": [1, 2], "y": [0.5, 1.5]}),
        ...     label_column_name="y",
        ... )
        >>> config_to_yaml_mapping(config)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        automl._yaml_values.AutoMLJobError: `training_data` is an in-memory DataFrame, ...
    """
    context = _Context(None if base_dir is None else Path(base_dir), [], config.task)
    defaults = config.defaults()
    out: dict[str, Any] = {"type": "automl"}
    for row in TABLE:
        value = getattr(config, row.field)
        if not row.always and (value is None or value == defaults.get(row.field, None)):
            continue
        section, _, key = row.path.rpartition(".")
        target = out.setdefault(section, {}) if section else out
        target[key] = row.write(value, context, row.path)
    return out


def dump_automl_job(config: AutoMLConfig, path: str | os.PathLike[str]) -> None:
    """Write ``config`` as a v2 AutoML job YAML file (data paths relative to its folder)."""
    import yaml

    file = Path(path)
    mapping_ = config_to_yaml_mapping(config, base_dir=file.absolute().parent)
    file.write_text(yaml.safe_dump(mapping_, sort_keys=False), encoding="utf-8")
