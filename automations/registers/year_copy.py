"""Next year's workbook made from this year's, as staff would by « Enregistrer sous » then clearing the rows.

The package is copied part by part (:mod:`xlsx_package`): styles, widths,
validations, conditional formats, comments, images and every other sheet stay
as they are. In the planning's sheet the title rows keep their cells with the
year changed, the header row is kept, this year's rows are left out
(:mod:`sheet_stream`) and the new rows follow the header, styled like the first
row left out. The sheet's name, its table and its filter follow the year.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

from lxml import etree
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

from ..errors import UserError
from ..scratch import make_file
from . import sheet_stream
from .sheet_stream import CellRefused, CellValue, SheetEdit
from .types import normalize_label
from .workbook_guard import GRANT_FOLDER, refuse_read_only_folder
from .writeback import RowAppend, WriteOutcome, apply_writes
from .xlsx_package import (
    PARSER,
    PackageRefused,
    Replacement,
    copy_package,
    locate,
    opened,
    xml_bytes,
)
from .xlsx_styles import Styles

_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s+ref="([^"]*)"\s*/>')
_MERGE_COUNT = re.compile(rb'(<(?:[\w.-]+:)?mergeCells\b[^>]*?\scount=")(\d+)(")')
_FILTER = re.compile(rb'(<(?:[\w.-]+:)?autoFilter\b[^>]*?\sref=")([^"]*)(")')
_APP_PART = "docProps/app.xml"


@dataclass(frozen=True)
class NextYearWorkbook:
    """``target`` made from ``source``: ``sheet``'s rows below ``header_row`` replaced by ``rows``."""

    source: Path
    target: Path
    sheet: str
    header_row: int
    year_from: int
    year_to: int
    rows: tuple[tuple[tuple[str, CellValue], ...], ...]  # each new row: (header, value) of its cells

    @property
    def new_sheet(self) -> str:
        return self.sheet.replace(str(self.year_from), str(self.year_to))


def write_year(new: NextYearWorkbook | None, appends: Sequence[tuple[Path, RowAppend]], *, backup_dir: Path,
               now: datetime) -> list[WriteOutcome]:
    """Make next year's workbook, or add the rows to each workbook (after its dated backup)."""
    if new is not None:
        make_next_year(new)
    by_file: dict[Path, list[RowAppend]] = {}
    for path, append in appends:
        by_file.setdefault(path, []).append(append)
    return [apply_writes(path, writes, backup_dir=backup_dir, now=now) for path, writes in by_file.items()]


def make_next_year(plan: NextYearWorkbook) -> None:
    """Write ``plan.target``; never over an existing file, never half a workbook (atomic rename)."""
    if plan.target.exists():
        raise UserError(f"« {plan.target.name} » existe déjà : le planning {plan.year_to} y est complété, "
                        "pas recréé.")
    refuse_read_only_folder(plan.target)
    titles, columns = _top_rows(plan)
    cells: dict[int, dict[int, CellValue]] = {row: dict(values) for row, values in titles.items()}
    for offset, values in enumerate(plan.rows, 1):
        row: dict[int, CellValue] = {}
        for header, value in values:
            column = columns.get(normalize_label(header))
            if column is None:
                raise UserError(f"« {plan.source.name} », feuille « {plan.sheet} » : colonne « {header} » "
                                f"introuvable à la ligne {plan.header_row}")
            row[column] = value
        cells[plan.header_row + offset] = row
    last = plan.header_row + max(len(plan.rows), 1)
    # named after this process: a copy left by a killed run is removed by the next one
    handle, temp = make_file(plan.target.parent, f".{plan.target.stem}", ".xlsx")
    os.close(handle)
    try:
        _copy(plan, temp, cells, last)
        shutil.copymode(plan.source, temp)  # a temporary file is private: the new workbook is shared as the old
        os.replace(temp, plan.target)
    except PackageRefused as exc:
        raise UserError(f"« {plan.target.name} » n'a pas pu être créé : {exc.message}") from exc
    except OSError as exc:
        raise UserError(f"« {plan.target.name} » n'a pas pu être créé ({exc.strerror or exc}) ; "
                        f"{GRANT_FOLDER}.") from exc
    finally:
        temp.unlink(missing_ok=True)


def _top_rows(plan: NextYearWorkbook) -> tuple[dict[int, dict[int, str]], dict[str, int]]:
    """The title cells naming this year, with the next one instead, and the header's columns by label."""
    # read-only openpyxl only reads: the workbook is never saved by it
    book = load_workbook(plan.source, read_only=True, data_only=True)
    try:
        if plan.sheet not in book.sheetnames:
            raise UserError(f"« {plan.source.name} » : feuille « {plan.sheet} » introuvable")
        titles: dict[int, dict[int, str]] = {}
        columns: dict[str, int] = {}
        for cells in book[plan.sheet].iter_rows(min_row=1, max_row=plan.header_row):
            for cell in cells:
                value, row, column = cell.value, getattr(cell, "row", None), getattr(cell, "column", None)
                if not isinstance(value, str) or row is None or column is None:
                    continue
                if row == plan.header_row:
                    columns.setdefault(normalize_label(value), column)
                elif str(plan.year_from) in value:
                    titles.setdefault(row, {})[column] = value.replace(str(plan.year_from), str(plan.year_to))
        return titles, columns
    finally:
        book.close()


def _copy(plan: NextYearWorkbook, path_out: Path, cells: dict[int, dict[int, CellValue]], last: int) -> None:
    header = plan.header_row
    with opened(plan.source) as archive:
        parts = locate(archive, plan.source, plan.sheet)
        styles = Styles(archive.read(parts.styles) if parts.styles else None)
        replaced: dict[str, Replacement] = {}
        for table in parts.tables:
            root = etree.fromstring(archive.read(table), PARSER)
            root.set("ref", _rows_to(root.get("ref", ""), header, last))
            for node in root.iter(f"{{{root.nsmap.get(None, '')}}}autoFilter"):
                node.set("ref", _rows_to(node.get("ref", ""), header, last))
            replaced[table] = xml_bytes(root)
        edit = SheetEdit(cells=cells, styles=styles, date1904=parts.date1904,
                         dimension=lambda ref: _rows_to(ref, 1, last), tail=lambda tail: _tail(tail, header, last),
                         keep_through=header)
        with tempfile.TemporaryFile() as sheet_xml:
            try:
                with archive.open(parts.sheet) as source:
                    sheet_stream.rewrite(source, sheet_xml, edit)
            except (CellRefused, LookupError, etree.XMLSyntaxError) as exc:
                raise PackageRefused(f"feuille « {plan.sheet} » : {exc}") from exc
            replaced[parts.sheet] = partial(_copy_stream, sheet_xml)
            if styles.changed and parts.styles:
                replaced[parts.styles] = styles.content()
            if plan.new_sheet != plan.sheet:
                replaced[parts.workbook] = _renamed(archive.read(parts.workbook), plan.sheet, plan.new_sheet)
                if _APP_PART in archive.NameToInfo:
                    replaced[_APP_PART] = archive.read(_APP_PART).replace(
                        f">{escape(plan.sheet)}<".encode(), f">{escape(plan.new_sheet)}<".encode())
            copy_package(plan.source, path_out, replaced)


def _copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    source.seek(0)
    while chunk := source.read(sheet_stream.CHUNK):
        target.write(chunk)


def _rows_to(ref: str, first_row: int, last: int) -> str:
    """``ref``'s columns from ``first_row`` (or its own first row, if lower) down to ``last``."""
    try:
        low_col, low_row, high_col, _ = range_boundaries(ref)
    except (ValueError, TypeError):
        return ref
    if low_col is None or low_row is None or high_col is None:
        return ref
    return f"{get_column_letter(low_col)}{min(low_row, first_row)}:{get_column_letter(high_col)}{last}"


def _tail(tail: bytes, header: int, last: int) -> bytes:
    """Merged cells of the rows left out go with them; the sheet's filter ends on the last new row."""
    kept = 0

    def merge(match: re.Match[bytes]) -> bytes:
        nonlocal kept
        _, low_row, _, _ = range_boundaries(match.group(1).decode())
        if low_row is not None and low_row > header:
            return b""
        kept += 1
        return match.group()

    tail = _MERGE.sub(merge, tail)
    if kept == 0:
        tail = re.sub(rb"<(?:[\w.-]+:)?mergeCells\b[^>]*>\s*</(?:[\w.-]+:)?mergeCells>", b"", tail)
    else:
        tail = _MERGE_COUNT.sub(lambda m: m.group(1) + str(kept).encode() + m.group(3), tail)
    return _FILTER.sub(lambda m: m.group(1) + _rows_to(m.group(2).decode(), header, last).encode() + m.group(3),
                       tail, count=1)


def _renamed(workbook: bytes, old: str, new: str) -> bytes:
    """The sheet's name in workbook.xml, and in the defined names (print titles, filters) that point at it."""
    old_attr, new_attr = escape(old, {'"': "&quot;"}), escape(new, {'"': "&quot;"})
    workbook = re.sub(rb'(<(?:[\w.-]+:)?sheet\b[^>]*?\sname=")' + re.escape(old_attr.encode()) + rb'"',
                      lambda m: m.group(1) + new_attr.encode() + b'"', workbook, count=1)
    quoted_old = "'" + escape(old).replace("'", "''") + "'!"
    quoted_new = "'" + escape(new).replace("'", "''") + "'!"
    return workbook.replace(quoted_old.encode(), quoted_new.encode())

