"""Running one trial's target inside whatever process an executor uses: its thread cap and
GPUs, the call itself, and the outcome (status, metrics, reason, error) of how it ended.

Shared by the local worker processes (:mod:`._worker`) and Ray workers (:mod:`._ray_task`),
so a trial function sees the same :class:`~trials.TrialContext` and ends the same way under
both.
"""

from __future__ import annotations

import os
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any, TypeAlias

from trials._context import TrialContext, check_metrics
from trials.executors._command import run_command
from trials.executors._spec import CommandTarget

__all__ = ["Outcome", "TrialEnvironment", "error_outcome", "execute"]

Outcome: TypeAlias = tuple[str, dict[str, float], str | None, str | None]
"""(status, final metrics, reason, error) of a trial that ran to its end."""

_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


class TrialEnvironment:
    """Applies a trial's thread cap and GPUs, touching only what changed since the last."""

    def __init__(self) -> None:
        self._cpus: int | None = None
        self._cuda: str | None = None
        self._cwd = os.getcwd()

    def apply(self, cpus: int, cuda: str) -> None:
        if cpus != self._cpus:
            value = str(cpus)
            for name in _THREAD_VARIABLES:
                os.environ[name] = value
            if self._cpus is not None:
                _limit_loaded_thread_pools(cpus)
            self._cpus = cpus
        torch = sys.modules.get("torch")
        if torch is not None and torch.get_num_threads() != cpus:
            torch.set_num_threads(cpus)
        if cuda != self._cuda or os.environ.get("CUDA_VISIBLE_DEVICES") != cuda:
            os.environ["CUDA_VISIBLE_DEVICES"] = cuda
            self._cuda = cuda

    def restore(self) -> None:
        """Undo what a trial may have changed that would leak into the next one."""
        if os.getcwd() != self._cwd:
            os.chdir(self._cwd)


def _limit_loaded_thread_pools(cpus: int) -> None:
    """BLAS/OpenMP already loaded read the environment once; cap them directly."""
    if "numpy" not in sys.modules and "scipy" not in sys.modules:
        return
    try:
        import threadpoolctl  # type: ignore[import-untyped, import-not-found, unused-ignore]

        threadpoolctl.threadpool_limits(limits=cpus)
    except Exception:  # best effort: the environment variables still apply
        pass


def execute(
    target: Any,
    params: dict[str, Any],
    ctx: TrialContext,
    metric: str,
    conn: Connection | None,
) -> Outcome:
    """Run a function ``target(params, ctx)`` or a command to its end; never raises.

    ``conn`` is the local worker's pipe, which a running command's worker also waits on
    for answers; None where decisions come another way (Ray).
    """
    try:
        if isinstance(target, CommandTarget):
            return run_command(target, ctx, conn)
        return _outcome(target(params, ctx), ctx, metric)
    except SystemExit as exc:
        return _exit_outcome(exc, ctx)
    except BaseException as exc:  # any trial error is recorded, never fatal
        return error_outcome(exc)


def _outcome(result: Any, ctx: TrialContext, metric: str) -> Outcome:
    if result is None:
        metrics: dict[str, float] = {}
    elif isinstance(result, dict):
        try:
            metrics = check_metrics(result, "the returned dict")
        except (TypeError, ValueError) as exc:
            return "failed", {}, str(exc), None
    else:
        try:
            metrics = check_metrics({metric: result}, "the return value")
        except TypeError:
            message = (
                "the trial function must return a float, a dict of metric name -> number, "
                f"or None, got {type(result).__name__}"
            )
            return "failed", {}, message, None
        except ValueError as exc:
            return "failed", {}, str(exc), None
    status, reason = ctx.status_on_return()
    return status, metrics, reason, None


def _exit_outcome(exc: SystemExit, ctx: TrialContext) -> Outcome:
    if exc.code in (None, 0):
        status, reason = ctx.status_on_return()
        return status, {}, reason, None
    return "failed", {}, f"the trial called sys.exit({exc.code!r})", None


def error_outcome(exc: BaseException) -> Outcome:
    """A failed outcome for an exception raised by the trial, with its traceback."""
    # Drop our own frame (the call site in execute) so the traceback starts in user code.
    tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
    text = "".join(traceback.format_exception(type(exc), exc, tb))
    message = str(exc).strip().splitlines()
    reason = f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
    if len(reason) > 300:
        reason = reason[:297] + "..."
    return "failed", {}, reason, text
