"""Invitations: convene each committee's members, with a meeting and the convocation.

``plan`` is pure: from the sessions, the journal and ``now`` it returns the
deliveries that should have happened and have not (first invitation inside
the lead time, an update when date, time, room or members changed, a
cancellation when the session is cancelled or postponed). ``build`` renders
the convocation and the meeting for one action; ``writes`` says which status
cells to fill in the planning.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..domain import attendance
from ..domain import session_documents as docs
from ..engine.actions import Action, Plan, fingerprint
from ..engine.context import Context
from .. import french
from ..engine.attach import attachments_for
from ..engine.journal import Entry
from .changes import changes
from .holds import hold_meeting
from .meeting_parts import address as _address, first as _first, removed as _removed, \
    removed_room as _removed_room, slot as _slot, title, uid as _uid, when as _when
from . import rooms
from .rooms import RoomAnswerReader, RoomFinder
from ..registers.writeback import CellWrite
from ..domain.service import Member, Service, Session
from ..domain.words import Words
from ..transports.base import Address, Attachment, Delivered, Meeting

NAME = "invitations"
LABEL = "Convocations"
TEMPLATE = "convocation.docx"
natural_key = docs.natural_key
_ACTIVE, _CANCELLED = "active", "cancelled"
# a date held in the members' calendars by the planning, the convocation to follow on the same meeting
HOLD = "hold"
_LIVE = (_ACTIVE, HOLD)


def _source(session: Session) -> list[Any]:
    src = session.record.source
    return [src.file.name, src.sheet, src.row]


AnswerReader = Callable[[str], "dict[str, str] | None"]  # meeting key -> e-mail -> answer


def plan(service: Service, entries: dict[str, Entry], now: datetime, suppleants_optional: bool = True,
         find_room: RoomFinder | None = None, read_answers: AnswerReader | None = None,
         room_booking: str = "indiquee", read_room_answer: RoomAnswerReader | None = None) -> Plan:
    """``room_booking`` is what the transport does to a room (see ``Transport.room_booking``);
    ``read_room_answer`` gives a booked room's own answer (``Transport.room_answer``)."""
    result = Plan(NAME)
    by_natural = {e.payload.get("natural", e.key.removeprefix("invitation/")): e for e in entries.values()}
    sessions = [s for s in service.sessions if s.status in ("prevue", "annulee", "reportee")]
    present = {natural_key(s) for s in service.sessions}
    orphans = [e for e in entries.values() if e.delivered and e.payload.get("state") in _LIVE
               and e.payload["natural"] not in present and e.payload["date"] >= now.date().isoformat()]
    matched: dict[int, Entry] = {}
    unmatched: list[Session] = []
    for index, session in enumerate(sessions):
        entry = by_natural.get(natural_key(session))
        if entry is not None:
            matched[index] = entry
        elif session.status == "prevue":
            unmatched.append(session)
    _match_rescheduled(sessions, unmatched, orphans, matched)
    for index, session in enumerate(sessions):
        action = _plan_session(session, matched.get(index), service, now, suppleants_optional, result,
                               find_room, read_answers, read_room_answer)
        if action is not None:
            # a room without an address is only named, whatever the transport
            action.payload["room_booking"] = room_booking if action.payload.get("room_email") else "indiquee"
            result.actions.append(action)
    for orphan in orphans:
        if orphan not in matched.values():
            result.notices.append(
                f"{orphan.payload['committee']}, séance du {french.date_short(date.fromisoformat(orphan.payload['date']))} : "
                "déjà convoquée mais absente du planning ; indiquez « Annulée » dans son statut "
                "pour prévenir les membres et libérer la salle.")
    return result


def _match_rescheduled(sessions: list[Session], unmatched: list[Session], orphans: list[Entry],
                       matched: dict[int, Entry]) -> None:
    """A session whose date was changed in place keeps its meeting: it becomes an update."""
    for session in unmatched:
        same_committee = [o for o in orphans if o.payload["committee"] == session.committee.name
                          and o not in matched.values()]
        same_row = [o for o in same_committee if o.payload.get("source") == _source(session)]
        # a year's sessions only: a planning holds next year's, already held, beside this year's last ones
        peers = [s for s in unmatched if s.committee.name == session.committee.name and s.date.year == session.date.year]
        same_committee = [o for o in same_committee if o.payload["date"][:4] == str(session.date.year)]
        choice = same_row[0] if same_row else (same_committee[0] if len(same_committee) == 1 == len(peers) else None)
        if choice is not None:
            matched[sessions.index(session)] = choice


def _attendees(session: Session, service: Service, suppleants_optional: bool) -> tuple[list[Member], list[Member]]:
    members = [m for m in service.members_of(session.committee) if m.email]
    if not suppleants_optional:
        return members, []
    return [m for m in members if m.role != "suppleant"], [m for m in members if m.role == "suppleant"]


def invited_members(service: Service, session: Session,
                        payload: dict[str, Any]) -> tuple[list[Member], list[Member]]:
    """Everyone the last delivery invited: a cancellation must reach each of them, `status` lists them."""
    known = {m.email: m for m in service.members_of(session.committee) if m.email}

    def members(emails: list[str]) -> list[Member]:
        return [known.get(e) or Member(full_name="", email=e) for e in emails]

    return members(payload.get("required", [])), members(payload.get("optional", []))


def _plan_session(session: Session, entry: Entry | None, service: Service, now: datetime,
                  suppleants_optional: bool, result: Plan, find_room: RoomFinder | None,
                  read_answers: AnswerReader | None, read_room_answer: RoomAnswerReader | None) -> Action | None:
    notices = result.notices
    zone = now.tzinfo
    label = docs.label(session)
    delivered = entry is not None and entry.delivered
    state = entry.payload.get("state") if delivered else None
    if session.status in ("annulee", "reportee"):
        if state in _LIVE and session.date >= now.date():
            required, optional = invited_members(service, session, entry.payload)
            return _action(entry.key, "cancel", entry.revision + 1, session, service, required, optional,
                           _CANCELLED, f"Annulation – {label}", previous=entry.payload,
                           room_name=entry.payload.get("room", ""))
        return None
    start = session.start(zone)
    if start is None or start <= now:
        return None
    early = (session.date - now.date()).days > session.committee.invitation_days
    if not delivered:
        if entry is None and session.invitation_sent_on is not None:
            return None  # convened by hand before the tool: never send a second invitation
        if early:
            return None
    holding = state == HOLD and early  # the held date changes only with the planning until the convocation
    if not (session.room or session.committee.usual_room):
        notices.append(f"{label} : aucune salle (ni lieu, ni salle habituelle) ; convocation non envoyée.")
        return None
    required, optional = _attendees(session, service, suppleants_optional)
    if not required and not optional:
        notices.append(f"{label} : aucun membre avec une adresse e-mail ; convocation non envoyée.")
        return None
    replaced: dict[str, str] = {}
    if delivered and state == _ACTIVE and read_answers is not None:
        replaced = _read_attendance(session, label, entry, service, now, required, optional, result, read_answers)
    previous = entry.payload if delivered else None
    # an interrupted attempt may have booked a room already: its own meeting must not look like a rival
    attempted = entry.pending_payload if entry is not None and entry.pending_payload else previous
    declined = rooms.declined_rooms(previous)
    refused = rooms.refused_room(entry, read_room_answer) if previous and state == _ACTIVE else None
    if refused:
        declined.append(refused)
    room_name = rooms.choose_room(session, service, attempted, len(required) + len(optional), find_room, zone, declined)
    if room_name is None and refused and entry is not None:
        result.alerts.append(rooms.alone_alert(label, refused))
        # nothing to send: the journal keeps the decline and the planning stops claiming the room
        return _action(entry.key, "file", entry.revision + 1, session, service, required, optional, _ACTIVE,
                       f"Salle « {refused} » refusée – {label}", previous=entry.payload, declined=declined)
    if room_name is None and delivered and declined:
        notices.append(rooms.still_without_room(label, declined))
        return None
    if room_name is None:
        result.alerts.append(f"{label} : aucune salle libre assez grande sur ce créneau "
                             f"(« {session.room or session.committee.usual_room} » est occupée) ; "
                             "convocation non envoyée, choisissez une autre salle ou un autre horaire.")
        return None
    preferred = session.room or session.committee.usual_room
    if refused:
        result.alerts.append(rooms.replaced_alert(label, refused, room_name))
    elif room_name != preferred and not (attempted and attempted.get("room") == room_name):
        notices.append(f"{label} : « {preferred} » est occupée ; « {room_name} », libre et assez grande, "
                       "sera réservée à la place.")
    if not delivered:
        key = entry.key if entry is not None else f"invitation/{natural_key(session)}"
        return _action(key, "create", 0, session, service, required, optional, _ACTIVE, f"Convocation – {label}",
                       room_name=room_name)
    if holding:
        candidate = _action(entry.key, "update", entry.revision + 1, session, service, required, optional, HOLD,
                            f"Réservation modifiée – {label}", previous=entry.payload, room_name=room_name)
        return None if candidate.fingerprint == entry.fingerprint else candidate
    if state == HOLD:  # the convocation the held meeting was waiting for, on the same meeting
        return _action(entry.key, "update", entry.revision + 1, session, service, required, optional, _ACTIVE,
                       f"Convocation – {label}", previous=entry.payload, room_name=room_name)
    because = "".join(f" ; {name} remplacé(e) par son suppléant" for name in sorted(set(replaced.values()))
                      if name not in entry.payload.get("replaces", {}).values())
    if refused:
        because += f" ; salle « {refused} » refusée, remplacée par « {room_name} »"
    candidate = _action(entry.key, "update", entry.revision + 1, session, service, required, optional, _ACTIVE,
                        f"Modification – {label}{because}", previous=entry.payload, room_name=room_name,
                        replaces=replaced, declined=declined)
    if state == _ACTIVE and candidate.fingerprint == entry.fingerprint:
        return None
    return candidate


def _read_attendance(session: Session, label: str, entry: Entry, service: Service, now: datetime,
                     required: list[Member], optional: list[Member], result: Plan,
                     read_answers: AnswerReader) -> dict[str, str]:
    """Members' answers to the meeting: shown, kept for the minutes, and a declining member's substitute
    convened in his place (``required`` and ``optional`` are changed in place)."""
    if session.date < now.date():
        return {}
    answers = read_answers(entry.key)
    if answers is None:
        return {}
    replaced: dict[str, str] = {}
    for titular, substitute in attendance.replacements(required, session.committee, service, answers):
        if substitute is None:
            result.notices.append(f"{label} : {titular.full_name} décline et n'a pas de suppléant désigné "
                                  "(colonne « Suppléant de » du registre des membres).")
            continue
        if substitute in optional:
            optional.remove(substitute)
        if substitute not in required:
            required.append(substitute)
        replaced[substitute.email.lower()] = titular.full_name
    rows = attendance.expected(required, optional, answers, replaced)
    result.notices.append(f"{label} : {attendance.summary(rows, session.committee.quorum)}")
    result.attendance[entry.key] = [r.as_row() for r in rows]
    alert = attendance.quorum_alert(label, session.date, now.date(), rows, session.committee.quorum)
    if alert:
        result.alerts.append(alert)
    return replaced


def _action(key: str, kind: str, revision: int, session: Session, service: Service,
            required: list[Member], optional: list[Member], state: str, summary: str,
            previous: dict[str, Any] | None = None, room_name: str = "",
            replaces: dict[str, str] | None = None, declined: list[str] | None = None) -> Action:
    room = service.room(room_name)
    facts = {
        "committee": session.committee.name, "date": session.date.isoformat(),
        "time": session.time.isoformat(timespec="minutes") if session.time else None,
        "duration_hours": session.duration_hours, "room": room_name,
        "room_email": room.email if room else "", "agenda": session.agenda, "state": state,
        "required": sorted(m.email for m in required), "optional": sorted(m.email for m in optional),
    }
    if replaces:
        facts["replaces"] = dict(sorted(replaces.items()))
    # the names the mail gave: a later update still names a member since struck off the register
    names = {m.email.lower(): m.full_name for m in required + optional if m.full_name}
    payload = {**facts, "natural": natural_key(session), "source": _source(session),
               "requested_room": session.room or session.committee.usual_room, "names": names}
    if declined:
        payload["declined_rooms"] = list(dict.fromkeys(declined))
    if state == _ACTIVE and previous and previous.get("state") == HOLD:
        payload["after_hold"] = True  # the first convocation, though it updates the held meeting
    known = {**(previous or {}).get("names", {}),
             **{m.email.lower(): m.full_name for m in service.members_of(session.committee) if m.email and m.full_name},
             **names}
    return Action(key=key, automation=NAME, kind=kind, revision=revision, fingerprint=fingerprint(facts),
                  summary=summary, payload=payload,
                  subject={"session": session, "required": required, "optional": optional, "room": room,
                           "previous": previous, "words": service.words,
                           "changes": changes(previous, payload, known) if previous and kind == "update" else []})


def hold_action(session: Session, service: Service, now: datetime, suppleants_optional: bool,
                find_room: RoomFinder | None, room_booking: str) -> tuple[Action | None, str]:
    """The holding invitation of a session the planning wrote: its members' calendars and its room blocked,
    « convocation à suivre ». None, with the French reason, when it cannot be sent."""
    label = docs.label(session)
    required, optional = _attendees(session, service, suppleants_optional)
    if not required and not optional:
        return None, f"{label} : aucun membre avec une adresse e-mail, pas d'invitation de réservation"
    if session.start(now.tzinfo) is None:  # type: ignore[arg-type]
        return None, f"{label} : pas d'heure, pas d'invitation de réservation"
    room_name = rooms.choose_room(session, service, None, len(required) + len(optional), find_room, now.tzinfo, [])
    if room_name is None:
        return None, (f"{label} : « {session.room or session.committee.usual_room} » est occupée et aucune autre "
                      "salle assez grande n'est libre : pas d'invitation de réservation")
    action = _action(f"invitation/{natural_key(session)}", "create", 0, session, service, required, optional,
                     HOLD, f"Réservation – {label}", room_name=room_name)
    action.payload["room_booking"] = room_booking if action.payload.get("room_email") else "indiquee"
    return action, ""





def document_path(ctx: Context, session: Session, revision: int) -> Path:
    suffix = f" (modification {revision})" if revision else ""
    return docs.document_path(ctx, session, "Convocation", suffix)


def template_context(ctx: Context, action: Action) -> dict[str, Any]:
    session: Session = action.subject["session"]
    room = action.subject["room"]
    members = action.subject["required"] + action.subject["optional"]
    words: Words = action.subject.get("words") or Words()
    return {
        "service": docs.service_context(ctx), "committee": docs.committee_context(session),
        "session": docs.session_context(ctx, session, action.payload["room"], room.site if room else ""),
        "letter_date": french.date_medium(ctx.now().date()),
        "is_update": not _first(action),
        "update_note": _letter_note(action),
        "members": [docs.member_context(m, words) for m in members],
    }


def _letter_note(action: Action) -> str:
    if _first(action):
        return ""
    lines = action.subject.get("changes") or []
    said = f" ({' ; '.join(lines)})" if lines else ""
    return f"Modification : cette convocation remplace la précédente{said}."


def document(ctx: Context, action: Action, *, fresh: bool) -> list[Path]:
    if action.kind in ("cancel", "file") or action.payload.get("state") == HOLD:
        return []
    target = document_path(ctx, action.subject["session"], 0 if _first(action) else action.revision)
    return [docs.rendered(ctx, TEMPLATE, target, lambda: template_context(ctx, action), fresh)]





def _update_note(action: Action) -> str:
    """What changed since the previous convocation, one line each, before the mail's usual text."""
    lines = action.subject.get("changes") or []
    if not lines:
        return "Cette invitation remplace la précédente.\n\n"
    listed = "".join(f"- {line}\n" for line in lines)
    return (f"La séance a changé depuis la convocation précédente :\n{listed}\n"
            "Cette invitation remplace la précédente.\n\n")


def build(ctx: Context, action: Action) -> Meeting | Delivered:
    if action.kind == "file":
        # a room that declined, none free to replace it: nothing goes out, the planning is corrected
        return Delivered(reference="salle refusée", details={
            "note": "aucune salle libre : le responsable est alerté, « Salle réservée » est vidée"})
    if action.payload.get("state") == HOLD:
        return hold_meeting(ctx, action)
    session: Session = action.subject["session"]
    zone = ctx.zone
    service = ctx.config.service
    committee = session.committee.name
    room = action.subject["room"]
    room_name = action.payload["room"]
    attachments: tuple[Attachment, ...] = ()
    previous = action.subject.get("previous")
    if action.kind == "cancel" and previous and previous.get("time"):
        start, end = _slot(previous, zone)  # the meeting as the members have it in their calendars
    else:
        start, end = session.start(zone), session.end(zone)
    when = _when(start)
    if action.kind == "cancel":
        subject = f"Annulation – {committee} – {when}"
        body = (f"Mesdames, Messieurs,\n\nLa séance {french.of_name(committee)} prévue le {when} "
                f"({room_name}) est annulée. Une nouvelle date vous sera communiquée.\n\n"
                f"{service.signatory}\n{service.name}")
    else:
        attachments = attachments_for(ctx, document(ctx, action, fresh=False))
        prefix = "" if _first(action) else "Modification – "
        subject = f"{prefix}{title(committee, start)}"
        change = "" if _first(action) else _update_note(action)
        members = {m.email.lower(): m.full_name for m in action.subject["required"]}
        change += "".join(f"{members.get(email, email)} siégera comme suppléant(e) de {titular}, "
                          "qui a indiqué ne pas pouvoir venir.\n\n"
                          for email, titular in action.payload.get("replaces", {}).items())
        body = (f"Mesdames, Messieurs,\n\n{change}Vous êtes convoqués à la séance "
                f"{french.of_name(committee)} le {when}, {room_name}.\n"
                f"Vous trouverez la convocation en pièce jointe.\n\n"
                f"En cas d'empêchement, merci de prévenir le secrétariat ({service.email}) "
                f"afin que votre suppléant puisse siéger.\n\n{service.signatory}\n{service.name}")
    return Meeting(
        delivery_id=action.delivery_id, uid=_uid(action, service.mail_domain), sequence=action.revision,
        method="CANCEL" if action.kind == "cancel" else "REQUEST", subject=subject, title=title(committee, start),
        start=start, end=end, location=room_name,
        organizer=Address(service.email, service.name),
        required=tuple(_address(m) for m in action.subject["required"]),
        optional=tuple(_address(m) for m in action.subject["optional"]),
        room=Address(room.email, room.name) if room and room.email else None,
        body_text=body, attachments=attachments, timezone=service.timezone, stamp=ctx.now(),
        removed=_removed(action), removed_room=_removed_room(action))





def writes(action: Action, today: date) -> list[tuple[Path, CellWrite]]:
    if action.payload.get("state") == HOLD:
        return []  # a held date is no convocation: « Convocation envoyée le » waits for it
    if action.kind == "file":
        return docs.session_writes(action.subject["session"], {"room_booked": None})
    values: dict[str, Any] = {"invitation_sent_on": today}
    if action.payload.get("room_booking") == "reservee":  # « Salle réservée » only when the server booked it
        values["room_booked"] = action.payload["room"]
    if action.kind == "cancel":
        values = {"room_booked": None}
    return docs.session_writes(action.subject["session"], values)
