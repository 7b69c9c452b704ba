"""Trial functions for the executor tests; worker processes import them from here."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from trials._context import TrialContext


def trivial(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    return {"x": 1.0}


def returns_float(params: dict[str, Any], ctx: TrialContext) -> float:
    return float(params.get("value", 0.5))


def returns_none(params: dict[str, Any], ctx: TrialContext) -> None:
    return None


def returns_string(params: dict[str, Any], ctx: TrialContext) -> str:
    return "oops"


def reports(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    for step in range(1, params.get("steps", 3) + 1):
        ctx.report(step=step, loss=1.0 / step)
    ctx.report(accuracy=0.9)  # step omitted: the previous + 1
    return {"final": 2.0}


def report_bad(params: dict[str, Any], ctx: TrialContext) -> None:
    ctx.report(step=1, loss=params["value"])


def prints(params: dict[str, Any], ctx: TrialContext) -> None:
    tag = params["tag"]
    print(f"out {tag}")
    print(f"err {tag}", file=sys.stderr)
    os.write(1, f"fd out {tag}\n".encode())


def logs_artifact(params: dict[str, Any], ctx: TrialContext) -> None:
    source = ctx.artifact_dir.parent / f"source-{ctx.run_id}.txt"
    source.write_text("hello artifact")
    ctx.log_artifact(source, name="nested/copy.txt")


def pid(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    return {"pid": float(os.getpid())}


def raises(params: dict[str, Any], ctx: TrialContext) -> None:
    raise ValueError("boom from the trial")


def aborts(params: dict[str, Any], ctx: TrialContext) -> None:
    os.abort()


def sleeps(params: dict[str, Any], ctx: TrialContext) -> None:
    time.sleep(params.get("seconds", 30.0))


def allocates(params: dict[str, Any], ctx: TrialContext) -> None:
    size = params["mb"] * 1024 * 1024
    block = bytearray(size)
    block[::4096] = b"\x01" * len(range(0, size, 4096))  # touch every page
    time.sleep(30.0)


def environment(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    print(os.environ.get("OMP_NUM_THREADS"), os.environ.get("MKL_NUM_THREADS"))
    print(repr(os.environ.get("CUDA_VISIBLE_DEVICES")))
    return {"omp": float(os.environ["OMP_NUM_THREADS"])}


def deterministic_reports(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    for step in range(1, 6):
        ctx.report(step=step, loss=1.0 / step)
        if ctx.should_stop():
            return {"stopped_at": float(step)}
    return {"stopped_at": 0.0}


def waits_for_stop(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    deadline = time.monotonic() + 20.0
    while not ctx.should_stop():
        if time.monotonic() > deadline:
            return {"stopped": 0.0}
        time.sleep(0.005)
    return {"stopped": 1.0}
