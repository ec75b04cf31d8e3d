"""The room a session's meeting books, and what to do when that room declines.

A busy room gives way to the next free one big enough. Exchange and Microsoft 365 book a room invited as a
resource only if its booking assistant accepts, and it answers after the invitation went out; it may decline
(the room taken on the slot, its booking window, capacity or working hours). The planner reads that answer
for each upcoming meeting it convened with a room, and on a decline convenes the members again in the next
free room, or, with none free, only tells the manager, and the planning stops claiming the room.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..domain.service import Service, Session
from ..engine.journal import Entry
from ..transports.base import RoomChoice

RoomFinder = Callable[[Sequence[RoomChoice], datetime, datetime], "RoomChoice | None"]
RoomAnswerReader = Callable[[str], "str | None"]  # delivery id -> accepted | declined | tentative | None


def declined_rooms(payload: dict[str, Any] | None) -> list[str]:
    """Rooms that declined this meeting earlier: never chosen again for it."""
    return list((payload or {}).get("declined_rooms", []))


def choose_room(session: Session, service: Service, previous: dict[str, Any] | None, seats: int,
                find_room: RoomFinder | None, zone: Any, declined: list[str]) -> str | None:
    """The session's room, else the committee's usual one; if busy, the next free room big enough. A room that
    declined the meeting is never chosen again for it."""
    preferred = session.room or session.committee.usual_room
    if (previous and previous.get("requested_room") == preferred and previous.get("room")
            and previous["room"] not in declined):
        return previous["room"]  # already booked by us: our own meeting must not make it look busy
    if find_room is None:
        return preferred if preferred not in declined else None
    known = service.room(preferred)
    first = [RoomChoice(preferred, known.email if known else None, known.capacity if known else None)]
    others = sorted((r for r in service.rooms.values() if r.name != preferred and r.email and r.name not in declined
                     and (r.capacity or 0) >= seats), key=lambda r: r.capacity or 0)
    choices = [*(first if preferred not in declined else []), *(RoomChoice(r.name, r.email, r.capacity)
                                                                for r in others)]
    chosen = find_room(choices, session.start(zone), session.end(zone)) if choices else None
    return chosen.name if chosen else None


def refused_room(entry: Entry, read_room_answer: RoomAnswerReader | None) -> str | None:
    """The room of the last delivery, if its mailbox declined the meeting; None otherwise or not known yet."""
    payload = entry.payload
    if read_room_answer is None or payload.get("room_booking") != "reservee" or not payload.get("room_email"):
        return None
    if payload.get("room") in declined_rooms(payload):
        return None
    if read_room_answer(f"{entry.key}#{entry.revision}") != "declined":
        return None
    return str(payload["room"])


def replaced_alert(label: str, refused: str, room: str) -> str:
    return (f"{label} : la salle « {refused} » a refusé la réunion (réponse de sa boîte de réservation : "
            f"salle déjà prise ou règle de réservation) ; « {room} », libre et assez grande, est réservée à la "
            "place et les membres reçoivent la convocation modifiée.")


def alone_alert(label: str, refused: str) -> str:
    return (f"{label} : la salle « {refused} » a refusé la réunion (réponse de sa boîte de réservation : "
            "salle déjà prise ou règle de réservation) et aucune autre salle assez grande n'est libre sur ce "
            "créneau ; la séance n'a plus de salle réservée (colonne « Salle réservée » vidée dans le planning) : "
            "réservez une salle ou changez l'horaire.")


def still_without_room(label: str, declined: list[str]) -> str:
    names = ", ".join(f"« {name} »" for name in declined)
    return (f"{label} : toujours sans salle réservée ({names} a refusé la réunion) ; aucune autre salle assez "
            "grande n'est libre sur ce créneau.")
