"""What members and rooms see of their meetings, the same on Exchange (EWS) and on Microsoft 365 (Graph)."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations.cli import commands

from ..conftest import NOUMEA
from ..ews.server import PASSWORD, SERVICE, ews_server
from ..graph.server import CLIENT_SECRET, graph_server
from ..printed import NBSP
from ..service_factory import COMMITTEE, context, edit_planning, make_service, replace_member
from .test_exchange import PLANNING, add_rooms, exchange_config, planning_row
from ..convocations.test_invitations import NEW_MEMBER, TITLE

SERVERS = {"exchange": ews_server, "graph": graph_server}
# free/busy of both rooms, the look-up by key, the creation (Graph: created silent, then the convocation and
# the attendees in one $batch): nothing per member
REQUESTS = {"exchange": ["GetUserAvailabilityRequest", "FindItem", "CreateItem"],
            "graph": ["POST getSchedule", "$batch", "POST event", "$batch"]}
REACHED = {"exchange": "Exchange joignable", "graph": "Microsoft Graph joignable"}
CANCELLATION = {"exchange": "CreateItem", "graph": "POST cancel"}  # EWS cancels by a CancelCalendarItem


def serve(kind: str, folder: Path, monkeypatch):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    return SERVERS[kind](folder)


@pytest.fixture(params=sorted(SERVERS))
def mailbox(request, tmp_path: Path, monkeypatch):
    with serve(request.param, tmp_path, monkeypatch) as server:
        add_rooms(server)
        config = make_service(tmp_path / "service")
        exchange_config(config, server.settings(), kind=request.param)
        yield server, config, request.param


def test_invitation_is_a_meeting_in_the_calendar_with_the_room_booked(mailbox, clock) -> None:
    server, config, kind = mailbox
    ctx = context(config, clock)
    commands.check(ctx)
    assert f"Envois : {REACHED[kind]}, boîte « {SERVICE} » ouverte" in ctx.out.getvalue()
    assert "✓ Salle « Salle Kaori » (salle.kaori@province-sud.nc, 20 places) : disponibilités lisibles" in (
        ctx.out.getvalue())
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["create"]
    [item] = server.store.calendar(SERVICE)
    assert item.subject == f"Convocation – {COMMITTEE} – mercredi 2 décembre 2026 à 8 h 30"
    assert item.start == datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA)
    assert item.end == datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
    assert [p.email for p in item.required] == ["wassissi.lalie@fsh.nc", "therese.xowie@ville-noumea.nc"]
    assert [p.email for p in item.optional] == ["ko.ounou@cafat.nc"]
    assert [p.email for p in item.resources] == ["salle.kaori@province-sud.nc"]
    key = "invitation/commission-maintien-dans-le-logement/2026-12-02"
    assert item.extended == {"CommissionKey": key, "CommissionDelivery": f"{key}#0"}
    room = server.store.mailbox("salle.kaori@province-sud.nc")
    assert [(s, e) for s, e, _ in room.busy] == [(item.start, item.end)]
    # each member receives one request with the convocation, which names the date
    [request] = server.store.deliveries_to("therese.xowie@ville-noumea.nc")
    assert request.kind == "MeetingRequest"
    [attachment] = request.item.attachments
    assert attachment.name == "Convocation Commission maintien dans le logement 02-12-2026.docx"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(attachment.content)).paragraphs)
    assert "mercredi 2 décembre 2026" in text
    row = planning_row(config, 6)
    assert row["Salle réservée"] == "Salle Kaori"
    assert row["Invitations envoyées le"].date().isoformat() == "2026-11-23"
    # a rerun sends nothing more
    sent = len(server.store.delivered)
    again = commands.run(context(config, clock))
    assert again.done == [] and again.failed == []
    assert len(server.store.delivered) == sent == 4


@pytest.mark.parametrize("kind", sorted(SERVERS))
@pytest.mark.parametrize("members", [2, 8, 16])
def test_requests_per_invitation_do_not_grow_with_members(tmp_path: Path, monkeypatch, clock, kind: str,
                                                          members: int) -> None:
    with serve(kind, tmp_path, monkeypatch) as server:
        add_rooms(server)
        config = make_service(tmp_path / "service")
        path = config.parent / PLANNING
        wb = openpyxl.load_workbook(path)
        sheet = wb["Membres"]
        sheet.delete_rows(3, sheet.max_row)
        for n in range(members):
            sheet.append([f"MEMBRE{n}", "Test", "Organisme", "Élu(e)", f"membre{n}@province-sud.nc", COMMITTEE,
                          "Titulaire"])
        wb.save(path)
        exchange_config(config, server.settings(), kind=kind)
        commands.run(context(config, clock))
        [item] = server.store.calendar(SERVICE)
        assert len(item.required) == members
        assert server.operations() == REQUESTS[kind]


def test_changed_date_updates_the_same_meeting_and_moves_the_room(mailbox, clock) -> None:
    server, config, _ = mailbox
    commands.run(context(config, clock))
    [item] = server.store.calendar(SERVICE)
    edit_planning(config.parent, 6, Heure="14h00")
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["update"]
    [updated] = server.store.calendar(SERVICE)
    assert updated.item_id == item.item_id and updated.sequence == 1
    assert updated.start == datetime(2026, 12, 2, 14, 0, tzinfo=NOUMEA)
    # the new convocation replaced the old one before the update left
    new = "Convocation Commission maintien dans le logement 02-12-2026 (modification 1).docx"
    assert [a.name for a in updated.attachments] == [new]
    requests = server.store.deliveries_to("wassissi.lalie@fsh.nc", "MeetingRequest")
    assert len(requests) == 2 and requests[-1].attachments == [new]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(requests[-1].item.attachments[0].content)).paragraphs)
    assert f"14{NBSP}h" in text
    room = server.store.mailbox("salle.kaori@province-sud.nc")
    assert [s for s, _, _ in room.busy] == [datetime(2026, 12, 2, 14, 0, tzinfo=NOUMEA)]


def test_an_update_says_what_changed_and_the_meeting_keeps_its_title(mailbox, clock) -> None:
    server, config, _ = mailbox
    commands.run(context(config, clock))
    edit_planning(config.parent, 6, Date=datetime(2026, 12, 3), Heure="9h", Lieu="Salle Niaouli")
    replace_member(config.parent, "therese.xowie@ville-noumea.nc", NEW_MEMBER)
    assert [a.kind for a in commands.run(context(config, clock)).done] == ["update"]
    [item] = server.store.calendar(SERVICE)
    assert item.subject == TITLE  # no « Modification – » in the calendar
    body = item.body.replace("\r\n", "\n")
    assert ("- Date : mercredi 2 décembre 2026 → jeudi 3 décembre 2026\n- Heure : 8 h 30 → 9 h\n"
            "- Salle : Salle Kaori → Salle Niaouli\n- Membres ajoutés : NEA Paul\n"
            "- Membres retirés : XOWIE Thérèse\n") in body
    [request] = server.store.deliveries_to("wassissi.lalie@fsh.nc", "MeetingRequest")[1:]
    assert request.subject == TITLE and "- Salle : Salle Kaori → Salle Niaouli" in request.item.body
    assert [d.kind for d in server.store.deliveries_to("therese.xowie@ville-noumea.nc")] == [
        "MeetingRequest", "MeetingCancellation"]

    edit_planning(config.parent, 6, Statut="Annulée")
    assert [a.kind for a in commands.run(context(config, clock)).done] == ["cancel"]
    [cancellation] = server.store.deliveries_to("wassissi.lalie@fsh.nc", "MeetingCancellation")
    assert cancellation.subject == TITLE  # not « Annulation – Modification – … »
    assert (f"La séance de la {COMMITTEE} prévue le jeudi 3 décembre 2026 à 9 h (Salle Niaouli) est annulée"
            in cancellation.item.body)


def test_cancelled_session_cancels_the_meeting_once_and_frees_the_room(mailbox, clock) -> None:
    server, config, kind = mailbox
    commands.run(context(config, clock))
    edit_planning(config.parent, 6, Statut="Annulée")
    server.fail_next(CANCELLATION[kind], "drop")
    report = commands.run(context(config, clock))
    assert [a.kind for a in report.done] == ["cancel"] and report.failed == []
    assert server.store.calendar(SERVICE) == []
    assert server.store.mailbox("salle.kaori@province-sud.nc").busy == []
    # the line dropped after the cancellation: the transport saw the meeting gone and did not cancel again
    assert [d.kind for d in server.store.deliveries_to("wassissi.lalie@fsh.nc")] == [
        "MeetingRequest", "MeetingCancellation"]
    # EWS: the cancellation and the update are sent without looking folders up
    assert "GetFolder" not in server.operations()


def test_busy_preferred_room_books_the_next_free_one(mailbox, clock) -> None:
    server, config, _ = mailbox
    kaori = server.store.mailbox("salle.kaori@province-sud.nc")
    kaori.busy.append((datetime(2026, 12, 2, 8, 0, tzinfo=NOUMEA), datetime(2026, 12, 2, 12, 0, tzinfo=NOUMEA),
                       "formation"))
    ctx = context(config, clock)
    commands.plan(ctx)
    assert "« Salle Kaori » est occupée ; « Salle Niaouli », libre et assez grande, sera réservée" in (
        ctx.out.getvalue())
    commands.run(context(config, clock))
    [item] = server.store.calendar(SERVICE)
    assert [p.email for p in item.resources] == ["salle.niaouli@province-sud.nc"]
    assert planning_row(config, 6)["Salle réservée"] == "Salle Niaouli"


def test_no_free_room_sends_nothing_and_says_so(mailbox, clock) -> None:
    server, config, _ = mailbox
    for email in ("salle.kaori@province-sud.nc", "salle.niaouli@province-sud.nc"):
        server.store.mailbox(email).busy.append((datetime(2026, 12, 2, 7, 0, tzinfo=NOUMEA),
                                                 datetime(2026, 12, 2, 17, 0, tzinfo=NOUMEA), "autre"))
    ctx = context(config, clock)
    commands.plan(ctx)
    assert "aucune salle libre" in ctx.out.getvalue()
    commands.run(context(config, clock))
    assert server.store.calendar(SERVICE) == [] and server.store.delivered == []
