"""What the exchange and graph transports share: items kept in the organizer's mailbox, found by their key.

Every meeting or mail they make carries the action's key and the id of the last delivery applied to it;
one search by key, over the calendar and Sent Items, tells whether a delivery already happened and which
meeting a request updates or a cancellation cancels. Rooms are chosen on the server's free/busy answer.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from ..errors import TransportError
from .base import Delivered, Meeting, RoomChoice, Transport

log = logging.getLogger(__name__)


def key_of(delivery_id: str) -> str:
    return delivery_id.rpartition("#")[0] or delivery_id


class Stored(Protocol):
    item_id: str
    delivery: str  # the id of the last delivery applied to the item
    meeting: bool


class MailboxTransport(Transport):
    unknown_room: ClassVar[str]  # French: why a room's free/busy cannot be read
    room_booking: ClassVar[str] = "reservee"  # the room is a resource attendee: the server books it
    call: Callable[..., Any]  # runs an operation under the transport's retry policy (what, operation, recheck)
    _stored: dict[str, list[Any]]  # key -> items found by the last look-up

    @abstractmethod
    def _search(self, key: str) -> Sequence[Stored]:
        """The items carrying this key, in the calendar and in Sent Items; kept in ``_stored``."""

    @abstractmethod
    def _create(self, meeting: Meeting, key: str) -> str:
        """Create and send the meeting; its reference."""

    @abstractmethod
    def _update(self, stored: Any, meeting: Meeting) -> str:
        """Send the changed meeting to everyone (Exchange tells removed attendees it is off); its reference."""

    @abstractmethod
    def _cancel(self, stored: Any, meeting: Meeting) -> None: ...

    @abstractmethod
    def busy_slots(self, emails: Sequence[str], start: datetime,
                   end: datetime) -> dict[str, list[tuple[datetime, datetime]] | None]:
        """Busy slots per mailbox, in one request; None for a mailbox the server does not know."""

    def _delivered(self, delivery_id: str) -> Delivered | None:
        for stored in self._search(key_of(delivery_id)):
            if stored.delivery == delivery_id:
                # a mail's saved copy has no id in the send's answer: mails are named by their delivery
                return Delivered(reference=stored.item_id if stored.meeting else f"{self.name}:{delivery_id}")
        return None

    def lookup(self, delivery_id: str) -> Delivered | None:
        return self.call("la recherche d'un envoi déjà fait", lambda: self._delivered(delivery_id))  # type: ignore[no-any-return]

    def _meeting(self, key: str) -> Any:
        if key not in self._stored:
            self.call("la recherche de la réunion", lambda: self._search(key))
        return next((s for s in self._stored[key] if s.meeting), None)

    def send_meeting(self, meeting: Meeting) -> Delivered:
        key = key_of(meeting.delivery_id)
        existing = self._meeting(key)
        if meeting.method == "CANCEL":
            if existing is not None:
                self._cancel(existing, meeting)
            return Delivered(reference=f"{self.name}:{meeting.delivery_id}")
        reference = self._create(meeting, key) if existing is None else self._update(existing, meeting)
        self._stored.pop(key, None)
        return Delivered(reference=reference)

    def free_room(self, rooms: Sequence[RoomChoice], start: datetime, end: datetime) -> RoomChoice | None:
        candidates = [r for r in rooms if r.email]
        if not candidates:
            return rooms[0] if rooms else None
        busy = self.call("la disponibilité des salles",
                         lambda: self.busy_slots([r.email or "" for r in candidates], start, end))
        for room in candidates:
            slots = busy.get((room.email or "").lower())
            if slots is not None and not any(s < end and e > start for s, e in slots):
                return room
        return None

    def check_rooms(self, rooms: Sequence[RoomChoice]) -> list[tuple[RoomChoice, str | None]]:
        with_address = [r for r in rooms if r.email]
        if not with_address:
            return []
        start = self.now().replace(minute=0, second=0, microsecond=0)
        slots = self.call("la disponibilité des salles", lambda: self.busy_slots(
            [r.email or "" for r in with_address], start, start + timedelta(days=1)))
        return [(r, None if slots.get((r.email or "").lower()) is not None else self.unknown_room)
                for r in with_address]


def after_dropped_line(server: str, what: str, attempts: int, retries: int, failure: Exception,
                       recheck: Callable[[], Any] | None, call: Callable[[str, Callable[[], Any]], Any],
                       sleep: Callable[[float], object]) -> Any:
    """The line dropped on the ``attempts``-th try: what the server already did (found by ``recheck``), else
    None once backed off for the next try; past ``retries``, a TransportError. A send is never repeated blind."""
    if recheck is not None:
        done = call(f"{what} (vérification)", recheck)
        if done is not None:
            log.info("%s : fait par le serveur avant la coupure de la connexion", what)
            return done
    if attempts > retries:
        raise TransportError(f"{server} injoignable ({what}) après {attempts} essais : {failure} ; "
                             "nouvel essai au prochain passage.") from failure
    sleep(min(0.5 * 2 ** attempts, 8.0))
    return None
