"""Members answer in Outlook; the answers come back from Exchange: substitutes, quorum, the manager told."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from automations.cli import commands
from automations.domain.attendance import DECLINED, Expected, quorum_alert, substitute_of
from automations.engine.journal import Journal
from automations.domain.service import Committee, Member, Service

from ..conftest import NOUMEA
from ..ews.server import PASSWORD, SERVICE, ews_server
from ..service_factory import context, make_service
from ..transports.test_exchange import add_rooms, exchange_config

PLANNING = Path("registres") / "Planning des instances 2026.xlsx"
KEY = "invitation/commission-maintien-dans-le-logement/2026-12-02"
MANAGER = "cheffe.service@province-sud.nc"


def prepare(config: Path, quorum: int) -> None:
    """The committee's quorum, and OUNOU Ko named as LALIE Wassissi's substitute, as staff would type them."""
    path = config.parent / PLANNING
    wb = openpyxl.load_workbook(path)
    committees = wb["Instances"]
    committees.cell(row=1, column=7, value="Quorum")
    committees.cell(row=2, column=7, value=quorum)
    members = wb["Membres"]
    members.cell(row=1, column=8, value="Suppléant de")
    for row in members.iter_rows(min_row=3):
        if row[0].value == "OUNOU":
            members.cell(row=row[0].row, column=8, value="LALIE Wassissi")
    wb.save(path)
    text = config.read_text(encoding="utf-8").replace(
        'signatory = "La cheffe de service"', f'signatory = "La cheffe de service"\nmanager = "{MANAGER}"')
    # the weekly digest goes to the manager too: left out, these tests count the alerts
    config.write_text(text + "\n[digest]\nenabled = false\n", encoding="utf-8")


def answer(server, email: str, response: str) -> None:
    [meeting] = server.store.calendar(SERVICE)
    for person in meeting.attendees():
        if person.email == email:
            person.response = response


@pytest.fixture
def convened(tmp_path: Path, monkeypatch, clock):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings())
        prepare(config, quorum=2)
        commands.run(context(config, clock))
        yield server, config


def test_answers_are_shown_in_plan(convened, clock) -> None:
    server, config = convened
    answer(server, "therese.xowie@ville-noumea.nc", "Accept")
    answer(server, "ko.ounou@cafat.nc", "Tentative")
    ctx = context(config, clock)
    commands.plan(ctx)
    assert ("Commission maintien dans le logement, séance du 02/12/2026 : réponses : 1 accepte, "
            "0 décline, 1 provisoire, 1 sans réponse ; quorum 2 : non atteint pour l’instant") in (
        ctx.out.getvalue())


def test_declining_member_is_replaced_by_the_substitute(convened, clock) -> None:
    server, config = convened
    answer(server, "wassissi.lalie@fsh.nc", "Decline")
    answer(server, "therese.xowie@ville-noumea.nc", "Accept")
    ctx = context(config, clock)
    report = commands.run(ctx)
    assert [a.summary for a in report.done] == [
        "Modification – Commission maintien dans le logement, séance du 02/12/2026 ; "
        "LALIE Wassissi remplacé(e) par son suppléant"]
    [meeting] = server.store.calendar(SERVICE)
    assert "ko.ounou@cafat.nc" in [p.email for p in meeting.required]
    assert meeting.optional == []
    # the declining member's answer is kept; the substitute is asked
    assert {p.email: p.response for p in meeting.required}["wassissi.lalie@fsh.nc"] == "Decline"
    request = server.store.deliveries_to("ko.ounou@cafat.nc", "MeetingRequest")[-1]
    assert "OUNOU Ko siégera comme suppléant(e) de LALIE Wassissi" in request.item.body
    with Journal(config.parent / "journal.sqlite3") as journal:
        rows = journal.attendance(KEY)
    assert {r["nom"]: (r["reponse"], r["remplace"]) for r in rows} == {
        "LALIE Wassissi": ("décline", ""), "XOWIE Thérèse": ("accepte", ""),
        "OUNOU Ko": ("sans réponse", "LALIE Wassissi")}
    # nothing more to do until someone answers again
    again = commands.run(context(config, clock))
    assert again.done == []


def test_quorum_not_reached_two_days_before_warns_the_manager_once(convened, clock) -> None:
    server, config = convened
    answer(server, "therese.xowie@ville-noumea.nc", "Accept")
    clock.moment = datetime(2026, 11, 30, 7, 0, tzinfo=NOUMEA)
    ctx = context(config, clock)
    commands.run(ctx)
    assert "⚑ Commission maintien dans le logement, séance du 02/12/2026 (mercredi 2 décembre 2026) : " \
           "quorum non atteint, 1 présence confirmée pour un quorum de 2." in ctx.out.getvalue()
    [alert] = server.store.deliveries_to(MANAGER)
    assert alert.kind == "Message"
    assert alert.subject == "[Commissions] À traiter – Commission maintien dans le logement, séance du 02/12/2026 " \
                            "(mercredi 2 décembre 2026)"
    assert "Sans réponse ferme : LALIE Wassissi." in alert.item.body
    commands.run(context(config, clock))
    assert len(server.store.deliveries_to(MANAGER)) == 1
    # once the quorum is reached, no alert
    answer(server, "wassissi.lalie@fsh.nc", "Accept")
    commands.run(context(config, clock))
    assert len(server.store.deliveries_to(MANAGER)) == 1


def test_no_free_room_is_told_to_the_manager(tmp_path: Path, monkeypatch, clock) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        for email in ("salle.kaori@province-sud.nc", "salle.niaouli@province-sud.nc"):
            server.store.mailbox(email).busy.append((datetime(2026, 12, 2, 7, 0, tzinfo=NOUMEA),
                                                     datetime(2026, 12, 2, 17, 0, tzinfo=NOUMEA), "autre"))
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings())
        prepare(config, quorum=2)
        check = context(config, clock)
        commands.check(check)
        assert "⚑ Convocations : Commission maintien dans le logement, séance du 02/12/2026 : aucune salle libre" in (
            check.out.getvalue())
        commands.run(context(config, clock))
        [alert] = server.store.deliveries_to(MANAGER)
        assert "aucune salle libre assez grande sur ce créneau (« Salle Kaori » est occupée)" in alert.item.body
        assert server.store.calendar(SERVICE) == []


def test_check_verifies_each_room_and_lists_the_room_list(tmp_path: Path, monkeypatch, clock) -> None:
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        server.store.add_mailbox("salle.tamanou@province-sud.nc", "Salle Tamanou", room=True)
        server.store.room_lists["salles.foch@province-sud.nc"] = (
            "Immeuble Foch", ["salle.kaori@province-sud.nc", "salle.tamanou@province-sud.nc"])
        del server.store.mailboxes["salle.niaouli@province-sud.nc"]  # a typo'd or deleted room
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings(room_list="salles.foch@province-sud.nc"))
        ctx = context(config, clock)
        assert commands.check(ctx) == 1
        out = ctx.out.getvalue()
    assert "✓ Salle « Salle Kaori » (salle.kaori@province-sud.nc, 20 places) : disponibilités lisibles" in out
    assert "✗ Salle « Salle Niaouli » (salle.niaouli@province-sud.nc, 12 places) : inconnue d'Exchange" in out
    assert ("✓ Salle « Salle Tamanou » (salle.tamanou@province-sud.nc, capacité inconnue : elle ne remplacera "
            "pas une salle occupée) : disponibilités lisibles") in out
    assert server.count("GetRoomLists") == 0 and server.count("GetRooms") == 1


def test_room_typed_by_name_is_found_in_every_room_list(tmp_path: Path, monkeypatch, clock) -> None:
    from ..service_factory import edit_planning

    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        add_rooms(server)
        server.store.add_mailbox("salle.tamanou@province-sud.nc", "Salle Tamanou", room=True)
        server.store.room_lists["salles.foch@province-sud.nc"] = ("Immeuble Foch", ["salle.tamanou@province-sud.nc"])
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings(room_list="*"))
        edit_planning(config.parent, 6, Lieu="Salle Tamanou")
        commands.run(context(config, clock))
        [meeting] = server.store.calendar(SERVICE)
        assert [p.email for p in meeting.resources] == ["salle.tamanou@province-sud.nc"]
        assert server.count("GetRoomLists") == 1


def test_substitute_is_found_by_name_then_by_organisation() -> None:
    committee = Committee("Commission")
    titular = Member("LALIE Wassissi", "wassissi.lalie@fsh.nc", "FSH")
    named = Member("OUNOU Ko", "ko.ounou@cafat.nc", "CAFAT", role="suppleant", substitute_for="lalie wassissi")
    same_org = Member("WAIA Josépha", "josepha.waia@fsh.nc", "FSH", role="suppleant")
    service = Service(findings=[], members=[titular, named, same_org])
    assert substitute_of(titular, committee, service) == named
    service.members.remove(named)
    assert substitute_of(titular, committee, service) == same_org
    assert substitute_of(Member("X", "x@sic.nc", "SIC"), committee, service) is None


def test_quorum_alert_only_in_the_last_two_days() -> None:
    rows = [Expected(Member("A", "a@x.nc"), DECLINED)]
    session = datetime(2026, 12, 2).date()
    assert quorum_alert("C", session, datetime(2026, 11, 29).date(), rows, 1) is None
    assert quorum_alert("C", session, datetime(2026, 11, 30).date(), rows, 1).startswith("C (mercredi 2 décembre")
    assert quorum_alert("C", session, datetime(2026, 11, 30).date(), rows, None) is None


def test_status_lists_coming_sessions_with_the_answers(convened, clock) -> None:
    server, config = convened
    answer(server, "wassissi.lalie@fsh.nc", "Accept")
    ctx = context(config, clock)
    assert commands.status(ctx) == 0
    lines = ctx.out.getvalue().splitlines()
    assert lines[:2] == [f"Service planifié : pas lancé sur ce journal (« python run.py --config \"{config}\" serve »).",
                         ""]
    lines = lines[2:]
    assert lines[:4] == [
        "Séances des 60 prochains jours :",
        "  02/12/2026 8 h 30 – Commission maintien dans le logement",
        "      convoquée (Salle Kaori), révision 0",
        "      réponses : 1 accepte, 0 décline, 2 sans réponse ; quorum 2 : non atteint pour l’instant",
    ]
    assert lines[4:] == ["  20/01/2027 9 h – Commission maintien dans le logement",
                         "      convocation pas encore envoyée"]
