"""What the weekly digest says of next year's planning, from the planning read and the journal.

Only what happened is said: a session is « écrite par l'outil » when the
journal records the write of next year's planning, a holding invitation is
« envoyée » when its delivery is recorded, a room is « réservée » only when a
server booked it. Pure: the service, the journal's entries and ``today`` in,
French facts out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .. import french
from ..domain.service import Service
from ..engine.journal import Entry
from ..registers.types import normalize_label
from ..settings.model import PlanningSettings

HOLD = "hold"  # the state of a holding invitation, before the session's convocation
RUN_PLANNING = "python run.py run planning"
FAILED = "⚠ Écriture du planning en échec : nouvel essai au prochain passage."


@dataclass(frozen=True)
class CommitteeYear:
    committee: str
    sessions: int
    first: date
    last: date


@dataclass(frozen=True)
class Written:
    """The last write of next year's planning the journal records."""

    on: date
    file: str
    sessions: int  # written by that write
    made: bool  # it made next year's workbook (else it added rows)
    runs: int  # how many writes the journal counts for the year (its revisions)


@dataclass(frozen=True)
class DeclinedRoom:
    committee: str
    day: date
    room: str
    refused: bool  # the room declined; else it was found taken
    replaced_by: str  # the room the planning names now, when staff changed it; "" while still to replace


@dataclass(frozen=True)
class PlanningFacts:
    year: int  # the year being planned
    committees: tuple[CommitteeYear, ...]
    written: Written | None
    failed: bool  # the journal's last attempt at writing the planning failed
    holds: int  # holding invitations sent
    rooms_booked: int  # among them, rooms a server booked
    declined: tuple[DeclinedRoom, ...]
    due: bool  # the configured day has come and the tool has not written the planning yet

    @property
    def sessions(self) -> int:
        return sum(c.sessions for c in self.committees)


def planning_facts(service: Service, planning: Mapping[str, Entry], invitations: Mapping[str, Entry],
                   settings: PlanningSettings, today: date, start: date) -> PlanningFacts | None:
    """None when the digest has nothing to say of next year's planning: not enabled or not yet its season, and
    nothing written for it. ``start``: the day drafting starts this year (``[planning] from``)."""
    year = today.year + 1
    entry = planning.get(f"planning/{year}")
    rooms = [e for key, e in planning.items() if key.startswith("planning/salle/") and e.delivered
             and _year(e.payload) == year]
    holds = [e for e in invitations.values() if e.delivered and e.payload.get("state") == HOLD
             and _day(e.payload.get("date")).year == year]
    season = settings.enabled and today >= start
    if not season and entry is None and not rooms and not holds:
        return None
    written = None
    if entry is not None and entry.delivered:
        payload = entry.payload
        written = Written(date.fromisoformat(entry.updated_at[:10]), str(payload.get("file", "")),
                          len(payload.get("sessions", [])), bool(payload.get("made")), (entry.revision or 0) + 1)
    return PlanningFacts(
        year=year, committees=_committees(service, year), written=written,
        failed=entry is not None and entry.status == "failed",
        holds=len(holds),
        rooms_booked=sum(1 for e in holds
                         if e.payload.get("room_booking") == "reservee" and e.payload.get("room_email")),
        declined=tuple(sorted((_declined(service, e.payload) for e in rooms), key=lambda d: (d.day, d.committee))),
        due=season and written is None)


def _year(payload: Mapping[str, object]) -> int:
    value = payload.get("year")
    return int(value) if isinstance(value, int) else _day(payload.get("date")).year


def _day(value: object) -> date:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return date.min  # an entry from an older version: belongs to no year the digest shows


def _committees(service: Service, year: int) -> tuple[CommitteeYear, ...]:
    by_committee: dict[str, list[date]] = {}
    for session in service.sessions:
        if session.date.year == year:
            by_committee.setdefault(session.committee.name, []).append(session.date)
    return tuple(CommitteeYear(name, len(days), min(days), max(days))
                 for name, days in sorted(by_committee.items(), key=lambda item: (min(item[1]), item[0])))


def _declined(service: Service, payload: Mapping[str, object]) -> DeclinedRoom:
    committee, day, room = str(payload.get("committee", "")), _day(payload.get("date")), str(payload.get("room", ""))
    session = next((s for s in service.sessions if s.date == day
                    and normalize_label(s.committee.name) == normalize_label(committee)), None)
    # staff who typed another room in the planning have replaced it: the digest says by which
    now = session.room if session is not None else ""
    replaced = now if now and normalize_label(now) != normalize_label(room) else ""
    return DeclinedRoom(committee, day, room, payload.get("state") == "refusee", replaced)


# -- in French, for both renderings ----------------------------------------------------------------------------

def overview(planning: PlanningFacts) -> str:
    if not planning.committees:
        return f"Aucune séance de {planning.year} au planning."
    return (f"Au planning : {french.plural(planning.sessions, 'séance', 'séances')} de {planning.year} pour "
            f"{french.plural(len(planning.committees), 'instance', 'instances')}.")


def span(first: date, last: date) -> str:
    if first == last:
        return f"le {french.date_long(first)}"
    return f"du {french.date_long(first)} au {french.date_long(last)}"


def written_line(planning: PlanningFacts) -> str:
    """What the tool wrote into the planning, as the journal records it; or that it has not written yet."""
    written = planning.written
    if written is None:
        return f"Pas encore écrit par l'outil : {RUN_PLANNING}" if planning.due else "Pas écrit par l'outil."
    where = f"« {written.file} »" if written.file else "le planning"
    count = french.plural(written.sessions, "séance", "séances")
    added = f"{count} ajoutée{'s' if written.sessions > 1 else ''} dans {where}"
    line = f"Écrit par l'outil le {french.date_short(written.on)} : " + (f"{where} créé avec {count}" if written.made
                                                                        else added)
    if written.runs > 1:
        line += f" (dernier de {written.runs} passages)"
    return line + "."


def holds_line(planning: PlanningFacts) -> str:
    if not planning.holds:
        return "Aucune invitation de réservation envoyée."
    return (f"Invitations de réservation envoyées : {planning.holds} (agendas des membres bloqués), dont "
            f"{french.plural(planning.rooms_booked, 'salle réservée', 'salles réservées')}.")


def declined_line(room: DeclinedRoom) -> str:
    what = "a refusé" if room.refused else "n'est pas libre"
    then = f"remplacée par {room.replaced_by} au planning" if room.replaced_by else "à remplacer"
    return f"{room.room} {what} – {then}"


def planning_lines(planning: PlanningFacts) -> list[str]:
    lines = [overview(planning)]
    lines += [f"  - {c.committee} : {french.plural(c.sessions, 'séance', 'séances')}, {span(c.first, c.last)}"
              for c in planning.committees]
    if planning.failed:
        lines.append(FAILED)
    lines += [written_line(planning), holds_line(planning)]
    if planning.declined:
        lines.append("Salles des séances réservées à l'avance :")
        lines += [f"  - {room.committee}, {french.date_long(room.day)} : {declined_line(room)}"
                  for room in planning.declined]
    return lines
