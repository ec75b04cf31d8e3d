"""Vouchers (bons alimentaires, and any aid the config lists): numbered, printable, written into the register.

Numbers run per year without holes and are never given twice, even across
a crash between numbering and recording or two runs at once (see
``numbering.py``); the ones staff typed by hand are skipped. Each voucher is
a document for staff to print, sign and hand over, with the amount in
figures and in words, its validity, where it is spent, and a control key
that changes with any digit of the number or the amount.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from . import correspondence as mailing
from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint, slug
from ..engine.context import Context
from ..domain.decisions import GRANTED, DecisionGroup
from .. import french
from ..file_names import PART, file_name, inside
from ..engine.journal import Entry
from ..registers.types import normalize_label
from ..registers.writeback import CellWrite, RowAppend
from ..domain.service import Application, Service
from ..settings.model import FollowUpSettings
from ..transports.base import Delivered

TEMPLATE = "bon_alimentaire.docx"
SERIES = "voucher"


def key_of(application: Application, day: date) -> str:
    return f"voucher/{slug(application.number)}/{day.isoformat()}"


def is_voucher(application: Application, settings: FollowUpSettings) -> bool:
    kinds = {normalize_label(kind) for kind in settings.voucher_aids}
    return settings.vouchers and normalize_label(application.aid_kind) in kinds


def control_key(number: str, amount: int) -> str:
    """Two digits (ISO 7064 mod 97-10, as in an IBAN) over the number's digits and the amount."""
    digits = int("".join(ch for ch in number if ch.isdigit()) + str(amount))
    return f"{98 - (digits * 100) % 97:02d}"


def plan(group: DecisionGroup, entries: dict[str, Entry], settings: FollowUpSettings, in_window: bool,
         today: date, service: Service, result: Plan) -> list[Action]:
    actions: list[Action] = []
    for application in group.decided:
        if not is_voucher(application, settings):
            continue
        key = key_of(application, group.date)
        entry = entries.get(key)
        stated = {"application": application.number, "date": group.date.isoformat(),
                  "amount": application.amount_granted if application.decision in GRANTED else 0,
                  "supplier": application.supplier}
        if entry is not None and entry.delivered:
            if entry.payload.get("amount") != stated["amount"] or entry.payload.get("supplier") != stated["supplier"]:
                result.alerts.append(
                    f"{group.label} : le bon du dossier {application.number} a déjà été émis "
                    f"({docs.amount(entry.payload.get('amount'))}) mais la décision a changé "
                    f"({docs.amount(stated['amount']) or 'aucun montant accordé'}) ; annulez le bon remis "
                    "et émettez-en un nouveau à la main.")
            continue
        if application.voucher_number or not stated["amount"] or not in_window:
            continue  # issued by hand, nothing granted, or an old session
        valid_until = today + timedelta(days=settings.voucher_valid_days)
        actions.append(Action(
            key=key, automation="followups", kind="file", revision=0, fingerprint=fingerprint(stated),
            summary=f"Bon – dossier {application.number} ({docs.amount(stated['amount'])})",
            payload={**stated, "natural": group.natural, "issued_on": today.isoformat(),
                     "valid_until": valid_until.isoformat()},
            subject={"application": application, "group": group, "supplier": service.supplier(application.supplier)}))
    return actions


def number_of(ctx: Context, action: Action) -> str:
    numbers: mailing.Numbers = action.subject["numbers"]
    now = ctx.now()
    return numbers.vouchers.number(action.delivery_id, now.year, now)


def template_context(ctx: Context, action: Action, number: str) -> dict[str, Any]:
    a: Application = action.subject["application"]
    group: DecisionGroup = action.subject["group"]
    amount = int(action.payload["amount"])
    supplier = action.subject.get("supplier")
    return {
        **mailing.base_context(ctx, action, group),
        "voucher": {"number": number, "control_key": control_key(number, amount), "amount": french.amount_xpf(amount),
                    "amount_words": french.amount_words(amount), "aid_kind": a.aid_kind,
                    "issued_on": french.date_medium(date.fromisoformat(action.payload["issued_on"])),
                    "valid_until": french.date_medium(date.fromisoformat(action.payload["valid_until"]))},
        "beneficiary": {"name": a.applicant, "commune": a.commune, "address": a.address},
        "supplier": {"name": supplier.name if supplier else a.supplier, "address": supplier.address if supplier else ""},
        "application": {"number": a.number, "own": a.own},
    }


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    number = number_of(ctx, action)  # given before rendering: a crash here keeps it for this voucher
    group: DecisionGroup = action.subject["group"]
    target = inside(group.folder(ctx), "Bons", file_name(f"Bon {file_name(number, length=PART)}", ".docx"))
    return [docs.rendered(ctx, TEMPLATE, target, lambda: template_context(ctx, action, number), fresh)]


def build(ctx: Context, action: Action) -> Delivered:
    [path] = document(ctx, action, fresh=False)
    return Delivered(reference=str(path))


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    a: Application = action.subject["application"]
    numbers: mailing.Numbers = action.subject["numbers"]
    number = numbers.vouchers.existing(action.delivery_id) or ""
    cells: list[tuple[Path, CellWrite | RowAppend]] = []
    if a.record is not None and number:
        cells += docs.record_writes(a.record, {"voucher_number": number})
    return cells + mailing.register_row(action, today, a.applicant, f"Bon {number} – dossier {a.number}")
