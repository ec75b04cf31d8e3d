"""Findings: one problem found in a register, located precisely for staff."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any


class Severity(str, Enum):
    ERROR = "erreur"
    WARNING = "avertissement"


@dataclass(frozen=True)
class Finding:
    """A problem in a register: the row it sits on is left out when an error."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: Any
    reason: str
    severity: Severity = Severity.ERROR

    def describe(self) -> str:
        parts = [f"« {Path(self.file).name} »"]
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        where = ", ".join(parts)
        shown = _show_value(self.value)
        value = f" (valeur « {shown} »)" if shown else ""
        return f"{where}{value} : {self.reason}"


def _show_value(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "..."
