"""The service on Microsoft 365: ``kind = "graph"`` and nothing else changes, against the Graph test server."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from automations.cli import commands
from automations.engine.context import Context
from automations.errors import TransportError
from automations.engine.journal import Journal

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import demo_service
from ..graph.server import CLIENT_SECRET, SERVICE, graph_server
from ..service_factory import COMMITTEE, context, make_service
from ..domain.test_attendance import MANAGER, answer, prepare
from .test_exchange import add_rooms, exchange_config, planning_row

SUBJECT = f"Convocation – {COMMITTEE} – mercredi 2 décembre 2026 à 8 h 30"
CONVOCATION = "Convocation Commission maintien dans le logement 02-12-2026.docx"


def waiting(config: Path, clock, slept: list[float]) -> Context:
    """A context whose waits are recorded instead of slept: what the server asked to wait, without waiting."""
    ctx = context(config, clock)
    ctx.sleep = slept.append
    return ctx


@pytest.fixture
def graph(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    with graph_server(tmp_path) as server:
        add_rooms(server)
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings(), kind="graph")
        yield server, config


def test_a_member_removed_from_the_register_is_told_the_meeting_is_off_for_them(graph, clock) -> None:
    server, config = graph
    commands.run(context(config, clock))
    path = config.parent / "registres" / "Planning des instances 2026.xlsx"
    wb = openpyxl.load_workbook(path)
    members = wb["Membres"]
    for row in members.iter_rows(min_row=3):
        if row[0].value == "XOWIE":
            row[5].value = "Autre commission"
    wb.save(path)
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["update"]
    [item] = server.store.calendar(SERVICE)
    assert "therese.xowie@ville-noumea.nc" not in [p.email for p in item.attendees()]
    assert [d.kind for d in server.store.deliveries_to("therese.xowie@ville-noumea.nc")] == [
        "MeetingRequest", "MeetingCancellation"]
    assert [d.kind for d in server.store.deliveries_to("wassissi.lalie@fsh.nc")] == [
        "MeetingRequest", "MeetingRequest"]


def test_a_room_unknown_to_microsoft_365_is_named_by_check(graph, clock) -> None:
    server, config = graph
    del server.store.mailboxes["salle.niaouli@province-sud.nc"]
    ctx = context(config, clock)
    commands.check(ctx)
    assert ("✗ Salle « Salle Niaouli » (salle.niaouli@province-sud.nc, 12 places) : inconnue de Microsoft 365 ou "
            "disponibilités non lisibles (adresse à vérifier, droits de lecture)") in ctx.out.getvalue()


def test_connection_dropped_after_create_gives_no_duplicate(graph, clock) -> None:
    server, config = graph
    server.fail_next("POST event", "drop")
    server.fail_next("$batch", "drop", skip=1)  # and after the batch that invites
    slept: list[float] = []
    report = commands.run(waiting(config, clock, slept))
    # each time the transport asked the server, found the work done and did not do it again
    assert server.count("POST event") == 1 and server.batched().count("PATCH event") == 1
    assert len(server.store.calendar(SERVICE)) == 1
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1
    assert [a.kind for a in report.done] == ["create"]
    assert commands.run(context(config, clock)).done == []
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1


def test_crash_between_the_sending_and_the_journal_is_recovered_without_duplicate(graph, clock, monkeypatch) -> None:
    server, config = graph

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies right after Graph sent the invitations

    with monkeypatch.context() as patched:
        patched.setattr(Journal, "complete", crash)
        with pytest.raises(KeyboardInterrupt):
            commands.run(context(config, clock))
    assert len(server.store.calendar(SERVICE)) == 1
    ctx = context(config, clock)
    report = commands.run(ctx)
    assert [a.kind for a in report.recovered] == ["create"] and report.done == []
    assert "déjà envoyé lors d'un passage interrompu" in ctx.out.getvalue()
    assert server.count("POST event") == 1
    received = Counter(d.recipient for d in server.store.delivered)
    assert received == {"wassissi.lalie@fsh.nc": 1, "therese.xowie@ville-noumea.nc": 1, "ko.ounou@cafat.nc": 1,
                        "salle.kaori@province-sud.nc": 1}
    assert planning_row(config, 6)["Salle réservée"] == "Salle Kaori"


def test_run_stopped_between_creation_and_invitation_invites_once_later(graph, clock) -> None:
    server, config = graph
    server.fail_next("PATCH event", "forbidden")  # the attendees' PATCH refused: the run stops there
    with pytest.raises(TransportError, match="accès refusé"):
        commands.run(context(config, clock))
    [silent] = server.store.calendar(SERVICE)
    assert silent.attendees() == [] and server.store.delivered == []
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["create"]
    [item] = server.store.calendar(SERVICE)
    assert item.item_id == silent.item_id and [a.name for a in item.attachments] == [CONVOCATION]
    assert [d.kind for d in server.store.deliveries_to("wassissi.lalie@fsh.nc")] == ["MeetingRequest"]


def test_throttling_is_waited_out_as_graph_asks(graph, clock) -> None:
    server, config = graph
    server.fail_next("POST event", "throttle", retry_after=7)
    server.fail_next("PATCH event", "unavailable", retry_after=3)
    slept: list[float] = []
    report = commands.run(waiting(config, clock, slept))
    assert [a.kind for a in report.done] == ["create"]
    assert slept == [7.0, 3.0]
    assert server.count("POST event") == 2
    [item] = server.store.calendar(SERVICE)
    assert [a.name for a in item.attachments] == [CONVOCATION]  # the batch's attachment was not posted twice
    assert len(server.store.deliveries_to("wassissi.lalie@fsh.nc")) == 1


def test_throttling_without_end_fails_the_action_until_the_next_run(graph, clock) -> None:
    server, config = graph
    for _ in range(5):
        server.fail_next("POST event", "throttle", retry_after=2)
    slept: list[float] = []
    ctx = waiting(config, clock, slept)
    report = commands.run(ctx)
    [(action, message)] = report.failed
    assert message == (f"Microsoft Graph est surchargé (l'invitation « {SUBJECT} ») : HTTP 429 après 5 essais, "
                       "il demande d'attendre 2 s ; nouvel essai au prochain passage.")
    assert slept == [2.0] * 4 and server.store.calendar(SERVICE) == []
    assert [a.kind for a in commands.run(context(config, clock)).done] == ["create"]


def test_expired_token_is_renewed_once(graph, clock) -> None:
    server, config = graph
    server.fail_next("POST event", "expired")
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["create"]
    assert server.count("token") == 2 and server.count("POST event") == 2
    assert len(server.store.calendar(SERVICE)) == 1


def test_refused_secret_is_reported_once_in_french(graph, clock, monkeypatch) -> None:
    server, config = graph
    monkeypatch.setenv("GRAPH_TEST_SECRET", "faux-secret")
    with pytest.raises(TransportError) as caught:
        commands.run(context(config, clock))
    assert caught.value.fatal
    assert caught.value.message == (
        "Microsoft Graph : Microsoft Entra refuse l'application « appli-commissions » (invalid_client, "
        "AADSTS7000215) ; vérifiez le secret « GRAPH_TEST_SECRET » (expiré, ou son identifiant "
        "copié à la place de sa valeur), ainsi que client_id et tenant_id.")
    assert server.count("token") == 1 and server.operations() == []
    ctx = context(config, clock)
    assert commands.check(ctx) == 1
    assert ctx.out.getvalue().count("Microsoft Entra refuse l'application") == 1


def test_answers_from_outlook_give_the_quorum(graph, clock) -> None:
    server, config = graph
    prepare(config, quorum=2)
    commands.run(context(config, clock))
    answer(server, "therese.xowie@ville-noumea.nc", "Accept")
    answer(server, "ko.ounou@cafat.nc", "Tentative")
    ctx = context(config, clock)
    commands.plan(ctx)
    assert ("Commission maintien dans le logement, séance du 02/12/2026 : réponses : 1 accepte, "
            "0 décline, 1 provisoire, 1 sans réponse ; quorum 2 : non atteint pour l’instant") in (
        ctx.out.getvalue())
    clock.moment = datetime(2026, 11, 30, 7, 0, tzinfo=NOUMEA)
    commands.run(context(config, clock))
    [alert] = server.store.deliveries_to(MANAGER)
    assert alert.kind == "Message" and "Sans réponse ferme : LALIE Wassissi." in alert.item.body
    answer(server, "wassissi.lalie@fsh.nc", "Decline")
    report = commands.run(context(config, clock))
    assert ("Modification – Commission maintien dans le logement, séance du 02/12/2026 ; "
            "LALIE Wassissi remplacé(e) par son suppléant") in [a.summary for a in report.done]
    assert "ko.ounou@cafat.nc" in [p.email for p in server.store.calendar(SERVICE)[0].required]
    [meeting] = server.store.calendar(SERVICE)
    assert {p.email: p.response for p in meeting.required}["wassissi.lalie@fsh.nc"] == "Decline"


def test_the_demo_runs_end_to_end_on_graph(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    now = FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA))
    with graph_server(tmp_path) as server:
        for name, capacity in (("kaori", 20), ("niaouli", 12), ("banian", 30)):
            server.store.add_mailbox(f"salle.{name}@province-sud.nc", f"Salle {name.title()}", room=True,
                                     capacity=capacity)
        config = demo_service(tmp_path / "demo", now().date(), manager=False)
        text = config.read_text(encoding="utf-8")
        lines = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in server.settings().items())
        text = text.replace('\ninbox = "boite-de-reception"', "")  # the demo's inbox folder: an outbox key
        config.write_text(text.replace('kind = "outbox"\nfolder = "boite-d-envoi"', f'kind = "graph"\n{lines}'),
                          encoding="utf-8")
        report = commands.run(context(config, now))
        # the same 24 sends as on the outbox (2 of them acknowledgements); the letters filed to print stay files
        assert report.failed == [] and len([a for a in report.done if a.kind != "file"]) == 24
        events = server.store.calendar(SERVICE)
        assert len(events) == 3 and all(e.resources and e.attachments for e in events)
        server.graph.settle()  # transport has processed the last mails: all in Sent Items
        sent = server.store.mailbox(SERVICE).folder("sentitems")
        assert len(sent) == 21 and all(m.extended.get("CommissionDelivery") for m in sent)
        again = commands.run(context(config, now))
        assert again.done == [] and again.failed == []
        assert len(server.store.mailbox(SERVICE).folder("sentitems")) == 21
