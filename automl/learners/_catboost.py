"""CatBoost: ordered boosting with its own categorical statistics, on the native frame.

Category columns become int32 codes (missing = -1) named in ``cat_features``; CatBoost builds
its target statistics from them. Labels are encoded as 0..k-1.

Chunking: CatBoost cannot predict from inside its training loop, so each chunk is one ``fit``
call that a callback ends at the chunk's last round; the next call resumes from a training
snapshot (``save_snapshot``, in a temporary folder removed afterwards). Resuming restores the
full state, so a chunked fit grows exactly the model an unchunked fit grows. Between chunks
the fitted model itself goes to ``on_chunk`` (with ``use_best_model`` under early stopping).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from typing import Any, ClassVar

from automl.learners._adapters import AdaptedModel, FrameCoder
from automl.learners._base import (
    DataSize,
    FitData,
    Learner,
    LearnerInfo,
    Task,
    chunk_ends,
)
from automl.learners._progress import adaptive_patience, expected_rounds, histogram_tree_cost
from automl.learners._spaces import between, int_range, log_int, log_range
from search_spaces import SearchSpace, choice

__all__ = ["CatBoost"]


def _config(
    lr: float,
    depth: int = 6,
    l2: float = 3.0,
    grow_policy: str = "SymmetricTree",
    max_ctr: int = 4,
    one_hot: int = 2,
) -> dict[str, Any]:
    return {
        "iterations": between(round(100 / lr, -2), 1000, 10_000),
        "learning_rate": lr,
        "depth": depth,
        "l2_leaf_reg": l2,
        "grow_policy": grow_policy,
        "max_ctr_complexity": max_ctr,
        "one_hot_max_size": one_hot,
    }


# AutoGluon's CAT family default (lr 0.05, CatBoost defaults otherwise: depth 6, l2 3,
# symmetric trees), first in both AutoGluon portfolios, then its zeroshot 2023 configs in
# greedy-pick order _r177, _r9, _r137, _r13, _r50, _r69, _r70 (PORTFOLIO_FACTS.md 1.3).
_SHARED = (
    _config(0.05),
    _config(0.0686, 6, 2.15, "SymmetricTree", 4, 10),
    _config(0.0314, 8, 2.8, "Depthwise", 2, 3),
    _config(0.0494, 4, 4.56, "SymmetricTree", 3, 3),
    _config(0.0173, 8, 3.33, "SymmetricTree", 5, 10),
    _config(0.0709, 4, 2.7, "Depthwise", 1, 2),
    _config(0.0503, 5, 1.05, "SymmetricTree", 5, 2),
    _config(0.0374, 6, 1.36, "Depthwise", 3, 2),
)


class _Rounds:
    """CatBoost callback: ends a ``fit`` call at ``end`` rounds or on adaptive early stopping."""

    def __init__(self, n_rows: int, early_stopping: bool) -> None:
        self.end = 0
        self.n_rows = n_rows
        self.early_stopping = early_stopping
        self.best_loss = math.inf
        self.best_round = -1
        self.early_stopped = False

    def after_iteration(self, info: Any) -> bool:
        done = int(info.iteration)
        if self.early_stopping:
            validation = info.metrics.get("validation") or {}
            if validation:
                loss = float(next(iter(validation.values()))[-1])
                if loss < self.best_loss:
                    self.best_loss, self.best_round = loss, done - 1
                elif done - 1 - self.best_round >= adaptive_patience(self.best_round, self.n_rows):
                    self.early_stopped = True
                    return False
        return done < self.end


def _forget_folder(estimator: Any) -> None:
    # CatBoost's set_params refuses a fitted model; the training folder is gone, so drop it
    # from the stored parameters (they only matter to a later fit, which starts afresh).
    params = getattr(estimator, "_init_params", None)
    if isinstance(params, dict):
        params["allow_writing_files"] = False
        params.pop("train_dir", None)


class CatBoost(Learner):
    """CatBoost (``CatBoostClassifier`` / ``CatBoostRegressor``) on the native frame.

    Search space (AutoGluon's TabRepo ranges, a little wider): ``iterations`` 8-10000 (an
    upper bound under early stopping), ``learning_rate`` 0.005-0.2 (log), ``depth`` 4-10,
    ``l2_leaf_reg`` 1-10 (log), ``grow_policy`` SymmetricTree/Depthwise,
    ``max_ctr_complexity`` 1-5, ``one_hot_max_size`` 2/3/5/10.
    """

    info: ClassVar[LearnerInfo] = LearnerInfo(
        name="CatBoost",
        tasks=("classification", "regression"),
        input_kind="native",
        package="catboost",
        supports_gpu=True,
        iterations_param="iterations",
        early_stopping=True,
    )
    portfolios: ClassVar[Mapping[str, Any]] = {"classification": _SHARED, "regression": _SHARED}

    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        return SearchSpace(
            {
                "iterations": log_int(8, 10_000),
                "learning_rate": log_range(0.005, 0.2),
                "depth": int_range(4, 10),
                "l2_leaf_reg": log_range(1.0, 10.0),
                "grow_policy": choice("SymmetricTree", "Depthwise"),
                "max_ctr_complexity": int_range(1, 5),
                "one_hot_max_size": choice(2, 3, 5, 10),
            }
        )

    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        rounds = expected_rounds(params["iterations"], params["learning_rate"])
        # Symmetric trees evaluate one split per level for all leaves: the work of a
        # histogram tree with 2**depth leaves, at a higher cost per row (ordered boosting).
        leaves = min(2.0 ** params["depth"], float(size.n_rows))
        per_tree = histogram_tree_cost(
            size.n_rows, size.n_features, leaves, row_cost=8.0, split_cost=3000.0
        )
        if params["grow_policy"] == "Depthwise":
            per_tree *= 2.0
        # One multi-dimensional tree per round; gradients and leaf values grow with classes.
        per_tree *= 1.0 + 0.25 * max(0, size.n_classes - 2)
        return float(rounds * per_tree)

    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        import catboost

        cls = (
            catboost.CatBoostClassifier if task == "classification" else catboost.CatBoostRegressor
        )
        extra: dict[str, Any] = {"task_type": "GPU"} if gpu else {}
        estimator = cls(
            **params,
            random_seed=seed,
            thread_count=n_jobs,
            verbose=False,
            allow_writing_files=False,
            **extra,
        )
        return AdaptedModel(
            estimator,
            task,
            coder=FrameCoder("frame"),
            encode_labels=True,
            categorical_param=("cat_features", "indices"),
        )

    def _fit(self, model: AdaptedModel, data: FitData) -> Any:
        X, y = model.begin_fit(data.X, data.y)
        estimator = model.estimator
        total = int(estimator.get_params()["iterations"])
        ends = chunk_ends(total, data.chunks)
        rounds = _Rounds(data.n_rows, early_stopping=data.eval_set is not None)
        kwargs: dict[str, Any] = data.sample_weight_kwargs()
        if data.eval_set is not None:
            X_valid, y_valid = data.eval_set
            kwargs.update(eval_set=(model.prepare(X_valid), model.encode(y_valid)))
        estimator.set_params(use_best_model=data.eval_set is not None)
        with tempfile.TemporaryDirectory(prefix="catboost-") as folder:
            if len(ends) > 1:
                estimator.set_params(allow_writing_files=True, train_dir=folder)
                kwargs.update(
                    save_snapshot=True,
                    snapshot_file=os.path.join(folder, "snapshot"),
                    snapshot_interval=10**9,  # only when a call ends
                )
            try:
                for step, end in enumerate(ends, start=1):
                    rounds.end = end
                    estimator.fit(X, y, callbacks=[rounds], **kwargs)
                    if data.report(step, model) or rounds.early_stopped:
                        break
            finally:
                _forget_folder(estimator)
        return model

    def fitted_iterations(self, estimator: Any) -> int | None:
        """Trees in the fitted model (the best iteration's, under early stopping)."""
        return int(estimator.estimator.tree_count_)
