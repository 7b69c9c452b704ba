"""Values of an AutoML job YAML in Azure's v2 spelling, read and written.

The v2 schema spells enum values in snake case (``light_gbm``, ``auc_weighted``,
``tf_idf``, ``info``); AutoMLConfig uses Azure's SDK names (``LightGBM``, ``AUC_weighted``,
``TfIdf``, ``20``). Reading ignores case and underscores; writing gives the v2 spelling.
Every error names the field's YAML path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from automl._config_checks import AutoMLConfigError, closest, describe
from automl._config_sections import EXPERIMENT_NAME, VERBOSITY_LEVELS
from automl.learners import LEARNERS
from automl.metrics import METRICS, metric_names
from featurization import BLOCKABLE_TRANSFORMERS, FeaturizationConfig

__all__ = [
    "ALGORITHMS",
    "AZURE_ONLY_ALGORITHMS",
    "AutoMLJobError",
    "camel_to_snake",
    "check_keys",
    "check_type",
    "fold",
    "load_yaml",
    "mapping",
    "optional_string",
    "read_algorithms",
    "read_compute",
    "read_featurization",
    "read_log_verbosity",
    "read_metric",
    "read_tags",
    "stem_name",
    "string",
    "write_algorithms",
    "write_featurization",
    "write_log_verbosity",
    "write_metric",
]


class AutoMLJobError(AutoMLConfigError):
    """An AutoML job YAML is invalid; the message names the YAML path of the field."""


def camel_to_snake(name: str) -> str:
    """Azure's v2 spelling of an enum value: ``XGBoostClassifier`` -> ``xg_boost_classifier``."""
    text = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", text).lower()


def fold(name: str) -> str:
    """The key names are compared by: lower case, no underscores or dashes."""
    return name.replace("_", "").replace("-", "").lower()


def mapping(value: object, where: str, hint: str = "") -> Mapping[str, Any]:
    """``value`` if it is a mapping with string keys, else raise."""
    suffix = f"; {hint}" if hint else ""
    if not isinstance(value, Mapping):
        raise AutoMLJobError(f"`{where}` must be a mapping, got {describe(value)}{suffix}")
    for key in value:
        if not isinstance(key, str):
            raise AutoMLJobError(f"the keys of `{where}` must be strings, got {describe(key)}")
    return value


def string(value: object, where: str) -> str:
    """``value`` if it is a non-empty string (surrounding spaces removed), else raise."""
    if not isinstance(value, str) or not value.strip():
        raise AutoMLJobError(f"`{where}` must be a non-empty string, got {describe(value)}")
    return value.strip()


def check_keys(
    data: Mapping[str, Any], valid: Sequence[str], where: str, hints: Mapping[str, str]
) -> None:
    """Raise for the first key of ``data`` not in ``valid``, listing the valid keys."""
    for key in data:
        if key in valid:
            continue
        level = "at the top level of the AutoML job" if not where else f"in `{where}`"
        advice = f"; {hints[key]}" if key in hints else closest(key, valid)
        raise AutoMLJobError(
            f"unknown key {key!r} {level}; valid keys: {', '.join(sorted(valid))}{advice}"
        )


# -- training algorithms -------------------------------------------------------------------

ALGORITHMS: Mapping[str, str] = {camel_to_snake(name): name for name in LEARNERS}
"""v2 ``allowed_training_algorithms`` spelling -> Azure model name, for every learner."""

AZURE_ONLY_ALGORITHMS: tuple[str, ...] = (
    "svm",
    "multinomial_naive_bayes",
    "bernoulli_naive_bayes",
    "tab_net_classifier",
    "tab_net_regressor",
    "fast_linear_regressor",
    "online_gradient_descent_regressor",
)
"""v2 algorithms Azure has and openaml does not."""

_BY_FOLD = {fold(v2): name for v2, name in ALGORITHMS.items()}
_AZURE_ONLY_FOLDS = {fold(name): name for name in AZURE_ONLY_ALGORITHMS}


def read_algorithms(value: object, where: str, notices: list[str], *, blocking: bool) -> list[str]:
    """v2 algorithm names -> Azure model names.

    An Azure model openaml lacks is an error when allowed and dropped with a notice when
    blocked (blocking it changes nothing).
    """
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise AutoMLJobError(f"`{where}` must be a list of algorithm names, got {describe(value)}")
    names: list[str] = []
    for item in value:
        key = fold(item) if isinstance(item, str) else ""
        if key in _BY_FOLD:
            names.append(_BY_FOLD[key])
        elif key in _AZURE_ONLY_FOLDS and blocking:
            notices.append(
                f"`{where}`: {item!r} is an Azure model that openaml does not provide; "
                "blocking it changes nothing"
            )
        elif key in _AZURE_ONLY_FOLDS:
            raise AutoMLJobError(
                f"`{where}` contains {item!r}, an Azure model that openaml does not provide; "
                f"valid: {', '.join(ALGORITHMS)}"
            )
        else:
            raise AutoMLJobError(
                f"`{where}` contains unknown algorithm {describe(item)}"
                f"{closest(str(item), ALGORITHMS)}; valid: {', '.join(ALGORITHMS)}"
            )
    return names


def write_algorithms(names: Sequence[str]) -> list[str]:
    """Azure model names -> their v2 spelling."""
    return [camel_to_snake(name) for name in names]


# -- metrics, verbosity, compute -----------------------------------------------------------


def read_metric(value: object, task: object) -> object:
    """A v2 metric spelling (``auc_weighted``, ``AUCWeighted``) -> the metric's name.

    An unknown value is returned as is: AutoMLConfig's check lists the valid names.
    """
    if not isinstance(value, str):
        return value
    if task == "forecasting":
        from forecasting import FORECAST_METRICS

        names: tuple[str, ...] = FORECAST_METRICS
    else:
        names = metric_names(task) if task in ("classification", "regression") else tuple(METRICS)
    for name in names:
        if fold(name) == fold(value):
            return name
    return value


def write_metric(name: str) -> str:
    """A metric name in the v2 spelling: ``AUC_weighted`` -> ``auc_weighted``."""
    return name.lower()


_VERBOSITY_BY_FOLD = {fold(name): level for level, name in VERBOSITY_LEVELS.items()}


def read_log_verbosity(value: object, where: str) -> int:
    """``log_verbosity`` (``not_set``, ``debug``, ``info``, ...) -> a logging level."""
    if isinstance(value, int) and not isinstance(value, bool) and value in VERBOSITY_LEVELS:
        return value
    if isinstance(value, str) and fold(value) in _VERBOSITY_BY_FOLD:
        return _VERBOSITY_BY_FOLD[fold(value)]
    names = list(VERBOSITY_LEVELS.values())
    raise AutoMLJobError(
        f"`{where}` must be one of {', '.join(names)}, got {describe(value)}"
        f"{closest(str(value), names)}"
    )


def write_log_verbosity(level: int) -> str:
    """A logging level -> its v2 ``log_verbosity`` name."""
    return VERBOSITY_LEVELS[level]


_COMPUTE_VALUES = "local, ray or ray://host:port"


def read_compute(value: object, where: str) -> str:
    """``compute``: ``local``, ``ray`` or ``ray://host:port`` (Ray is checked by the config)."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None and (text in ("local", "ray") or text.startswith("ray://")):
        return text
    extra = ""
    if text is not None and text.lower().startswith("azureml:"):
        extra = "; Azure compute targets do not exist locally"
    raise AutoMLJobError(f"`{where}` must be {_COMPUTE_VALUES}, got {describe(value)}{extra}")


# -- featurization -------------------------------------------------------------------------

FEATURIZATION_KEYS: Mapping[str, str] = {
    "blocked_transformers": "blocked_transformers",
    "column_name_and_types": "column_purposes",
    "transformer_params": "transformer_params",
    "drop_columns": "drop_columns",
    "high_cardinality_encoding": "high_cardinality_encoding",
    "thresholds": "thresholds",
    "random_state": "random_state",
}
"""v2 ``featurization`` key -> FeaturizationConfig field (the last four are openaml's)."""

_TRANSFORMERS = sorted(
    {*BLOCKABLE_TRANSFORMERS, "CatTargetEncoder", "TextTargetEncoder", "WoETargetEncoder",
     "LabelEncoder", "WordEmbedding", "NaiveBayes", "CountVectorizer", "Imputer"}
)  # fmt: skip
_TRANSFORMER_BY_FOLD = {fold(name): name for name in _TRANSFORMERS}
_FEATURIZATION_HINTS = {
    "dataset_language": "the dataset language is for Azure's NLP tasks, not tabular AutoML",
    "column_purposes": "the v2 YAML names it `column_name_and_types`",
}


def _transformer(name: object) -> object:
    if isinstance(name, str):
        return _TRANSFORMER_BY_FOLD.get(fold(name), name)
    return name


def read_featurization(value: object, where: str = "featurization") -> object:
    """v2 ``featurization`` -> ``"auto"``, ``"off"`` or a mapping of FeaturizationConfig
    fields (which AutoMLConfig checks)."""
    if isinstance(value, str):
        return value
    data = mapping(value, where, "write {mode: auto}, {mode: off} or {mode: custom, ...}")
    valid = ["mode", "enable_dnn_featurization", *FEATURIZATION_KEYS]
    check_keys(data, valid, where, _FEATURIZATION_HINTS)
    mode = data.get("mode", "auto")
    if not isinstance(mode, str) or mode.strip().lower() not in ("auto", "off", "custom"):
        raise AutoMLJobError(
            f"`{where}.mode` must be one of auto, off, custom, got {describe(mode)}"
        )
    if data.get("enable_dnn_featurization"):
        raise AutoMLJobError(
            f"`{where}.enable_dnn_featurization` must be false: openaml has no DNN "
            "featurization (text is featurized with TF-IDF)"
        )
    settings = {key: item for key, item in data.items() if key in FEATURIZATION_KEYS}
    if mode.strip().lower() == "off":
        if settings:
            raise AutoMLJobError(
                f"`{where}.mode` is off, so `{where}.{next(iter(settings))}` cannot be used; "
                "set mode: custom, or remove the settings"
            )
        return "off"
    if not settings:
        return "auto"
    out: dict[str, Any] = {FEATURIZATION_KEYS[key]: item for key, item in settings.items()}
    blocked = out.get("blocked_transformers")
    if isinstance(blocked, Sequence) and not isinstance(blocked, str):
        out["blocked_transformers"] = [_transformer(name) for name in blocked]
    params = out.get("transformer_params")
    if isinstance(params, Mapping):
        out["transformer_params"] = {_transformer(k): v for k, v in params.items()}
    return out


def write_featurization(value: str | FeaturizationConfig) -> object:
    """``featurization`` in the v2 form; openaml's own settings only when not the default."""
    if isinstance(value, str):
        return {"mode": value}
    plain = value.to_dict()
    default = FeaturizationConfig().to_dict()
    out: dict[str, Any] = {"mode": "custom"}
    if plain["blocked_transformers"]:
        out["blocked_transformers"] = [
            "cat_target_encoder" if name == "TargetEncoder" else camel_to_snake(name)
            for name in plain["blocked_transformers"]
        ]
    if plain["column_purposes"]:
        out["column_name_and_types"] = plain["column_purposes"]
    if plain["transformer_params"]:
        out["transformer_params"] = {
            camel_to_snake(name): [_v2_entry(entry) for entry in entries]
            for name, entries in plain["transformer_params"].items()
        }
    for key in ("drop_columns", "high_cardinality_encoding", "random_state"):
        if plain[key] != default[key]:
            out[key] = plain[key]
    changed = {k: v for k, v in plain["thresholds"].items() if default["thresholds"][k] != v}
    if changed:
        out["thresholds"] = changed
    return out


def _v2_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    parameters = {k: v for k, v in entry.items() if k != "columns" and v is not None}
    return {"fields": list(entry.get("columns", [])), "parameters": parameters}


# -- the job around the settings ---------------------------------------------------------


def load_yaml(text: str) -> Any:
    """Parse YAML safely; a key given twice in one mapping is an error."""
    import yaml

    class UniqueKeyLoader(yaml.SafeLoader):
        """A safe loader for which a key given twice in one mapping is an error."""

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            seen: set[str] = set()
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if isinstance(key, str) and key in seen:
                    raise AutoMLJobError(
                        f"the key {key!r} is given twice (line {key_node.start_mark.line + 1}); "
                        "keep one"
                    )
                if isinstance(key, str):
                    seen.add(key)
            return super().construct_mapping(node, deep=deep)

    try:
        return yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise AutoMLJobError(f"not valid YAML: {error}") from None


def check_type(value: object) -> None:
    """Raise unless ``type`` is ``automl`` (any case)."""
    if value is None:
        raise AutoMLJobError("`type` is required: write `type: automl` at the top of the job")
    if not isinstance(value, str) or value.strip().lower() != "automl":
        hint = (
            "; a sweep job runs with `automl sweep FILE.yaml`"
            if isinstance(value, str) and value.strip().lower() == "sweep"
            else "; `automl run` runs AutoML jobs"
        )
        raise AutoMLJobError(f"`type` must be 'automl', got {describe(value)}{hint}")


def stem_name(source: Path) -> str:
    """The experiment name a file's stem gives, when it is a valid name."""
    stem = source.stem
    if not EXPERIMENT_NAME.match(stem):
        raise AutoMLJobError(
            f"`experiment_name` is not given and the file name {stem!r} is not a valid "
            "experiment name (letters, digits, '_', '.', '-', starting with a letter or "
            "digit); add `experiment_name:` to the job"
        )
    return stem


def optional_string(job: Mapping[str, Any], key: str) -> str | None:
    """``job[key]`` as a non-empty string, or None when absent or null."""
    value = job.get(key)
    return None if value is None else string(value, key)


def read_tags(value: object) -> dict[str, str]:
    """``tags``: names to scalars, as strings (booleans as ``true``/``false``)."""
    if value is None:
        return {}
    tags: dict[str, str] = {}
    for key, item in mapping(value, "tags").items():
        if isinstance(item, bool):
            tags[key] = "true" if item else "false"
        elif isinstance(item, (str, int, float)) or item is None:
            tags[key] = "" if item is None else str(item)
        else:
            raise AutoMLJobError(
                f"`tags.{key}` must be a string, a number or a boolean, got {describe(item)}"
            )
    return tags
