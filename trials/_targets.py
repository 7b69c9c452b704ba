"""What a trial runs: a training function, or a command line with placeholders.

A command's arguments may hold ``${{search_space.<name>}}`` placeholders (Azure ML's
syntax; nested parameters as ``${{search_space.model.C}}``), replaced per trial by the
trial's values. ``${{inputs.<name>}}`` is read the same way from the job's inputs.
"""

from __future__ import annotations

import json
import numbers
import os
import re
import shlex
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from search_spaces import Choice, SearchSpace, flatten_params
from trials.executors import CommandTarget, TrainFunction

__all__ = [
    "CommandTemplate",
    "FunctionTarget",
    "TrialTarget",
    "as_trial_target",
    "format_value",
    "placeholders",
    "search_space_paths",
    "substitute",
]

_PLACEHOLDER = re.compile(r"\$\{\{\s*([^{}]*?)\s*\}\}")
_TARGET_HINT = (
    "define `def train(params, ctx): ...` at the top level of a module (not a lambda or a "
    "nested function), or give a command line"
)


class TrialTarget(ABC):
    """Turns a trial's parameters into what an executor runs."""

    @abstractmethod
    def for_trial(self, params: Mapping[str, Any]) -> TrainFunction | CommandTarget:
        """The function or the command line of the trial with these parameters."""

    @abstractmethod
    def identity(self) -> dict[str, Any]:
        """What identifies the target in the experiment's fingerprint (JSON-able)."""


class FunctionTarget(TrialTarget):
    """A module-level training function ``train(params, ctx)``.

    Raises:
        TypeError: ``function`` is not callable, or is a lambda or a nested function
            (worker processes could not import it).
    """

    def __init__(self, function: TrainFunction) -> None:
        if not callable(function):
            raise TypeError(
                f"`trial` must be a function train(params, ctx) or a command line, got "
                f"{function!r} ({type(function).__name__})"
            )
        name = getattr(function, "__qualname__", "")
        if "<lambda>" in name or "<locals>" in name:
            raise TypeError(
                f"`trial` must be a module-level function that worker processes can import, "
                f"got {name!r}; {_TARGET_HINT}"
            )
        self._function = function

    @property
    def function(self) -> TrainFunction:
        """The training function."""
        return self._function

    def for_trial(self, params: Mapping[str, Any]) -> TrainFunction:
        """The function itself (it receives the parameters when called)."""
        return self._function

    def identity(self) -> dict[str, Any]:
        """``{"type": "function", "name": "module:qualname"}``."""
        module = getattr(self._function, "__module__", None) or "?"
        qualname = getattr(self._function, "__qualname__", None) or repr(self._function)
        return {"type": "function", "name": f"{module}:{qualname}"}

    def __repr__(self) -> str:
        return f"FunctionTarget({self.identity()['name']})"


def format_value(value: Any) -> str:
    """A parameter value as a command-line argument.

    Floats use ``repr`` (exact round trip: ``0.1``, ``1e-05``), ints and strings their
    plain text, bools ``True``/``False``, ``None`` ``None``, lists and dicts JSON.
    """
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def placeholders(text: str) -> list[str]:
    """The placeholder expressions in ``text`` (``"search_space.lr"``, ...), in order."""
    return [match.group(1) for match in _PLACEHOLDER.finditer(text)]


def _known(namespaces: Mapping[str, Iterable[str]]) -> str:
    names = [f"${{{{{ns}.{key}}}}}" for ns, keys in namespaces.items() for key in sorted(keys)]
    return ", ".join(names) if names else "none"


def _lookup(expression: str, namespaces: Mapping[str, Mapping[str, Any]], where: str) -> Any:
    namespace, _, key = expression.partition(".")
    values = namespaces.get(namespace)
    if values is None or not key or key not in values:
        raise ValueError(
            f"unknown placeholder `${{{{{expression}}}}}` in {where}; known placeholders: "
            f"{_known(namespaces)}"
        )
    return values[key]


def substitute(
    text: str, namespaces: Mapping[str, Mapping[str, Any]], *, where: str = "the command"
) -> str:
    """Replace every ``${{namespace.name}}`` in ``text`` by its value from ``namespaces``.

    Args:
        text: One argument (or any string) with placeholders.
        namespaces: Namespace -> name -> value, e.g. ``{"search_space": {"lr": 0.1},
            "inputs": {"data": "/data/train.csv"}}``; nested names are dotted
            (``"model.C"``).
        where: What ``text`` is, for the error message.

    Returns:
        The text with every placeholder replaced (see :func:`format_value`).

    Raises:
        ValueError: A placeholder names nothing known; the message lists the known ones.

    Example:
        >>> substitute("--lr=${{search_space.lr}}", {"search_space": {"lr": 0.1}})
        '--lr=0.1'
    """
    return _PLACEHOLDER.sub(
        lambda match: format_value(_lookup(match.group(1), namespaces, where)), text
    )


def search_space_paths(space: SearchSpace, prefix: str = "") -> set[str]:
    """Every flattened parameter name a sample of ``space`` may have (``"model.C"``)."""
    paths: set[str] = set()
    for name, member in space.items():
        path = f"{prefix}{name}"
        nested = [o for o in getattr(member, "values", ()) if isinstance(o, SearchSpace)]
        if isinstance(member, Choice) and nested:
            for option in nested:
                paths |= search_space_paths(option, f"{path}.")
            if len(nested) < len(member.values):
                paths.add(path)
        else:
            paths.add(path)
    return paths


class CommandTemplate(TrialTarget):
    """A command line whose arguments may hold ``${{search_space.x}}`` placeholders.

    A string is split like a shell would (:func:`shlex.split`) before substitution, so a
    value containing spaces stays one argument.

    Args:
        command: The command line (string or list of arguments).
        cwd: Working directory of the command; None: the controller's.
        env: Extra environment variables.
        inputs: Values for ``${{inputs.<name>}}`` placeholders.

    Raises:
        TypeError: ``command`` is neither a string nor a list of strings.
        ValueError: ``command`` is empty.

    Example:
        >>> template = CommandTemplate("python train.py --lr ${{search_space.lr}}")
        >>> template.for_trial({"lr": 0.001}).argv
        ('python', 'train.py', '--lr', '0.001')
    """

    def __init__(
        self,
        command: str | Sequence[str],
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        inputs: Mapping[str, Any] | None = None,
    ) -> None:
        if isinstance(command, str):
            try:
                argv = shlex.split(command)
            except ValueError as error:
                raise ValueError(
                    f"`command` must be a valid shell command line, got {command!r}: {error}"
                ) from None
        elif isinstance(command, Sequence) and all(isinstance(a, str) for a in command):
            argv = list(command)
        else:
            raise TypeError(
                f"`command` must be a string or a list of strings, got {command!r} "
                f"({type(command).__name__})"
            )
        if not argv:
            raise ValueError(f"`command` must not be empty, got {command!r}")
        self._argv = tuple(argv)
        self._cwd = None if cwd is None else Path(cwd)
        self._env = dict(env or {})
        self._inputs = dict(inputs or {})
        CommandTarget(self._argv, self._cwd, self._env)  # validates cwd and env

    @property
    def argv(self) -> tuple[str, ...]:
        """The arguments, placeholders unreplaced."""
        return self._argv

    def check(self, space: SearchSpace) -> None:
        """Raise unless every placeholder names a parameter of ``space`` or an input.

        Raises:
            ValueError: An unknown placeholder; the message lists the known ones.
        """
        namespaces = {
            "search_space": dict.fromkeys(search_space_paths(space)),
            "inputs": dict.fromkeys(self._inputs),
        }
        for argument in self._argv:
            for expression in placeholders(argument):
                _lookup(expression, namespaces, "`command`")

    def for_trial(self, params: Mapping[str, Any]) -> CommandTarget:
        """The command with this trial's values in place of the placeholders."""
        namespaces = {"search_space": flatten_params(params), "inputs": self._inputs}
        argv = [substitute(argument, namespaces) for argument in self._argv]
        return CommandTarget(argv, self._cwd, self._env)

    def identity(self) -> dict[str, Any]:
        """``{"type": "command", "argv": [...]}`` with the placeholders unreplaced, plus the
        values of the inputs when there are some (other data is another experiment).

        ``cwd`` and ``env`` are left out, so a moved project folder still resumes.
        """
        identity: dict[str, Any] = {"type": "command", "argv": list(self._argv)}
        if self._inputs:
            identity["inputs"] = {name: format_value(v) for name, v in sorted(self._inputs.items())}
        return identity

    def __repr__(self) -> str:
        return f"CommandTemplate({shlex.join(self._argv)!r})"


def as_trial_target(target: object) -> TrialTarget:
    """A :class:`TrialTarget` for a function, a command string or list, or a
    :class:`~trials.executors.CommandTarget` (whose arguments may hold placeholders).

    Raises:
        TypeError: ``target`` is none of those.
    """
    if isinstance(target, TrialTarget):
        return target
    if isinstance(target, CommandTarget):
        return CommandTemplate(target.argv, cwd=target.cwd, env=target.env)
    if isinstance(target, (str, list, tuple)):
        return CommandTemplate(target)
    if callable(target):
        function: Callable[..., Any] = target
        return FunctionTarget(function)
    raise TypeError(
        f"`trial` must be a function train(params, ctx), a command line or a CommandTarget, "
        f"got {target!r} ({type(target).__name__})"
    )
