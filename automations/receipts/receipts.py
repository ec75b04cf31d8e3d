"""Acknowledgements of applications (« accusés de réception »), and reminders while documents are missing.

Each application filed on or after ``[receipts] since`` (by default the day
the tool first ran: the register's history is not news to its applicants)
gets one acknowledgement, with the session expected to examine it, its
referent and the documents still missing. It is mailed when the register has
the applicant's address, else filed in « Accusés de réception » and put in the
run's print batch for staff to post, like a decision letter. While the
« missing documents » column still lists something and no decision is
entered, a reminder follows every ``reminder_days`` days after the last
letter. A row whose acknowledgement date staff already filled is left alone.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .expected import Expected, expected
from .. import french
from ..domain import session_documents as docs
from ..domain.service import Application, Service
from ..engine.actions import Action, Plan, fingerprint, slug
from ..engine.attach import attachments_for
from ..engine.context import Context
from ..engine.journal import Entry, Journal
from ..file_names import PART, file_name, inside
from ..registers.writeback import CellWrite, RowAppend
from ..settings.mail_in import since_day
from ..settings.model import ReceiptSettings
from ..transports.base import Address, Delivered, Mail

NAME = "receipts"
LABEL = "Accusés de réception"
FOLDER = "Accusés de réception"
TEMPLATES = {"accuse": "accuse_reception.docx", "relance": "relance_pieces.docx"}
LATER = "date communiquée ultérieurement"

_SEPARATORS = re.compile(r"[,;\n\r]+")


def key_of(application: Application) -> str:
    return f"receipt/{slug(application.number)}"


def missing_documents(application: Application) -> list[str]:
    """The « missing documents » cell as a list: staff separate them by commas, semicolons or line breaks."""
    raw = application.record.get("missing_documents", "") if application.record is not None else ""
    return [part.strip(" .-–•\t") for part in _SEPARATORS.split(str(raw)) if part.strip(" .-–•\t")]


def _filled(application: Application, *names: str) -> bool:
    return application.record is not None and any(application.record.get(n) not in (None, "") for n in names)


def plan_receipts(service: Service, entries: dict[str, Entry], today: date, settings: ReceiptSettings,
                  start: date) -> Plan:
    """``start``: the first day acknowledged when ``since`` is empty (the tool's first run)."""
    result = Plan(NAME)
    since = since_day(settings.since) if settings.since else start
    for application in service.applications:
        if application.filed_on is None or since is None or application.filed_on < since:
            continue
        entry = entries.get(key_of(application))
        sent = entry if entry is not None and entry.delivered else None
        if application.filed_on > today and sent is None:
            result.notices.append(_future(application, application.filed_on))
            continue
        missing = missing_documents(application)
        if sent is None:
            # acknowledged by hand, or already decided: nothing left to acknowledge
            if application.decision or _filled(application, "receipt_sent_on", "receipt_prepared_on"):
                continue
            result.actions.append(_action(application, "accuse", missing, expected(service, application, today),
                                          0, today))
        elif missing and not application.decision:
            last = date.fromisoformat(str(sent.payload.get("on") or sent.updated_at[:10]))
            if (today - last).days >= settings.reminder_days:
                first = str(sent.payload.get("first_on") or sent.payload.get("on") or last.isoformat())
                result.actions.append(_action(application, "relance", missing,
                                              expected(service, application, today), (sent.revision or 0) + 1,
                                              today, first))
    return result


def _future(application: Application, filed: date) -> str:
    """A filing date still to come is a typing slip (2062 for 2026): no applicant is told of it."""
    where = f"dossier {application.number}"
    record = application.record
    if record is not None:
        src = record.source
        where = (f"« {src.file.name} », feuille « {src.sheet} », ligne {src.row}, colonne "
                 f"« {record.headers.get('filed_on', 'filed_on')} »")
    return (f"{where} (valeur « {french.date_short(filed)} ») : date de dépôt à venir ; le dossier "
            f"{application.number} ne reçoit pas d'accusé de réception tant qu'elle n'est pas corrigée.")


def _action(application: Application, kind: str, missing: list[str], where: Expected, revision: int,
            today: date, first_on: str | None = None) -> Action:
    stated = {"number": application.number, "kind": kind, "missing": missing,
              "session_date": where.session.date.isoformat() if where.session else None,
              "committee": where.committee.name if where.committee else None}
    mailed = bool(application.email)
    what = "Accusé de réception" if kind == "accuse" else "Relance pour pièces manquantes"
    how = "par e-mail" if mailed else "à imprimer"
    return Action(key=key_of(application), automation=NAME, kind="create" if mailed else "file", revision=revision,
                  fingerprint=fingerprint(stated), summary=f"{what} – dossier {application.number}, {how}",
                  payload={**stated, "on": today.isoformat(), "first_on": first_on or today.isoformat()},
                  subject={"application": application, "expected": where})


def plan(ctx: Context, service: Service, journal: Journal) -> Plan:
    first = journal.first_run()
    today = ctx.now().date()
    start = first.astimezone(ctx.zone).date() if first else today
    return plan_receipts(service, journal.entries(NAME), today, ctx.config.receipts, start)


def document_path(ctx: Context, action: Action) -> Path:
    application: Application = action.subject["application"]
    number = file_name(application.number, length=PART)
    what = "Accusé de réception" if action.payload["kind"] == "accuse" else f"Relance {action.revision}"
    return inside(ctx.config.paths.output / FOLDER, file_name(f"{what} {number}", ".docx"))


def template_context(ctx: Context, action: Action) -> dict[str, Any]:
    a: Application = action.subject["application"]
    where: Expected = action.subject["expected"]
    committee = where.committee
    session = where.session
    first_on = date.fromisoformat(action.payload["first_on"])
    return {
        "service": docs.service_context(ctx), "letter_date": french.date_medium(ctx.now().date()),
        "reference": "",
        "applicant": {"name": a.applicant, "address": a.address, "commune": a.commune, "email": a.email},
        "application": {"number": a.number, "filed_on": french.date_medium(a.filed_on) if a.filed_on else "",
                        "scheme": a.scheme, "aid_kind": a.aid_kind, "own": a.own},
        "committee": {"name": committee.name, "of_name": french.of_name(committee.name),
                      "own": committee.own} if committee else None,
        "session": {"date_long": french.date_long(session.date), "date_short": french.date_short(session.date),
                    "own": session.own} if session else None,
        "session_date": french.date_long(session.date) if session else LATER,
        "social_worker": a.social_worker, "missing": list(action.payload["missing"]),
        "acknowledged_on": french.date_medium(first_on),
    }


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    template = TEMPLATES[action.payload["kind"]]
    return [docs.rendered(ctx, template, document_path(ctx, action), lambda: template_context(ctx, action), fresh)]


def mail_body(ctx: Context, action: Action) -> str:
    a: Application = action.subject["application"]
    where: Expected = action.subject["expected"]
    missing: list[str] = action.payload["missing"]
    service = ctx.config.service
    if action.payload["kind"] == "accuse":
        lines = [f"Nous avons bien reçu votre demande d'aide n° {a.number}, déposée le "
                 f"{french.date_medium(a.filed_on) if a.filed_on else ''}."]
    else:
        lines = [f"Nous vous avons accusé réception de votre demande d'aide n° {a.number} le "
                 f"{french.date_medium(date.fromisoformat(action.payload['first_on']))} ; "
                 "des pièces nous manquent toujours."]
    if where.session is not None and where.committee is not None:
        lines.append(f"Elle sera examinée lors de la séance {french.of_name(where.committee.name)} du "
                     f"{french.date_long(where.session.date)}.")
    elif where.committee is not None:
        lines.append(f"Elle sera examinée par {where.committee.name} : {LATER}.")
    else:
        lines.append(f"Séance qui l'examinera : {LATER}.")
    if a.social_worker:
        lines.append(f"Votre référent(e) : {a.social_worker}.")
    if missing:
        lines.append("Pièces encore manquantes :\n" + "\n".join(f"- {m}" for m in missing))
    lines.append("Le courrier est joint à ce message.")
    return "Madame, Monsieur,\n\n" + "\n\n".join(lines) + f"\n\n{service.signatory}\n{service.name}"


def build(ctx: Context, action: Action) -> Mail | Delivered:
    a: Application = action.subject["application"]
    [path] = document(ctx, action, fresh=False)
    if action.kind == "file" or not a.email:
        return Delivered(reference=str(path))
    service = ctx.config.service
    subject = (f"Accusé de réception de votre demande d'aide n° {a.number}" if action.payload["kind"] == "accuse"
               else f"Relance : pièces manquantes à votre demande d'aide n° {a.number}")
    return Mail(delivery_id=action.delivery_id, subject=subject, sender=Address(service.email, service.name),
                to=(Address(a.email, a.applicant),), body_text=mail_body(ctx, action),
                attachments=attachments_for(ctx, [path]))


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite | RowAppend]]:
    a: Application = action.subject["application"]
    if a.record is None:
        return []
    if action.payload["kind"] == "relance":
        # « Relance le » says when the last reminder was mailed or prepared; the journal tells which
        return list(docs.record_writes(a.record, {"reminder_sent_on": today}))
    # a letter to print has not reached the applicant: only a mailed one is « envoyé »
    return list(docs.record_writes(a.record, {"receipt_prepared_on" if action.kind == "file" else "receipt_sent_on":
                                              today}))
