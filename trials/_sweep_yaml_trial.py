"""The ``trial`` of a sweep job YAML (its command, code folder and environment) and the
per-trial ``resources``.

The command runs as one program, without a shell: it is split like a shell would split it
(:func:`shlex.split`) and its ``${{search_space.<name>}}`` / ``${{inputs.<name>}}``
placeholders are replaced per trial, each within its own argument. Nested parameters of a
conditional search space are named by their flattened path: ``${{search_space.model.C}}``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search_spaces import Choice, SearchSpace
from trials._sweep_yaml_checks import (
    SweepJobError,
    check_keys,
    mapping,
    relocate,
    string,
    string_mapping,
)
from trials._sweep_yaml_io import OUTPUTS_HINT
from trials._targets import placeholders, search_space_paths
from trials.executors import Resources

__all__ = ["TrialCommand", "check_placeholders", "parse_resources", "parse_trial"]

TRIAL_KEYS = ("command", "code", "environment", "environment_variables", "resources")
_TRIAL_HINTS = {
    "distribution": "distributed training (mpi, pytorch, tensorflow) is not supported locally; "
    "remove it, each trial runs as one process",
    "queue_settings": "there is no job queue locally; remove it",
}
RESOURCE_KEYS = ("cpus", "gpus", "mem_in_mb")
_IGNORED_RESOURCE_KEYS = (
    "instance_count",
    "instance_type",
    "max_instance_count",
    "shm_size",
    "docker_args",
    "locations",
    "properties",
)
_SHELL_OPERATORS = frozenset({"&&", "||", "|", ";", "&", ">", ">>", "<", "2>", "2>&1", "|&"})


@dataclass(frozen=True)
class TrialCommand:
    """What each trial runs.

    Attributes:
        command: The command line as written in the YAML.
        argv: The command split into arguments, placeholders not yet replaced.
        code: The working directory of the command (absolute): ``trial.code``, else the YAML
            file's folder.
        environment_variables: Extra environment variables of the command.

    Example:
        >>> TrialCommand("python train.py", ("python", "train.py"), Path("/tmp")).argv[0]
        'python'
    """

    command: str
    argv: tuple[str, ...]
    code: Path
    environment_variables: Mapping[str, str] = field(default_factory=dict)


def parse_trial(raw: object, base_dir: Path, notices: list[str]) -> tuple[TrialCommand, Any]:
    """Read ``trial``; returns the command and its raw ``resources`` (None if absent).

    Raises:
        SweepJobError: A missing or bad command, a missing code folder, an unknown key.
    """
    if raw is None:
        raise SweepJobError(
            "`trial` is required: what each trial runs, e.g. "
            "trial: {command: python train.py --lr ${{search_space.lr}}, code: .}"
        )
    data = mapping(raw, "trial", "write trial: {command: python train.py ..., code: .}")
    check_keys(data, TRIAL_KEYS, "trial", _TRIAL_HINTS)
    if "command" not in data:
        raise SweepJobError(
            "`trial.command` is required: the command line each trial runs, e.g. "
            "python train.py --lr ${{search_space.lr}}"
        )
    command = string(data["command"], "trial.command")
    argv = split_command(command, "trial.command")
    code = _code_folder(data.get("code"), base_dir)
    if data.get("environment") is not None:
        notices.append(
            "`trial.environment` is ignored: trials run on this machine, in the Python "
            "environment that runs the sweep (`python` in the command is that interpreter)"
        )
    env = string_mapping(data.get("environment_variables"), "trial.environment_variables")
    for key, value in env.items():
        if placeholders(value):
            raise SweepJobError(
                f"`trial.environment_variables.{key}` holds a placeholder ({value!r}), but "
                "placeholders are replaced in `trial.command` only; pass the value as an "
                "argument of the command"
            )
    return TrialCommand(command, argv, code, env), data.get("resources")


def split_command(command: str, where: str) -> tuple[str, ...]:
    """Split ``command`` into arguments; lines ended by ``\\`` continue the command.

    Raises:
        SweepJobError: Shell syntax that a command run without a shell cannot honour.
    """
    if "$[[" in command:
        raise SweepJobError(
            f"`{where}` uses an optional-input block `$[[...]]`, which is not supported "
            "locally; give the input and write its argument plainly"
        )
    text = command.replace("\\\r\n", " ").replace("\\\n", " ").strip()
    if "\n" in text:
        raise SweepJobError(
            f"`{where}` holds several lines, which Azure runs as several shell commands; here "
            "the command runs as one program without a shell: join the lines (YAML `>-` folds "
            "them), end each line with `\\`, or put the steps in a script"
        )
    try:
        argv = tuple(shlex.split(text))
    except ValueError as error:
        raise SweepJobError(
            f"`{where}` must be a valid command line, got {command!r}: {error}"
        ) from None
    for argument in argv:
        if argument in _SHELL_OPERATORS:
            raise SweepJobError(
                f"`{where}` contains the shell operator {argument!r}, but the command runs as "
                "one program without a shell; put the steps in a script, or write "
                "bash -c '...'"
            )
    return argv


def _code_folder(raw: object, base_dir: Path) -> Path:
    if raw is None:
        return base_dir
    text = string(raw, "trial.code")
    if text.lower().startswith(("azureml:", "git+", "http://", "https://")):
        raise SweepJobError(
            f"`trial.code` must be a local folder, got {text!r}, which is not supported "
            "locally; give the folder of the training script, relative to the YAML file's folder"
        )
    folder = Path(text).expanduser()
    folder = (folder if folder.is_absolute() else base_dir / folder).resolve()
    if not folder.is_dir():
        found = "not a folder" if folder.exists() else "nothing there"
        raise SweepJobError(
            f"`trial.code` must be an existing folder, got {text!r} (resolved to {folder}: "
            f"{found}); a relative path is relative to the YAML file's folder"
        )
    return folder


def parse_resources(raw: object, where: str, notices: list[str]) -> Resources | None:
    """Read ``resources``: ``cpus``, ``gpus`` and ``mem_in_mb`` per trial.

    Azure's ``instance_count``, ``instance_type``, ``shm_size``, ... are accepted and ignored
    with a notice.

    Raises:
        SweepJobError: An unknown key or a bad value.
    """
    if raw is None:
        return None
    data = mapping(raw, where, "write e.g. {cpus: 2, gpus: 0, mem_in_mb: 4096} (per trial)")
    check_keys(data, RESOURCE_KEYS + _IGNORED_RESOURCE_KEYS, where)
    ignored = [key for key in data if key in _IGNORED_RESOURCE_KEYS]
    if ignored:
        names = ", ".join(f"`{where}.{key}`" for key in ignored)
        notices.append(
            f"{names} ignored: each trial runs as one process on this machine; cap it with "
            f"`{where}.cpus`, `{where}.gpus` and `{where}.mem_in_mb`"
        )
    given = {key: data[key] for key in RESOURCE_KEYS if data.get(key) is not None}
    try:
        return Resources(**given)
    except (TypeError, ValueError) as error:
        raise relocate(error, where) from None


def check_placeholders(
    argv: tuple[str, ...],
    space: SearchSpace,
    inputs: Mapping[str, Any],
    notices: list[str],
    where: str = "trial.command",
) -> None:
    """Raise unless each placeholder in ``argv`` names a parameter of ``space`` or an input.

    A parameter that only some options of a choice have is allowed, with a notice.

    Raises:
        SweepJobError: An unknown placeholder (the message lists the known ones), or an
            ``${{outputs.<name>}}`` placeholder (outputs are not mounted locally).
    """
    paths = search_space_paths(space)
    always = _always_present(space)
    known = [f"${{{{search_space.{p}}}}}" for p in sorted(paths)]
    known += [f"${{{{inputs.{name}}}}}" for name in sorted(inputs)]
    for argument in argv:
        for expression in placeholders(argument):
            namespace, _, name = expression.partition(".")
            shown = f"${{{{{expression}}}}}"
            if namespace == "outputs":
                raise SweepJobError(
                    f"`{where}` uses {shown}, but outputs are not mounted locally; {OUTPUTS_HINT}"
                )
            if (namespace == "search_space" and name in paths) or (
                namespace == "inputs" and name in inputs
            ):
                if namespace == "search_space" and name not in always:
                    notices.append(
                        f"{shown} in `{where}` names a parameter that only some options of a "
                        "choice have; a trial whose sample lacks it cannot build its command"
                    )
                continue
            raise SweepJobError(
                f"unknown placeholder {shown} in `{where}`; known placeholders: "
                f"{', '.join(known) if known else 'none'}"
            )


def _always_present(space: SearchSpace, prefix: str = "") -> set[str]:
    """The flattened parameter names that every sample of ``space`` has."""
    paths: set[str] = set()
    for name, member in space.items():
        path = f"{prefix}{name}"
        options = member.values if isinstance(member, Choice) else ()
        nested = [o for o in options if isinstance(o, SearchSpace)]
        if not nested:
            paths.add(path)
        elif len(nested) == len(options):  # every option is a sub-space
            common = set.intersection(*(_always_present(o, f"{path}.") for o in nested))
            paths |= common
    return paths
