"""What ``run planning`` carries out, planned purely: the planning written, each session's holding invitation,
and the rooms that declined a held date.

Actions, in the order they run:
- ``planning/<year>``, a document action: next year's workbook made, or rows queued under the others. Each run
  that writes is a new revision; its payload lists the sessions it wrote.
- ``invitation/<committee>/<date>``, the holding invitation, recorded as the convocations' own delivery (state
  ``hold``): the convocation later updates that meeting rather than sending a second one.
- ``planning/salle/<committee>/<date>``: a room that declined a held date, said once (the manager is alerted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ..convocations import invitations
from ..convocations.rooms import RoomFinder
from ..domain import session_documents as docs
from ..domain.service import Service, Session
from ..engine.actions import Action, fingerprint
from ..engine.journal import Entry
from ..french import date_short, plural
from ..registers.reader import Record, Source
from ..registers.types import normalize_label
from .draft import DraftedSession
from .write import PLANNED, PlanningWrites

NAME = "planning"
ROOM_PREFIX = "planning/salle/"

RoomAnswer = Callable[[str], "str | None"]  # a delivery's id -> the room's answer (« declined »...), or None


@dataclass
class Written:
    """Shared by one run's actions: the holding invitations of the sessions written by the same run wait
    for that write, so a planning that could not be written invites nobody."""

    done: bool = False
    sessions: set[tuple[str, str]] = field(default_factory=set)  # (normalized committee, ISO date)


def write_action(writes: PlanningWrites, entry: Entry | None, year: int, written: Written) -> Action | None:
    if writes.idle:
        return _interrupted(entry, written)
    made = writes.new_workbook is not None
    file = writes.new_workbook.target if writes.new_workbook is not None else writes.appends[0][0]
    sessions = [[s.committee, s.date.isoformat()] for s in writes.sessions]
    payload = {"year": year, "file": file.name, "sessions": sessions, "made": made}
    revision = entry.revision + 1 if entry is not None and entry.revision is not None else 0
    count = plural(len(sessions), "séance « Prévue »", "séances « Prévue »")
    summary = (f"Planning {year} : classeur « {file.name} » créé avec {count}" if made
               else f"Planning {year} : {count} ajoutée{'s' if len(sessions) > 1 else ''} dans « {file.name} »")
    written.sessions = {(normalize_label(c), d) for c, d in sessions}
    return Action(key=f"{NAME}/{year}", automation=NAME, kind="file", revision=revision,
                  fingerprint=fingerprint(payload), summary=summary, payload=payload,
                  subject={"writes": writes, "written": written})


def _interrupted(entry: Entry | None, written: Written) -> Action | None:
    """A run killed once the planning was written, before the journal knew: what it wrote is there (nothing is
    left to write), so its action is recorded as done, as an uninterrupted run would have."""
    if entry is None or entry.status != "pending" or entry.pending_revision is None or entry.pending_payload is None:
        return None
    payload = entry.pending_payload
    written.done = True
    return Action(key=entry.key, automation=NAME, kind="file", revision=entry.pending_revision,
                  fingerprint=entry.pending_fingerprint or fingerprint(payload),
                  summary=f"Planning {payload['year']} : « {payload['file']} » déjà écrit (passage interrompu)",
                  payload=payload, subject={"writes": None, "written": written})


def as_session(service: Service, drafted: DraftedSession, file: Path, sheet: str,
               columns: Iterable[str]) -> Session | None:
    """A session about to be written, as the reader will read it back from a sheet with these ``columns``
    (field names): a holding invitation's fingerprint must match the row read by later runs, or they would
    send it again as modified."""
    committee = service.committee(drafted.committee)
    if committee is None:
        return None
    record = Record("sessions", Source(file, sheet, 0, 0), {})
    hours = float(drafted.duration_hours)
    # a duration written reads back as the number in the cell (2, not 2.0); without the column, the committee's
    duration = (int(hours) if hours.is_integer() else hours) if "duration_hours" in columns \
        else committee.duration_hours
    return Session(committee, drafted.date, drafted.time, duration, drafted.room, "", PLANNED, "", record)


def hold_actions(service: Service, year: int, writing: Iterable[Session], entries: Mapping[str, Entry],
                 now: datetime, suppleants_optional: bool, find_room: RoomFinder | None, room_booking: str,
                 written: Written) -> tuple[list[Action], list[str]]:
    """One holding invitation per session of ``year`` in the planning (or written by this run) that has
    none yet and is not convened: the convocation will update it."""
    # a delivery begun by a run killed before the journal knew is planned again: the transport's look-up finds it
    by_natural = {e.payload.get("natural", e.key.removeprefix("invitation/")) for e in entries.values()
                  if e.revision is not None}
    present = [s for s in service.sessions if s.date.year == year and s.status == PLANNED
               and s.invitation_sent_on is None]
    actions: list[Action] = []
    notices: list[str] = []
    for session in [*present, *writing]:
        if docs.natural_key(session) in by_natural:
            continue
        if (session.date - now.date()).days <= session.committee.invitation_days:
            continue  # near enough for the convocation itself
        action, why = invitations.hold_action(session, service, now, suppleants_optional, find_room, room_booking)
        if action is None:
            notices.append(why)
            continue
        if session.record.source.row == 0:
            action.subject["written"] = written  # waits for this run's write of the planning
        by_natural.add(docs.natural_key(session))
        actions.append(action)
    return actions, notices


def declined_rooms(entries: Mapping[str, Entry], planning: Mapping[str, Entry], year: int,
                   room_answer: RoomAnswer | None) -> tuple[list[Action], list[str]]:
    """A room that declined a held date of ``year``: recorded once, the manager alerted to choose another."""
    if room_answer is None:
        return [], []
    actions, alerts = [], []
    for entry in entries.values():
        payload = entry.payload
        if (entry.revision is None or payload.get("state") != invitations.HOLD or not payload.get("room_email")
                or not str(payload.get("date", "")).startswith(str(year))):
            continue
        key = f"{ROOM_PREFIX}{payload['natural']}"
        if key in planning or room_answer(f"{entry.key}#{entry.revision}") != "declined":
            continue
        facts = {"year": year, "committee": payload["committee"], "date": payload["date"],
                 "room": payload["room"], "state": "refusee"}
        label = f"{payload['committee']}, séance du {date_short(date.fromisoformat(payload['date']))}"
        actions.append(Action(key=key, automation=NAME, kind="file", revision=0, fingerprint=fingerprint(facts),
                              summary=f"Salle « {payload['room']} » refusée – {label}", payload=facts))
        alerts.append(f"{label} : la salle « {payload['room']} » a refusé la réservation ; indiquez une autre salle "
                      "dans le planning (la convocation la réservera).")
    return actions, alerts


def waiting(action: Action) -> str | None:
    """A holding invitation of a session this run writes goes out only once the planning is written."""
    if action.automation != invitations.NAME:
        return None
    written: Written | None = action.subject.get("written") if isinstance(action.subject, dict) else None
    if written is None:
        return None
    key = (normalize_label(action.payload["committee"]), action.payload["date"])
    if not written.done or key not in written.sessions:
        return "invitation de réservation d'une séance que le planning n'a pas pu écrire"
    return None
