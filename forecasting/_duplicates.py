"""Rows that share a series and a period: an error, or aggregated.

Without ``target_aggregation_function`` two rows of one series at one timestamp are an error
that names the series and the timestamp. With it, rows are grouped by series and by period and
aggregated:

- the period is that of ``freq`` when it is set (pandas' resampling bins: ``"W-SUN"`` weeks end
  on the Sunday that labels them, ``"MS"`` months are labelled by their first day), so
  irregular data (point-of-sale records, say) becomes regular, Azure's rule; without ``freq``
  only rows with the same timestamp are grouped (Azure requires ``freq`` here; we do not);
- the target with the function (``"sum"`` of only missing values stays missing);
- numeric covariates with the mean, other covariates with their first value in the period
  (Azure adds sum/min/max/mean columns and takes the mode: one column each keeps the panel's
  shape and the forecast-time contract simple).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from featurization._guardrail_report import Guardrail, GuardrailStatus
from forecasting._errors import ForecastingError

__all__ = ["DUPLICATES_GUARDRAIL", "resolve_duplicates"]

DUPLICATES_GUARDRAIL = "Duplicate timestamps"


def _ts(value: Any) -> str:
    stamp = pd.Timestamp(value)
    return str(stamp.date()) if stamp == stamp.normalize() else str(stamp)


def resolve_duplicates(
    panel: pd.DataFrame,
    *,
    function: str | None,
    freq: str | None,
    covariates: Sequence[str],
) -> tuple[pd.DataFrame, Guardrail]:
    """Raise on duplicate (series, time) rows, or aggregate them with ``function``.

    Args:
        panel: ``unique_id``, ``ds``, ``y`` and the ``covariates``.
        function: ``target_aggregation_function``: ``"sum"``, ``"mean"``, ``"min"``,
            ``"max"`` or None.
        freq: ``freq`` as set by the user (None: inferred later).
        covariates: The covariate columns.

    Raises:
        ForecastingError: Duplicates without an aggregation function.
    """
    if function is None:
        duplicated = panel.duplicated(["unique_id", "ds"], keep=False)
        if duplicated.any():
            row = panel[duplicated].iloc[0]
            same = int(
                ((panel["unique_id"] == row["unique_id"]) & (panel["ds"] == row["ds"])).sum()
            )
            n_series = panel.loc[duplicated, "unique_id"].nunique()
            raise ForecastingError(
                f"series {row['unique_id']!r} has {same} rows at {_ts(row['ds'])} "
                f"({int(duplicated.sum())} duplicated rows in {n_series} series): each series "
                "needs one row per timestamp; set `time_series_id_column_names` if these rows "
                "belong to different series, or `target_aggregation_function` ('sum', 'mean', "
                "'min' or 'max') to aggregate them"
            )
        return panel, Guardrail(
            DUPLICATES_GUARDRAIL,
            GuardrailStatus.PASSED,
            "No series has two rows at the same timestamp.",
        )
    keys: list[Any] = ["unique_id", pd.Grouper(key="ds", freq=freq) if freq else "ds"]
    grouped = panel.groupby(keys, sort=True, observed=True)
    target = grouped["y"].sum(min_count=1) if function == "sum" else grouped["y"].agg(function)
    parts = [target.rename("y")]
    for column in covariates:
        numeric = pd.api.types.is_numeric_dtype(panel[column].dtype) and not (
            pd.api.types.is_bool_dtype(panel[column].dtype)
        )
        parts.append(grouped[column].mean() if numeric else grouped[column].first())
    result = pd.concat(parts, axis=1).reset_index()
    result = result[["unique_id", "ds", "y", *covariates]]
    merged = len(panel) - len(result)
    moved = freq is not None and not panel["ds"].isin(result["ds"]).all()
    if not merged and not moved:
        return result, Guardrail(
            DUPLICATES_GUARDRAIL,
            GuardrailStatus.PASSED,
            "No series has two rows in the same period; nothing was aggregated.",
        )
    period = f"{freq!r} period" if freq else "timestamp"
    return result, Guardrail(
        DUPLICATES_GUARDRAIL,
        GuardrailStatus.DONE,
        f"Rows of the same series and {period} were aggregated ({len(panel)} rows into "
        f"{len(result)}): the target with {function}, numeric covariates with the mean, "
        "other covariates with their first value.",
        ({"rows before": len(panel), "rows after": len(result), "target": function},),
    )
