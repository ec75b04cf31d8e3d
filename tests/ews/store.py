"""The state of the EWS test server: mailboxes, their folders and items, rooms, what was delivered."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

FOLDERS = ("root", "msgfolderroot", "calendar", "sentitems", "inbox", "deleteditems")


@dataclass
class Person:
    email: str
    name: str = ""
    response: str = "Unknown"  # Accept | Decline | Tentative | NoResponseReceived | Unknown | Organizer


@dataclass
class FileAttachment:
    attachment_id: str
    name: str
    content_type: str
    content: bytes
    content_id: str = ""  # an image shown by the HTML body (<img src="cid:...">)
    is_inline: bool = False


@dataclass
class Item:
    """A calendar item or a message, with what the tests need to check."""

    item_id: str
    kind: str  # CalendarItem | Message | MeetingRequest | MeetingCancellation | MeetingResponse
    folder: str
    subject: str = ""
    body: str = ""
    body_type: str = "Text"
    start: datetime | None = None
    end: datetime | None = None
    location: str = ""
    uid: str = ""
    required: list[Person] = field(default_factory=list)
    optional: list[Person] = field(default_factory=list)
    resources: list[Person] = field(default_factory=list)
    to: list[Person] = field(default_factory=list)
    cc: list[Person] = field(default_factory=list)
    extended: dict[str, str] = field(default_factory=dict)  # PropertyName -> value
    attachments: list[FileAttachment] = field(default_factory=list)
    sequence: int = 0
    changes: int = 0
    cancelled: bool = False
    item_class: str = ""  # when the kind's usual one does not say it (a meeting response's answer)
    sender: Person | None = None
    associated: str = ""  # a meeting message's calendar item
    # LegacyFreeBusyStatus (types.xsd LegacyFreeBusyType: Free, Tentative, Busy, OOF, WorkingElsewhere, NoData);
    # Exchange gives a new calendar item Busy. A meeting message carries it as IntendedFreeBusyStatus
    free_busy: str = "Busy"
    # a received message: its MIME stream (MimeContent), Outlook categories, DateTimeReceived
    mime: bytes = b""
    categories: list[str] = field(default_factory=list)
    received: datetime | None = None

    @property
    def changekey(self) -> str:
        return f"CK{self.changes}"

    def attendees(self) -> list[Person]:
        return self.required + self.optional + self.resources


@dataclass
class Mailbox:
    email: str
    name: str
    room: bool = False
    capacity: int | None = None
    items: dict[str, Item] = field(default_factory=dict)
    busy: list[tuple[datetime, datetime, str]] = field(default_factory=list)  # start, end, what holds it
    # a room's booking policy (Set-CalendarProcessing); None: no limit. Exchange's defaults are 180 days
    # and 1440 minutes; the tests set them where they matter, so that no test depends on the day it runs
    auto_accept: bool = True  # AutomateProcessing AutoAccept; False: AutoUpdate, the room never answers
    allow_conflicts: bool = False
    booking_window_days: int | None = None
    max_duration_minutes: int | None = None
    # folders staff made: id -> (display name, parent folder id or well-known name)
    named: dict[str, tuple[str, str]] = field(default_factory=dict)

    def folder(self, name: str) -> list[Item]:
        return [i for i in self.items.values() if i.folder == name]


@dataclass
class Delivery:
    """What reached a recipient: an invitation, an update, a cancellation or a mail."""

    recipient: str
    kind: str  # MeetingRequest | MeetingCancellation | Message
    subject: str
    item: Item
    attachments: list[str]


class Store:
    def __init__(self) -> None:
        self.mailboxes: dict[str, Mailbox] = {}
        self.room_lists: dict[str, tuple[str, list[str]]] = {}  # list e-mail -> (name, room e-mails)
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)  # a booking window's start
        self.delivered: list[Delivery] = []
        self._ids = itertools.count(1)

    def add_mailbox(self, email: str, name: str = "", *, room: bool = False,
                    capacity: int | None = None) -> Mailbox:
        box = Mailbox(email=email.lower(), name=name or email, room=room, capacity=capacity)
        self.mailboxes[box.email] = box
        return box

    def mailbox(self, email: str) -> Mailbox | None:
        return self.mailboxes.get(email.lower())

    def add_folder(self, email: str, name: str, parent: str = "inbox") -> str:
        """A folder made by staff, under the Inbox or another folder; its id is what FindItem takes."""
        box = self.mailboxes[email.lower()]
        folder_id = self.new_id("DOSSIER")
        box.named[folder_id] = (name, parent)
        return folder_id

    def folder_named(self, email: str, name: str, parent: str = "inbox") -> str:
        """The id of the folder staff named ``name`` under ``parent``, made if it is not there yet."""
        box = self.mailboxes[email.lower()]
        found = [fid for fid, (shown, up) in box.named.items() if (shown, up) == (name, parent)]
        return found[0] if found else self.add_folder(email, name, parent)

    def deliver_mime(self, email: str, raw: bytes, received: datetime | None = None, *, folder: str = "inbox",
                     categories: list[str] | None = None) -> Item:
        """A message that came from outside into the mailbox (a raw .eml), as Exchange's transport stores it.

        ``folder``: a well-known name, a folder id, or the display name of a folder under the Inbox (« À
        enregistrer »), made if needed. ``received``: by default the mail's Date header, else the store's now."""
        from email import message_from_bytes
        from email.header import decode_header, make_header
        from email.utils import parsedate_to_datetime

        box = self.mailboxes[email.lower()]
        if folder not in FOLDERS and folder not in box.named:
            folder = self.folder_named(email, folder)
        parsed = message_from_bytes(raw)
        if received is None:
            try:
                received = parsedate_to_datetime(str(parsed["Date"]))
            except (TypeError, ValueError):
                received = None
            received = received if received and received.tzinfo else self.now()
        subject = str(make_header(decode_header(parsed.get("Subject", "") or "")))
        item = Item(item_id=self.new_id("MSG"), kind="Message", folder=folder, subject=subject, mime=raw,
                    categories=list(categories or []), received=received)
        self.mailboxes[email.lower()].items[item.item_id] = item
        return item

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):06d}"

    def item(self, item_id: str) -> tuple[Mailbox, Item] | None:
        for box in self.mailboxes.values():
            if item_id in box.items:
                return box, box.items[item_id]
        return None

    def busy_type(self, owner: str) -> str:
        """How a room's booking shows in its free/busy: as the meeting that holds it. The room's copy takes the
        status the organizer intends ([MS-OXOCAL] 2.2.6.4 PidLidIntendedBusyStatus, sent with each request and
        update); a booking the tests set by hand is Busy."""
        hit = self.item(owner)
        return hit[1].free_busy if hit else "Busy"

    def deliveries_to(self, email: str, kind: str | None = None) -> list[Delivery]:
        return [d for d in self.delivered
                if d.recipient == email.lower() and (kind is None or d.kind == kind)]

    def calendar(self, email: str) -> list[Item]:
        box = self.mailbox(email)
        return box.folder("calendar") if box else []
