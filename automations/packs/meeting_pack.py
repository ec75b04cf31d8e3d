"""Meeting packs: before each session, the dossier de séance mailed to the committee's members.

``plan`` is pure: a pack is due inside the committee's own lead time, once;
it is sent again as an update when applications are added to the session or
withdrawn from it, and the mail says which. ``document`` renders the pack
(cover, agenda, summary table, a page per application), anonymised when the
committee asks for it; ``build`` makes the mail.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from .. import french
from ..engine.attach import attachments_for
from ..engine.journal import Entry
from ..registers.writeback import CellWrite
from ..domain.service import Application, Service, Session
from ..domain.words import Words
from ..transports.base import Address, Mail
from ..french import plural

NAME = "packs"
LABEL = "Dossiers de séance"
TEMPLATE = "dossier_seance.docx"


def key_of(session: Session) -> str:
    return f"pack/{docs.natural_key(session)}"


def plan(service: Service, entries: dict[str, Entry], now: datetime) -> Plan:
    result = Plan(NAME)
    for session in service.sessions:
        start = session.start(now.tzinfo)  # type: ignore[arg-type]
        if session.status != "prevue" or start is None or start <= now:
            continue
        entry = entries.get(key_of(session))
        delivered = entry is not None and entry.delivered
        if not delivered and (session.pack_sent_on is not None  # sent by hand before the tool
                              or (session.date - now.date()).days > session.committee.pack_days):
            continue
        action = _plan_session(session, entry if delivered else None, service, result)
        if action is not None:
            result.actions.append(action)
    return result


def _plan_session(session: Session, entry: Entry | None, service: Service, result: Plan) -> Action | None:
    label = docs.label(session)
    applications = service.applications_of(session)
    members = [m for m in service.members_of(session.committee) if m.email]
    if not applications:
        if entry is None:
            result.notices.append(f"{label} : aucun dossier inscrit (colonne « Date commission » du registre "
                                  "des demandes) ; dossier de séance non envoyé.")
        return None
    if not members:
        result.notices.append(f"{label} : aucun membre avec une adresse e-mail ; dossier de séance non envoyé.")
        return None
    numbers = sorted(a.number for a in applications)
    facts = {"committee": session.committee.name, "date": session.date.isoformat(), "numbers": numbers,
             "anonymised": session.committee.anonymise}
    stamp = fingerprint(facts)
    if entry is not None and stamp == entry.fingerprint:
        return None
    before = entry.payload.get("numbers", []) if entry is not None else []
    # the fingerprint keeps the text order the journal already holds; what is printed goes in a reader's order
    added = french.by_reference(n for n in numbers if n not in before)
    removed = french.by_reference(n for n in before if n not in numbers)
    # the committee's choice changed since the last pack: said, as "contenu modifié" would tell nothing
    anonymity = (facts["anonymised"] if entry is not None and "anonymised" in entry.payload
                 and entry.payload["anonymised"] != facts["anonymised"] else None)
    summary = f"Dossier de séance – {label} ({plural(len(numbers), 'dossier', 'dossiers')})"
    if entry is not None:
        summary = f"Mise à jour du dossier de séance – {label} : {change_note(added, removed, anonymity)}"
    return Action(key=key_of(session), automation=NAME, kind="update" if entry else "create",
                  revision=entry.revision + 1 if entry else 0, fingerprint=stamp, summary=summary,
                  payload={**facts, "natural": docs.natural_key(session), "added": added, "removed": removed,
                           "anonymity": anonymity},
                  subject={"session": session, "applications": applications, "members": members,
                           "room": service.room(docs.room_of(session)), "words": service.words})


def change_note(added: list[str], removed: list[str], anonymity: bool | None = None) -> str:
    """``anonymity``: the pack's new choice when the committee changed it, else None."""
    parts = []
    if added:
        parts.append(f"{'dossier ajouté' if len(added) == 1 else 'dossiers ajoutés'} : {', '.join(added)}")
    if removed:
        parts.append(f"{'dossier retiré' if len(removed) == 1 else 'dossiers retirés'} : {', '.join(removed)}")
    if anonymity is not None:
        parts.append("demandeurs désormais désignés par leurs initiales" if anonymity
                     else "demandeurs désormais désignés par leur nom")
    return " ; ".join(parts) or "contenu modifié"


def _change_note(action: Action) -> str:
    return change_note(action.payload["added"], action.payload["removed"], action.payload.get("anonymity"))


def document_path(ctx: Context, action: Action) -> Path:
    session: Session = action.subject["session"]
    suffix = f" (mise à jour {action.revision})" if action.revision else ""
    return docs.document_path(ctx, session, "Dossier de séance", suffix)


def template_context(ctx: Context, action: Action) -> dict[str, Any]:
    session: Session = action.subject["session"]
    anonymised = bool(action.payload["anonymised"])
    applications: list[Application] = sorted(action.subject["applications"], key=lambda a: french.reference_order(a.number))
    room_name = docs.room_of(session)
    room = action.subject.get("room")
    update = action.kind == "update"
    words: Words = action.subject.get("words") or Words()
    return {
        "service": docs.service_context(ctx), "committee": docs.committee_context(session),
        "session": docs.session_context(ctx, session, room_name, room.site if room else ""),
        "letter_date": french.date_medium(ctx.now().date()), "is_update": update,
        "update_note": (f"Mise à jour du {french.date_short(ctx.now().date())} : "
                        f"{_change_note(action)}.") if update else "",
        "anonymised": anonymised, "opinions": words.decisions(),
        "applications": [_application(i, a, anonymised) for i, a in enumerate(applications, 1)],
        "totals": {"count": len(applications), "amount_asked": docs.amount(_sum(applications))},
        "by_scheme": [{"scheme": scheme, "count": len(group), "amount_asked": docs.amount(_sum(group))}
                      for scheme, group in docs.by_scheme(applications).items()],
        "members": [docs.member_context(m, words) for m in action.subject["members"]],
    }


def _sum(applications: list[Application]) -> int:
    return sum(a.amount_asked or 0 for a in applications)


def _application(index: int, a: Application, anonymised: bool) -> dict[str, Any]:
    notes = docs.scrub(a.notes, a) if anonymised else a.notes
    return {"index": index, "number": a.number, "applicant": docs.applicant(a, anonymised),
            "commune": a.commune, "scheme": a.scheme, "aid_kind": a.aid_kind,
            "amount_asked": docs.amount(a.amount_asked), "social_worker": a.social_worker,
            "filed_on": docs.dated(a.filed_on), "notes": notes, "own": docs.own_of(a, anonymised)}


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    return [docs.rendered(ctx, TEMPLATE, document_path(ctx, action), lambda: template_context(ctx, action), fresh)]


def build(ctx: Context, action: Action) -> Mail:
    session: Session = action.subject["session"]
    service = ctx.config.service
    when = french.date_long(session.date)
    files = attachments_for(ctx, document(ctx, action, fresh=False))
    if action.kind == "update":
        subject = f"Mise à jour du dossier de séance – {session.committee.name} – {when}"
        opening = (f"Le dossier de la séance {french.of_name(session.committee.name)} du {when} a changé depuis "
                   f"son envoi : {_change_note(action)}.\n"
                   "Le dossier complet mis à jour est joint ; il remplace le précédent.")
    else:
        subject = f"Dossier de séance – {session.committee.name} – {when}"
        opening = (f"Vous trouverez ci-joint le dossier de la séance {french.of_name(session.committee.name)} "
                   f"du {when} : ordre du jour et "
                   f"{plural(len(action.payload['numbers']), 'dossier', 'dossiers')} à examiner.")
    body = (f"Mesdames, Messieurs,\n\n{opening}\n\nCe dossier est confidentiel : merci de ne pas le diffuser.\n\n"
            f"{service.signatory}\n{service.name}")
    return Mail(delivery_id=action.delivery_id, subject=subject, sender=Address(service.email, service.name),
                to=tuple(Address(m.email, m.full_name) for m in action.subject["members"]), body_text=body,
                attachments=files)


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite]]:
    return docs.session_writes(action.subject["session"], {"pack_sent_on": today})
