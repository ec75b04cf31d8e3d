"""The annual report as a Word document: the template's narrative, its key figures in French, tables and charts.

The template (``templates/rapport_activite.docx``, edited by staff) reads
``k.<figure>`` (a figure in French), ``nb.<figure>`` (a count with its noun agreed),
``tables.<key>``, ``charts.<key>`` and ``no_data`` (a year the registers hold nothing for). Staff may remove a
section or name a table this year's report does not have: a missing name
renders as nothing, and a table the template never names is still shown, in
``others``.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from . import text as annual_text
from .model import AnnualReport, Chart, Table
from .text import grouped
from .word_tables import (
    decimal_text,
    format_value,
    is_number,
    spaced,
    table_block,
)
from .workbook import key_figure_kind, plain_value
from .. import french
from ..documents.render import render_docx

MISSING_FIGURE = "—"
_UNAVAILABLE = {"xpf": "un montant ", "days": "un délai ", "percent": "un taux "}
CHART_COLOURS = ("#1f4e79", "#e07b39", "#5b9b54", "#a05195", "#7f7f7f", "#c9a227", "#2f9c95", "#b42318")
NAMED_TABLE = re.compile(r"""\btables\s*(?:\.\s*(\w+)|\[\s*["'](\w+)["']\s*\])""")


def write_document(report: AnnualReport, template: Path, target: Path) -> Path:
    """Render ``template`` with the report into ``target`` atomically; the folder is created."""
    return render_docx(template, lambda document: report_context(report, document), target)


def report_context(report: AnnualReport, document: DocxTemplate) -> dict[str, Any]:
    """What the template reads: ``year``, ``service``, ``generated_on``, ``k``, ``nb``, ``tables``, ``charts``,
    ``has``, ``others``, ``no_data``, ``planned`` (the sentence on sessions planned against held), ``mail_answers``
    (the sentence on answers to the year's incoming mail)."""
    # a template may name a table, a chart or a figure this report lacks: it reads as nothing
    tables: defaultdict[str, Any] = defaultdict(str)
    charts: defaultdict[str, Any] = defaultdict(str)
    # a year without data shows no table, even in a template copied before it could say so
    for table in report.tables if report.has_data else ():
        tables[table.key] = table_block(table)
        png = chart_png(table)
        charts[table.key] = ""  # every table has its slot, drawn or not: check sees the same names
        if png is not None:
            width = Mm(120) if table.chart is not None and table.chart.kind == "pie" else Mm(160)
            charts[table.key] = InlineImage(document, io.BytesIO(png), width=width)
    named = _named_tables(document)
    others = [{"table": tables[t.key], "chart": charts[t.key]} for t in report.tables
              if t.key not in named and t.key in tables]
    return {"year": report.year, "service": report.service, "generated_on": french.date_long(report.generated_on),
            "k": key_figures(report.key_figures, report.unavailable),
            "nb": counts(report.key_figures, report.year, report.unavailable),
            "tables": tables, "charts": charts,
            "has": defaultdict(bool, ((key, True) for key in tables)), "others": others,
            "no_data": not report.has_data, "planned": report.planned, "mail_answers": report.mail_answers}


def _named_tables(document: DocxTemplate) -> set[str]:
    document.init_docx()
    xml = document.patch_xml(document.get_xml())
    return {dotted or quoted for dotted, quoted in NAMED_TABLE.findall(xml)}


# -- French texts --------------------------------------------------------------------------------------------------

def key_figures(figures: dict[str, Any], unavailable: frozenset[str] = frozenset()) -> defaultdict[str, str]:
    """Each key figure as the narrative writes it: ``1 234``, ``1 234 000 F CFP``, ``42 %``, ``12 jours``; its
    spaces are non-breaking, so that a line never ends inside a figure."""
    result: defaultdict[str, str] = defaultdict(lambda: MISSING_FIGURE)
    for name, value in figures.items():
        value = plain_value(value)
        if name.removesuffix("_previous") in unavailable:
            # the year's figure stands where a sentence expects an amount or a delay: « accordé un montant
            # non disponible » reads, « accordé non disponible » would not; last year's is in brackets
            what = "" if name.endswith("_previous") else _UNAVAILABLE.get(key_figure_kind(name), "un nombre ")
            result[name] = f"{what}{annual_text.NOT_AVAILABLE}"
            continue
        if value is None and name.removesuffix("_previous") in annual_text.REGISTER_COUNTS:
            result[name] = annual_text.NOT_KEPT
            continue
        if not is_number(value):
            result[name] = MISSING_FIGURE if value in (None, "") else str(value)
            continue
        kind = key_figure_kind(name)
        if kind == "days":
            number = decimal_text(value)
            text = f"{number} jour" if abs(value) < 2 else f"{number} jours"
        else:
            text = format_value(value, kind)
        result[name] = text.replace(" ", "\u00a0")
    return result


def counts(figures: dict[str, Any], year: int, unavailable: frozenset[str] = frozenset()) -> defaultdict[str, str]:
    """Each count with its noun agreed, as a sentence says it: ``24 séances tenues``, ``1 accord``; the mail
    registers with last year's count, or plainly « registre non tenu »."""
    result: defaultdict[str, str] = defaultdict(lambda: MISSING_FIGURE)
    for name in annual_text.NOUNS:
        value = plain_value(figures.get(name))
        if name in unavailable:
            result[name] = f"un nombre de {annual_text.NOUNS[name][1]} {annual_text.NOT_AVAILABLE}"
        elif is_number(value):
            result[name] = annual_text.counted(value, name)
    for name, side in (("mail_in", "arrivé"), ("mail_out", "départ")):
        value, previous = plain_value(figures.get(name)), plain_value(figures.get(f"{name}_previous"))
        if not is_number(value):
            result[name] = f"{side}{annual_text.NBSP}: {annual_text.NOT_KEPT}"
            continue
        count = annual_text.counted(value, "mail", annual_text.NBSP)
        before = f" ({grouped(previous)} en {year - 1})" if is_number(previous) else ""
        result[name] = f"{side}{annual_text.NBSP}: {count}{before}"
    return result


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
    if all(value == 0 for _, values in series for value in values):  # a flat line at zero says nothing
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
        return f"{spaced(value * 100)} %"
    if kind == "days":
        return decimal_text(value)
    return spaced(value)


def _number(value: Any) -> float:
    value = plain_value(value)
    return float(value) if is_number(value) else 0.0
