"""Rooms on Exchange: a room list longer than GetRooms answers, and the answer of a room's booking assistant."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from automations.transports import BACKENDS
from automations.transports.base import RoomChoice

from ..conftest import NOUMEA
from ..ews.operations import GET_ROOMS_LIMIT
from ..ews.server import PASSWORD, SERVICE, ews_server
from .test_exchange import add_rooms
from .test_transports import STAMP, meeting

ROOM_LIST = "salles.province@province-sud.nc"
KAORI = "salle.kaori@province-sud.nc"
KEY = "invitation/x/2026-12-02"


@pytest.fixture
def server(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        server.store.now = lambda: STAMP  # the start of the rooms' booking window
        yield server


def transport_for(server, **settings):
    return BACKENDS["exchange"](server.settings(**settings), base=server.ca_file.parent, now=lambda: STAMP)


def test_a_room_list_of_130_rooms_is_read_whole(server) -> None:
    emails = [f"salle{n:03d}@province-sud.nc" for n in range(130)]
    for n, email in enumerate(emails):
        server.store.add_mailbox(email, f"Salle {n:03d}", room=True)
    server.store.room_lists[ROOM_LIST] = ("Salles de la province", emails)
    transport = transport_for(server, room_list=ROOM_LIST)
    # Exchange's GetRooms stops at the first 100 rooms, without a word
    assert len(list(transport.account().protocol.get_rooms(ROOM_LIST))) == GET_ROOMS_LIMIT == 100
    rooms = transport.rooms()
    assert sorted(r.email for r in rooms) == emails
    assert next(r.name for r in rooms if r.email == "salle129@province-sud.nc") == "Salle 129"
    assert server.count("GetRooms") == 2 and server.count("ExpandDL") == 1
    transport.close()


def test_free_busy_of_130_rooms_is_asked_100_at_a_time(server) -> None:
    emails = [f"salle{n:03d}@province-sud.nc" for n in range(130)]
    for n, email in enumerate(emails):
        server.store.add_mailbox(email, f"Salle {n:03d}", room=True)
    start, end = datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
    for email in emails[:120]:
        server.store.mailbox(email).busy.append((start, end, "autre-réunion"))
    transport = transport_for(server)
    rooms = [RoomChoice(f"Salle {n:03d}", email) for n, email in enumerate(emails)]
    # GetUserAvailability takes 100 mailboxes at most: the 130 rooms are asked in two requests
    assert [problem for _, problem in transport.check_rooms(rooms)] == [None] * 130
    assert transport.free_room(rooms, start, end) == rooms[120]
    assert server.count("GetUserAvailabilityRequest") == 4
    transport.close()


def test_a_short_room_list_costs_one_request(server) -> None:
    server.store.room_lists[ROOM_LIST] = ("Salles du centre", [KAORI, "salle.niaouli@province-sud.nc"])
    transport = transport_for(server, room_list=ROOM_LIST)
    assert [r.name for r in transport.rooms()] == ["Salle Kaori", "Salle Niaouli"]
    assert server.operations() == ["GetRooms"]
    transport.close()


def test_a_free_room_accepts(server) -> None:
    transport = transport_for(server)
    transport.send_meeting(meeting())
    assert transport.room_answer(f"{KEY}#0") == "accepted"
    [response] = server.store.mailbox(SERVICE).folder("inbox")
    assert (response.kind, response.item_class, response.sender.email) == (
        "MeetingResponse", "IPM.Schedule.Meeting.Resp.Pos", KAORI)
    transport.close()


def test_a_room_booked_meanwhile_declines_and_the_transport_says_so(server) -> None:
    room = server.store.mailbox(KAORI)
    other = (datetime(2026, 12, 2, 8, 0, tzinfo=NOUMEA), datetime(2026, 12, 2, 9, 0, tzinfo=NOUMEA), "autre-réunion")
    room.busy.append(other)
    transport = transport_for(server)
    transport.send_meeting(meeting())
    assert transport.room_answer(f"{KEY}#0") == "declined"
    # on the organizer's meeting, the room's answer is Decline; the room keeps only the other booking
    [item] = server.store.calendar(SERVICE)
    assert [(p.email, p.response) for p in item.resources] == [(KAORI, "Decline")]
    assert room.busy == [other]
    [response] = server.store.mailbox(SERVICE).folder("inbox")
    assert response.item_class == "IPM.Schedule.Meeting.Resp.Neg"
    assert response.subject == f"Refusé : {meeting().title}"
    assert "conflicts with another meeting" in response.body
    # moved to a free hour, the update is processed again and the room accepts
    later = meeting(f"{KEY}#1")
    assert transport.lookup(later.delivery_id) is None
    transport.send_meeting(replace(later, start=later.start + timedelta(hours=2), end=later.end + timedelta(hours=2)))
    assert transport.room_answer(f"{KEY}#1") == "accepted"
    assert [s for s, _, owner in room.busy if owner == item.item_id] == [datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)]
    transport.close()


@pytest.mark.parametrize("policy, words", [
    ({"booking_window_days": 5}, "outside the booking window"),
    ({"max_duration_minutes": 60}, "maximum allowed duration"),
])
def test_a_request_out_of_the_room_policy_is_declined(server, policy: dict[str, int], words: str) -> None:
    room = server.store.mailbox(KAORI)
    for name, value in policy.items():
        setattr(room, name, value)
    transport = transport_for(server)
    transport.send_meeting(meeting())  # 2 December, 9 days after the clock's 23 November, for two hours
    assert transport.room_answer(f"{KEY}#0") == "declined"
    assert room.busy == []
    [response] = server.store.mailbox(SERVICE).folder("inbox")
    assert words in response.body
    transport.close()


def test_a_room_that_has_not_answered_gives_none(server) -> None:
    server.store.mailbox(KAORI).auto_accept = False  # a delegate decides for this room
    transport = transport_for(server)
    assert transport.room_answer(f"{KEY}#0") is None  # nothing sent yet
    transport.send_meeting(meeting())
    assert transport.room_answer(f"{KEY}#0") is None
    assert server.store.mailbox(SERVICE).folder("inbox") == []
    transport.send_meeting(replace(meeting("invitation/y/2026-12-02#0"), uid="y@province-sud.nc", room=None))
    assert transport.room_answer("invitation/y/2026-12-02#0") is None  # a meeting without a room
    transport.close()


def test_transports_without_rooms_have_no_room_answer(tmp_path: Path) -> None:
    outbox = BACKENDS["outbox"]({"folder": str(tmp_path)}, base=tmp_path, now=lambda: STAMP)
    outbox.send_meeting(meeting())
    assert outbox.room_answer(f"{KEY}#0") is None
