from __future__ import annotations

from importlib.util import find_spec

import pytest

from tests.support import missing_requirement


@pytest.fixture(autouse=True)
def _needs_torch_for_the_mlp(request: pytest.FixtureRequest) -> None:
    """TabularMLP tests need PyTorch: they skip without it (and fail under CI, which has it)."""
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("name") if callspec is not None else None
    if (name == "TabularMLP" or "mlp" in request.node.name.lower()) and find_spec("torch") is None:
        missing_requirement(
            "PyTorch is not installed: pip install 'openaml[torch]' "
            "(or the CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
        )
