"""Missing timestamps and missing values: every series made complete on the panel's grid.

Azure's defaults (the "missing data handling" of its forecasting methods):

- a period missing between a series' first and last timestamp gets a row;
- the target is forward filled (last observation carried forward), in added rows and in rows
  whose label was missing; rows before a series' first observed target have nothing to carry
  forward and are dropped (counted), and a series without any target is dropped (Alerted);
- numeric covariates are filled with the series' median (the panel's median where the series
  has none, else 0); other covariates are left missing, which the featurizer encodes as a
  category of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from featurization._guardrail_report import Guardrail, GuardrailStatus
from forecasting._frequency import offset_of

__all__ = ["MAX_DETAIL_ROWS", "MISSING_FEATURES_GUARDRAIL", "MISSING_GUARDRAIL", "fill_gaps"]

MISSING_GUARDRAIL = "Missing timestamps and target values"
MISSING_FEATURES_GUARDRAIL = "Missing feature values imputation"
MAX_DETAIL_ROWS = 20
"""Series listed at most in a guardrail's details (the ones most affected)."""


@dataclass(frozen=True, eq=False)
class _Counts:
    added: pd.Series  # rows added per series
    imputed: pd.Series  # target values forward filled per series
    trimmed: pd.Series  # leading rows without a target dropped per series
    empty: tuple[str, ...]  # series without any target, dropped


def fill_gaps(
    panel: pd.DataFrame, freq: str, covariates: Sequence[str]
) -> tuple[pd.DataFrame, Guardrail, Guardrail, tuple[str, ...]]:
    """Fill the grid and impute (module docstring). ``panel`` is sorted by series and time,
    one row per series and period, on the grid of ``freq``.

    Returns:
        The complete panel, the guardrail on timestamps and targets, the one on covariates,
        and the series dropped because they have no target at all.
    """
    observed = panel["y"].notna()
    started = observed.groupby(panel["unique_id"], sort=False).cummax()
    trimmed = (~started).astype(int).groupby(panel["unique_id"], sort=False).sum()
    has_target = observed.groupby(panel["unique_id"], sort=False).any()
    empty = tuple(str(series) for series in has_target.index[~has_target.to_numpy()])
    trimmed = trimmed[(trimmed > 0) & has_target]
    panel = panel[started.to_numpy()]
    full = _complete_grid(panel, freq)
    added = (
        full.groupby("unique_id", sort=False).size() - panel.groupby("unique_id", sort=False).size()
    )
    missing = full["y"].isna()
    imputed = missing.groupby(full["unique_id"], sort=False).sum()
    full["y"] = full.groupby("unique_id", sort=False)["y"].ffill()
    counts = _Counts(added, imputed, trimmed, empty)
    features = _fill_covariates(full, covariates)
    return full, _missing_guardrail(counts, freq), features, empty


def _complete_grid(panel: pd.DataFrame, freq: str) -> pd.DataFrame:
    offset = offset_of(freq)
    bounds = panel.groupby("unique_id", sort=False)["ds"].agg(["min", "max"])
    if isinstance(offset, pd.offsets.Tick) or offset.n == 1:
        grid = pd.date_range(bounds["min"].min(), bounds["max"].max(), freq=offset)
        first = grid.searchsorted(bounds["min"].to_numpy())
        last = grid.searchsorted(bounds["max"].to_numpy())
        lengths = last - first + 1
        positions = np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last, strict=True)])
        stamps = grid[positions]
    else:
        ranges = [
            pd.date_range(a, b, freq=offset)
            for a, b in zip(bounds["min"], bounds["max"], strict=True)
        ]
        lengths = np.array([len(item) for item in ranges])
        stamps = pd.DatetimeIndex(np.concatenate([item.to_numpy() for item in ranges]))
    index = pd.MultiIndex.from_arrays(
        [np.repeat(bounds.index.to_numpy(), lengths), stamps], names=["unique_id", "ds"]
    )
    full = panel.set_index(["unique_id", "ds"]).reindex(index).reset_index()
    full["ds"] = full["ds"].astype("datetime64[ns]")
    return full


def _fill_covariates(full: pd.DataFrame, covariates: Sequence[str]) -> Guardrail:
    rows: list[dict[str, Any]] = []
    for column in covariates:
        missing = full[column].isna()
        if not missing.any():
            continue
        values = full[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            median = values.groupby(full["unique_id"], sort=False).transform("median")
            overall = values.median()
            full[column] = values.fillna(median).fillna(0.0 if pd.isna(overall) else overall)
            handling = "filled with the series' median"
        else:
            handling = "left missing: encoded as a category of its own"
        rows.append(
            {
                "column": column,
                "missing": int(missing.sum()),
                "share": f"{missing.mean():.1%}",
                "handling": handling,
            }
        )
    if not rows:
        return Guardrail(
            MISSING_FEATURES_GUARDRAIL, GuardrailStatus.PASSED, "No covariate value is missing."
        )
    return Guardrail(
        MISSING_FEATURES_GUARDRAIL,
        GuardrailStatus.DONE,
        f"Missing values (rows added for missing timestamps included) found in {len(rows)} "
        "covariate(s) and handled as listed.",
        tuple(rows),
    )


def _missing_guardrail(counts: _Counts, freq: str) -> Guardrail:
    added, imputed = int(counts.added.sum()), int(counts.imputed.sum())
    trimmed = int(counts.trimmed.sum())
    if not (added or imputed or trimmed or counts.empty):
        return Guardrail(
            MISSING_GUARDRAIL, GuardrailStatus.PASSED, "No timestamp or target value is missing."
        )
    table = pd.DataFrame(
        {"timestamps added": counts.added, "targets imputed": counts.imputed}
    ).fillna(0)
    table["leading rows dropped"] = counts.trimmed.reindex(table.index).fillna(0)
    table = table.astype(int)
    table = table[table.sum(axis=1) > 0].sort_values(
        ["targets imputed", "timestamps added"], ascending=False, kind="stable"
    )
    details: list[dict[str, Any]] = [
        {"series": str(series), **{str(key): int(value) for key, value in row.items()}}
        for series, row in table.head(MAX_DETAIL_ROWS).iterrows()
    ]
    sentences = []
    if added:
        sentences.append(
            f"{added} missing timestamp(s) in {int((counts.added > 0).sum())} series were added "
            f"on the {freq!r} grid."
        )
    if imputed:
        sentences.append(
            f"{imputed} missing target value(s) in {int((counts.imputed > 0).sum())} series were "
            "forward filled (the last observed value carried forward)."
        )
    if trimmed:
        sentences.append(
            f"{trimmed} leading row(s) without a target in {len(counts.trimmed)} series were "
            "dropped (no earlier value to carry forward)."
        )
    status = GuardrailStatus.DONE
    if counts.empty:
        status = GuardrailStatus.ALERTED
        sentences.append(
            f"{len(counts.empty)} series have no target value at all and were dropped: "
            + ", ".join(repr(series) for series in counts.empty[:10])
            + (", ..." if len(counts.empty) > 10 else "")
            + "."
        )
    if len(table) > MAX_DETAIL_ROWS:
        sentences.append(f"The {MAX_DETAIL_ROWS} series most affected are listed.")
    return Guardrail(MISSING_GUARDRAIL, status, " ".join(sentences), tuple(details))
