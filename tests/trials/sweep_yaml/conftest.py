from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE: dict[str, Any] = {
    "type": "sweep",
    "trial": {"command": "python train.py --lr ${{search_space.lr}}", "code": "."},
    "search_space": {"lr": {"type": "uniform", "min_value": 0.01, "max_value": 0.1}},
    "objective": {"goal": "maximize", "primary_metric": "accuracy"},
    "limits": {"max_total_trials": 4},
}


def with_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """BASE with ``changes`` applied: ``"limits/timeout"`` sets a nested field, None deletes."""
    job: dict[str, Any] = yaml.safe_load(yaml.safe_dump(BASE))
    for dotted, value in changes.items():
        *parents, last = dotted.split("/")
        target = job
        for parent in parents:
            target = target.setdefault(parent, {})
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return job


@pytest.fixture
def write_job(tmp_path: Path) -> Callable[..., Path]:
    """Write a job file (BASE with changes, or the given text) into a folder with data."""
    (tmp_path / "train.py").write_text("print('hi')\n")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    (tmp_path / "images").mkdir()

    def write(
        changes: dict[str, Any] | None = None, *, name: str = "job.yaml", text: str | None = None
    ) -> Path:
        path = tmp_path / name
        if text is None:
            text = yaml.safe_dump(with_changes(changes or {}), sort_keys=False)
        path.write_text(text)
        return path

    return write
