"""The annual report as a Word document: the template's narrative, its key figures in French, tables and charts.

The template (``templates/rapport_activite.docx``, edited by staff) reads
``k.<figure>``, ``tables.<key>`` and ``charts.<key>``. Staff may remove a
section or name a table this year's report does not have: a missing name
renders as nothing, and a table the template never names is still shown, in
``others``.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell, _Row
from docxtpl import DocxTemplate, InlineImage
from lxml import etree

from . import annual_text
from .annual_model import AnnualReport, Chart, Table
from .annual_text import grouped
from .annual_workbook import key_figure_kind, plain_value
from .documents import french
from .documents.render import render_docx

MISSING_FIGURE = "—"
NBSP = annual_text.NBSP
NOTE_SIZE = Pt(8.5)
HEADER_FILL = "D9E1F2"
BORDER_COLOUR = "8EA9C1"
TEXT_WIDTH_CM = 17.0  # A4 with the template's 2 cm margins
CHARACTER_CM, LINE_CM, CELL_MARGIN_CM = 0.024, 0.045, 0.45  # per point of font size, then Word's cell margins
CHART_COLOURS = ("#1f4e79", "#e07b39", "#5b9b54", "#a05195", "#7f7f7f", "#c9a227", "#2f9c95", "#b42318")
NAMED_TABLE = re.compile(r"""\btables\s*(?:\.\s*(\w+)|\[\s*["'](\w+)["']\s*\])""")


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


def write_document(report: AnnualReport, template: Path, target: Path) -> Path:
    """Render ``template`` with the report into ``target`` atomically; the folder is created."""
    return render_docx(template, lambda document: report_context(report, document), target)


def report_context(report: AnnualReport, document: DocxTemplate) -> dict[str, Any]:
    """What the template reads: ``year``, ``service``, ``generated_on``, ``k``, ``nb``, ``tables``, ``charts``,
    ``has``, ``others``, ``no_data``."""
    # a template may name a table, a chart or a figure this report lacks: it reads as nothing
    tables: defaultdict[str, Any] = defaultdict(str)
    charts: defaultdict[str, Any] = defaultdict(str)
    for table in report.tables:
        tables[table.key] = table_block(table)
        png = chart_png(table)
        charts[table.key] = ""  # every table has its slot, drawn or not: check sees the same names
        if png is not None:
            width = Mm(120) if table.chart is not None and table.chart.kind == "pie" else Mm(160)
            charts[table.key] = InlineImage(document, io.BytesIO(png), width=width)
    named = _named_tables(document)
    others = [{"table": tables[t.key], "chart": charts[t.key]} for t in report.tables if t.key not in named]
    return {"year": report.year, "service": report.service, "generated_on": french.date_long(report.generated_on),
            "k": key_figures(report.key_figures), "nb": counts(report.key_figures, report.year),
            "tables": tables, "charts": charts,
            "has": defaultdict(bool, ((table.key, True) for table in report.tables)), "others": others,
            "no_data": not report.has_data}


def _named_tables(document: DocxTemplate) -> set[str]:
    document.init_docx()
    xml = document.patch_xml(document.get_xml())
    return {dotted or quoted for dotted, quoted in NAMED_TABLE.findall(xml)}


# -- French texts --------------------------------------------------------------------------------------------------

def key_figures(figures: dict[str, Any]) -> defaultdict[str, str]:
    """Each key figure as the narrative writes it: ``1 234``, ``1 234 000 F CFP``, ``42 %``, ``12 jours``; its
    spaces are non-breaking, so that a line never ends inside a figure."""
    result: defaultdict[str, str] = defaultdict(lambda: MISSING_FIGURE)
    for name, value in figures.items():
        value = plain_value(value)
        if value is None and name.removesuffix("_previous") in annual_text.REGISTER_COUNTS:
            result[name] = annual_text.NOT_KEPT
            continue
        if not _is_number(value):
            result[name] = MISSING_FIGURE if value in (None, "") else str(value)
            continue
        kind = key_figure_kind(name)
        if kind == "days":
            number = _decimal(value)
            text = f"{number} jour" if abs(value) < 2 else f"{number} jours"
        else:
            text = format_value(value, kind)
        result[name] = text.replace(" ", "\u00a0")
    return result


def counts(figures: dict[str, Any], year: int) -> defaultdict[str, str]:
    """Each count with its noun agreed, as a sentence says it: ``24 séances tenues``, ``1 accord``; the mail
    registers with last year's count, or plainly « registre non tenu »."""
    result: defaultdict[str, str] = defaultdict(lambda: MISSING_FIGURE)
    for name in annual_text.NOUNS:
        value = plain_value(figures.get(name))
        if _is_number(value):
            result[name] = annual_text.counted(value, name)
    for name, side in (("mail_in", "arrivé"), ("mail_out", "départ")):
        value, previous = plain_value(figures.get(name)), plain_value(figures.get(f"{name}_previous"))
        if not _is_number(value):
            result[name] = f"{side}{NBSP}: {annual_text.NOT_KEPT}"
            continue
        count = annual_text.counted(value, "mail", NBSP)
        before = f" ({grouped(previous)} en {year - 1})" if _is_number(previous) else ""
        result[name] = f"{side}{NBSP}: {count}{before}"
    return result


def format_value(value: Any, kind: str) -> str:
    """A table's cell in French, by its column's kind; empty when there is no value."""
    value = plain_value(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (date, datetime)):
        return french.date_short(value)
    if kind == "text" or not _is_number(value):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if kind == "xpf":
        return annual_text.amount(value, " ")
    if kind == "percent":
        return f"{_spaced(value * 100)} %"
    if kind == "change":
        points = round(value * 100)
        return f"+{_spaced(points)} %" if points > 0 else f"{_spaced(points)} %"
    if kind == "days":
        return f"{_decimal(value)} j"
    return _spaced(value)


def _spaced(value: float) -> str:
    return f"{round(value):,}".replace(",", " ")


def _decimal(value: float) -> str:
    """``12`` or ``12,5``: one decimal, only when it says something."""
    tenths = round(value * 10)
    return _spaced(tenths / 10) if tenths % 10 == 0 else f"{tenths / 10:,.1f}".replace(",", " ").replace(".", ",")


def _is_number(value: Any) -> bool:
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
        rows.append([_Text(_cell_text(value, kind), right=kind != "text", bold=bold, unbroken=kind != "text")
                     if kind != "text" else _Text(format_value(value, kind), bold=bold) for value, kind in zip(row, kinds)])
    return [header, *rows]


def _turned(grid: list[list[_Text]]) -> list[list[_Text]]:
    """Rows as columns: the first column's labels head the table, the former headers label the rows."""
    turned = [list(column) for column in zip(*grid)]
    header = [replace(label, right=index > 0 and any(row[index].right for row in turned[1:]), unbroken=False)
              for index, label in enumerate(turned[0])]
    return [header, *([replace(row[0], right=False, bold=False), *row[1:]] for row in turned[1:])]


def _cell_text(value: Any, kind: str) -> str:
    value = plain_value(value)
    text = grouped(value) if kind == "xpf" and _is_number(value) else format_value(value, kind)
    return text.replace(" ", NBSP)  # a number or an amount must not break across two lines of its cell


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


# -- charts --------------------------------------------------------------------------------------------------------

def chart_png(table: Table) -> bytes | None:
    """The table's chart drawn as a PNG; None when it has no chart or nothing to draw."""
    spec = table.chart
    rows = table.rows[:-1] if table.total else table.rows
    if spec is None or not rows:
        return None
    categories = [format_value(row[spec.category], table.columns[spec.category].kind) for row in rows]
    series = [(table.columns[i].title, [_number(row[i]) for row in rows]) for i in spec.values]
    kind = table.columns[spec.values[0]].kind
    if spec.kind == "pie" and sum(max(v, 0) for v in series[0][1]) <= 0:
        return None
    # the figure API alone: pyplot would keep global state and pick a display backend on a server
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = max(3.2, 0.32 * len(rows) + 1.4) if spec.kind == "bar" else 3.6
    figure = Figure(figsize=(5.2, 4.0) if spec.kind == "pie" else (7.0, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _draw(axes, spec, categories, series, kind)
    axes.set_title(spec.title, fontsize=11)
    if len(series) > 1 and spec.kind != "pie":
        axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})  # the same table gives the same bytes
    return buffer.getvalue()


def _draw(axes: Any, spec: Chart, categories: list[str], series: list[tuple[str, list[float]]], kind: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if spec.kind == "pie":
        values = [max(v, 0) for v in series[0][1]]
        axes.pie(values, labels=[textwrap.fill(c, 20) for c in categories], colors=CHART_COLOURS, startangle=90,
                 counterclock=False, autopct=lambda share: f"{round(share)} %", textprops={"fontsize": 8})
        axes.set_aspect("equal")
        return
    if spec.kind not in ("bar", "column", "line"):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    places = list(range(len(categories)))
    value_axis = axes.xaxis if spec.kind == "bar" else axes.yaxis
    value_axis.set_major_formatter(FuncFormatter(lambda value, _: _axis_text(value, kind)))
    # large amounts need room between their labels; a count has no half
    value_axis.set_major_locator(MaxNLocator(5, integer=kind in ("int", "xpf")))
    width = 0.8 / len(series)
    for number, (title, values) in enumerate(series):
        colour = CHART_COLOURS[number % len(CHART_COLOURS)]
        shifted = [p - 0.4 + width * (number + 0.5) for p in places]
        if spec.kind == "bar":
            axes.barh(shifted, values, height=width, label=title, color=colour)
        elif spec.kind == "column":
            axes.bar(shifted, values, width=width, label=title, color=colour)
        else:
            axes.plot(places, values, marker="o", label=title, color=colour)
    if spec.kind == "line" and min(min(values) for _, values in series) >= 0:
        axes.set_ylim(bottom=0)  # from zero, as the bars: a small change must not look like a big one
    if spec.kind == "bar":
        axes.set_yticks(places, [textwrap.fill(c, 24) for c in categories], fontsize=8)
        axes.invert_yaxis()  # the first category on top, as in the table
    else:
        crowded = len(categories) > 6
        axes.set_xticks(places, categories, fontsize=8, rotation=45 if crowded else 0,
                        ha="right" if crowded else "center")
    if kind == "xpf":
        (axes.set_xlabel if spec.kind == "bar" else axes.set_ylabel)("F CFP", fontsize=8)
    axes.tick_params(labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _axis_text(value: float, kind: str) -> str:
    if kind in ("percent", "change"):
        return f"{_spaced(value * 100)} %"
    if kind == "days":
        return _decimal(value)
    return _spaced(value)


def _number(value: Any) -> float:
    value = plain_value(value)
    return float(value) if _is_number(value) else 0.0
