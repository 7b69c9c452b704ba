"""The learner interface: one class per model family, owning its search space, portfolio and cost.

A :class:`Learner` is stateless. It knows which inputs its model wants (``info.input_kind``),
proposes where to search (:meth:`Learner.search_space`), which configurations to try first
(:meth:`Learner.portfolio`), how much work a configuration is (:meth:`Learner.cost`, counted,
never timed), and how to build and fit the model (:meth:`Learner.build`, :meth:`Learner.fit`).
Heavy libraries are imported inside the methods that need them.
"""

from __future__ import annotations

import difflib
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, ClassVar, Literal, TypeAlias, get_args

from automl.learners._spaces import clip_to_space
from search_spaces import SearchSpace

__all__ = [
    "TASKS",
    "DataSize",
    "FitData",
    "InputKind",
    "Learner",
    "LearnerInfo",
    "MissingDependencyError",
    "OnChunk",
    "Task",
    "chunk_ends",
    "unknown_name",
]

Task: TypeAlias = Literal["classification", "regression"]
InputKind: TypeAlias = Literal["native", "one_hot_scaled"]
OnChunk: TypeAlias = Callable[[int, Any], bool]
"""``on_chunk(step, estimator) -> stop``: called after each chunk of iterations (step 1, 2, ...)."""

TASKS: tuple[Task, ...] = get_args(Task)
_INPUT_KINDS: tuple[str, ...] = get_args(InputKind)

# Import name -> (display name, what pip installs when it is a core dependency).
_LIBRARIES: Mapping[str, tuple[str, str]] = {
    "sklearn": ("scikit-learn", "scikit-learn"),
    "lightgbm": ("LightGBM", "lightgbm"),
    "xgboost": ("XGBoost", "xgboost"),
    "catboost": ("CatBoost", "catboost"),
    "torch": ("PyTorch", "torch"),
}


class MissingDependencyError(ImportError):
    """A learner's library is not installed; the message says what to install."""


def unknown_name(prefix: str, value: object, valid: Sequence[str]) -> str:
    """An error message for an unknown name, with the closest valid one and the list.

    Example:
        >>> unknown_name("`name` is unknown:", "LightGMB", ["LightGBM"])
        "`name` is unknown: 'LightGMB'; did you mean 'LightGBM'? Valid: LightGBM"
    """
    folded = {candidate.lower(): candidate for candidate in valid}
    close = difflib.get_close_matches(str(value).lower(), list(folded), n=1, cutoff=0.6)
    hint = f"; did you mean {folded[close[0]]!r}?" if close else "."
    return f"{prefix} {value!r}{hint} Valid: {', '.join(valid)}"


@dataclass(frozen=True, slots=True)
class LearnerInfo:
    """What a learner is and can do, known without importing its library.

    Attributes:
        name: Azure ML's model name, e.g. ``"LightGBM"``.
        tasks: The tasks it supports.
        input_kind: ``"native"`` (a pandas frame: float32 numeric columns and ``category``
            columns) or ``"one_hot_scaled"`` (a float matrix, numpy or scipy CSR: standardized
            numeric columns, one-hot categoricals, maybe TF-IDF).
        package: The import name whose presence makes the learner available.
        supports_sample_weight: Whether :meth:`Learner.fit` accepts ``sample_weight``.
        supports_gpu: Whether ``build(..., gpu=True)`` is allowed.
        iterations_param: The parameter grown in chunks (boosting rounds, trees, epochs);
            ``None`` for a learner that fits in one go.
        early_stopping: Whether ``fit(..., eval_set=...)`` stops on the validation loss
            (the iterations parameter is then an upper bound).
        extra: The pip extra of openaml that installs the library (``"torch"``), or
            ``None`` for a core dependency.
    """

    name: str
    tasks: tuple[Task, ...]
    input_kind: InputKind
    package: str
    supports_sample_weight: bool = True
    supports_gpu: bool = False
    iterations_param: str | None = None
    early_stopping: bool = False
    extra: str | None = None

    def __post_init__(self) -> None:
        unknown = [task for task in self.tasks if task not in TASKS]
        if not self.tasks or unknown:
            raise ValueError(f"`tasks` must be a non-empty subset of {TASKS}, got {self.tasks!r}")
        if self.input_kind not in _INPUT_KINDS:
            raise ValueError(
                f"`input_kind` must be one of {', '.join(_INPUT_KINDS)}, got {self.input_kind!r}"
            )
        if self.early_stopping and self.iterations_param is None:
            raise ValueError("`early_stopping` needs an `iterations_param` to bound")

    @property
    def iterative(self) -> bool:
        """Whether training can proceed in chunks (``iterations_param`` is set)."""
        return self.iterations_param is not None

    def install_hint(self) -> str:
        """What to install, e.g. ``"PyTorch: pip install 'openaml[torch]'"``."""
        library, pip_name = _LIBRARIES.get(self.package, (self.package, self.package))
        if self.extra is not None:
            return f"{library}: pip install 'openaml[{self.extra}]'"
        return f"{library}: pip install '{pip_name}' (a dependency of openaml)"


@dataclass(frozen=True, slots=True)
class DataSize:
    """The shape of the training data a learner is asked about.

    ``n_features`` is the width of the learner's own input (after one-hot encoding for
    ``one_hot_scaled`` learners); ``n_classes`` is 0 for regression.
    """

    n_rows: int
    n_features: int
    n_classes: int

    @property
    def trees_per_round(self) -> int:
        """Trees a one-vs-rest booster grows per round: one per class beyond binary."""
        return self.n_classes if self.n_classes > 2 else 1


@dataclass(frozen=True, slots=True)
class FitData:
    """Everything :meth:`Learner.fit` passes to a family's fitting hook, already checked."""

    X: Any
    y: Any
    sample_weight: Any | None
    eval_set: tuple[Any, Any] | None
    on_chunk: OnChunk | None
    chunks: int

    @property
    def n_rows(self) -> int:
        """Rows of the training data."""
        return _n_rows(self.X)

    def sample_weight_kwargs(self) -> dict[str, Any]:
        """``{"sample_weight": w}`` when weights were given, else ``{}``."""
        return {} if self.sample_weight is None else {"sample_weight": self.sample_weight}

    def report(self, step: int, estimator: Any) -> bool:
        """Call ``on_chunk`` (when given); True means stop."""
        return bool(self.on_chunk(step, estimator)) if self.on_chunk is not None else False


def chunk_ends(total: int, chunks: int) -> tuple[int, ...]:
    """Cumulative iteration counts at which ``total`` iterations split into ``chunks`` parts.

    Example:
        >>> chunk_ends(10, 3)
        (4, 7, 10)
    """
    parts = max(1, min(chunks, total))
    return tuple(math.ceil(total * k / parts) for k in range(1, parts + 1))


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def _check_int(field: str, value: object, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"`{field}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


class Learner(ABC):
    """A model family: its capabilities, search space, portfolio, cost model, build and fit.

    Subclasses set :attr:`info` and :attr:`portfolios` and implement three hooks:
    ``_space`` (the search space for a task and data size), ``_cost`` (counted work of one
    configuration) and ``_make`` (the unfitted estimator). Families that grow their model in
    chunks (boosting rounds, trees, epochs) also override ``_fit``.

    Example:
        >>> from automl.learners import get_learner
        >>> lgbm = get_learner("LightGBM")
        >>> space = lgbm.search_space("regression", n_rows=1000, n_features=8, n_classes=0)
        >>> all(space.contains(c) for c in lgbm.portfolio("regression", n_rows=1000,
        ...                                                 n_features=8, n_classes=0))
        True
    """

    info: ClassVar[LearnerInfo]
    portfolios: ClassVar[Mapping[str, Sequence[Mapping[str, Any]]]]
    """Strong configurations, best first, under ``"classification"`` and ``"regression"``
    (for the tasks the learner supports) and optionally ``"multiclass"`` (used instead of
    ``"classification"`` when there are more than two classes)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__abstractmethods__", None) or cls.__name__.startswith("_"):
            return  # abstract, or a private base shared by a family's named learners
        if not isinstance(getattr(cls, "info", None), LearnerInfo):
            raise TypeError(f"{cls.__name__}.info must be a LearnerInfo")
        missing = [task for task in cls.info.tasks if not cls.portfolios.get(task)]
        if missing:
            raise TypeError(f"{cls.__name__}.portfolios has no configurations for {missing}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- availability -----------------------------------------------------------------------

    @classmethod
    def available(cls) -> bool:
        """Whether the learner's library can be imported (checked without importing it)."""
        return find_spec(cls.info.package) is not None

    @classmethod
    def require(cls) -> None:
        """Raise :class:`MissingDependencyError` naming what to install when unavailable."""
        if not cls.available():
            raise MissingDependencyError(f"{cls.info.name} needs {cls.info.install_hint()}")

    # -- what to search ---------------------------------------------------------------------

    def search_space(
        self, task: str, *, n_rows: int, n_features: int, n_classes: int | None = None
    ) -> SearchSpace:
        """The search space for ``task`` on data of this size.

        Args:
            task: ``"classification"`` or ``"regression"``.
            n_rows: Training rows.
            n_features: Width of this learner's input.
            n_classes: Number of classes (classification; None means 2).
        """
        checked = self._check_task(task)
        return self._space(checked, self._size(checked, n_rows, n_features, n_classes))

    def portfolio(
        self,
        task: str,
        *,
        n_rows: int | None = None,
        n_features: int | None = None,
        n_classes: int | None = None,
    ) -> list[dict[str, Any]]:
        """Strong default configurations for ``task``, best first (each a full parameter dict).

        Without ``n_rows``/``n_features`` the configurations are returned as written (they lie
        inside the space for data of 100k rows or more); with them, each is moved into
        :meth:`search_space` for that size and duplicates are dropped.
        """
        checked = self._check_task(task)
        key = "multiclass" if checked == "classification" and (n_classes or 2) > 2 else checked
        configs = [dict(config) for config in self.portfolios.get(key) or self.portfolios[checked]]
        if n_rows is None or n_features is None:
            return configs
        space = self.search_space(
            checked, n_rows=n_rows, n_features=n_features, n_classes=n_classes
        )
        unique: list[dict[str, Any]] = []
        for config in configs:
            clipped = clip_to_space(config, space)
            if clipped not in unique:
                unique.append(clipped)
        return unique

    def default_params(self, task: str) -> dict[str, Any]:
        """The first portfolio configuration: what :meth:`build` fills missing params from."""
        return dict(self.portfolios[self._check_task(task)][0])

    def cost(
        self,
        params: Mapping[str, Any],
        *,
        n_rows: int,
        n_features: int,
        n_classes: int | None = None,
    ) -> float:
        """Counted work of fitting ``params`` on data of this size (never a timing).

        Each family counts its own work (rows x features x rounds x tree size for boosters,
        sweeps for linear models, pairs for KNN, flops for the MLP), scaled so that one unit
        is about a nanosecond of one core (fitted to single-thread fits of 2k and 20k rows),
        so costs compare across learners. Boosters under early stopping are assumed to run
        about ``20 / learning_rate + 150`` rounds. Missing params take the defaults;
        ``n_classes`` 0 or None means regression.
        """
        task: Task = "classification" if n_classes else "regression"
        if task not in self.info.tasks:
            task = self.info.tasks[0]
        classes = (n_classes or 2) if task == "classification" else 0
        size = self._size(task, n_rows, n_features, classes)
        return max(1.0, float(self._cost(self._complete(params, task), size)))

    # -- build and fit ----------------------------------------------------------------------

    def build(
        self,
        params: Mapping[str, Any],
        task: str,
        *,
        seed: int,
        n_jobs: int = 1,
        gpu: bool = False,
    ) -> Any:
        """An unfitted estimator for ``params`` (missing ones take :meth:`default_params`).

        Raises:
            ValueError: Unknown task or parameter, bad seed or n_jobs, or ``gpu=True`` for a
                learner without GPU support.
            MissingDependencyError: The library is not installed.
        """
        checked = self._check_task(task)
        full = self._complete(params, checked)
        _check_int("seed", seed, 0)
        _check_int("n_jobs", n_jobs, 1)
        if not isinstance(gpu, bool):
            raise ValueError(f"`gpu` must be a bool, got {gpu!r}")
        if gpu and not self.info.supports_gpu:
            raise ValueError(
                f"`gpu` must be False for {self.info.name}, which trains on CPU only, got True"
            )
        self.require()
        return self._make(full, checked, seed=int(seed), n_jobs=int(n_jobs), gpu=gpu)

    def fit(
        self,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        sample_weight: Any | None = None,
        eval_set: tuple[Any, Any] | None = None,
        on_chunk: OnChunk | None = None,
        chunks: int = 1,
    ) -> Any:
        """Fit ``estimator`` (from :meth:`build`) and return it.

        Iterative learners train in ``chunks`` parts of their iterations parameter and call
        ``on_chunk(step, model)`` after each (step 1, 2, ...; ``model`` predicts as the model
        would if training stopped there); a True return stops training. When early stopping
        on ``eval_set`` ends training inside a chunk, ``on_chunk`` is called once more for
        that last, partial chunk. Other learners fit once and call ``on_chunk(1, estimator)``.

        Args:
            estimator: What :meth:`build` returned.
            X: Training input of this learner's ``input_kind``.
            y: Labels or targets.
            sample_weight: Row weights (only where ``info.supports_sample_weight``).
            eval_set: ``(X_valid, y_valid)`` for early stopping (``info.early_stopping``);
                ignored by other learners.
            on_chunk: Progress hook, see above.
            chunks: How many parts the iterations are split into (>= 1).

        Raises:
            ValueError: Bad ``chunks``, ``eval_set`` or ``sample_weight``.
        """
        checked_chunks = _check_int("chunks", chunks, 1)
        if sample_weight is not None:
            if not self.info.supports_sample_weight:
                raise ValueError(
                    f"`sample_weight` must be None for {self.info.name}, whose library takes "
                    "no row weights; leave it out or choose a model that supports weights"
                )
            if len(sample_weight) != _n_rows(X):
                raise ValueError(
                    f"`sample_weight` must have one weight per row ({_n_rows(X)}), "
                    f"got {len(sample_weight)}"
                )
        if eval_set is not None and (not isinstance(eval_set, tuple) or len(eval_set) != 2):
            raise ValueError(f"`eval_set` must be a pair (X_valid, y_valid), got {eval_set!r}")
        if on_chunk is not None and not callable(on_chunk):
            raise ValueError(f"`on_chunk` must be callable or None, got {on_chunk!r}")
        data = FitData(X, y, sample_weight, eval_set, on_chunk, checked_chunks)
        return self._fit(estimator, data)

    def fitted_iterations(self, estimator: Any) -> int | None:
        """Iterations the fitted model uses (best iteration after early stopping), or None."""
        return None

    def refit_params(self, estimator: Any, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` for refitting without ``eval_set``: iterations set to what was used."""
        refit = dict(params)
        used = self.fitted_iterations(estimator)
        if self.info.iterations_param is not None and used is not None:
            refit[self.info.iterations_param] = max(1, used)
        return refit

    # -- hooks ------------------------------------------------------------------------------

    @abstractmethod
    def _space(self, task: Task, size: DataSize) -> SearchSpace:
        """The search space (same names as the portfolio configurations)."""

    @abstractmethod
    def _cost(self, params: Mapping[str, Any], size: DataSize) -> float:
        """Counted work of ``params`` (complete) on data of ``size``."""

    @abstractmethod
    def _make(
        self, params: Mapping[str, Any], task: Task, *, seed: int, n_jobs: int, gpu: bool
    ) -> Any:
        """The unfitted estimator for complete, checked ``params``."""

    def _fit(self, estimator: Any, data: FitData) -> Any:
        """Fit in one go, then report one chunk. Iterative families override this."""
        estimator.fit(data.X, data.y, **data.sample_weight_kwargs())
        data.report(1, estimator)
        return estimator

    # -- checks -----------------------------------------------------------------------------

    def _check_task(self, task: object) -> Task:
        if task not in self.info.tasks:
            names = ", ".join(self.info.tasks)
            raise ValueError(f"`task` must be one of {names} for {self.info.name}, got {task!r}")
        return "classification" if task == "classification" else "regression"

    def _size(self, task: Task, n_rows: object, n_features: object, n_classes: object) -> DataSize:
        rows = _check_int("n_rows", n_rows, 1)
        features = _check_int("n_features", n_features, 1)
        if task == "regression":
            return DataSize(rows, features, 0)
        classes = 2 if n_classes is None else _check_int("n_classes", n_classes, 2)
        return DataSize(rows, features, classes)

    def _complete(self, params: Mapping[str, Any], task: Task) -> dict[str, Any]:
        if not isinstance(params, Mapping):
            raise ValueError(f"`params` must be a mapping, got {params!r}")
        full = self.default_params(task)
        for key, value in params.items():
            if key not in full:
                raise ValueError(
                    unknown_name(
                        f"`params` for {self.info.name} has unknown key", key, sorted(full)
                    )
                )
            full[key] = value
        return full
