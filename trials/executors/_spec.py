"""What a trial is: its resources, its target (a function or a command) and its spec.

All three are frozen dataclasses validated at construction, so a bad value fails before any
process starts, with a message in the house format ("`cpus` must be ..., got ...").
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from trials._context import TrialContext

__all__ = ["CommandTarget", "Resources", "TrainFunction", "TrialSpec"]

TrainFunction: TypeAlias = "Callable[[dict[str, Any], TrialContext], Any]"
"""A module-level function ``train(params, ctx)`` returning a float, a dict of final
metrics, or None."""


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"{value!r} (bool)"
    if isinstance(value, (int, float, str)) or value is None:
        return repr(value)
    return f"{value!r} ({type(value).__name__})"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Resources:
    """What one trial may use.

    Attributes:
        cpus: Thread cap for the trial (``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
            ``OPENBLAS_NUM_THREADS``, torch's intra-op threads, ...), set before it runs.
        gpus: 0, a fraction below 1 (several trials share one GPU until their fractions
            sum to 1) or a whole number of GPUs, each used exclusively.
        mem_in_mb: Cap on the resident memory (MiB) of the trial's process tree; the
            trial is killed and recorded failed when it goes over. None: no cap.
        timeout: Seconds the trial may run; past it, it is killed and recorded failed.
            None: no limit.
        custom: Custom resources the trial needs, name -> amount > 0 (Ray's
            ``resources=``, e.g. ``{"TPU": 1}`` or a node label such as
            ``{"large_disk": 1}``); only :class:`RayExecutor` schedules them.

    Example:
        >>> Resources(cpus=2, mem_in_mb=4096, timeout=600.0)
        Resources(cpus=2, gpus=0.0, mem_in_mb=4096, timeout=600.0, custom={})
    """

    cpus: int = 1
    gpus: float = 0.0
    mem_in_mb: int | None = None
    timeout: float | None = None
    custom: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.cpus, int) or isinstance(self.cpus, bool) or self.cpus < 1:
            raise ValueError(
                f"`cpus` must be an integer >= 1, got {_describe(self.cpus)}; it caps the "
                "threads of one trial"
            )
        gpus = self.gpus
        if not _is_number(gpus) or not math.isfinite(gpus) or gpus < 0:
            raise ValueError(f"`gpus` must be a number >= 0, got {_describe(gpus)}")
        if gpus > 1 and not float(gpus).is_integer():
            raise ValueError(
                f"`gpus` must be a fraction below 1 or a whole number of GPUs, got {gpus!r}; "
                "a trial shares one GPU or owns whole ones"
            )
        object.__setattr__(self, "gpus", float(gpus))
        mem = self.mem_in_mb
        if mem is not None and (not isinstance(mem, int) or isinstance(mem, bool) or mem < 1):
            raise ValueError(
                f"`mem_in_mb` must be an integer number of MiB >= 1 or None, got {_describe(mem)}"
            )
        timeout = self.timeout
        if timeout is not None:
            if not _is_number(timeout) or not math.isfinite(timeout) or timeout <= 0:
                raise ValueError(
                    f"`timeout` must be a number of seconds > 0 or None, got {_describe(timeout)}"
                )
            object.__setattr__(self, "timeout", float(timeout))
        object.__setattr__(self, "custom", _check_custom(self.custom))


_BUILT_IN_RESOURCES = {"CPU": "cpus", "GPU": "gpus", "memory": "mem_in_mb"}


def _check_custom(custom: object) -> dict[str, float]:
    if not isinstance(custom, Mapping):
        raise TypeError(
            f"`custom` must be a mapping of resource name -> amount, got {_describe(custom)}"
        )
    checked: dict[str, float] = {}
    for name, amount in custom.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"`custom` resource names must be non-empty strings, got {name!r}")
        if name in _BUILT_IN_RESOURCES:
            raise ValueError(
                f"`custom` must not name {name!r}: use `{_BUILT_IN_RESOURCES[name]}` for it"
            )
        if not _is_number(amount) or not math.isfinite(amount) or amount <= 0:
            raise ValueError(
                f"`custom` amounts must be numbers > 0, got {name!r}: {_describe(amount)}"
            )
        checked[name] = float(amount)
    return checked


@dataclass(frozen=True, slots=True)
class CommandTarget:
    """A command line run as a trial (its parameters already substituted).

    The command reports through ``from trials import report`` (see :mod:`trials.report`);
    its exit status 0 means success.

    Attributes:
        argv: The program and its arguments, e.g. ``("python", "train.py", "--lr", "0.1")``.
        cwd: Working directory of the command; None: the worker's (the controller's).
        env: Extra environment variables, on top of the worker's environment. When MLflow
            is installed the command's MLflow logs to a file store in its trial's folder,
            whose metrics are recorded as reports; an ``MLFLOW_TRACKING_URI`` given here
            is kept instead, and those metrics are then not read (see
            ``trials/executors/_mlflow.py``).

    Example:
        >>> CommandTarget(["python", "train.py", "--lr", "0.1"]).argv
        ('python', 'train.py', '--lr', '0.1')
    """

    argv: Sequence[str]
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        argv = self.argv
        if isinstance(argv, (str, bytes)):
            raise TypeError(
                f"`argv` must be a list of arguments, got the string {argv!r}; "
                "split it first, e.g. shlex.split(command)"
            )
        try:
            items = tuple(os.fspath(a) if isinstance(a, os.PathLike) else a for a in argv)
        except TypeError:
            raise TypeError(f"`argv` must be a list of strings, got {_describe(argv)}") from None
        if not items or not all(isinstance(a, str) for a in items):
            raise TypeError(f"`argv` must be a non-empty list of strings, got {_describe(argv)}")
        object.__setattr__(self, "argv", items)
        if self.cwd is not None:
            object.__setattr__(self, "cwd", Path(self.cwd))
        env = dict(self.env)
        for key, value in env.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError(
                    f"`env` must map strings to strings, got {key!r}: {_describe(value)}"
                )
        object.__setattr__(self, "env", env)


@dataclass(frozen=True, slots=True)
class TrialSpec:
    """One trial as an executor receives it.

    Attributes:
        run_id: Unique id of the run (the store's); events carry it.
        index: Trial index in the experiment (0, 1, ...).
        params: The sampled hyperparameters.
        target: A module-level function ``train(params, ctx)`` that worker processes can
            import, or a :class:`CommandTarget`.
        artifact_dir: Folder for this trial's files (``stdout.txt``, ``stderr.txt``,
            logged artifacts); created when the trial starts.
        resources: What the trial may use.
        deterministic: When True, ``ctx.report()`` blocks until the controller answers
            whether the trial should stop (``Executor.answer``).
        return_metric: Name under which a bare float returned by ``train`` is recorded
            (the controller passes its primary metric).
    """

    run_id: str
    index: int
    params: dict[str, Any]
    target: TrainFunction | CommandTarget
    artifact_dir: Path
    resources: Resources = field(default_factory=Resources)
    deterministic: bool = False
    return_metric: str = "result"

    def __post_init__(self) -> None:
        if not isinstance(self.run_id, str) or not self.run_id:
            raise ValueError(f"`run_id` must be a non-empty string, got {_describe(self.run_id)}")
        if not isinstance(self.index, int) or isinstance(self.index, bool) or self.index < 0:
            raise ValueError(f"`index` must be an integer >= 0, got {_describe(self.index)}")
        if not isinstance(self.params, dict):
            raise TypeError(f"`params` must be a dict, got {_describe(self.params)}")
        if not isinstance(self.target, CommandTarget) and not callable(self.target):
            raise TypeError(
                "`target` must be a function train(params, ctx) or a CommandTarget, "
                f"got {_describe(self.target)}"
            )
        if not isinstance(self.artifact_dir, (str, os.PathLike)):
            raise TypeError(f"`artifact_dir` must be a path, got {_describe(self.artifact_dir)}")
        object.__setattr__(self, "artifact_dir", Path(self.artifact_dir))
        if not isinstance(self.resources, Resources):
            raise TypeError(f"`resources` must be a Resources, got {_describe(self.resources)}")
        if not isinstance(self.deterministic, bool):
            raise TypeError(
                f"`deterministic` must be True or False, got {_describe(self.deterministic)}"
            )
        if not isinstance(self.return_metric, str) or not self.return_metric:
            raise ValueError(
                f"`return_metric` must be a non-empty string, got {_describe(self.return_metric)}"
            )
