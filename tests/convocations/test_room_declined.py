"""A room that declines the meeting (its booking assistant, on Microsoft 365): the next free room is convened,
or the manager alone is told and the planning stops claiming the room."""

from __future__ import annotations

import pytest

from automations.cli import commands

from ..graph.server import SERVICE
from ..service_factory import context
from ..transports.test_exchange import planning_row
from ..transports.test_graph_service import graph  # noqa: F401 - the service on the Graph test server

MANAGER = "cheffe.service@province-sud.nc"
KAORI, NIAOULI = "salle.kaori@province-sud.nc", "salle.niaouli@province-sud.nc"
LABEL = "Commission maintien dans le logement, séance du 02/12/2026"


@pytest.fixture
def managed(graph):  # noqa: F811 - the fixture imported above
    server, config = graph
    text = config.read_text(encoding="utf-8").replace(
        'signatory = "La cheffe de service"', f'signatory = "La cheffe de service"\nmanager = "{MANAGER}"')
    # the weekly digest goes to the manager too: left out, these tests count the alerts
    config.write_text(text + "\n[digest]\nenabled = false\n", encoding="utf-8")
    return server, config


def _requests(server, email: str) -> list[str]:
    return [d.kind for d in server.store.deliveries_to(email)]


def test_a_room_declining_by_policy_gives_way_to_the_next_free_room(managed, clock) -> None:
    server, config = managed
    server.graph.declining[KAORI] = "hors de la fenêtre de réservation"
    first = commands.run(context(config, clock))
    assert [a.kind for a in first.done] == ["create"]
    # the booking assistant has not answered yet: nothing to do
    assert commands.run(context(config, clock)).done == []
    server.graph.settle()  # it declines
    report = commands.run(context(config, clock))
    assert [a.summary for a in report.done] == [
        f"Modification – {LABEL} ; salle « Salle Kaori » refusée, remplacée par « Salle Niaouli »",
        f"Alerte au responsable – {LABEL}"]
    [event] = server.store.calendar(SERVICE)
    assert [r.email for r in event.resources] == [NIAOULI] and event.location == "Salle Niaouli"
    assert _requests(server, "wassissi.lalie@fsh.nc") == ["MeetingRequest", "MeetingRequest"]
    assert "Salle Niaouli" in server.store.deliveries_to("wassissi.lalie@fsh.nc")[-1].item.body
    assert _requests(server, KAORI) == ["MeetingRequest", "MeetingCancellation"]
    [alert] = server.store.deliveries_to(MANAGER)
    assert (f"{LABEL} : la salle « Salle Kaori » a refusé la réunion (réponse de sa boîte de réservation : salle "
            "déjà prise ou règle de réservation) ; « Salle Niaouli », libre et assez grande, est réservée à la place "
            "et les membres reçoivent la convocation modifiée.") in alert.item.body
    assert planning_row(config, 6)["Salle réservée"] == "Salle Niaouli"
    server.graph.settle()  # Niaouli accepts
    assert commands.run(context(config, clock)).done == []
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 2


def test_a_room_declining_on_a_conflict_with_none_free_alerts_and_the_planning_says_so(managed, clock) -> None:
    server, config = managed
    commands.run(context(config, clock))
    assert planning_row(config, 6)["Salle réservée"] == "Salle Kaori"
    [event] = server.store.calendar(SERVICE)
    # booked by someone else before its assistant processed our invitation, and Niaouli taken as well
    server.store.mailbox(KAORI).busy.append((event.start, event.end, "réunion du directeur"))
    server.store.mailbox(NIAOULI).busy.append((event.start, event.end, "formation"))
    server.graph.settle()
    ctx = context(config, clock)
    report = commands.run(ctx)
    assert [a.summary for a in report.done] == [f"Salle « Salle Kaori » refusée – {LABEL}",
                                                f"Alerte au responsable – {LABEL}"]
    [alert] = server.store.deliveries_to(MANAGER)
    assert (f"{LABEL} : la salle « Salle Kaori » a refusé la réunion (réponse de sa boîte de réservation : salle "
            "déjà prise ou règle de réservation) et aucune autre salle assez grande n'est libre sur ce créneau ; la "
            "séance n'a plus de salle réservée (colonne « Salle réservée » vidée dans le planning) : réservez une "
            "salle ou changez l'horaire.") in alert.item.body
    # an alert alone: the members are not convened again, and the planning no longer claims the room
    assert _requests(server, "wassissi.lalie@fsh.nc") == ["MeetingRequest"]
    assert planning_row(config, 6)["Salle réservée"] is None
    again = context(config, clock)
    assert commands.run(again).done == []
    assert (f"{LABEL} : toujours sans salle réservée (« Salle Kaori » a refusé la réunion) ; aucune autre salle "
            "assez grande n'est libre sur ce créneau.") in again.out.getvalue()
    assert len(server.store.deliveries_to(MANAGER)) == 1
    # Niaouli freed: the members are convened there
    server.store.mailbox(NIAOULI).busy.clear()
    freed = commands.run(context(config, clock))
    assert [a.kind for a in freed.done] == ["update"]
    assert planning_row(config, 6)["Salle réservée"] == "Salle Niaouli"
    assert _requests(server, "wassissi.lalie@fsh.nc") == ["MeetingRequest", "MeetingRequest"]
