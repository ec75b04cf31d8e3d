"""Reading items out of EWS requests and writing them into responses (types.xsd names)."""

from __future__ import annotations

import base64
from xml.etree import ElementTree as ET

from .soap import T, format_utc, parse_datetime, sub, t, text_of
from .store import FileAttachment, Item, Person, Store

ITEM_TAGS = {"CalendarItem", "Message", "MeetingRequest", "MeetingCancellation"}
_CLASSES = {"CalendarItem": "IPM.Appointment", "Message": "IPM.Note",
            "MeetingRequest": "IPM.Schedule.Meeting.Request", "MeetingCancellation": "IPM.Schedule.Meeting.Canceled"}
MEETING_MESSAGES = ("MeetingRequest", "MeetingCancellation", "MeetingResponse")


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _people(elem: ET.Element, path: str) -> list[Person]:
    people = []
    for box in elem.iterfind(path, {"t": T}):
        people.append(Person(email=text_of(box, "t:EmailAddress").lower(), name=text_of(box, "t:Name")))
    return people


def apply_fields(item: Item, source: ET.Element, store: Store) -> None:
    """Copy the fields present in ``source`` (a t:CalendarItem or t:Message) onto ``item``."""
    for child in source:
        name = local(child.tag)
        if name == "Subject":
            item.subject = child.text or ""
        elif name == "Body":
            item.body, item.body_type = child.text or "", child.get("BodyType", "Text")
        elif name == "Start":
            item.start = parse_datetime(child.text or "")
        elif name == "End":
            item.end = parse_datetime(child.text or "")
        elif name == "Location":
            item.location = child.text or ""
        elif name == "UID":
            item.uid = child.text or ""
        elif name == "LegacyFreeBusyStatus":
            item.free_busy = child.text or "Busy"
        elif name == "RequiredAttendees":
            item.required = _people(child, "t:Attendee/t:Mailbox")
        elif name == "OptionalAttendees":
            item.optional = _people(child, "t:Attendee/t:Mailbox")
        elif name == "Resources":
            item.resources = _people(child, "t:Attendee/t:Mailbox")
        elif name == "ToRecipients":
            item.to = _people(child, "t:Mailbox")
        elif name == "CcRecipients":
            item.cc = _people(child, "t:Mailbox")
        elif name == "ExtendedProperty":
            uri = child.find(t("ExtendedFieldURI"))
            if uri is not None:
                item.extended[uri.get("PropertyName", "")] = text_of(child, "t:Value")
        elif name == "Categories":
            item.categories = [s.text or "" for s in child.iterfind("t:String", {"t": T})]
        elif name == "Attachments":
            for attachment in child.iterfind("t:FileAttachment", {"t": T}):
                item.attachments.append(read_attachment(attachment, store))


def read_attachment(elem: ET.Element, store: Store) -> FileAttachment:
    return FileAttachment(attachment_id=store.new_id("ATT"), name=text_of(elem, "t:Name"),
                          content_type=text_of(elem, "t:ContentType", "application/octet-stream"),
                          content=base64.b64decode(text_of(elem, "t:Content")),
                          content_id=text_of(elem, "t:ContentId"),
                          # an xs:boolean: exchangelib writes « 1 »
                          is_inline=text_of(elem, "t:IsInline") in ("true", "1"))


def _mailbox(parent: ET.Element, person: Person) -> None:
    box = sub(parent, t("Mailbox"))
    sub(box, t("Name"), person.name or person.email)
    sub(box, t("EmailAddress"), person.email)
    sub(box, t("RoutingType"), "SMTP")
    sub(box, t("MailboxType"), "Mailbox")


def write_item(parent: ET.Element, item: Item, organizer: Person, *, full: bool,
               properties: set[str] | None = None, mime: bool = False) -> ET.Element:
    """The item as EWS returns it; ``full`` for GetItem, else the FindItem shape (no body, no attendees).
    ``mime``: with its MimeContent, the MIME stream in base64 (Microsoft Learn, "MimeContent")."""
    elem = sub(parent, t(item.kind))
    if mime and item.mime:
        sub(elem, t("MimeContent"), base64.b64encode(item.mime).decode(), CharacterSet="UTF-8")
    sub(elem, t("ItemId"), Id=item.item_id, ChangeKey=item.changekey)
    sub(elem, t("ItemClass"), item.item_class or _CLASSES[item.kind])
    sub(elem, t("Subject"), item.subject)
    if full:
        sub(elem, t("Body"), item.body, BodyType=item.body_type)
        if item.attachments:
            holder = sub(elem, t("Attachments"))
            for attachment in item.attachments:
                file_elem = sub(holder, t("FileAttachment"))
                sub(file_elem, t("AttachmentId"), Id=attachment.attachment_id)
                sub(file_elem, t("Name"), attachment.name)
                sub(file_elem, t("ContentType"), attachment.content_type)
                if attachment.content_id:
                    sub(file_elem, t("ContentId"), attachment.content_id)
                sub(file_elem, t("Size"), len(attachment.content))
                sub(file_elem, t("IsInline"), "true" if attachment.is_inline else "false")
    # types.xsd ItemType: DateTimeReceived, then Size, then Categories (absent when there are none)
    if item.received is not None:
        sub(elem, t("DateTimeReceived"), format_utc(item.received))
    if item.mime:
        sub(elem, t("Size"), len(item.mime))
    if item.categories:
        holder = sub(elem, t("Categories"))
        for category in item.categories:
            sub(holder, t("String"), category)
    sub(elem, t("HasAttachments"), "true" if item.attachments else "false")
    for name, value in item.extended.items():
        if properties is not None and name not in properties:
            continue
        prop = sub(elem, t("ExtendedProperty"))
        sub(prop, t("ExtendedFieldURI"), DistinguishedPropertySetId="PublicStrings", PropertyName=name,
            PropertyType="String")
        sub(prop, t("Value"), value)
    if item.kind == "CalendarItem":
        if item.uid:
            sub(elem, t("UID"), item.uid)
        if item.start and item.end:
            sub(elem, t("Start"), format_utc(item.start))
            sub(elem, t("End"), format_utc(item.end))
        sub(elem, t("LegacyFreeBusyStatus"), item.free_busy)
        sub(elem, t("IsCancelled"), "true" if item.cancelled else "false")
        sub(elem, t("Location"), item.location)
        sub(elem, t("MyResponseType"), "Organizer")
        _mailbox(sub(elem, t("Organizer")), organizer)
        if full:
            _attendees(elem, item, answers=True)
    else:
        _message_fields(elem, item, organizer, full)
    return elem


def _message_fields(elem: ET.Element, item: Item, organizer: Person, full: bool) -> None:
    """A message's recipients; a meeting message's link to its calendar item and the meeting it is about.

    types.xsd: MessageType, then MeetingMessageType (AssociatedCalendarItemId, ...), then MeetingRequestMessageType
    (MeetingRequestType, Start, End, Location, Organizer, attendees), as Microsoft Learn's "MeetingRequest" and
    "MeetingCancellation" pages show them.
    """
    if item.sender is not None:
        _mailbox(sub(elem, t("Sender")), item.sender)
    elif item.kind in MEETING_MESSAGES:
        _mailbox(sub(elem, t("Sender")), organizer)
    if full:
        for tag, people in (("ToRecipients", item.to), ("CcRecipients", item.cc)):
            if people:
                holder = sub(elem, t(tag))
                for person in people:
                    _mailbox(holder, person)
    if item.kind not in MEETING_MESSAGES:
        return
    if item.associated:
        sub(elem, t("AssociatedCalendarItemId"), Id=item.associated, ChangeKey="CK0")
    sub(elem, t("IsDelegated"), "false")
    sub(elem, t("IsOutOfDate"), "false")
    sub(elem, t("HasBeenProcessed"), "true")
    sub(elem, t("ResponseType"), "Organizer" if item.sender is None else "Unknown")
    if item.kind != "MeetingRequest":
        return
    sub(elem, t("MeetingRequestType"), "FullUpdate" if item.sequence else "NewMeetingRequest")
    # the organizer's LegacyFreeBusyStatus when the request was sent (Microsoft Learn, "IntendedFreeBusyStatus")
    sub(elem, t("IntendedFreeBusyStatus"), item.free_busy)
    if item.start and item.end:
        sub(elem, t("Start"), format_utc(item.start))
        sub(elem, t("End"), format_utc(item.end))
    sub(elem, t("Location"), item.location)
    _mailbox(sub(elem, t("Organizer")), organizer)
    if full:
        _attendees(elem, item, answers=False)


def _attendees(elem: ET.Element, item: Item, *, answers: bool) -> None:
    """The attendees with, on the organizer's calendar item, each one's answer; then the sequence number."""
    for tag, people in (("RequiredAttendees", item.required), ("OptionalAttendees", item.optional),
                        ("Resources", item.resources)):
        if people:
            holder = sub(elem, t(tag))
            for person in people:
                attendee = sub(holder, t("Attendee"))
                _mailbox(attendee, person)
                if answers:
                    sub(attendee, t("ResponseType"), person.response)
    sub(elem, t("AppointmentSequenceNumber"), item.sequence)

