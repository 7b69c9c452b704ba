"""Imports only go down (DESIGN.md): a lower package never imports a higher one, not even lazily."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED: dict[str, set[str]] = {
    "search_spaces": set(),
    "featurization": set(),
    "trials": {"search_spaces"},
    "forecasting": {"featurization", "search_spaces"},
    "automl": {"search_spaces", "featurization", "trials", "forecasting"},
}


def imported_packages(source: str) -> set[str]:
    """Top-level names of every absolute import in a module, lazy ones inside functions included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_only_go_down(package: str) -> None:
    ours = set(ALLOWED)
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        forbidden = (imported_packages(path.read_text()) & ours) - ALLOWED[package] - {package}
        violations.extend(f"{path.relative_to(ROOT)} imports {name}" for name in sorted(forbidden))
    assert not violations, "imports must only go down (DESIGN.md):\n" + "\n".join(violations)


def test_the_checker_sees_lazy_imports() -> None:
    source = "def f():\n    from automl.cli import main\n    import trials.store\n"
    assert imported_packages(source) == {"automl", "trials"}
