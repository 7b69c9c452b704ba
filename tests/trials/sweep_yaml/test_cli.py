"""`automl sweep FILE.yaml`: parser wiring, errors with exit status 2, and the leaderboard."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

import automl.cli
import trials
from automl.cli import _sweep_command
from trials import Workspace


def build_parser() -> argparse.ArgumentParser:
    """automl's parser with the sweep command, as the lead wires it."""
    parser = argparse.ArgumentParser(prog="automl")
    parser.add_argument("--workspace", "-w", default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _sweep_command.register(commands)
    return parser


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    monkeypatch.setattr(automl.cli, "build_parser", build_parser)

    def run(*argv: str) -> tuple[int, str, str]:
        status = automl.cli.main(list(argv))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


class FakeSweep:
    """Stands in for trials.Sweep: records its arguments, writes two trials to the store."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        FakeSweep.calls.append(kwargs)

    def run(self, quiet: bool = True) -> Any:
        name = self.kwargs["experiment_name"]
        with Workspace(self.kwargs["workspace"]) as workspace:
            experiment = workspace.get_or_create_experiment(name, kind="sweep", fingerprint="f")
            writer = workspace.writer()
            parent = writer.start_run(experiment.id, kind="parent")
            for index, (lr, accuracy, status) in enumerate(
                [(0.01, 0.70, "early_terminated"), (0.05, 0.80, "completed")]
            ):
                run_id = writer.start_run(
                    experiment.id, parent_id=parent, index=index, params={"lr": lr}
                )
                writer.log_metrics(run_id, {"accuracy": accuracy}, step=1)
                writer.set_status(run_id, status)
            writer.set_status(parent, "completed")
            writer.commit()
        return SimpleNamespace(experiment_name=name, quiet=quiet)


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["sweep", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in ("FILE.yaml", "--name", "--quiet", "--json"):
        assert text in out


def test_a_bad_job_exits_2_with_the_message(cli: Any, write_job: Callable[..., Path]) -> None:
    path = write_job({"limits/max_total_trials": 0})
    status, out, err = cli("sweep", str(path))
    assert status == 2 and out == ""
    assert err.startswith(f"automl: error: {path}: `limits.max_total_trials` must be an int")


def test_without_trials_sweep_it_says_so(
    cli: Any, write_job: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(trials, "Sweep", raising=False)
    status, _, err = cli("sweep", str(write_job({"trial/environment": "azureml:env:1"})))
    assert status == 2
    assert "automl: notice: `trial.environment` is ignored" in err  # notices come first
    assert "`automl sweep` needs trials.Sweep" in err


def test_runs_the_sweep_and_prints_the_leaderboard(
    cli: Any, write_job: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(trials, "Sweep", FakeSweep, raising=False)
    FakeSweep.calls.clear()
    workspace = str(tmp_path / "ws")
    status, out, err = cli("--workspace", workspace, "sweep", str(write_job(name="credit.yaml")))
    assert status == 0, err
    [kwargs] = FakeSweep.calls
    assert kwargs["experiment_name"] == "credit"  # the file's stem
    assert kwargs["workspace"] == workspace
    assert (kwargs["primary_metric"], kwargs["goal"]) == ("accuracy", "maximize")
    assert "Sweep credit: top 2, best accuracy first" in " ".join(out.split())
    assert out.index("0.8") < out.index("0.7")  # best first
    assert f"automl --workspace {workspace} runs ls --experiment credit" in out

    status, out, _ = cli("-w", workspace, "sweep", str(write_job()), "--name", "again", "--json")
    assert status == 0
    result = json.loads(out)
    assert FakeSweep.calls[-1]["experiment_name"] == result["experiment"] == "again"
    assert [(row["index"], row["status"], row["accuracy"]) for row in result["leaderboard"]] == [
        (1, "completed", 0.8),
        (0, "early_terminated", 0.7),
    ]
    assert result["leaderboard"][0]["params"] == {"lr": 0.05}
