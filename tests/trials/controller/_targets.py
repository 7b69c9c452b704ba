"""Training functions for the controller tests; worker processes import them from here."""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from trials._context import TrialContext


def trivial(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    return {"score": float(params["x"])}


def curve(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Reports a score per step that depends on the params; tiny random sleeps shuffle the
    finishing order between runs (the sleeps never change a value)."""
    jitter = random.Random()
    x = float(params["x"])
    lr = float(params.get("lr", 0.5))
    score = 0.0
    for step in range(1, int(params.get("steps", 6)) + 1):
        time.sleep(jitter.uniform(0.0, 0.004))
        score = x * (1.0 - (1.0 - lr) ** step)
        ctx.report(step=step, score=score, loss=1.0 - score)
        if ctx.should_stop():
            break
    return {"score": score, "final_bonus": x}


def slow_curve(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Like :func:`curve`, with ``params["sleep"]`` seconds per step."""
    score = 0.0
    for step in range(1, int(params.get("steps", 5)) + 1):
        time.sleep(float(params.get("sleep", 0.2)))
        score = float(params["x"]) * step
        ctx.report(step=step, score=score)
        if ctx.should_stop():
            break
    return {"score": score}


def sleeps(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    time.sleep(float(params["sleep"]))
    return {"score": float(params.get("x", 1.0))}


def fails_some(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Raises for ``mode == "raise"``, aborts the process for ``"abort"``."""
    mode = params["mode"]
    ctx.report(step=1, score=0.5)
    if mode == "raise":
        raise RuntimeError(f"bad params {params}")
    if mode == "abort":
        os.abort()
    return {"score": 1.0}


def marks_runs(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Appends its index to ``params["log"]`` when it starts, then sleeps."""
    with Path(params["log"]).open("a") as log:
        log.write(f"{ctx.index}\n")
    time.sleep(float(params["sleep"]))
    return {"score": float(ctx.index)}


def reports_then_returns(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """Reports ``score`` at steps 1..3, then returns other final values (and a cost)."""
    for step in (1, 2, 3):
        ctx.report(step=step, score=float(params["x"]) * step)
    with tempfile.TemporaryDirectory() as folder:
        artifact = Path(folder) / "note.txt"
        artifact.write_text(f"trial {ctx.index}")
        ctx.log_artifact(artifact, name="notes/note.txt")
    return {"score": 100.0 + float(params["x"]), "extra": 1.0, "cost": 12.0}


def misbehaves(params: dict[str, Any], ctx: TrialContext) -> dict[str, float]:
    """``ok`` returns; ``abort`` kills its process; ``hang`` sleeps past any small timeout;
    ``hog`` holds 400 MB of touched memory (past a small memory cap)."""
    mode = params["mode"]
    if mode == "abort":
        os.abort()
    if mode == "hang":
        time.sleep(60)
    if mode == "hog":
        block = bytearray(400 * 1024 * 1024)
        for offset in range(0, len(block), 4096):  # touch every page: resident, not reserved
            block[offset] = 1
        time.sleep(30)
    return {"score": 1.0}
