"""The follow-up of a register the tool must not save, in a workbook of its own beside it.

A register holding charts, images or pivot tables would lose them if openpyxl
saved it. Its status cells and rows then go into « <register> – suivi à
reporter.xlsx », rebuilt whole from the journal at each run: staff copy them
by hand, and the register itself is never touched.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .cells import put
from .workbook_guard import busy, lock_file
from .writeback import CellWrite, RowAppend
from ..french import plural
from ..scratch import make_file

SUFFIX = " – suivi à reporter.xlsx"
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_CELL_HEADERS = ("Noté le", "Feuille", "Ligne", "Repère de la ligne", "Colonne", "À inscrire")


@dataclass(frozen=True)
class SidecarEntry:
    noted: datetime  # when the action asked for the write
    write: CellWrite | RowAppend


def sidecar_path(register: Path) -> Path:
    return register.with_name(register.stem + SUFFIX)


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


def write_sidecar(register: Path, entries: Sequence[SidecarEntry], reason: str) -> Path:
    """Write the whole follow-up of ``register`` beside it; refuses while staff have it open."""
    target = sidecar_path(register)
    lock = lock_file(target)
    if lock is not None:
        raise busy(target, lock)
    workbook = Workbook()
    cells = workbook.active
    cells.title = "Cellules à remplir"
    _intro(cells, register, reason, len(_CELL_HEADERS))
    _table(cells, _CELL_HEADERS, [_cell_row(e) for e in entries if isinstance(e.write, CellWrite)])
    rows = [e for e in entries if isinstance(e.write, RowAppend)]
    if rows:
        appended = workbook.create_sheet("Lignes à ajouter")
        headers = list(dict.fromkeys(h for e in rows for h, _ in e.write.values))  # type: ignore[union-attr]
        _intro(appended, register, reason, len(headers) + 2)
        _table(appended, ("Noté le", "Feuille", *headers), [_append_row(e, headers) for e in rows])
    _save(workbook, target)
    return target


def _intro(sheet: Worksheet, register: Path, reason: str, width: int) -> None:
    put(sheet.cell(1, 1), f"À reporter à la main dans « {register.name} »").font = Font(bold=True, size=13)
    put(sheet.cell(2, 1), f"L'outil n'enregistre pas ce classeur : {reason}. Ce fichier est refait à chaque "
                          "passage ; une fois les valeurs recopiées, il peut être supprimé.")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(width, 1))
    sheet.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[2].height = 32


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    for column, title in enumerate(headers, start=1):
        cell = put(sheet.cell(4, column), title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for offset, values in enumerate(rows, start=5):
        for column, value in enumerate(values, start=1):
            cell = put(sheet.cell(offset, column), value)
            if isinstance(value, datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
    for column, title in enumerate(headers, start=1):
        longest = max([len(title)] + [len(_shown(r[column - 1])) for r in rows if column - 1 < len(r)])
        sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 10), 60)
    sheet.freeze_panes = "A5"


def _shown(value: Any) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y") if isinstance(value, date) else str(value)


def _cell_row(entry: SidecarEntry) -> list[Any]:
    write = entry.write
    assert isinstance(write, CellWrite)
    marks = " ; ".join(f"{header} : {_shown(value)}" for header, value in write.expect)
    return [entry.noted.replace(tzinfo=None), write.sheet, write.row, marks, write.column, write.value]


def _append_row(entry: SidecarEntry, headers: Sequence[str]) -> list[Any]:
    write = entry.write
    assert isinstance(write, RowAppend)
    values = dict(write.values)
    return [entry.noted.replace(tzinfo=None), write.sheet, *(values.get(h) for h in headers)]


def _save(workbook: Workbook, target: Path) -> None:
    # written beside and swapped in, so staff never open a half-written file
    handle, name = make_file(target.parent, ".suivi", ".xlsx")  # a killed writer's copy goes next time
    os.close(handle)
    temp = Path(name)
    try:
        workbook.save(temp)
        try:
            os.replace(temp, target)
        except PermissionError as exc:  # Windows: the file is open in Excel
            raise busy(target, None, "est utilisé par un autre programme ou protégé en écriture") from exc
    finally:
        temp.unlink(missing_ok=True)


def backlog_lines(backlog: list[tuple[str, str, int, str | None]]) -> list[str]:
    """French lines for ``Journal.write_backlog``: what the registers still lack, and where it is."""
    lines = []
    for workbook, status, count, error in backlog:
        path = Path(workbook)
        if status == "sidecar":
            lines.append(f"« {path.name} » : {plural(count, 'valeur', 'valeurs')} à reporter à la main, "
                         f"listées dans « {sidecar_path(path).name} » (l'outil n'enregistre pas ce classeur).")
        else:
            why = f" {error}" if error else ""
            lines.append(f"« {path.name} » : {plural(count, 'report', 'reports')} en attente.{why}")
    return lines
