"""The Graph endpoints the test server answers, over the shared store.

Side effects follow what Exchange Online does for an organizer, as the EWS test server does: an event
created without attendees invites nobody; adding attendees sends them the request with the event's
attachments and books the room; a later change is sent to everyone and a cancellation to those removed;
a cancellation removes the event from the organizer's calendar and frees the room.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..ews.operations import _book_rooms, _deliver
from ..ews.store import FileAttachment, Item, Mailbox, Person, Store
from .mail_routes import MAIL_ROUTES
from .shapes import (
    FREE_BUSY, GraphError, apply, attachment_in, attachment_out, event_out, expanded, matches, message_out,
    parse_time, selected, utc,
)

POST_LIMIT = 3 * 1024 * 1024  # an attachment posted whole must be under 3 MB
# "Things to know about send mail" (Microsoft Learn, https://learn.microsoft.com/en-us/graph/outlook-things-to-know-
# about-send-mail): sendMail and a draft's /send answer 202 once the message is accepted; it stays in Drafts
# until transport has processed it, and only then reaches Sent Items. The server lets this many further
# requests pass before the move, so a client that looks in Sent Items only right after a 202 misses it.
SENT_LAG = 4
# "Manage resource mailboxes" and Set-CalendarProcessing (Microsoft Learn, Exchange Online): a room mailbox's
# booking assistant answers an invitation after it arrives, not in the organizer's request: it declines when
# the room is already booked on the slot (a conflict) or when its booking policy refuses the meeting (booking
# window, capacity, working hours, who may book), else accepts. Its answer shows after this many requests.
ASSISTANT_LAG = 2


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Upload:
    box: Mailbox
    item: Item
    attachment: FileAttachment
    size: int
    received: bytearray = field(default_factory=bytearray)


@dataclass
class Graph:
    """What the server keeps beside the store: transaction ids, upload sessions, the room pages' size."""

    store: Store
    origin: str  # https://localhost:port, for the upload sessions' URLs
    transactions: dict[tuple[str, str], str] = field(default_factory=dict)  # (mailbox, transactionId) -> event id
    uploads: dict[str, Upload] = field(default_factory=dict)
    chunks: list[int] = field(default_factory=list)  # sizes of the upload chunks received
    page_size: int = 100
    mail_page: int = 10  # messages a page when listing a folder (mail_routes.py)
    sent_lag: int = SENT_LAG
    assistant_lag: int = ASSISTANT_LAG
    declining: dict[str, str] = field(default_factory=dict)  # room e-mail -> the policy it declines by
    pending: list[list[Any]] = field(default_factory=list)  # [requests left, work done then]
    _sessions: Any = field(default_factory=lambda: itertools.count(1))

    def after(self, requests: int, work: Callable[[], None]) -> None:
        self.pending.append([requests, work])

    def tick(self) -> None:
        """One more request seen: what Exchange Online does in the background and is now over takes effect."""
        for entry in self.pending:
            entry[0] -= 1
        due = [work for left, work in self.pending if left <= 0]
        self.pending = [e for e in self.pending if e[0] > 0]
        for work in due:
            work()

    def settle(self) -> None:
        """Everything in the background is over: messages in Sent Items, rooms' answers given."""
        due, self.pending = self.pending, []
        for _, work in due:
            work()

    def submit(self, item: Item) -> None:
        _deliver(self.store, item, "Message", item.to + item.cc)
        item.folder = "drafts"
        self.after(self.sent_lag, lambda: setattr(item, "folder", "sentitems"))

    def book(self, item: Item) -> None:
        """The rooms of the event booked, but for those that declined; the new ones' assistants to answer."""
        _book_rooms(self.store, item)
        for person in item.resources:
            if person.response == "Decline":
                self._release(item, person.email)
            elif person.response == "Unknown":
                person.response = "NoResponseReceived"
                self.after(self.assistant_lag, lambda p=person: self._assistant(item, p))  # type: ignore[misc]

    def _release(self, item: Item, email: str) -> None:
        room = self.store.mailbox(email)
        if room is not None:
            room.busy = [b for b in room.busy if b[2] != item.item_id]

    def _assistant(self, item: Item, person: Person) -> None:
        room = self.store.mailbox(person.email)
        if item.cancelled or person not in item.resources or room is None or not room.room:
            return
        start, end = item.start, item.end
        conflict = start is not None and end is not None and any(
            s < end and e > start for s, e, owner in room.busy if owner != item.item_id)
        if conflict or person.email in self.declining:
            person.response = "Decline"
            self._release(item, person.email)
        else:
            person.response = "Accept"

    def box(self, user: str) -> Mailbox:
        box = self.store.mailbox(user)
        if box is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
        return box

    def item(self, box: Mailbox, item_id: str) -> Item:
        item = box.items.get(item_id)
        if item is None or item.folder == "deleteditems":
            raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
        return item


Handler = Callable[[Graph, dict[str, str], Mapping[str, str], Any], Reply]


def _organizer(box: Mailbox) -> Person:
    return Person(email=box.email, name=box.name, response="Organizer")


def _transaction(graph: Graph, box: Mailbox, item: Item) -> str | None:
    return next((t for (b, t), i in graph.transactions.items() if b == box.email and i == item.item_id), None)


# -- events ----------------------------------------------------------------
def list_events(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, wanted = graph.box(p["user"]), expanded(q)
    found = [i for i in box.folder("calendar") if matches(i, q)][:int(q.get("$top", "10"))]
    return Reply(200, {"value": [selected(event_out(i, _organizer(box), wanted), q) for i in found]})


def create_event(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, store = graph.box(p["user"]), graph.store
    transaction = body.get("transactionId")
    if transaction and (box.email, transaction) in graph.transactions:
        # a re-posted creation: the event made the first time, not a second one
        item = box.items[graph.transactions[(box.email, transaction)]]
        return Reply(201, event_out(item, _organizer(box), transaction=transaction))
    # iCalUId is the server's, read-only, kept through every update (Microsoft Learn, "event resource type"); it
    # has the shape of an Outlook global object id
    item_id = store.new_id("AAMkEv")
    item = Item(item_id=item_id, kind="CalendarItem", folder="calendar",
                uid="040000008200E00074C5B7101A82E00800000000" + uuid.uuid5(uuid.NAMESPACE_OID, item_id).hex.upper())
    apply(item, store, body)
    box.items[item.item_id] = item
    if transaction:
        graph.transactions[(box.email, transaction)] = item.item_id
    if item.attendees():
        graph.book(item)
        _deliver(store, item, "MeetingRequest", item.attendees())
    return Reply(201, event_out(item, _organizer(box), transaction=transaction))


def update_event(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box = graph.box(p["user"])
    item = graph.item(box, p["id"])
    before = {person.email: person.response for person in item.attendees()}
    apply(item, graph.store, body)
    for person in item.attendees():
        # an attendee kept keeps the answer given
        person.response = before.get(person.email, "Unknown")
    item.changes += 1
    if item.attendees():
        if before:
            item.sequence += 1
        graph.book(item)
        _deliver(graph.store, item, "MeetingRequest", item.attendees())
        now = {person.email for person in item.attendees()}
        gone = [Person(email=e) for e in before if e not in now]
        if gone:
            _deliver(graph.store, item, "MeetingCancellation", gone)
    return Reply(200, event_out(item, _organizer(box), transaction=_transaction(graph, box, item)))


def delete_event(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box = graph.box(p["user"])
    item = graph.item(box, p["id"])
    del box.items[item.item_id]
    item.cancelled = True
    _book_rooms(graph.store, item)
    return Reply(204)


def cancel_event(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box = graph.box(p["user"])
    item = graph.item(box, p["id"])
    if not item.attendees():
        raise GraphError(400, "ErrorInvalidRequest", "Your request can't be completed. You need to be an organizer "
                                                     "to cancel a meeting.")
    item.cancelled = True
    item.body = str((body or {}).get("comment") or item.body)
    _deliver(graph.store, item, "MeetingCancellation", item.attendees())
    item.folder = "deleteditems"  # the organizer's copy goes to Deleted Items
    _book_rooms(graph.store, item)
    return Reply(202)


# -- attachments -------------------------------------------------------------
def _owner(graph: Graph, p: dict[str, str]) -> tuple[Mailbox, Item]:
    box = graph.box(p["user"])
    return box, graph.item(box, p["id"])


def list_attachments(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    _, item = _owner(graph, p)
    return Reply(200, {"value": [selected(attachment_out(a), q) for a in item.attachments]})


def add_attachment(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    _, item = _owner(graph, p)
    attachment = attachment_in(graph.store, body)
    if len(attachment.content) >= POST_LIMIT:
        raise GraphError(413, "ErrorRequestEntityTooLarge", "The attachment is over 3 MB: use an upload session.")
    item.attachments.append(attachment)
    return Reply(201, attachment_out(attachment))


def delete_attachment(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    _, item = _owner(graph, p)
    kept = [a for a in item.attachments if a.attachment_id != p["attachment"]]
    if len(kept) == len(item.attachments):
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    item.attachments = kept
    return Reply(204)


def create_upload_session(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, item = _owner(graph, p)
    spec = body["AttachmentItem"]
    if spec.get("attachmentType") != "file" or not spec.get("name") or int(spec.get("size", 0)) <= 0:
        raise GraphError(400, "ErrorInvalidRequest", "AttachmentItem: attachmentType, name and size are required.")
    session = f"session-{next(graph._sessions)}"
    attachment = FileAttachment(attachment_id=graph.store.new_id("AAMkAtt"), name=str(spec["name"]),
                                content_type=str(spec.get("contentType", "application/octet-stream")), content=b"",
                                content_id=str(spec.get("contentId") or ""), is_inline=bool(spec.get("isInline")))
    graph.uploads[session] = Upload(box, item, attachment, int(spec["size"]))
    return Reply(201, {"uploadUrl": f"{graph.origin}/upload/{session}?authtoken=jeton-de-session",
                       "expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": ["0-"]})


_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def upload_chunk(graph: Graph, session: str, content_range: str, data: bytes) -> Reply:
    upload = graph.uploads.get(session)
    found = _RANGE.match(content_range)
    if upload is None or found is None:
        raise GraphError(404, "ErrorItemNotFound", "Upload session not found or Content-Range missing.")
    first, last, total = map(int, found.groups())
    if first != len(upload.received) or last - first + 1 != len(data) or total != upload.size:
        raise GraphError(416, "InvalidRange", f"Expected range {len(upload.received)}-.")
    graph.chunks.append(len(data))
    upload.received.extend(data)
    if len(upload.received) < upload.size:
        return Reply(200, {"nextExpectedRanges": [f"{len(upload.received)}-"]})
    upload.attachment.content = bytes(upload.received)
    upload.item.attachments.append(upload.attachment)
    del graph.uploads[session]
    return Reply(201)


# -- mail --------------------------------------------------------------------
def send_mail(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, store = graph.box(p["user"]), graph.store
    item = Item(item_id=store.new_id("AAMkMsg"), kind="Message", folder="drafts")
    apply(item, store, body["message"])
    if not body.get("saveToSentItems", True):
        _deliver(store, item, "Message", item.to + item.cc)
        return Reply(202)
    # saved in Drafts when accepted, in Sent Items once processed (see SENT_LAG)
    box.items[item.item_id] = item
    graph.submit(item)
    return Reply(202)


def create_message(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, store = graph.box(p["user"]), graph.store
    item = Item(item_id=store.new_id("AAMkMsg"), kind="Message", folder="drafts")
    apply(item, store, body)
    box.items[item.item_id] = item
    return Reply(201, message_out(item))


def send_draft(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    _, item = _owner(graph, p)
    if item.folder != "drafts":
        raise GraphError(400, "ErrorInvalidOperation", "Only a draft can be sent.")
    # still in Drafts while transport processes it (see SENT_LAG): Graph would take a second /send as well
    graph.submit(item)
    return Reply(202)


def update_message(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    _, item = _owner(graph, p)
    apply(item, graph.store, body)
    return Reply(200, message_out(item))


def delete_message(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, item = _owner(graph, p)
    del box.items[item.item_id]
    return Reply(204)


def list_folder(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box, wanted = graph.box(p["user"]), expanded(q)
    found = [i for i in box.folder(p["folder"]) if matches(i, q)][:int(q.get("$top", "10"))]
    return Reply(200, {"value": [selected(message_out(i, wanted), q) for i in found]})


def sent_folder(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box = graph.box(p["user"])
    return Reply(200, selected({"id": "sentitems", "displayName": "Éléments envoyés",
                                "totalItemCount": len(box.folder("sentitems"))}, q))


def calendar(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    box = graph.box(p["user"])
    return Reply(200, selected({"id": "calendar", "name": "Calendrier",
                                "owner": {"name": box.name, "address": box.email}}, q))


# -- free/busy and rooms -----------------------------------------------------
def get_schedule(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    graph.box(p["user"])
    start, end = parse_time(body["startTime"]), parse_time(body["endTime"])
    answers: list[dict[str, Any]] = []
    for email in body["schedules"]:
        box = graph.store.mailbox(email)
        if box is None:
            answers.append({"scheduleId": email, "error": {"message": f"Could not find the mailbox {email}.",
                                                           "responseCode": "ErrorMailRecipientNotFound"}})
            continue
        # each item's status is its event's showAs (a held date: tentative); availabilityView gives one digit
        # (0 free, 1 tentative, 2 busy), the highest over the window here
        items = [{"status": FREE_BUSY.get(graph.store.busy_type(owner), "busy"), "start": utc(s), "end": utc(e)}
                 for s, e, owner in box.busy if s < end and e > start]
        view = "2" if any(i["status"] == "busy" for i in items) else "1" if items else "0"
        answers.append({"scheduleId": email, "availabilityView": view, "scheduleItems": items})
    return Reply(200, {"value": answers})


def _room(box: Mailbox) -> dict[str, Any]:
    return {"id": f"place-{box.email}", "displayName": box.name, "emailAddress": box.email,
            "capacity": box.capacity}


def _page(graph: Graph, rooms: list[dict[str, Any]], q: Mapping[str, str]) -> Reply:
    """One page of rooms as Exchange Online gives it: "List places" (Microsoft Learn, place-list) takes $top and
    $skip, 100 rooms a page by default, and its answer carries no @odata.nextLink however many rooms remain
    (microsoftgraph/microsoft-graph-docs-contrib#341, microsoftgraph/msgraph-sdk-dotnet#2190)."""
    skip, top = int(q.get("$skip", "0")), int(q.get("$top", str(graph.page_size)))
    return Reply(200, {"value": rooms[skip:skip + top]})


def all_rooms(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    rooms = [_room(b) for b in graph.store.mailboxes.values() if b.room]
    return _page(graph, rooms, q)


def list_rooms(graph: Graph, p: dict[str, str], q: Mapping[str, str], body: Any) -> Reply:
    room_list = p["list"].lower()
    if room_list not in graph.store.room_lists:
        raise GraphError(404, "ErrorItemNotFound", f"The room list '{room_list}' was not found.")
    boxes = [graph.store.mailbox(e) for e in graph.store.room_lists[room_list][1]]
    rooms = [_room(b) for b in boxes if b is not None]
    return _page(graph, rooms, q)


_USER = r"/users/(?P<user>[^/]+)"
_EVENT = _USER + r"/events/(?P<id>[^/]+)"
_ITEM = _USER + r"/(?:events|messages)/(?P<id>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [(m, re.compile(f"^{p}$"), o, h) for m, p, o, h in [
    ("GET", _USER + "/events", "GET events", list_events),
    ("POST", _USER + "/events", "POST event", create_event),
    ("PATCH", _EVENT, "PATCH event", update_event),
    ("DELETE", _EVENT, "DELETE event", delete_event),
    ("POST", _EVENT + "/cancel", "POST cancel", cancel_event),
    ("GET", _ITEM + "/attachments", "GET attachments", list_attachments),
    ("POST", _ITEM + "/attachments", "POST attachment", add_attachment),
    ("DELETE", _ITEM + r"/attachments/(?P<attachment>[^/]+)", "DELETE attachment", delete_attachment),
    ("POST", _ITEM + "/attachments/createUploadSession", "POST createUploadSession", create_upload_session),
    ("POST", _USER + "/sendMail", "POST sendMail", send_mail),
    ("POST", _USER + "/messages", "POST message", create_message),
    ("POST", _USER + r"/messages/(?P<id>[^/]+)/send", "POST send", send_draft),
    ("PATCH", _USER + r"/messages/(?P<id>[^/]+)", "PATCH message", update_message),
    ("DELETE", _USER + r"/messages/(?P<id>[^/]+)", "DELETE message", delete_message),
    ("GET", _USER + "/mailFolders/(?P<folder>sentitems)/messages", "GET sentitems", list_folder),
    ("GET", _USER + "/mailFolders/(?P<folder>drafts)/messages", "GET drafts", list_folder),
    ("GET", _USER + "/mailFolders/sentitems", "GET sentitems folder", sent_folder),
    ("GET", _USER + "/calendar", "GET calendar", calendar),
    ("POST", _USER + "/calendar/getSchedule", "POST getSchedule", get_schedule),
    ("GET", "/places/microsoft.graph.room", "GET rooms", all_rooms),
    ("GET", r"/places/(?P<list>[^/]+)/microsoft.graph.roomlist/rooms", "GET rooms", list_rooms),
    *MAIL_ROUTES,
]]


def route(method: str, path: str) -> tuple[str, Handler, dict[str, str]]:
    for verb, pattern, operation, handler in ROUTES:
        found = pattern.match(path)
        if verb == method and found:
            return operation, handler, {k: unquote(v) for k, v in found.groupdict().items()}
    raise GraphError(400, "BadRequest", f"{method} {path} : requête non gérée par le serveur de test")


__all__ = ["Graph", "GraphError", "Reply", "route", "upload_chunk"]
