"""A service whose applications register keeps the acknowledgement columns: missing documents, the dates."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date, datetime
from email.message import Message
from pathlib import Path

import openpyxl

from automations.cli import commands
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..follow_up_factory import HEADER, make_follow_up_service

COLUMNS = ["Pièces manquantes", "Accusé envoyé le", "Accusé préparé le", "Relance le"]
MAPPING_FIELDS = """\
missing_documents = { headers = ["Pièces manquantes"], type = "text" }
receipt_sent_on = { headers = ["Accusé envoyé le"], type = "date", write_back = true }
receipt_prepared_on = { headers = ["Accusé préparé le"], type = "date", write_back = true }
reminder_sent_on = { headers = ["Relance le"], type = "date", write_back = true }
"""
RECEIPTS = """
[receipts]
enabled = true
reminder_days = 10
since = "15/11/2026"
"""
REGISTER = "Registre des demandes 2026.xlsx"


def new_application(number: str, last: str, first: str, filed: date, missing: str | None,
                    email_address: str | None = None, decision: str | None = None) -> list[object]:
    """A row in HEADER + COLUMNS order: filed, no session date yet, not decided unless said."""
    return [number, filed, last, first, "Dumbéa", "Maintien dans le logement", "Impayés de loyer", 99000,
            "Mme Tein", None, decision, None, None, None, None, None, email_address, "12 rue des Cocotiers",
            None, None, missing, None, None, None]


def new_applications() -> list[list[object]]:
    """Two mailed acknowledgements (one complete file), one printed, one row before ``since``, one decided."""
    return [
        new_application("DEL-2026-0401", "WAHEO", "Gaëlle", date(2026, 11, 20),
                        "Avis d'imposition 2025; Quittance de loyer d'octobre\nRIB", "gaelle.waheo@mail.nc"),
        new_application("DEL-2026-0402", "GOPE", "Sione", date(2026, 11, 18), "Justificatif de domicile"),
        new_application("DEL-2026-0403", "TROLUE", "Malia", date(2026, 11, 19), None, "malia.trolue@mail.nc"),
        # filed before [receipts] since: the register's history
        new_application("DEL-2026-0390", "SAKO", "Yann", date(2026, 11, 10), "RIB", "yann.sako@mail.nc"),
        # decided already: nothing to acknowledge
        new_application("DEL-2026-0404", "POADJA", "Marie", date(2026, 11, 20), "RIB", "marie.poadja@mail.nc",
                        decision="Refus"),
    ]


def make_receipt_service(folder: Path, rows: list[list[object]], extra: str = RECEIPTS) -> Path:
    config = make_follow_up_service(folder, rows=[], extra=extra)
    mapping = folder / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    anchor = 'address = { headers = ["Adresse"], type = "text" }\n'
    mapping.write_text(text.replace(anchor, anchor + MAPPING_FIELDS, 1), encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append([*HEADER, *COLUMNS])
    for row in rows:
        ws.append(row)
    wb.save(folder / "registres" / REGISTER)
    return config


def at(day: date, hour: int = 7, minute: int = 30) -> FakeClock:
    return FakeClock(datetime(day.year, day.month, day.day, hour, minute, tzinfo=NOUMEA))


def run(config: Path, clock: FakeClock, what: str = "receipts") -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=clock, out=io.StringIO())
    commands.run(ctx, what)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def sent_mails(folder: Path) -> list[Message]:
    paths = sorted((folder / "boite-d-envoi").rglob("*.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]


def body(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8").replace("\r\n", "\n")


def attachment_names(message: Message) -> list[str]:
    return [p.get_filename() for p in message.walk() if p.get_filename()]


def register(folder: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "registres" / REGISTER)["Demandes"]
    header = [c.value for c in ws[1]]
    return {row[0]: dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True) if row[0]}


def set_cells(folder: Path, number: str, **cells: object) -> None:
    path = folder / "registres" / REGISTER
    wb = openpyxl.load_workbook(path)
    ws = wb["Demandes"]
    columns = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == number)
    for header, value in cells.items():
        ws.cell(row=row, column=columns[header.replace("_", " ")]).value = value  # None empties it
    wb.save(path)
