"""The mail registers. Outgoing (courrier départ): one row appended per letter, notice or voucher that leaves;
incoming (courrier arrivé): one row per mail or scanned letter received.

Rows are only ever appended, below the last one staff typed, in the sheet
that holds this year's entries (or the last sheet of the register); existing
rows are never touched. The row's number is the register's own series
(``D2026-0042``), printed on the document as its reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..registers.reader import Layout, Registers
from ..registers.writeback import RowAppend


@dataclass(frozen=True)
class OutgoingRegister:
    layout: Layout
    numbers: tuple[str, ...]  # numbers already in the register, so none is given twice

    def row(self, number: str, day: date, recipient: str, subject: str, author: str) -> tuple[Path, RowAppend]:
        headers = self.layout.headers
        values = {"date": day, "number": number, "recipient": recipient, "subject": subject, "author": author}
        cells = tuple((headers[name], value) for name, value in values.items() if name in headers)
        return self.layout.file, RowAppend(sheet=self.layout.sheet, header_row=self.layout.header_row,
                                           values=cells, unique=(headers["number"], number))


def _target(registers: Registers, role: str, today: date) -> Layout | None:
    """The sheet of ``role`` new rows go to: the one holding this year's latest entry, or the last read."""
    layouts = [layout for layout in registers.layouts.get(role, []) if "number" in layout.headers]
    if not layouts:
        return None
    records = registers.of(role)

    def latest(layout: Layout) -> tuple[bool, date]:
        # the sheet holding this year's most recent entry; a register kept one workbook per year moves on by itself
        days = [r.get("date") for r in records
                if r.source.file == layout.file and r.source.sheet == layout.sheet and r.get("date")]
        last = max(days, default=date.min)
        return last.year == today.year, last

    return max(reversed(layouts), key=latest)  # ties: the last sheet read


def outgoing_register(registers: Registers, today: date) -> OutgoingRegister | None:
    """The sheet new rows go to, or None when the mapping has no outgoing-mail register with a number column."""
    target = _target(registers, "mail_out", today)
    if target is None:
        return None
    return OutgoingRegister(target, tuple(str(r.get("number")) for r in registers.of("mail_out") if r.get("number")))


@dataclass(frozen=True)
class IncomingRegister:
    """The incoming-mail register (courrier arrivé): one row appended per mail or scanned letter registered."""

    layout: Layout
    numbers: tuple[str, ...]  # numbers already in the register: the series continues after them

    def row(self, number: str, day: date, sender: str, subject: str, attachments: str,
            notes: str) -> tuple[Path, RowAppend]:
        headers = self.layout.headers
        values = {"date": day, "number": number, "sender": sender, "subject": subject, "attachments": attachments,
                  "notes": notes}
        cells = tuple((headers[name], value) for name, value in values.items() if name in headers and value != "")
        return self.layout.file, RowAppend(sheet=self.layout.sheet, header_row=self.layout.header_row,
                                           values=cells, unique=(headers["number"], number))


def incoming_register(registers: Registers, today: date) -> IncomingRegister | None:
    """Where received mail is registered, or None when the mapping has no incoming-mail register with a number."""
    target = _target(registers, "mail_in", today)
    if target is None:
        return None
    return IncomingRegister(target, tuple(str(r.get("number")) for r in registers.of("mail_in") if r.get("number")))
