from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from trials.executors import LocalExecutor


@pytest.fixture
def make_executor() -> Iterator[Callable[..., LocalExecutor]]:
    """Builds started LocalExecutors that are shut down after the test."""
    created: list[LocalExecutor] = []

    def make(**options: Any) -> LocalExecutor:
        executor = LocalExecutor(**options)
        created.append(executor)
        executor.start()
        return executor

    yield make
    for executor in created:
        executor.shutdown()
