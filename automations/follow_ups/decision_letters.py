"""Decision letters: each applicant told the commission's decision, in the letter of its outcome.

A letter is due once the decision is in the register for a session held
within the follow-up window and the applicant was not notified since that
session (a « Notifié le » older than the session is the notice of an earlier
adjournment). It is mailed when the register has the applicant's e-mail
address, else filed in the session's folder to be printed, signed and
posted: that one is only « préparé » (« Préparé le » when the register has
the column), and « Notifié le » waits for staff to post it. A
decision changed after its letter left is never sent again silently: the
change is reported to the manager and a letter marked « rectificatif » is
produced.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from . import correspondence as mailing
from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint, slug
from ..engine.context import Context
from ..domain.decisions import GRANTED, OUTCOME_LABELS, DecisionGroup
from ..domain.words import DECISION, Words
from .. import french
from ..file_names import PART, file_name, inside
from ..engine.journal import Entry
from ..registers.writeback import CellWrite, RowAppend
from ..domain.service import Application
from ..settings.model import FollowUpSettings
from ..transports.base import Address, Delivered, Mail

TEMPLATES = {outcome: f"lettre_{outcome}.docx" for outcome in ("accord", "accord_partiel", "refus", "ajourne")}


def key_of(application: Application, day: date) -> str:
    return f"letter/{slug(application.number)}/{day.isoformat()}"


def facts(application: Application, group: DecisionGroup) -> dict[str, Any]:
    return {"application": application.number, "date": group.date.isoformat(), "decision": application.decision,
            "amount_asked": application.amount_asked, "amount_granted": application.amount_granted,
            "reason": application.reason, "aid_kind": application.aid_kind, "supplier": application.supplier}


def change_note(before: dict[str, Any], after: dict[str, Any], words: Words) -> str:
    parts = []
    if before.get("decision") != after.get("decision"):
        parts.append(f"décision {words.label(DECISION, before.get('decision'), 'vide')} → "
                     f"{words.label(DECISION, after.get('decision'), 'vide')}")
    if before.get("amount_granted") != after.get("amount_granted"):
        parts.append(f"montant accordé {docs.amount(before.get('amount_granted')) or 'vide'} → "
                     f"{docs.amount(after.get('amount_granted')) or 'vide'}")
    for name, label in (("reason", "motif"), ("supplier", "fournisseur"), ("aid_kind", "nature de l'aide")):
        if before.get(name) != after.get(name):
            parts.append(f"{label} modifié")
    return ", ".join(parts) or "décision modifiée"


def plan(group: DecisionGroup, entries: dict[str, Entry], settings: FollowUpSettings, in_window: bool,
         voucher_keys: dict[str, str], result: Plan) -> list[Action]:
    actions: list[Action] = []
    for application in group.applications:
        key = key_of(application, group.date)
        entry = entries.get(key)
        sent = entry if entry is not None and entry.delivered else None
        if not application.decision:
            if sent is not None and sent.payload.get("decision"):
                result.alerts.append(f"{group.label} : la décision du dossier {application.number} a été effacée "
                                     "du registre après l'envoi du courrier ; rien n'est renvoyé, vérifiez le dossier.")
            continue
        stated = facts(application, group)
        if application.decision in GRANTED and not application.amount_granted:
            if in_window or sent is not None:
                result.notices.append(f"{group.label} : dossier {application.number} "
                                      f"(« {group.words.decision(application.decision)} ») sans « Montant accordé » ; "
                                      "son courrier attend que le montant soit saisi.")
            continue
        if sent is None:
            if not in_window or group.notified_since(application):
                continue  # outside the window, or notified by hand
            actions.append(_action(application, group, key, stated, None, settings, voucher_keys))
        elif sent.fingerprint != fingerprint(stated):
            action = _action(application, group, key, stated, sent, settings, voucher_keys)
            where = "envoyé par e-mail" if action.kind == "update" else "à vérifier puis envoyer"
            result.alerts.append(f"{group.label} : décision du dossier {application.number} modifiée après l'envoi "
                                 f"du courrier ({action.subject['change']}) ; un courrier rectificatif est préparé "
                                 f"({where}).")
            actions.append(action)
    return actions


def _action(application: Application, group: DecisionGroup, key: str, stated: dict[str, Any], sent: Entry | None,
            settings: FollowUpSettings, voucher_keys: dict[str, str]) -> Action:
    mailed = bool(application.email) and (sent is None or settings.mail_corrections)
    kind = ("update" if sent else "create") if mailed else "file"
    outcome = group.words.decision(application.decision)
    how = "par e-mail" if mailed else "à imprimer"
    subject: dict[str, Any] = {"application": application, "group": group,
                               "voucher_key": voucher_keys.get(application.number)}
    if sent is None:
        summary = f"Courrier de décision ({outcome}) – dossier {application.number}, {how}"
    else:
        subject["change"] = change_note(sent.payload, stated, group.words)
        subject["previous"] = (sent.updated_at[:10], f"{key}#{sent.revision}")
        summary = f"Courrier rectificatif – dossier {application.number} ({subject['change']}), {how}"
    return Action(key=key, automation="followups", kind=kind, revision=sent.revision + 1 if sent else 0,
                  fingerprint=fingerprint(stated), summary=summary, payload={**stated, "natural": group.natural},
                  subject=subject)


def document_path(ctx: Context, action: Action) -> Path:
    application: Application = action.subject["application"]
    group: DecisionGroup = action.subject["group"]
    outcome = OUTCOME_LABELS[application.decision or ""]
    suffix = f" – rectificatif {action.revision}" if action.revision else ""
    number = file_name(application.number, length=PART)
    return inside(group.folder(ctx), "Courriers", file_name(f"Décision {number} ({outcome}){suffix}", ".docx"))


def template_context(ctx: Context, action: Action) -> dict[str, Any]:
    a: Application = action.subject["application"]
    group: DecisionGroup = action.subject["group"]
    voucher = None
    numbers: mailing.Numbers = action.subject["numbers"]
    if action.subject.get("voucher_key") and a.decision in GRANTED:
        number = numbers.vouchers.existing(f"{action.subject['voucher_key']}#0")
        if number:
            voucher = {"number": number, "valid_until": action.subject.get("voucher_valid_until", "")}
    return {
        **mailing.base_context(ctx, action, group),
        "applicant": {"name": a.applicant, "address": a.address, "commune": a.commune, "email": a.email},
        "application": {"number": a.number, "filed_on": docs.dated(a.filed_on), "scheme": group.scheme_of(a),
                        "aid_kind": a.aid_kind, "amount_asked": docs.amount(a.amount_asked),
                        "amount_granted": docs.amount(a.amount_granted),
                        "amount_granted_words": french.amount_words(a.amount_granted) if a.amount_granted else "",
                        "reason": a.reason, "supplier": a.supplier, "own": a.own},
        "voucher": voucher, "social_worker": a.social_worker,
    }


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    template = TEMPLATES[action.subject["application"].decision]
    return [docs.rendered(ctx, template, document_path(ctx, action), lambda: template_context(ctx, action), fresh)]


def build(ctx: Context, action: Action) -> Mail | Delivered:
    a: Application = action.subject["application"]
    group: DecisionGroup = action.subject["group"]
    [path] = document(ctx, action, fresh=False)
    what = "le courrier rectificatif" if action.revision else "le courrier"
    opening = (f"Vous trouverez ci-joint {what} vous informant de la décision prise sur votre demande d'aide "
               f"n° {a.number} par la séance {french.of_name(group.name)} du {french.date_long(group.date)}.")
    prefix = "Rectificatif – " if action.revision else ""
    return mailing.deliver(ctx, action, path, Address(a.email, a.applicant) if a.email else None,
                           f"{prefix}Votre demande d'aide n° {a.number} – décision de la commission", opening)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    a: Application = action.subject["application"]
    outcome = action.subject["group"].words.decision(a.decision)
    what = "Rectificatif de notification" if action.revision else "Notification de décision"
    cells: list[tuple[Path, CellWrite | RowAppend]] = []
    if a.record is not None:
        # a letter to print has not reached the applicant: staff fill « Notifié le » when they post it
        cells += docs.record_writes(a.record, {"prepared_on" if action.kind == "file" else "notified_on": today})
    return cells + mailing.register_row(action, today, a.applicant, f"{what} ({outcome}) – dossier {a.number}")
