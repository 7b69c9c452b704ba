"""Trial functions for the RayExecutor tests; Ray workers import them from here."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from trials._context import TrialContext
from trials.executors import RayExecutor


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())


def _hold(ctx: TrialContext, seconds: float = 30.0) -> bool:
    """Wait until told to stop (True) or ``seconds`` passed (False)."""
    deadline = time.monotonic() + seconds
    while not ctx.should_stop():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def holds_on_node(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Writes its node id into its artifact folder, logs a second file, reports, and runs
    until told to stop."""
    (ctx.artifact_dir / "node.txt").write_text(_node_id())
    note = Path(ctx.artifact_dir.parent) / f"note-{ctx.run_id}-{os.getpid()}.txt"
    note.write_text(f"logged by {ctx.run_id}")
    ctx.log_artifact(note, name="notes/note.txt")
    note.unlink()
    ctx.report(step=1, running=1.0)
    return {"stopped": float(_hold(ctx))}


def holds_gpu(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Prints the GPUs it sees, reports, and runs until told to stop."""
    print(os.environ.get("CUDA_VISIBLE_DEVICES"))
    ctx.report(step=1, running=1.0)
    return {"stopped": float(_hold(ctx))}


def crashes_once(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Reports step 1, then its first attempt kills its own process; a retry reports steps
    1 and 2 and returns."""
    marker = Path(params["marker"])
    ctx.report(step=1, loss=1.0)
    if not marker.exists():
        marker.write_text("crashed once")
        os.abort()
    ctx.report(step=2, loss=0.5)
    return {"attempts": 2.0}


def waits_on_node(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Reports the node it runs on (1.0: ``params["node"]``); its first attempt then waits
    for its node to go away, a retry returns at once."""
    marker = Path(params["marker"])
    on_node = 1.0 if _node_id() == params["node"] else 0.0
    ctx.report(step=1, on_node=on_node)
    if marker.exists():
        return {"retried": 1.0}
    marker.write_text("first attempt")
    _hold(ctx, 60.0)
    return {"retried": 0.0}


def reads_shared(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    values = RayExecutor.shared("values")
    return {"total": float(values.sum()), "writeable": float(values.flags.writeable)}


def prints_then_hangs(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Prints a line and hangs (until killed past its timeout)."""
    print("working on it", flush=True)
    time.sleep(60)
    return {"done": 1.0}


def grows_memory(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Allocates and touches 64 MB blocks until ``params["mb"]`` MB, then returns."""
    print(f"resident before: {Path('/proc/self/statm').read_text().split()[1]} pages", flush=True)
    blocks = []
    for _ in range(int(params["mb"]) // 64):
        blocks.append(bytearray(64 * 1024 * 1024))
        time.sleep(0.05)
    return {"blocks": float(len(blocks))}
