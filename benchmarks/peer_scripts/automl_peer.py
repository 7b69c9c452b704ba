"""One system on one dataset split, for benchmarks/automl_vs_peers.py (a fresh interpreter).

Run with the system's own interpreter: ours (openaml, lightgbm_default, random_forest_300) with
the project's venv, flaml and autogluon with their peer venvs. The parent has written the
split to ``--data``: ``train.parquet``, ``test.parquet`` (features only) and ``meta.json``
(task, label, sorted classes). This script imports the system (timed: import_s), fits it on
the training frame (timed: fit_s, everything the system does), predicts the whole test frame
(predict_s) and 50 single-row frames ``test.iloc[[i]]`` after one warm-up call (median:
single_row_ms), and writes ``predictions.npy`` to ``--workdir``: for classification the
probabilities with one column per class in meta's sorted order (a class the system does not
predict is a column of zeros), for regression the predicted values. The parent scores them,
with the same code for every system.

Its last stdout line is ``RESULT {json}`` (see ``_common.py``): version, import_s, fit_s,
predict_s, single_row_ms, rss_self_mb / rss_children_mb (``getrusage`` max RSS of this
process and of its largest waited-for descendant), tree_rss_peak_mb (the summed RSS of this
process and all its live descendants, sampled every 0.5 s), best_model, note; or error.
Only the standard library is imported at module level, since this runs in every venv.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import peer_parser, run_guarded
from _memory import TreeRss, memory_used

SINGLE_ROWS = 50
N_JOBS = 2  # every system is held to the 2 cores of the benchmark machine


@dataclass
class Fitted:
    """A fitted system: ``predict(features)`` returns class-aligned probabilities or values."""

    predict: Callable[[Any], Any]
    best_model: str = ""
    note: str = ""


@dataclass(frozen=True)
class Spec:
    task: str  # "binary" | "multiclass" | "regression"
    label: str
    classes: list[Any]
    budget: float
    seed: int
    workdir: Path

    @property
    def classification(self) -> bool:
        return self.task != "regression"


Fit = Callable[[Any], Fitted]  # training frame (features and label) -> fitted system
Loaded = tuple[Fit, str]  # a system's fit function (imports done) and its version


# ---------------------------------------------------------------- helpers


def _key(value: Any) -> str:
    """A label as text, so that numpy and Python scalars of one value compare equal."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def align(proba: Any, system_classes: Any, classes: list[Any]) -> Any:
    """Reorder ``proba``'s columns (in ``system_classes`` order) to ``classes``; a class the
    system lacks gets a column of zeros; a class unknown to the benchmark is an error."""
    import numpy as np

    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1:  # a system that returns P(positive) only
        proba = np.column_stack([1.0 - proba, proba])
    position = {_key(c): i for i, c in enumerate(classes)}
    ours = [_key(c) for c in list(system_classes)]
    unknown = [c for c in ours if c not in position]
    if unknown or proba.shape[1] != len(ours):
        raise ValueError(
            f"system classes {ours} (proba with {proba.shape[1]} columns) do not match the "
            f"benchmark's classes {list(position)}"
        )
    out = np.zeros((proba.shape[0], len(classes)), dtype=np.float64)
    for column, name in enumerate(ours):
        out[:, position[name]] = proba[:, column]
    return out


def string_columns(frame: Any) -> list[str]:
    """Columns that are not numeric (strings, objects, categories): the categorical ones."""
    import pandas as pd

    return [
        str(name)
        for name in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[name]) or frame[name].dtype == bool
    ]


def _split(train: Any, spec: Spec) -> tuple[Any, Any]:
    return train.drop(columns=[spec.label]), train[spec.label]


# ---------------------------------------------------------------- systems


def openaml(spec: Spec) -> Loaded:
    from importlib.metadata import version

    from automl import AutoMLConfig

    metric = {"binary": "AUC_weighted", "multiclass": "log_loss"}.get(
        spec.task, "root_mean_squared_error"
    )

    def fit(train: Any) -> Fitted:
        result = AutoMLConfig(
            task="classification" if spec.classification else "regression",
            training_data=train,
            label_column_name=spec.label,
            primary_metric=metric,
            experiment_timeout_minutes=spec.budget / 60.0,
            max_concurrent_iterations=N_JOBS,
            workspace=spec.workdir / "workspace",
            seed=spec.seed,
        ).fit(show_output=False)
        model = result.best_model
        if model is None:
            raise RuntimeError(f"no child completed ({result.status}: {result.status_reason})")
        note = f"{len(result.leaderboard)} children; {result.status}: {result.status_reason}"

        def predict(features: Any) -> Any:
            if spec.classification:
                return align(model.predict_proba(features), model.classes_, spec.classes)
            return model.predict(features)

        return Fitted(predict, model.algorithm, note)

    return fit, version("openaml")


def flaml(spec: Spec) -> Loaded:
    import flaml as flaml_package
    from flaml import AutoML

    metric = {"binary": "roc_auc", "multiclass": "log_loss"}.get(spec.task, "rmse")

    def fit(train: Any) -> Fitted:
        features, label = _split(train, spec)
        automl = AutoML()
        automl.fit(
            features,
            label,
            task="classification" if spec.classification else "regression",
            time_budget=spec.budget,
            metric=metric,
            n_jobs=N_JOBS,
            seed=spec.seed,
            log_file_name="",
            verbose=0,
        )

        def predict(frame: Any) -> Any:
            if spec.classification:
                return align(automl.predict_proba(frame), automl.classes_, spec.classes)
            return automl.predict(frame)

        config = {
            key: round(float(value), 4) if isinstance(value, float) else value
            for key, value in (automl.best_config or {}).items()
        }
        return Fitted(predict, str(automl.best_estimator), f"best config {config}")

    return fit, flaml_package.__version__


def autogluon(spec: Spec) -> Loaded:
    import autogluon.tabular as ag
    from autogluon.tabular import TabularPredictor

    metric = {"binary": "roc_auc", "multiclass": "log_loss"}.get(
        spec.task, "root_mean_squared_error"
    )
    from importlib.metadata import PackageNotFoundError, version

    try:  # asked of the installed metadata: importing torch would add to the measured RSS
        torch_note = f"torch {version('torch')} installed: NN_TORCH can run"
    except PackageNotFoundError:
        torch_note = "no torch: neural networks skipped"
    try:
        fastai_note = f"fastai {version('fastai')} installed"
    except PackageNotFoundError:
        fastai_note = "fastai not installed: NN_FASTAI skipped"

    def fit(train: Any) -> Fitted:
        predictor = TabularPredictor(
            label=spec.label,
            problem_type=spec.task,
            eval_metric=metric,
            path=str(spec.workdir / "autogluon"),
            verbosity=0,
        ).fit(train, time_limit=spec.budget, presets="medium_quality", num_cpus=N_JOBS)
        trained = predictor.model_names()
        failures = predictor.model_failures()
        failed = [] if failures.empty else sorted(set(failures["model"].astype(str)))

        def predict(frame: Any) -> Any:
            if spec.classification:
                proba = predictor.predict_proba(frame, as_multiclass=True)
                return align(proba.to_numpy(), list(proba.columns), spec.classes)
            return predictor.predict(frame).to_numpy()

        note = f"{len(trained)} models ({', '.join(trained)}); {torch_note}; {fastai_note}"
        if failed:
            note += f"; failed: {', '.join(failed)}"
        return Fitted(predict, str(predictor.model_best), note)

    return fit, ag.__version__


def lightgbm_default(spec: Spec) -> Loaded:
    import lightgbm
    import pandas as pd

    def fit(train: Any) -> Fitted:
        features, label = _split(train, spec)
        categories = {
            name: sorted(features[name].dropna().astype(str).unique())
            for name in string_columns(features)
        }

        def encode(frame: Any) -> Any:
            frame = frame.copy()
            for name, levels in categories.items():
                column = frame[name].astype(str).where(frame[name].notna())
                frame[name] = pd.Categorical(column, categories=levels)
            return frame

        common = {"n_jobs": N_JOBS, "random_state": spec.seed, "verbose": -1}
        if spec.classification:
            model = lightgbm.LGBMClassifier(**common)
        else:
            model = lightgbm.LGBMRegressor(**common)
        model.fit(encode(features), label)

        def predict(frame: Any) -> Any:
            if spec.classification:
                return align(model.predict_proba(encode(frame)), model.classes_, spec.classes)
            return model.predict(encode(frame))

        return Fitted(predict, type(model).__name__, f"{len(categories)} category columns")

    return fit, f"lightgbm {lightgbm.__version__}"


def random_forest_300(spec: Spec) -> Loaded:
    import sklearn
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    def fit(train: Any) -> Fitted:
        features, label = _split(train, spec)
        strings = string_columns(features)
        encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        columns = ColumnTransformer([("strings", encoder, strings)], remainder="passthrough")
        forest_class = RandomForestClassifier if spec.classification else RandomForestRegressor
        forest = forest_class(n_estimators=300, n_jobs=N_JOBS, random_state=spec.seed)
        model = Pipeline(
            [("encode", columns), ("impute", SimpleImputer(strategy="median")), ("forest", forest)]
        )
        model.fit(
            features.astype({name: object for name in strings}),  # str and NaN, one kind
            label,
        )

        def predict(frame: Any) -> Any:
            frame = frame.astype({name: object for name in strings})
            if spec.classification:
                return align(model.predict_proba(frame), model.classes_, spec.classes)
            return model.predict(frame)

        return Fitted(predict, type(forest).__name__, f"{len(strings)} ordinal-encoded columns")

    return fit, f"scikit-learn {sklearn.__version__}"


SYSTEMS: dict[str, Callable[[Spec], Loaded]] = {
    "openaml": openaml,
    "flaml": flaml,
    "autogluon": autogluon,
    "lightgbm_default": lightgbm_default,
    "random_forest_300": random_forest_300,
}


# ---------------------------------------------------------------- the run


def run(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    data = Path(args.data)
    meta = json.loads((data / "meta.json").read_text())
    spec = Spec(
        task=meta["task"],
        label=meta["label"],
        classes=list(meta["classes"]),
        budget=args.budget,
        seed=args.seed,
        workdir=Path(args.workdir),
    )
    train = pd.read_parquet(data / "train.parquet")
    test = pd.read_parquet(data / "test.parquet")

    with TreeRss() as tree:
        started = time.perf_counter()
        fit, version = SYSTEMS[args.system](spec)
        import_s = time.perf_counter() - started

        started = time.perf_counter()
        fitted = fit(train)
        fit_s = time.perf_counter() - started

        started = time.perf_counter()
        predictions = np.asarray(fitted.predict(test), dtype=np.float64)
        predict_s = time.perf_counter() - started

        fitted.predict(test.iloc[[0]])  # warm-up
        single = []
        for i in range(min(SINGLE_ROWS, len(test))):
            row = test.iloc[[i]]
            started = time.perf_counter()
            fitted.predict(row)
            single.append(time.perf_counter() - started)

    expected = (len(test), len(spec.classes)) if spec.classification else (len(test),)
    if predictions.shape != expected:
        raise ValueError(f"predictions have shape {predictions.shape}, expected {expected}")
    np.save(spec.workdir / "predictions.npy", predictions)
    return {
        "version": version,
        "import_s": import_s,
        "fit_s": fit_s,
        "predict_s": predict_s,
        "single_row_ms": statistics.median(single) * 1000.0,
        **memory_used(tree),
        "best_model": fitted.best_model,
        "note": fitted.note,
    }


def main() -> None:
    parser = peer_parser(__doc__.splitlines()[0], SYSTEMS, "folder with train/test parquet, meta")
    run_guarded(run, parser.parse_args())


if __name__ == "__main__":  # our AutoML's workers (forkserver) import this module again
    main()
