"""Ray overhead: trivial-trial throughput and per-trial overhead on a warm local Ray, ours next
to our local executor and to Ray Tune, all in one run.

Every configuration is random search over ``x ~ uniform(0, 1)`` with the trivial objective
``score = x``, 2 trials at once, on a fresh store / storage folder, in its own fresh
interpreter (``peer_scripts/``; Ray Tune in the pinned peer venv ``.peers/ray-2.60.0``, see
``_peers.py``), each started on a local Ray of 2 CPUs without dashboard where Ray is used
(column ``config``):

- ``ours-local``: ``Sweep(train, {...}, max_total_trials=N, max_concurrent_trials=2,
  workspace=<fresh>, executor="local").run(quiet=True)``, the same window as
  ``sweep_overhead.py`` (worker-pool start and shutdown included).
- ``ours-ray``: a ``RayExecutor(max_concurrency=2, num_cpus=2, init_options={no dashboard})``
  started (``startup_s``, excluded) and warmed up by a Sweep of 20 trials on another workspace
  (excluded), then ``Sweep(..., executor=<that executor>).run(quiet=True)`` timed: one Ray task
  per trial (plus the executor's mailbox actor calls), every trial recorded in the store.
- ``tune-default``: ``ray.init(num_cpus=2, include_dashboard=False)`` (``startup_s``,
  excluded), a Tuner of 4 trials as warm-up (excluded), then ``Tuner(trainable,
  param_space={"x": tune.uniform(0, 1)}, tune_config=TuneConfig(num_samples=N,
  max_concurrent_trials=2, search_alg=None), run_config=RunConfig(storage_path=<fresh>,
  verbose=0)).fit()`` timed: TuneConfig's default ``reuse_actors=False``, one new trial actor
  (so one new worker process) per trial.
- ``tune-reuse``: the same with ``reuse_actors=True``.

Every trial is verified afterwards: ours by reading the store (N trials, all completed, each
with its x and score == x; then, untimed, 10 trials on the same executor must run in other
processes than the controller), Tune from the returned ResultGrid (N results, no error,
score == x). Columns: ``seconds`` is the median over ``--repeats`` fresh children of the timed
window (described in ``window``; interpreter start and imports excluded), ``trials_per_s`` =
n_trials / seconds, ``per_trial_overhead_ms`` = 1000 x seconds x concurrency / n_trials, the
worker time each trial costs (the trial itself does nothing), ``startup_s`` the median Ray
start-up (``ray.init``, or ``RayExecutor.start()`` which also creates its mailbox actor; empty
for ``ours-local``, whose pool start is inside the window), ``load_before`` the 1-minute load
average before the configuration's first child. Each invocation is one run (``run_id``: its
start time); the summary's ratios use rows of one run only. Targets (issue #9): ours-ray >= 150
trials/s, and >= 3x Ray Tune with reused actors.

Rows are appended to ``benchmarks/results/ray_overhead.csv`` (``--results``). When one earlier
run today already measured and verified every selected configuration (same trial counts),
nothing runs and that run is summarised, unless ``--force``; otherwise every selected
configuration runs, so that the ratios come from one run. A configuration that cannot run gets
a row with verified=False and the reason, and the benchmark goes on. On a 2-core machine, run
nothing else meanwhile.

    python benchmarks/ray_overhead.py [--only ours-local|ours-ray|tune-default|tune-reuse]
        [--trials-scale 1.0] [--repeats 3] [--force] [--results PATH]
    python benchmarks/ray_overhead.py --summary [--run-id ID] [--results PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _child_process import kill_session
from _peers import PeerError, ensure_peer
from _results import append, flat, git_commit, machine, read_rows

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPTS = HERE / "peer_scripts"
RESULTS = HERE / "results" / "ray_overhead.csv"
COLUMNS = [
    "timestamp",
    "run_id",
    "machine",
    "git_commit",
    "config",
    "engine",
    "executor",
    "version",
    "n_trials",
    "concurrency",
    "repeats",
    "seconds",
    "trials_per_s",
    "per_trial_overhead_ms",
    "startup_s",
    "warm_up_trials",
    "warm_up_s",
    "verified",
    "window",
    "note",
    "load_before",
]
CONCURRENCY = 2
SEED = 0
CHILD_TIMEOUT_S = 900.0
GOAL_RAY_TRIALS_PER_S = 150.0  # ours-ray, warm local Ray, concurrency 2
GOAL_VS_TUNE_REUSE = 3.0  # ours-ray / tune-reuse, trials per second, same run
RAY_PEER = ("ray-2.60.0", ["ray[tune]==2.60.0"])  # as in sweep_overhead.py


@dataclass(frozen=True)
class Config:
    name: str  # the config column and the --only name
    engine: str  # "ours" | "ray-tune"
    executor: str
    n_trials: int
    warm_up: int  # trials run before the window, on the same Ray
    script: str
    options: tuple[str, ...]

    @property
    def peer(self) -> bool:
        return self.engine != "ours"


def configs(scale: float) -> list[Config]:
    def n(base: int) -> int:
        return max(10, round(base * scale))

    tune = "ray_tune_fit.py"
    return [
        Config("ours-local", "ours", "LocalExecutor", n(2000), 0, "ours_sweep.py", ()),
        Config(
            "ours-ray", "ours", "RayExecutor", n(1000), 20, "ours_sweep.py", ("--executor", "ray")
        ),
        Config(
            "tune-default",
            "ray-tune",
            "reuse_actors=False (default)",
            n(200),
            4,
            tune,
            ("--reuse-actors", "0"),
        ),
        Config(
            "tune-reuse", "ray-tune", "reuse_actors=True", n(200), 4, tune, ("--reuse-actors", "1")
        ),
    ]


NAMES = [c.name for c in configs(1.0)]


def run_child(config: Config, python: Path) -> dict[str, Any]:
    """Run ``config`` once in a fresh interpreter and a fresh folder; return its answer."""
    # A short prefix: Ray puts its sockets under the child's folder (paths <= 107 bytes).
    workdir = Path(tempfile.mkdtemp(prefix="rayovh-"))
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # peers must not see our packages
    if not config.peer:
        # The trial function is sent by reference (module + name): the workers (local
        # processes, Ray workers) import it from peer_scripts/trivial.py.
        env["PYTHONPATH"] = os.pathsep.join([str(SCRIPTS), str(REPO)])
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    command = [
        str(python),
        str(SCRIPTS / config.script),
        "--sampler",
        "random",
        "--storage",
        "workspace-sqlite" if not config.peer else "ray-local-files",
        "--n-trials",
        str(config.n_trials),
        "--concurrency",
        str(CONCURRENCY),
        "--seed",
        str(SEED),
        "--workdir",
        str(workdir),
        "--warm-up",
        str(config.warm_up),
        *config.options,
    ]
    # A session of its own, so that whatever the child leaves (Ray's processes) is ended.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=workdir,
        env=env,
        start_new_session=True,
    )
    try:
        try:
            stdout, stderr = process.communicate(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            kill_session(process.pid)
            process.communicate()
            return {"error": f"killed after {CHILD_TIMEOUT_S:.0f} s"}
        for line in reversed(stdout.splitlines()):
            if line.startswith("RESULT "):
                return dict(json.loads(line[len("RESULT ") :]))
        tail = " | ".join((stderr or stdout).strip().splitlines()[-5:])
        return {"error": f"no result (exit {process.returncode}): {tail[-500:]}"}
    finally:
        kill_session(process.pid)
        shutil.rmtree(workdir, ignore_errors=True)


def median_of(answers: list[dict[str, Any]], key: str) -> str:
    values = [float(a[key]) for a in answers if a.get(key) is not None]
    return f"{statistics.median(values):.3f}" if values else ""


def measure(config: Config, repeats: int) -> dict[str, str]:
    """One row: ``repeats`` fresh children of ``config``, the median window recorded."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        config=config.name,
        engine=config.engine,
        executor=config.executor,
        n_trials=str(config.n_trials),
        concurrency=str(CONCURRENCY),
        repeats=str(repeats),
        warm_up_trials=str(config.warm_up),
        verified="False",
        load_before=f"{os.getloadavg()[0]:.2f}",
    )
    try:
        python = ensure_peer(*RAY_PEER) if config.peer else Path(sys.executable)
    except PeerError as exc:
        row["note"] = flat(f"peer install failed: {exc}")
        return row
    answers = []
    for _ in range(repeats):
        answer = run_child(config, python)
        row["version"] = str(answer.get("version", row["version"]))
        if "error" in answer:
            row["note"] = flat(answer["error"])
            return row
        answers.append(answer)
    seconds = [float(a["seconds"]) for a in answers]
    median = statistics.median(seconds)
    failed = [a["note"] for a in answers if not a["verified"]]
    notes = [f"median of {repeats}: " + ", ".join(f"{s:.3f}" for s in seconds) + " s"]
    notes += sorted({a["note"] for a in answers if a["note"] and a["verified"]})[:1]
    notes += [f"NOT VERIFIED: {note}" for note in failed[:1]]
    row.update(
        seconds=f"{median:.4f}",
        trials_per_s=f"{config.n_trials / median:.1f}",
        per_trial_overhead_ms=f"{1000 * median * CONCURRENCY / config.n_trials:.2f}",
        startup_s=median_of(answers, "startup_s"),
        warm_up_s=median_of(answers, "warm_up_s"),
        verified=str(not failed),
        window=answers[0]["window"],
        note=flat("; ".join(notes)),
    )
    return row


# ---------------------------------------------------------------- results file


def measured_today(rows: list[dict[str, str]], selected: list[Config]) -> str | None:
    """The latest run of today that verified every selected configuration, if any."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    wanted = {(c.name, str(c.n_trials)) for c in selected}
    runs: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        if r["run_id"][:10] == today and r["verified"] == "True":
            runs.setdefault(r["run_id"], set()).add((r["config"], r["n_trials"]))
    complete = [run for run, got in runs.items() if got >= wanted]
    return max(complete, default=None)


# ---------------------------------------------------------------- summary


def ratio_line(
    what: str, top: dict[str, str] | None, bottom: dict[str, str] | None, goal: float | None
) -> str:
    if top is None or bottom is None:
        return f"- {what}: n/a (not measured and verified in this run)"
    value = float(top["trials_per_s"]) / float(bottom["trials_per_s"])
    if goal is None:
        return f"- {what}: {value:.2f}x"
    verdict = "meets" if value >= goal else "misses"
    return f"- {what}: {value:.2f}x ({verdict} the target >= {goal:g}x)"


def summary(path: Path, run_id: str | None = None) -> None:
    """The markdown table of one run (default: the latest) and the ratios the issue asks for,
    from that run's rows only."""
    rows = read_rows(path)
    if run_id is None and rows:
        run_id = max(r["run_id"] for r in rows)
    at = [r for r in rows if r["run_id"] == run_id]
    if not at:
        print(f"no results{f' of run {run_id}' if run_id else ''} in {path}")
        return
    first = at[0]
    print(
        f"### Ray overhead, run {run_id}\n\n{first['machine']}, git {first['git_commit'] or '?'}"
        f"; trivial trials (score = x), random search, concurrency {first['concurrency']}, "
        f"median of {first['repeats']} fresh runs (`python benchmarks/ray_overhead.py`)\n"
    )
    head = [
        "config",
        "engine",
        "executor",
        "version",
        "trials",
        "seconds",
        "trials/s",
        "overhead ms/trial",
        "Ray start-up s",
        "verified",
        "load before",
    ]
    print("| " + " | ".join(head) + " |")
    numeric = {
        "trials",
        "seconds",
        "trials/s",
        "overhead ms/trial",
        "Ray start-up s",
        "load before",
    }
    print("| " + " | ".join("---:" if h in numeric else "---" for h in head) + " |")
    for r in at:
        cells = [
            r["config"],
            r["engine"],
            r["executor"],
            r["version"],
            r["n_trials"],
            r["seconds"] or "-",
            r["trials_per_s"] or "-",
            r["per_trial_overhead_ms"] or "-",
            r["startup_s"] or "-",
            r["verified"],
            r["load_before"],
        ]
        print("| " + " | ".join(cells) + " |")
    print(
        "\noverhead ms/trial = 1000 x seconds x concurrency / trials: the worker time one "
        "(trivial) trial costs. Ray start-up is outside the window; so is a warm-up "
        "(ours-ray: 20 trials, Tune: 4). ours-local's window includes its worker-pool start."
    )
    for r in at:
        if r["verified"] != "True" or not r["trials_per_s"]:
            print(f"\n- {r['config']} not verified: {r['note']}")

    good = {r["config"]: r for r in at if r["verified"] == "True" and r["trials_per_s"]}
    ray = good.get("ours-ray")
    print(f"\nTargets (issue #9), from run {run_id} only:\n")
    if ray is None:
        print("- ours-ray trials/s: n/a (not measured and verified in this run)")
    else:
        tps = float(ray["trials_per_s"])
        verdict = "meets" if tps >= GOAL_RAY_TRIALS_PER_S else "misses"
        print(
            f"- ours-ray: {tps:.1f} trials/s ({verdict} the target >= "
            f"{GOAL_RAY_TRIALS_PER_S:.0f} trials/s: {tps / GOAL_RAY_TRIALS_PER_S:.2f}x of it)"
        )
    print(ratio_line("ours-ray / tune-reuse", ray, good.get("tune-reuse"), GOAL_VS_TUNE_REUSE))
    print(ratio_line("ours-ray / tune-default", ray, good.get("tune-default"), None))
    print(ratio_line("ours-local / ours-ray", good.get("ours-local"), ray, None))


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=NAMES, action="append", help="run only this configuration (repeatable)"
    )
    parser.add_argument(
        "--trials-scale",
        type=float,
        default=1.0,
        help="multiply every trial count (e.g. 0.05 for a quick check; at least 10 each)",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="fresh runs per configuration; the median counts"
    )
    parser.add_argument(
        "--force", action="store_true", help="run even if a run today measured them all"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="the CSV to append to")
    parser.add_argument("--summary", action="store_true", help="summarise a run of the results")
    parser.add_argument("--run-id", help="the run --summary shows (default: the latest)")
    args = parser.parse_args()
    if args.summary:
        summary(args.results, args.run_id)
        return
    if args.trials_scale <= 0 or args.repeats < 1:
        parser.error("--trials-scale must be > 0 and --repeats >= 1")

    selected = [c for c in configs(args.trials_scale) if not args.only or c.name in args.only]
    earlier = None if args.force else measured_today(read_rows(args.results), selected)
    if earlier is not None:
        print(f"run {earlier} measured all of these today (--force to rerun)\n")
        summary(args.results, earlier)
        return
    run_id = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    context = {"run_id": run_id, "machine": machine(), "git_commit": git_commit()}
    for config in selected:
        print(f"running {config.name} n={config.n_trials} x{args.repeats} ...", end=" ", flush=True)
        row = measure(config, args.repeats)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        append(args.results, {**row, **context, "timestamp": stamp}, COLUMNS)  # row by row
        outcome = (
            f"{row['trials_per_s']} trials/s, {row['per_trial_overhead_ms']} ms/trial"
            if row["verified"] == "True"
            else f"NOT VERIFIED: {row['note'][:300]}"
        )
        print(outcome, flush=True)
    print(f"\nresults appended to {args.results}\n")
    summary(args.results, run_id)


if __name__ == "__main__":
    main()
