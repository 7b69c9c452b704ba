"""SQLite's promise: two processes writing one workspace at once while a third reads.

Both writers finish, nobody sees "database is locked", and every row is there.
"""

from __future__ import annotations

import multiprocessing
import time
import traceback
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path

from trials import RunStatus, Workspace

COMMITS = 150
TRIALS_PER_COMMIT = 4


def _write(
    location: str, name: str, commits: int, per_commit: int, start: Event, results: Connection
) -> None:
    try:
        with Workspace(location) as ws:
            experiment = ws.get_or_create_experiment(name, kind="sweep")
            writer = ws.writer()
            parent = writer.start_run(experiment.id, kind="parent")
            writer.commit()
            start.wait(30)
            index = 0
            for _ in range(commits):
                for _ in range(per_commit):
                    run_id = writer.start_run(
                        experiment.id, parent_id=parent, index=index, params={"i": index}
                    )
                    writer.log_metrics(run_id, {"score": index / 10, "loss": 1.0}, step=0)
                    writer.set_status(run_id, "completed")
                    index += 1
                writer.commit()
            writer.set_status(parent, "completed")
            writer.commit()
        results.send(("ok", index))
    except BaseException:
        results.send(("error", traceback.format_exc()))


def _read(location: str, stop: Event, start: Event, results: Connection) -> None:
    try:
        reads = 0
        with Workspace(location) as ws:
            start.wait(30)
            while not stop.is_set():
                for experiment in ws.list_experiments():
                    ws.count_runs(experiment.name, status="completed")
                    ws.leaderboard(experiment.name, "score", "maximize", limit=20)
                    reads += 1
        results.send(("ok", reads))
    except BaseException:
        results.send(("error", traceback.format_exc()))


def test_two_writers_and_a_reader(
    tmp_path: Path, commits: int = COMMITS, per_commit: int = TRIALS_PER_COMMIT
) -> None:
    location = str(tmp_path / "ws")
    with Workspace(location) as ws:
        ws.get_or_create_experiment("a", kind="sweep")
        ws.get_or_create_experiment("b", kind="sweep")
    ctx = multiprocessing.get_context("spawn")
    start, stop = ctx.Event(), ctx.Event()
    pipes = [ctx.Pipe(duplex=False) for _ in range(3)]
    writers = [
        ctx.Process(target=_write, args=(location, name, commits, per_commit, start, pipe[1]))
        for name, pipe in zip(("a", "b"), pipes[:2], strict=True)
    ]
    reader = ctx.Process(target=_read, args=(location, stop, start, pipes[2][1]))
    for process in (*writers, reader):
        process.start()
    began = time.perf_counter()
    start.set()
    try:
        outcomes = [
            pipe[0].recv() if pipe[0].poll(120) else ("error", "timeout") for pipe in pipes[:2]
        ]
        stop.set()
        outcomes.append(pipes[2][0].recv() if pipes[2][0].poll(60) else ("error", "timeout"))
    finally:
        stop.set()
        for process in (*writers, reader):
            process.join(30)
            if process.is_alive():  # pragma: no cover - only on a hang
                process.kill()
    elapsed = time.perf_counter() - began
    errors = [detail for status, detail in outcomes if status != "ok"]
    assert errors == [], "\n".join(errors)
    expected = commits * per_commit
    assert [outcomes[0][1], outcomes[1][1]] == [expected, expected]
    reads = int(outcomes[2][1])
    assert reads > 0  # the reader kept reading while both wrote
    print(f"\n2 writers x {commits} commits, {reads} reads, in {elapsed:.1f}s")

    with Workspace(location) as ws:
        for name in ("a", "b"):
            assert ws.count_runs(name, kind="trial", status=RunStatus.COMPLETED) == expected
            assert ws.count_runs(name, kind="parent", status="completed") == 1
            board = ws.leaderboard(name, "score", "maximize")
            assert len(board) == expected
            assert sorted(board["index"].tolist()) == list(range(expected))
            assert board["score"].iloc[0] == (expected - 1) / 10
