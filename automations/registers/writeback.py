"""Write status cells and appended rows back into a staff workbook without ever damaging it.

The sheet is read (:mod:`sheet_view`) to find each record's row again and the
row a new record goes to; the surgical writer (:mod:`xlsx_writer`) writes the
cells into a temporary file beside the workbook, every other part of the
package kept byte for byte (images, charts, pivot tables, formula results),
then an atomic replace follows a dated backup. Nothing is written while Excel
(or LibreOffice) holds the file open; a package the writer cannot edit safely
is refused (its values go to the sidecar).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from ..errors import UserError
from .backups import prune, take_backup
from .cell_match import canonical, same, show
from .cells import MAX_ROW, clean_text
from .sheet_view import UNKNOWN, SheetView, read_view
from .types import normalize_label
from .workbook_guard import (GRANT_FOLDER, WorkbookBusy, WorkbookUnsafe, busy, lock_file, refuse_read_only,
                             refuse_read_only_folder, refuse_unwritable, refused, target_of)
from .xlsx_package import PackageRefused
from .xlsx_writer import append_rows, refusal, write_cells

__all__ = ["CellWrite", "RowAppend", "SheetFull", "WorkbookBusy", "WorkbookUnsafe", "WriteOutcome", "apply_writes",
           "lock_file"]

log = logging.getLogger(__name__)


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
    # further (header, value) naming the row with ``unique``: a date shared by two committees' sessions
    also: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        header, value = self.unique
        for other, given in self.values:
            if normalize_label(other) == normalize_label(header) and not same(value, given):
                raise ValueError(f"unique {self.unique!r} contradicts the value {given!r} given for its column")


@dataclass
class WriteOutcome:
    written: list[CellWrite | RowAppend] = field(default_factory=list)
    not_found: list[tuple[CellWrite | RowAppend, str]] = field(default_factory=list)
    backup: Path | None = None


def _labels(write: CellWrite | RowAppend) -> list[str]:
    """The headers a write reads or writes."""
    if isinstance(write, CellWrite):
        return [write.column, *(header for header, _ in write.expect)]
    return [header for header, _ in write.values] + [write.unique[0]] + [header for header, _ in write.also]


class _Sheet:
    """One sheet's view, and what the surgical writer is to write into it."""

    def __init__(self, path: Path, name: str, writes: Sequence[CellWrite | RowAppend]) -> None:
        def wanted(headers: dict[int, dict[str, int]]) -> set[int]:
            return {column for write in writes for label in _labels(write)
                    if (column := headers[write.header_row].get(normalize_label(label))) is not None}

        self.view: SheetView = read_view(path, name, {write.header_row for write in writes}, wanted)
        # for a batch of appends: what a column already holds, and the row the next one goes under
        self._column_values: dict[int, tuple[set[Any], list[Any], bool]] = {}
        self._last: dict[int, int] = {}
        # located cells, and appended rows by row number
        self.cells: dict[tuple[int, int], Any] = {}
        self.appends: dict[int, dict[int, Any]] = {}

    def headers(self, row: int) -> dict[str, int]:
        return self.view.headers[row]

    def value(self, row: int, column: int) -> Any:
        written = self.appends.get(row, {})
        return written[column] if column in written else self.view.value(row, column)

    def rows_below(self, header_row: int) -> list[int]:
        return self.view.rows_below(header_row, self.headers(header_row).values())

    def column_values(self, header_row: int, column: int) -> tuple[set[Any], list[Any], bool]:
        """A column's values below the header: hashable canonical ones, the others, and whether
        an uncomputed formula hides one; read once per save, however many rows are appended."""
        if column not in self._column_values:
            plain: set[Any] = set()
            odd: list[Any] = []
            unknown = False
            for r in self.view.rows_below(header_row, [column]):
                value = self.value(r, column)
                if value is UNKNOWN:
                    unknown = True
                elif isinstance(canonical(value), (str, int, date)):
                    plain.add(canonical(value))
                else:
                    odd.append(value)
            self._column_values[column] = (plain, odd, unknown)
        return self._column_values[column]

    def holds(self, header_row: int, column: int, value: Any) -> bool | None:
        """Whether the column already holds ``value``; None when a formula makes it impossible to say."""
        plain, odd, unknown = self.column_values(header_row, column)
        plain_value = canonical(value)
        if isinstance(plain_value, (str, int, date)) and plain_value in plain or any(same(value, v) for v in odd):
            return True
        return None if unknown else False

    def appended(self, header_row: int, column: int, value: Any, row: int) -> None:
        plain, _, _ = self.column_values(header_row, column)
        plain.add(canonical(value))
        self._last[header_row] = row

    def last_filled_row(self, header_row: int) -> int:
        if header_row not in self._last:
            self._last[header_row] = self.view.last.get(header_row, (0, 0, None))[0]
        return self._last[header_row]


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
        if any(a is not UNKNOWN and not same(v, a) for a, v in values):
            return False
        return None if any(a is UNKNOWN for a, _ in values) else True

    here = verdict(write.row) if write.row > write.header_row else False
    if here:
        return write.row, column
    # staff may have sorted the sheet or inserted rows since it was read
    rows = [r for r in sheet.view.rows_below(write.header_row, [c for c, _ in keys]) if verdict(r)]
    if len(rows) == 1:
        return rows[0], column
    what = ", ".join(f"{h} = {show(v)}" for h, v in write.expect)
    if here is None and not rows:
        return (f"ligne {write.row} impossible à vérifier ({what}) : ses formules n'ont pas été calculées, "
                "ouvrez le classeur dans Excel puis enregistrez-le")
    if not rows:
        return f"ligne introuvable ({what}) : elle a été supprimée ou ses valeurs ont changé"
    return f"plusieurs lignes correspondent ({what}) : impossible de savoir laquelle compléter"


def _fill(sheet: _Sheet, row: int, column: int, value: Any, into: dict[tuple[int, int], Any]) -> str | None:
    """Plan one cell's write; returns why it is left alone, if it is."""
    coordinate = f"{get_column_letter(column)}{row}"
    merged = sheet.view.merged_at(row, column)
    if merged is not None and (merged.min_row, merged.min_col) != (row, column):
        return f"la cellule {coordinate} fait partie de cellules fusionnées : elle n'est pas remplie"
    if (row, column) in sheet.view.formulas:
        return f"la cellule {coordinate} contient une formule : elle n'est pas remplacée"
    # a room named "=..." stays a text: the writer gives it Excel's quote prefix
    into[(row, column)] = clean_text(value) if isinstance(value, str) else value
    return None


class SheetFull(UserError):
    """The register's last row is Excel's last: no row can be appended until staff clear it."""


class _NoRoomBelow(Exception):
    def __init__(self, coordinate: str, value: Any) -> None:
        super().__init__(coordinate)
        self.coordinate, self.value = coordinate, value


def sheet_full(path: Path, sheet: str, coordinate: str, value: Any) -> SheetFull:
    return SheetFull(f"« {path.name} », feuille « {sheet} » : la dernière ligne d'une feuille Excel ({MAX_ROW}) "
                     f"est occupée (cellule {coordinate}, valeur « {value} ») : aucune ligne ne peut être "
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
    if canonical(number) is None:
        return f"« {header} » est vide : impossible de reconnaître la ligne, elle n'est pas ajoutée"
    key = headers[normalize_label(header)]
    there = sheet.holds(write.header_row, key, number)
    if there and write.also:
        keys = [(key, number)]
        for other, value in write.also:
            if normalize_label(other) not in headers:
                return f"colonne « {other} » introuvable à la ligne {write.header_row}"
            keys.append((headers[normalize_label(other)], value))
        there = _row_holds(sheet, write.header_row, keys)
    if there:
        return False
    if there is None:
        # an uncomputed formula could hold this very number: a second row must never be guessed
        return (f"la colonne « {header} » contient des formules qui n'ont pas été calculées : ouvrez le "
                "classeur dans Excel puis enregistrez-le")
    last = max(sheet.last_filled_row(write.header_row), write.header_row)
    row = last + 1
    while blocking := [m.max_row for m in sheet.view.merged if m.min_row <= row <= m.max_row]:
        row = max(blocking) + 1  # a merged cell cannot take a value
    if row > MAX_ROW:
        _, column, value = sheet.view.last[write.header_row]
        raise _NoRoomBelow(f"{get_column_letter(column)}{last}", value)
    planned: dict[tuple[int, int], Any] = {}
    for column, value in sorted(columns.items()):
        reason = _fill(sheet, row, column, value, planned)
        if reason is not None:
            return reason
    # the writer gives the new row its neighbour's styles, borders of the columns left empty included
    sheet.appends[row] = {column: value for (_, column), value in planned.items()}
    sheet.appended(write.header_row, key, number, row)
    return True


def _row_holds(sheet: _Sheet, header_row: int, keys: list[tuple[int, Any]]) -> bool | None:
    """Whether one row holds every (column, value) of ``keys``; None when a formula makes it impossible to say."""
    unknown = False
    for row in [*sheet.rows_below(header_row), *sorted(sheet.appends)]:
        found = [sheet.value(row, column) for column, _ in keys]
        if any(value is UNKNOWN for value in found):
            unknown = True
        elif all(same(wanted, value) for (_, wanted), value in zip(keys, found)):
            return True
    return None if unknown else False


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
    sheets = _load(path, real, writes)
    outcome = WriteOutcome()
    changed = False  # a replayed append alone is done without a save
    for write in writes:
        sheet = sheets.get(write.sheet)
        if sheet is None:
            outcome.not_found.append((write, f"feuille « {write.sheet} » introuvable"))
            continue
        reason: str | None
        if isinstance(write, RowAppend):
            try:
                added = _append(sheet, write)
            except _NoRoomBelow as full:  # nothing is saved: every write of this workbook waits
                raise sheet_full(path, write.sheet, full.coordinate, full.value) from None
            reason = added if isinstance(added, str) else None
            changed = changed or added is True
        else:
            place = _locate(sheet, write)
            reason = place if isinstance(place, str) else _fill(sheet, *place, write.value, sheet.cells)
            changed = changed or reason is None
        if reason is None:
            outcome.written.append(write)
        else:
            outcome.not_found.append((write, reason))
    if changed:
        edits = {name: (sheet.cells, sheet.appends) for name, sheet in sheets.items()}
        outcome.backup = _save(edits, path, backup_dir, now, keep_backups, stamp)
    return outcome


def _load(path: Path, real: Path, writes: Sequence[CellWrite | RowAppend]) -> dict[str, _Sheet]:
    try:
        names = set(CalamineWorkbook.from_path(str(real)).sheet_names)
        return {name: _Sheet(real, name, [w for w in writes if w.sheet == name])
                for name in dict.fromkeys(w.sheet for w in writes) if name in names}
    except (OSError, CalamineError, PasswordError, OverflowError, ValueError) as exc:
        # calamine's words are English and carry the full path: the log keeps them
        log.debug("%s : %s", path.name, exc)
        raise UserError(f"« {path.name} » illisible pour l'écriture du suivi ({_load_problem(exc)}) : enregistrez-le "
                        "de nouveau dans Excel ; le report attend le prochain passage.") from exc


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

