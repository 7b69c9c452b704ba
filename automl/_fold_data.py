"""Featurize once per fold, share the fold matrices with workers without copying them.

The parent fits the featurizer on each fold's training rows and transforms that fold's
validation rows once; each learner input kind (``"native"``, ``"one_hot_scaled"``) is then
adapted once per fold and written to a cache folder inside the experiment's artifact area.
A child loads its fold matrices by path, memory-mapped read-only (``joblib`` with
``mmap_mode="r"``), so a trial never copies the data it is sent, and a resumed
experiment reuses what is on disk. Where trials may run on other machines (a Ray cluster),
:func:`share_files` puts the cached files into the executor's shared store once and the
same loaders read them from there (:func:`read_cached`), so no shared filesystem is needed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from automl._validation import FoldSet
    from featurization import FeaturizationConfig
    from trials.executors import Executor

__all__ = [
    "FoldMatrices",
    "FoldPlan",
    "cache_files",
    "load_fold",
    "load_fold_transforms",
    "load_plan",
    "prepare_folds",
    "read_cached",
    "share_files",
]

_PLAN_FILE = "plan.json"
_SHARED_PREFIX = "automl-file:"


@dataclass(frozen=True)
class FoldPlan:
    """What a child needs to know about the cached folds (small, JSON-able).

    Attributes:
        cache_dir: Folder of the cached fold matrices.
        task: ``"classification"`` or ``"regression"``.
        n_folds: Number of folds.
        n_rows: Training rows (after rows with a missing label were dropped).
        classes: Sorted class labels of the whole training data (classification), else [].
        y_range: ``[min, max]`` of the training target (regression), else None.
        primary_metric: The metric the search optimises.
        positive_label: The positive class of the binary metrics, or None.
        n_features: Width of each input kind's matrices (of fold 0).
        seed: The experiment's seed (models are seeded with it).
    """

    cache_dir: str
    task: str
    n_folds: int
    n_rows: int
    classes: list[Any]
    y_range: list[float] | None
    primary_metric: str
    positive_label: Any
    n_features: dict[str, int]
    seed: int


@dataclass(frozen=True, eq=False)
class FoldMatrices:
    """One fold's adapted matrices (memory-mapped where possible); row weights or None."""

    X_train: Any
    y_train: Any
    X_valid: Any
    y_valid: Any
    valid_rows: Any
    w_train: Any = None
    w_valid: Any = None


def _fold_path(cache_dir: Path, fold: int, kind: str) -> Path:
    return cache_dir / f"fold{fold}_{kind}.joblib"


def _labels_path(cache_dir: Path, fold: int) -> Path:
    return cache_dir / f"fold{fold}_labels.joblib"


def _transforms_path(cache_dir: Path) -> Path:
    return cache_dir / "fold0_transforms.joblib"


def _atomic_dump(value: Any, path: Path) -> None:
    import joblib

    temporary = path.with_suffix(f".tmp{os.getpid()}")
    joblib.dump(value, temporary)
    os.replace(temporary, path)


def _width(matrix: Any) -> int:
    return int(matrix.shape[1])


def prepare_folds(
    X: pd.DataFrame,
    y: Any,
    folds: FoldSet,
    *,
    plan: FoldPlan,
    kinds: Sequence[str],
    featurization: FeaturizationConfig | None,
    weights: Any = None,
) -> FoldPlan:
    """Featurize each fold once and cache its adapted matrices per input kind.

    Files already in ``plan.cache_dir`` (a resumed experiment) are reused, not recomputed.

    Args:
        X: Training features (rows with a missing label already dropped).
        y: Labels, one per row of ``X``.
        folds: Row indexes of each fold.
        plan: The plan to complete (``n_features`` is filled in here).
        kinds: The input kinds the learners of the search need.
        featurization: The featurization config (None: the defaults).
        weights: Row weights, one per row of ``X``, or None.

    Returns:
        The plan with ``n_features``, also written to ``plan.json`` in the cache folder.
    """
    import joblib
    import numpy as np

    from featurization import Featurizer, make_adapter

    cache = Path(plan.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    labels = np.asarray(y)
    widths: dict[str, int] = {}
    for index, fold in enumerate(folds):
        paths = {kind: _fold_path(cache, index, kind) for kind in kinds}
        labels_path = _labels_path(cache, index)
        if all(path.exists() for path in paths.values()) and labels_path.exists():
            for kind, path in paths.items():
                widths.setdefault(kind, _width(joblib.load(path, mmap_mode="r")["X_train"]))
            continue
        train_rows = np.asarray(fold.train)
        valid_rows = np.asarray(fold.valid)
        featurizer = Featurizer(featurization)
        base_train = featurizer.fit_transform(
            X.iloc[train_rows], labels[train_rows], task=plan.task
        )
        base_valid = featurizer.transform(X.iloc[valid_rows])
        adapters = {}
        for kind, path in paths.items():
            adapter = make_adapter(kind).fit(base_train)
            adapters[kind] = adapter
            matrices = {
                "X_train": adapter.transform(base_train),
                "X_valid": adapter.transform(base_valid),
            }
            widths.setdefault(kind, _width(matrices["X_train"]))
            _atomic_dump(matrices, path)
        if len(folds) == 1:  # a holdout: its fitted models can serve without a refit
            _atomic_dump({"featurizer": featurizer, "adapters": adapters}, _transforms_path(cache))
        row_labels = {
            "y_train": labels[train_rows],
            "y_valid": labels[valid_rows],
            "valid_rows": valid_rows,
        }
        if weights is not None:
            row_weights = np.asarray(weights, dtype=np.float64)
            row_labels["w_train"] = row_weights[train_rows]
            row_labels["w_valid"] = row_weights[valid_rows]
        _atomic_dump(row_labels, labels_path)
    done = FoldPlan(**{**asdict(plan), "n_features": widths})
    (cache / _PLAN_FILE).write_text(json.dumps(asdict(done), default=_plain), encoding="utf-8")
    return done


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    return str(value)


def share_files(executor: Executor, paths: Sequence[str | os.PathLike[str]]) -> bool:
    """Offer these cached files to every trial through the executor's shared store.

    Each file is loaded once here (``.joblib`` with joblib, anything else as text) and
    shared under its path, which :func:`read_cached` looks up first. Returns False, sharing
    nothing, for an executor whose trials read this machine's files (the local one).
    """
    import joblib

    shared = False
    for path in map(Path, paths):
        value = joblib.load(path) if path.suffix == ".joblib" else path.read_text("utf-8")
        if not executor.share(_SHARED_PREFIX + str(path), value):
            return False
        shared = True
    return shared


def cache_files(cache_dir: str | os.PathLike[str]) -> list[Path]:
    """The files :func:`prepare_folds` wrote that children read (the plan and every fold's
    matrices and labels; not the parent's fitted transforms)."""
    cache = Path(cache_dir)
    folds = sorted(path for path in cache.glob("fold*.joblib") if path != _transforms_path(cache))
    return [cache / _PLAN_FILE, *folds]


def read_cached(path: str | os.PathLike[str], *, mmap: bool = False) -> Any:
    """A cached file's content: from the trial's shared store when its executor shared it
    (:func:`share_files`), else from disk (``.joblib`` memory-mapped read-only when
    ``mmap``; anything else as text)."""
    from trials.executors import shared_value

    with contextlib.suppress(LookupError):  # not shared: this machine's file
        return shared_value(_SHARED_PREFIX + str(path))
    path = Path(path)
    if path.suffix != ".joblib":
        return path.read_text(encoding="utf-8")
    import joblib

    return joblib.load(path, mmap_mode="r" if mmap else None)


def load_plan(cache_dir: str | os.PathLike[str]) -> FoldPlan:
    """The plan written by :func:`prepare_folds`."""
    data = json.loads(read_cached(Path(cache_dir) / _PLAN_FILE))
    return FoldPlan(**data)


def load_fold_transforms(cache_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The featurizer and adapters fitted on a single holdout fold's training rows (None
    when the plan has several folds, or for a cache written before they were kept)."""
    import joblib

    path = _transforms_path(Path(cache_dir))
    return joblib.load(path) if path.exists() else None


def load_fold(cache_dir: str | os.PathLike[str], fold: int, kind: str) -> FoldMatrices:
    """One fold's matrices of one input kind, memory-mapped read-only (no copy)."""
    cache = Path(cache_dir)
    matrices = read_cached(_fold_path(cache, fold, kind), mmap=True)
    labels = read_cached(_labels_path(cache, fold), mmap=True)
    return FoldMatrices(
        matrices["X_train"],
        labels["y_train"],
        matrices["X_valid"],
        labels["y_valid"],
        labels["valid_rows"],
        labels.get("w_train"),
        labels.get("w_valid"),
    )
