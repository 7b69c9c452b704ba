"""Sweep overhead: trivial-objective trials per second at concurrency 2, ours next to peers.

Every configuration runs in its own fresh interpreter (no imports, caches or pools shared
between engines), on a fresh store in a new temporary folder, with a trivial objective
(``score = x`` for ``x ~ uniform(0, 1)``):

- ours: ``trials.Sweep`` (random and bayesian), every trial in a worker process and recorded in
  the workspace store (params, metrics, status); verified afterwards by reading the store.
- Optuna: ``study.optimize(objective, n_trials, n_jobs=2)`` with RandomSampler / TPESampler,
  in-memory and SQLite storage. Optuna's ``n_jobs`` runs trials in threads of one process,
  not in worker processes: the ``isolation`` column says so.
- Ray Tune: a function trainable reporting once, ``reuse_actors=True``, 2 concurrent trials,
  random search, on ``ray.init(num_cpus=2)`` (start-up excluded from the window).

Peers run in their own virtual environments under ``.peers/``, created here with pinned
versions (``benchmarks/_peers.py``). The measured window of each row is in its ``window``
column; trials/s = n_trials / seconds of that window (interpreter start and imports
excluded). The median of ``--repeats`` runs is recorded. Results are appended to
benchmarks/results/sweep_overhead.csv; rows (engine, sampler, storage, n_trials) already
verified today are skipped unless ``--force``. A configuration that cannot run (a peer that
does not install, our Sweep missing) gets a row with verified=False and the reason, and the
benchmark goes on.

    python benchmarks/sweep_overhead.py [--only ours|optuna|ray] [--trials-scale 0.1]
        [--repeats 3] [--force]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import PeerError, ensure_peer

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPTS = HERE / "peer_scripts"
RESULTS = HERE / "results" / "sweep_overhead.csv"
COLUMNS = [
    "timestamp",
    "machine",
    "engine",
    "version",
    "sampler",
    "storage",
    "isolation",
    "concurrency",
    "n_trials",
    "seconds",
    "trials_per_s",
    "verified",
    "window",
    "note",
]
CONCURRENCY = 2
SEED = 0
GOAL_TRIALS_PER_S = 500.0  # our random sampler at concurrency 2 on a 2-core machine
CHILD_TIMEOUT_S = 900.0

# Pinned peer installs: venv folder under .peers/ -> pip requirements. torch is never pulled in
# (checked after install); Ray Tune's function trainables do not need it.
PEERS = {
    "optuna": ("optuna-5.0.0", ["optuna==5.0.0"]),
    "ray": ("ray-2.60.0", ["ray[tune]==2.60.0"]),
}


@dataclass(frozen=True)
class Config:
    engine: str  # "ours" | "optuna" | "ray-tune"
    group: str  # the --only name: "ours" | "optuna" | "ray"
    sampler: str  # "random" | "bayesian" (ours) / "tpe" (Optuna)
    storage: str
    isolation: str  # "processes" | "threads"
    n_trials: int
    script: str

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.engine, self.sampler, self.storage, self.n_trials)

    @property
    def child_sampler(self) -> str:
        return "random" if self.sampler == "random" else "tpe"


def configs(scale: float) -> list[Config]:
    def n(base: int) -> int:
        return max(10, round(base * scale))

    workspace = "workspace-sqlite"
    return [
        Config("ours", "ours", "random", workspace, "processes", n(2000), "ours_sweep.py"),
        Config("ours", "ours", "bayesian", workspace, "processes", n(300), "ours_sweep.py"),
        Config("optuna", "optuna", "random", "memory", "threads", n(2000), "optuna_optimize.py"),
        Config("optuna", "optuna", "random", "sqlite", "threads", n(2000), "optuna_optimize.py"),
        Config("optuna", "optuna", "tpe", "memory", "threads", n(300), "optuna_optimize.py"),
        Config("optuna", "optuna", "tpe", "sqlite", "threads", n(300), "optuna_optimize.py"),
        Config(
            "ray-tune", "ray", "random", "ray-local-files", "processes", n(200), "ray_tune_fit.py"
        ),
    ]


def machine() -> str:
    return f"{platform.platform(terse=True)} {platform.machine()}, {os.cpu_count()} cores"


def others_busy(seconds: float = 1.0) -> str:
    """How busy the CPUs are just before a configuration runs (we are idle meanwhile)."""
    import time

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return f"1-min load avg before {os.getloadavg()[0]:.2f}"
    share = 1 - (idle1 - idle0) / max(1, total1 - total0)
    return f"CPU busy before (other processes) {share:.0%}"


def python_for(config: Config, recreate: bool) -> Path:
    if config.group == "ours":
        return Path(sys.executable)
    folder, requirements = PEERS[config.group]
    return ensure_peer(folder, requirements, recreate=recreate)


def run_child(config: Config, python: Path) -> dict[str, Any]:
    """Run one configuration once in a fresh interpreter and a fresh folder; return its answer."""
    workdir = Path(tempfile.mkdtemp(prefix=f"sweep-overhead-{config.engine}-"))
    env = dict(os.environ)
    if config.group == "ours":
        # Workers of our executor import the trial function by module name: put peer_scripts/
        # (trivial.py) and the repository on their path. Peers get neither (our packages
        # must not be importable in their venvs).
        env["PYTHONPATH"] = os.pathsep.join(
            [str(SCRIPTS), str(REPO), *filter(None, [env.get("PYTHONPATH")])]
        )
    command = [
        str(python),
        str(SCRIPTS / config.script),
        "--sampler",
        config.child_sampler,
        "--storage",
        config.storage,
        "--n-trials",
        str(config.n_trials),
        "--concurrency",
        str(CONCURRENCY),
        "--seed",
        str(SEED),
        "--workdir",
        str(workdir),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, cwd=workdir, env=env
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S:.0f} s"}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return dict(json.loads(line[len("RESULT ") :]))
    tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-5:])
    return {"error": f"no result (exit {done.returncode}): {tail[-500:]}"}


def measure(config: Config, repeats: int, recreate: bool) -> dict[str, str]:
    row = {
        "engine": config.engine,
        "version": "",
        "sampler": config.sampler,
        "storage": config.storage,
        "isolation": config.isolation,
        "concurrency": str(CONCURRENCY),
        "n_trials": str(config.n_trials),
        "seconds": "",
        "trials_per_s": "",
        "verified": "False",
        "window": "",
        "note": "",
    }
    try:
        python = python_for(config, recreate)
    except PeerError as exc:
        row["note"] = " ".join(f"peer install failed: {exc}".split())[:600]
        return row
    answers = []
    busy = others_busy()  # others' processes on this machine skew the numbers: say so
    for _ in range(repeats):
        answer = run_child(config, python)
        row["version"] = answer.get("version", row["version"])
        if "error" in answer:
            row["note"] = " ".join(str(answer["error"]).split())[:600]
            return row
        answers.append(answer)
    seconds = [a["seconds"] for a in answers]
    median = statistics.median(seconds)
    failed = [a["note"] for a in answers if not a["verified"]]
    notes = [f"median of {repeats}: " + ", ".join(f"{s:.3f}" for s in seconds) + " s"]
    notes.append(busy)
    notes += sorted({a["note"] for a in answers if a["note"] and a["verified"]})[:1]
    notes += [f"NOT VERIFIED: {note}" for note in failed[:1]]
    row.update(
        seconds=f"{median:.4f}",
        trials_per_s=f"{config.n_trials / median:.1f}",
        verified=str(not failed),
        window=answers[0]["window"],
        note="; ".join(notes),
    )
    return row


def read_rows() -> list[dict[str, str]]:
    if not RESULTS.exists():
        return []
    with RESULTS.open(newline="") as handle:
        return list(csv.DictReader(handle))


def row_key(row: dict[str, str]) -> tuple[str, str, str, int]:
    return (row["engine"], row["sampler"], row["storage"], int(row["n_trials"]))


def today(row: dict[str, str]) -> bool:
    return row["timestamp"][:10] == dt.datetime.now(dt.UTC).date().isoformat()


def append(rows: list[dict[str, str]]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new_file = not RESULTS.exists()
    with RESULTS.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        if new_file:
            writer.writeheader()
        writer.writerows(rows)


def label(row: dict[str, str]) -> str:
    return f"{row['engine']} {row['sampler']} / {row['storage']}"


def report(rows: list[dict[str, str]]) -> None:
    """Print the table (ratios against our random row) and a README snippet."""
    measured = [r for r in rows if r["trials_per_s"] and r["verified"] == "True"]

    def ours(sampler: str) -> dict[str, str] | None:
        return next((r for r in measured if (r["engine"], r["sampler"]) == ("ours", sampler)), None)

    reference, ours_bayesian = ours("random"), ours("bayesian")

    def ratio(ours: dict[str, str] | None, row: dict[str, str]) -> str:
        if ours is None or row not in measured:
            return "-"
        return f"{float(ours['trials_per_s']) / float(row['trials_per_s']):.2f}x"

    head = (
        f"{'configuration':<36}{'isolation':>10}{'n':>6}{'seconds':>9}{'trials/s':>10}"
        f"{'verified':>9}{'ours rnd/it':>12}{'ours bo/it':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        bo = ours_bayesian if r["sampler"] in ("bayesian", "tpe") else None
        print(
            f"{label(r):<36}{r['isolation']:>10}{r['n_trials']:>6}{r['seconds'] or '-':>9}"
            f"{r['trials_per_s'] or '-':>10}{r['verified']:>9}{ratio(reference, r):>12}"
            f"{ratio(bo, r):>11}"
        )
    for r in rows:
        if not r["trials_per_s"] or r["verified"] != "True":
            print(f"  note {label(r)}: {r['note']}")
    if reference is not None and reference["verified"] == "True":
        tps = float(reference["trials_per_s"])
        verdict = "meets" if tps >= GOAL_TRIALS_PER_S else "misses"
        print(
            f"our random sampler {verdict} the goal of >= {GOAL_TRIALS_PER_S:.0f} trials/s "
            f"({tps:.0f} trials/s)"
        )
    else:
        print("our random sampler: no verified measurement")

    print("\nREADME snippet:\n")
    print(
        f"Trivial-objective trials per second at concurrency {CONCURRENCY} "
        f"({machine()}; `python benchmarks/sweep_overhead.py`):\n"
    )
    print("| engine | sampler | storage | isolation | trials/s | ours random / it |")
    print("| --- | --- | --- | --- | ---: | ---: |")
    for r in rows:
        version = f" {r['version']}" if r["version"] else ""
        rate = r["trials_per_s"] if r in measured else "n/a"
        rr = ratio(reference, r) if r in measured else "n/a"
        print(
            f"| {r['engine']}{version} | {r['sampler']} | {r['storage']} | {r['isolation']} "
            f"| {rate} | {rr} |"
        )
    print(
        "\nOurs: every trial in a worker process, params/metrics/status committed to the "
        "workspace store, verified by reading it back. Optuna's `n_jobs` runs trials in threads "
        "of one process. Ray Tune: `reuse_actors=True`, `ray.init` excluded from the window."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        choices=["ours", "optuna", "ray"],
        action="append",
        help="run only this engine (repeatable)",
    )
    parser.add_argument(
        "--trials-scale",
        type=float,
        default=1.0,
        help="multiply every trial count (e.g. 0.1 for a quick check)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fresh runs per configuration; the median is recorded",
    )
    parser.add_argument(
        "--force", action="store_true", help="run configurations already verified today too"
    )
    parser.add_argument(
        "--recreate-peers",
        action="store_true",
        help="delete and reinstall the peer virtual environments",
    )
    args = parser.parse_args()
    if args.trials_scale <= 0 or args.repeats < 1:
        parser.error("--trials-scale must be > 0 and --repeats >= 1")

    existing = {row_key(r): r for r in read_rows() if today(r) and r["verified"] == "True"}
    selected = [c for c in configs(args.trials_scale) if not args.only or c.group in args.only]
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    table: list[dict[str, str]] = []
    recreated: set[str] = set()
    for config in selected:
        if config.key in existing and not args.force:
            print(
                f"skip {config.engine} {config.sampler} {config.storage} n={config.n_trials}: "
                "already measured today (--force to rerun)"
            )
            table.append(existing[config.key])
            continue
        print(
            f"running {config.engine} {config.sampler} {config.storage} "
            f"n={config.n_trials} x{args.repeats} ...",
            flush=True,
        )
        recreate = args.recreate_peers and config.group not in recreated
        recreated.add(config.group)
        row = {"timestamp": stamp, "machine": machine(), **measure(config, args.repeats, recreate)}
        append([row])  # row by row, so an interrupted benchmark keeps what it measured
        table.append(row)
    print()
    report(table)
    print(f"\nresults appended to {RESULTS}")


if __name__ == "__main__":
    main()
