"""The data-guardrail report: Azure's statuses, one entry per guardrail, JSON and tables."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from featurization._errors import FeaturizationError, list_names

__all__ = ["Guardrail", "GuardrailReport", "GuardrailStatus"]


class GuardrailStatus(enum.StrEnum):
    """Azure's guardrail states."""

    PASSED = "Passed"  #: No problem was found, nothing was done.
    DONE = "Done"  #: Something was found and handled (imputed, dropped, hashed, ...).
    ALERTED = "Alerted"  #: Something was found that the user should look at.


@dataclass(frozen=True)
class Guardrail:
    """One guardrail's outcome.

    Attributes:
        name: Azure's name of the guardrail (``"Missing feature values imputation"``).
        status: Passed, Done or Alerted.
        description: What was found and done, in a sentence or two.
        details: A table: one mapping per row, the same keys in each (may be empty).
    """

    name: str
    status: GuardrailStatus
    description: str
    details: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "name": self.name,
            "status": self.status.value,
            "description": self.description,
            "details": [dict(row) for row in self.details],
        }


@dataclass(frozen=True)
class GuardrailReport:
    """The guardrails of one AutoML fit, in the order they ran.

    Example:
        >>> report = GuardrailReport((Guardrail("Demo", GuardrailStatus.PASSED, "Fine."),))
        >>> GuardrailReport.from_dict(report.to_dict()) == report
        True
        >>> print(report)
        Data guardrails
          [Passed] Demo: Fine.
    """

    guardrails: tuple[Guardrail, ...]

    def __iter__(self) -> Iterator[Guardrail]:
        return iter(self.guardrails)

    def __len__(self) -> int:
        return len(self.guardrails)

    def __getitem__(self, name: str) -> Guardrail:
        for guardrail in self.guardrails:
            if guardrail.name == name:
                return guardrail
        names = [guardrail.name for guardrail in self.guardrails]
        raise KeyError(f"no guardrail named {name!r}; the report has {list_names(names)}")

    @property
    def alerted(self) -> list[Guardrail]:
        """The guardrails that need the user's attention."""
        return [item for item in self.guardrails if item.status is GuardrailStatus.ALERTED]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict for the run store."""
        return {"guardrails": [guardrail.to_dict() for guardrail in self.guardrails]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GuardrailReport:
        """Read back :meth:`to_dict`'s output.

        Raises:
            FeaturizationError: ``data`` is not in that shape.
        """
        try:
            return cls(
                tuple(
                    Guardrail(
                        name=str(item["name"]),
                        status=GuardrailStatus(item["status"]),
                        description=str(item["description"]),
                        details=tuple(dict(row) for row in item.get("details", ())),
                    )
                    for item in data["guardrails"]
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise FeaturizationError(
                f"`data` must be GuardrailReport.to_dict() output, got {error!r}"
            ) from error

    def __str__(self) -> str:
        lines = ["Data guardrails"]
        for guardrail in self.guardrails:
            lines.append(f"  [{guardrail.status.value}] {guardrail.name}: {guardrail.description}")
            for row in guardrail.details:
                lines.append("      " + ", ".join(f"{key}: {value}" for key, value in row.items()))
        return "\n".join(lines)

    def to_table(self) -> Any:
        """A ``rich.table.Table`` of the report (rich is imported only here)."""
        from rich.table import Table

        colours = {"Passed": "green", "Done": "cyan", "Alerted": "bold yellow"}
        table = Table(title="Data guardrails", show_lines=True)
        for header in ("Guardrail", "Status", "Description", "Details"):
            table.add_column(header)
        for guardrail in self.guardrails:
            details = "\n".join(
                ", ".join(f"{key}: {value}" for key, value in row.items())
                for row in guardrail.details
            )
            status = guardrail.status.value
            table.add_row(
                guardrail.name, f"[{colours[status]}]{status}[/]", guardrail.description, details
            )
        return table

    def __rich__(self) -> Any:
        return self.to_table()
