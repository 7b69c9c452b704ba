"""A sanity number for write throughput (printed, never asserted: machines differ)."""

from __future__ import annotations

import time

import pytest

from trials import Workspace

TRIALS = 2000
BATCH = 100


def test_throughput_smoke(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    experiment = workspace.get_or_create_experiment("throughput", kind="sweep")
    writer = workspace.writer()
    parent = writer.start_run(experiment.id, kind="parent")
    writer.commit()
    start = time.perf_counter()
    for index in range(TRIALS):
        run_id = writer.start_run(
            experiment.id, parent_id=parent, index=index, params={"model": {"C": index / 7}}
        )
        writer.log_metrics(run_id, {"accuracy": 0.5, "loss": 0.7, "f1": 0.4}, step=0)
        writer.set_status(run_id, "completed")
        if (index + 1) % BATCH == 0:
            writer.commit()
    writer.commit()
    elapsed = time.perf_counter() - start
    assert workspace.count_runs("throughput", kind="trial", status="completed") == TRIALS
    with capsys.disabled():
        print(
            f"\n[{workspace.backend}] {TRIALS / elapsed:,.0f} trials/s "
            f"({TRIALS} trials, a commit every {BATCH})"
        )
