"""Meeting requests and cancellations as iCalendar (RFC 5545 / iMIP, RFC 5546).

A cancellation either calls the whole meeting off (STATUS:CANCELLED, every attendee listed) or
withdraws some attendees from a meeting that goes on: RFC 5546 §3.2.5 then lists only those
attendees and forbids STATUS. A withdrawn room stays a RESOURCE there, so its mailbox frees the slot.
"""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event, vCalAddress, vText

from .base import Address, Meeting
from .vtimezone import vtimezone

PRODID = "-//Service d'action sociale//Automatisation des commissions//FR"


def _attendee(address: Address, role: str, cutype: str = "INDIVIDUAL") -> vCalAddress:
    attendee = vCalAddress(f"mailto:{address.email}")
    if address.name:
        attendee.params["CN"] = vText(address.name)
    attendee.params["ROLE"] = vText(role)
    attendee.params["CUTYPE"] = vText(cutype)
    attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
    attendee.params["RSVP"] = vText("TRUE" if cutype == "INDIVIDUAL" else "FALSE")
    return attendee


def meeting_ics(meeting: Meeting) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", meeting.method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (meeting.stamp or datetime.now(timezone.utc)).astimezone(timezone.utc))
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.end)
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("description", meeting.body_text)
    if not meeting.withdrawal:  # RFC 5546 §3.2.5: "If uninviting specific Attendees then MUST NOT be included"
        # RFC 5545 §3.8.1.11, STATUS of a VEVENT: TENTATIVE, CONFIRMED or CANCELLED
        event.add("status", "CANCELLED" if meeting.method == "CANCEL" else "TENTATIVE" if meeting.hold
                  else "CONFIRMED")
    # a held date is taken all the same: OPAQUE is what MS-OXCICAL 2.1.3.1.1.20.25 (TRANSP) exports for a
    # tentative as for a busy appointment
    event.add("transp", "OPAQUE")
    if meeting.method == "REQUEST":
        # Outlook reads the busy status from these before STATUS (MS-OXCICAL 2.1.3.1.1.20.23): X-MICROSOFT-CDO-
        # BUSYSTATUS (2.1.3.1.1.20.31) is the organizer's, X-MICROSOFT-CDO-INTENDEDSTATUS (2.1.3.1.1.20.34) the
        # one the attendee's copy takes on accepting, which Exchange exports with every REQUEST
        busy = "TENTATIVE" if meeting.hold else "BUSY"
        event.add("x-microsoft-cdo-busystatus", busy)
        event.add("x-microsoft-cdo-intendedstatus", busy)
    organizer = vCalAddress(f"mailto:{meeting.organizer.email}")
    if meeting.organizer.name:
        organizer.params["CN"] = vText(meeting.organizer.name)
    event.add("organizer", organizer)
    for address in meeting.required:
        event.add("attendee", _attendee(address, "REQ-PARTICIPANT"))
    for address in meeting.optional:
        event.add("attendee", _attendee(address, "OPT-PARTICIPANT"))
    if meeting.room and meeting.room.email:
        event.add("attendee", _attendee(meeting.room, "NON-PARTICIPANT", "RESOURCE"))
    zone = getattr(meeting.start.tzinfo, "key", None) or meeting.timezone
    calendar.add_component(vtimezone(zone, meeting.start.year))
    calendar.add_component(event)
    return calendar.to_ical()
