"""``AutoMLPipeline``: the fitted model of an AutoML fit, raw DataFrame in, predictions out.

The featurizer (fitted on every training row), then per member its learner's input adapter
and fitted model; one member for a single child, several with weights for a voting
ensemble, or several whose outputs feed a meta-learner for a stack ensemble. It follows
scikit-learn's estimator conventions (``predict``, ``predict_proba``,
``classes_``) and pickles with joblib.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from featurization import Adapter, Featurizer

__all__ = ["AutoMLPipeline", "PipelineMember"]


@dataclass(frozen=True, eq=False)
class PipelineMember:
    """One fitted child inside a pipeline.

    Attributes:
        learner: The learner's Azure name.
        hyperparameters: What it was refitted with.
        adapter: The fitted input adapter of its input kind.
        model: The fitted model.
        weight: Its weight in the average (1.0 for a single child).
    """

    learner: str
    hyperparameters: dict[str, Any]
    adapter: Adapter
    model: Any
    weight: float = 1.0


class _Adapted:
    """The base representation adapted once per adapter (members often share one)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self._done: dict[int, Any] = {}

    def by(self, adapter: Adapter) -> Any:
        key = id(adapter)
        if key not in self._done:
            self._done[key] = adapter.transform(self.base)
        return self._done[key]


class AutoMLPipeline:
    """The best model of an AutoML experiment: featurizer -> adapter -> learner.

    Args:
        featurizer: The featurizer fitted on every training row.
        members: The fitted children (one, or the members of an ensemble).
        task: ``"classification"`` or ``"regression"``.
        classes: The class labels, sorted (classification).
        label_column_name: The label column (dropped from ``X`` when present).
        meta_learner: A stack ensemble's meta-learner, trained on the members' out-of-fold
            outputs (:func:`automl.ensembles._models.stack_features`; class indexes for
            classification); None averages the members by weight.

    Attributes:
        classes_: The class labels (classification), in ``predict_proba``'s column order.
        algorithm: ``"LightGBM"``, ..., ``"VotingEnsemble"`` or ``"StackEnsemble"``.

    Example:
        >>> result = AutoMLConfig(...).fit()  # doctest: +SKIP
        >>> result.best_model.predict(new_rows)  # doctest: +SKIP
    """

    def __init__(
        self,
        featurizer: Featurizer,
        members: Sequence[PipelineMember],
        *,
        task: str,
        classes: Sequence[Any] | None,
        label_column_name: str | None = None,
        meta_learner: Any = None,
    ) -> None:
        import numpy as np

        if not members:
            raise ValueError("`members` must hold at least one fitted child, got none")
        self.featurizer = featurizer
        self.members = tuple(members)
        self.task = task
        self.label_column_name = label_column_name
        self.meta_learner = meta_learner
        self.classes_ = None if classes is None else np.asarray(list(classes))

    @property
    def algorithm(self) -> str:
        """The learner's name, ``"VotingEnsemble"`` or ``"StackEnsemble"``."""
        if getattr(self, "meta_learner", None) is not None:
            return "StackEnsemble"
        return self.members[0].learner if len(self.members) == 1 else "VotingEnsemble"

    def _scores(self, X: Any) -> NDArray[np.float64]:
        import numpy as np

        from automl._child import predict_scores

        frame = X
        label = self.label_column_name
        if label is not None and hasattr(frame, "columns") and label in frame.columns:
            frame = frame.drop(columns=[label])
        base = self.featurizer.transform(frame)
        classes = [] if self.classes_ is None else self.classes_.tolist()
        if getattr(self, "meta_learner", None) is not None:
            return self._stacked(base, classes)
        total = sum(member.weight for member in self.members)
        out: NDArray[np.float64] | None = None
        adapted = _Adapted(base)
        for member in self.members:
            scores = predict_scores(member.model, adapted.by(member.adapter), self.task, classes)
            weighted = scores * (member.weight / total)
            out = weighted if out is None else out + weighted
        return np.asarray(out, dtype=np.float64)

    def _stacked(self, base: Any, classes: list[Any]) -> NDArray[np.float64]:
        import numpy as np

        from automl._child import predict_scores
        from automl.ensembles._models import pad_proba, stack_features

        adapted = _Adapted(base)
        outputs = [
            predict_scores(member.model, adapted.by(member.adapter), self.task, classes)
            for member in self.members
        ]
        features = stack_features(outputs, len(classes))
        if self.task == "classification":
            raw = self.meta_learner.predict_proba(features)
            return pad_proba(raw, self.meta_learner.classes_, len(classes))
        return np.asarray(self.meta_learner.predict(features), dtype=np.float64)

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities, one column per class in ``classes_`` order (rows sum to 1).

        Raises:
            AttributeError: A regression pipeline has no probabilities.
        """
        import numpy as np

        if self.task != "classification":
            raise AttributeError("predict_proba is only available for classification")
        proba = self._scores(X)
        sums = proba.sum(axis=1, keepdims=True)
        return np.asarray(proba / np.where(sums > 0, sums, 1.0), dtype=np.float64)

    def predict(self, X: Any) -> NDArray[Any]:
        """Predicted labels (classification) or values (regression) for raw rows ``X``."""
        import numpy as np

        if self.task == "classification" and self.classes_ is not None:
            return np.asarray(self.classes_[np.argmax(self._scores(X), axis=1)])
        return self._scores(X)

    def __repr__(self) -> str:
        return f"AutoMLPipeline(algorithm={self.algorithm!r}, task={self.task!r})"


def load_model(workspace: Any, name: str, version: int | str = "latest") -> AutoMLPipeline:
    """Load a registered classification or regression model, after checking its sha256.

    :func:`automl.load_model` (:mod:`automl._models`) loads a model of any task, forecasting
    included; this one is the tabular path's.

    Args:
        workspace: The :class:`~trials.Workspace` holding the registry.
        name: The registered model's name (an experiment's ``registered_model_name``).
        version: Its version, or ``"latest"``.

    Raises:
        trials.NotFoundError: Unknown name or version.
        trials.ArtifactIntegrityError: The stored file was modified since registration.
        TypeError: The registered file is not an AutoML pipeline.
    """
    import joblib

    path = workspace.models.path(name, version)
    model = joblib.load(path)
    if not isinstance(model, AutoMLPipeline):
        raise TypeError(
            f"model {name!r} version {version!r} must be an AutoMLPipeline, "
            f"got {type(model).__name__}"
        )
    return model
