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
    from numpy.typing import NDArray

    from automl._config import AutoMLConfig
    from automl._fold_data import FoldPlan
    from automl._validation import FoldSet, ValidationPlan
    from automl.learners import ModelSelection
    from trials import Workspace

__all__ = ["PreparedData", "data_fingerprint"]


def data_fingerprint(frame: pd.DataFrame) -> str:
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(",".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return "sha256:" + digest.hexdigest()


class PreparedData:
    """The parent's data prep: rows, labels, weights, folds, guardrails, cache.

    Rows with a missing label are dropped (reported). ``test_size`` then holds out a
    stratified share of the rows as test data (``test_data`` gives it instead); the
    validation is chosen on the rest. With ``validation_data`` its rows follow the training
    rows in the fold matrices (one fold: train on the training rows, score on the
    validation rows); the final model is refitted on the training rows (``X``, ``y``,
    ``weights``). The weight and cv split columns are never features.

    Attributes:
        X, y, weights: The training rows (features only), labels and row weights (None
            without ``weight_column_name``).
        test: The test rows ``(X, y, weights)`` or None.
        explain: Labelled rows the model did not fit in the search, for permutation
            importance: the validation data, or the first fold's validation rows.
    """

    def __init__(self, config: AutoMLConfig, workspace: Workspace, name: str) -> None:
        import numpy as np

        from automl._data import load_data
        from automl._fold_data import FoldPlan, prepare_folds
        from automl._validation import choose_validation, split_test
        from featurization import drop_missing_target, resolve_featurization, run_guardrails

        task = config.task
        label = config.label_column_name
        loaded = load_data(config.training_data, workspace=workspace)
        frame = loaded.frame
        config.check_columns(list(frame.columns))
        self.fingerprint = data_fingerprint(frame)
        self.source = dict(loaded.source)
        special = _special_columns(config)
        features = [column for column in frame.columns if column != label and column not in special]
        self.featurization = resolve_featurization(config.featurization)
        rows, labels, self.dropped = drop_missing_target(frame.drop(columns=[label]), frame[label])
        _check_labels(labels, task, label, len(frame))
        y = np.asarray(labels)
        weights = _weights(rows, config.weight_column_name, "training_data")
        valid = self._other_table(config, workspace, "validation_data", features)
        self.test = self._other_table(config, workspace, "test_data", features)
        if config.test_size is not None and self.test is None:
            kept, held = split_test(len(y), float(config.test_size), y, task, config.seed)
            test_rows = rows.iloc[held].reset_index(drop=True)
            self.test = (
                test_rows[features],
                y[held],
                None if weights is None else weights[held],
            )
            rows, y = rows.iloc[kept].reset_index(drop=True), y[kept]
            weights = None if weights is None else weights[kept]
        plan = choose_validation(
            len(y),
            task=task,
            validation_data_given=valid is not None,
            validation_size=config.validation_size,
            n_cross_validations=config.n_cross_validations,
            cv_split_column_names=config.cv_split_column_names,
        )
        self.validation = plan.reason
        self.guardrails = run_guardrails(
            frame[features], frame[label], task=task, config=self.featurization,
            validation=plan.reason,
        )  # fmt: skip
        self.X, self.y, self.weights = rows[features], y, weights
        folds, all_X, all_y, all_w = self._folds(config, plan, rows, valid)
        first = folds[0]
        self.explain = (
            (valid[0], valid[1])
            if valid is not None
            else (self.X.iloc[np.asarray(first.valid)], self.y[np.asarray(first.valid)])
        )
        self.selection = _weighted_selection(config)
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
            all_X,
            all_y,
            folds,
            plan=empty,
            kinds=kinds,
            featurization=self.featurization,
            weights=all_w,
        )

    def _other_table(
        self, config: AutoMLConfig, workspace: Workspace, field: str, features: list[str]
    ) -> tuple[pd.DataFrame, NDArray[Any], NDArray[Any] | None] | None:
        """``validation_data`` or ``test_data``: checked, missing labels dropped."""
        import numpy as np

        from automl._data import load_data
        from featurization import drop_missing_target

        value = getattr(config, field)
        if value is None:
            return None
        label = config.label_column_name
        other = load_data(value, workspace=workspace, field=field)
        config.check_columns(list(other.frame.columns), field=field)
        _check_same_columns(features, other.frame, field, _special_columns(config) | {label})
        self.fingerprint += "+" + data_fingerprint(other.frame)
        rows, labels, dropped = drop_missing_target(
            other.frame.drop(columns=[label]), other.frame[label]
        )
        self.dropped += dropped
        if len(labels) == 0:
            raise AutoMLConfigError(
                f"`label_column_name` {label!r} is missing in every row of `{field}`; "
                "give rows with labels"
            )
        weight = config.weight_column_name
        weights = _weights(rows, weight, field) if weight in rows.columns else None
        return rows[features], np.asarray(labels), weights

    def _folds(
        self,
        config: AutoMLConfig,
        plan: ValidationPlan,
        rows: pd.DataFrame,
        valid: tuple[pd.DataFrame, NDArray[Any], NDArray[Any] | None] | None,
    ) -> tuple[FoldSet, pd.DataFrame, NDArray[Any], NDArray[Any] | None]:
        """The folds and the rows they index (training rows, then any validation rows)."""
        import numpy as np
        import pandas as pd

        from automl._validation import Fold, FoldSet, make_folds

        if valid is None:
            try:
                folds = make_folds(
                    plan, self.y, task=config.task, seed=config.seed, cv_split_columns=rows
                )
            except ValueError as error:
                raise AutoMLConfigError(str(error)) from None
            return folds, self.X, self.y, self.weights
        valid_X, valid_y, valid_w = valid
        all_X = pd.concat([self.X, valid_X], ignore_index=True)
        all_y = np.concatenate([self.y, valid_y])
        all_w = None
        if self.weights is not None:
            all_w = np.concatenate(
                [self.weights, np.ones(len(valid_y)) if valid_w is None else valid_w]
            )
        n_train = len(self.y)
        index = np.arange(len(all_y), dtype=np.int32)
        return (
            FoldSet((Fold(index[:n_train], index[n_train:], "validation_data"),)),
            all_X,
            all_y,
            all_w,
        )


def _special_columns(config: AutoMLConfig) -> set[str]:
    """The weight and cv split columns: in the data, never features."""
    named = set(config.cv_split_column_names or ())
    if config.weight_column_name is not None:
        named.add(config.weight_column_name)
    return named


def _weights(rows: pd.DataFrame, column: str | None, field: str) -> NDArray[Any] | None:
    """The row weights of ``column``: finite, non-negative numbers with a positive total."""
    import numpy as np
    import pandas as pd

    if column is None:
        return None
    where = f"`weight_column_name` {column!r} of `{field}`"
    values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = _plain(rows[column].iloc[row])
        raise AutoMLConfigError(
            f"{where} must hold finite non-negative numbers, got {value!r} in row {row} "
            f"({int(bad.sum())} such row(s)); fix or drop those rows"
        )
    if values.sum() <= 0:
        raise AutoMLConfigError(f"{where} must have a positive total, got all zeros")
    return values


def _weighted_selection(config: AutoMLConfig) -> ModelSelection:
    """The learners to search; with row weights, those that take them."""
    from automl.learners import ModelSelection

    selection = config.model_selection()
    if config.weight_column_name is None:
        return selection
    kept = tuple(x for x in selection.learners if x.info.supports_sample_weight)
    skipped = dict(selection.skipped)
    for learner in selection.learners:
        if not learner.info.supports_sample_weight:
            skipped[learner.info.name] = "takes no row weights, and `weight_column_name` is set"
    if not kept:
        raise AutoMLConfigError(
            f"`weight_column_name` is set, but none of the models left "
            f"({', '.join(selection.names)}) takes row weights; allow another model or leave "
            "the weights out"
        )
    return ModelSelection(kept, skipped)


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


def _check_same_columns(
    features: list[str], other: pd.DataFrame, field: str, allowed: set[str]
) -> None:
    """`validation_data` / `test_data` must have the feature columns, no more, no fewer."""
    columns = [column for column in other.columns if column not in allowed]
    missing = [column for column in features if column not in columns]
    extra = [column for column in columns if column not in features]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(map(repr, missing))}")
        if extra:
            parts.append(f"not in `training_data`: {', '.join(map(repr, extra))}")
        raise AutoMLConfigError(
            f"`{field}` must have the columns of `training_data`; {'; '.join(parts)}"
        )
