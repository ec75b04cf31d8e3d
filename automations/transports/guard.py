"""Recipient safety around any transport: pilot redirection and allowed domains.

In pilot mode every mail goes to one address, with the real recipients named
in the body, so a service can watch the tool work before trusting it. The
allow-list stops a mail to an unexpected domain before it leaves.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..errors import TransportError
from ..french import plural
from .base import Address, Delivered, Mail, Meeting, RoomChoice, Transport, written

PILOT_PREFIX = "[PILOTE] "


class GuardedTransport(Transport):
    name = "guard"

    def __init__(self, inner: Transport, *, pilot_address: str = "", allowed_domains: Sequence[str] = ()) -> None:
        super().__init__({}, base=inner.base, now=inner.now)
        self.inner = inner
        self.pilot = Address(pilot_address, "Pilote") if pilot_address else None
        # compared with addresses as they are written: a domain with accents in its IDNA form
        self.allowed = tuple(_idna(d.lower().lstrip("@")) for d in allowed_domains)

    def _check(self, recipients: Sequence[Address]) -> None:
        if not self.allowed:
            return
        refused = [a.email for a in recipients
                   if not any(a.email.lower().endswith("@" + d) or a.email.lower().endswith("." + d)
                              for d in self.allowed)]
        if refused:
            raise TransportError(
                f"envoi bloqué : {plural(len(refused), 'destinataire', 'destinataires')} hors des domaines autorisés "
                f"({', '.join(self.allowed)}) : {', '.join(sorted(refused))}")

    def _note(self, recipients: Sequence[Address], body: str) -> str:
        listed = ", ".join(a.email for a in recipients)
        return f"[Mode pilote] Destinataires réels : {listed}\n\n{body}"

    def _note_html(self, recipients: Sequence[Address], body: str | None) -> str | None:
        """The same note at the top of an HTML body: Outlook shows the HTML, not the text part."""
        if body is None:
            return None
        listed = html.escape(", ".join(a.email for a in recipients))
        note = (f'<p style="margin:0;padding:8px;background-color:#fff4ce;font-family:Arial,sans-serif;'
                f'font-size:13px;">[Mode pilote] Destinataires réels : {listed}</p>')
        opening = re.search(r"<body[^>]*>", body, flags=re.IGNORECASE)
        return body[:opening.end()] + note + body[opening.end():] if opening else note + body

    def send_mail(self, mail: Mail) -> Delivered:
        # every transport gets plain ASCII addresses, Exchange and Graph as much as the MIME ones
        mail = replace(mail, sender=written(mail.sender, "De"), to=_written(mail.to, "À"), cc=_written(mail.cc, "Cc"))
        self._check(mail.to + mail.cc)
        if self.pilot:
            mail = replace(mail, to=(self.pilot,), cc=(), subject=PILOT_PREFIX + mail.subject,
                           body_text=self._note(mail.to + mail.cc, mail.body_text),
                           body_html=self._note_html(mail.to + mail.cc, mail.body_html))
        return self.inner.send_mail(mail)

    def send_meeting(self, meeting: Meeting) -> Delivered:
        room = meeting.room and (written(meeting.room, "Salle") if meeting.room.email else meeting.room)
        meeting = replace(meeting, organizer=written(meeting.organizer, "Organisateur"),
                          required=_written(meeting.required, "À"), optional=_written(meeting.optional, "Facultatif"),
                          room=room, removed=_written(meeting.removed, "Retiré"),
                          removed_room=meeting.removed_room and written(meeting.removed_room, "Salle retirée"))
        # attendees an update drops are written to as well: their cancellation obeys the same rules
        self._check(meeting.recipients + meeting.removed + ((meeting.removed_room,) if meeting.removed_room else ()))
        if self.pilot:
            # no real room is booked in pilot mode: the resource would accept the meeting. Nobody is withdrawn
            # either: the pilot stays invited, and the update's text names the members struck off
            meeting = replace(meeting, required=(self.pilot,), optional=(), room=None, removed=(), removed_room=None,
                              subject=PILOT_PREFIX + meeting.subject, title=PILOT_PREFIX + meeting.title,
                              body_text=self._note(meeting.recipients, meeting.body_text))
        return self.inner.send_meeting(meeting)

    def lookup(self, delivery_id: str) -> Delivered | None:
        return self.inner.lookup(delivery_id)

    @property  # type: ignore[override]
    def room_booking(self) -> str:
        return "indiquee" if self.pilot else self.inner.room_booking  # no room is invited in pilot mode

    def free_room(self, rooms: Sequence[RoomChoice], start: datetime, end: datetime) -> RoomChoice | None:
        return self.inner.free_room(rooms, start, end)

    def rooms(self) -> list[RoomChoice]:
        return self.inner.rooms()

    def check_rooms(self, rooms: Sequence[RoomChoice]) -> list[tuple[RoomChoice, str | None]]:
        return self.inner.check_rooms(rooms)

    def answers(self, key: str) -> dict[str, str] | None:
        return self.inner.answers(key)

    def room_answer(self, delivery_id: str) -> str | None:
        return None if self.pilot else self.inner.room_answer(delivery_id)  # no room is invited in pilot mode

    def verify(self) -> str:
        mode = f" ; mode pilote : tout part vers {self.pilot.email}" if self.pilot else ""
        return self.inner.verify() + mode

    def close(self) -> None:
        self.inner.close()


def _written(addresses: tuple[Address, ...], where: str) -> tuple[Address, ...]:
    return tuple(written(a, where) for a in addresses)


def _idna(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain  # never matches a written address: the mail is blocked, as for any unknown domain
