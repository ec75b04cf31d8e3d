"""What the annual activity report is made of, between the figures and the files that show them.

``annual_data.py`` gathers the registers into DataFrames; ``annual_figures.py``
turns them into :class:`AnnualReport` tables; ``annual_workbook.py`` and
``annual_document.py`` (its tables by ``annual_word_tables.py``) write those
tables as an Excel workbook and a Word report, in the words of
``annual_text.py``. Every value in a table is already final (rounded, in
XPF): the writers only format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from ..domain.words import Words

# How a column's values are shown: the writers map each kind to an Excel number format and a French text.
KINDS = ("text", "int", "xpf", "percent", "days", "change")


@dataclass(frozen=True)
class Column:
    title: str  # French header
    kind: str = "text"  # one of KINDS; "percent" and "change" hold fractions (0.25 → 25 %)


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" | "column" | "line" | "pie"
    title: str  # French
    category: int  # index of the column giving the categories (months, schemes...)
    values: tuple[int, ...]  # indexes of the columns drawn as series


@dataclass(frozen=True)
class Table:
    key: str  # short, ASCII, unique: the sheet's name comes from ``title`` but files and tests use this
    title: str  # French, at most 31 characters (an Excel sheet name)
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: Chart | None = None
    note: str = ""  # French, under the table: what it counts and how
    total: bool = False  # the last row is a total (shown in bold)


@dataclass(frozen=True)
class ExcludedRow:
    """A register row the report leaves out, and why: totals can be reconciled with the registers."""

    file: str  # the workbook's name, without its folder
    sheet: str
    row: int | None
    column: str
    reason: str  # French: the kind of problem, never the cell's content (personal data)


@dataclass
class AnnualData:
    """Every register of the mapping, all years and sheets together, one row per record kept.

    Column names are the mapping's field names. Dates are ``datetime64[ns]`` (NaT when
    empty), amounts ``float`` (NaN when empty), texts ``object`` ("" when empty);
    ``decision`` holds ``accord``, ``accord_partiel``, ``refus``, ``ajourne`` or "".
    ``applications`` has at least: number, filed_on, session_date, decision, amount_asked,
    amount_granted, scheme, aid_kind, commune, tribe, district, notified_on,
    voucher_number, supplier. ``sessions``: committee, date, status (``prevue``,
    ``tenue``, ``annulee``, ``reportee``, or "" when the planning has no status column), scheme
    (its committee's, "" when unknown). ``mail_in``: date, number, sender; ``mail_out``: date, reference,
    subject (None when the mapping has no such register).
    """

    applications: pd.DataFrame
    sessions: pd.DataFrame
    mail_in: pd.DataFrame | None = None
    mail_out: pd.DataFrame | None = None
    excluded: list[ExcludedRow] = field(default_factory=list)
    # which place column the registers fill: "commune", else "tribe" / "district" (a CCAS of the Islands)
    place_columns: tuple[str, ...] = ("commune",)
    # the applications' columns the registers keep (None: all): a figure from a column not kept is not available
    kept: frozenset[str] | None = None
    words: Words = field(default_factory=Words)  # the service's words for its decisions
    # the sessions' columns the planning keeps (None: all): without « status », held cannot be told from cancelled
    sessions_kept: frozenset[str] | None = None
    # the incoming-mail register's columns (None: all): without « sender », mail by sender is not available
    mail_in_kept: frozenset[str] | None = None


@dataclass
class AnnualReport:
    year: int
    service: str
    generated_on: date
    key_figures: dict[str, Any]  # for the narrative of the Word report (see annual_figures.KEY_FIGURES)
    tables: list[Table]
    excluded: list[ExcludedRow] = field(default_factory=list)
    # False when no register row is dated in the year: the files say so instead of showing empty tables and zeros
    has_data: bool = True
    # key figures whose column the service does not keep: said « non disponible », never shown as 0
    unavailable: frozenset[str] = frozenset()
    planned: str = ""  # French: the narrative's sentence on sessions planned against held ("" without any)
    mail_answers: str = ""  # French: the narrative's sentence on answers to the year's incoming mail

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)
