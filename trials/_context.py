"""The trial context: what a training function receives as ``ctx``.

A training function looks like this::

    def train(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
        for epoch in range(1, 11):
            loss = fit_one_epoch(params["lr"])
            ctx.report(step=epoch, loss=loss)
            if ctx.should_stop():
                break
        ctx.log_artifact("model.pt")
        return {"loss": loss}

The context talks to whoever runs the trial through a :class:`TrialLink` (a worker's pipe
for the local executor); it holds the trial's own state: the last step, and whether and
why it was told to stop.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, Protocol

__all__ = ["Decision", "TrialContext", "TrialLink", "check_metrics"]

_RESERVED_NAMES = frozenset({"stdout.txt", "stderr.txt"})


class Decision(NamedTuple):
    """What the controller said: an answer to the report at ``step``, or (``step`` None) a
    request to cancel."""

    step: int | None
    stop: bool
    reason: str | None


class TrialLink(Protocol):
    """The context's line to the executor."""

    def send_report(self, step: int, metrics: dict[str, float], awaits_decision: bool) -> None:
        """Send one report."""

    def send_artifact(self, name: str, path: str, size: int) -> None:
        """Say that a file was saved in the artifact folder."""

    def next_decision(self, block: bool) -> Decision | None:
        """The next decision for this trial; None when ``block`` is False and none is
        waiting."""


def check_metrics(metrics: Mapping[Any, Any], where: str) -> dict[str, float]:
    """Validate metrics: string names, finite real values; returns them as floats.

    Raises:
        TypeError: A name is not a string, or a value is not a real number.
        ValueError: A value is NaN or infinite.
    """
    checked: dict[str, float] = {}
    for name, value in metrics.items():
        if type(name) is not str:
            raise TypeError(f"metric names in {where} must be strings, got {name!r}")
        if type(value) is float:
            number = value
        else:
            if isinstance(value, (bool, str, bytes)) or not hasattr(type(value), "__float__"):
                raise TypeError(
                    f"metric {name!r} in {where} must be a real number, got {value!r} "
                    f"({type(value).__name__})"
                )
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"metric {name!r} in {where} must be a real number, got {value!r} "
                    f"({type(value).__name__}); convert it with float(...) or .item()"
                ) from None
        if not math.isfinite(number):
            raise ValueError(
                f"metric {name!r} in {where} must be a finite number, got {number!r}; "
                "a NaN usually means training diverged: raise an exception to fail the "
                "trial instead of reporting it"
            )
        checked[name] = number
    return checked


class TrialContext:
    """The running trial as the training function sees it.

    Attributes are read-only: ``params``, ``run_id``, ``index``, ``artifact_dir`` and
    ``deterministic``. Users never build one; the executor passes it to ``train``.
    """

    __slots__ = (
        "_artifact_dir",
        "_canceled",
        "_deterministic",
        "_index",
        "_link",
        "_params",
        "_run_id",
        "_step",
        "_stop",
        "_stop_reason",
    )

    def __init__(
        self,
        *,
        run_id: str,
        index: int,
        params: dict[str, Any],
        artifact_dir: Path,
        deterministic: bool,
        link: TrialLink,
    ) -> None:
        self._run_id = run_id
        self._index = index
        self._params = params
        self._artifact_dir = artifact_dir
        self._deterministic = deterministic
        self._link = link
        self._step = -1
        self._stop = False
        self._canceled = False
        self._stop_reason: str | None = None

    @property
    def params(self) -> dict[str, Any]:
        """The trial's hyperparameters."""
        return self._params

    @property
    def run_id(self) -> str:
        """The run id under which the trial is stored."""
        return self._run_id

    @property
    def index(self) -> int:
        """The trial's index in its experiment."""
        return self._index

    @property
    def artifact_dir(self) -> Path:
        """The folder where this trial's files go."""
        return self._artifact_dir

    @property
    def deterministic(self) -> bool:
        """True when ``report()`` waits for the controller's decision."""
        return self._deterministic

    @property
    def stop_reason(self) -> str | None:
        """Why the trial was told to stop; None while it may go on."""
        return self._stop_reason if self._stop else None

    def report(self, step: int | None = None, **metrics: float) -> None:
        """Report intermediate metrics, e.g. ``ctx.report(step=epoch, loss=0.25)``.

        Args:
            step: Strictly increasing step (epoch, boosting round, ...); when omitted,
                the previous step + 1 (the first report is step 1).
            **metrics: Metric name -> finite real number.

        In deterministic mode this returns once the controller has decided whether the
        trial should stop; check :meth:`should_stop` afterwards.

        Raises:
            TypeError: A value is not a real number.
            ValueError: A value is not finite, no metric is given, or the step does not
                increase.
        """
        self.report_metrics(step, metrics)

    def report_metrics(self, step: int | None, metrics: Mapping[str, Any]) -> None:
        """:meth:`report` with the metrics as a mapping (names may then be any string)."""
        if step is None:
            step = self._step + 1 if self._step >= 0 else 1
        elif not isinstance(step, int) or isinstance(step, bool):
            raise TypeError(f"`step` must be an integer, got {step!r} ({type(step).__name__})")
        elif step <= self._step or step < 0:
            raise ValueError(
                f"`step` must be greater than the previous step {self._step}, got {step}"
                if self._step >= 0
                else f"`step` must be >= 0, got {step}"
            )
        checked = check_metrics(metrics, "report()")
        if not checked:
            raise ValueError(
                "report() needs at least one metric, e.g. ctx.report(step=1, loss=0.25)"
            )
        self._step = step
        # Once told to stop, a trial never waits again: nothing is left to decide.
        awaits = self._deterministic and not self._stop
        self._link.send_report(step, checked, awaits)
        if awaits:
            while True:
                decision = self._link.next_decision(block=True)
                if decision is None:
                    continue
                self._apply(decision)
                if decision.step is None or decision.step >= step:
                    break
        else:
            self._drain()

    def should_stop(self) -> bool:
        """True once the controller decided to stop this trial or it was canceled.

        Cheap (a non-blocking look at the pipe): call it every epoch or batch.
        """
        if not self._stop:
            self._drain()
        return self._stop

    def log_artifact(self, path: str | os.PathLike[str], name: str | None = None) -> Path:
        """Copy a file into the trial's artifact folder and record it.

        Args:
            path: The file to keep.
            name: Its name in the artifact folder (may contain ``/`` sub-folders);
                default: the file's own name.

        Returns:
            Where the copy is.

        Raises:
            FileNotFoundError: ``path`` is not an existing file.
            ValueError: ``name`` is absolute, leaves the folder, or is a log's name.
        """
        source = Path(path)
        if not source.is_file():
            if source.is_dir():
                raise IsADirectoryError(
                    f"`path` must be a file, got the folder {str(path)!r}; log its files "
                    "one by one or archive it first (shutil.make_archive)"
                )
            raise FileNotFoundError(f"`path` must be an existing file, got {str(path)!r}")
        relative = _artifact_name(source.name if name is None else name)
        destination = self._artifact_dir / relative
        if not (destination.exists() and os.path.samefile(source, destination)):
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
        size = destination.stat().st_size
        self._link.send_artifact(relative, str(destination), size)
        return destination

    def status_on_return(self) -> tuple[str, str | None]:
        """The status and reason of the trial if ``train`` returns now (for executors)."""
        if not self._stop:
            return "completed", None
        return ("canceled" if self._canceled else "early_terminated"), self._stop_reason

    def __repr__(self) -> str:
        return f"TrialContext(run_id={self._run_id!r}, index={self._index})"

    def _drain(self) -> None:
        while (decision := self._link.next_decision(block=False)) is not None:
            self._apply(decision)

    def _apply(self, decision: Decision) -> None:
        if not decision.stop or self._stop:
            return
        self._stop = True
        if decision.step is None:
            self._canceled = True
            self._stop_reason = decision.reason or "canceled"
        else:
            self._stop_reason = decision.reason or f"stopped early at step {decision.step}"


def _artifact_name(name: object) -> str:
    if not isinstance(name, str) or not name:
        raise ValueError(f"`name` must be a non-empty string, got {name!r}")
    relative = PurePosixPath(name.replace(os.sep, "/"))
    if relative.is_absolute() or ".." in relative.parts or Path(name).is_absolute():
        raise ValueError(f"`name` must be a relative path inside the artifact folder, got {name!r}")
    text = relative.as_posix()
    if text in _RESERVED_NAMES:
        raise ValueError(
            f"`name` must not be {text!r}: the trial's own log has that name; pick another"
        )
    return text
