"""What Exchange does on its own once a meeting is sent: the copy kept in Sent Items, the rooms' answers.

Sent Items: with SendToAllAndSaveCopy, Exchange keeps the meeting message it
sent, not the calendar item: a t:MeetingRequest for an invitation or an
update, a t:MeetingCancellation for a cancellation ([MS-OXWSMTGS] 2.2.5.3,
CalendarItemCreateOrDeleteOperationType; Microsoft Learn, "CreateItem
operation (calendar item)" and "UpdateItem operation (calendar item)"). The
meeting message is built from the calendar item and carries its named
properties ([MS-OXOCAL], meeting request objects: the Meeting Request
object copies the Calendar object's properties).

Rooms: a room mailbox is answered by its resource booking assistant
(Microsoft Learn, "Resource mailboxes in Exchange Server", "Set-
CalendarProcessing"): with AutomateProcessing = AutoAccept it accepts a
request in policy and declines one that conflicts with another booking
(AllowConflicts off), starts beyond BookingWindowInDays or lasts longer
than MaximumDurationInMinutes. Its answer sets the room's ResponseType on the
organizer's calendar item (Accept or Decline, [MS-OXWSMTGS] 2.2.4.17
ResponseTypeType) and lands as a t:MeetingResponse in the organizer's Inbox.
With AutomateProcessing = AutoUpdate the room answers nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from .store import Item, Mailbox, Person, Store

# ItemClass of a meeting response ([MS-OXOCAL], meeting response objects): positive, negative
RESPONSE_CLASSES = {"Accept": "IPM.Schedule.Meeting.Resp.Pos", "Decline": "IPM.Schedule.Meeting.Resp.Neg"}
_PREFIX = {"Accept": "Accepté", "Decline": "Refusé"}  # the subject prefix of a French-language server


def save_copy(box: Mailbox, store: Store, item: Item, kind: str, folder: str = "sentitems",
              to: list[Person] | None = None) -> Item:
    """The meeting message a send leaves in ``folder``: ``kind`` is MeetingRequest or MeetingCancellation."""
    copy = replace(item, item_id=store.new_id("AAMkM"), kind=kind, folder=folder,
                   to=list(item.attendees() if to is None else to), cc=[],
                   required=list(item.required), optional=list(item.optional), resources=list(item.resources),
                   extended=dict(item.extended), attachments=list(item.attachments), changes=0,
                   associated=item.item_id)
    box.items[copy.item_id] = copy
    return copy


def _refusal(room: Mailbox, item: Item, store: Store) -> str | None:
    """Why the booking assistant declines ``item`` for ``room`` (its words), or None when it accepts."""
    assert item.start is not None and item.end is not None
    if not room.allow_conflicts and any(s < item.end and e > item.start and owner != item.item_id
                                        for s, e, owner in room.busy):
        return "The resource is already booked for this time: this request conflicts with another meeting."
    if room.booking_window_days is not None and item.start > store.now() + timedelta(days=room.booking_window_days):
        return (f"This meeting is outside the booking window: it can be scheduled at most "
                f"{room.booking_window_days} days in advance.")
    if room.max_duration_minutes is not None and item.end - item.start > timedelta(minutes=room.max_duration_minutes):
        return f"The meeting is longer than the maximum allowed duration of {room.max_duration_minutes} minutes."
    return None


def answer_rooms(store: Store, organizer: Mailbox, item: Item, asked: set[str]) -> None:
    """Rooms of ``item`` whose address is in ``asked`` process the request they just received.

    The others keep their answer and their booking. A room frees the slot of a meeting cancelled or that
    left it, and of a request it declines.
    """
    keep = set() if item.cancelled else {p.email for p in item.resources} - asked
    for box in store.mailboxes.values():
        if box.room and box.email not in keep:
            box.busy = [b for b in box.busy if b[2] != item.item_id]
    if item.cancelled or not item.start or not item.end:
        return
    for person in item.resources:
        room = store.mailbox(person.email)
        if room is None or not room.room or person.email not in asked:
            continue
        if not room.auto_accept:
            person.response = "NoResponseReceived"
            room.busy.append((item.start, item.end, item.item_id))  # held tentatively, for a delegate to decide
            continue
        why = _refusal(room, item, store)
        person.response = "Decline" if why else "Accept"
        if why is None:
            room.busy.append((item.start, item.end, item.item_id))
        response = Item(item_id=store.new_id("AAMkR"), kind="MeetingResponse", folder="inbox",
                        subject=f"{_PREFIX[person.response]} : {item.subject}", body=why or "",
                        item_class=RESPONSE_CLASSES[person.response], uid=item.uid, start=item.start, end=item.end,
                        location=item.location, to=[Person(organizer.email, organizer.name)],
                        sender=Person(room.email, room.name), associated=item.item_id)
        organizer.items[response.item_id] = response
