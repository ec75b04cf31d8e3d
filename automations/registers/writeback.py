"""Write status cells and appended rows back into a staff workbook without ever damaging it.

openpyxl reads the workbook to find the rows and decide the cells; the
surgical writer (:mod:`xlsx_writer`) writes them into a temporary file beside
the workbook, every other part of the package kept byte for byte (images,
charts, pivot tables, formula results), then an atomic replace follows a dated
backup. Nothing is written while Excel (or LibreOffice) holds the file open; a
package the writer cannot edit safely is refused (its values go to the sidecar).
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import UserError
from .types import normalize_label
from .backups import prune, take_backup
from .cells import MAX_ROW, put
from .workbook_guard import (GRANT_FOLDER, WorkbookBusy, WorkbookUnsafe, busy, lock_file, refuse_read_only,
                             refuse_read_only_folder, refuse_unwritable, refused, target_of, unsafe_parts)
from .xlsx_package import PackageRefused
from .xlsx_writer import append_rows, refusal, write_cells

__all__ = ["CellWrite", "RowAppend", "SheetFull", "WorkbookBusy", "WorkbookUnsafe", "WriteOutcome", "apply_writes",
           "lock_file", "unsafe_parts"]

log = logging.getLogger(__name__)
_TEXT_DATES = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S")
_UNKNOWN = object()  # a formula whose result was never computed: neither match nor mismatch
# openpyxl's warning for a date or duration cell whose number no date can be
_NOT_A_DATE = re.compile(r"Cell ([A-Z]+\d+) is marked as a date but the serial value")


@dataclass(frozen=True)
class CellWrite:
    sheet: str
    header_row: int  # 1-based row holding the headers, as read
    row: int  # 1-based row where the record was read
    expect: tuple[tuple[str, Any], ...]  # (header, value read) identifying the record
    column: str  # header of the status column to fill
    value: Any


@dataclass(frozen=True)
class RowAppend:
    sheet: str
    header_row: int  # 1-based row holding the headers
    values: tuple[tuple[str, Any], ...]  # (header, value) of the new row's cells
    # (header, value) naming the row once written: an append replayed after a crash must not add it twice
    unique: tuple[str, Any]

    def __post_init__(self) -> None:
        header, value = self.unique
        for other, given in self.values:
            if normalize_label(other) == normalize_label(header) and not _same(value, given):
                raise ValueError(f"unique {self.unique!r} contradicts the value {given!r} given for its column")


@dataclass
class WriteOutcome:
    written: list[CellWrite | RowAppend] = field(default_factory=list)
    not_found: list[tuple[CellWrite | RowAppend, str]] = field(default_factory=list)
    backup: Path | None = None


def _canonical(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None  # calamine reads an empty cell as "", openpyxl as None
    if isinstance(value, datetime):
        # two readers may round a day fraction differently below the second
        rounded = (value + timedelta(microseconds=500_000)).replace(microsecond=0, tzinfo=None)
        return rounded.date() if rounded.time() == time() else rounded
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = " ".join(value.split())
        for pattern in _TEXT_DATES:
            try:
                return _canonical(datetime.strptime(text, pattern))
            except ValueError:
                pass
        return normalize_label(text)
    return value


def _same(expected: Any, actual: Any) -> bool:
    a, b = _canonical(expected), _canonical(actual)
    if isinstance(a, date) and isinstance(b, date) and isinstance(a, datetime) != isinstance(b, datetime):
        # a day typed without a time and the same day with one are the same record
        return (a.date() if isinstance(a, datetime) else a) == (b.date() if isinstance(b, datetime) else b)
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9)
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, date):
        with_time = isinstance(value, datetime) and value.time() != time()
        return value.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    return "(vide)" if value is None or value == "" else str(value)


class _Sheet:
    """Looks cells up without creating them: openpyxl adds every cell it is asked for."""

    def __init__(self, ws: Worksheet, cached: Callable[[], Workbook]) -> None:
        self.ws = ws
        self._cached = cached
        self._headers: dict[int, dict[str, int]] = {}
        # for a batch of appends: what a column already holds, and the row the next one goes under
        self._column_values: dict[tuple[int, int], tuple[set[Any], list[Any], bool]] = {}
        self._last: int | None = None
        # what the surgical writer is to write: located cells, and appended rows by row number
        self.cells: dict[tuple[int, int], Any] = {}
        self.appends: dict[int, dict[int, Any]] = {}

    def column_values(self, header_row: int, column: int) -> tuple[set[Any], list[Any], bool]:
        """A column's values below the header: hashable canonical ones, the others, and whether
        an uncomputed formula hides one; read once per save, however many rows are appended."""
        key = (header_row, column)
        if key not in self._column_values:
            plain: set[Any] = set()
            odd: list[Any] = []
            unknown = False
            for r in self.rows_below(header_row):
                value = self.value(r, column)
                if value is _UNKNOWN:
                    unknown = True
                elif isinstance(_canonical(value), (str, int, date)):
                    plain.add(_canonical(value))
                else:
                    odd.append(value)
            self._column_values[key] = (plain, odd, unknown)
        return self._column_values[key]

    def holds(self, header_row: int, column: int, value: Any) -> bool | None:
        """Whether the column already holds ``value``; None when a formula makes it impossible to say."""
        plain, odd, unknown = self.column_values(header_row, column)
        canonical = _canonical(value)
        if isinstance(canonical, (str, int, date)) and canonical in plain or any(_same(value, v) for v in odd):
            return True
        return None if unknown else False

    def appended(self, header_row: int, column: int, value: Any, row: int) -> None:
        plain, _, _ = self.column_values(header_row, column)
        plain.add(_canonical(value))
        self._last = row

    def last_filled_row(self, header_row: int) -> int:
        if self._last is None:
            self._last = _last_filled_row(self.ws, set(self.headers(header_row).values()))
        return self._last

    def value(self, row: int, column: int) -> Any:
        cell = self.ws._cells.get((row, column))
        if cell is None:
            return None
        if cell.data_type != "f":
            return cell.value
        # the register was read from the values Excel last computed, not from the formulas
        ws = self._cached()[self.ws.title]
        computed = ws._cells.get((row, column))
        return _UNKNOWN if computed is None or computed.value is None else computed.value

    def headers(self, row: int) -> dict[str, int]:
        if row not in self._headers:
            found: dict[str, int] = {}
            for (r, c), cell in sorted(self.ws._cells.items()):
                if r == row and cell.value is not None and cell.data_type != "f":
                    found.setdefault(normalize_label(str(cell.value)), c)  # the first one, as the reader does
            for merged in self.ws.merged_cells.ranges:
                # a header merged down over two rows names its column on both, as the reader reads it
                top = self.ws._cells.get((merged.min_row, merged.min_col))
                if merged.min_row < row <= merged.max_row and top is not None and top.value is not None:
                    found.setdefault(normalize_label(str(top.value)), merged.min_col)
            self._headers[row] = found
        return self._headers[row]

    def rows_below(self, row: int) -> list[int]:
        return sorted({r for r, _ in self.ws._cells if r > row})


def _locate(sheet: _Sheet, write: CellWrite) -> tuple[int, int] | str:
    headers = sheet.headers(write.header_row)
    column = headers.get(normalize_label(write.column))
    if column is None:
        return f"colonne « {write.column} » introuvable à la ligne {write.header_row}"
    if not write.expect:
        return "aucune valeur ne permet de vérifier la ligne : elle n'est pas complétée"
    keys: list[tuple[int, Any]] = []
    for header, expected in write.expect:
        if normalize_label(header) not in headers:
            return f"colonne « {header} » qui identifie la ligne introuvable à la ligne {write.header_row}"
        keys.append((headers[normalize_label(header)], expected))

    def verdict(row: int) -> bool | None:
        # an unverifiable key could hide another record sorted into this row: never guess
        values = [(sheet.value(row, c), v) for c, v in keys]
        if any(a is not _UNKNOWN and not _same(v, a) for a, v in values):
            return False
        return None if any(a is _UNKNOWN for a, _ in values) else True

    here = verdict(write.row) if write.row > write.header_row else False
    if here:
        return write.row, column
    # staff may have sorted the sheet or inserted rows since it was read
    rows = [r for r in sheet.rows_below(write.header_row) if verdict(r)]
    if len(rows) == 1:
        return rows[0], column
    what = ", ".join(f"{h} = {_show(v)}" for h, v in write.expect)
    if here is None and not rows:
        return (f"ligne {write.row} impossible à vérifier ({what}) : ses formules n'ont pas été calculées, "
                "ouvrez le classeur dans Excel puis enregistrez-le")
    if not rows:
        return f"ligne introuvable ({what}) : elle a été supprimée ou ses valeurs ont changé"
    return f"plusieurs lignes correspondent ({what}) : impossible de savoir laquelle compléter"


def _fill(ws: Worksheet, row: int, column: int, value: Any) -> str | None:
    """Write one cell; returns why it was left alone, if it was."""
    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        return f"la cellule {cell.coordinate} fait partie de cellules fusionnées : elle n'est pas remplie"
    if cell.data_type == "f":
        return f"la cellule {cell.coordinate} contient une formule : elle n'est pas remplacée"
    previous = cell.number_format
    put(cell, value)  # a room named "=..." is text, never a formula to run
    if isinstance(value, date):
        # keep a date format staff chose; a General, text or number format would show a serial number
        with_time = isinstance(value, datetime) and value.time() != time()
        cell.number_format = previous if is_date_format(previous) else (
            "DD/MM/YYYY HH:MM" if with_time else "DD/MM/YYYY")
    return None


def _last_filled_row(ws: Worksheet, columns: set[int]) -> int:
    # ws.max_row counts rows staff only formatted in advance, and a note typed far below, beside the
    # register's columns, is not one of its rows: the new row goes right after the register's own data
    return max((r for (r, c), cell in ws._cells.items() if c in columns and cell.value is not None
                and cell.value != ""), default=0)


class SheetFull(UserError):
    """The register's last row is Excel's last: no row can be appended until staff clear it."""


class _NoRoomBelow(Exception):
    def __init__(self, cell: Cell) -> None:
        super().__init__(cell.coordinate)
        self.cell = cell


def _blocking_cell(ws: Worksheet, row: int, columns: set[int]) -> Cell:
    return next(ws._cells[(row, c)] for c in sorted(columns) if (row, c) in ws._cells
                and ws._cells[(row, c)].value not in (None, ""))


def sheet_full(path: Path, sheet: str, cell: Cell) -> SheetFull:
    return SheetFull(f"« {path.name} », feuille « {sheet} » : la dernière ligne d'une feuille Excel ({MAX_ROW}) "
                     f"est occupée (cellule {cell.coordinate}, valeur « {cell.value} ») : aucune ligne ne peut être "
                     "ajoutée au registre ; effacez cette cellule, les ajouts attendent le prochain passage.")


def _append(sheet: _Sheet, write: RowAppend) -> bool | str:
    """Add the row; True when added, False when a replay finds it already there, else why not."""
    headers = sheet.headers(write.header_row)
    cells = dict(write.values)
    if not any(normalize_label(h) == normalize_label(write.unique[0]) for h in cells):
        cells[write.unique[0]] = write.unique[1]  # written too, or a replay could not find the row
    columns: dict[int, Any] = {}
    for header, value in cells.items():
        column = headers.get(normalize_label(header))
        if column is None:
            return f"colonne « {header} » introuvable à la ligne {write.header_row}"
        columns[column] = value
    header, number = write.unique
    if _canonical(number) is None:
        return f"« {header} » est vide : impossible de reconnaître la ligne, elle n'est pas ajoutée"
    key = headers[normalize_label(header)]
    there = sheet.holds(write.header_row, key, number)
    if there:
        return False
    if there is None:
        # an uncomputed formula could hold this very number: a second row must never be guessed
        return (f"la colonne « {header} » contient des formules qui n'ont pas été calculées : ouvrez le "
                "classeur dans Excel puis enregistrez-le")
    ws = sheet.ws
    last = max(sheet.last_filled_row(write.header_row), write.header_row)
    row = last + 1
    while blocking := [m.max_row for m in ws.merged_cells.ranges if m.min_row <= row <= m.max_row]:
        row = max(blocking) + 1  # a merged cell cannot take a value
    if row > MAX_ROW:
        # openpyxl would refuse the row with a ValueError: say which cell stands in the way instead
        raise _NoRoomBelow(_blocking_cell(ws, last, set(headers.values())))
    if last > write.header_row:
        # the new row looks like its neighbours, including borders of the columns left empty
        for c in range(1, ws.max_column + 1):
            source = ws._cells.get((last, c))
            if source is not None and source.has_style:
                ws.cell(row=row, column=c)._style = copy(source._style)
    for column, value in sorted(columns.items()):
        reason = _fill(ws, row, column, value)
        if reason is not None:
            return reason
    sheet.appends[row] = {column: _stored(ws, row, column) for column in columns}
    sheet.appended(write.header_row, key, number, row)
    _extend_tables(ws, write.header_row, row)
    return True


def _extend_tables(ws: Worksheet, header_row: int, row: int) -> None:
    # Excel grows a table when staff type under it; openpyxl does not, and a row outside the
    # table escapes its filters, sorting and banding.
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        if min_row != header_row or max_row != row - 1 or table.totalsRowCount:
            continue  # under a totals row the new row would turn the totals into data
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{row}"
        if table.autoFilter is not None and table.autoFilter.ref:
            low, _, high, _ = range_boundaries(table.autoFilter.ref)
            table.autoFilter.ref = f"{get_column_letter(low)}{min_row}:{get_column_letter(high)}{row}"


def apply_writes(path: Path, writes: Sequence[CellWrite | RowAppend], *, backup_dir: Path, now: datetime,
                 keep_backups: int = 10) -> WriteOutcome:
    real = target_of(path)  # what staff see is ``path``; a link is written through to its workbook
    lock = _lock(path, real)
    if lock is not None:
        raise busy(path, lock)
    refuse_unwritable(path)
    refuse_read_only(path)
    refuse_read_only_folder(path)
    for name in dict.fromkeys(w.sheet for w in writes):
        why = refusal(real, name)  # a sheet missing is said per write below, as before
        if why is not None and "introuvable" not in why:
            raise refused(path, why)
    stamp = _stamp(real)
    workbook = _load(real)
    cache: list[Workbook] = []  # the computed values, loaded only if a key is a formula

    def cached() -> Workbook:
        cache[:] = cache or [openpyxl.load_workbook(real, data_only=True)]
        return cache[0]

    outcome = WriteOutcome()
    sheets: dict[str, _Sheet] = {}
    changed = False  # a replayed append alone is done without a save
    try:
        for write in writes:
            if write.sheet not in workbook.sheetnames:
                outcome.not_found.append((write, f"feuille « {write.sheet} » introuvable"))
                continue
            sheet = sheets.setdefault(write.sheet, _Sheet(workbook[write.sheet], cached))
            reason: str | None
            if isinstance(write, RowAppend):
                try:
                    added = _append(sheet, write)
                except _NoRoomBelow as full:  # nothing is saved: every write of this workbook waits
                    raise sheet_full(path, write.sheet, full.cell) from None
                reason = added if isinstance(added, str) else None
                changed = changed or added is True
            else:
                place = _locate(sheet, write)
                reason = place if isinstance(place, str) else _fill(sheet.ws, *place, write.value)
                if reason is None and not isinstance(place, str):
                    sheet.cells[place] = _stored(sheet.ws, *place)
                changed = changed or reason is None
            if reason is None:
                outcome.written.append(write)
            else:
                outcome.not_found.append((write, reason))
        if changed:
            edits = {name: (sheet.cells, sheet.appends) for name, sheet in sheets.items()}
            outcome.backup = _save(edits, path, backup_dir, now, keep_backups, stamp)
    finally:
        for opened in (workbook, *cache):
            opened.close()
    return outcome


def _load(path: Path) -> Workbook:
    keep_vba = path.suffix.lower() in (".xlsm", ".xltm")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            workbook = openpyxl.load_workbook(path, keep_vba=keep_vba, keep_links=True, rich_text=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, InvalidFileException) as exc:
        # openpyxl's words are English, several lines long and carry the full path: the log keeps them
        log.debug("%s : %s", path.name, exc)
        raise UserError(f"« {path.name} » illisible pour l'écriture du suivi ({_load_problem(exc)}) : enregistrez-le "
                        "de nouveau dans Excel ; le report attend le prochain passage.") from exc
    absurd = [m[1] for w in caught if (m := _NOT_A_DATE.search(str(w.message)))]
    if absurd:
        # openpyxl turns such a cell into #VALUE!, which saving would write over the number staff typed
        workbook.close()
        cells, fix = ((f"la cellule {absurd[0]} contient", "corrigez-la") if len(absurd) == 1
                      else (f"les cellules {', '.join(absurd)} contiennent", "corrigez-les"))
        raise UserError(f"« {path.name} » : {cells} un nombre au format date ou durée qu'aucune date ne peut être, "
                        f"que l'écriture changerait en #VALUE! : {fix} ; le report attend le prochain passage.")
    return workbook


def _load_problem(exc: Exception) -> str:
    causes = f"{type(exc).__name__} {type(exc.__cause__).__name__} {exc}"
    if "Entit" in causes or "DTD" in causes:
        return "déclarations d'entités XML, qu'aucun classeur Excel ne contient"
    return "contenu que l'outil ne sait pas relire, comme un nombre invalide ou du XML abîmé"


def _stamp(path: Path) -> tuple[int, int]:
    return path.stat().st_mtime_ns, path.stat().st_size


def _lock(path: Path, real: Path) -> Path | None:
    # Excel opened through the link leaves its owner file beside the link; opened directly, beside the workbook
    return lock_file(path) or (lock_file(real) if real != path else None)


_Edits = dict[str, tuple[dict[tuple[int, int], Any], dict[int, dict[int, Any]]]]


def _stored(ws: Worksheet, row: int, column: int) -> Any:
    # the value as _fill left it: text cleaned of what the format cannot hold
    return ws._cells[(row, column)].value


def _save(edits: _Edits, path: Path, backup_dir: Path, now: datetime, keep: int,
          stamp: tuple[int, int]) -> Path:
    real = target_of(path)
    try:
        return _replace(edits, path, real, backup_dir, now, keep, stamp)
    except PackageRefused as exc:  # found while streaming the sheet: nothing was replaced
        raise refused(path, exc.message) from exc
    except OSError as exc:  # a read-only share, a full disk: nothing was replaced, the writes wait
        folder = Path(exc.filename).parent if exc.filename else real.parent
        raise UserError(f"« {path.name} » : l'outil ne peut pas écrire dans le dossier « {folder.name} » "
                        f"({exc.strerror or exc or type(exc).__name__}) : le suivi attend le prochain passage ; "
                        f"{GRANT_FOLDER}.") from exc


def _replace(edits: _Edits, path: Path, real: Path, backup_dir: Path, now: datetime, keep: int,
             stamp: tuple[int, int]) -> Path:
    """Save beside the workbook itself (the link's target), then replace it atomically; the link stays a link."""
    backup, made_backup = take_backup(real, backup_dir, now)
    for leftover in _leftovers(real):  # of a save killed before its rename: never a workbook staff see
        leftover.unlink(missing_ok=True)
    temp: Path | None = None
    replaced = False
    try:
        # each sheet's cells, then its rows, go from one temporary package into the next
        for sheet, (cells, rows) in edits.items():
            for write, content in ((write_cells, cells), (append_rows, rows)):
                if not content:
                    continue
                handle, name = tempfile.mkstemp(prefix=f".{real.stem}.", suffix=real.suffix, dir=real.parent)
                os.close(handle)
                source, temp = temp, Path(name)
                try:
                    write(source or real, temp, sheet, content)
                finally:
                    if source is not None:
                        source.unlink(missing_ok=True)
        if temp is None:
            return backup
        with open(temp, "rb+") as stream:  # Windows only flushes handles opened for writing
            os.fsync(stream.fileno())
        if os.name == "posix":
            shutil.copymode(real, temp)
        lock = _lock(path, real)  # staff may have opened or saved it while we were writing
        if lock is not None or _stamp(real) != stamp:
            raise busy(path, lock, "a été modifié pendant l'écriture")
        try:
            os.replace(temp, real)
        except PermissionError as exc:  # Windows refuses to replace a file another program holds
            raise busy(path, None, "est utilisé par un autre programme ou protégé en écriture") from exc
        replaced = True
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
        if not replaced and made_backup:
            backup.unlink(missing_ok=True)  # the original is untouched: its copy is noise
    prune(backup_dir, real, keep)
    return backup


def _leftovers(path: Path) -> list[Path]:
    """Temporary copies of ``path`` as ``_save`` names them (``mkstemp``: eight random characters)."""
    own = re.compile(re.escape(f".{path.stem}.") + r"[a-z0-9_]{8}" + re.escape(path.suffix) + "$")
    return [p for p in path.parent.iterdir() if own.match(p.name)]

