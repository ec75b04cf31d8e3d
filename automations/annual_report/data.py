"""Every register of the mapping gathered for the annual report: all years, all sheets, in DataFrames.

The registers are read through the mapping as for every automation, so the
report counts exactly the rows the automations see; each row left out (a
cell that cannot be read, a line typed twice) is listed with its finding, so
the report's totals can be reconciled with the registers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from .model import AnnualData, ExcludedRow
from ..domain.words import Words
from ..registers.findings import Finding, Severity
from ..registers.reader import Registers
from ..registers.types import normalize_label
from ..settings import Config

APPLICATION_COLUMNS = {
    "number": "text", "filed_on": "date", "session_date": "date", "decision": "text", "amount_asked": "amount",
    "amount_granted": "amount", "scheme": "text", "aid_kind": "text", "commune": "text", "tribe": "text",
    "district": "text", "notified_on": "date", "voucher_number": "text", "supplier": "text", "handed_on": "date",
}
SESSION_COLUMNS = {"committee": "text", "date": "date", "status": "text", "scheme": "text"}
# the incoming mail by sender and its answers: the outgoing row that cites its number (« V/Réf » or subject)
MAIL_COLUMNS = {"mail_in": {"date": "date", "number": "text", "sender": "text"},
                "mail_out": {"date": "date", "reference": "text", "subject": "text"}}
ROLES = ("applications", "sessions", "mail_in", "mail_out")
EMAIL = re.compile(r"[^\s@«»<>()]+@[^\s@«»<>()]+")


def _frame(records: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    for name, kind in columns.items():
        if kind == "date":
            frame[name] = pd.to_datetime(frame[name], errors="coerce").astype("datetime64[ns]")
        elif kind == "amount":
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        else:
            frame[name] = frame[name].fillna("").astype(str).str.strip()
    return frame


def _values(registers: Registers, role: str, columns: dict[str, str]) -> list[dict[str, Any]]:
    return [{name: record.values.get(name) for name in columns} for record in registers.of(role)]


def excluded_rows(findings: list[Finding]) -> list[ExcludedRow]:
    """The rows a finding left out of the registers: an error on a row, not on a whole file.

    The manager receives this list: it names the workbook (not where the server keeps it), the sheet, row and
    column and the kind of problem, never what the cell holds (an applicant's name or e-mail address).
    """
    return [ExcludedRow(file=Path(f.file).name, sheet=f.sheet or "", row=f.row, column=f.column or "",
                        reason=_without_value(f.reason, f.value))
            for f in findings if f.severity is Severity.ERROR and f.row is not None]


def _without_value(reason: str, value: Any) -> str:
    """``reason`` with the cell's content and any e-mail address blanked: a reason says what kind of problem."""
    text = str(value).strip() if value is not None else ""
    if len(text) >= 3:  # whole words only: a mistyped choice must not blank the accepted values it resembles
        reason = re.sub(rf"(?<!\w){re.escape(text)}(?!\w)", "…", reason)
    return EMAIL.sub("…", reason)


def gather(registers: Registers, config: Config) -> AnnualData:
    applications = _frame(_values(registers, "applications", APPLICATION_COLUMNS), APPLICATION_COLUMNS)
    # a register without a scheme column belongs to the service's only scheme (a CCAS's commission)
    schemes = {c.scheme for c in config.committees if c.scheme}
    schemes |= {str(r.get("scheme")) for r in registers.of("committees") if r.get("scheme")}
    if len(schemes) == 1:
        applications.loc[applications["scheme"] == "", "scheme"] = next(iter(schemes))
    places = ("commune",) if (applications["commune"] != "").any() or applications.empty else tuple(
        p for p in ("tribe", "district") if (applications[p] != "").any()) or ("commune",)
    mail = {role: _frame(_values(registers, role, MAIL_COLUMNS[role]), MAIL_COLUMNS[role])
            if role in registers.records else None for role in ("mail_in", "mail_out")}
    sessions = _frame(_values(registers, "sessions", SESSION_COLUMNS), SESSION_COLUMNS)
    # a session examines the applications of its committee's scheme (as Service.applications_of pairs them)
    of_committee = {normalize_label(c.name): c.scheme for c in config.committees if c.name}
    of_committee |= {normalize_label(str(r.get("name"))): str(r.get("scheme") or "")
                     for r in registers.of("committees") if r.get("name")}
    sessions["scheme"] = sessions["committee"].map(lambda name: of_committee.get(normalize_label(name), ""))
    return AnnualData(
        applications=applications, sessions=sessions,
        mail_in=mail["mail_in"], mail_out=mail["mail_out"], excluded=excluded_rows(registers.findings),
        place_columns=places, kept=frozenset(name for layout in registers.layouts.get("applications", [])
                                             for name in layout.headers),
        words=Words(registers.labels),
        sessions_kept=frozenset(name for layout in registers.layouts.get("sessions", []) for name in layout.headers),
        mail_in_kept=frozenset(name for layout in registers.layouts.get("mail_in", []) for name in layout.headers))
