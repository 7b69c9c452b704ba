"""Sweep jobs written in Azure ML's v2 YAML (``type: sweep``), read for a local run.

:func:`load_sweep_job` reads a file and :func:`parse_sweep_job` a loaded mapping; both
return a validated :class:`SweepJob`, and :meth:`SweepJob.to_sweep_kwargs` gives the
arguments of ``Sweep(...)``. Every bad value is an error before any trial runs, naming the
field's YAML path ("`limits.max_total_trials` must be an int >= 1, got 0"), and an unknown
key is an error listing the valid keys at its level.

How each v2 key is read:

- ``type: sweep`` is required; ``$schema``, ``description``, ``tags``, ``display_name``
  are kept; ``experiment_name`` names the experiment, else the YAML file's stem does, so
  running the same file again resumes it.
- ``trial``: ``command`` (required; placeholders checked), ``code`` (working folder,
  relative to the YAML file; default the YAML file's folder), ``environment_variables``;
  ``environment`` is ignored with a notice (trials use this machine's Python).
- ``inputs``: literals, or ``uri_file``/``uri_folder`` with a local path that must exist.
- ``outputs``: accepted and not mounted, with a notice; trials log artifacts instead.
- ``search_space``, ``sampling_algorithm`` (default ``random``), ``objective``,
  ``early_termination``: Azure's meanings, validated by the samplers and policies.
- ``limits``: ``max_total_trials``, ``max_concurrent_trials`` (default 1), ``timeout`` and
  ``trial_timeout`` (seconds). ``max_total_trials`` is required unless ``timeout`` is given
  or the sampling is ``grid`` (which ends by itself).
- ``resources`` (top level or under ``trial``, not both): ``cpus``, ``gpus``, ``mem_in_mb``
  per trial; Azure's ``instance_count``, ``instance_type``, ... are ignored with a notice.
- ``compute``: ``local`` (default), ``ray`` (a local Ray) or ``ray://host:port`` (a Ray
  cluster; needs ``openaml[ray]``); anything else (``azureml:...`` included) is an error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from search_spaces import SearchSpace
from trials._limits import Limits
from trials._sweep_yaml_checks import (
    SweepJobError,
    check_keys,
    describe,
    mapping,
    optional_string,
    string_mapping,
)
from trials._sweep_yaml_io import JobInput, input_values, parse_inputs, parse_outputs
from trials._sweep_yaml_sections import (
    check_type,
    is_grid,
    parse_compute,
    parse_early_termination,
    parse_limits,
    parse_objective,
    parse_sampling,
    parse_search_space_section,
)
from trials._sweep_yaml_trial import (
    TrialCommand,
    check_placeholders,
    parse_resources,
    parse_trial,
)
from trials._targets import CommandTemplate
from trials.executors import Resources

__all__ = [
    "JobInput",
    "SweepJob",
    "SweepJobError",
    "TrialCommand",
    "load_sweep_job",
    "parse_sweep_job",
]

TOP_LEVEL_KEYS = (
    "$schema",
    "type",
    "description",
    "tags",
    "display_name",
    "experiment_name",
    "compute",
    "trial",
    "inputs",
    "outputs",
    "search_space",
    "sampling_algorithm",
    "objective",
    "early_termination",
    "limits",
    "resources",
)
_TOP_LEVEL_HINTS = {
    "name": "Azure's job name is a unique run id; name the experiment with `experiment_name`, "
    "or label it with `display_name`",
    "command": "a sweep's command goes under `trial:` (trial: {command: ..., code: .})",
    "code": "a sweep's code folder goes under `trial:` (trial: {command: ..., code: .})",
    "environment": "a sweep's environment goes under `trial:`, where it is ignored locally",
    "identity": "there is no Azure identity locally; remove it",
    "services": "there are no job services locally; remove it",
    "queue_settings": "there is no job queue locally; remove it",
    "properties": "use `tags` for your own key/value pairs",
}


@dataclass(frozen=True)
class SweepJob:
    """A validated ``type: sweep`` job, ready to run locally.

    Build one with :func:`load_sweep_job` or :func:`parse_sweep_job`; the fields hold
    checked values, and :meth:`to_sweep_kwargs` turns them into ``Sweep(...)`` arguments.

    Attributes:
        trial: The command each trial runs, its code folder and environment variables.
        search_space: The parsed ``search_space``.
        primary_metric: ``objective.primary_metric``: what trials report and are ranked by.
        goal: ``objective.goal``, lower-cased: ``"maximize"`` or ``"minimize"``.
        sampling_algorithm: The ``sampling_algorithm`` as written (a name or a mapping).
        early_termination: The ``early_termination`` as written; None: no policy.
        limits: ``limits``, checked.
        inputs: ``inputs`` by name; paths resolved and checked.
        outputs: Names of the ``outputs`` (not mounted locally; see the notices).
        resources: Per-trial ``cpus``/``gpus``/``mem_in_mb``; None: the executor's default.
        compute: Where trials run: ``"local"``, ``"ray"`` or ``"ray://host:port"``.
        experiment_name: ``experiment_name``, else the YAML file's stem; None for a
            mapping parsed without a ``source``.
        display_name: ``display_name``, if given.
        description: ``description``, if given.
        tags: ``tags``, values as strings.
        schema: ``$schema``, if given.
        source: The YAML file, when the job was loaded from one.
        notices: What was accepted but is ignored or changed locally, one sentence each.

    Example:
        >>> job = parse_sweep_job({
        ...     "type": "sweep",
        ...     "trial": {"command": "python train.py --lr ${{search_space.lr}}"},
        ...     "search_space": {"lr": {"type": "uniform", "min_value": 0.01, "max_value": 0.1}},
        ...     "objective": {"goal": "Maximize", "primary_metric": "accuracy"},
        ...     "limits": {"max_total_trials": 10},
        ... }, base_dir=".")
        >>> job.goal, job.limits.max_total_trials
        ('maximize', 10)
    """

    trial: TrialCommand
    search_space: SearchSpace
    primary_metric: str
    goal: Literal["maximize", "minimize"]
    sampling_algorithm: str | Mapping[str, Any] = "random"
    early_termination: str | Mapping[str, Any] | None = None
    limits: Limits = field(default_factory=Limits)
    inputs: Mapping[str, JobInput] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    resources: Resources | None = None
    compute: str = "local"
    experiment_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    schema: str | None = None
    source: Path | None = None
    notices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Read-only views, so a frozen job cannot be changed through its mappings.
        for name in ("inputs", "tags", "sampling_algorithm", "early_termination"):
            value = getattr(self, name)
            if isinstance(value, Mapping) and not isinstance(value, MappingProxyType):
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def command_target(self) -> CommandTemplate:
        """The trial as a command template: placeholders replaced per trial.

        ``python``/``python3`` as the program is the interpreter running the sweep
        (``sys.executable``), since the job's ``environment`` is not built locally.
        """
        argv = list(self.trial.argv)
        if argv[0] in {"python", "python3"}:
            argv[0] = sys.executable
        return CommandTemplate(
            argv,
            cwd=self.trial.code,
            env=dict(self.trial.environment_variables),
            inputs=input_values(self.inputs),
        )

    def to_sweep_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``Sweep(...)`` that this job defines.

        The workspace is not part of the job: pass it next to these, e.g.
        ``Sweep(**job.to_sweep_kwargs(), workspace=path).run()``.
        """
        return {
            "trial": self.command_target(),
            "search_space": self.search_space,
            "primary_metric": self.primary_metric,
            "goal": self.goal,
            "sampling_algorithm": _plain(self.sampling_algorithm),
            "early_termination": _plain(self.early_termination),
            "max_total_trials": self.limits.max_total_trials,
            "max_concurrent_trials": self.limits.max_concurrent_trials,
            "timeout": self.limits.timeout,
            "trial_timeout": self.limits.trial_timeout,
            "resources": self.resources,
            "executor": self.compute,
            "experiment_name": self.experiment_name,
        }


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def load_sweep_job(path: str | os.PathLike[str]) -> SweepJob:
    """Read and validate a sweep job YAML file.

    Relative paths in the file (``trial.code``, input paths) are relative to its folder;
    the experiment is named by ``experiment_name``, else by the file's stem.

    Args:
        path: The YAML file.

    Returns:
        The validated job.

    Raises:
        SweepJobError: The file is missing or not YAML, or the job is invalid; the message
            starts with the file's path and names the field.

    Example:
        >>> job = load_sweep_job("examples/sweep_credit/sweep.yaml")  # doctest: +SKIP
        >>> job.experiment_name  # doctest: +SKIP
        'sweep_credit'
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SweepJobError(f"sweep job file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SweepJobError(f"cannot read the sweep job file {file}: {error}") from None
    try:
        data = _load_yaml(text)
        return parse_sweep_job(data, base_dir=file.resolve().parent, source=file)
    except SweepJobError as error:
        raise SweepJobError(f"{file}: {error}") from None


def _load_yaml(text: str) -> Any:
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """A safe loader for which a key given twice in one mapping is an error."""

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            seen: set[str] = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if isinstance(key, str) and key != "<<" and key in seen:
                    raise SweepJobError(
                        f"the key {key!r} is given twice (line {key_node.start_mark.line + 1}); "
                        "keep one"
                    )
                if isinstance(key, str):
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise SweepJobError(f"not valid YAML: {error}") from None


def parse_sweep_job(
    data: object,
    *,
    base_dir: str | os.PathLike[str],
    source: str | os.PathLike[str] | None = None,
) -> SweepJob:
    """Validate a loaded sweep job mapping (the content of a ``type: sweep`` YAML).

    Args:
        data: The mapping, as ``yaml.safe_load`` returns it.
        base_dir: The folder relative paths are relative to (the YAML file's).
        source: The file it came from; its stem names the experiment when the job gives
            no ``experiment_name``.

    Returns:
        The validated job.

    Raises:
        SweepJobError: The first problem found, naming the field's YAML path.
    """
    if not isinstance(data, Mapping):
        raise SweepJobError(
            f"a sweep job must be a mapping with `type: sweep` at its top, got {describe(data)}"
        )
    job = mapping(data, "the sweep job")
    check_keys(job, TOP_LEVEL_KEYS, "", _TOP_LEVEL_HINTS)
    check_type(job.get("type"))
    folder = Path(base_dir).resolve()
    notices: list[str] = []
    trial, trial_resources = parse_trial(job.get("trial"), folder, notices)
    inputs = parse_inputs(job.get("inputs"), folder)
    outputs = parse_outputs(job.get("outputs"))
    if outputs:
        notices.append(
            f"`outputs` ({', '.join(outputs)}) are not mounted locally: a trial keeps its "
            "files as artifacts with report.log_artifact(path)"
        )
    space = parse_search_space_section(job.get("search_space"))
    check_placeholders(trial.argv, space, inputs, notices)
    primary_metric, goal = parse_objective(job.get("objective"))
    sampling = parse_sampling(job.get("sampling_algorithm", "random"), space, goal)
    early = parse_early_termination(job.get("early_termination"))
    limits = parse_limits(job.get("limits"), grid=is_grid(sampling))
    top_resources = job.get("resources")
    if top_resources is not None and trial_resources is not None:
        raise SweepJobError(
            "`resources` is given both at the top level and under `trial`; give it once"
        )
    resources = parse_resources(
        trial_resources if top_resources is None else top_resources,
        "trial.resources" if top_resources is None else "resources",
        notices,
    )
    experiment = optional_string(job, "experiment_name")
    if experiment is None and source is not None:
        experiment = Path(source).stem
    return SweepJob(
        trial=trial,
        search_space=space,
        primary_metric=primary_metric,
        goal=goal,
        sampling_algorithm=sampling,
        early_termination=early,
        limits=limits,
        inputs=inputs,
        outputs=outputs,
        resources=resources,
        compute=parse_compute(job.get("compute")),
        experiment_name=experiment,
        display_name=optional_string(job, "display_name"),
        description=optional_string(job, "description"),
        tags=string_mapping(job.get("tags"), "tags"),
        schema=optional_string(job, "$schema"),
        source=None if source is None else Path(source),
        notices=tuple(notices),
    )
