"""The parent's data prep for an AutoML fit: rows, labels, validation, folds, guardrails.

Loads the training data, drops rows with a missing label (reported), checks the labels,
runs the guardrails, chooses the validation by Azure's rule, makes the folds and featurizes
each fold once into the cache the children read (:mod:`automl._fold_data`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from automl._config_checks import AutoMLConfigError

if TYPE_CHECKING:
    import pandas as pd

    from automl._config import AutoMLConfig
    from automl._fold_data import FoldPlan
    from trials import Workspace

__all__ = ["PreparedData", "data_fingerprint"]


def data_fingerprint(frame: pd.DataFrame) -> str:
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return "sha256:" + digest.hexdigest()


class PreparedData:
    """The parent's data prep: rows, labels, folds, guardrails, cache.

    With ``validation_data`` its rows follow the training rows in the fold matrices (one
    fold: train on the training rows, score on the validation rows); the final model is
    refitted on the training rows (``X``, ``y``).
    """

    def __init__(self, config: AutoMLConfig, workspace: Workspace, name: str) -> None:
        import numpy as np
        import pandas as pd

        from automl._data import load_data
        from automl._fold_data import FoldPlan, prepare_folds
        from automl._validation import Fold, FoldSet, choose_validation, make_folds
        from featurization import drop_missing_target, resolve_featurization, run_guardrails

        task = config.task
        label = config.label_column_name
        loaded = load_data(config.training_data, workspace=workspace)
        frame = loaded.frame
        config.check_columns(list(frame.columns))
        self.fingerprint = data_fingerprint(frame)
        self.source = dict(loaded.source)
        raw_X = frame.drop(columns=[label])
        self.featurization = resolve_featurization(config.featurization)
        X, y, self.dropped = drop_missing_target(raw_X, frame[label])
        _check_labels(y, task, label, len(frame))
        given = config.validation_data is not None
        if given:  # checked before any guardrail, fold or cache work
            valid = load_data(config.validation_data, workspace=workspace, field="validation_data")
            config.check_columns(list(valid.frame.columns), field="validation_data")
            _check_same_columns(list(frame.columns), list(valid.frame.columns))
        plan = choose_validation(
            len(y),
            task=task,
            validation_data_given=given,
            validation_size=config.validation_size,
            n_cross_validations=config.n_cross_validations,
        )
        self.validation = plan.reason
        self.guardrails = run_guardrails(
            raw_X, frame[label], task=task, config=self.featurization, validation=plan.reason
        )
        self.X, self.y = X, np.asarray(y)
        all_X, all_y = X, self.y
        if given:
            self.fingerprint += "+" + data_fingerprint(valid.frame)
            valid_X, valid_y, dropped = drop_missing_target(
                valid.frame.drop(columns=[label]), valid.frame[label]
            )
            self.dropped += dropped
            all_X = pd.concat([X, valid_X[list(X.columns)]], ignore_index=True)
            all_y = np.concatenate([self.y, np.asarray(valid_y)])
            n_train = len(self.y)
            rows = np.arange(len(all_y), dtype=np.int32)
            folds = FoldSet((Fold(rows[:n_train], rows[n_train:], "validation_data"),))
        else:
            folds = make_folds(plan, self.y, task=task, seed=config.seed)
        self.selection = config.model_selection()
        kinds = sorted({learner.info.input_kind for learner in self.selection.learners})
        cache = workspace.artifact_root / "automl" / name / "folds"
        classification = task == "classification"
        classes = np.unique(all_y).tolist() if classification else []
        y_range = None if classification else [float(self.y.min()), float(self.y.max())]
        empty = FoldPlan(
            cache_dir=str(cache),
            task=task,
            n_folds=len(folds),
            n_rows=int(np.mean([len(fold.train) for fold in folds])),
            classes=classes,
            y_range=y_range,
            primary_metric=str(config.primary_metric),
            positive_label=config.positive_label,
            n_features={},
            seed=config.seed,
        )
        self.plan: FoldPlan = prepare_folds(
            all_X, all_y, folds, plan=empty, kinds=kinds, featurization=self.featurization
        )


def _check_labels(y: pd.Series, task: str, label: str, n_rows: int) -> None:
    """Fail before any compute when the labels cannot train a model."""
    if len(y) == 0:
        raise AutoMLConfigError(
            f"`label_column_name` {label!r} is missing in every one of the {n_rows} row(s) "
            "of `training_data`; give a column with labels"
        )
    if len(y) < 2:
        raise AutoMLConfigError(
            f"`label_column_name` {label!r} has a value in only {len(y)} row of "
            "`training_data`; AutoML needs at least 2 labelled rows"
        )
    if task == "classification":
        classes = y.unique()
        if len(classes) < 2:
            raise AutoMLConfigError(
                f"`label_column_name` {label!r} has one class only ({_plain(classes[0])!r}) in "
                "`training_data`; classification needs at least 2 classes"
            )


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value (for messages)."""
    return value.item() if hasattr(value, "item") else value


def _check_same_columns(train: list[str], valid: list[str]) -> None:
    """`validation_data` must have the columns of `training_data`, no more, no fewer."""
    missing = [column for column in train if column not in valid]
    extra = [column for column in valid if column not in train]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"not in `training_data`: {', '.join(map(repr, extra))}")
        raise AutoMLConfigError(
            f"`validation_data` must have the columns of `training_data`; {'; '.join(parts)}"
        )
