"""Conflicts of a drafted year: members booked twice in a half-day, a room taken twice. Pure but for the
room look-up the transport answers (free/busy with Exchange or Microsoft 365; the first room otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..domain.service import Service
from ..french import plural, time_fr
from ..registers.types import normalize_label
from ..transports.base import RoomChoice
from .calendar import DaysOff, dated, day_fr
from .draft import CommitteeDraft, DraftedSession
from .rhythm import sessions_of

RoomFinder = Callable[[Sequence[RoomChoice], datetime, datetime], "RoomChoice | None"]
MORNING, AFTERNOON = "matin", "après-midi"
_NOON = time(12, 0)
# a session moved off a shared half-day goes at most this many working days later
_MAX_TRIES = 10


@dataclass(frozen=True)
class Booked:
    """A session of next year: drafted, or already typed by staff in the planning."""

    committee: str
    date: date
    time: time | None
    duration_hours: float
    room: str

    def halves(self) -> set[str]:
        """The half-days the session takes; without a time, the whole day."""
        if self.time is None:
            return {MORNING, AFTERNOON}
        end = (datetime.combine(self.date, self.time) + timedelta(hours=self.duration_hours)).time()
        first = MORNING if self.time < _NOON else AFTERNOON
        return {first, AFTERNOON} if first == MORNING and end > _NOON else {first}

    def overlaps(self, other: Booked) -> bool:
        if self.date != other.date:
            return False
        if self.time is None or other.time is None:
            return True
        start, end = self._span()
        other_start, other_end = other._span()
        return start < other_end and other_start < end

    def _span(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.date, self.time or time())
        return start, start + timedelta(hours=self.duration_hours)


def booked(session: DraftedSession) -> Booked:
    return Booked(session.committee, session.date, session.time, session.duration_hours, session.room)


def typed_sessions(service: Service, year: int) -> list[Booked]:
    """The sessions staff already typed for ``year``: the draft must not clash with them either."""
    return [Booked(c.name, s.date, s.time, s.duration_hours, s.room.strip())
            for c in service.committees.values() for s in sessions_of(service, c, year)]


def members_by_committee(service: Service) -> dict[str, dict[str, str]]:
    """Each committee's members: address and name, each -> name; a member typed with an address in one
    committee and without in another is still the same person."""
    return {c.name: {key: m.full_name for m in service.members_of(c)
                     for key in (m.email.strip().casefold(), normalize_label(m.full_name)) if key}
            for c in service.committees.values()}


def _when(session: Booked) -> str:
    return dated(session.date) + (f" à {time_fr(session.time)}" if session.time else "")


def separate_members(drafts: list[CommitteeDraft], typed: list[Booked], members: dict[str, dict[str, str]],
                     days_off: DaysOff) -> tuple[list[CommitteeDraft], list[str]]:
    """No member booked twice in a half-day: a drafted session that would be is moved to the next working day
    free of it, or flagged when none is near. Staff's own sessions and earlier drafted ones keep their day."""
    taken = list(typed)
    placed: dict[str, list[DraftedSession]] = {d.committee: [] for d in drafts}
    said: list[str] = []
    for session in sorted((s for d in drafts for s in d.sessions), key=lambda s: (s.date, s.time or time())):
        clash = _shared(booked(session), taken, members)
        if clash is not None:
            other, names = clash
            why = (f"{plural(len(names), 'membre commun', 'membres communs')} avec « {other.committee} » "
                   f"({', '.join(sorted(names))}) le {_when(other)}")
            moved = _free_day(session, taken, members, days_off, {s.date for s in placed[session.committee]})
            if moved is None:
                said.append(f"{session.committee}, séance du {_when(booked(session))} : {why} ; aucun jour libre "
                            "dans les jours ouvrés qui suivent : à régler à la main")
            else:
                said.append(f"{session.committee}, séance du {_when(booked(session))} : {why} ; "
                            f"proposée le {dated(moved)}")
                session = replace(session, date=moved, reasons=session.reasons + (
                    f"déplacée du {day_fr(session.date)} au {day_fr(moved)} : {why}",))
        taken.append(booked(session))
        placed[session.committee].append(session)
    return [replace(d, sessions=tuple(sorted(placed[d.committee], key=lambda s: s.date))) for d in drafts], said


def _shared(session: Booked, taken: list[Booked], members: dict[str, dict[str, str]]) -> tuple[Booked, list[str]] | None:
    own = members.get(session.committee, {})
    for other in taken:
        if other.date != session.date or other.committee == session.committee \
                or not session.halves() & other.halves():
            continue
        common = own.keys() & members.get(other.committee, {}).keys()
        if common:
            return other, sorted({own[k] for k in common})
    return None


def _free_day(session: DraftedSession, taken: list[Booked], members: dict[str, dict[str, str]],
              days_off: DaysOff, own_days: set[date]) -> date | None:
    day = session.date
    for _ in range(_MAX_TRIES):
        day = days_off.next_working_day(day + timedelta(days=1))
        if day.year != session.date.year:
            return None
        candidate = replace(booked(session), date=day)
        if day not in own_days and _shared(candidate, taken, members) is None:
            return day
    return None


def room_conflicts(drafts: list[CommitteeDraft], typed: list[Booked], service: Service, zone: ZoneInfo,
                   find_room: RoomFinder | None) -> list[str]:
    """A drafted session's room already taken: by another session of the year (drafted or typed), or, where the
    transport reads the room's calendar, by anything else booked there. Said with a free room when one is known."""
    every = typed + [booked(s) for d in drafts for s in d.sessions]
    earlier = list(typed)  # staff's sessions, then the committees drafted before: a clash is said of the later
    said = []
    for draft in drafts:
        for session in (booked(s) for s in draft.sessions):
            same = [o for o in earlier if normalize_label(o.room) == normalize_label(session.room)
                    and o.overlaps(session)] if session.room else []
            earlier.append(session)
            if not session.room:
                continue
            if same:
                said.append(f"{session.committee}, séance du {_when(session)} : salle « {session.room} » déjà prise "
                            f"par « {same[0].committee} » le {_when(same[0])}{_instead(session, every, service)}")
            elif not _free_by_calendar(session, service, zone, find_room):
                said.append(f"{session.committee}, séance du {_when(session)} : salle « {session.room} » occupée "
                            f"selon son agenda{_instead(session, every, service)}")
    return said


def _free_by_calendar(session: Booked, service: Service, zone: ZoneInfo, find_room: RoomFinder | None) -> bool:
    room = service.room(session.room)
    if find_room is None or session.time is None or room is None or not room.email:
        return True  # nothing to ask: the rooms of the config and the other committees were compared above
    start = datetime.combine(session.date, session.time, zone)
    choice = RoomChoice(room.name, room.email, room.capacity)
    return find_room([choice], start, start + timedelta(hours=session.duration_hours)) is not None


def _instead(session: Booked, every: list[Booked], service: Service) -> str:
    for room in service.rooms.values():
        if normalize_label(room.name) == normalize_label(session.room):
            continue
        if not any(normalize_label(o.room) == normalize_label(room.name) and o.overlaps(session) for o in every):
            return f" ; « {room.name} » est libre sur ce créneau"
    return " ; aucune autre salle connue n'est libre sur ce créneau"
