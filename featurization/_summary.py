"""The featurization summary, in Azure's format (``get_featurization_summary``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from featurization._column_purposes import ColumnPurposeInfo
    from featurization.transformers._base import ColumnStep

__all__ = ["featurization_summary"]


def featurization_summary(
    purposes: dict[str, ColumnPurposeInfo], steps: list[ColumnStep], names: list[list[str]]
) -> list[dict[str, Any]]:
    """One Azure-style row per raw column, in the raw column order.

    Args:
        purposes: The column purposes found at fit time.
        steps: The fitted steps (one per kept column).
        names: Each step's engineered feature names.
    """
    by_column = {
        step.column: (step, step_names) for step, step_names in zip(steps, names, strict=True)
    }
    rows = []
    for column, info in purposes.items():
        step, step_names = by_column.get(column, (None, []))
        rows.append(
            {
                "RawFeatureName": column,
                "TypeDetected": info.purpose.value,
                "Dropped": "No" if step is not None else "Yes",
                "EngineeredFeatureCount": len(step_names),
                "Transformations": step.transformations() if step is not None else [],
            }
        )
    return rows
