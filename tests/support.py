"""Helpers shared by the test suite."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def running_in_ci() -> bool:
    """True under CI (``CI=true``), where a missing server or browser is a failure."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_requirement(message: str) -> NoReturn:
    """Skip a test whose server or browser is missing, saying what to install.

    Under CI such a skip would hide untested code, so there it fails instead.
    """
    if running_in_ci():
        pytest.fail(f"CI=true but a test requirement is missing: {message}", pytrace=False)
    pytest.skip(message)
