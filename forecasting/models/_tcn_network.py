"""The network of the TCN forecaster, in PyTorch: build, train with the pinball loss, predict.

**Network.** Input: a window of ``input_size`` scaled targets, centred on its own mean (added
back to every output, so the network learns shapes, not levels). ``num_layers`` residual
blocks of two causal dilated convolutions (dilation ``2**i``, ReLU, dropout; a 1x1 convolution
on the skip path where the channels change) read it; a linear head maps the last time step's
channels to ``horizon x len(levels)`` outputs, and a linear map of the raw window adds a direct
autoregressive term (strong on seasonal series from the first steps). Every output is one
quantile level of one step ahead: the multi-step forecast is direct.

**Training.** Adam on random mini-batches of windows, the loss the mean pinball loss over the
levels and steps, gradients clipped to norm 1. With validation windows (each series' last one)
the validation loss is checked every ``eval_every`` steps; training stops after ``patience``
checks without improvement and the best weights are kept.

**Determinism.** Everything runs inside :func:`torch_session`: the torch RNG forked and seeded
(the caller's RNG state is left as it was), deterministic algorithms on, and the CPU threads
fixed to ``n_jobs`` (None: the count torch has, which a trial's executor caps). The same seed
and data give the same weights on CPU. Weights leave as numpy arrays (pickle without torch
objects) and are loaded into a fresh network to predict.

Imported only when a TCN is fitted or asked for forecasts (``import torch`` at the top).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from forecasting._errors import ForecastingError
from forecasting.models._tcn_config import NetworkConfig, TrainConfig, Trained, Windows

__all__ = [
    "predict_network",
    "resolve_device",
    "torch_session",
    "train_network",
]

_PREDICT_BATCH = 4096


def resolve_device(device: str) -> str:
    """``"auto"``: ``"cuda"`` where torch sees a GPU (a trial given one), else ``"cpu"``.

    Raises:
        ForecastingError: ``"cuda"`` where torch sees no GPU.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ForecastingError(
            f"`device` must be 'auto' or 'cpu' where torch sees no GPU, got {device!r} "
            "(torch.cuda.is_available() is False: a CPU build of torch, no GPU, or a trial "
            "given none)"
        )
    return device


@contextlib.contextmanager
def torch_session(seed: int, n_jobs: int | None, device: str) -> Iterator[None]:
    """Seeded, deterministic torch on ``n_jobs`` CPU threads; everything restored after."""
    previous_threads = torch.get_num_threads()
    previous_deterministic = torch.are_deterministic_algorithms_enabled()
    previous_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    if n_jobs is not None:
        torch.set_num_threads(n_jobs)
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            yield
    finally:
        torch.use_deterministic_algorithms(previous_deterministic, warn_only=previous_warn)
        torch.set_num_threads(previous_threads)


class _CausalBlock(nn.Module):
    """Two causal dilated convolutions with a residual connection."""

    def __init__(self, inputs: int, channels: int, kernel: int, dilation: int, dropout: float):
        super().__init__()
        self.pad = (kernel - 1) * dilation
        self.first = nn.Conv1d(inputs, channels, kernel, dilation=dilation)
        self.second = nn.Conv1d(channels, channels, kernel, dilation=dilation)
        self.dropout = nn.Dropout(dropout)
        self.skip: nn.Module = (
            nn.Conv1d(inputs, channels, 1) if inputs != channels else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dropout(functional.relu(self.first(functional.pad(x, (self.pad, 0)))))
        h = self.dropout(functional.relu(self.second(functional.pad(h, (self.pad, 0)))))
        return functional.relu(h + self.skip(x))


class _Network(nn.Module):
    """The temporal convolutional network (see the module docstring)."""

    def __init__(self, config: NetworkConfig):
        super().__init__()
        self.config = config
        blocks = [
            _CausalBlock(
                1 if i == 0 else config.channels,
                config.channels,
                config.kernel_size,
                2**i,
                config.dropout,
            )
            for i in range(config.num_layers)
        ]
        self.blocks = nn.Sequential(*blocks)
        outputs = config.horizon * len(config.levels)
        self.head = nn.Linear(config.channels, outputs)
        self.linear = nn.Linear(config.input_size, outputs)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        """Quantile forecasts, shape (batch, horizon, levels), of windows (batch, input)."""
        level = window.mean(dim=1, keepdim=True)
        centred = window - level
        hidden = self.blocks(centred.unsqueeze(1))[:, :, -1]
        out = self.head(hidden) + self.linear(centred)
        shape = (window.shape[0], self.config.horizon, len(self.config.levels))
        result: torch.Tensor = out.view(shape) + level.unsqueeze(2)
        return result


def _pinball(forecast: torch.Tensor, target: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
    """Mean pinball loss of quantile forecasts (batch, horizon, levels) against (batch, h)."""
    diff = target.unsqueeze(2) - forecast
    return torch.maximum(levels * diff, (levels - 1.0) * diff).mean()


def _batch(
    values: torch.Tensor, starts: torch.Tensor, config: NetworkConfig
) -> tuple[torch.Tensor, torch.Tensor]:
    span = torch.arange(config.input_size + config.horizon, device=values.device)
    rows = values[starts.unsqueeze(1) + span.unsqueeze(0)]
    return rows[:, : config.input_size], rows[:, config.input_size :]


def _state(network: nn.Module) -> dict[str, np.ndarray]:
    return {key: value.detach().cpu().numpy().copy() for key, value in network.state_dict().items()}


def train_network(config: NetworkConfig, train: TrainConfig, windows: Windows) -> Trained:
    """Train a fresh network on ``windows`` (see the module docstring)."""
    device = torch.device(train.device)
    with torch_session(train.seed, train.n_jobs, train.device):
        network = _Network(config).to(device)
        optimizer = torch.optim.Adam(network.parameters(), lr=train.learning_rate)
        values = torch.as_tensor(windows.values, dtype=torch.float32, device=device)
        starts = torch.as_tensor(windows.train_starts, dtype=torch.int64)
        valid = torch.as_tensor(windows.valid_starts, dtype=torch.int64, device=device)
        levels = torch.tensor(config.levels, dtype=torch.float32, device=device)
        generator = torch.Generator().manual_seed(train.seed)
        batch = min(train.batch_size, len(starts))
        best: tuple[float, dict[str, np.ndarray]] | None = None
        waited, step, stopped = 0, 0, False
        for step in range(1, train.max_steps + 1):
            network.train()
            pick = starts[torch.randint(len(starts), (batch,), generator=generator)].to(device)
            inputs, targets = _batch(values, pick, config)
            loss = _pinball(network(inputs), targets, levels)
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            if len(valid) == 0 or (step % train.eval_every and step != train.max_steps):
                continue
            network.eval()
            with torch.no_grad():
                inputs, targets = _batch(values, valid, config)
                current = float(_pinball(network(inputs), targets, levels))
            if best is None or current < best[0] - 1e-7:
                best, waited = (current, _state(network)), 0
            else:
                waited += 1
                if waited >= train.patience:
                    stopped = True
                    break
        if best is None or not math.isfinite(best[0]):
            return Trained(_state(network), step, None, False)
        return Trained(best[1], step, best[0], stopped)


def predict_network(
    config: NetworkConfig,
    state: dict[str, np.ndarray],
    inputs: np.ndarray,
    *,
    n_jobs: int | None,
    device: str,
) -> np.ndarray:
    """Quantile forecasts (series, horizon, levels), in scaled units, of the windows ``inputs``
    (series, input_size)."""
    with torch_session(0, n_jobs, device):
        network = _Network(config)
        network.load_state_dict({key: torch.as_tensor(value) for key, value in state.items()})
        network = network.to(torch.device(device)).eval()
        outputs = []
        with torch.no_grad():
            for start in range(0, len(inputs), _PREDICT_BATCH):
                chunk = torch.as_tensor(
                    inputs[start : start + _PREDICT_BATCH], dtype=torch.float32, device=device
                )
                outputs.append(network(chunk).cpu().numpy())
    return np.concatenate(outputs).astype(np.float64)
