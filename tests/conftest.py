from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_workspace_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch a real workspace through the environment."""
    monkeypatch.delenv("AUTOML_WORKSPACE", raising=False)
