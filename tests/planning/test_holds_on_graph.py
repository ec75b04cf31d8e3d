"""The holding invitations on the Microsoft 365 test server: one tentative event per written session, its room
invited; a room whose booking assistant declines the held date is said once and the manager alerted."""

from __future__ import annotations

from ..graph.server import SERVICE
from ..service_factory import COMMITTEE, context
from ..convocations.test_room_declined import KAORI, MANAGER, managed  # noqa: F401 - the service on Graph
from ..transports.test_graph_service import graph  # noqa: F401 - used by ``managed``

from automations.cli import commands

RULE = f"""
[planning]
enabled = true

[[planning.committees]]
committee = "{COMMITTEE}"
pattern = "1er lundi"
time = "9 h"
duration_hours = 2
room = "Salle Kaori"
pauses = ["01/04 – 31/12"]
"""


def test_held_dates_are_tentative_events_and_a_declining_room_is_alerted(managed, clock) -> None:  # noqa: F811
    server, config = managed
    config.write_text(config.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    server.graph.declining[KAORI] = "hors de la fenêtre de réservation"
    report = commands.run(context(config, clock), "planning")
    assert [a.summary for a in report.done][0].startswith("Planning 2027 : classeur « Planning des instances 2027")
    holds = [a for a in report.done if a.summary.startswith("Réservation – ")]
    # the session staff already typed for January, and the two drafted (January has its own already)
    assert [a.payload["date"] for a in holds] == ["2027-01-20", "2027-02-01", "2027-03-01"]
    events = sorted(server.store.calendar(SERVICE), key=lambda e: e.start)
    held = [e for e in events if e.start.year == 2027]
    assert len(held) == 3 and all(e.free_busy == "Tentative" for e in held)
    assert all([r.email for r in e.resources] == [KAORI] for e in held)
    server.graph.settle()  # the room's assistant declines the three dates (past its booking window)
    again = commands.run(context(config, clock), "planning")
    refused = [a.summary for a in again.done if a.summary.startswith("Salle « Salle Kaori » refusée")]
    assert len(refused) == 3
    alerts = server.store.deliveries_to(MANAGER)
    assert alerts and "la salle « Salle Kaori » a refusé la réservation" in alerts[-1].item.body
    # said once
    assert [a for a in commands.run(context(config, clock), "planning").done if "refusée" in a.summary] == []
