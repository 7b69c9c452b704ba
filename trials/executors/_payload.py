"""The RUN message that carries a trial to a worker, with clear errors when it cannot."""

from __future__ import annotations

import pickle
import sys

from trials.executors._protocol import RUN
from trials.executors._spec import CommandTarget, TrialSpec

__all__ = ["encode_run"]

_DUMP = pickle.dumps
_PROTOCOL = pickle.HIGHEST_PROTOCOL

_TARGET_HINT = (
    "define `def train(params, ctx): ...` at the top level of a module (not a lambda, a "
    "nested function or a function typed into an interactive session) and pass it"
)


def encode_run(spec: TrialSpec, cuda_visible_devices: str) -> bytes:
    """The pickled RUN message for ``spec`` (see :mod:`._protocol`).

    Raises:
        TypeError: The target is a lambda, a nested function or one defined in an
            interactive session (workers cannot import it), or the target or params
            cannot be pickled.
    """
    target = spec.target
    if not isinstance(target, CommandTarget):
        name = getattr(target, "__qualname__", "")
        if "<lambda>" in name or "<locals>" in name:
            raise TypeError(
                f"`target` must be a module-level function that worker processes can import, "
                f"got {name!r}; {_TARGET_HINT}"
            )
        if getattr(target, "__module__", None) == "__main__":
            main = sys.modules.get("__main__")
            if getattr(main, "__file__", None) is None:
                raise TypeError(
                    f"`target` {name or target!r} is defined in an interactive session, which "
                    f"worker processes cannot import; {_TARGET_HINT} from a .py file"
                )
    resources = spec.resources
    message = (
        RUN,
        spec.run_id,
        spec.index,
        spec.params,
        target,
        resources.cpus,
        cuda_visible_devices,
        str(spec.artifact_dir),
        spec.deterministic,
        spec.return_metric,
    )
    try:
        return _DUMP(message, _PROTOCOL)
    except Exception as exc:
        try:
            _DUMP(target, _PROTOCOL)
        except Exception:
            raise TypeError(
                f"`target` {target!r} cannot be sent to a worker process ({exc}); {_TARGET_HINT}"
            ) from exc
        raise TypeError(
            f"`params` of trial {spec.run_id!r} cannot be sent to a worker process ({exc}); "
            "use picklable values (numbers, strings, lists, dicts)"
        ) from exc
