"""The records of a model explanation: :class:`FeatureImportance` per feature and the
:class:`Explanation` that collects them, with their JSON form (the ``explanation.json``
artifact, non-finite numbers stored as null), their DataFrame view, the run properties the
store gets, and the deterministic most-important-first ordering of features.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

EXPLANATION_ARTIFACT = "explanation.json"
"""The artifact name the runner stores an explanation under (on the parent run)."""

_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FeatureImportance:
    """One feature's permutation importance.

    Attributes:
        name: The raw column, or the engineered (adapted) feature's name.
        importance: Mean drop of the metric when the feature is permuted (goal-aware:
            positive means the feature helps; about 0 means the model does not use it).
        std: Standard deviation of the drop over the repeats.
        raw_column: For an engineered feature, the raw column it comes from (None for a
            raw feature).
    """

    name: str
    importance: float
    std: float
    raw_column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: non-finite numbers become None."""
        return {
            "name": self.name,
            "importance": _json_float(self.importance),
            "std": _json_float(self.std),
            "raw_column": self.raw_column,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureImportance:
        """Inverse of :meth:`to_dict`."""
        raw_column = data.get("raw_column")
        return cls(
            name=str(data["name"]),
            importance=_from_json_float(data["importance"]),
            std=_from_json_float(data["std"]),
            raw_column=None if raw_column is None else str(raw_column),
        )


@dataclass(frozen=True)
class Explanation:
    """Permutation importances of a model on a set of labelled rows.

    Attributes:
        raw: Per raw column, most important first.
        engineered: Per adapted feature, most important first; None when not computed
            (an ensemble, or more adapted columns than the limit: ``note`` says why).
        metric: The metric whose drop is measured.
        n_rows: Rows scored (after subsampling to ``max_rows``).
        n_repeats: Permutations per feature.
        baseline: The metric on the rows as given.
        goal: ``"maximize"`` or ``"minimize"`` (the metric's).
        seed: Seed of the permutations and the subsample.
        note: Why ``engineered`` is None, or None.
    """

    raw: list[FeatureImportance]
    engineered: list[FeatureImportance] | None
    metric: str
    n_rows: int
    n_repeats: int
    baseline: float = math.nan
    goal: str = "maximize"
    seed: int = 0
    note: str | None = None

    def top(
        self, k: int = 10, kind: Literal["raw", "engineered"] = "raw"
    ) -> list[FeatureImportance]:
        """The ``k`` most important features of ``kind`` (empty when not computed).

        Raises:
            ValueError: ``k`` is not a non-negative integer or ``kind`` is unknown.
        """
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
            raise ValueError(f"`k` must be an integer >= 0, got {k!r}")
        if kind not in ("raw", "engineered"):
            raise ValueError(f"`kind` must be 'raw' or 'engineered', got {kind!r}")
        items = self.raw if kind == "raw" else (self.engineered or [])
        return list(items[: int(k)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the ``explanation.json`` artifact); non-finite numbers -> None."""
        return {
            "format_version": _FORMAT_VERSION,
            "metric": self.metric,
            "goal": self.goal,
            "baseline": _json_float(self.baseline),
            "n_rows": self.n_rows,
            "n_repeats": self.n_repeats,
            "seed": self.seed,
            "note": self.note,
            "raw": [item.to_dict() for item in self.raw],
            "engineered": (
                None if self.engineered is None else [item.to_dict() for item in self.engineered]
            ),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: A format version this code does not read.
        """
        version = data.get("format_version", _FORMAT_VERSION)
        if version != _FORMAT_VERSION:
            raise ValueError(
                f"`format_version` must be {_FORMAT_VERSION}, got {version!r}; "
                "the explanation was written by another version of openaml"
            )
        engineered = data.get("engineered")
        note = data.get("note")
        return cls(
            raw=[FeatureImportance.from_dict(item) for item in data["raw"]],
            engineered=(
                None
                if engineered is None
                else [FeatureImportance.from_dict(item) for item in engineered]
            ),
            metric=str(data["metric"]),
            n_rows=int(data["n_rows"]),
            n_repeats=int(data["n_repeats"]),
            baseline=_from_json_float(data.get("baseline")),
            goal=str(data.get("goal", "maximize")),
            seed=int(data.get("seed", 0)),
            note=None if note is None else str(note),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per feature: kind (raw/engineered), name, importance, std, raw_column."""
        import pandas as pd

        rows = [{"kind": "raw", **item.to_dict()} for item in self.raw]
        rows += [{"kind": "engineered", **item.to_dict()} for item in self.engineered or []]
        columns = ["kind", "name", "importance", "std", "raw_column"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["importance"] = frame["importance"].astype("float64")
        frame["std"] = frame["std"].astype("float64")
        return frame

    def properties(self, k: int = 5) -> dict[str, str]:
        """Run properties for the store: the metric and the top ``k`` raw importances.

        Example:
            >>> Explanation([FeatureImportance("a", 0.5, 0.01)], None, "r2", 10, 5).properties()
            {'explanation.metric': 'r2', 'explanation.raw.1': 'a=0.5'}
        """
        out = {"explanation.metric": self.metric}
        for rank, item in enumerate(self.top(k), start=1):
            out[f"explanation.raw.{rank}"] = f"{item.name}={item.importance:.6g}"
        return out


def _sorted(items: list[FeatureImportance]) -> list[FeatureImportance]:
    """Most important first; NaN last; ties by name (deterministic)."""
    return sorted(
        items,
        key=lambda item: (
            math.isnan(item.importance),
            -item.importance if not math.isnan(item.importance) else 0.0,
            item.name,
        ),
    )


def _json_float(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _from_json_float(value: Any) -> float:
    return math.nan if value is None else float(value)
