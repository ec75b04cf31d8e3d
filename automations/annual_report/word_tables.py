"""The annual report's tables in Word: each cell's French text, and a layout that fits the printed page.

A table is a bordered Word table under its title, with its note in italics. Every header reads
horizontally at 8 points or more and no number breaks across lines; a table too wide for the page is
turned a quarter when that makes it fit (a commission's twelve months become rows), else shown in parts
that each repeat its first column. Headers written upwards are the last resort, for a table that
neither way fits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell, _Row
from lxml import etree

from . import text as annual_text
from .model import Table
from .text import NBSP, grouped
from .workbook import plain_value
from .. import french

NOTE_SIZE = Pt(8.5)
HEADER_FILL = "D9E1F2"
BORDER_COLOUR = "8EA9C1"
TEXT_WIDTH_CM = 17.0  # A4 with the template's 2 cm margins
CHARACTER_CM, LINE_CM, CELL_MARGIN_CM = 0.024, 0.045, 0.45  # per point of font size, then Word's cell margins


class WordBlock:
    """Paragraphs and tables that ``{{p ... }}`` puts in place of its paragraph, as docxtpl's ``Subdoc`` does.

    docxtpl's own ``Subdoc`` needs docxcompose, which only matters for merging whole documents: a block built
    here from plain python-docx calls gives the same XML without that dependency.
    """

    def __init__(self) -> None:
        self.document: DocumentObject = Document()
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):  # the default document's empty paragraph
                body.remove(child)

    def __html__(self) -> str:
        return "".join(etree.tostring(child, encoding="unicode") for child in self.document.element.body
                       if child.tag != qn("w:sectPr"))

    def __str__(self) -> str:
        return self.__html__()


# -- French texts of the cells ----------------------------------------------------------------------------------

def format_value(value: Any, kind: str) -> str:
    """A table's cell in French, by its column's kind; empty when there is no value."""
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (date, datetime)):
        return french.date_short(value)
    if kind == "text" or not is_number(value):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if kind == "xpf":
        return annual_text.amount(value, " ")
    if kind == "percent":
        return f"{spaced(value * 100)} %"
    if kind == "change":
        points = round(value * 100)
        return f"+{spaced(points)} %" if points > 0 else f"{spaced(points)} %"
    if kind == "days":
        return f"{decimal_text(value)} j"
    return spaced(value)


def spaced(value: float) -> str:
    return grouped(value, " ")


def decimal_text(value: float) -> str:
    """``12`` or ``12,5``: one decimal, only when it says something."""
    tenths = round(value * 10)
    return spaced(tenths / 10) if tenths % 10 == 0 else f"{tenths / 10:,.1f}".replace(",", " ").replace(".", ",")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


# -- tables --------------------------------------------------------------------------------------------------------

def table_block(table: Table) -> WordBlock:
    """The table's title, a bordered Word table (bold header and total) and its note in italics.

    Every header reads horizontally at a readable size and no number breaks across lines: a table too wide
    for the page is turned a quarter when that makes it fit (a commission's twelve months become rows), else
    shown in parts side by side, each repeating the first column.
    """
    block = WordBlock()
    sub = block.document
    for number, (grid, layout) in enumerate(_pieces(_grid(table))):
        caption = sub.add_paragraph()
        caption.add_run(table.title if number == 0 else f"{table.title} (suite)").bold = True
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.space_after = Pt(3)
        _word_table(sub, grid, layout)
    if not table.rows:
        _note(sub, "Aucune donnée pour cette année.")
    if table.note:
        _note(sub, table.note.replace("F CFP", f"F{NBSP}CFP"))
    elif table.rows:
        sub.add_paragraph().paragraph_format.space_after = Pt(0)  # air between the table and what follows
    return block


def _pieces(grid: list[list[_Text]]) -> list[tuple[list[list[_Text]], _Layout]]:
    """The grid as it fits the page: whole, turned, or cut into parts of columns that each repeat the first."""
    layout = _layout(grid[0], grid[1:])
    if layout is not None:
        return [(grid, layout)]
    if len(grid[0]) > len(grid):
        turned = _turned(grid)
        layout = _layout(turned[0], turned[1:])
        if layout is not None:
            return [(turned, layout)]
    columns = list(range(1, len(grid[0])))
    for count in range(2, len(columns) + 1):  # the fewest parts, of even widths, that each fit
        size = math.ceil(len(columns) / count)
        parts = [_columns(grid, [0, *columns[i:i + size]]) for i in range(0, len(columns), size)]
        layouts = [_layout(*_header_and_rows(part)) for part in parts]
        if all(layouts):
            return list(zip(parts, layouts))  # type: ignore[arg-type]
    # a single column beside the first still overflows: headers turned upwards, the last resort
    return [(grid, _layout(*_header_and_rows(grid), vertical=True))]  # type: ignore[list-item]


def _columns(grid: list[list[_Text]], indexes: Sequence[int]) -> list[list[_Text]]:
    return [[row[i] for i in indexes] for row in grid]


def _header_and_rows(grid: list[list[_Text]]) -> tuple[list[_Text], list[list[_Text]]]:
    return grid[0], grid[1:]


def _word_table(sub: DocumentObject, grid: list[list[_Text]], layout: _Layout) -> None:
    word = sub.add_table(rows=len(grid), cols=len(grid[0]))
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(word._tbl)
    header = word.rows[0]
    header._tr.get_or_add_trPr().append(_element("tblHeader"))  # repeated on each page
    for cell, title in zip(header.cells, grid[0]):
        _write(cell, title.text, layout.size, right=title.right and not layout.vertical, bold=True)
        cell._tc.get_or_add_tcPr().append(_element("shd", val="clear", color="auto", fill=HEADER_FILL))
    if layout.vertical:
        _turn_header(header, max(len(title.text) for title in grid[0]), layout.size)
    for row, values in zip(word.rows[1:], grid[1:]):
        row._tr.get_or_add_trPr().append(_element("cantSplit"))  # a row stays on one page
        for cell, value in zip(row.cells, values):
            _write(cell, value.text, layout.size, right=value.right, bold=value.bold)
    word.autofit = False
    for column, width in zip(word.columns, layout.widths):
        column.width = Cm(width)  # the grid, for LibreOffice; the cells, for Word
        for cell in column.cells:
            cell.width = Cm(width)


@dataclass(frozen=True)
class _Text:
    text: str
    right: bool = False  # a number, aligned on the right
    bold: bool = False
    unbroken: bool = False  # one piece on its line: a number, never cut between its digits


def _grid(table: Table) -> list[list[_Text]]:
    """The header row then the rows, as the page shows them: amounts without their unit, which the header
    carries once, so that a page holds more columns."""
    kinds = [column.kind for column in table.columns]
    header = [_Text(f"{column.title} (F{NBSP}CFP)" if column.kind == "xpf" else column.title, right=kind != "text")
              for column, kind in zip(table.columns, kinds)]
    rows = []
    for index, row in enumerate(table.rows, start=1):
        bold = table.total and index == len(table.rows)
        rows.append([_cell(value, kind, bold) for value, kind in zip(row, kinds)])
    return [header, *rows]


def _cell(value: Any, kind: str, bold: bool) -> _Text:
    if kind == "text":
        return _Text(format_value(value, kind), bold=bold)
    value = plain_value(value)
    text = grouped(value) if kind == "xpf" and is_number(value) else format_value(value, kind)
    # a number or an amount must not break across two lines of its cell
    return _Text(text.replace(" ", NBSP), right=True, bold=bold, unbroken=True)


def _turned(grid: list[list[_Text]]) -> list[list[_Text]]:
    """Rows as columns: the first column's labels head the table, the former headers label the rows."""
    turned = [list(column) for column in zip(*grid)]
    header = [replace(label, right=index > 0 and any(row[index].right for row in turned[1:]), unbroken=False)
              for index, label in enumerate(turned[0])]
    return [header, *([replace(row[0], right=False, bold=False), *row[1:]] for row in turned[1:])]


@dataclass(frozen=True)
class _Layout:
    size: float  # points
    widths: list[float]  # cm
    vertical: bool = False  # headers written upwards: only when nothing else fits


def _layout(header: Sequence[_Text], rows: Sequence[Sequence[_Text]], vertical: bool = False) -> _Layout | None:
    """The largest font, then the widths, that fit the page with a number on one line and a header word
    unbroken; None when even the smallest font does not (``vertical``: headers turned upwards, which always
    gives widths)."""
    columns = list(zip(*rows)) if rows else [()] * len(header)
    longest = [max((len(t.text) for t in column), default=0) for column in columns]
    unbroken = [max((len(t.text) if t.unbroken else max((len(w) for w in t.text.split()), default=0)
                     for t in column), default=0) for column in columns]
    titles = [t.text for t in header]
    words = [max((len(w) for w in title.split()), default=0) for title in titles]
    for size in ((8, 7) if vertical else (9, 8)):  # smaller would not read on paper
        # a header turned upwards still needs its line's height across the column
        minimum = [max(_cm(max(u, 0 if vertical else w), size), size * LINE_CM + CELL_MARGIN_CM if vertical else 0)
                   for u, w in zip(unbroken, words)]
        if sum(minimum) <= TEXT_WIDTH_CM:
            break
    else:
        if not vertical:
            return None
    ideal = [max(m, _cm(min(max(length, 0 if vertical else len(title)), 40), size))
             for m, length, title in zip(minimum, longest, titles)]
    spare, wanted = TEXT_WIDTH_CM - sum(minimum), sum(ideal) - sum(minimum)
    if spare < 0:  # even the smallest font overflows: every column gives up the same share
        widths = [m * TEXT_WIDTH_CM / sum(minimum) for m in minimum]
    elif spare <= wanted:
        widths = [m + (i - m) * spare / wanted if wanted else m for m, i in zip(minimum, ideal)]
    else:  # a little more room than needed, not a small table stretched across the page
        widths = [i * min(TEXT_WIDTH_CM / sum(ideal), 1.4) for i in ideal]
    return _Layout(size, widths, vertical)


def _cm(characters: int, size: float) -> float:
    """Width in cm of ``characters`` at ``size`` points, with the cell's margins; generous, since a reader
    without Calibri sees a wider font."""
    return characters * size * CHARACTER_CM + CELL_MARGIN_CM


def _write(cell: _Cell, text: str, size: float, *, right: bool, bold: bool) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None


def _turn_header(row: _Row, characters: int, size: float) -> None:
    """Header texts upwards, the row as high as the longest one."""
    for cell in row.cells:
        cell._tc.get_or_add_tcPr().append(_element("textDirection", val="btLr"))
    height = str(round(Cm(_cm(characters, size)).twips))
    row._tr.get_or_add_trPr().append(_element("trHeight", val=height, hRule="atLeast"))


def _note(sub: DocumentObject, text: str) -> None:
    paragraph = sub.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(3)
    paragraph.paragraph_format.space_after = Pt(10)
    run = paragraph.add_run(text)
    run.italic = True
    run.font.size = NOTE_SIZE
    run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)


def _borders(tbl: Any) -> None:
    """Thin borders written in the table itself: no table style to depend on in a template staff edit."""
    borders = _element("tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_element(side, val="single", sz="4", space="0", color=BORDER_COLOUR))
    tbl.tblPr.append(borders)


def _element(tag: str, **attributes: str) -> Any:
    element = OxmlElement(f"w:{tag}")
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    return element
