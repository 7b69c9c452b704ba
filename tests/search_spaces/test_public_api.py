"""search_spaces: its errors and its light import (tests/test_public_api.py pins the names)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import search_spaces

PACKAGE = Path(search_spaces.__file__).parent


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
