"""Supplier notices: each supplier told, per session, which aids it will be paid or honour, with the total.

A notice waits until every application of the session has its decision, so
a supplier gets one notice per session rather than a trickle. It goes to
the supplier's address from the suppliers register; a supplier absent from
it, or without an address, gets a notice filed for the post (and ``check``
reports the register's gap). A notice that changes after it left is
reported and produced again marked « rectificatif ».
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from . import correspondence as mailing
from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint, slug
from ..engine.context import Context
from ..domain.decisions import DecisionGroup, granted
from .. import french
from ..file_names import PART, file_name, inside
from ..engine.journal import Entry
from ..registers.types import normalize_label
from ..registers.writeback import CellWrite, RowAppend
from ..domain.service import Application, Service, Supplier
from ..settings.model import FollowUpSettings
from ..transports.base import Address, Delivered, Mail
from ..french import plural

TEMPLATE = "avis_fournisseur.docx"


def key_of(group: DecisionGroup, supplier: str) -> str:
    return f"notice/{group.natural}/{slug(supplier)}"


def plan(group: DecisionGroup, entries: dict[str, Entry], settings: FollowUpSettings, in_window: bool,
         service: Service, letters_sent: set[str], result: Plan) -> list[Action]:
    by_supplier: dict[str, list[Application]] = {}
    for application in group.decided:
        if application.supplier and granted(application) > 0:
            by_supplier.setdefault(normalize_label(application.supplier), []).append(application)
    if group.undecided and by_supplier and in_window:
        result.notices.append(f"{group.label} : {plural(len(group.undecided), 'dossier', 'dossiers')} "
                              "sans décision ; les avis aux fournisseurs partiront quand toutes les décisions "
                              "seront saisies.")
        return []
    actions: list[Action] = []
    for applications in by_supplier.values():
        name = applications[0].supplier
        key = key_of(group, name)
        entry = entries.get(key)
        sent = entry if entry is not None and entry.delivered else None
        rows = sorted([a.number, granted(a), a.aid_kind] for a in applications)
        stated = {"supplier": name, "date": group.date.isoformat(), "rows": rows}
        if sent is None:
            by_hand = all(group.notified_since(a) and a.number not in letters_sent
                          for a in applications)
            if not in_window or by_hand:
                continue  # an old session, or one whose follow-ups were done by hand
        elif sent.fingerprint == fingerprint(stated):
            continue
        supplier = service.supplier(name)
        mailed = bool(supplier and supplier.email) and (sent is None or settings.mail_corrections)
        kind = ("update" if sent else "create") if mailed else "file"
        total = sum(r[1] for r in rows)
        how = "par e-mail" if mailed else "à imprimer et poster"
        subject: dict[str, Any] = {"group": group, "supplier": supplier, "name": name,
                                   "applications": sorted(applications, key=lambda a: french.reference_order(a.number))}
        summary = (f"Avis au fournisseur {name} – {group.label} "
                   f"({plural(len(rows), 'aide', 'aides')}, {french.amount_xpf(total)}), {how}")
        if sent is not None:
            subject["change"] = "la liste des aides accordées a été modifiée"
            subject["previous"] = (sent.updated_at[:10], f"{key}#{sent.revision}")
            summary = f"Avis rectificatif au fournisseur {name} – {group.label}, {how}"
            result.alerts.append(f"{group.label} : les aides accordées payables à {name} ont changé après l'envoi de "
                                 f"l'avis ; un avis rectificatif est préparé "
                                 f"({'envoyé par e-mail' if mailed else 'à vérifier puis envoyer'}).")
        actions.append(Action(key=key, automation="followups", kind=kind, revision=sent.revision + 1 if sent else 0,
                              fingerprint=fingerprint(stated), summary=summary,
                              payload={**stated, "natural": group.natural}, subject=subject))
    return actions


def document_path(ctx: Context, action: Action) -> Path:
    group: DecisionGroup = action.subject["group"]
    suffix = f" – rectificatif {action.revision}" if action.revision else ""
    name = file_name(action.subject["name"], length=PART)
    return inside(group.folder(ctx), "Fournisseurs",
                  file_name(f"Avis {name} {group.date.strftime('%d-%m-%Y')}{suffix}", ".docx"))


def template_context(ctx: Context, action: Action) -> dict[str, Any]:
    group: DecisionGroup = action.subject["group"]
    supplier: Supplier | None = action.subject["supplier"]
    numbers: mailing.Numbers = action.subject["numbers"]
    voucher_keys: dict[str, str] = action.subject.get("voucher_keys", {})
    rows = []
    for index, a in enumerate(action.subject["applications"], 1):
        key = voucher_keys.get(a.number)
        voucher = (numbers.vouchers.existing(f"{key}#0") if key else None) or a.voucher_number
        rows.append({"index": index, "number": a.number, "beneficiary": a.applicant, "aid_kind": a.aid_kind,
                     "amount": docs.amount(granted(a)), "voucher_number": voucher or "", "own": a.own})
    total = sum(granted(a) for a in action.subject["applications"])
    return {
        **mailing.base_context(ctx, action, group),
        "supplier": {"name": action.subject["name"], "address": supplier.address if supplier else "",
                     "email": supplier.email if supplier else "", "ridet": supplier.ridet if supplier else "",
                     "own": supplier.own if supplier else {}},
        "rows": rows, "count": len(rows), "total": french.amount_xpf(total), "total_words": french.amount_words(total),
        "has_vouchers": any(r["voucher_number"] for r in rows),
    }


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    return [docs.rendered(ctx, TEMPLATE, document_path(ctx, action), lambda: template_context(ctx, action), fresh)]


def build(ctx: Context, action: Action) -> Mail | Delivered:
    group: DecisionGroup = action.subject["group"]
    supplier: Supplier | None = action.subject["supplier"]
    [path] = document(ctx, action, fresh=False)
    what = "l'avis rectificatif" if action.revision else "l'avis"
    opening = (f"Vous trouverez ci-joint {what} des aides accordées par la séance {french.of_name(group.name)} "
               f"du {french.date_long(group.date)} qui vous seront réglées ou que vous honorerez.")
    prefix = "Rectificatif – " if action.revision else ""
    to = Address(supplier.email, supplier.name) if supplier and supplier.email else None
    return mailing.deliver(ctx, action, path, to,
                           f"{prefix}Aides accordées – {group.name} – séance du {french.date_short(group.date)}",
                           opening)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    group: DecisionGroup = action.subject["group"]
    what = "Avis rectificatif" if action.revision else "Information fournisseur"
    return mailing.register_row(action, today, action.subject["name"],
                                f"{what} – aides accordées le {french.date_short(group.date)}")
