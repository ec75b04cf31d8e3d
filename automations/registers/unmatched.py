"""Mapped headers that match no column of a sheet, with the sheet's closest headers.

A header misspelled in the mapping (« Quartiers » for « Quartier ») leaves its field empty on every row
without any cell being wrong: nothing else would say so. ``check`` lists them for the administrator; they
are no finding of the register (staff have nothing to correct in their workbook, and the weekly digest
would repeat them).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .mapping import FieldSpec, RegisterSpec
from .types import normalize_label

_CLOSEST = 3
# difflib's ratio above which a header is shown as a likely match: « Quartier » for « Quartiers » (0.94),
# « Date de notification » for « Notifié le » (0.45) is not
_CUTOFF = 0.6


@dataclass(frozen=True)
class Unmatched:
    """One mapped field without a column in one sheet."""

    file: Path
    sheet: str
    header_row: int  # 1-based
    field: str
    spec: FieldSpec
    closest: tuple[str, ...]  # the sheet's headers nearest to those tried, nearest first

    def describe(self) -> str:
        tried = ", ".join(f"« {h} »" for h in self.spec.headers)
        near = (f"en-têtes proches dans la feuille : {', '.join(f'« {h} »' for h in self.closest)}" if self.closest
                else "aucun en-tête proche dans la feuille")
        if self.spec.required:
            outcome = "la feuille n'est pas lue"
        elif self.spec.write_back:
            outcome = "rien n'y sera reporté"
        else:
            outcome = "ce champ restera vide"
        return (f"« {self.file.name} », feuille « {self.sheet} », ligne {self.header_row} : champ « {self.field} » "
                f"sans colonne (en-têtes essayés : {tried}) ; {near} ; {outcome}")


def unmatched_fields(spec: RegisterSpec, file: Path, sheet: str, header_row: int, header: list[Any],
                     columns: dict[str, int]) -> list[Unmatched]:
    """The fields of ``spec`` (known and own) whose headers name no column of ``header``."""
    present = {normalize_label(str(v)): str(v).strip() for v in header if v is not None and str(v).strip()}
    found: list[Unmatched] = []
    for name, fs in spec.all_fields.items():
        if name in columns or fs.is_constant:
            continue
        found.append(Unmatched(file, sheet, header_row, name, fs, _closest(fs.headers, present)))
    return found


def _closest(tried: tuple[str, ...], present: dict[str, str]) -> tuple[str, ...]:
    scored: dict[str, float] = {}
    for alias in tried:
        wanted = normalize_label(alias)
        for label, text in present.items():
            ratio = difflib.SequenceMatcher(None, wanted, label).ratio()
            if ratio >= _CUTOFF and ratio > scored.get(text, 0.0):
                scored[text] = ratio
    return tuple(sorted(scored, key=lambda t: -scored[t])[:_CLOSEST])
