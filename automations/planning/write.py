"""What ``run planning`` writes into the staff's planning, where they keep it. Pure: the writes are planned.

Two layouts are met. A planning kept one workbook a year (« Planning des
instances 2026.xlsx ») gets next year's workbook, made from this year's with
its rows left out; a planning kept in one sheet for every year gets its new
rows under the others. A planning already started for the year (next year's
workbook there, or sessions of that year in the sheet) is completed: a session
already in it is never written again, and a staff row is never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from fnmatch import fnmatch
from pathlib import Path

from ..domain.service import Service
from ..errors import UserError
from ..registers.mapping import RegisterSpec
from ..registers.reader import Layout
from ..registers.sheet_stream import CellValue
from ..registers.types import normalize_label
from ..registers.writeback import RowAppend
from ..registers.year_copy import NextYearWorkbook
from .draft import DraftedSession

PLANNED = "prevue"
# the planning's columns the tool fills, in the order of a row
_FIELDS = ("number", "committee", "date", "time", "duration_hours", "room", "status")


@dataclass(frozen=True)
class PlanningWrites:
    """Next year's workbook to make, or the rows to add to the sheet that keeps the planning (never both)."""

    new_workbook: NextYearWorkbook | None
    appends: tuple[tuple[Path, RowAppend], ...]
    sessions: tuple[DraftedSession, ...]  # the sessions these writes add
    already: tuple[DraftedSession, ...]  # drafted sessions the planning already holds: not written

    @property
    def idle(self) -> bool:
        return self.new_workbook is None and not self.appends


def planning_writes(service: Service, spec: RegisterSpec, layouts: Sequence[Layout], files: Iterable[Path],
                    drafted: Sequence[DraftedSession], year: int) -> PlanningWrites:
    """The writes that put ``drafted`` (sessions of ``year``) into the planning read as ``layouts``."""
    present = {(normalize_label(s.committee.name), s.date) for s in service.sessions if s.date.year == year}
    already = tuple(s for s in drafted if (normalize_label(s.committee), s.date) in present)
    sessions = tuple(s for s in drafted if (normalize_label(s.committee), s.date) not in present)
    source = _current_layout(service, layouts, year - 1)
    if source is None or not sessions:
        return PlanningWrites(None, (), (), already)
    status = service.words.status(PLANNED)
    target = _next_year_file(source.file, spec, year)
    if target is not None:
        started = next((layout for layout in layouts if layout.file == target), None)
        if started is None and target in set(files):
            raise UserError(f"« {target.name} » : aucune feuille de planning n'y a été lue (feuilles "
                            f"« {', '.join(spec.sheets)} » avec leurs en-têtes) : le planning {year} ne peut pas y "
                            "être complété ; vérifiez le classeur avec « check ».")
        if started is None:
            numbers = _numbers(service, source, len(sessions))
            rows = tuple(_row(spec, source, s, status, n) for s, n in zip(sessions, numbers))
            return PlanningWrites(NextYearWorkbook(source.file, target, source.sheet, source.header_row, year - 1,
                                                   year, rows), (), sessions, already)
        source = started
    numbers = _numbers(service, source, len(sessions))
    appends = tuple((source.file, _append(spec, source, s, status, n)) for s, n in zip(sessions, numbers))
    return PlanningWrites(None, appends, sessions, already)


def _current_layout(service: Service, layouts: Sequence[Layout], year: int) -> Layout | None:
    """The sheet holding this year's sessions (the last of them, when several do)."""
    held = [s.record.source for s in service.sessions if s.date.year == year]
    for source in reversed(held):
        found = next((layout for layout in layouts if (layout.file, layout.sheet) == (source.file, source.sheet)),
                     None)
        if found is not None:
            return found
    return layouts[-1] if layouts else None


def _next_year_file(file: Path, spec: RegisterSpec, year: int) -> Path | None:
    """Next year's workbook, when the file's name carries this year and the mapping reads next year's too."""
    if str(year - 1) not in file.name:
        return None
    target = file.with_name(file.name.replace(str(year - 1), str(year)))
    return target if any(fnmatch(target.name, pattern) for pattern in spec.files) else None


def _numbers(service: Service, layout: Layout, count: int) -> list[int | None]:
    """The sessions' own numbering continued (« N° » 22, 23… after 21), when the sheet numbers them 1, 2, 3…"""
    if "number" not in layout.headers:
        return [None] * count
    typed = [s.record.values.get("number") for s in service.sessions
             if (s.record.source.file, s.record.source.sheet) == (layout.file, layout.sheet)]
    found = [int(n) for n in typed if isinstance(n, (int, float)) or (isinstance(n, str) and n.strip().isdigit())]
    if not found or len(found) != len([n for n in typed if n not in (None, "")]):
        return [None] * count  # « 2026-03 » or any other scheme: left for staff
    return list(range(max(found) + 1, max(found) + 1 + count))


def _row(spec: RegisterSpec, layout: Layout, session: DraftedSession, status: str,
         number: int | None = None) -> tuple[tuple[str, CellValue], ...]:
    values: dict[str, CellValue] = {"number": number,
        "committee": session.committee, "date": session.date,
        "time": _time_typed(session.time) if session.time else None,
        "duration_hours": _number(session.duration_hours) if session.duration_hours else None,
        "room": session.room or None, "status": status}
    return tuple((layout.headers[name], values[name]) for name in _FIELDS
                 if values[name] is not None and name in layout.headers
                 and not (name in spec.fields and spec.fields[name].is_constant))


def _append(spec: RegisterSpec, layout: Layout, session: DraftedSession, status: str,
            number: int | None = None) -> RowAppend:
    values = _row(spec, layout, session, status, number)
    # two committees may meet the same day: in a sheet naming the committee, the row is its date and committee
    also = tuple((header, value) for header, value in values if header == layout.headers.get("committee"))
    return RowAppend(sheet=layout.sheet, header_row=layout.header_row, values=values,
                     unique=(layout.headers["date"], session.date), also=also)


def _time_typed(value: time) -> str:
    """« 8h30 », « 14h »: the way staff type a time in the planning, which the reader reads back."""
    return f"{value.hour}h{value.minute:02d}" if value.minute else f"{value.hour}h"


def _number(value: float) -> CellValue:
    return int(value) if float(value).is_integer() else value
