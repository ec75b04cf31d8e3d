"""A date held in calendars, then its convocation: one meeting on every backend, tentative then busy.

The hold is revision 0 of the session's invitation key, the convocation revision 1: the same UID, the same
Exchange item or Graph event, updated.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import requests

from automations.transports import BACKENDS, Address, Attachment, Meeting, RoomChoice

from ..conftest import NOUMEA
from ..ews.server import PASSWORD as EWS_PASSWORD
from ..ews.server import SERVICE, USER, ews_server
from ..graph.server import CLIENT_SECRET, graph_server
from ..smtp_server import PASSWORD as SMTP_PASSWORD
from ..smtp_server import smtp_server
from .test_transports import ORGANIZER

KEY = "invitation/commission-maintien-dans-le-logement/2026-12-02"
UID = "invitation-commission-maintien-dans-le-logement-2026-12-02@province-sud.nc"
SESSION = "Commission maintien dans le logement – mercredi 2 décembre 2026 à 8 h 30"
HELD = f"Date réservée – {SESSION} (convocation à suivre)"
CONVOKED = f"Convocation – {SESSION}"
KAORI = Address("salle.kaori@province-sud.nc", "Salle Kaori")
NIAOULI = Address("salle.niaouli@province-sud.nc", "Salle Niaouli")
MEMBERS = (Address("wassissi.lalie@fsh.nc", "LALIE Wassissi"), Address("therese.xowie@ville-noumea.nc", "XOWIE Thérèse"))
START, END = datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def hold(stamp: datetime) -> Meeting:
    return Meeting(delivery_id=f"{KEY}#0", uid=UID, sequence=0, method="REQUEST", subject=HELD, start=START,
                   end=END, location="Salle Kaori", organizer=ORGANIZER, required=MEMBERS, room=KAORI,
                   body_text="Merci de réserver cette date : la convocation suivra.", stamp=stamp, hold=True)


def convocation(stamp: datetime) -> Meeting:
    return replace(hold(stamp), delivery_id=f"{KEY}#1", sequence=1, subject=CONVOKED, title=CONVOKED, hold=False,
                   body_text="Vous êtes convoqués à la séance.",
                   attachments=(Attachment("Convocation 02-12-2026.docx", b"PK\x03\x04 convocation", DOCX),))


def calendar_event(message: email.message.EmailMessage) -> tuple[str, icalendar.Event]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def shown_as(event: icalendar.Event) -> tuple[str, str, str, str]:
    """What Outlook and other clients read of the meeting's standing: STATUS, TRANSP and Microsoft's busy status."""
    return (str(event["STATUS"]), str(event["TRANSP"]), str(event["X-MICROSOFT-CDO-BUSYSTATUS"]),
            str(event["X-MICROSOFT-CDO-INTENDEDSTATUS"]))


def test_outbox_hold_then_convocation_is_one_meeting_tentative_then_confirmed(tmp_path: Path, clock) -> None:
    outbox = BACKENDS["outbox"]({"folder": "envois"}, base=tmp_path, now=clock)
    held = outbox.send_meeting(hold(clock()))
    convoked = outbox.send_meeting(convocation(clock()))
    files = sorted((tmp_path / "envois").rglob("*.eml"))
    assert sorted(str(f) for f in files) == sorted([held.reference, convoked.reference])
    first, second = (email.message_from_bytes(Path(r).read_bytes(), policy=email.policy.default)
                     for r in (held.reference, convoked.reference))
    method, event = calendar_event(first)
    assert first["Subject"] == HELD
    assert (method, str(event["UID"]), event["SEQUENCE"], str(event["SUMMARY"])) == ("REQUEST", UID, 0, HELD)
    assert shown_as(event) == ("TENTATIVE", "OPAQUE", "TENTATIVE", "TENTATIVE")
    assert [str(a) for a in event["ATTENDEE"]] == [
        "mailto:wassissi.lalie@fsh.nc", "mailto:therese.xowie@ville-noumea.nc", "mailto:salle.kaori@province-sud.nc"]
    method, event = calendar_event(second)
    assert (method, str(event["UID"]), event["SEQUENCE"], str(event["SUMMARY"])) == ("REQUEST", UID, 1, CONVOKED)
    assert shown_as(event) == ("CONFIRMED", "OPAQUE", "BUSY", "BUSY")
    assert [a.get_filename() for a in second.iter_attachments() if a.get_content_type() == DOCX] == [
        "Convocation 02-12-2026.docx"]


def test_outbox_cancelling_a_hold_calls_it_off(tmp_path: Path, clock) -> None:
    outbox = BACKENDS["outbox"]({}, base=tmp_path, now=clock)
    outbox.send_meeting(hold(clock()))
    cancelled = outbox.send_meeting(replace(hold(clock()), delivery_id=f"{KEY}#1", sequence=1, method="CANCEL"))
    method, event = calendar_event(email.message_from_bytes(Path(cancelled.reference).read_bytes(),
                                                            policy=email.policy.default))
    assert (method, str(event["UID"]), str(event["STATUS"])) == ("CANCEL", UID, "CANCELLED")
    assert "X-MICROSOFT-CDO-BUSYSTATUS" not in event


def test_smtp_hold_travels_as_a_tentative_invitation(tmp_path: Path, clock, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", SMTP_PASSWORD)
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=clock)
        transport.send_meeting(hold(clock()))
        transport.send_meeting(convocation(clock()))
        transport.close()
    held, convoked = server.inbox.received
    assert sorted(held.rcpt_tos) == ["salle.kaori@province-sud.nc", "therese.xowie@ville-noumea.nc",
                                     "wassissi.lalie@fsh.nc"]
    method, event = calendar_event(held.message)
    assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", UID, 0)
    assert shown_as(event) == ("TENTATIVE", "OPAQUE", "TENTATIVE", "TENTATIVE")
    method, event = calendar_event(convoked.message)
    assert (method, str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", UID, 1)
    assert shown_as(event) == ("CONFIRMED", "OPAQUE", "BUSY", "BUSY")


def _free_busy_answer(server, transport, start: datetime, end: datetime) -> str:
    """The GetUserAvailability answer for both rooms, as the transport asks it when choosing a room."""
    chosen = transport.free_room([RoomChoice("Salle Kaori", KAORI.email), RoomChoice("Salle Niaouli", NIAOULI.email)],
                                 start, end)
    assert chosen is not None and chosen.name == "Salle Niaouli"  # the held room is not offered to another session
    asked = next(r for r in reversed(server.requests) if r.operation == "GetUserAvailabilityRequest")
    answer = requests.post(server.url, data=asked.body, auth=(USER, EWS_PASSWORD), verify=str(server.ca_file),
                           headers={"Content-Type": "text/xml; charset=utf-8"}, timeout=10)
    assert answer.status_code == 200
    return answer.text


def test_exchange_hold_then_convocation_updates_one_calendar_item(tmp_path: Path, clock, monkeypatch) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", EWS_PASSWORD)
    with ews_server(tmp_path) as server:
        for room in (KAORI, NIAOULI):
            server.store.add_mailbox(room.email, room.name, room=True, capacity=20)
        transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=clock)
        transport.send_meeting(hold(clock()))
        calendar, sent = transport.folders()
        fields = ("subject", "uid", "legacy_free_busy_status", "commission_delivery")
        [item] = list(calendar.all().only(*fields))
        assert (item.subject, item.uid, item.legacy_free_busy_status) == (HELD, UID, "Tentative")
        assert item.commission_delivery == f"{KEY}#0"
        # the room's free/busy shows the date held, tentatively
        assert "<t:BusyType>Tentative</t:BusyType>" in _free_busy_answer(server, transport, START, END)
        [request] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
        assert (request.kind, request.subject, request.item.free_busy) == ("MeetingRequest", HELD, "Tentative")

        clock.moment += timedelta(days=3)
        transport.send_meeting(convocation(clock()))
        [updated] = list(calendar.all().only(*fields))
        assert (updated.id, updated.uid) == (item.id, UID)  # the same meeting, not a second one
        assert (updated.subject, updated.legacy_free_busy_status) == (CONVOKED, "Busy")
        assert updated.commission_delivery == f"{KEY}#1"
        answer = _free_busy_answer(server, transport, START, END)
        assert "<t:BusyType>Busy</t:BusyType>" in answer and "Tentative" not in answer
        # each member got the request, then its update with the convocation
        first, second = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
        assert [d.kind for d in (first, second)] == ["MeetingRequest", "MeetingRequest"]
        assert (second.subject, second.item.sequence, second.item.free_busy, second.attachments) == (
            CONVOKED, 1, "Busy", ["Convocation 02-12-2026.docx"])
        # Exchange kept the request and its update in Sent Items, each saying how the attendees' copies show
        copies = list(sent.all().only("subject", "meeting_request_type", "intended_free_busy_status"))
        assert sorted((c.subject, c.meeting_request_type, c.intended_free_busy_status) for c in copies) == [
            (CONVOKED, "FullUpdate", "Busy"), (HELD, "NewMeetingRequest", "Tentative")]
        assert [p.response for p in server.store.calendar(SERVICE)[0].resources] == ["Accept"]
        transport.close()


def _events(transport) -> list[dict[str, object]]:
    client = transport.client
    return client.request("GET", client.user("/events?$select=id,iCalUId,subject,showAs"))["value"]


def _schedule(transport, email: str) -> list[str]:
    """The statuses getSchedule gives the room's items over the session."""
    body = {"schedules": [email], "availabilityViewInterval": 30,
            "startTime": {"dateTime": "2026-12-01T21:30:00", "timeZone": "UTC"},
            "endTime": {"dateTime": "2026-12-01T23:30:00", "timeZone": "UTC"}}
    [schedule] = transport.client.request("POST", transport.client.user("/calendar/getSchedule"), body)["value"]
    return [str(i["status"]) for i in schedule["scheduleItems"]]


def test_graph_hold_then_convocation_updates_one_event(tmp_path: Path, clock, monkeypatch) -> None:
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    with graph_server(tmp_path) as server:
        server.store.add_mailbox(KAORI.email, KAORI.name, room=True, capacity=20)
        transport = BACKENDS["graph"](server.settings(), base=tmp_path, now=clock)
        transport.send_meeting(hold(clock()))
        [event] = _events(transport)
        assert (event["subject"], event["showAs"]) == (HELD, "tentative")
        assert _schedule(transport, KAORI.email) == ["tentative"]
        [request] = server.store.deliveries_to("wassissi.lalie@fsh.nc")
        assert (request.subject, request.item.free_busy) == (HELD, "Tentative")

        clock.moment += timedelta(days=3)
        transport.send_meeting(convocation(clock()))
        [updated] = _events(transport)
        assert (updated["id"], updated["iCalUId"]) == (event["id"], event["iCalUId"])
        assert (updated["subject"], updated["showAs"]) == (CONVOKED, "busy")
        assert _schedule(transport, KAORI.email) == ["busy"]
        first, second = server.store.deliveries_to("wassissi.lalie@fsh.nc")
        assert (second.subject, second.item.free_busy, second.attachments) == (
            CONVOKED, "Busy", ["Convocation 02-12-2026.docx"])
        transport.close()

