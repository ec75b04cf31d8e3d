"""Minutes: after a held session, a draft compte rendu filed for staff; circulated once they validate it.

``plan`` is pure. A session marked « Tenue » gets a draft in its folder,
pre-filled from the registers (attendance, decisions, totals per scheme) and
redrafted while the registers change, unless staff have edited the file,
which is theirs from then on. When the planning marks the minutes validated,
the file (as staff left it) is mailed to the members, once, and the
planning's « CR diffusé le » is filled in.

Only a draft a person could have read is circulated: one filed by an earlier
run, still on disk, and showing what the registers say (or saved by staff).
« CR validé » set before the first draft, or a draft the registers have since
left behind, waits with a notice: the mark cannot vouch for a text nobody saw.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from .. import french
from ..engine.attach import attachments_for
from ..documents.render import render_docx
from ..errors import UserError
from ..engine.journal import Entry, Journal
from .content import attendance_context, decisions_context
from ..registers.writeback import CellWrite
from ..domain.service import Application, Service, Session
from ..domain.words import Words
from ..transports.base import Address, Delivered, Mail

NAME = "minutes"
LABEL = "Comptes rendus"
TEMPLATE = "compte_rendu.docx"
AttendanceReader = Callable[[str], "list[dict[str, str]] | None"]  # invitation key -> rows
DraftState = Callable[[Session, Entry], str]  # MISSING, TOOL or STAFF: the filed draft as it is now on disk
MISSING, TOOL, STAFF = "missing", "tool", "staff"


def draft_key(session: Session) -> str:
    return f"minutes-draft/{docs.natural_key(session)}"


def key_of(session: Session) -> str:
    return f"minutes/{docs.natural_key(session)}"


def plan(service: Service, entries: dict[str, Entry], now: datetime, within_days: int,
         read_attendance: AttendanceReader, draft_state: DraftState) -> Plan:
    result = Plan(NAME)
    unmarked: list[Session] = []
    for session in service.sessions:
        age = (now.date() - session.date).days
        draft = entries.get(draft_key(session))
        sent = entries.get(key_of(session))
        if age < 0 or (sent is not None and sent.delivered) or session.minutes_sent_on is not None:
            continue
        if draft is None and age > within_days:
            continue  # a first run must not draft a whole year of past sessions
        if session.status == "prevue" and age > 0 and "status" not in session.record.headers:
            unmarked.append(session)  # nothing to mark it in: said once for all, not per session
            continue
        if session.status == "prevue" and age > 0:
            words = service.words  # what staff read and type is the service's own spelling
            result.notices.append(f"{docs.label(session)} : séance passée toujours « {words.status('prevue')} » ; "
                                  f"indiquez « {words.status('tenue')} » "
                                  "dans le planning pour préparer son compte rendu.")
            continue
        if session.status != "tenue":
            continue
        # what the minutes show, the same for the draft and the circulated version
        applications = service.applications_of(session)
        rows = read_attendance(f"invitation/{docs.natural_key(session)}")
        content: dict[str, Any] = {"session": session, "applications": applications, "attendance": rows,
                                   "words": service.words}
        facts = _facts(session, applications, rows)
        drafted = draft is not None and draft.delivered
        behind = drafted and draft.fingerprint != fingerprint(facts)
        redraft = not drafted or (not session.minutes_validated and behind)
        if redraft:
            result.actions.append(_draft(session, draft if drafted else None, facts, content))
        if not session.minutes_validated:
            continue
        waiting = _why_circulation_waits(session, draft, redraft, behind, draft_state)
        if waiting:
            result.notices.append(f"{docs.label(session)} : « CR validé » indique « Oui », mais {waiting}")
        else:
            result.actions.append(_circulation(session, service, draft, content))
    if unmarked:
        held = service.words.status("tenue")
        result.notices.append(f"le planning n'a pas de colonne de statut des séances : aucun compte rendu n'est "
                              f"préparé pour {french.plural(len(unmarked), 'séance passée', 'séances passées')} ; ajoutez "
                              f"une colonne « Statut » (décrite dans la correspondance) et indiquez « {held} » pour "
                              "une séance tenue.")
    return result


def _why_circulation_waits(session: Session, draft: Entry | None, redraft: bool, behind: bool,
                           draft_state: DraftState) -> str:
    """French, empty when the validated draft is one a person could have read and the registers still match."""
    if redraft or draft is None:
        return "le projet vient d'être préparé : à relire avant diffusion ; il sera diffusé au passage suivant."
    state = draft_state(session, draft)
    if state == MISSING:
        return ("le projet de compte rendu est introuvable (déplacé ou supprimé) : rien n'est diffusé ; "
                "remettez-le dans le dossier de la séance.")
    if state == TOOL and behind:
        # the registers changed after the draft staff validated: neither the old text nor an unread new one goes
        return ("les registres ont changé depuis le projet validé : rien n'est diffusé. Pour diffuser ce projet, "
                "ouvrez-le dans Word, reportez-y les changements s'il le faut, retirez la mention « PROJET » et "
                "enregistrez-le ; pour qu'il suive les registres, remettez « CR validé » à « Non » : il sera mis à "
                "jour, à relire et valider de nouveau.")
    return ""


def _facts(session: Session, applications: list[Application], rows: list[dict[str, str]] | None) -> dict[str, Any]:
    return {"committee": session.committee.name, "date": session.date.isoformat(), "room": docs.room_of(session),
            "chair": session.chair, "agenda": session.agenda, "anonymised": session.committee.anonymise,
            "attendance": rows, "present_count": session.record.get("attendance"),
            "decisions": [[a.number, a.decision, a.amount_asked, a.amount_granted, a.reason]
                          for a in sorted(applications, key=lambda a: a.number)]}


def _draft(session: Session, entry: Entry | None, facts: dict[str, Any], content: dict[str, Any]) -> Action:
    label = docs.label(session)
    return Action(key=draft_key(session), automation=NAME, kind="file",
                  revision=entry.revision + 1 if entry else 0, fingerprint=fingerprint(facts),
                  summary=f"{'Projet de compte rendu mis à jour' if entry else 'Projet de compte rendu'} – {label}",
                  payload={**facts, "natural": docs.natural_key(session)},
                  subject={**content, "previous_ref": entry.external_ref if entry else None})


def _circulation(session: Session, service: Service, draft: Entry | None, content: dict[str, Any]) -> Action:
    members = [m for m in service.members_of(session.committee) if m.email]
    facts = {"committee": session.committee.name, "date": session.date.isoformat(),
             "to": sorted(m.email for m in members)}
    return Action(key=key_of(session), automation=NAME, kind="create", revision=0, fingerprint=fingerprint(facts),
                  summary=f"Diffusion du compte rendu validé – {docs.label(session)}",
                  payload={**facts, "natural": docs.natural_key(session)},
                  subject={**content, "members": members, "previous_ref": draft.external_ref if draft else None})


def document_path(ctx: Context, session: Session) -> Path:
    return docs.document_path(ctx, session, "Compte rendu")


def draft_on_disk(ctx: Context, journal: Journal, session: Session, entry: Entry) -> str:
    """The filed draft now: gone, still the tool's recorded rendering, or saved since by a person."""
    path = document_path(ctx, session)
    if not path.is_file():
        return MISSING
    return STAFF if _edited_by_staff(path, entry.external_ref, journal.rendered(str(path))) else TOOL


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _edited_by_staff(path: Path, reference: str | None, rendered: str | None) -> bool:
    """The tool's reference ends with the digest of what it wrote; another digest means a person saved it.

    ``rendered`` is the digest of the tool's last rendering, recorded before the file was replaced: a run
    killed after that and before its journal entry left the tool's own version, not a person's.
    """
    if not path.is_file():
        return False
    current = _digest(path)
    if reference is None:
        # a file the journal never delivered (a lost or restored journal): the tool's only if it just rendered it
        return current != rendered
    return not reference.endswith(f"#{current}") and current != rendered


def template_context(ctx: Context, action: Action, draft: bool = True) -> dict[str, Any]:
    session: Session = action.subject["session"]
    anonymised = bool(session.committee.anonymise)
    room_name = docs.room_of(session)
    words: Words = action.subject.get("words") or Words()
    return {
        "service": docs.service_context(ctx), "committee": docs.committee_context(session),
        "session": docs.session_context(ctx, session, room_name), "letter_date": french.date_medium(ctx.now().date()),
        "anonymised": anonymised, "draft": draft,
        **attendance_context(action.subject.get("attendance"), session, words),
        **decisions_context(action.subject.get("applications", []), anonymised, words),
    }


def _edited(ctx: Context, action: Action, target: Path) -> bool:
    # decided once per action, before this run's own rendering changes the file
    if "edited" not in action.subject:
        with Journal(ctx.config.paths.journal, readonly=True) as journal:
            rendered = journal.rendered(str(target))
        action.subject["edited"] = _edited_by_staff(target, action.subject["previous_ref"], rendered)
    return bool(action.subject["edited"])


def _render(ctx: Context, action: Action, draft: bool, target: Path) -> None:
    """Render beside the file, note what it will hold, then swap it in: staff's copy is never half replaced."""
    temp = target.with_name(f".{target.stem}.nouveau{target.suffix}")
    try:
        render_docx(ctx.config.paths.templates / TEMPLATE, template_context(ctx, action, draft), temp)
        with Journal(ctx.config.paths.journal) as journal:
            journal.note_render(str(target), _digest(temp), ctx.now())
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    """The draft, or for the circulation the final version, rendered unless staff have edited the file."""
    session: Session = action.subject["session"]
    target = document_path(ctx, session)
    draft = action.kind == "file"
    if not _edited(ctx, action, target) and (fresh or not target.is_file() or not draft):
        _render(ctx, action, draft, target)
        action.subject["edited"] = not draft  # the final version is not to be rendered twice
    return [target] if target.is_file() else []


def build(ctx: Context, action: Action) -> Mail | Delivered:
    session: Session = action.subject["session"]
    target = document_path(ctx, session)
    if action.kind == "file":
        edited = _edited(ctx, action, target)
        document(ctx, action, fresh=False)
        note = ("projet modifié à la main : conservé tel quel, reportez-y les changements des registres"
                if edited else "")
        return Delivered(reference=f"{target}#{_digest(target)}", details={"note": note} if note else {})
    document(ctx, action, fresh=False)
    if not target.is_file():
        raise UserError(f"compte rendu introuvable : {target} ; il a été déplacé ou supprimé")
    service = ctx.config.service
    when = french.date_long(session.date)
    body = (f"Mesdames, Messieurs,\n\nVous trouverez ci-joint le compte rendu de la séance "
            f"{french.of_name(session.committee.name)} du {when}, validé.\n\n{service.signatory}\n{service.name}")
    return Mail(delivery_id=action.delivery_id, subject=f"Compte rendu – {session.committee.name} – séance du {when}",
                sender=Address(service.email, service.name),
                to=tuple(Address(m.email, m.full_name) for m in action.subject["members"]), body_text=body,
                attachments=attachments_for(ctx, [target]))


def writes(action: Action, today: date) -> list[tuple[Path, CellWrite]]:
    if action.kind == "file":
        return []
    return docs.session_writes(action.subject["session"], {"minutes_sent_on": today})
