"""The EWS operations the test server answers, each reading the request exchangelib sent.

Side effects follow what Exchange does for an organizer: a meeting sent to
all puts a request in each attendee's delivery list and asks the room, whose
booking assistant accepts or declines (``assistant.py``); an update is sent
again to everyone (and a cancellation to those removed); a cancellation
removes the meeting from the organizer's calendar and frees the room. Sent
with a copy saved, each of them leaves its meeting message in Sent Items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta, timezone
from xml.etree import ElementTree as ET

from .assistant import answer_rooms, save_copy
from .mail_folders import find_folder, sort_and_page, wants_mime
from .items import ITEM_TAGS, apply_fields, local, read_attachment, write_item
from .soap import M, T, format_local, m, parse_datetime, response_message, sub, t, text_of
from .store import Delivery, Item, Mailbox, Person, Store

NS = {"t": T, "m": M}
GET_ROOMS_LIMIT = AVAILABILITY_LIMIT = 100


class OperationFault(Exception):
    """Answered as a SOAP fault (the whole request fails)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Request:
    operation: str
    body: ET.Element  # the m:<Operation> element
    acting: str  # the mailbox acted for: impersonated, else the login's own
    store: Store


def _folder(ref: ET.Element, request: Request) -> tuple[Mailbox, str]:
    if local(ref.tag) == "DistinguishedFolderId":
        email = text_of(ref, "t:Mailbox/t:EmailAddress") or request.acting
        name = ref.get("Id", "")
    else:
        name, _, email = ref.get("Id", "").partition(":")
    box = request.store.mailbox(email)
    if box is None:
        raise LookupError(f"ErrorNonExistentMailbox:No mailbox with such guid ({email})")
    return box, name


def _folder_refs(parent: ET.Element | None) -> list[ET.Element]:
    return [] if parent is None else [c for c in parent if local(c.tag) in ("FolderId", "DistinguishedFolderId")]


def _error(parent: ET.Element, operation: str, failure: LookupError) -> None:
    code, _, message = str(failure.args[0]).partition(":")
    response_message(parent, operation, code, message)


def _each_folder(request: Request, out: ET.Element, path: str) -> Iterator[tuple[Mailbox, str]]:
    """The folders a request names, in order; one unknown mailbox is an error answer of its own."""
    for ref in _folder_refs(request.body.find(path, NS)):
        try:
            yield _folder(ref, request)
        except LookupError as failure:
            _error(out, request.operation, failure)


def get_folder(request: Request, out: ET.Element) -> None:
    for box, name in _each_folder(request, out, "m:FolderIds"):
        msg = response_message(out, "GetFolder")
        folders = sub(msg, m("Folders"))
        tag, folder_class = ("CalendarFolder", "IPF.Appointment") if name == "calendar" else ("Folder", "IPF.Note")
        folder = sub(folders, t(tag))
        sub(folder, t("FolderId"), Id=f"{name}:{box.email}", ChangeKey="AQAAAA==")
        sub(folder, t("FolderClass"), folder_class)
        sub(folder, t("DisplayName"), {"calendar": "Calendrier", "sentitems": "Éléments envoyés"}.get(name, name))
        sub(folder, t("TotalCount"), len(box.folder(name)))
        sub(folder, t("ChildFolderCount"), 0)


def _matches(item: Item, restriction: ET.Element | None) -> bool:
    if restriction is None:
        return True
    condition = restriction[0] if local(restriction.tag) == "Restriction" else restriction
    kind = local(condition.tag)
    if kind in ("And", "Or"):
        results = [_matches(item, c) for c in condition]
        return all(results) if kind == "And" else any(results)
    if kind == "Not":
        return not _matches(item, condition[0])
    if kind != "IsEqualTo":
        raise OperationFault("ErrorUnsupportedQueryFilter", f"filtre non géré par le serveur de test : {kind}")
    expected = condition.find("t:FieldURIOrConstant/t:Constant", NS).get("Value", "")
    extended = condition.find("t:ExtendedFieldURI", NS)
    if extended is not None:
        return item.extended.get(extended.get("PropertyName", "")) == expected
    field = condition.find("t:FieldURI", NS).get("FieldURI", "")
    if field == "item:Subject":
        return item.subject == expected
    raise OperationFault("ErrorUnsupportedQueryFilter", f"champ non géré par le serveur de test : {field}")


def _organizer(box: Mailbox) -> Person:
    return Person(email=box.email, name=box.name, response="Organizer")


def find_item(request: Request, out: ET.Element) -> None:
    shape = request.body.find("m:ItemShape", NS)
    wanted = {uri.get("PropertyName", "") for uri in shape.iterfind(".//t:ExtendedFieldURI", NS)}
    restriction = request.body.find("m:Restriction", NS)
    # one answer per folder searched, as Exchange does
    for box, name in _each_folder(request, out, "m:ParentFolderIds"):
        found, paging = sort_and_page([i for i in box.folder(name) if _matches(i, restriction)], request.body)
        msg = response_message(out, "FindItem")
        root = sub(msg, m("RootFolder"), **{k: str(v) for k, v in paging.items()})
        items = sub(root, t("Items"))
        for item in found:
            write_item(items, item, _organizer(box), full=False, properties=wanted)


def get_item(request: Request, out: ET.Element) -> None:
    mime = wants_mime(request.body)
    for ref in request.body.iterfind("m:ItemIds/t:ItemId", NS):
        hit = request.store.item(ref.get("Id", ""))
        if hit is None:
            response_message(out, "GetItem", "ErrorItemNotFound", "The specified object was not found in the store.")
            continue
        box, item = hit
        msg = response_message(out, "GetItem")
        write_item(sub(msg, m("Items")), item, _organizer(box), full=True, mime=mime)


def _deliver(store: Store, item: Item, kind: str, people: list[Person]) -> None:
    for person in people:
        store.delivered.append(Delivery(recipient=person.email, kind=kind, subject=item.subject,
                                        item=replace(item, attachments=list(item.attachments)),
                                        attachments=[a.name for a in item.attachments]))


def _book_rooms(store: Store, item: Item) -> None:
    """Rooms taken without a word, as the Graph test server books them."""
    for box in store.mailboxes.values():
        if box.room:
            box.busy = [b for b in box.busy if b[2] != item.item_id]
    if item.cancelled or not item.start or not item.end:
        return
    for resource in item.resources:
        room = store.mailbox(resource.email)
        if room is not None and room.room:
            room.busy.append((item.start, item.end, item.item_id))


# the values of SendMeetingInvitations(OrCancellations) that keep the meeting message in Sent Items
_SAVED = ("SendToAllAndSaveCopy", "SendToChangedAndSaveCopy")


def _rooms(item: Item) -> set[str]:
    return {p.email for p in item.resources}


def create_item(request: Request, out: ET.Element) -> None:
    disposition = request.body.get("MessageDisposition", "SaveOnly")
    invitations = request.body.get("SendMeetingInvitations", "SendToNone")
    saved = request.body.find("m:SavedItemFolderId", NS)
    store = request.store
    for source in request.body.find("m:Items", NS):
        kind = local(source.tag)
        if kind == "CancelCalendarItem":
            _cancel(request, source, out)
            continue
        if kind not in ITEM_TAGS:
            raise OperationFault("ErrorInvalidRequest", f"élément non géré par le serveur de test : {kind}")
        if saved is not None:
            box, folder = _folder(_folder_refs(saved)[0], request)
        else:
            box, folder = store.mailbox(request.acting), "calendar" if kind == "CalendarItem" else "drafts"
        item = Item(item_id=store.new_id("AAMk"), kind=kind, folder=folder)
        apply_fields(item, source, store)
        if kind == "CalendarItem":
            box.items[item.item_id] = item
            if invitations != "SendToNone":
                _deliver(store, item, "MeetingRequest", item.attendees())
                answer_rooms(store, box, item, _rooms(item))
                if invitations in _SAVED:
                    save_copy(box, store, item, "MeetingRequest")
        elif disposition in ("SendAndSaveCopy", "SendOnly"):
            _deliver(store, item, "Message", item.to + item.cc)
            if disposition == "SendAndSaveCopy":
                item.folder = folder if saved is not None else "sentitems"
                box.items[item.item_id] = item
        else:
            box.items[item.item_id] = item
        msg = response_message(out, "CreateItem")
        items = sub(msg, m("Items"))
        if item.item_id in box.items and disposition == "SaveOnly":
            write_item(items, item, _organizer(box), full=True)


def _cancel(request: Request, source: ET.Element, out: ET.Element) -> None:
    ref = source.find("t:ReferenceItemId", NS)
    hit = request.store.item(ref.get("Id", "") if ref is not None else "")
    if hit is None:
        response_message(out, "CreateItem", "ErrorItemNotFound", "The specified object was not found in the store.")
        return
    box, item = hit
    item.cancelled = True
    item.body = text_of(source, "t:NewBodyContent") or item.body
    _deliver(request.store, item, "MeetingCancellation", item.attendees())
    if request.body.get("MessageDisposition", "SendAndSaveCopy") == "SendAndSaveCopy":
        saved = request.body.find("m:SavedItemFolderId", NS)
        folder = _folder(_folder_refs(saved)[0], request)[1] if saved is not None else "sentitems"
        save_copy(box, request.store, item, "MeetingCancellation", folder)
    del box.items[item.item_id]  # the organizer's copy goes to Deleted Items
    item.folder = "deleteditems"
    box.items[item.item_id] = item
    answer_rooms(request.store, box, item, set())
    response_message(out, "CreateItem")
    sub(out[-1], m("Items"))


def update_item(request: Request, out: ET.Element) -> None:
    send = request.body.get("SendMeetingInvitationsOrCancellations", "SendToNone")
    store = request.store
    for change in request.body.iterfind("m:ItemChanges/t:ItemChange", NS):
        ref = change.find("t:ItemId", NS)
        hit = store.item(ref.get("Id", ""))
        if hit is None:
            response_message(out, "UpdateItem", "ErrorItemNotFound", "The specified object was not found in the store.")
            continue
        box, item = hit
        before = {p.email for p in item.attendees()}
        previous = {p.email: p.response for p in item.attendees()}
        for update in change.find("t:Updates", NS):
            action = local(update.tag)
            holder = next((c for c in update if local(c.tag) in ITEM_TAGS), None)
            if action in ("SetItemField", "AppendToItemField") and holder is not None:
                apply_fields(item, holder, store)
            elif action == "DeleteItemField":
                uri = update.find("t:FieldURI", NS)
                field = uri.get("FieldURI", "") if uri is not None else ""
                if field == "calendar:OptionalAttendees":
                    item.optional = []
                elif field == "calendar:Resources":
                    item.resources = []
        for person in item.attendees():
            # an attendee kept keeps the answer given; Exchange asks again only when the time moves
            person.response = previous.get(person.email, "Unknown")
        item.changes += 1
        if item.kind == "CalendarItem":
            item.sequence += 1
            if send != "SendToNone":
                _deliver(store, item, "MeetingRequest", item.attendees())
                gone = [Person(email=e) for e in sorted(before - {p.email for p in item.attendees()})]
                _deliver(store, item, "MeetingCancellation", gone)
                # each room receives the update too: its booking assistant processes it again
                answer_rooms(store, box, item, _rooms(item))
                if send in _SAVED:
                    save_copy(box, store, item, "MeetingRequest")
                    if gone:
                        save_copy(box, store, item, "MeetingCancellation", to=gone)
        msg = response_message(out, "UpdateItem")
        items = sub(msg, m("Items"))
        written = sub(items, t(item.kind))
        sub(written, t("ItemId"), Id=item.item_id, ChangeKey=item.changekey)
        conflicts = sub(msg, m("ConflictResults"))
        sub(conflicts, t("Count"), 0)


def create_attachment(request: Request, out: ET.Element) -> None:
    parent = request.body.find("m:ParentItemId", NS)
    hit = request.store.item(parent.get("Id", ""))
    for source in request.body.find("m:Attachments", NS):
        if hit is None:
            response_message(out, "CreateAttachment", "ErrorItemNotFound", "Parent item not found.")
            continue
        _, item = hit
        attachment = read_attachment(source, request.store)
        item.attachments.append(attachment)
        item.changes += 1
        msg = response_message(out, "CreateAttachment")
        file_elem = sub(sub(msg, m("Attachments")), t("FileAttachment"))
        sub(file_elem, t("AttachmentId"), Id=attachment.attachment_id, RootItemId=item.item_id,
            RootItemChangeKey=item.changekey)


def delete_attachment(request: Request, out: ET.Element) -> None:
    for ref in request.body.iterfind("m:AttachmentIds/t:AttachmentId", NS):
        wanted = ref.get("Id", "")
        owner = next((i for box in request.store.mailboxes.values() for i in box.items.values()
                      if any(a.attachment_id == wanted for a in i.attachments)), None)
        if owner is None:
            response_message(out, "DeleteAttachment", "ErrorItemNotFound", "Attachment not found.")
            continue
        owner.attachments = [a for a in owner.attachments if a.attachment_id != wanted]
        owner.changes += 1
        msg = response_message(out, "DeleteAttachment")
        sub(msg, m("RootItemId"), RootItemId=owner.item_id, RootItemChangeKey=owner.changekey)


def get_user_availability(request: Request, out: ET.Element) -> None:
    bias = int(text_of(request.body, "t:TimeZone/t:Bias", "0"))
    zone = timezone(-timedelta(minutes=bias))
    window = request.body.find("t:FreeBusyViewOptions/t:TimeWindow", NS)
    start = parse_datetime(text_of(window, "t:StartTime"), zone)
    end = parse_datetime(text_of(window, "t:EndTime"), zone)
    asked = request.body.findall("m:MailboxDataArray/t:MailboxData", NS)
    if len(asked) > AVAILABILITY_LIMIT:
        # Microsoft Learn, "GetUserAvailability operation": 100 is the maximum number of identities it can request;
        # beyond, the whole request fails with this fault (as exchangelib#1101 quotes it)
        raise OperationFault("ErrorMailboxDataArrayTooBig", "There are too many target users in the EmailAddress "
                             f"array. The allowed size = {AVAILABILITY_LIMIT}; the actual size = {len(asked)}.")
    holder = sub(out, m("FreeBusyResponseArray"))
    for data in asked:
        email = text_of(data, "t:Email/t:Address")
        box = request.store.mailbox(email)
        response = sub(holder, m("FreeBusyResponse"))
        if box is None:
            message = sub(response, m("ResponseMessage"), ResponseClass="Error")
            sub(message, m("MessageText"), f"Unable to resolve e-mail address {email} to an Active Directory object.")
            sub(message, m("ResponseCode"), "ErrorMailRecipientNotFound")
            continue
        message = sub(response, m("ResponseMessage"), ResponseClass="Success")
        sub(message, m("ResponseCode"), "NoError")
        view = sub(response, m("FreeBusyView"))
        sub(view, t("FreeBusyViewType"), "FreeBusy")
        events = sub(view, t("CalendarEventArray"))
        for busy_start, busy_end, owner in box.busy:
            if busy_start < end and busy_end > start:
                event = sub(events, t("CalendarEvent"))
                sub(event, t("StartTime"), format_local(busy_start, bias))
                sub(event, t("EndTime"), format_local(busy_end, bias))
                # [MS-OXWSAVAIL] CalendarEvent: BusyType is the item's free/busy status (Free, Tentative, Busy,
                # OOF, NoData): a held date answers Tentative
                sub(event, t("BusyType"), request.store.busy_type(owner))


def get_room_lists(request: Request, out: ET.Element) -> None:
    out.set("ResponseClass", "Success")
    sub(out, m("ResponseCode"), "NoError")
    lists = sub(out, m("RoomLists"))
    for email, (name, _) in request.store.room_lists.items():
        address = sub(lists, t("Address"))
        sub(address, t("Name"), name)
        sub(address, t("EmailAddress"), email)
        sub(address, t("RoutingType"), "SMTP")
        sub(address, t("MailboxType"), "PublicDL")


def get_rooms(request: Request, out: ET.Element) -> None:
    email = text_of(request.body, "m:RoomList/t:EmailAddress").lower()
    if email not in request.store.room_lists:
        out.set("ResponseClass", "Error")
        sub(out, m("MessageText"), "No results were found.")
        sub(out, m("ResponseCode"), "ErrorNameResolutionNoResults")
        return
    out.set("ResponseClass", "Success")
    sub(out, m("ResponseCode"), "NoError")
    rooms = sub(out, m("Rooms"))
    # Exchange answers GetRooms with the first 100 rooms of the list, with no paging and nothing to say more
    # exist (reported against the EWS Managed API, OfficeDev/ews-java-api#524; Graph's findRooms documents
    # the same limit)
    for room_email in request.store.room_lists[email][1][:GET_ROOMS_LIMIT]:
        box = request.store.mailbox(room_email)
        ident = sub(sub(rooms, t("Room")), t("Id"))
        sub(ident, t("Name"), box.name if box else room_email)
        sub(ident, t("EmailAddress"), room_email)
        sub(ident, t("RoutingType"), "SMTP")
        sub(ident, t("MailboxType"), "Mailbox")


def expand_dl(request: Request, out: ET.Element) -> None:
    """Every member of a public distribution list, a room list included (Microsoft Learn, "ExpandDL operation":
    it exposes the full membership; one list per call, not recursive)."""
    email = text_of(request.body, "m:Mailbox/t:EmailAddress").lower()
    if email not in request.store.room_lists:
        response_message(out, "ExpandDL", "ErrorNameResolutionNoResults", "No results were found.")
        return
    members = request.store.room_lists[email][1]
    msg = response_message(out, "ExpandDL")
    expansion = sub(msg, m("DLExpansion"), TotalItemsInView=len(members), IncludesLastItemInRange="true")
    for member in members:
        box = request.store.mailbox(member)
        mailbox = sub(expansion, t("Mailbox"))
        sub(mailbox, t("Name"), box.name if box else member)
        sub(mailbox, t("EmailAddress"), member)
        sub(mailbox, t("RoutingType"), "SMTP")
        sub(mailbox, t("MailboxType"), "Mailbox")


def convert_id(request: Request, out: ET.Element) -> None:
    # exchangelib asks with a dummy id only to learn the server version from the header
    response_message(out, "ConvertId", "ErrorInvalidIdMalformed", "Id is malformed.")


# operation -> (handler, True when answers are wrapped in m:ResponseMessages)
OPERATIONS: dict[str, tuple[Callable[[Request, ET.Element], None], bool]] = {
    "GetFolder": (get_folder, True),
    "FindItem": (find_item, True),
    "FindFolder": (find_folder, True),
    "GetItem": (get_item, True),
    "CreateItem": (create_item, True),
    "UpdateItem": (update_item, True),
    "CreateAttachment": (create_attachment, True),
    "DeleteAttachment": (delete_attachment, True),
    "GetUserAvailabilityRequest": (get_user_availability, False),
    "GetRoomLists": (get_room_lists, False),
    "GetRooms": (get_rooms, False),
    "ExpandDL": (expand_dl, True),
    "ConvertId": (convert_id, True),
}


def answer(request: Request) -> ET.Element:
    handler, wrapped = OPERATIONS[request.operation]
    name = "GetUserAvailability" if request.operation == "GetUserAvailabilityRequest" else request.operation
    response = ET.Element(m(f"{name}Response"))
    target = sub(response, m("ResponseMessages")) if wrapped else response
    try:
        handler(request, target)
    except LookupError as failure:
        _error(target, name, failure)
    return response


__all__ = ["AVAILABILITY_LIMIT", "GET_ROOMS_LIMIT", "OPERATIONS", "OperationFault", "Request", "answer"]
