"""``make_executor``: the executor a shorthand (``"local"``, ``"ray"``, ``"ray://host:port"``)
names, as sweeps, AutoML and job files accept it."""

from __future__ import annotations

from trials.executors._base import Executor

__all__ = ["make_executor"]


def make_executor(name: str, *, max_concurrency: int) -> Executor:
    """Build the executor ``name`` names, running at most ``max_concurrency`` trials at once.

    Args:
        name: ``"local"`` (worker processes on this machine), ``"ray"`` (a local Ray,
            started on demand and shut down after) or ``"ray://host:port"`` (an existing
            Ray cluster, left running).
        max_concurrency: The most trials running at once.

    Raises:
        ValueError: Any other name.
        ImportError: A Ray executor without Ray installed (the message names the extra).

    Example:
        >>> make_executor("local", max_concurrency=2)  # doctest: +SKIP
        LocalExecutor(max_concurrency=2, ...)
    """
    if name == "local":
        from trials.executors._local import LocalExecutor

        return LocalExecutor(max_concurrency=max_concurrency)
    if name == "ray" or name.startswith("ray://"):
        from trials.executors._ray import RayExecutor

        return RayExecutor(None if name == "ray" else name, max_concurrency=max_concurrency)
    raise ValueError(f"`executor` must be 'local', 'ray' or 'ray://host:port', got {name!r}")
