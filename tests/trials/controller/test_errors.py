"""Every user-facing error: raised at construction, in the house format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from search_spaces import SearchSpaceError, choice, make_sampler, uniform
from tests.trials.controller import _targets
from trials._controller import Controller, ControllerOptions
from trials._limits import Limits
from trials._searcher import Objective, SamplerSearcher
from trials._sweep import Sweep
from trials._targets import FunctionTarget
from trials.executors import LocalExecutor
from trials.policies import NoTerminationPolicy
from trials.store import Workspace

pytestmark = pytest.mark.timeout(30)

SPACE = {"x": uniform(0, 1)}


def _sweep(**changes: Any) -> Sweep:
    arguments: dict[str, Any] = {
        "primary_metric": "score",
        "goal": "maximize",
        "max_total_trials": 2,
    }
    arguments.update(changes)
    trial = arguments.pop("trial", _targets.trivial)
    space = arguments.pop("search_space", SPACE)
    return Sweep(trial, space, **arguments)


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        (
            {"max_total_trials": None},
            ValueError,
            r"`max_total_trials` or `timeout` must be given, got neither",
        ),
        (
            {"max_total_trials": 0},
            ValueError,
            r"`max_total_trials` must be an int >= 1, got 0; it is the number",
        ),
        ({"max_total_trials": 2.5}, TypeError, r"`max_total_trials` must be an int >= 1, got 2\.5"),
        (
            {"max_concurrent_trials": 0},
            ValueError,
            r"`max_concurrent_trials` must be an int >= 1, got 0",
        ),
        ({"timeout": -1}, ValueError, r"`timeout` must be a number of seconds > 0, got -1"),
        ({"timeout": "1h"}, TypeError, r"`timeout` must be a number of seconds > 0, got '1h'"),
        (
            {"trial_timeout": 0},
            ValueError,
            r"`trial_timeout` must be a number of seconds > 0, got 0",
        ),
        ({"goal": "max"}, ValueError, r"`goal` must be one of 'maximize', 'minimize', got 'max'"),
        (
            {"primary_metric": ""},
            ValueError,
            r"`primary_metric` must be a non-empty string, got ''",
        ),
        ({"seed": -1}, ValueError, r"`seed` must be an int >= 0, got -1"),
        ({"sampling_algorithm": "tpe"}, SearchSpaceError, r"`sampling_algorithm` must be one of"),
        ({"sampling_algorithm": 3}, TypeError, r"`sampling_algorithm` must be a name, a mapping"),
        ({"sampling_algorithm": "grid"}, SearchSpaceError, r"grid sampling supports only `choice`"),
        ({"early_termination": {"type": "bandit"}}, ValueError, r"exactly one of `slack_factor`"),
        ({"early_termination": "sometimes"}, ValueError, r"`type` must be one of"),
        (
            {"executor": "cluster"},
            ValueError,
            r"`executor` must be one of 'local', 'ray', 'ray://host:port' or an Executor",
        ),
        ({"executor": "ray://host"}, ValueError, r"a Ray address is ray://host:port"),
        ({"workspace": 3}, TypeError, r"`workspace` must be None, a folder path"),
        (
            {"experiment_name": ""},
            ValueError,
            r"`experiment_name` must be a non-empty string or None",
        ),
        (
            {"resources": {"cpu": 2}},
            ValueError,
            r"unknown key\(s\) cpu in `resources`; valid keys: cpus",
        ),
        ({"resources": {"cpus": 0}}, ValueError, r"`cpus` must be an integer >= 1, got 0"),
        ({"resources": 2}, TypeError, r"`resources` must be None, a Resources or a mapping"),
        ({"search_space": [1, 2]}, TypeError, r"`search_space` must be a SearchSpace or a mapping"),
        ({"search_space": {"x": {"type": "uniformm"}}}, SearchSpaceError, r"uniformm"),
        ({"trial": lambda p, c: 1.0}, TypeError, r"`trial` must be a module-level function"),
        ({"trial": 42}, TypeError, r"`trial` must be a function train\(params, ctx\), a command"),
        (
            {"trial": "python t.py --lr ${{search_space.lr}}"},
            ValueError,
            r"unknown placeholder `\$\{\{search_space\.lr\}\}` in `command`; known placeholders: "
            r"\$\{\{search_space\.x\}\}",
        ),
    ],
)
def test_sweep_errors(changes: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        _sweep(**changes)


def test_a_grid_without_limits_says_its_size() -> None:
    with pytest.raises(ValueError, match="the grid has 6 points"):
        _sweep(
            search_space={"a": choice(1, 2, 3), "b": choice(1, 2)},
            sampling_algorithm="grid",
            max_total_trials=None,
        )


def test_a_given_sampler_must_match_the_sweep() -> None:
    other = make_sampler("random", {"y": uniform(0, 1)}, seed=1)
    with pytest.raises(ValueError, match="a Sampler over another search space"):
        _sweep(sampling_algorithm=other)
    minimizing = make_sampler("random", SPACE, seed=1, goal="minimize")
    with pytest.raises(ValueError, match="a Sampler with goal='minimize' but goal='maximize'"):
        _sweep(sampling_algorithm=minimizing)
    seeded = make_sampler("random", SPACE, seed=1)
    with pytest.raises(ValueError, match=r"`seed` must be None or the Sampler's own seed \(1\)"):
        _sweep(sampling_algorithm=seeded, seed=2)
    assert _sweep(sampling_algorithm=seeded).experiment_name.startswith("sweep-")


def test_controller_checks_its_collaborators(tmp_path: Path) -> None:
    searcher = SamplerSearcher(make_sampler("random", SPACE, seed=0), "score")
    target = FunctionTarget(_targets.trivial)
    with Workspace(tmp_path) as workspace:
        arguments: list[Any] = [
            searcher,
            target,
            LocalExecutor(),
            NoTerminationPolicy(),
            Limits(2),
            workspace,
            "e",
        ]
        objective = Objective("score", "maximize")
        for position, name in enumerate(
            ["searcher", "target", "executor", "policy", "limits", "workspace"]
        ):
            bad = list(arguments)
            bad[position] = "oops"
            with pytest.raises(TypeError, match=rf"`{name}` must be an? \w+, got 'oops' \(str\)"):
                Controller(*bad, objective=objective)
        with pytest.raises(ValueError, match="`experiment_name` must be a non-empty string"):
            Controller(*arguments[:-1], " ", objective=objective)
        with pytest.raises(TypeError, match="`objective` must be an Objective"):
            Controller(*arguments, objective="score")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"experiment_kind": ""}, ValueError, "`experiment_kind` must be a non-empty string"),
        ({"resources": {"cpus": 1}}, TypeError, "`resources` must be a Resources"),
        ({"on_trial_end": 3}, TypeError, "`on_trial_end` must be a function or None"),
        ({"commit_interval": 0}, ValueError, "`commit_interval` must be a number of seconds > 0"),
        (
            {"cancel_check_interval": 5},
            ValueError,
            "`cancel_check_interval` must be at most 1 second",
        ),
    ],
)
def test_controller_option_errors(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        ControllerOptions(**kwargs)
