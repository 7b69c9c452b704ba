"""RayExecutor on a two-node Ray cluster (one with two declared GPUs), started once here.

Trials report while they run, take answers and cancels, see their own GPUs, bring their
files back, and survive a worker or a node that dies, as the executor contract says.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search_spaces import uniform
from tests.support import missing_requirement
from tests.trials.controller import _targets as _controller_targets
from tests.trials.executors import _ray_targets, _targets
from tests.trials.executors._helpers import collect, finished, of_type, run, spec, wait_for
from trials._sweep import Sweep
from trials.executors import (
    ArtifactLogged,
    CommandTarget,
    Event,
    Executor,
    RayExecutor,
    Reported,
    Resources,
    TrialStarted,
)
from trials.executors._ray_mailbox import Mailbox
from trials.policies import BanditPolicy
from trials.store import Workspace

pytestmark = pytest.mark.timeout(120)

_STORE_BYTES = 80 * 1024 * 1024


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A head node (2 CPUs) and a worker node (4 CPUs, 2 GPUs declared, none real)."""
    try:
        import ray
        from ray.cluster_utils import Cluster
    except ImportError:
        missing_requirement("Ray is not installed: pip install 'openaml[ray]'")
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 2,
            "object_store_memory": _STORE_BYTES,
            "include_dashboard": False,
        },
    )
    cluster.add_node(num_cpus=4, num_gpus=2, object_store_memory=_STORE_BYTES)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address)
    yield cluster
    ray.shutdown()
    cluster.shutdown()


@pytest.fixture
def executor(cluster: Any) -> Iterator[RayExecutor]:
    """A started RayExecutor on the cluster (this process stays connected between tests)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=cluster.address)
    with RayExecutor(address=cluster.address) as started:
        yield started


def _leaderboard(folder: Path, executor: Executor | str) -> list[tuple[Any, ...]]:
    """A deterministic sweep whose policy stops some trials: (index, params, status,
    score, reason) per trial."""
    with Workspace(folder) as workspace:
        result = Sweep(
            _controller_targets.curve,
            {"x": uniform(0.0, 1.0), "lr": uniform(0.1, 0.9)},
            primary_metric="score",
            goal="maximize",
            early_termination=BanditPolicy(slack_factor=0.3, delay_evaluation=2),
            max_total_trials=10,
            max_concurrent_trials=2,
            executor=executor,
            workspace=workspace,
            seed=3,
        ).run()
        board = result.leaderboard.sort_values("index")
        columns = ["index", "x", "lr", "status", "score", "status_reason"]
        return [tuple(row) for row in board[columns].itertuples(index=False)]


def _node_ids() -> set[str]:
    import ray

    return {node["NodeID"] for node in ray.nodes() if node["Alive"]}


def _holding(executor: RayExecutor, run_ids: list[str]) -> dict[str, list[Event]]:
    """Events until every run reported step 1 (they then hold until told to stop)."""
    events: dict[str, list[Event]] = {run_id: [] for run_id in run_ids}
    waiting = set(run_ids)

    def seen(event: Event) -> bool:
        events[event.run_id].append(event)
        if isinstance(event, Reported):
            waiting.discard(event.run_id)
        return not waiting

    wait_for(executor, seen, timeout=60.0)
    return events


def _stop_all(executor: RayExecutor, events: dict[str, list[Event]]) -> None:
    for run_id in events:
        executor.cancel(run_id, kill=False)
    for run_id, more in collect(executor, list(events), timeout=60.0).items():
        events[run_id].extend(more)


# -- without a cluster ---------------------------------------------------------------------


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"RayExecutor needs Ray.*pip install 'openaml\[ray\]'"):
        RayExecutor()


def test_missing_ray_fails_the_sweep_shorthand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    with pytest.raises(ImportError, match=r"`executor` 'ray' needs Ray.*openaml\[ray\]"):
        Sweep(
            _controller_targets.trivial,
            {"x": uniform(0.0, 1.0)},
            primary_metric="score",
            goal="maximize",
            max_total_trials=1,
            executor="ray",
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"address": ""}, r"`address` must be None or a Ray address"),
        ({"max_concurrency": 0}, r"`max_concurrency` must be an integer >= 1 or None, got 0"),
        ({"max_retries": -1}, r"`max_retries` must be an integer >= 0, got -1"),
        ({"num_gpus": -1}, r"`num_gpus` must be a number >= 0 or None, got -1"),
        (
            {"address": "ray://head:10001", "num_cpus": 2},
            r"`num_cpus` and `num_gpus` describe a local Ray that this executor starts",
        ),
    ],
)
def test_bad_arguments(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RayExecutor(**options)


def test_the_mailbox_keeps_order_and_serves_decisions_after_a_cursor() -> None:
    async def scenario() -> None:
        mailbox = Mailbox()
        assert await mailbox.take(0.01) == []
        taking = asyncio.ensure_future(mailbox.take(5.0))
        await mailbox.post(("r1", 0, 0, "first"))
        await mailbox.post(("r1", 0, 1, "second"))
        assert await taking == [("r1", 0, 0, "first"), ("r1", 0, 1, "second")]
        assert await mailbox.decisions("r1", 0, 0.01) == []
        waiting = asyncio.ensure_future(mailbox.decisions("r1", 0, 5.0))
        await mailbox.decide("r1", (1, False, None))
        assert await waiting == [(1, False, None)]
        await mailbox.decide("r1", (2, True, "bandit"))
        assert await mailbox.decisions("r1", 1, 5.0) == [(2, True, "bandit")]
        assert await mailbox.decisions("r1", 0, 5.0) == [(1, False, None), (2, True, "bandit")]
        released = asyncio.ensure_future(mailbox.decisions("r1", 2, 5.0))
        await asyncio.sleep(0)
        await mailbox.release("r1")
        assert await released == []
        await mailbox.forget(["r1"])
        assert await mailbox.decisions("r1", 0, 0.01) == []

    asyncio.run(scenario())


# -- on the cluster ------------------------------------------------------------------------


@pytest.mark.ray
def test_a_sweep_records_the_same_leaderboard_as_the_local_executor(
    cluster: Any, tmp_path: Path
) -> None:
    local = _leaderboard(tmp_path / "local", "local")
    with RayExecutor(address=cluster.address, max_concurrency=2) as executor:
        on_ray = _leaderboard(tmp_path / "ray", executor)
    assert 0 < sum(row[3] == "early_terminated" for row in local) < len(local)
    assert on_ray == local


@pytest.mark.ray
def test_the_ray_shorthand_runs_a_sweep_on_the_connected_cluster(
    cluster: Any, tmp_path: Path
) -> None:
    with Workspace(tmp_path / "ws") as workspace:
        result = Sweep(
            _controller_targets.trivial,
            {"x": uniform(0.0, 1.0)},
            primary_metric="score",
            goal="maximize",
            max_total_trials=3,
            max_concurrent_trials=2,
            executor="ray",
            workspace=workspace,
            seed=0,
        ).run()
        assert list(result.leaderboard["status"]) == ["completed"] * 3
    import ray

    assert ray.is_initialized()  # the sweep's executor did not own the connection


@pytest.mark.ray
def test_trials_run_on_both_nodes_and_their_files_come_back(
    executor: RayExecutor, tmp_path: Path
) -> None:
    two_cpus = Resources(cpus=2)
    assert executor.capacity(two_cpus) == 3  # 2 + 4 CPUs
    run_ids = [f"r{i}" for i in range(3)]
    for run_id in run_ids:
        executor.submit(spec(tmp_path, run_id, _ray_targets.holds_on_node, resources=two_cpus))
    assert executor.capacity(two_cpus) == 0
    with pytest.raises(RuntimeError, match=r"does not fit now"):
        executor.submit(spec(tmp_path, "r3", _targets.trivial, resources=two_cpus))
    events = _holding(executor, run_ids)  # all three at once: they fill both nodes
    _stop_all(executor, events)
    for run_id in run_ids:
        assert isinstance(events[run_id][0], TrialStarted)
        end = finished(events[run_id])
        assert (end.status, end.metrics) == ("canceled", {"running": 1.0, "stopped": 1.0})
        logged = [event.name for event in of_type(events[run_id], ArtifactLogged)]
        assert logged == ["notes/note.txt", "stdout.txt", "stderr.txt"]
        folder = tmp_path / run_id
        assert (folder / "notes" / "note.txt").read_text() == f"logged by {run_id}"
    nodes = {(tmp_path / run_id / "node.txt").read_text() for run_id in run_ids}
    assert nodes == _node_ids()
    assert executor.capacity(two_cpus) == 3


@pytest.mark.ray
def test_whole_gpus_go_to_one_trial_each(executor: RayExecutor, tmp_path: Path) -> None:
    whole = Resources(gpus=1)
    for i in range(2):
        executor.submit(spec(tmp_path, f"g{i}", _ray_targets.holds_gpu, resources=whole))
    assert executor.capacity(whole) == 0
    events = _holding(executor, ["g0", "g1"])
    _stop_all(executor, events)
    assigned = [of_type(events[f"g{i}"], TrialStarted)[0].gpu_ids for i in range(2)]
    assert sorted(assigned) == [("0",), ("1",)]
    for i in range(2):
        seen = (tmp_path / f"g{i}" / "stdout.txt").read_text().strip()
        assert seen == assigned[i][0]


@pytest.mark.ray
def test_half_gpus_pack_two_per_gpu(executor: RayExecutor, tmp_path: Path) -> None:
    half = Resources(gpus=0.5)
    run_ids = [f"h{i}" for i in range(4)]
    for run_id in run_ids:
        executor.submit(spec(tmp_path, run_id, _ray_targets.holds_gpu, resources=half))
    assert executor.capacity(half) == 0
    events = _holding(executor, run_ids)
    _stop_all(executor, events)
    assigned = Counter(of_type(events[r], TrialStarted)[0].gpu_ids for r in run_ids)
    assert assigned == {("0",): 2, ("1",): 2}


@pytest.mark.ray
def test_resources_no_node_has_are_an_error(executor: RayExecutor, tmp_path: Path) -> None:
    for resources, shown in [
        (Resources(gpus=3), "GPU=3"),
        (Resources(cpus=8), "CPU=8"),
        (Resources(custom={"TPU": 1}), "TPU=1"),
    ]:
        assert executor.capacity(resources) == 0
        with pytest.raises(ValueError, match=rf"asks for .*{shown} but no node of the Ray"):
            executor.submit(spec(tmp_path, "r1", _targets.trivial, resources=resources))


@pytest.mark.ray
def test_reports_wait_for_the_policy_and_a_stop_ends_the_trial(
    executor: RayExecutor, tmp_path: Path
) -> None:
    executor.submit(spec(tmp_path, "r1", _targets.deterministic_reports, deterministic=True))
    first = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(first, Reported) and (first.step, first.awaits_decision) == (1, True)
    assert executor.poll(0.3) == []  # blocked in report() until the answer
    executor.answer("r1", 1, stop=False)
    second = wait_for(executor, lambda e: isinstance(e, Reported))
    assert isinstance(second, Reported) and second.step == 2
    executor.answer("r1", 2, stop=True, reason="bandit: 0.50 is outside the slack")
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason) == ("early_terminated", "bandit: 0.50 is outside the slack")
    assert end.metrics == {"loss": 0.5, "stopped_at": 2.0}


@pytest.mark.ray
def test_polite_and_forced_cancel(executor: RayExecutor, tmp_path: Path) -> None:
    executor.submit(spec(tmp_path, "polite", _targets.waits_for_stop))
    executor.cancel("polite", kill=False, reason="user pressed cancel")
    end = finished(collect(executor, ["polite"])["polite"])
    assert (end.status, end.reason, end.metrics) == (
        "canceled",
        "user pressed cancel",
        {"stopped": 1.0},
    )
    executor.submit(spec(tmp_path, "forced", _targets.sleeps))
    wait_for(executor, lambda e: isinstance(e, TrialStarted))
    executor.cancel("forced", kill=True)
    end = finished(collect(executor, ["forced"], timeout=5.0)["forced"])
    assert (end.status, end.reason) == ("canceled", "canceled")
    later = run(executor, spec(tmp_path, "later", _targets.trivial))
    assert finished(later).status == "completed"
    executor.cancel("nobody", kill=True)
    executor.answer("nobody", 1, stop=True)


@pytest.mark.ray
def test_a_trial_past_its_timeout_is_killed(executor: RayExecutor, tmp_path: Path) -> None:
    events = run(executor, spec(tmp_path, "r1", _targets.sleeps, resources=Resources(timeout=1)))
    end = finished(events)
    assert (end.status, end.reason) == ("failed", "exceeded trial timeout of 1.0 s")
    assert 1.0 <= end.duration_s < 10.0


@pytest.mark.ray
def test_a_killed_trial_keeps_the_logs_it_wrote(executor: RayExecutor, tmp_path: Path) -> None:
    target = _ray_targets.prints_then_hangs
    events = run(executor, spec(tmp_path, "r1", target, resources=Resources(timeout=3)))
    assert (finished(events).status, finished(events).reason) == (
        "failed",
        "exceeded trial timeout of 3.0 s",
    )
    [log] = [event for event in of_type(events, ArtifactLogged) if event.name == "stdout.txt"]
    assert log.path.read_text() == "working on it\n" and log.size == len("working on it\n")


@pytest.mark.ray
def test_a_trial_over_its_memory_cap_is_killed_and_not_retried(
    cluster: Any, tmp_path: Path
) -> None:
    capped = Resources(mem_in_mb=700, timeout=60)
    with RayExecutor(address=cluster.address, max_retries=2) as executor:
        events = run(executor, spec(tmp_path, "r1", _ray_targets.grows_memory, {"mb": 1600},
                                    resources=capped), timeout=60)  # fmt: skip
        end = finished(events)
        assert end.status == "failed"
        assert re.fullmatch(r"exceeded memory cap of 700 MB \(resident \d+ MB\)", end.reason or "")
        assert len(of_type(events, TrialStarted)) == 1
        assert "resident before" in (tmp_path / "r1" / "stdout.txt").read_text()
        small = run(executor, spec(tmp_path, "r2", _ray_targets.grows_memory, {"mb": 64},
                                   resources=capped))  # fmt: skip
        assert finished(small).status == "completed"


@pytest.mark.ray
def test_an_exception_fails_the_trial_with_its_traceback(
    executor: RayExecutor, tmp_path: Path
) -> None:
    end = finished(run(executor, spec(tmp_path, "r1", _targets.raises)))
    assert (end.status, end.reason) == ("failed", "ValueError: boom from the trial")
    assert end.error is not None and 'raise ValueError("boom from the trial")' in end.error


@pytest.mark.ray
def test_a_crashed_worker_fails_the_trial_or_is_retried(cluster: Any, tmp_path: Path) -> None:
    with RayExecutor(address=cluster.address) as executor:
        end = finished(run(executor, spec(tmp_path, "r1", _targets.aborts)))
    assert end.status == "failed"
    assert end.reason == "the Ray worker process running the trial died (crashed or was killed)"
    with RayExecutor(address=cluster.address, max_retries=1) as executor:
        params = {"marker": str(tmp_path / "marker")}
        events = run(executor, spec(tmp_path, "r2", _ray_targets.crashes_once, params))
    assert len(of_type(events, TrialStarted)) == 1
    assert [event.step for event in of_type(events, Reported)] == [1, 2]
    end = finished(events)
    assert (end.status, end.metrics) == ("completed", {"loss": 0.5, "attempts": 2.0})


@pytest.mark.ray
def test_a_command_reports_logs_and_hears_a_cancel(executor: RayExecutor, tmp_path: Path) -> None:
    script = str(Path(__file__).with_name("_command_script.py"))
    target = CommandTarget([sys.executable, script, "--lr", "0.1", "--wait-stop"], cwd=tmp_path)
    executor.submit(spec(tmp_path, "r1", target))
    logged = wait_for(executor, lambda e: isinstance(e, ArtifactLogged), timeout=30.0)
    assert isinstance(logged, ArtifactLogged) and logged.name == "model.txt"
    assert logged.path == tmp_path / "r1" / "model.txt" and logged.path.read_text() == "weights"
    executor.cancel("r1", kill=False, reason="enough")
    end = finished(collect(executor, ["r1"])["r1"])
    assert (end.status, end.reason, end.metrics) == ("canceled", "enough", {"loss": 0.1 / 3})
    assert "stopped politely" in (tmp_path / "r1" / "stdout.txt").read_text()


@pytest.mark.ray
def test_shared_objects_are_read_from_the_object_store(
    executor: RayExecutor, tmp_path: Path
) -> None:
    import numpy as np

    executor.share("values", np.arange(10.0))
    end = finished(run(executor, spec(tmp_path, "r1", _ray_targets.reads_shared)))
    assert end.metrics == {"total": 45.0, "writeable": 0.0}  # zero-copy, read-only
    with pytest.raises(LookupError, match=r"works inside a trial that a RayExecutor runs"):
        RayExecutor.shared("values")


@pytest.mark.ray
def test_a_node_that_dies_fails_or_retries_its_trials(cluster: Any, tmp_path: Path) -> None:
    spot = Resources(custom={"spot": 1})  # only the nodes added here have it
    doomed = cluster.add_node(num_cpus=2, resources={"spot": 2}, object_store_memory=_STORE_BYTES)
    cluster.wait_for_nodes()
    events: dict[str, list[Event]] = {}
    with (
        RayExecutor(address=cluster.address) as no_retry,
        RayExecutor(address=cluster.address, max_retries=1) as retry,
    ):
        executors = {"failed": no_retry, "retried": retry}
        for name, executor in executors.items():
            params = {"marker": str(tmp_path / f"{name}.marker"), "node": doomed.node_id}
            trial = spec(tmp_path, name, _ray_targets.waits_on_node, params, resources=spot)
            executor.submit(trial)
        for name, executor in executors.items():
            report = wait_for(executor, lambda e: isinstance(e, Reported), timeout=60.0)
            assert isinstance(report, Reported) and report.metrics == {"on_node": 1.0}
            events[name] = [report]
        # A new node with the resource takes the retry once the first one is gone.
        spare = cluster.add_node(
            num_cpus=1, resources={"spot": 1}, object_store_memory=_STORE_BYTES
        )
        cluster.remove_node(doomed)
        try:
            for name, executor in executors.items():
                events[name].extend(collect(executor, [name], timeout=60.0)[name])
        finally:
            cluster.remove_node(spare)
    failed = finished(events["failed"])
    assert (failed.status, failed.reason) == ("failed", "the Ray node running the trial died")
    retried = finished(events["retried"])
    # The retry's report of step 1 (from the spare node) is not reported twice.
    assert (retried.status, retried.metrics) == ("completed", {"on_node": 1.0, "retried": 1.0})


@pytest.mark.ray
def test_a_connected_process_refuses_options_that_would_not_apply(cluster: Any) -> None:
    import ray

    assert ray.is_initialized()
    with pytest.raises(RuntimeError, match=r"`num_cpus`, `num_gpus` and `init_options` cannot"):
        RayExecutor(num_cpus=2).start()
    with pytest.raises(RuntimeError, match=r"already connected to the Ray cluster at .* not"):
        RayExecutor(address="10.9.9.9:6379").start()


@pytest.mark.ray
def test_it_connects_to_a_cluster_and_disconnects_on_shutdown(cluster: Any, tmp_path: Path) -> None:
    import ray

    ray.shutdown()
    try:
        with RayExecutor(address=cluster.address, max_concurrency=1) as executor:
            assert ray.is_initialized()
            assert executor.capacity() == 1
            assert finished(run(executor, spec(tmp_path, "r1", _targets.trivial))).metrics == {
                "x": 1.0
            }
        assert not ray.is_initialized()
    finally:
        if not ray.is_initialized():
            ray.init(address=cluster.address)
