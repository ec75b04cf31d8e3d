"""What the write-back reads of one sheet before writing into it.

The header rows, the columns the writes name (to find a record's row again, or
to see whether an appended row is already there), the last row of the
register, its formula cells and its merged cells. calamine parses the sheet,
which it must do anyway; its rows are walked twice (the header rows, then
the whole sheet keeping only the columns asked for), so a register of 200,000
rows is never held as Python objects, as openpyxl's load of the whole
workbook did (2 GB). Values are those Excel last computed, as the reader reads
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from . import container
from .calamine_rows import read_rows
from .types import normalize_label

# a formula no spreadsheet computed: its value can neither match nor mismatch
UNKNOWN = object()


@dataclass(frozen=True)
class Merged:
    """A merged range, 1-based and inclusive."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    def holds(self, row: int, column: int) -> bool:
        return self.min_row <= row <= self.max_row and self.min_col <= column <= self.max_col


@dataclass
class SheetView:
    path: Path
    name: str
    sheet: Any  # calamine's parsed sheet
    merged: list[Merged]
    formulas: dict[tuple[int, int], str | None]  # 1-based cell -> None computed, "" never computed, "#REF!"...
    headers: dict[int, dict[str, int]] = field(default_factory=dict)  # header row -> label -> column
    columns: dict[int, dict[int, Any]] = field(default_factory=dict)  # column -> row -> value, the columns read
    last: dict[int, tuple[int, int, Any]] = field(default_factory=dict)  # header row -> last (row, column, value)

    def value(self, row: int, column: int) -> Any:
        formula = self.formulas.get((row, column), None)
        if formula == "":
            return UNKNOWN
        if formula:
            return formula  # an error, as Excel shows it
        return self.columns.get(column, {}).get(row)

    def rows_below(self, row: int, columns: Iterable[int]) -> list[int]:
        """Rows under ``row`` holding something in one of ``columns``."""
        found = {r for c in columns for r in self.columns.get(c, {}) if r > row}
        found |= {r for (r, c) in self.formulas if r > row and c in set(columns)}
        return sorted(found)

    def merged_at(self, row: int, column: int) -> Merged | None:
        return next((m for m in self.merged if m.holds(row, column)), None)


def read_view(path: Path, name: str, header_rows: set[int],
              wanted: Callable[[dict[int, dict[str, int]]], set[int]]) -> SheetView:
    """The sheet's headers on ``header_rows``, then the columns ``wanted`` picks from them, read whole."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name)
    merged = [Merged(top + 1, left + 1, bottom + 1, right + 1)
              for (top, left), (bottom, right) in (sheet.merged_cell_ranges or [])]
    formulas = {(r + 1, c + 1): code for (r, c), code in container.formula_cells(path, name).items()}
    view = SheetView(path, name, sheet, merged, formulas)
    view.headers = read_rows(path, name, sheet, lambda s: _headers(s, header_rows, merged))
    columns = wanted(view.headers)
    spans = {row: set(labels.values()) for row, labels in view.headers.items()}
    view.columns, view.last = read_rows(path, name, sheet, lambda s: _columns(s, columns, spans))
    for header_row, span in spans.items():
        # formulas filled down in advance are rows of the register too: a new row goes below them
        below = [(row, column) for row, column in formulas if column in span]
        end = view.last.get(header_row, (0, 0, None))
        if below and max(below)[0] > end[0]:
            row = max(below)[0]
            view.last[header_row] = (row, min(c for r, c in below if r == row), "formule")
    return view


def _rows(sheet: Any) -> Iterator[tuple[int, int, list[Any]]]:
    """(1-based row, column of the row's first value, values): calamine's rows start at the sheet's first
    row but at its first used column."""
    first = None
    for number, values in enumerate(sheet.iter_rows(), 1):
        if first is None:
            first = sheet.end[1] + 2 - len(values) if values else 1
        yield number, first, values


def _headers(sheet: Any, header_rows: set[int], merged: list[Merged]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {row: {} for row in header_rows}
    tops: dict[tuple[int, int], Any] = {}
    wanted_tops = {(m.min_row, m.min_col): m for m in merged
                   if any(m.min_row < row <= m.max_row for row in header_rows)}
    last = max(header_rows, default=0)
    for number, first, values in _rows(sheet):
        if number > last:
            break  # calamine hands rows over one at a time: the rest of the sheet is not turned into Python
        for offset, value in enumerate(values):
            column = first + offset
            if (number, column) in wanted_tops:
                tops[(number, column)] = value
            if number in found and value not in (None, ""):
                found[number].setdefault(normalize_label(str(value)), column)  # the first one, as the reader does
    for (row, column), merge in wanted_tops.items():
        top = tops.get((row, column))
        if top in (None, ""):
            continue
        for header_row in header_rows:
            # a header merged down over two rows names its column on both, as the reader reads it
            if merge.min_row < header_row <= merge.max_row:
                found[header_row].setdefault(normalize_label(str(top)), merge.min_col)
    return found


def _columns(sheet: Any, columns: set[int], spans: dict[int, set[int]]
             ) -> tuple[dict[int, dict[int, Any]], dict[int, tuple[int, int, Any]]]:
    kept: dict[int, dict[int, Any]] = {column: {} for column in columns}
    # the register's last row: a note typed far below, beside its columns, is not one of its rows
    every = set().union(*spans.values()) if spans else set()
    last_by_column: dict[int, tuple[int, Any]] = {}
    for number, first, values in _rows(sheet):
        for offset, value in enumerate(values):
            if value is None or value == "":
                continue
            column = first + offset
            if column in kept:
                kept[column][number] = value
            if column in every:
                last_by_column[column] = (number, value)
    last: dict[int, tuple[int, int, Any]] = {}
    for header_row, span in spans.items():
        ends = [(row, column, value) for column, (row, value) in last_by_column.items() if column in span]
        if ends:
            # the lowest row, its leftmost filled cell
            last[header_row] = min(ends, key=lambda end: (-end[0], end[1]))
    return kept, last
