"""What every document about a session shares: its folder, the facts its header shows, its status cells."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ..engine.actions import slug
from ..engine.context import Context
from .. import file_names, french
from ..documents.render import render_docx
from ..registers.reader import Record
from ..registers.writeback import CellWrite
from .committee_names import committee_folder, committee_part
from .service import Application, Member, Session
from .words import Words


def natural_key(session: Session) -> str:
    return session_key(session.committee.name, session.date)


def session_key(committee: str, day: date) -> str:
    """``commission-x/2026-11-13``: a session's part of the action keys and of its folder's path."""
    return f"{slug(committee)}/{day.isoformat()}"


def label(session: Session) -> str:
    return f"{session.committee.name}, séance du {french.date_short(session.date)}"


def room_of(session: Session) -> str:
    """The room booked for the session when the planning says so, else the one planned."""
    return str(session.record.get("room_booked") or session.room or session.committee.usual_room)


def folder(ctx: Context, session: Session) -> Path:
    return session_folder(ctx, session.committee.name, session.date)


def session_folder(ctx: Context, committee: str, day: date) -> Path:
    """A folder per committee and session, where staff find every document of the session."""
    return file_names.inside(ctx.config.paths.output, committee_folder(committee), day.isoformat())


def file_name(kind: str, session: Session, suffix: str = "") -> str:
    """« Convocation <committee> 07-12-2026.docx »: the kind comes first, so that two kinds never share a name."""
    day = french.date_short(session.date).replace("/", "-")
    return file_names.file_name(f"{kind} {committee_part(session.committee.name)} {day}{suffix}", ".docx")


def document_path(ctx: Context, session: Session, kind: str, suffix: str = "") -> Path:
    """Where a session document of this kind is filed, refused if it would leave the session's folder."""
    return file_names.inside(folder(ctx, session), file_name(kind, session, suffix))


def rendered(ctx: Context, template: str, target: Path, context: Callable[[], dict[str, Any]], fresh: bool) -> Path:
    """``target`` rendered from the template: anew when ``fresh`` (before a run's sends), else only if absent."""
    if fresh or not target.is_file():
        render_docx(ctx.config.paths.templates / template, context(), target)
    return target


def service_context(ctx: Context) -> dict[str, str]:
    service = ctx.config.service
    return {"name": service.name, "address": service.address, "city": service.city, "phone": service.phone,
            "email": service.email, "signatory": service.signatory, "signatory_title": service.signatory_title}


def agenda_items(session: Session) -> list[str]:
    items = [line.strip(" -•\t") for line in session.agenda.replace(";", "\n").splitlines()]
    return [item for item in items if item] or ["Examen des dossiers"]


def session_context(ctx: Context, session: Session, room: str, room_site: str = "") -> dict[str, Any]:
    start, end = session.start(ctx.zone), session.end(ctx.zone)
    return {"date_long": french.date_long(session.date), "date_short": french.date_short(session.date),
            "time": french.time_fr(start.timetz()) if start else "",
            "end_time": french.time_fr(end.timetz()) if end else "",
            "room": room, "room_site": room_site, "chair": session.chair, "agenda_items": agenda_items(session),
            "own": session.own}


def committee_context(session: Session) -> dict[str, Any]:
    return {"name": session.committee.name, "scheme": session.committee.scheme,
            "of_name": french.of_name(session.committee.name), "own": session.committee.own}


def member_context(member: Member, words: Words) -> dict[str, Any]:
    """A member as the convocation and the pack list them, the role in the service's own word."""
    return {"full_name": member.full_name, "organisation": member.organisation, "function": member.function,
            "role": words.role(member.role), "own": member.own}


def own_of(application: Application, anonymised: bool) -> dict[str, str]:
    """The application's own columns; in a document that leaves the service, the applicant's names scrubbed."""
    return {name: scrub(value, application) for name, value in application.own.items()} if anonymised \
        else application.own


def amount(value: int | None) -> str:
    return french.amount_xpf(value) if value is not None else ""


def applicant(application: Application, anonymised: bool) -> str:
    """``Marie WAIA``, or ``M. W.`` when the document leaves the service."""
    if not anonymised:
        return " ".join(p for p in (application.first_name, application.last_name) if p)
    names = [*application.first_name.split(), *application.last_name.split()]
    return " ".join(f"{n[0].upper()}." for n in names if n[:1].isalpha()) or "—"


def scrub(text: str, application: Application) -> str:
    """Free text of an anonymised document, with the applicant's names replaced by initials."""
    for name in {*application.last_name.split(), *application.first_name.split()}:
        if len(name) > 1:
            text = _replace_word(text, name, f"{name[0].upper()}.")
    return text


def _replace_word(text: str, word: str, by: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", by, text, flags=re.IGNORECASE)


def by_scheme(applications: list[Application]) -> dict[str, list[Application]]:
    groups: dict[str, list[Application]] = {}
    for application in applications:
        groups.setdefault(application.scheme or "Sans dispositif", []).append(application)
    return dict(sorted(groups.items()))


def session_writes(session: Session, values: dict[str, Any]) -> list[tuple[Path, CellWrite]]:
    """The status cells of the session's planning row that the mapping lets the tool fill in."""
    return record_writes(session.record, values)


def record_writes(record: Record, values: dict[str, Any]) -> list[tuple[Path, CellWrite]]:
    """The status cells of a register row that the mapping lets the tool fill in."""
    cells: list[tuple[Path, CellWrite]] = []
    for field_name, value in values.items():
        header = record.headers.get(field_name)
        if header and field_name in record.writable:
            cells.append((record.source.file, CellWrite(
                sheet=record.source.sheet, header_row=record.source.header_row, row=record.source.row,
                expect=record.identity, column=header, value=value)))
    return cells


def dated(value: date | None) -> str:
    return french.date_short(value) if value else ""
