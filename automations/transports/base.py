"""The one small interface every transport implements.

A transport delivers mails and meetings and can tell whether a delivery was
already made: every delivery carries a ``delivery_id`` (the action's key and
revision) so that a crash between sending and journaling never sends twice.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from ..addresses import AddressProblem, usable_address
from ..errors import TransportError
from ..file_names import attachment_name
from .inbox import MailSource


# a member's answer to a meeting, as every transport reports it (the domain reads them in attendance)
ACCEPTED, DECLINED, TENTATIVE, NONE = "accepte", "decline", "provisoire", "sans-reponse"


@dataclass(frozen=True)
class Address:
    email: str
    name: str = ""


def written(address: Address, where: str) -> Address:
    """The address as a header or an envelope may carry it (plain ASCII), never as an encoded word.

    ``where`` names the field in French (« À », « De »…). The message does not quote the address: it may be an
    applicant's, and run output ends up in the service's logs.
    """
    try:
        return replace(address, email=usable_address(address.email))
    except AddressProblem as exc:
        raise TransportError(f"adresse e-mail invalide en « {where} » ({exc.reason}) : rien n'est envoyé ; "
                             "corrigez-la dans le registre ou la configuration") from None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"
    # set for an image the HTML body shows (``<img src="cid:...">``): sent inline, not as a file to open
    content_id: str | None = None

    def __post_init__(self) -> None:
        # whatever a backend does with it, the name the recipient saves the file under is a valid one
        object.__setattr__(self, "filename", attachment_name(self.filename))


@dataclass(frozen=True)
class Mail:
    delivery_id: str
    subject: str
    sender: Address
    to: tuple[Address, ...]
    body_text: str
    cc: tuple[Address, ...] = ()
    body_html: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """A meeting request (or its cancellation) with its covering mail."""

    delivery_id: str
    uid: str
    sequence: int
    method: str  # "REQUEST" or "CANCEL"
    subject: str
    start: datetime  # timezone-aware, in the service's zone
    end: datetime
    location: str
    organizer: Address
    required: tuple[Address, ...]
    body_text: str
    optional: tuple[Address, ...] = ()
    room: Address | None = None
    attachments: tuple[Attachment, ...] = ()
    timezone: str = "Pacific/Noumea"
    stamp: datetime | None = None  # DTSTAMP; the clock's now, for reproducible tests
    # attendees dropped by an update, and the room it replaced: they must be told the meeting is off for them
    removed: tuple[Address, ...] = ()
    removed_room: Address | None = None
    # a CANCEL that withdraws the listed attendees from a meeting that goes on (RFC 5546 §3.2.5), not a call-off
    withdrawal: bool = False
    # the meeting's own name (iCalendar SUMMARY, the Exchange or Graph event's subject); ``subject`` is the
    # covering mail's, which may say « Modification – »: a calendar entry must not keep that. Empty: the subject
    title: str = ""
    # a date held in calendars, the convocation to follow: sent tentative on every backend, the room booked; the
    # convocation updates the same meeting (same key, hence UID and stored item) and sends it busy
    hold: bool = False

    def __post_init__(self) -> None:
        if not self.title:
            object.__setattr__(self, "title", self.subject)

    @property
    def recipients(self) -> tuple[Address, ...]:
        room = (self.room,) if self.room and self.room.email else ()
        return self.required + self.optional + room

    def for_removed(self) -> Meeting | None:
        """The cancellation sent to removed attendees, with the same UID and sequence."""
        if not self.removed and not (self.removed_room and self.removed_room.email):
            return None
        # named after the meeting, not after this update's mail: « Annulation – Modification – » says nothing
        return replace(self, delivery_id=f"{self.delivery_id}/retrait", method="CANCEL",
                       subject=f"Annulation – {self.title}", required=self.removed, optional=(),
                       room=self.removed_room, attachments=(), removed=(), removed_room=None, withdrawal=True,
                       body_text=f"Votre participation à la réunion « {self.title} » n'est plus requise "
                                 "(liste des participants ou salle modifiée) : la réunion est retirée de votre "
                                 "agenda.")


@dataclass(frozen=True)
class RoomChoice:
    name: str
    email: str | None
    capacity: int | None = None


@dataclass
class Delivered:
    """What a transport returns: a reference staff or the admin can trace."""

    reference: str
    details: dict[str, Any] = field(default_factory=dict)


class Transport(ABC):
    """Base class: one module per backend, picked by name from the config."""

    name: ClassVar[str]

    def __init__(self, settings: Mapping[str, Any], *, base: Path, now: Callable[[], datetime]) -> None:
        self.settings = dict(settings)
        self.base = base  # the config file's folder: relative paths start there
        self.now = now  # the context's clock, so tests can run on a fake one
        # waits a server asks for (Retry-After); the context gives its own, which a stop request cuts short
        self.pause: Callable[[float], object] = time.sleep

    @classmethod
    def check_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        """Problems with this backend's own settings, in French (empty if fine)."""
        return []

    @abstractmethod
    def send_mail(self, mail: Mail) -> Delivered: ...

    @abstractmethod
    def send_meeting(self, meeting: Meeting) -> Delivered: ...

    @abstractmethod
    def lookup(self, delivery_id: str) -> Delivered | None:
        """The earlier delivery made with this id, if any."""

    # What a meeting sent through this transport does to its room: "reservee" (the server books the
    # resource), "invitee" (the room's mailbox gets the invitation; whether it accepts is not known)
    # or "indiquee" (the room is only named in the convocation: staff book it themselves)
    room_booking: ClassVar[str] = "indiquee"

    def free_room(
        self, rooms: Sequence[RoomChoice], start: datetime, end: datetime
    ) -> RoomChoice | None:
        """The first room of ``rooms`` free on the slot; without free/busy, the first."""
        return rooms[0] if rooms else None

    def rooms(self) -> list[RoomChoice]:
        """Rooms the server itself lists (an Exchange room list); capacity unknown there."""
        return []

    def check_rooms(self, rooms: Sequence[RoomChoice]) -> list[tuple[RoomChoice, str | None]]:
        """For each room, None if the server knows it and answers its free/busy, else why not (French).
        Transports without free/busy have nothing to check."""
        return []

    def answers(self, key: str) -> dict[str, str] | None:
        """Attendees' answers to the meeting of this action key (e-mail -> accepte, decline, provisoire,
        sans-reponse); None when the transport cannot read them back (mail-only transports)."""
        return None

    def room_answer(self, delivery_id: str) -> str | None:
        """The room's own answer to the meeting of this delivery: "accepted", "declined" or "tentative", None
        while it has not answered (a room mailbox's booking assistant answers later) or when the transport
        does not invite rooms."""
        return None

    def inbox(self, folder: str | None = None) -> MailSource | None:
        """Where incoming mail is read (``folder``: a folder of the mailbox, e.g. « À enregistrer »; None: its
        inbox), or None when this transport has no mailbox to read (see :mod:`inbox`)."""
        return None

    def verify(self) -> str:
        """Reach the server (log in, open the mailbox) without sending; say in French what was checked."""
        return f"transport « {self.name} »"

    def close(self) -> None:
        """Release connections; called once at the end of a run."""
