"""Input frames and labels: what :mod:`featurization` accepts, converted to pandas.

A pandas ``DataFrame`` is used as is. A polars ``DataFrame`` and a pyarrow ``Table`` are
converted with their own ``to_pandas()`` (pyarrow dictionary columns become pandas
``category``); polars needs pyarrow for that, which is a core dependency. Column names must be
unique strings: other labels (integers from a numpy-built frame) are turned into strings, and
names that collide after that are an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from featurization._errors import FeaturizationError, describe, list_names

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["TASKS", "Task", "as_frame", "check_task", "drop_missing_target", "prepare_target"]

Task = Literal["classification", "regression", "forecasting"]
TASKS: tuple[str, ...] = ("classification", "regression", "forecasting")


def check_task(task: object) -> Task:
    """Return ``task`` if it is one of :data:`TASKS`, else raise in the house format."""
    if task not in TASKS:
        raise FeaturizationError(f"`task` must be one of {list_names(TASKS)}, got {describe(task)}")
    return task  # type: ignore[return-value]


def as_frame(data: object, *, name: str = "X") -> pd.DataFrame:
    """Return ``data`` as a pandas DataFrame with unique string column names.

    Args:
        data: A pandas or polars DataFrame, or a pyarrow Table.
        name: What the argument is called, for error messages.

    Raises:
        FeaturizationError: ``data`` is another type, or two column names collide.
    """
    import pandas as pd

    module = type(data).__module__.split(".")[0]
    if isinstance(data, pd.DataFrame):
        frame = data
    elif module in {"polars", "pyarrow"} and hasattr(data, "to_pandas"):
        frame = data.to_pandas()
    else:
        raise FeaturizationError(
            f"`{name}` must be a pandas DataFrame, a polars DataFrame or a pyarrow Table, "
            f"got {type(data).__name__}; wrap arrays with pandas.DataFrame(array, columns=...)"
        )
    if not all(isinstance(column, str) for column in frame.columns):
        frame = frame.set_axis([str(column) for column in frame.columns], axis=1)
    if not frame.columns.is_unique:
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise FeaturizationError(
            f"`{name}` must have unique column names, got duplicates {list_names(duplicated)}"
        )
    return frame


def prepare_target(y: object, n_rows: int, task: Task) -> np.ndarray[Any, Any]:
    """Return the labels as a 1-D numpy array of ``n_rows`` values with none missing.

    Args:
        y: Labels: a pandas or polars Series, a numpy array, a list or a one-column frame.
        n_rows: The number of rows of the feature frame.
        task: Regression and forecasting labels must be numeric.

    Raises:
        FeaturizationError: ``y`` has the wrong length, missing values, or (regression)
            values that are not numbers.
    """
    import numpy as np
    import pandas as pd

    if hasattr(y, "to_pandas") and not isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_pandas()
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise FeaturizationError(f"`y` must be one column, got a frame of {y.shape[1]}")
        y = y.iloc[:, 0]
    series = pd.Series(np.asarray(y)) if not isinstance(y, pd.Series) else y
    if series.ndim != 1 or len(series) != n_rows:
        raise FeaturizationError(
            f"`y` must have one label per row of X ({n_rows}), got {len(series)}"
        )
    n_missing = int(series.isna().sum())
    if n_missing:
        raise FeaturizationError(
            f"`y` must have no missing values, got {n_missing}; drop those rows first "
            "(featurization.drop_missing_target does it, run_guardrails reports it)"
        )
    if task == "classification":
        return series.to_numpy()
    values = pd.to_numeric(series, errors="coerce")
    if values.isna().any():
        bad = series[values.isna()].iloc[0]
        raise FeaturizationError(
            f"`y` must be numeric for task {task!r}, got {describe(bad)}; "
            "use task='classification' for class labels"
        )
    return values.to_numpy(dtype=np.float64)


def drop_missing_target(X: object, y: object) -> tuple[pd.DataFrame, pd.Series, int]:
    """Drop the rows whose label is missing, as AutoML does before featurizing.

    Args:
        X: The features (any frame :func:`as_frame` accepts).
        y: The labels, one per row.

    Returns:
        The kept rows of ``X`` and ``y`` (index reset) and how many rows were dropped.

    Example:
        >>> import pandas as pd
        >>> X, y, dropped = drop_missing_target(pd.DataFrame({"a": [1, 2]}), [None, 1])
        >>> dropped, len(X)
        (1, 1)
    """
    import numpy as np
    import pandas as pd

    frame = as_frame(X)
    if hasattr(y, "to_pandas") and not isinstance(y, pd.Series):
        y = y.to_pandas()
    labels = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y, dtype=object))
    if len(labels) != len(frame):
        raise FeaturizationError(
            f"`y` must have one label per row of X ({len(frame)}), got {len(labels)}"
        )
    keep = labels.notna().to_numpy()
    dropped = int((~keep).sum())
    kept_labels = labels[keep].reset_index(drop=True)
    if labels.dtype == object:
        kept_labels = kept_labels.infer_objects()
    return frame[keep].reset_index(drop=True), kept_labels, dropped
