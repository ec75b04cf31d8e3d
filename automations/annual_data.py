"""Every register of the mapping gathered for the annual report: all years, all sheets, in DataFrames.

The registers are read through the mapping as for every automation, so the
report counts exactly the rows the automations see; each row left out (a
cell that cannot be read, a line typed twice) is listed with its finding, so
the report's totals can be reconciled with the registers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from .annual_model import AnnualData, ExcludedRow
from .registers.findings import Finding, Severity
from .registers.reader import Registers
from .settings import Config

APPLICATION_COLUMNS = {
    "number": "text", "filed_on": "date", "session_date": "date", "decision": "text", "amount_asked": "amount",
    "amount_granted": "amount", "scheme": "text", "aid_kind": "text", "commune": "text", "tribe": "text",
    "district": "text", "notified_on": "date", "voucher_number": "text", "supplier": "text", "handed_on": "date",
}
SESSION_COLUMNS = {"committee": "text", "date": "date", "status": "text"}
MAIL_COLUMNS = {"date": "date"}
ROLES = ("applications", "sessions", "mail_in", "mail_out")


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
    """The rows a finding left out of the registers: an error on a row, not on a whole file."""
    return [ExcludedRow(file=f.file, sheet=f.sheet or "", row=f.row, column=f.column or "", value=f.value,
                        reason=f.reason)
            for f in findings if f.severity is Severity.ERROR and f.row is not None]


def gather(registers: Registers, config: Config, today: date) -> AnnualData:
    applications = _frame(_values(registers, "applications", APPLICATION_COLUMNS), APPLICATION_COLUMNS)
    # a register without a scheme column belongs to the service's only scheme (a CCAS's commission)
    schemes = {c.scheme for c in config.committees if c.scheme}
    schemes |= {str(r.get("scheme")) for r in registers.of("committees") if r.get("scheme")}
    if len(schemes) == 1:
        applications.loc[applications["scheme"] == "", "scheme"] = next(iter(schemes))
    places = ("commune",) if (applications["commune"] != "").any() or applications.empty else tuple(
        p for p in ("tribe", "district") if (applications[p] != "").any()) or ("commune",)
    mail = {role: _frame(_values(registers, role, MAIL_COLUMNS), MAIL_COLUMNS)
            if role in registers.records else None for role in ("mail_in", "mail_out")}
    sessions = _frame(_values(registers, "sessions", SESSION_COLUMNS), SESSION_COLUMNS)
    # a planning without a status column (a CCAS's list of sessions): a past session was held
    unknown = sessions["status"] == ""
    sessions.loc[unknown, "status"] = (sessions.loc[unknown, "date"] <= pd.Timestamp(today)).map(
        {True: "tenue", False: "prevue"})
    return AnnualData(
        applications=applications, sessions=sessions,
        mail_in=mail["mail_in"], mail_out=mail["mail_out"], excluded=excluded_rows(registers.findings),
        place_columns=places)
