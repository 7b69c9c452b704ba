"""Trial targets: functions, and command lines with ${{...}} placeholders."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from search_spaces import SearchSpace, choice, uniform
from tests.trials.controller import _targets
from trials._targets import (
    CommandTemplate,
    FunctionTarget,
    as_trial_target,
    format_value,
    search_space_paths,
    substitute,
)
from trials.executors import CommandTarget

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1, "0.1"),
        (1e-05, "1e-05"),
        (3, "3"),
        (True, "True"),
        (None, "None"),
        ("a b", "a b"),
        ([1, 2], "[1, 2]"),
        ({"b": 1, "a": 2}, '{"a": 2, "b": 1}'),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_format_value_of_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    assert format_value(np.float64(0.25)) == "0.25"
    assert format_value(np.int64(7)) == "7"


def test_substitute_takes_several_namespaces() -> None:
    text = "--lr=${{search_space.lr}} --data ${{ inputs.data }} --c=${{search_space.model.C}}"
    namespaces = {"search_space": {"lr": 0.01, "model.C": 2}, "inputs": {"data": "d.csv"}}
    assert substitute(text, namespaces) == "--lr=0.01 --data d.csv --c=2"


def test_unknown_placeholder_names_it_and_lists_the_known_ones() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown placeholder `\$\{\{search_space\.lrr\}\}` in the command; known "
        r"placeholders: \$\{\{search_space\.lr\}\}, \$\{\{inputs\.data\}\}",
    ):
        substitute("${{search_space.lrr}}", {"search_space": {"lr": 1}, "inputs": {"data": 1}})


def test_command_template_splits_then_substitutes() -> None:
    template = CommandTemplate(
        "python train.py --name '${{search_space.name}}' --lr ${{search_space.lr}}"
    )
    target = template.for_trial({"name": "two words", "lr": 0.5})
    assert target.argv == ("python", "train.py", "--name", "two words", "--lr", "0.5")
    assert template.identity() == {"type": "command", "argv": list(template.argv)}


def test_command_template_checks_placeholders_against_the_space() -> None:
    space = SearchSpace(
        {"lr": uniform(0, 1), "model": choice({"name": "svm", "C": uniform(0, 1)}, "rf")}
    )
    assert search_space_paths(space) == {"lr", "model", "model.name", "model.C"}
    CommandTemplate("run ${{search_space.model.C}} ${{search_space.lr}}").check(space)
    with pytest.raises(
        ValueError, match=r"unknown placeholder `\$\{\{search_space\.rate\}\}` in `command`"
    ):
        CommandTemplate("run ${{search_space.rate}}").check(space)
    with pytest.raises(ValueError, match=r"unknown placeholder `\$\{\{inputs\.data\}\}`"):
        CommandTemplate("run ${{inputs.data}}").check(space)
    CommandTemplate("run ${{inputs.data}}", inputs={"data": "x.csv"}).check(space)


def test_as_trial_target() -> None:
    assert isinstance(as_trial_target(_targets.trivial), FunctionTarget)
    assert as_trial_target(_targets.trivial).identity() == {
        "type": "function",
        "name": "tests.trials.controller._targets:trivial",
    }
    assert isinstance(as_trial_target("python -V"), CommandTemplate)
    command = as_trial_target(
        CommandTarget([sys.executable, "${{search_space.x}}"], env={"A": "1"})
    )
    assert command.for_trial({"x": 2}) == CommandTarget([sys.executable, "2"], env={"A": "1"})


def test_target_errors() -> None:
    with pytest.raises(TypeError, match="`trial` must be a module-level function"):
        as_trial_target(lambda params, ctx: 1.0)

    def nested(params: Any, ctx: Any) -> float:
        return 1.0

    with pytest.raises(TypeError, match=r"got '.*<locals>\.nested'"):
        as_trial_target(nested)
    with pytest.raises(TypeError, match="`trial` must be a function train"):
        as_trial_target(3)
    with pytest.raises(ValueError, match="`command` must not be empty"):
        CommandTemplate("   ")
    with pytest.raises(ValueError, match="`command` must be a valid shell command line"):
        CommandTemplate("python 'unclosed")
    with pytest.raises(TypeError, match="`command` must be a string or a list of strings"):
        CommandTemplate([1, 2])  # type: ignore[list-item]
