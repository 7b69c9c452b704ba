"""`import automl` (and every package) stays light: heavy libraries load only when used."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = [
    "pandas",
    "sklearn",
    "lightgbm",
    "xgboost",
    "catboost",
    "torch",
    "ray",
    "optuna",
    "sqlalchemy",
    "alembic",
    "scipy",
    "statsforecast",
    "matplotlib",
]


def modules_after_import(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return {name.split(".")[0] for name in json.loads(output)}


@pytest.mark.parametrize(
    "statement",
    [
        "import automl",
        "import trials",
        "import search_spaces",
        "import featurization",
        "import forecasting",
        "import automl.cli",
    ],
)
def test_import_pulls_in_no_heavy_library(statement: str) -> None:
    loaded = modules_after_import(statement) & set(HEAVY)
    assert not loaded, f"`{statement}` imported heavy libraries: {sorted(loaded)}"
