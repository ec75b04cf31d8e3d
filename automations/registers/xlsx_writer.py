"""Write cells into a staff's workbook without rebuilding it.

:func:`write_cells` and :func:`append_rows` write ``path_out`` from
``path_in``: the sheet's XML is streamed with the cells written
(:mod:`sheet_stream`), ``styles.xml`` changes only when a date format or the
quote prefix needs a style it lacks, a formula written over loses its
``calcChain.xml`` entry, appended rows extend the table they continue with its
data validations and conditional formats; every other part is copied byte for
byte (:mod:`xlsx_package`).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree
from openpyxl.utils.cell import get_column_letter, range_boundaries

from . import sheet_stream
from .sheet_stream import CellRefused, CellValue, SheetEdit
from .xlsx_package import (
    CONTENT_TYPES,
    CT_NS,
    MAIN_NS,
    PARSER,
    PKG_REL_NS,
    PackageRefused,
    Replacement,
    SheetParts,
    copy_package,
    locate,
    opened,
    xml_bytes,
)
from .xlsx_styles import Styles

MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
_M = f"{{{MAIN_NS}}}"
_SQREF = re.compile(rb'(<(?:[\w.-]+:)?(?:dataValidation|conditionalFormatting)\b[^>]*?\ssqref=")([^"]*)(")')
_XM_SQREF = re.compile(rb"(<xm:sqref>)([^<]*)(</xm:sqref>)")
# Excel 2010's validations and formats sit in the extLst; a sparkline's xm:sqref is its one cell and stays
_X14_RANGES = re.compile(rb"<([\w.-]+):(conditionalFormatting|dataValidation)\b.*?</\1:\2>", re.DOTALL)


@dataclass(frozen=True)
class WriteResult:
    """What a write changed in the package: the parts rewritten and the parts removed."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class _Growth:
    """Rows appended under a table: ranges ending on ``last`` within ``columns`` now end on ``new_last``."""

    last: int
    new_last: int
    columns: tuple[int, int]

    def extend(self, ref: str) -> str:
        low_col, low_row, high_col, high_row = range_boundaries(ref)
        if high_row != self.last or low_row > self.last or high_col < self.columns[0] or low_col > self.columns[1]:
            return ref
        return f"{get_column_letter(low_col)}{low_row}:{get_column_letter(high_col)}{self.new_last}"

    def sqref(self, value: str) -> str:
        return " ".join(self.extend(ref) for ref in value.split())


def refusal(path: Path, sheet: str) -> str | None:
    """Why ``sheet`` of ``path`` cannot be written (French), for ``check`` to say before a run; None when it can."""
    try:
        with opened(path) as archive:
            locate(archive, path, sheet)
    except PackageRefused as exc:
        return exc.message
    return None


def package_refusal(path: Path) -> str | None:
    """Why no sheet of ``path`` can be written (encrypted, binary, strict...), for ``check``; None otherwise."""
    # no sheet has this name: only the package's own refusals (and "introuvable") speak
    why = refusal(path, "\x00")
    return None if why is None or why.endswith("introuvable") else why


def write_cells(path_in: Path, path_out: Path, sheet: str,
                cells: Mapping[tuple[int, int], CellValue]) -> WriteResult:
    """Write ``cells`` (``(row, column)``, from 1) of ``sheet`` into ``path_out``, a copy of ``path_in``."""
    by_row: dict[int, dict[int, CellValue]] = {}
    for (row, column), value in cells.items():
        by_row.setdefault(row, {})[column] = value
    return _write(path_in, path_out, sheet, by_row, appended=())


def append_rows(path_in: Path, path_out: Path, sheet: str,
                rows: Mapping[int, Mapping[int, CellValue]]) -> WriteResult:
    """Write new rows (row number → column → value) under a register, growing the table they continue."""
    return _write(path_in, path_out, sheet, {row: dict(values) for row, values in rows.items()}, appended=rows)


def _write(path_in: Path, path_out: Path, sheet: str, cells: dict[int, dict[int, CellValue]],
           appended: Iterable[int]) -> WriteResult:
    where = f"{path_in.name}, feuille « {sheet} »"
    for row, values in cells.items():
        for column in values:
            if not (1 <= row <= MAX_ROW and 1 <= column <= MAX_COLUMN):
                raise PackageRefused(f"{where} : ligne {row}, colonne {column} hors des limites d'Excel")
    with opened(path_in) as archive:
        parts = locate(archive, path_in, sheet)
        styles = Styles(archive.read(parts.styles) if parts.styles else None)
        replaced: dict[str, Replacement] = {}
        growths = _grow_tables(archive, parts, sorted(appended), replaced)
        edit = SheetEdit(cells=cells, styles=styles, date1904=parts.date1904,
                         dimension=lambda ref: _dimension(ref, cells),
                         tail=lambda tail: _extend_ranges(tail, growths))
        with tempfile.TemporaryFile() as sheet_xml:
            try:
                with archive.open(parts.sheet) as source:
                    sheet_stream.rewrite(source, sheet_xml, edit)
            except CellRefused as exc:
                raise PackageRefused(f"{where} : {exc}") from exc
            except LookupError as exc:
                raise PackageRefused(f"{where} : le classeur n'a pas de styles, les dates ne peuvent pas y "
                                     "être écrites") from exc
            except etree.XMLSyntaxError as exc:
                raise PackageRefused(f"{where} : XML de la feuille illisible ({exc})") from exc
            replaced[parts.sheet] = lambda member: _copy_stream(sheet_xml, member)
            if styles.changed and parts.styles:
                replaced[parts.styles] = styles.content()
            removed = _drop_from_calc_chain(archive, parts, edit.dropped_formulas, replaced)
            copy_package(path_in, path_out, replaced, removed)
    return WriteResult(changed=tuple(replaced), removed=tuple(sorted(removed)))


def _copy_stream(source: IO[bytes], target: IO[bytes]) -> None:
    source.seek(0)
    while chunk := source.read(sheet_stream.CHUNK):
        target.write(chunk)


def _dimension(ref: str, cells: Mapping[int, Mapping[int, CellValue]]) -> str:
    rows = [row for row, values in cells.items() if values]
    columns = [column for values in cells.values() for column in values]
    if not rows:
        return ref
    try:
        low_col, low_row, high_col, high_row = range_boundaries(ref)
    except (ValueError, TypeError):
        low_col = low_row = high_col = high_row = None
    bounds = (min(rows), min(columns), max(rows), max(columns))
    if low_row is not None and low_col is not None and high_row is not None and high_col is not None:
        bounds = (min(low_row, bounds[0]), min(low_col, bounds[1]), max(high_row, bounds[2]),
                  max(high_col, bounds[3]))
    first = f"{get_column_letter(bounds[1])}{bounds[0]}"
    last = f"{get_column_letter(bounds[3])}{bounds[2]}"
    return first if first == last else f"{first}:{last}"


def _grow_tables(archive: zipfile.ZipFile, parts: SheetParts, appended: list[int],
                 replaced: dict[str, Replacement]) -> list[_Growth]:
    # Excel grows a table when staff type under it, and with it the validations and formats of its rows
    if not appended or appended != list(range(appended[0], appended[-1] + 1)):
        return []
    growths = []
    for name in parts.tables:
        table = etree.fromstring(archive.read(name), PARSER)
        low_col, _, high_col, high_row = range_boundaries(table.get("ref", ""))
        if high_row != appended[0] - 1 or int(table.get("totalsRowCount", "0") or 0):
            continue  # under a totals row the new rows would turn the totals into data
        growth = _Growth(last=high_row, new_last=appended[-1], columns=(low_col, high_col))
        table.set("ref", growth.extend(table.get("ref", "")))
        for node in table.iterfind(f"{_M}autoFilter"):
            node.set("ref", growth.extend(node.get("ref", "")))
        replaced[name] = xml_bytes(table)
        growths.append(growth)
    return growths


def _extend_ranges(tail: bytes, growths: list[_Growth]) -> bytes:
    for growth in growths:
        def grown(match: re.Match[bytes], growth: _Growth = growth) -> bytes:
            return match.group(1) + growth.sqref(match.group(2).decode()).encode() + match.group(3)
        tail = _X14_RANGES.sub(lambda block: _XM_SQREF.sub(grown, block.group()), _SQREF.sub(grown, tail))
    return tail


def _drop_from_calc_chain(archive: zipfile.ZipFile, parts: SheetParts, dropped: list[str],
                          replaced: dict[str, Replacement]) -> frozenset[str]:
    """Remove the written formulas from calcChain.xml; the part goes when nothing is left in it."""
    if not dropped or parts.calc_chain is None or parts.calc_chain not in archive.NameToInfo:
        return frozenset()
    chain = etree.fromstring(archive.read(parts.calc_chain), PARSER)
    sheet, gone = "", set(dropped)
    for entry in list(chain):
        # an entry without i is on the sheet of the entry before it
        sheet = entry.get("i", sheet)
        if sheet == parts.sheet_id and entry.get("r") in gone:
            following = entry.getnext()
            if following is not None and following.get("i") is None:
                following.set("i", sheet)
            chain.remove(entry)
    if len(chain):
        replaced[parts.calc_chain] = xml_bytes(chain)
        return frozenset()
    rels = etree.fromstring(archive.read(parts.workbook_rels), PARSER)
    for rel in list(rels.iter(f"{{{PKG_REL_NS}}}Relationship")):
        if rel.get("Type", "").endswith("/calcChain"):
            rels.remove(rel)
    types = etree.fromstring(archive.read(CONTENT_TYPES), PARSER)
    for override in list(types.iter(f"{{{CT_NS}}}Override")):
        if override.get("PartName", "").lstrip("/") == parts.calc_chain:
            types.remove(override)
    replaced[parts.workbook_rels] = xml_bytes(rels)
    replaced[CONTENT_TYPES] = xml_bytes(types)
    return frozenset({parts.calc_chain})
