"""One sheet's XML rewritten as a stream: untouched rows copied byte for byte, written rows edited with lxml.

A register of 200,000 rows is some 40 MB of sheet XML; loading it as a tree
(openpyxl, or a whole lxml document) takes gigabytes. The sheet is read in
chunks instead: row boundaries are found in the byte stream (``<row`` and
``</row>`` cannot occur inside XML text, where ``<`` is always escaped), the
rows nobody writes are copied as they are, and only the rows written are
parsed, changed and serialized by lxml. Memory stays at a chunk plus a row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from lxml import etree
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
)
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from .xlsx_package import MAIN_NS, PARSER
from .xlsx_styles import Styles

CellValue = str | int | float | Decimal | bool | date | datetime | None
CHUNK = 1 << 20
_M = f"{{{MAIN_NS}}}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b([^>]*)>")
_NS_DECL = re.compile(rb'xmlns(?::[\w.-]+)?\s*=\s*"[^"]*"')
# characters XML 1.0 cannot carry: Excel writes them as _xHHHH_, and a literal "_x0041_" as "_x005F_x0041_"
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_FORMULA_LIKE = ("=", "+", "-", "@")
_HAS_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")


class CellRefused(ValueError):
    """A cell this writer must not change; the message (French) names the cell."""


@dataclass
class SheetEdit:
    """The cells to write in one sheet, and what writing them found."""

    cells: Mapping[int, Mapping[int, CellValue]]
    styles: Styles
    date1904: bool
    dimension: Callable[[str], str]
    tail: Callable[[bytes], bytes]
    dropped_formulas: list[str] = field(default_factory=list)
    # rows below this one are left out (next year's workbook keeps the titles and the header only);
    # the rows written below it come after them, styled like the first row left out that held cells
    keep_through: int | None = None


class _Rows:
    """Serializes rows in the sheet's own namespace prefix, without repeating its declarations."""

    def __init__(self, prefix: bytes, declarations: bytes) -> None:
        tag = prefix + b"sheetData"
        self.open, self.close = b"<" + tag + b" " + declarations + b">", b"</" + tag + b">"
        self.prefix = prefix.decode()

    def parse(self, row: bytes) -> etree._Element:
        return etree.fromstring(self.open + row + self.close, PARSER)[0]

    def new(self, number: int) -> etree._Element:
        wrapper = etree.fromstring(self.open + self.close, PARSER)
        return etree.SubElement(wrapper, f"{_M}row", r=str(number))

    def bytes(self, row: etree._Element) -> bytes:
        text = etree.tostring(row.getparent())
        return text[text.index(b">") + 1:len(text) - len(self.close)]


def _styles_by_column(row: etree._Element | None) -> dict[int, int]:
    if row is None:
        return {}
    return {column: int(cell.get("s", "0")) for column, cell in _cells(row)}


def _cells(row: etree._Element) -> list[tuple[int, etree._Element]]:
    found, column = [], 0
    for cell in row.iterfind(f"{_M}c"):
        ref = cell.get("r")
        column = column_index_from_string(coordinate_from_string(ref)[0]) if ref else column + 1
        found.append((column, cell))
    return found


def _text(value: str) -> str:
    return _UNSAFE.sub(lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", value)


def _set(cell: etree._Element, value: CellValue, above: int | None, edit: SheetEdit) -> None:
    ref = cell.get("r", "")
    formula = cell.find(f"{_M}f")
    if formula is not None:
        if formula.get("t") in ("shared", "array") and formula.get("ref"):
            raise CellRefused(f"cellule {ref} : sa formule sert aussi à d'autres cellules, elle n'est pas remplacée")
        edit.dropped_formulas.append(ref)
    for child in list(cell):
        cell.remove(child)
    for name in ("t", "cm", "vm"):  # value type and rich-value metadata belong to the old content
        cell.attrib.pop(name, None)
    style = int(cell.get("s", "0"))
    if value is None:
        return
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, f"{_M}v").text = "1" if value else "0"
    elif isinstance(value, (int, float, Decimal)):
        if isinstance(value, (float, Decimal)) and not math.isfinite(value):
            raise CellRefused(f"cellule {ref} : « {value} » n'est pas un nombre qu'Excel sait garder")
        etree.SubElement(cell, f"{_M}v").text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, (date, datetime)):
        moment = value.replace(tzinfo=None) if isinstance(value, datetime) else value
        with_time = isinstance(value, datetime) and value.time() != datetime.min.time()
        style = edit.styles.date_style(style, above, with_time)
        serial = to_excel(moment, CALENDAR_MAC_1904 if edit.date1904 else CALENDAR_WINDOWS_1900)
        whole = isinstance(serial, int) or float(serial).is_integer()
        etree.SubElement(cell, f"{_M}v").text = str(int(serial)) if whole else repr(float(serial))
    elif isinstance(value, str):
        if value.startswith(_FORMULA_LIKE):
            style = edit.styles.quote_style(style)
        cell.set("t", "inlineStr")
        text = etree.SubElement(etree.SubElement(cell, f"{_M}is"), f"{_M}t")
        text.text = _text(value)
        if value != value.strip():
            text.set(_XML_SPACE, "preserve")
    else:
        raise TypeError(f"{ref}: {type(value).__name__} cannot be written in a cell")
    if style:
        cell.set("s", str(style))


def _fill(row: etree._Element, number: int, writes: Mapping[int, CellValue], above: dict[int, int],
          edit: SheetEdit, new: bool) -> None:
    cells = dict(_cells(row))
    for column, cell in cells.items():
        cell.set("r", f"{get_column_letter(column)}{number}")  # a new cell between cells without r would shift them
    if new:
        # an appended row looks like the one above it, as when staff type under a register: the borders and
        # fills of the columns left empty too
        for column, style in sorted(above.items()):
            if style and column not in writes and column not in cells:
                _insert(row, cells, column, number).set("s", str(style))
    for column in sorted(writes):
        cell = cells.get(column)
        if cell is None and writes[column] is None:
            continue  # nothing to clear
        if cell is None:
            cell = _insert(row, cells, column, number)
            if new and above.get(column) and not edit.styles.is_date(above[column]):
                cell.set("s", str(above[column]))
        _set(cell, writes[column], above.get(column), edit)
    if row.get("spans") is not None:
        low, high = min(cells), max(cells)
        first, _, last = row.get("spans", "").partition(":")
        if first.isdigit() and last.isdigit():
            row.set("spans", f"{min(low, int(first))}:{max(high, int(last))}")


def _insert(row: etree._Element, cells: dict[int, etree._Element], column: int, number: int) -> etree._Element:
    """A new empty cell in ``row``, in column order (Excel refuses a row whose cells are not)."""
    cell = etree.Element(f"{_M}c", r=f"{get_column_letter(column)}{number}")
    after = [c for c in cells if c < column]
    if after:
        cells[max(after)].addnext(cell)
    else:
        row.insert(0, cell)
    cells[column] = cell
    return cell


def rewrite(source: IO[bytes], target: IO[bytes], edit: SheetEdit) -> None:
    """Copy the sheet XML of ``source`` into ``target`` with ``edit``'s cells written."""
    buffer = b""
    while True:
        chunk = source.read(CHUNK)
        buffer += chunk
        root = _ROOT.search(buffer)
        start = re.search(rb"<" + re.escape(root.group(1) or b"") + rb"sheetData\b[^>]*>", buffer) if root else None
        if start is not None or not chunk:
            break
    if root is None or start is None:
        raise CellRefused("feuille illisible : ses lignes sont introuvables")
    prefix = root.group(1) or b""
    rows = _Rows(prefix, b" ".join(_NS_DECL.findall(root.group(2))))
    head = re.sub(rb'(<' + re.escape(prefix) + rb'dimension\s+ref=")([^"]*)(")',
                  lambda m: m.group(1) + edit.dimension(m.group(2).decode()).encode() + m.group(3),
                  buffer[:start.start()], count=1)
    target.write(head)
    empty = start.group().endswith(b"/>")
    target.write(start.group()[:-2] + b">" if empty else start.group())
    buffer = (rows.close if empty else b"") + buffer[start.end():]
    _Stream(source, target, rows, edit, prefix).run(buffer)


class _Stream:
    def __init__(self, source: IO[bytes], target: IO[bytes], rows: _Rows, edit: SheetEdit, prefix: bytes) -> None:
        self.source, self.target, self.rows, self.edit = source, target, rows, edit
        p = re.escape(prefix)
        self.token = re.compile(rb"<" + p + rb"row[\s/>]|</" + p + rb"sheetData\s*>")
        self.row_end = re.compile(rb"</" + p + rb"row\s*>")
        self.pending = sorted(edit.cells)
        # the row before the next one written, kept as a span of the buffer until it is needed
        self.previous: etree._Element | bytes | tuple[int, int] | None = None
        self.buffer = b""
        self.styled_from_dropped = False

    def _above(self) -> dict[int, int]:
        if isinstance(self.previous, tuple):
            self.previous = self.buffer[self.previous[0]:self.previous[1]]
        if isinstance(self.previous, bytes):
            self.previous = self.rows.parse(self.previous)
        return _styles_by_column(self.previous)

    def _emit_new(self, number: int) -> None:
        row = self.rows.new(number)
        _fill(row, number, self.edit.cells[number], self._above(), self.edit, new=True)
        self.target.write(self.rows.bytes(row))
        self.previous = row

    def run(self, buffer: bytes) -> None:
        self.buffer = buffer
        pos = copied = 0
        number = 0
        while True:
            match = self.token.search(buffer, pos)
            end = None
            if match is not None and not match.group().startswith(b"</"):
                close = buffer.find(b">", match.end() - 1)
                if close != -1 and buffer[close - 1:close] == b"/":
                    end = close + 1
                elif close != -1:
                    found = self.row_end.search(buffer, close)
                    end = found.end() if found else None
            if match is None or (end is None and not match.group().startswith(b"</")):
                chunk = self.source.read(CHUNK)
                if not chunk:
                    raise CellRefused("feuille illisible : son XML s'arrête au milieu des lignes")
                self.target.write(buffer[copied:pos])
                if isinstance(self.previous, tuple):
                    self.previous = buffer[self.previous[0]:self.previous[1]]
                buffer, pos, copied = buffer[pos:] + chunk, 0, 0
                self.buffer = buffer
                continue
            if match.group().startswith(b"</"):
                self.target.write(buffer[copied:match.start()])
                while self.pending:
                    self._emit_new(self.pending.pop(0))
                rest = buffer[match.start():] + self.source.read()
                self.target.write(self.edit.tail(rest))
                return
            assert end is not None
            start_tag = buffer[match.start():buffer.find(b">", match.end() - 1)]
            found_r = re.search(rb'\sr\s*=\s*"(\d+)"', start_tag)
            current = int(found_r.group(1)) if found_r else number + 1
            if current <= number:
                raise CellRefused(f"feuille abîmée : la ligne {current} est rangée après la ligne {number}")
            keep = self.edit.keep_through
            if keep is not None and current > keep:
                # a row left out: its bytes are skipped; the new rows wait for the end of the sheet data
                while self.pending and self.pending[0] <= keep:
                    self.target.write(buffer[copied:match.start()])
                    copied = match.start()
                    self._emit_new(self.pending.pop(0))
                self.target.write(buffer[copied:match.start()])
                if not self.styled_from_dropped and _HAS_CELL.search(buffer, match.end() - 1, end):
                    self.previous, self.styled_from_dropped = (match.start(), end), True
                number, pos, copied = current, end, end
                continue
            while self.pending and self.pending[0] < current:
                self.target.write(buffer[copied:match.start()])
                copied = match.start()
                self._emit_new(self.pending.pop(0))
            if self.pending and self.pending[0] == current:
                self.pending.pop(0)
                self.target.write(buffer[copied:match.start()])
                above = self._above()
                row = self.rows.parse(buffer[match.start():end])
                _fill(row, current, self.edit.cells[current], above, self.edit, new=False)
                self.target.write(self.rows.bytes(row))
                self.previous, copied = row, end
            else:
                self.previous = (match.start(), end)
            number, pos = current, end
