"""The messages between a :class:`LocalExecutor` and its worker processes.

Every message is a plain tuple whose first item is one of the tags below, pickled and sent
with ``Connection.send_bytes``. Tuples keep a trivial trial at one message in and one out.

Executor -> worker:

- ``(RUN, run_id, index, params, target, cpus, cuda_visible_devices, artifact_dir,
  deterministic, return_metric)``: run one trial.
- ``(ANSWER, run_id, step, stop, reason)``: the controller's decision on a report.
- ``(CANCEL, run_id, reason)``: please stop (``ctx.should_stop()`` turns True).
- ``(EXIT,)``: leave the loop (sent to idle workers on shutdown).

Worker -> executor (the executor knows which trial a worker runs, so no run id):

- ``(READY,)``: sent once, when the worker has started (a worker that dies before it
  could not start at all, e.g. a script without ``if __name__ == "__main__":``).
- ``(REPORT, step, metrics, awaits_decision)``
- ``(ARTIFACT, name, path, size)``
- ``(FINISHED, status, metrics, reason, error, duration_s, stdout_size, stderr_size)``;
  the sizes are None when the logs could not be opened.
"""

from __future__ import annotations

__all__ = ["ANSWER", "ARTIFACT", "CANCEL", "EXIT", "FINISHED", "READY", "REPORT", "RUN"]

RUN = 0
ANSWER = 1
CANCEL = 2
EXIT = 3

REPORT = 10
ARTIFACT = 11
FINISHED = 12
READY = 13
