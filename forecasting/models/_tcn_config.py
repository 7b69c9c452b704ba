"""What the TCN forecaster's network is and what training left, without torch: the network's
shape, the training settings, the windows, and the trained weights as numpy arrays (so a
fitted TCN unpickles where torch is missing, and then says what to install).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["NetworkConfig", "TrainConfig", "Trained", "Windows"]


@dataclass(frozen=True)
class NetworkConfig:
    """The shape of the network."""

    input_size: int
    horizon: int
    levels: tuple[float, ...]
    channels: int
    kernel_size: int
    num_layers: int
    dropout: float


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained."""

    learning_rate: float
    max_steps: int
    batch_size: int
    eval_every: int
    patience: int
    seed: int
    n_jobs: int | None
    device: str


@dataclass(frozen=True)
class Windows:
    """Training and validation windows over scaled series laid end to end.

    Attributes:
        values: Every modelled series' scaled targets, one after another (float32).
        train_starts: First index in ``values`` of each training window (input then horizon).
        valid_starts: First index of each validation window (empty: no early stopping).
    """

    values: np.ndarray
    train_starts: np.ndarray
    valid_starts: np.ndarray


@dataclass(frozen=True)
class Trained:
    """What training left: the weights as numpy arrays, and how it went."""

    state: dict[str, np.ndarray] = field(repr=False)
    steps: int
    best_valid_loss: float | None
    stopped_early: bool
