"""Generated frames shared by the featurization tests (seeded, small)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"

WORDS = [
    *("alpha", "beta", "gamma", "delta", "offer", "free", "win", "prize", "call", "now"),
    *("meeting", "lunch", "today", "tomorrow", "report", "budget", "team", "project"),
    *("update", "please", "review", "send", "soon", "thanks", "great"),
]


def sentence(rng: np.random.Generator) -> str:
    """A random sentence of 4 to 12 words."""
    return " ".join(rng.choice(WORDS, size=int(rng.integers(4, 13))))


def mixed_frame(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A frame with one column of every purpose, and binary labels that depend on it."""
    rng = np.random.default_rng(seed)
    num = rng.normal(50, 10, n)
    num[rng.random(n) < 0.1] = np.nan
    cat = rng.choice(["red", "green", "blue"], n).astype(object)
    cat[rng.random(n) < 0.05] = None
    stamps = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24, n), "h")
    when = stamps.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
    when[rng.random(n) < 0.05] = None
    frame = pd.DataFrame(
        {
            "num": num,
            "small_int": rng.integers(0, 5, n),
            "cat": cat,
            "city": [f"city_{k}" for k in rng.integers(0, 150, n)],
            "when": when,
            "text": [sentence(rng) for _ in range(n)],
            "const": ["x"] * n,
            "row_id": np.arange(n),
            "empty": [np.nan] * n,
            "flag": rng.random(n) < 0.5,
            "code": [f"C{k:05d}" for k in rng.permutation(n)],
        }
    )
    logits = np.nan_to_num((num - 50) / 10) + (cat == "red") * 1.5 - 0.5
    y = (logits + rng.normal(0, 1, n) > 0).astype(int)
    return frame, y


EXPECTED_PURPOSES = {
    "num": "Numeric",
    "small_int": "Numeric",
    "cat": "Categorical",
    "city": "CategoricalHash",
    "when": "DateTime",
    "text": "Text",
    "const": "Ignore",
    "row_id": "Ignore",
    "empty": "AllNan",
    "flag": "Categorical",
    "code": "Ignore",
}
