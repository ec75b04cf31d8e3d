"""The annual report as an Excel workbook: the key figures, one formatted sheet per table, the rows left out.

The manager restyles and reuses this workbook: charts are native Excel charts
drawn from the sheet's cells, numbers stay numbers (Excel shows them with the
reader's separators), and nothing coming from the registers can become a
formula.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import text as annual_text
from .figures import KEY_FIGURES as KEY_FIGURE_LABELS
from .model import AnnualReport, ExcludedRow, Table
from .. import french
from ..registers.cells import put as _put

SUMMARY, EXCLUDED = "Synthèse", "Lignes écartées"
NUMBER_FORMATS = {"int": "#,##0", "xpf": '#,##0 "F CFP"', "percent": "0 %", "change": "+0 %;-0 %;0 %",
                  "days": "0.0"}
# how the "Évolution" column of the summary compares a figure with last year's, by the figure's kind
CHANGE_FORMATS = {"int": "+0 %;-0 %;0 %", "xpf": "+0 %;-0 %;0 %", "percent": '+0" pt";-0" pt";0" pt"',
                  "days": '+0.0" j";-0.0" j";0.0" j"'}
PREVIOUS = "_previous"
HEADER_FONT = Font(bold=True, color="1F3864")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
TOTAL_BORDER = Border(top=Side(style="thin", color="1F3864"))
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({char: " " for char in "[]:*?/\\"})


def key_figure_kind(name: str) -> str:
    """The Column kind of a key figure, from its name (``amount_granted_previous`` → ``xpf``)."""
    if name.endswith(PREVIOUS):
        name = name[: -len(PREVIOUS)]
    if "amount" in name:
        return "xpf"
    if "rate" in name:
        return "percent"
    if "days" in name:
        return "days"
    return "int"


def no_data_sentence(year: int) -> str:
    return (f"Aucune donnée pour {year} dans les registres du service : ni demande, ni séance, ni courrier "
            "datés de cette année. Ce rapport n'a donc pas de chiffres à présenter.")


def write_workbook(report: AnnualReport, target: Path) -> Path:
    """Write the report's workbook into ``target`` atomically; the folder is created."""
    workbook = Workbook()
    _summary(workbook.active, report)
    names = {SUMMARY.casefold(), EXCLUDED.casefold()}
    for table in report.tables if report.has_data else ():
        name = _sheet_name(table.title, names)
        names.add(name.casefold())
        _table_sheet(workbook.create_sheet(name), table)
    _excluded_sheet(workbook.create_sheet(EXCLUDED), report.excluded)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        workbook.save(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def _sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as Excel accepts it: no forbidden character, 31 characters at most, unique whatever the case."""
    base = " ".join(title.translate(FORBIDDEN_IN_SHEET_NAMES).split()).strip("'") or "Tableau"
    if len(base) > MAX_SHEET_NAME:  # cut between words when that keeps most of the title
        cut = base[: MAX_SHEET_NAME + 1].rsplit(" ", 1)[0]
        base = cut if len(cut) >= 20 else base[:MAX_SHEET_NAME].rstrip()
    name, number = base, 1
    while name.casefold() in taken or name.casefold() == "history":  # Excel reserves "History"
        number += 1
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    return name


# -- the summary ---------------------------------------------------------------------------------------------------

def _summary(sheet: Worksheet, report: AnnualReport) -> None:
    sheet.title = SUMMARY
    sheet["A1"] = f"Rapport d'activité {report.year}"
    sheet["A1"].font = Font(bold=True, size=14, color="1F3864")
    _put(sheet["A2"], report.service)
    sheet["A3"] = f"Établi le {french.date_long(report.generated_on)}, à partir des registres du service."
    sheet["A3"].font = NOTE_FONT
    if not report.has_data:
        _put(sheet["A5"], no_data_sentence(report.year)).font = BOLD
        sheet.column_dimensions["A"].width = 100
        return
    header = 5
    _header(sheet, header, ["Indicateur", str(report.year), str(report.year - 1), "Évolution"])
    figures = report.key_figures
    names = [name for name in KEY_FIGURE_LABELS if name in figures]
    names += [name for name in figures if not name.endswith(PREVIOUS) and name not in KEY_FIGURE_LABELS]
    for row, name in enumerate(names, start=header + 1):
        kind = key_figure_kind(name)
        current, previous = plain_value(figures.get(name)), plain_value(figures.get(name + PREVIOUS))
        sheet.cell(row, 1, KEY_FIGURE_LABELS.get(name, name))
        for column, value in ((2, current), (3, previous)):
            if value is None and name in annual_text.REGISTER_COUNTS:
                sheet.cell(row, column, annual_text.NOT_KEPT).font = NOTE_FONT  # not a 0 that pretends
                continue
            if name in report.unavailable:
                sheet.cell(row, column, annual_text.NOT_AVAILABLE).font = NOTE_FONT
                continue
            cell = sheet.cell(row, column, value)
            cell.number_format = NUMBER_FORMATS[kind]
        change = None if name in report.unavailable else _change(current, previous, kind)
        if change is not None:
            sheet.cell(row, 4, change).number_format = CHANGE_FORMATS[kind]
    note_row = header + len(names) + 2
    sheet.cell(note_row, 1, "Évolution : en pourcentage pour les nombres et les montants, en points pour le taux "
                            "d'accord, en jours pour les délais.").font = NOTE_FONT
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    widths = [max([len("Indicateur")] + [len(KEY_FIGURE_LABELS.get(n, n)) for n in names]), 16, 16, 12]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width + 2


def _change(current: Any, previous: Any, kind: str) -> float | None:
    if not _is_number(current) or not _is_number(previous):
        return None
    if kind == "percent":
        return round((current - previous) * 100)
    if kind == "days":
        return current - previous
    return current / previous - 1 if previous else None


# -- one sheet per table -------------------------------------------------------------------------------------------

def _table_sheet(sheet: Worksheet, table: Table) -> None:
    kinds = [column.kind for column in table.columns]
    _header(sheet, 1, [column.title for column in table.columns])
    sheet.freeze_panes = "A2"
    for row_index, row in enumerate(table.rows, start=2):
        is_total = table.total and row_index == len(table.rows) + 1
        for column_index, (value, kind) in enumerate(zip(row, kinds), start=1):
            cell = _put(sheet.cell(row_index, column_index), plain_value(value))
            if kind != "text":
                cell.number_format = NUMBER_FORMATS.get(kind, "General")
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
            if is_total:
                cell.font = BOLD
                cell.border = TOTAL_BORDER
    last = len(table.rows) + 1
    if not table.rows:
        sheet.cell(2, 1, "Aucune donnée pour cette année.").font = NOTE_FONT
        last = 2
    if table.note:
        _put(sheet.cell(last + 2, 1), table.note).font = NOTE_FONT
    _fit_widths(sheet, table)
    data_rows = len(table.rows) - (1 if table.total else 0)
    if table.chart is not None and data_rows > 0:
        sheet.add_chart(_chart(sheet, table, data_rows), f"{get_column_letter(len(table.columns) + 2)}2")


def _fit_widths(sheet: Worksheet, table: Table) -> None:
    for index, column in enumerate(table.columns):
        shown = [_shown_length(row[index], column.kind) for row in table.rows if index < len(row)]
        width = max([len(column.title) + 2, 8, *shown])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(width + 2, 60)


def _shown_length(value: Any, kind: str) -> int:
    value = plain_value(value)
    if value is None:
        return 0
    if _is_number(value):
        digits = len(f"{abs(value):,.0f}") + (1 if value < 0 else 0)
        return digits + {"xpf": 6, "percent": 2, "change": 3, "days": 2}.get(kind, 0)
    if isinstance(value, (date, datetime)):
        return 10
    return max(len(line) for line in str(value).splitlines() or [""])


def _chart(sheet: Worksheet, table: Table, data_rows: int) -> BarChart | LineChart | PieChart:
    spec = table.chart
    assert spec is not None
    last = data_rows + 1
    if spec.kind in ("bar", "column"):
        chart: BarChart | LineChart | PieChart = BarChart()
        chart.type = "bar" if spec.kind == "bar" else "col"
        chart.grouping = "clustered"
    elif spec.kind == "line":
        chart = LineChart()
    elif spec.kind == "pie":
        chart = PieChart()
    else:
        raise ValueError(f"unknown chart kind {spec.kind!r} in table {table.key!r}")
    values = spec.values[:1] if spec.kind == "pie" else spec.values
    for index in values:
        chart.add_data(Reference(sheet, min_col=index + 1, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=spec.category + 1, min_row=2, max_row=last))
    if table.columns[spec.category].kind == "text":
        for series in chart.series:  # named as texts: a spreadsheet could otherwise number them 1, 2, 3…
            series.cat = AxDataSource(strRef=StrRef(f=series.cat.numRef.f))
    chart.title = spec.title
    chart.width = 18
    chart.height = max(8.0, 0.6 * data_rows) if spec.kind == "bar" else 9.0
    if isinstance(chart, PieChart):
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showPercent = True
        return chart
    # openpyxl 3.1 marks both axes as deleted unless told otherwise: Excel would draw them without labels
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = NUMBER_FORMATS.get(table.columns[values[0]].kind, "General")
    if spec.kind == "bar":  # the first row on top, as in the table, with the amounts still below
        chart.x_axis.scaling.orientation = "maxMin"
        chart.y_axis.crosses = "max"
    if len(values) == 1:
        chart.legend = None
    return chart


# -- the rows left out ---------------------------------------------------------------------------------------------

def _excluded_sheet(sheet: Worksheet, rows: Sequence[ExcludedRow]) -> None:
    sheet["A1"] = ("Ces lignes des registres ne sont pas comptées dans les chiffres du rapport : corrigées dans les "
                   "registres, elles le seront au prochain calcul.")
    sheet["A1"].font = BOLD
    if not rows:
        sheet["A2"] = "Aucune ligne écartée."
        sheet["A2"].font = NOTE_FONT
    header = 3
    # no cell content: the manager receives this sheet, and a cell may hold an applicant's name or address
    titles = ["Fichier", "Feuille", "Ligne", "Colonne", "Raison"]
    _header(sheet, header, titles)
    widths = [len(title) + 2 for title in titles]
    for row_index, excluded in enumerate(rows, start=header + 1):
        values = (excluded.file, excluded.sheet, excluded.row, excluded.column, excluded.reason)
        for column, value in enumerate(values, start=1):
            cell = _put(sheet.cell(row_index, column), plain_value(value))
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "DD/MM/YYYY"
            widths[column - 1] = max(widths[column - 1], _shown_length(cell.value, "text"))
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 70)


# -- cells ---------------------------------------------------------------------------------------------------------

def _header(sheet: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = _put(sheet.cell(row, column), title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)


def plain_value(value: Any) -> Any:
    """A value openpyxl can store: NaN and NaT become empty, numpy and pandas scalars plain Python."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if hasattr(value, "to_pydatetime"):
        return None if str(value) == "NaT" else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (date, datetime)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (float, int, date, datetime)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return None if _missing(value) else str(value)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not a missing scalar
        return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
