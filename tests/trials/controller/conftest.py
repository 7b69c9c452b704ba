from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from trials.store import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh folder workspace, closed after the test."""
    with Workspace(tmp_path / "workspace") as ws:
        yield ws
