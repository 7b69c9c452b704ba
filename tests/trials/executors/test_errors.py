"""Every user-facing error: clear, in the house format, raised before any compute."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.trials.executors import _targets
from tests.trials.executors._helpers import spec
from trials.executors import CommandTarget, LocalExecutor, Resources, TrialSpec

pytestmark = pytest.mark.timeout(60)
Make = Callable[..., LocalExecutor]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cpus": 0}, r"`cpus` must be an integer >= 1, got 0"),
        ({"cpus": 1.5}, r"`cpus` must be an integer >= 1, got 1.5"),
        ({"cpus": True}, r"`cpus` must be an integer >= 1, got True \(bool\)"),
        ({"gpus": -1}, r"`gpus` must be a number >= 0, got -1"),
        ({"gpus": float("nan")}, r"`gpus` must be a number >= 0, got nan"),
        ({"gpus": 1.5}, r"`gpus` must be a fraction below 1 or a whole number of GPUs, got 1.5"),
        ({"mem_in_mb": 0}, r"`mem_in_mb` must be an integer number of MiB >= 1 or None, got 0"),
        ({"mem_in_mb": 100.5}, r"`mem_in_mb` must be an integer number of MiB >= 1"),
        ({"timeout": 0}, r"`timeout` must be a number of seconds > 0 or None, got 0"),
        ({"timeout": float("inf")}, r"`timeout` must be a number of seconds > 0 or None, got inf"),
        ({"timeout": "60"}, r"`timeout` must be a number of seconds > 0 or None, got '60'"),
    ],
)
def test_bad_resources(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Resources(**options)


def test_resources_normalise_numbers() -> None:
    assert Resources(gpus=2, timeout=3) == Resources(gpus=2.0, timeout=3.0)
    assert Resources(custom={"TPU": 1}).custom == {"TPU": 1.0}
    assert hash(Resources(custom={"TPU": 1})) == hash(Resources())


@pytest.mark.parametrize(
    ("custom", "error", "message"),
    [
        ([("TPU", 1)], TypeError, r"`custom` must be a mapping of resource name -> amount"),
        ({"": 1}, ValueError, r"`custom` resource names must be non-empty strings, got ''"),
        ({"GPU": 1}, ValueError, r"`custom` must not name 'GPU': use `gpus` for it"),
        ({"memory": 1}, ValueError, r"`custom` must not name 'memory': use `mem_in_mb`"),
        ({"TPU": 0}, ValueError, r"`custom` amounts must be numbers > 0, got 'TPU': 0"),
        ({"TPU": True}, ValueError, r"`custom` amounts must be numbers > 0, got 'TPU': True"),
    ],
)
def test_bad_custom_resources(custom: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        Resources(custom=custom)  # type: ignore[arg-type]


def test_local_executor_refuses_custom_resources(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    trial = spec(tmp_path, "r1", _targets.trivial, resources=Resources(custom={"TPU": 1}))
    with pytest.raises(ValueError, match=r"custom resources \{'TPU': 1.0\}, which only Ray"):
        executor.submit(trial)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"max_concurrency": 0}, ValueError, r"`max_concurrency` must be an integer >= 1, got 0"),
        ({"max_concurrency": 2.0}, ValueError, r"`max_concurrency` must be an integer >= 1"),
        (
            {"start_method": "fork"},
            ValueError,
            r"`start_method` must be one of 'forkserver', 'spawn', got 'fork'",
        ),
        ({"gpus": "0,1"}, TypeError, r"`gpus` must be a list of GPU ids such as \[0, 1\]"),
        (
            {"gpus": [0, -1]},
            ValueError,
            r"`gpus` must hold GPU indices >= 0 or device UUIDs, got -1",
        ),
        ({"gpus": [0, 0]}, ValueError, r"`gpus` must not repeat a GPU"),
        ({"memory_check_interval": 0}, ValueError, r"`memory_check_interval` must be a number"),
    ],
)
def test_bad_executor_options(
    options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        LocalExecutor(**options)


def test_bad_trial_specs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"`run_id` must be a non-empty string, got ''"):
        TrialSpec("", 0, {}, _targets.trivial, tmp_path)
    with pytest.raises(ValueError, match=r"`index` must be an integer >= 0, got -1"):
        TrialSpec("r", -1, {}, _targets.trivial, tmp_path)
    with pytest.raises(TypeError, match=r"`params` must be a dict, got \[1\] \(list\)"):
        TrialSpec("r", 0, [1], _targets.trivial, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"`target` must be a function train\(params, ctx\) or a CommandTarget"
    ):
        TrialSpec("r", 0, {}, "train.py", tmp_path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"`resources` must be a Resources"):
        TrialSpec("r", 0, {}, _targets.trivial, tmp_path, resources={"cpus": 2})  # type: ignore[arg-type]
    assert TrialSpec("r", 0, {}, _targets.trivial, str(tmp_path)).artifact_dir == tmp_path  # type: ignore[arg-type]


def test_bad_command_targets() -> None:
    with pytest.raises(
        TypeError, match=r"`argv` must be a list of arguments, got the string .*shlex.split"
    ):
        CommandTarget("python train.py")
    with pytest.raises(TypeError, match=r"`argv` must be a non-empty list of strings, got \[\]"):
        CommandTarget([])
    with pytest.raises(TypeError, match=r"`env` must map strings to strings, got 'SEED': 1"):
        CommandTarget(["python"], env={"SEED": 1})  # type: ignore[dict-item]
    assert CommandTarget([Path("/bin/true")]).argv == ("/bin/true",)  # type: ignore[list-item]


def test_lambda_target_is_refused_with_a_hint(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor()
    with pytest.raises(TypeError, match=r"must be a module-level function .*\(not a lambda"):
        executor.submit(spec(tmp_path, "r1", lambda params, ctx: 1.0))
    assert executor.capacity() == 1


def test_nested_function_target_is_refused(make_executor: Make, tmp_path: Path) -> None:
    def train(params: dict[str, Any], ctx: Any) -> float:
        return 1.0

    with pytest.raises(
        TypeError,
        match=r"module-level function .*'test_nested_function_target_is_refused.<locals>.train'",
    ):
        make_executor().submit(spec(tmp_path, "r1", train))


def test_unpicklable_params_are_refused(make_executor: Make, tmp_path: Path) -> None:
    with pytest.raises(
        TypeError, match=r"`params` of trial 'r1' cannot be sent to a worker process"
    ):
        make_executor().submit(spec(tmp_path, "r1", _targets.trivial, {"f": lambda: 1}))


def test_duplicate_run_id_is_refused(make_executor: Make, tmp_path: Path) -> None:
    executor = make_executor(max_concurrency=2)
    executor.submit(spec(tmp_path, "r1", _targets.sleeps))
    with pytest.raises(ValueError, match=r"`run_id` 'r1' is already running"):
        executor.submit(spec(tmp_path, "r1", _targets.trivial))


def test_bad_poll_timeout(make_executor: Make) -> None:
    with pytest.raises(ValueError, match=r"`timeout` must be a number of seconds >= 0, got -1"):
        make_executor().poll(-1)


def test_shut_down_executor_cannot_start_again(tmp_path: Path) -> None:
    executor = LocalExecutor()
    with executor:
        pass
    executor.shutdown()  # idempotent
    with pytest.raises(RuntimeError, match="was shut down; create a new one"):
        executor.submit(spec(tmp_path, "r1", _targets.trivial))
