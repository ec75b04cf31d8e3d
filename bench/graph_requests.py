"""Microsoft Graph requests per invitation, and crash-injection runs, against the Graph test server.

    python bench/graph_requests.py

Prints, for 1 to 16 members and 2 candidate rooms, the HTTP requests the graph transport sends for one
invitation (free/busy, look-up, creation, invitation), the Graph requests carried inside them ($batch),
and the token requests; then two crash-injection runs over 10 sessions: the line dropped after every
creation and every invitation, then the process stopped between each sending and its journal entry; and the
line dropped at each request of a mail's sending (small, and with a 4 MB file), the server keeping each
accepted message in Drafts for a while as Microsoft 365 does. Duplicates and lost actions are counted from
what the server delivered.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automations.cli import commands
from automations.engine.journal import Journal
from automations.transports.base import Address, Attachment, Mail, Meeting, RoomChoice
from automations.transports.graph import GraphTransport
from tests.conftest import FakeClock  # noqa: E402
from tests.graph.server import CLIENT_SECRET, SERVICE, GraphServer, graph_server  # noqa: E402
from tests.service_factory import COMMITTEE, context, make_service, planning_rows  # noqa: E402
from tests.transports.test_exchange import add_rooms, exchange_config  # noqa: E402

NOUMEA = ZoneInfo("Pacific/Noumea")
START, END = datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
ROOMS = [RoomChoice("Salle Kaori", "salle.kaori@province-sud.nc", 20),
         RoomChoice("Salle Niaouli", "salle.niaouli@province-sud.nc", 12)]
SESSIONS = 10


def invitation(members: int) -> Meeting:
    return Meeting(delivery_id="invitation/bench/2026-12-02#0", uid="bench@province-sud.nc", sequence=0,
                   method="REQUEST", subject="Convocation – banc d'essai", start=START, end=END,
                   location="Salle Kaori", organizer=Address(SERVICE),
                   required=tuple(Address(f"membre{n}@province-sud.nc") for n in range(members)),
                   room=Address(ROOMS[0].email or ""), body_text="Convocation.",
                   attachments=(Attachment("Convocation.docx", b"PK\x03\x04" * 5000),))


def requests_for(server: GraphServer, members: int, folder: Path) -> tuple[int, int, int]:
    """(HTTP requests to Graph, Graph requests inside them, token and discovery requests) for one invitation."""
    transport = GraphTransport(server.settings(), base=folder, now=lambda: START)
    meeting = invitation(members)
    transport.free_room(ROOMS, START, END)
    if transport.lookup(meeting.delivery_id) is None:
        transport.send_meeting(meeting)
    transport.close()
    wire = server.operations()
    inside = len(wire) - wire.count("$batch") + len(server.batched())
    return len(wire), inside, server.count("discovery") + server.count("token")


def sessions_service(server: GraphServer, folder: Path) -> Path:
    # one session a day from tomorrow, all inside the committee's 15-day lead time
    rows = planning_rows()[:1] + [[COMMITTEE, date(2026, 11, 24) + timedelta(days=n), "8h30", 1, "Salle Kaori",
                                   None, "Prévue", None, None, None, None, None] for n in range(SESSIONS)]
    config = make_service(folder / "service", rows)
    exchange_config(config, server.settings(), kind="graph")
    return config


def outcome(server: GraphServer) -> tuple[int, int, int]:
    """(meetings, duplicates, lost): each member and room must have received each invitation once."""
    received = Counter((d.recipient, d.subject) for d in server.store.delivered)
    meetings = len(server.store.calendar(SERVICE))
    sent_once = {subject for (_, subject), n in received.items() if n == 1}
    return meetings, sum(n - 1 for n in received.values()), SESSIONS - len(sent_once)


def dropped_lines(folder: Path) -> tuple[int, int, int, int]:
    with graph_server(folder) as server:
        add_rooms(server)
        config = sessions_service(server, folder)
        for _ in range(SESSIONS):
            server.fail_next("POST event", "drop")
            server.fail_next("$batch", "drop", skip=1)  # the look-up's batch passes, the invitation's drops
        clock = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))
        commands.run(context(config, clock))
        commands.run(context(config, clock))
        return (*outcome(server), server.count("POST event"))


MAIL_REQUESTS = [("petit", "POST sendMail", 0), ("grand", "POST message", 0), ("grand", "POST createUploadSession", 0),
                 ("grand", "PUT upload", 0), ("grand", "PUT upload", 1), ("grand", "PATCH message", 0),
                 ("grand", "POST send", 0)]


def dropped_mail_lines(folder: Path) -> tuple[int, int, int]:
    """(sendings, duplicates, lost): one mail per request of its sending, the line dropped at that request."""
    duplicates = lost = 0
    for number, (size, operation, skip) in enumerate(MAIL_REQUESTS):
        with graph_server(folder) as server:
            transport = GraphTransport(server.settings(), base=folder, now=lambda: START)
            transport.pause = lambda seconds: None
            files = (Attachment("Lettre.docx", b"PK\x03\x04" * 100),) + (
                (Attachment("Dossier.pdf", b"%PDF" * (1024 * 1024)),) if size == "grand" else ())
            mail = Mail(delivery_id=f"lettre/{number}#0", subject="Lettre", sender=Address(SERVICE),
                        to=(Address("destinataire@province-sud.nc"),), body_text="Madame,", attachments=files)
            server.fail_next(operation, "drop", skip=skip)
            if transport.lookup(mail.delivery_id) is None:
                transport.send_mail(mail)
            server.graph.settle()
            received = len(server.store.deliveries_to("destinataire@province-sud.nc"))
            duplicates, lost = duplicates + max(0, received - 1), lost + (received == 0)
            transport.close()
    return len(MAIL_REQUESTS), duplicates, lost


def stopped_processes(folder: Path) -> tuple[int, int, int, int]:
    """Each run dies right after its first new sending, before the journal records it; runs until done."""
    real_complete = Journal.complete

    def dying(self: Journal, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("recovered"):
            raise KeyboardInterrupt
        real_complete(self, *args, **kwargs)

    with graph_server(folder) as server:
        add_rooms(server)
        config = sessions_service(server, folder)
        clock = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))
        runs = 0
        Journal.complete = dying  # type: ignore[method-assign]
        try:
            while runs < 3 * SESSIONS:
                runs += 1
                try:
                    commands.run(context(config, clock))
                    break
                except KeyboardInterrupt:
                    continue
        finally:
            Journal.complete = real_complete  # type: ignore[method-assign]
        commands.run(context(config, clock))  # and one ordinary run after
        return (*outcome(server), runs)


def main() -> None:
    os.environ["GRAPH_TEST_SECRET"] = CLIENT_SECRET
    print("Requêtes Microsoft Graph pour une convocation (2 salles candidates, convocation jointe) :")
    print(f"{'membres':>8} {'HTTP':>6} {'Graph':>6} {'jeton':>6}")
    for members in (1, 2, 4, 8, 16):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            with graph_server(folder) as server:
                add_rooms(server)
                wire, inside, token = requests_for(server, members, folder)
        print(f"{members:>8} {wire:>6} {inside:>6} {token:>6}")
    with tempfile.TemporaryDirectory() as tmp:
        meetings, duplicates, lost, creates = dropped_lines(Path(tmp))
    print(f"Coupure après chaque création et chaque invitation puis nouveau passage ({SESSIONS} séances) : "
          f"{meetings} réunions, {creates} créations, doublons = {duplicates}, actions perdues = {lost}")
    with tempfile.TemporaryDirectory() as tmp:
        meetings, duplicates, lost, runs = stopped_processes(Path(tmp))
    print(f"Arrêt brutal entre chaque envoi et le journal ({SESSIONS} séances, {runs} passages) : "
          f"{meetings} réunions, doublons = {duplicates}, actions perdues = {lost}")
    with tempfile.TemporaryDirectory() as tmp:
        mails, duplicates, lost = dropped_mail_lines(Path(tmp))
    print(f"Coupure à chaque requête d'un envoi de mail ({mails} envois, message gardé un temps dans les "
          f"Brouillons) : doublons = {duplicates}, envois perdus = {lost}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
