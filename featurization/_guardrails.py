"""Azure AutoML's data guardrails: what was found in the training data and what was done.

Each guardrail is Passed, Done or Alerted (see :class:`GuardrailStatus`):

- **Validation split handling** (when the caller says what it chose): Done.
- **Missing target values**: Done when rows have no label (they are dropped before
  training, see :func:`drop_missing_target`), else Passed.
- **Class balancing detection** (classification): Alerted when the smallest class has fewer
  than 20 % of the rows of the largest (Azure's rule), fewer than ``min_class_rows`` rows,
  or there is one class only; else Passed.
- **Missing feature values imputation**: Done when a used column has missing values (how
  each is filled is listed), else Passed.
- **High cardinality feature detection**: Done when columns were hashed, target encoded or
  dropped as identifiers; Alerted when a ``column_purposes`` override keeps a column with more
  than ``categorical_max_cardinality`` labels as ``Categorical``; else Passed.
- **Memory issues detection**: Alerted when ``MEMORY_FACTOR`` times the frame's in-memory size
  (fold copies, featurized blocks, learners) exceeds the available memory; else Passed.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from featurization._column_purposes import ColumnPurpose, ColumnPurposeInfo, infer_column_purposes
from featurization._config import FeaturizationConfig
from featurization._errors import FeaturizationError, describe
from featurization._frames import as_frame, check_task
from featurization._guardrail_report import Guardrail, GuardrailReport, GuardrailStatus
from featurization._memory import available_memory_bytes
from featurization._transformer_params import HashOneHotEncoderParams, ImputerParams

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CLASS_IMBALANCE_RATIO", "MEMORY_FACTOR", "run_guardrails"]

CLASS_IMBALANCE_RATIO = 0.2
MEMORY_FACTOR = 10


def run_guardrails(
    X: object,
    y: object,
    *,
    task: str,
    config: FeaturizationConfig | None = None,
    purposes: Mapping[str, ColumnPurposeInfo] | None = None,
    validation: str | None = None,
    available_memory: int | None = None,
    min_class_rows: int = 10,
) -> GuardrailReport:
    """Run the data guardrails on the training data (before labels are dropped).

    Args:
        X: Training features (pandas or polars DataFrame, or pyarrow Table).
        y: Labels, one per row (missing ones allowed: they are reported).
        task: ``"classification"``, ``"regression"`` or ``"forecasting"``.
        config: The featurization config (overrides, imputer strategies, blocked
            transformers); ``None``: the defaults.
        purposes: Column purposes already inferred with the same config (else inferred).
        validation: What validation the caller chose and why, e.g. ``"3-fold cross
            validation: 1,000 to 20,000 rows"``; ``None`` leaves that guardrail out.
        available_memory: Bytes available (default: read from the operating system).
        min_class_rows: Fewest rows of the smallest class before it is Alerted.

    Returns:
        The report, guardrails in the order listed in the module docstring.

    Raises:
        FeaturizationError: Bad task, empty ``X``, ``y`` of the wrong length.

    Example:
        >>> import pandas as pd
        >>> X = pd.DataFrame({"x": [1.0, None, 3.0, 4.0]})
        >>> report = run_guardrails(X, [0, 1, 0, None], task="classification")
        >>> report["Missing target values"].status.value
        'Done'
    """
    import pandas as pd

    checked_task = check_task(task)
    frame = as_frame(X)
    config = config if config is not None else FeaturizationConfig()
    if isinstance(min_class_rows, bool) or not isinstance(min_class_rows, numbers.Integral):
        raise FeaturizationError(
            f"`min_class_rows` must be an integer, got {describe(min_class_rows)}"
        )
    found = dict(purposes) if purposes is not None else infer_column_purposes(frame, config)
    labels = y.to_pandas() if hasattr(y, "to_pandas") and not isinstance(y, pd.Series) else y
    labels = labels if isinstance(labels, pd.Series) else pd.Series(list(labels), dtype=object)
    if len(labels) != len(frame):
        raise FeaturizationError(
            f"`y` must have one label per row of X ({len(frame)}), got {len(labels)}"
        )
    guardrails = []
    if validation is not None:
        guardrails.append(
            Guardrail("Validation split handling", GuardrailStatus.DONE, str(validation))
        )
    guardrails.append(_missing_target(labels))
    if checked_task == "classification":
        guardrails.append(_class_balance(labels.dropna(), min_class_rows))
    guardrails.append(_missing_features(found, config))
    guardrails.append(_high_cardinality(found, config))
    memory = available_memory if available_memory is not None else available_memory_bytes()
    guardrails.append(_memory(frame, memory))
    return GuardrailReport(tuple(guardrails))


def _missing_target(labels: pd.Series) -> Guardrail:
    name = "Missing target values"
    missing = int(labels.isna().sum())
    if not missing:
        return Guardrail(name, GuardrailStatus.PASSED, "No label is missing.")
    return Guardrail(
        name,
        GuardrailStatus.DONE,
        f"{missing} of {len(labels)} rows have no label; they are dropped before training.",
        ({"rows dropped": missing, "rows kept": len(labels) - missing},),
    )


def _class_balance(labels: pd.Series, min_class_rows: int) -> Guardrail:
    name = "Class balancing detection"
    counts = labels.value_counts()
    details = tuple(
        {"class": str(label), "rows": int(count), "share": f"{count / len(labels):.1%}"}
        for label, count in counts.items()
    )
    if len(counts) < 2:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"Only {len(counts)} class in the labels: a classifier needs at least two.",
            details,
        )
    smallest, largest = int(counts.iloc[-1]), int(counts.iloc[0])
    if smallest < CLASS_IMBALANCE_RATIO * largest:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"Imbalanced classes: the smallest class ({counts.index[-1]!s}, {smallest} rows) "
            f"has under {CLASS_IMBALANCE_RATIO:.0%} of the rows of the largest ({largest}). "
            "Consider a balanced metric such as AUC_weighted, or more data of that class.",
            details,
        )
    if smallest < min_class_rows:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"The smallest class ({counts.index[-1]!s}) has only {smallest} rows "
            f"(fewer than {min_class_rows}); its scores will be noisy.",
            details,
        )
    return Guardrail(name, GuardrailStatus.PASSED, "The classes are balanced.", details)


def _missing_features(
    purposes: Mapping[str, ColumnPurposeInfo], config: FeaturizationConfig
) -> Guardrail:
    name = "Missing feature values imputation"
    details = []
    marker = "" if config.is_blocked("MissingIndicator") else ", plus a missing-value indicator"
    for column, info in purposes.items():
        if not info.n_missing:
            continue
        purpose = info.purpose
        if purpose is ColumnPurpose.ALL_NAN:
            handling = "column dropped: every value is missing"
        elif purpose is ColumnPurpose.IGNORE:
            handling = "column ignored"
        elif purpose is ColumnPurpose.NUMERIC:
            handling = f"filled with the {config.params_for(ImputerParams, column).strategy}"
            handling += marker
        elif purpose is ColumnPurpose.DATETIME:
            handling = "filled with the median time" + marker
        elif purpose is ColumnPurpose.TEXT:
            handling = "treated as empty text"
        else:
            imputer = config.params_for(ImputerParams, column)
            handling = (
                f"filled with the {imputer.strategy.replace('_', ' ')} label"
                if imputer.strategy in ("most_frequent", "constant")
                else "kept as a missing category (code -1)"
            )
        details.append(
            {
                "column": column,
                "missing": info.n_missing,
                "share": f"{info.n_missing / info.n_rows:.1%}",
                "handling": handling,
            }
        )
    if not details:
        return Guardrail(name, GuardrailStatus.PASSED, "No feature value is missing.")
    return Guardrail(
        name,
        GuardrailStatus.DONE,
        f"Missing values found in {len(details)} column(s) and handled as listed.",
        tuple(details),
    )


def _high_cardinality(
    purposes: Mapping[str, ColumnPurposeInfo], config: FeaturizationConfig
) -> Guardrail:
    name = "High cardinality feature detection"
    limit = config.thresholds.categorical_max_cardinality
    target = set(config.target_encoded_columns())
    done, alerts = [], []
    for column, info in purposes.items():
        handling = None
        if info.purpose is ColumnPurpose.CATEGORICAL_HASH:
            if column in target or config.high_cardinality_encoding == "target":
                handling = "target encoded (out of fold)"
            elif config.is_blocked("HashOneHotEncoder"):
                handling = "dropped: HashOneHotEncoder is blocked"
            else:
                bits = config.params_for(HashOneHotEncoderParams, column).number_of_bits
                handling = f"hashed into {2**bits} buckets"
        elif info.purpose is ColumnPurpose.IGNORE and info.reason.startswith("identifier"):
            handling = "dropped: an identifier"
        elif (
            info.purpose is ColumnPurpose.CATEGORICAL
            and info.overridden
            and info.n_unique > limit
            and column not in target
        ):
            alerts.append(
                {
                    "column": column,
                    "distinct values": info.n_unique,
                    "handling": "kept Categorical by column_purposes: one code per label",
                }
            )
        if handling is not None:
            done.append({"column": column, "distinct values": info.n_unique, "handling": handling})
    if alerts:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"{len(alerts)} column(s) with more than {limit} labels are kept Categorical by "
            "column_purposes; 'CategoricalHash' would hash them.",
            tuple(alerts + done),
        )
    if done:
        return Guardrail(
            name,
            GuardrailStatus.DONE,
            f"High cardinality found in {len(done)} column(s) and handled as listed.",
            tuple(done),
        )
    return Guardrail(name, GuardrailStatus.PASSED, "No high cardinality feature was found.")


def _memory(frame: pd.DataFrame, available: int | None) -> Guardrail:
    name = "Memory issues detection"
    size = int(frame.memory_usage(deep=True, index=False).sum())
    needed = size * MEMORY_FACTOR
    details: tuple[Mapping[str, Any], ...] = (
        {
            "data size": _bytes(size),
            "estimated need": _bytes(needed),
            "available": _bytes(available) if available is not None else "unknown",
        },
    )
    if available is None:
        return Guardrail(
            name, GuardrailStatus.PASSED, "Available memory is unknown; not checked.", details
        )
    if needed > available:
        return Guardrail(
            name,
            GuardrailStatus.ALERTED,
            f"The data takes {_bytes(size)} in memory; training may need about "
            f"{MEMORY_FACTOR} times that ({_bytes(needed)}) but {_bytes(available)} is "
            "available. Sample the data, drop columns, or use a machine with more memory.",
            details,
        )
    return Guardrail(name, GuardrailStatus.PASSED, "The data fits in memory.", details)


def _bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"
