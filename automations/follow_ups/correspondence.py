"""What the follow-up documents share: their reference number, their header, how they leave, their register row.

Each letter, notice or voucher takes the next number of the outgoing-mail
register when the service keeps one; the number is printed on the document
and the row appended to the register once the document is mailed or prepared.
A document for someone without an e-mail address is filed in the session's
folder for staff to print, sign and post: its row is dated the day it was
prepared and says it has not left yet. The others are mailed with it attached.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ..engine.actions import Action
from ..engine.context import Context
from ..domain.decisions import DecisionGroup
from .. import french
from ..engine.attach import attachments_for
from ..domain.session_documents import service_context
from ..domain.mail_register import OutgoingRegister
from .numbering import Numbering
from ..registers.writeback import RowAppend
from ..transports.base import Address, Delivered, Mail

NOT_YET_POSTED = "préparé pour impression, pas encore parti"  # ends the outgoing-register row of a filed document


@dataclass
class Numbers:
    """The run's numbering: vouchers, and outgoing mail when the mapping has its register."""

    vouchers: Numbering
    outgoing: Numbering | None
    register: OutgoingRegister | None
    author: str


def reference(ctx: Context, action: Action) -> str:
    """The outgoing-mail number of this delivery, given the first time it is asked for."""
    numbers: Numbers = action.subject["numbers"]
    if numbers.outgoing is None:
        return ""
    now = ctx.now()
    return numbers.outgoing.number(action.delivery_id, now.year, now)


def register_row(action: Action, today: date, recipient: str, subject: str) -> list[tuple[Path, RowAppend]]:
    numbers: Numbers = action.subject["numbers"]
    if numbers.register is None or numbers.outgoing is None:
        return []
    # the number printed on the document; given here only if the document was never rendered
    number = numbers.outgoing.existing(action.delivery_id) or numbers.outgoing.number(
        action.delivery_id, today.year, datetime.combine(today, time()))
    if action.kind == "file":
        # the number is printed on the document, so its row is written now; the row says it has not left yet
        subject = f"{subject} – {NOT_YET_POSTED}"
    return [numbers.register.row(number, today, recipient, subject, numbers.author)]


def is_correction(action: Action) -> bool:
    return action.revision > 0


def base_context(ctx: Context, action: Action, group: DecisionGroup) -> dict[str, Any]:
    previous = action.subject.get("previous")  # (day, delivery id) of the document corrected
    numbers: Numbers = action.subject["numbers"]
    note = ""
    if is_correction(action) and previous:
        when, owner = previous
        ref = numbers.outgoing.existing(owner) if numbers.outgoing else None
        note = (f"Ce courrier annule et remplace celui du {french.date_medium(date.fromisoformat(when))}"
                f"{f' (réf. {ref})' if ref else ''} : {action.subject.get('change', 'la décision a été modifiée')}.")
    return {
        "service": service_context(ctx),
        "letter_date": french.date_medium(ctx.now().date()), "reference": reference(ctx, action),
        "correction": is_correction(action), "correction_note": note,
        "committee": {"name": group.name, "scheme": group.committee.scheme if group.committee else "",
                      "of_name": french.of_name(group.name), "own": group.committee.own if group.committee else {}},
        "session": {"date_long": french.date_long(group.date), "date_short": french.date_short(group.date),
                    "own": group.session.own if group.session else {}},
    }


def deliver(ctx: Context, action: Action, document: Path, to: Address | None, subject: str,
            opening: str) -> Mail | Delivered:
    """The document mailed to ``to``, or filed for the post when the action is a ``file`` one."""
    if action.kind == "file" or to is None:
        return Delivered(reference=str(document))
    service = ctx.config.service
    body = f"Madame, Monsieur,\n\n{opening}\n\n{service.signatory}\n{service.name}"
    return Mail(delivery_id=action.delivery_id, subject=subject, sender=Address(service.email, service.name),
                to=(to,), body_text=body, attachments=attachments_for(ctx, [document]))
