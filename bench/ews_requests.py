"""EWS requests per invitation, and a crash-injection run, against the EWS test server.

    python -m bench exchange        (the requests, in the table of every scenario)
    python bench/ews_requests.py    (the requests, then the crash-injection run)

Prints, for 1 to 16 members and 2 candidate rooms, the requests the exchange
transport sends for one invitation, next to the naive way measured in the
same run (exchangelib's defaults: version probe, folder look-ups, one
free/busy request per room, FindItem followed by GetItem); then drops the
connection after every creation and reruns, counting duplicates, losses and
actions the rerun still cannot record; then reads a room list of 130 rooms
and a room's answer.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automations.cli import commands
from automations.transports.base import Address, Meeting, RoomChoice
from automations.transports.exchange import ExchangeTransport, key_of
from tests.conftest import FakeClock  # noqa: E402
from tests.ews.server import PASSWORD, SERVICE, EwsServer, ews_server  # noqa: E402
from tests.service_factory import context, make_service  # noqa: E402
from tests.transports.test_exchange import add_rooms, exchange_config  # noqa: E402

NOUMEA = ZoneInfo("Pacific/Noumea")
START, END = datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
ROOMS = [RoomChoice("Salle Kaori", "salle.kaori@province-sud.nc", 20),
         RoomChoice("Salle Niaouli", "salle.niaouli@province-sud.nc", 12)]


def invitation(members: int) -> Meeting:
    return Meeting(delivery_id="invitation/bench/2026-12-02#0", uid="bench@province-sud.nc", sequence=0,
                   method="REQUEST", subject="Convocation – banc d'essai", start=START, end=END,
                   location="Salle Kaori", organizer=Address(SERVICE),
                   required=tuple(Address(f"membre{n}@province-sud.nc") for n in range(members)),
                   room=Address(ROOMS[0].email or ""), body_text="Convocation.")


def ours(server: EwsServer, members: int, folder: Path) -> int:
    transport = ExchangeTransport(server.settings(), base=folder, now=lambda: START)
    before = len(server.requests)
    meeting = invitation(members)
    transport.free_room(ROOMS, START, END)
    if transport.lookup(meeting.delivery_id) is None:
        transport.send_meeting(meeting)
    transport.close()
    return len(server.requests) - before


def naive(server: EwsServer, members: int, folder: Path) -> int:
    """The same invitation written the obvious way with exchangelib's high-level API."""
    from exchangelib import Account, Attendee, CalendarItem, Configuration, Credentials, FaultTolerance, Mailbox
    from exchangelib import BASIC

    transport = ExchangeTransport(server.settings(), base=folder, now=lambda: START)
    transport.account()  # registers the extended properties and the private authority
    before = len(server.requests)
    config = Configuration(service_endpoint=server.url, credentials=Credentials("svc-commissions", PASSWORD),
                           auth_type=BASIC, retry_policy=FaultTolerance(max_wait=5))
    account = Account(SERVICE, config=config, autodiscover=False)
    for room in ROOMS:  # free/busy room by room
        transport.busy_slots([room.email or ""], START, END)
    meeting = invitation(members)
    existing = list(account.calendar.filter(commission_key=key_of(meeting.delivery_id)))
    if not existing:
        CalendarItem(account=account, folder=account.calendar, subject=meeting.subject, start=START, end=END,
                     required_attendees=[Attendee(mailbox=Mailbox(email_address=a.email), response_type="Unknown")
                                         for a in meeting.required],
                     resources=[Attendee(mailbox=Mailbox(email_address=ROOMS[0].email), response_type="Unknown")],
                     commission_key=key_of(meeting.delivery_id),
                     commission_delivery=meeting.delivery_id).save(send_meeting_invitations="SendToAllAndSaveCopy")
    account.protocol.close()
    return len(server.requests) - before


def crash_injection(sessions: int, folder: Path) -> tuple[int, int, int, int]:
    """Every creation loses its answer; then a rerun. Returns (meetings, duplicates, lost, still failed): a
    session whose meeting went out but whose look-up failed is not lost for the members, but the journal
    never records it."""
    from tests.service_factory import COMMITTEE, planning_rows

    # one session a day from tomorrow, all inside the committee's 15-day lead time
    rows = planning_rows()[:1] + [[COMMITTEE, date(2026, 11, 24) + timedelta(days=n), "8h30", 1, "Salle Kaori",
                                   None, "Prévue", None, None, None, None, None] for n in range(sessions)]
    os.environ["EWS_TEST_PASSWORD"] = PASSWORD
    with ews_server(folder) as server:
        add_rooms(server)
        config = make_service(folder / "service", rows)
        exchange_config(config, server.settings())
        for _ in range(sessions):
            server.fail_next("CreateItem", "drop")
        clock = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))
        commands.run(context(config, clock))
        failed = len(commands.run(context(config, clock)).failed)
        received = Counter((d.recipient, d.subject) for d in server.store.delivered)
        meetings = len(server.store.calendar(SERVICE))
    duplicates = sum(n - 1 for n in received.values())
    return meetings, duplicates, sessions - meetings, failed


def rooms(count: int, folder: Path) -> tuple[int, int, int]:
    """A room list of ``count`` rooms: (rooms found, requests to list them, requests to read a room's answer)."""
    os.environ["EWS_TEST_PASSWORD"] = PASSWORD
    with ews_server(folder) as server:
        emails = [f"salle{n:03d}@province-sud.nc" for n in range(count)]
        for email in emails:
            server.store.add_mailbox(email, email, room=True)
        server.store.room_lists["salles@province-sud.nc"] = ("Salles", emails)
        transport = ExchangeTransport(server.settings(room_list="salles@province-sud.nc"), base=folder,
                                      now=lambda: START)
        found = len(transport.rooms())
        listing = len(server.requests)
        meeting = invitation(2)
        transport.send_meeting(meeting)
        before = len(server.requests)
        transport.room_answer(meeting.delivery_id)
        transport.close()
        return found, listing, len(server.requests) - before


def requests(members: int, way: str) -> int:
    """Requests for one invitation to ``members`` members: the transport's (``outil``) or the naive way's."""
    os.environ["EWS_TEST_PASSWORD"] = PASSWORD
    with tempfile.TemporaryDirectory() as tmp, ews_server(Path(tmp)) as server:
        add_rooms(server)
        return (ours if way == "outil" else naive)(server, members, Path(tmp))


def main() -> None:
    print("Requêtes EWS pour une convocation (2 salles candidates) :")
    print(f"{'membres':>8} {'transport':>10} {'naïf':>6} {'rapport':>8}")
    for members in (1, 4, 8, 16):
        mine, theirs = requests(members, "outil"), requests(members, "naif")
        print(f"{members:>8} {mine:>10} {theirs:>6} {theirs / mine:>7.1f}x")
    with tempfile.TemporaryDirectory() as tmp:
        meetings, duplicates, lost, failed = crash_injection(10, Path(tmp))
    print(f"Coupure après chaque création puis nouveau passage (10 séances) : {meetings} réunions, "
          f"doublons = {duplicates}, actions perdues = {lost}, encore en échec = {failed}")
    with tempfile.TemporaryDirectory() as tmp:
        found, listing, answer = rooms(130, Path(tmp))
    print(f"Liste de 130 salles : {found} salles trouvées en {listing} requêtes (GetRooms s'arrête à 100) ; "
          f"réponse de la salle à une convocation : {answer} requêtes")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
