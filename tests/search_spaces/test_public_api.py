"""The public API of search_spaces, its light import and its place in the layering."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import search_spaces

PACKAGE = Path(search_spaces.__file__).parent

EXPECTED = [
    "BayesianSampler",
    "Choice",
    "Constant",
    "Distribution",
    "Expression",
    "Goal",
    "GridSampler",
    "LogNormal",
    "LogUniform",
    "Normal",
    "QLogNormal",
    "QLogUniform",
    "QNormal",
    "QUniform",
    "RandInt",
    "RandomSampler",
    "Sampler",
    "SearchExhaustedError",
    "SearchSpace",
    "SearchSpaceError",
    "TrialState",
    "Uniform",
    "choice",
    "flatten_params",
    "lognormal",
    "loguniform",
    "make_sampler",
    "normal",
    "parse_search_space",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]


def test_public_api_is_pinned() -> None:
    assert sorted(search_spaces.__all__) == EXPECTED
    for name in EXPECTED:
        assert getattr(search_spaces, name) is not None


def test_errors_are_value_errors_where_input_is_bad() -> None:
    assert issubclass(search_spaces.SearchSpaceError, ValueError)
    assert issubclass(search_spaces.SearchExhaustedError, Exception)


def test_import_is_light() -> None:
    code = (
        "import sys, search_spaces\n"
        "heavy = {'optuna', 'scipy', 'pandas', 'sklearn'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    ).stdout.strip()
    assert out == "[]"


def test_search_spaces_imports_no_other_package_of_ours() -> None:
    ours = {"featurization", "trials", "forecasting", "automl", "benchmarks"}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & ours, f"{path} imports {roots & ours}"
    assert (PACKAGE / "py.typed").exists()
