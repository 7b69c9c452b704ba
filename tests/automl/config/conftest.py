"""Shared data for the AutoMLConfig and AutoML YAML tests: small tables, no randomness."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def frame() -> pd.DataFrame:
    """Six rows: two features, a weight, a fold column and a binary label ``y``."""
    return pd.read_csv(FIXTURES / "train.csv")


@pytest.fixture
def base(frame: pd.DataFrame) -> dict[str, object]:
    """The arguments every valid classification config needs."""
    return {"task": "classification", "training_data": frame, "label_column_name": "y"}
