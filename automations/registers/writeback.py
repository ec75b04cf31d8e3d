"""Write status cells back into a staff workbook without ever damaging it.

The workbook is written through a temporary file and an atomic replace, after
a dated backup. Nothing is written while Excel holds the file open (its
``~$`` owner file sits beside it), nor into a workbook holding parts openpyxl
would drop on save (images, charts, pivot tables...).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from ..errors import UserError
from .types import normalize_label

# zip part prefixes openpyxl does not round-trip, with their French names
_DROPPED_PARTS = (
    ("xl/media/", "images"),
    ("xl/charts/", "graphiques"),
    ("xl/chartsheets/", "feuilles de graphique"),
    ("xl/pivotTables/", "tableaux croisés dynamiques"),
    ("xl/pivotCache/", "tableaux croisés dynamiques"),
    ("xl/slicers/", "segments"),
    ("xl/slicerCaches/", "segments"),
    ("xl/timelines/", "chronologies"),
    ("xl/externalLinks/", "liaisons vers d'autres classeurs"),
    ("xl/ctrlProps/", "contrôles de formulaire"),
    ("xl/activeX/", "contrôles ActiveX"),
    ("xl/embeddings/", "objets incorporés"),
)


@dataclass(frozen=True)
class CellWrite:
    sheet: str
    header_row: int  # 1-based row holding the headers, as read
    row: int  # 1-based row where the record was read
    expect: tuple[tuple[str, Any], ...]  # (header, value read) identifying the record
    column: str  # header of the status column to fill
    value: Any


@dataclass
class WriteOutcome:
    written: list[CellWrite] = field(default_factory=list)
    not_found: list[tuple[CellWrite, str]] = field(default_factory=list)
    backup: Path | None = None


class WorkbookBusy(UserError):
    """Excel has the workbook open: the write waits for a later run."""


class WorkbookUnsafe(UserError):
    """Saving with openpyxl would strip parts of this workbook."""


def lock_file(path: Path) -> Path | None:
    # Excel names its owner file "~$" + name, dropping the first two characters of long names.
    for name in (f"~${path.name}", f"~${path.name[2:]}"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def unsafe_parts(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return []  # an unreadable file is refused by openpyxl itself, with its own message
    found: list[str] = []
    for prefix, label in _DROPPED_PARTS:
        if any(n.startswith(prefix) for n in names) and label not in found:
            found.append(label)
    return found


def _busy(path: Path, lock: Path) -> WorkbookBusy:
    return WorkbookBusy(f"« {path.name} » est ouvert dans Excel (fichier « {lock.name} ») : "
                        "écriture reportée au prochain passage.")


def _same(expected: Any, actual: Any) -> bool:
    return _canonical(expected) == _canonical(actual)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                pass
        return normalize_label(text)
    return value


def _locate(ws: Any, write: CellWrite) -> tuple[int | None, int | None, str]:
    headers = {normalize_label(str(c.value)): c.column for c in ws[write.header_row] if c.value is not None}
    column = headers.get(normalize_label(write.column))
    if column is None:
        return None, None, f"colonne « {write.column} » introuvable à la ligne {write.header_row}"
    keys = [(headers.get(normalize_label(h)), v) for h, v in write.expect]
    if any(c is None for c, _ in keys):
        return None, None, "colonnes d'identification introuvables"

    def matches(row: int) -> bool:
        return all(_same(v, ws.cell(row=row, column=c).value) for c, v in keys)

    if write.row > write.header_row and matches(write.row):
        return write.row, column, ""
    # staff may have sorted the sheet or inserted rows since it was read
    rows = [r for r in range(write.header_row + 1, ws.max_row + 1) if matches(r)]
    if len(rows) == 1:
        return rows[0], column, ""
    what = ", ".join(f"{h} = {v}" for h, v in write.expect)
    if not rows:
        return None, None, f"ligne introuvable ({what}) : elle a été supprimée ou modifiée"
    return None, None, f"plusieurs lignes correspondent ({what})"


def apply_writes(path: Path, writes: Sequence[CellWrite], *, backup_dir: Path, now: datetime,
                 keep_backups: int = 10) -> WriteOutcome:
    lock = lock_file(path)
    if lock is not None:
        raise _busy(path, lock)
    parts = unsafe_parts(path)
    if parts:
        raise WorkbookUnsafe(f"« {path.name} » contient des éléments que l'écriture ferait perdre "
                             f"({', '.join(parts)}) : aucune écriture dans ce classeur.")
    keep_vba = path.suffix.lower() == ".xlsm"
    try:
        workbook = openpyxl.load_workbook(path, keep_vba=keep_vba, keep_links=True, rich_text=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UserError(f"« {path.name} » illisible pour l'écriture du suivi : {exc}") from exc
    outcome = WriteOutcome()
    for write in writes:
        if write.sheet not in workbook.sheetnames:
            outcome.not_found.append((write, f"feuille « {write.sheet} » introuvable"))
            continue
        ws = workbook[write.sheet]
        row, column, reason = _locate(ws, write)
        if row is None or column is None:
            outcome.not_found.append((write, reason))
            continue
        cell = ws.cell(row=row, column=column)
        previous = cell.number_format
        cell.value = write.value  # openpyxl sets an ISO format of its own on dates
        if isinstance(write.value, (date, datetime)):
            cell.number_format = "DD/MM/YYYY" if previous == "General" else previous
        outcome.written.append(write)
    if outcome.written:
        outcome.backup = _save(workbook, path, backup_dir, now, keep_backups)
    workbook.close()
    return outcome


def _save(workbook: Any, path: Path, backup_dir: Path, now: datetime, keep: int) -> Path:
    backup_dir.mkdir(parents=True, exist_ok=True)
    backup = backup_dir / f"{path.stem}.{now.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    shutil.copy2(path, backup)
    temp = path.with_name(f".{path.stem}.ecriture{path.suffix}")
    try:
        workbook.save(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        lock = lock_file(path)
        if lock is not None:  # Excel opened it while we were writing
            raise _busy(path, lock)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    _prune(backup_dir, path, keep)
    return backup


def _prune(backup_dir: Path, path: Path, keep: int) -> None:
    copies = sorted(backup_dir.glob(f"{path.stem}.[0-9]*{path.suffix}"))
    for old in copies[:-keep] if keep > 0 else copies:
        old.unlink(missing_ok=True)
