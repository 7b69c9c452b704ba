"""TabularMLP: a PyTorch multilayer perceptron on the one-hot, scaled matrix.

Blocks of Linear -> (BatchNorm) -> ReLU/ELU -> Dropout, trained with AdamW on shuffled
mini-batches (AutoGluon's batch size rule: ``min(2 ** (3 + floor(log10 n)), 512, n)``);
regression targets are standardized. Epochs are the chunks; with ``eval_set`` the validation
loss is checked each epoch, training stops after AutoGluon's adaptive patience
(``round(0.5 * best_epoch + 20)`` epochs) and the best epoch's weights are kept.

Deterministic for a seed: weights, dropout and shuffling draw from a forked, seeded torch RNG
(the caller's RNG state is left untouched) and the thread count is fixed to ``n_jobs``. The
fitted model pickles its weights as numpy arrays and rebuilds the network when first used.
PyTorch is an optional dependency: ``pip install 'openaml[torch]'``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from automl.learners._base import (
    DataSize,
    FitData,
    Learner,
    LearnerInfo,
    Task,
    chunk_ends,
)
from automl.learners._spaces import int_range, log_int, log_range
from search_spaces import SearchSpace, choice, uniform

__all__ = ["TabularMLP", "TabularMLPModel"]

_PREDICT_BATCH = 8192


def _config(
    lr: float, wd: float, dropout: float, layers: int, hidden: int, bn: bool, act: str
) -> dict[str, Any]:
    return {
        "max_epochs": 100,
        "learning_rate": lr,
        "weight_decay": wd,
        "dropout": dropout,
        "num_layers": layers,
        "hidden_size": hidden,
        "use_batchnorm": bn,
        "activation": act,
    }


# AutoGluon's NN_TORCH family default, then its zeroshot 2023 configs in greedy-pick order
# _r79, _r22, _r30, _r86, _r14, _r41 (PORTFOLIO_FACTS.md 1.3, 1.5).
_SHARED = (
    _config(3e-4, 1e-6, 0.1, 4, 128, False, "relu"),
    _config(0.00274, 1.4e-12, 0.101, 4, 108, True, "elu"),
    _config(0.00105, 5.6e-10, 0.119, 4, 213, False, "elu"),
    _config(0.00851, 1.8e-6, 0.246, 5, 159, True, "elu"),
    _config(0.00163, 3.9e-5, 0.0998, 5, 135, False, "relu"),
    _config(0.00183, 9.2e-8, 0.391, 1, 106, True, "relu"),
    _config(0.00756, 1.7e-8, 0.0549, 4, 32, True, "relu"),
)


@contextlib.contextmanager
def _threads(n_jobs: int) -> Iterator[None]:
    """Run torch on ``n_jobs`` CPU threads, then restore the previous count."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n_jobs)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _batch_size(n_rows: int) -> int:
    return int(max(1, min(2 ** (3 + int(math.log10(max(1, n_rows)))), 512, n_rows)))


class TabularMLPModel:
    """A scikit-learn style MLP estimator; see the module docstring for the method.

    Args:
        task: ``"classification"`` or ``"regression"``.
        max_epochs: Epochs (an upper bound with early stopping).
        learning_rate: AdamW learning rate.
        weight_decay: AdamW (decoupled) weight decay.
        dropout: Dropout probability after each hidden block.
        num_layers: Hidden blocks.
        hidden_size: Units per hidden block.
        use_batchnorm: Batch normalisation in each block.
        activation: ``"relu"`` or ``"elu"``.
        random_state: Seed.
        n_jobs: Torch CPU threads while fitting and predicting.
        device: ``"cpu"`` or ``"cuda"``.
    """

    def __init__(
        self,
        task: str,
        *,
        max_epochs: int = 100,
        learning_rate: float = 3e-4,
        weight_decay: float = 1e-6,
        dropout: float = 0.1,
        num_layers: int = 4,
        hidden_size: int = 128,
        use_batchnorm: bool = False,
        activation: str = "relu",
        random_state: int = 0,
        n_jobs: int = 1,
        device: str = "cpu",
    ) -> None:
        self.task = task
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.use_batchnorm = use_batchnorm
        self.activation = activation
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.device = device
        self.module_: Any = None

    # -- pickling: weights as numpy arrays, the network rebuilt on first use ----------------

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["module_"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- fitting -----------------------------------------------------------------------------

    def fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any | None = None,
        *,
        eval_set: tuple[Any, Any] | None = None,
        on_chunk: Callable[[int, Any], bool] | None = None,
        chunks: int = 1,
    ) -> TabularMLPModel:
        """Train; see :meth:`automl.learners.Learner.fit` for ``on_chunk`` and ``chunks``."""
        import numpy as np
        import torch

        self.n_features_in_ = int(X.shape[1])
        device = torch.device(self.device)
        targets = torch.as_tensor(self._encode_targets(y, fitting=True), device=device)
        weights = torch.as_tensor(
            np.ones(len(targets)) if sample_weight is None else np.asarray(sample_weight),
            dtype=torch.float32,
            device=device,
        )
        valid = None
        if eval_set is not None:
            valid_targets = torch.as_tensor(self._encode_targets(eval_set[1]), device=device)
            valid = (self._tensor(eval_set[0]), valid_targets)
        devices = [torch.device(self.device).index or 0] if self.device.startswith("cuda") else []
        with _threads(self.n_jobs), torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.random_state)
            self._train(self._tensor(X), targets, weights, valid, on_chunk, chunks)
        return self

    def _encode_targets(self, y: Any, *, fitting: bool = False) -> Any:
        import numpy as np

        y = np.asarray(y)
        if self.task == "classification":
            if fitting:
                self.classes_ = np.unique(y)
            codes = np.clip(np.searchsorted(self.classes_, y), 0, len(self.classes_) - 1)
            if not np.array_equal(self.classes_[codes], y):
                raise ValueError("`y_valid` has labels that the training labels do not have")
            return codes.astype(np.int64)
        values = y.astype(np.float64)
        if fitting:
            self.y_mean_ = float(values.mean())
            self.y_scale_ = float(values.std()) or 1.0
        return ((values - self.y_mean_) / self.y_scale_).astype(np.float32)

    def _network(self) -> Any:
        import torch
        from torch import nn

        outputs = len(self.classes_) if self.task == "classification" else 1
        layers: list[Any] = []
        width = self.n_features_in_
        for _ in range(self.num_layers):
            layers.append(nn.Linear(width, self.hidden_size))
            if self.use_batchnorm:
                layers.append(nn.BatchNorm1d(self.hidden_size))
            layers.append(nn.ELU() if self.activation == "elu" else nn.ReLU())
            if self.dropout > 0:
                layers.append(nn.Dropout(self.dropout))
            width = self.hidden_size
        layers.append(nn.Linear(width, outputs))
        return nn.Sequential(*layers).to(torch.device(self.device))

    def _tensor(self, X: Any) -> Any:
        """A dense input as one float32 tensor on the device; sparse input stays as it is."""
        import numpy as np
        import torch

        if hasattr(X, "toarray"):
            return X.tocsr()
        return torch.as_tensor(np.asarray(X, dtype=np.float32), device=self.device)

    def _rows(self, X: Any, index: Any) -> Any:
        import torch

        if isinstance(X, torch.Tensor):
            return X[index]
        block = X[index.cpu().numpy()].toarray()  # densify one batch of a sparse matrix
        return torch.as_tensor(block, dtype=torch.float32, device=self.device)

    def _losses(self, module: Any, X: Any, targets: Any, index: Any) -> Any:
        from torch.nn import functional

        out = module(self._rows(X, index))
        if self.task == "classification":
            return functional.cross_entropy(out, targets[index], reduction="none")
        return functional.mse_loss(out[:, 0], targets[index], reduction="none")

    def _validation_loss(self, module: Any, valid: tuple[Any, Any]) -> float:
        import torch

        X, targets = valid
        module.eval()
        total = 0.0
        with torch.no_grad():
            for start in range(0, len(targets), _PREDICT_BATCH):
                index = torch.arange(start, min(start + _PREDICT_BATCH, len(targets)))
                total += float(self._losses(module, X, targets, index.to(self.device)).sum())
        return total / max(1, len(targets))

    def _train(
        self,
        X: Any,
        targets: Any,
        weights: Any,
        valid: tuple[Any, Any] | None,
        on_chunk: Callable[[int, Any], bool] | None,
        chunks: int,
    ) -> None:
        import numpy as np
        import torch

        n_rows = len(targets)
        batch = _batch_size(n_rows)
        self.module_ = module = self._network()
        optimizer = torch.optim.AdamW(
            module.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        generator = torch.Generator().manual_seed(self.random_state)
        ends = chunk_ends(self.max_epochs, chunks)
        best_loss, best_epoch, best_state = math.inf, -1, None
        self.n_epochs_ = 0
        for epoch in range(self.max_epochs):
            module.train()
            order = torch.randperm(n_rows, generator=generator).to(self.device)
            for start in range(0, n_rows, batch):
                index = order[start : start + batch]
                if len(index) < 2 and self.use_batchnorm:
                    continue  # batch norm cannot train on one row
                w = weights[index]
                loss = (self._losses(module, X, targets, index) * w).sum() / w.sum()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            self.n_epochs_ = epoch + 1
            stop = False
            if valid is not None:
                val_loss = self._validation_loss(module, valid)
                if val_loss < best_loss:
                    best_loss, best_epoch = val_loss, epoch
                    best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
                elif epoch - best_epoch >= round(0.5 * best_epoch + 20):
                    stop = True
            if (self.n_epochs_ in ends or stop) and on_chunk is not None:
                step = int(np.searchsorted(ends, self.n_epochs_)) + 1
                stop = self._report(on_chunk, step, best_state) or stop
            if stop:
                break
        if best_state is not None:
            module.load_state_dict(best_state)
            self.best_epoch_ = best_epoch + 1
        module.eval()
        self.weights_ = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}

    def _report(
        self, on_chunk: Callable[[int, Any], bool], step: int, best_state: Any | None
    ) -> bool:
        if best_state is None:
            return bool(on_chunk(step, self))
        current = {k: v.detach().clone() for k, v in self.module_.state_dict().items()}
        self.module_.load_state_dict(best_state)
        try:
            return bool(on_chunk(step, self))
        finally:
            self.module_.load_state_dict(current)

    # -- predicting --------------------------------------------------------------------------

    def _module(self) -> Any:
        if self.module_ is None:
            if not hasattr(self, "weights_"):
                raise ValueError("this TabularMLPModel is not fitted yet; call fit first")
            import torch

            module = self._network()
            module.load_state_dict({k: torch.as_tensor(v) for k, v in self.weights_.items()})
            module.eval()
            self.module_ = module
        return self.module_

    def _outputs(self, X: Any) -> Any:
        import numpy as np
        import torch

        module = self._module()
        module.eval()
        X = self._tensor(X)
        parts = []
        with _threads(self.n_jobs), torch.no_grad():
            for start in range(0, X.shape[0], _PREDICT_BATCH):
                index = torch.arange(start, min(start + _PREDICT_BATCH, X.shape[0]))
                out = module(self._rows(X, index.to(self.device)))
                if self.task == "classification":
                    out = torch.softmax(out, dim=1)
                parts.append(out.cpu().numpy().astype(np.float64))
        width = len(self.classes_) if self.task == "classification" else 1
        return np.concatenate(parts) if parts else np.empty((0, width))

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities, columns in ``classes_`` order."""
        return self._outputs(X)

    def predict(self, X: Any) -> Any:
        """Class labels (classification) or values (regression)."""
        import numpy as np

        out = self._outputs(X)
        if self.task == "classification":
            return self.classes_[np.argmax(out, axis=1)]
        return out[:, 0] * self.y_scale_ + self.y_mean_


class TabularMLP(Learner):
    """A PyTorch MLP for tabular data (needs ``pip install 'openaml[torch]'``).

    Search space (AutoGluon's NN_TORCH ranges, a wider width): ``max_epochs`` 5-500 (log; an
    upper bound under early stopping), ``learning_rate`` 1e-4-3e-2 (log), ``weight_decay``
    1e-12-0.1 (log), ``dropout`` 0-0.4, ``num_layers`` 1-5, ``hidden_size`` 8-512 (log),
    ``use_batchnorm``, ``activation`` relu/elu.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="TabularMLP",
        tasks=("classification", "regression"),
        input_kind="one_hot_scaled",
        package="torch",
        supports_gpu=True,
        iterations_param="max_epochs",
        early_stopping=True,
        extra="torch",
    )
    portfolios: ClassVar[Mapping[str, Any]] = {"classification": _SHARED, "regression": _SHARED}

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace(
            {
                "max_epochs": log_int(5, 500),
                "learning_rate": log_range(1e-4, 3e-2),
                "weight_decay": log_range(1e-12, 0.1),
                "dropout": uniform(0.0, 0.4),
                "num_layers": int_range(1, 5),
                "hidden_size": log_int(8, 512),
                "use_batchnorm": choice(False, True),
                "activation": choice("relu", "elu"),
            }
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        epochs = min(float(params["max_epochs"]), 60.0)
        hidden = params["hidden_size"]
        outputs = max(1, size.n_classes)
        per_row = size.n_features * hidden + (params["num_layers"] - 1) * hidden**2
        per_row += hidden * outputs
        # Forward and backward passes are about 6 flops per weight; small batches run at a
        # few flops per nanosecond, plus a fixed per-row overhead (batching, optimizer).
        return float(epochs * size.n_rows * (6 * per_row * 0.06 + 100.0))

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        return TabularMLPModel(
            task, **params, random_state=seed, n_jobs=n_jobs, device="cuda" if gpu else "cpu"
        )

    def _fit(self, estimator: Any, data: FitData) -> Any:
        return estimator.fit(
            data.X,
            data.y,
            data.sample_weight,
            eval_set=data.eval_set,
            on_chunk=data.on_chunk,
            chunks=data.chunks,
        )

    def fitted_iterations(self, estimator: Any) -> int | None:
        """The best epoch under early stopping, else the epochs trained."""
        return int(getattr(estimator, "best_epoch_", estimator.n_epochs_))
