"""The invitations automation end to end on the outbox: first sending, update, cancellation."""

from __future__ import annotations

import email
import email.policy
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import icalendar
import openpyxl
import pytest

from automations.cli import commands
from automations.documents.typography import typeset
from automations.engine.journal import Journal

from ..conftest import NOUMEA
from ..printed import NBSP
from ..service_factory import COMMITTEE, context, edit_planning, make_service, replace_member

PLANNING = Path("registres") / "Planning des instances 2026.xlsx"


def outbox(folder: Path) -> list[email.message.EmailMessage]:
    files = sorted((folder / "boite-d-envoi").glob("*/*.eml"))
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]


def calendar_of(message: email.message.EmailMessage) -> icalendar.Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_content())


def planning_row(folder: Path, row: int) -> dict[str, object]:
    ws = openpyxl.load_workbook(folder / PLANNING)["Planning 2026"]
    return {ws.cell(4, c).value: ws.cell(row, c).value for c in range(1, ws.max_column + 1)}


def run(folder: Path, clock) -> commands.RunReport:
    report = commands.run(context(folder / "config.toml", clock))
    clock.moment += timedelta(minutes=5)  # the next run happens later, as on the server
    return report


def test_first_run_sends_the_invitation_with_meeting_and_convocation(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    report = run(tmp_path, clock)
    assert [a.summary for a in report.done] == [
        "Convocation – Commission maintien dans le logement, séance du 02/12/2026"]
    [message] = outbox(tmp_path)
    assert message["Subject"] == ("Convocation – Commission maintien dans le logement – "
                                  "mercredi 2 décembre 2026 à 8 h 30")
    assert message["From"].addresses[0].addr_spec == "commissions@province-sud.nc"
    recipients = sorted(a.addr_spec for a in message["To"].addresses)
    # the member without an e-mail is left out; the room is invited as a resource
    assert recipients == ["ko.ounou@cafat.nc", "salle.kaori@province-sud.nc",
                          "therese.xowie@ville-noumea.nc", "wassissi.lalie@fsh.nc"]
    names = {a.addr_spec: a.display_name for a in message["To"].addresses}
    assert names["therese.xowie@ville-noumea.nc"] == "XOWIE Thérèse"

    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA)
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=11)
    assert event.decoded("DTEND") == datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA)
    assert event["DTSTART"].params["TZID"] == "Pacific/Noumea"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Pacific/Noumea"]
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]) == "Salle Kaori"
    assert str(event["ORGANIZER"]) == "mailto:commissions@province-sud.nc"
    roles = {str(a): (a.params["ROLE"], a.params["CUTYPE"]) for a in event["ATTENDEE"]}
    assert roles == {
        "mailto:wassissi.lalie@fsh.nc": ("REQ-PARTICIPANT", "INDIVIDUAL"),
        "mailto:therese.xowie@ville-noumea.nc": ("REQ-PARTICIPANT", "INDIVIDUAL"),
        "mailto:ko.ounou@cafat.nc": ("OPT-PARTICIPANT", "INDIVIDUAL"),
        "mailto:salle.kaori@province-sud.nc": ("NON-PARTICIPANT", "RESOURCE"),
    }

    [attachment] = [p for p in message.iter_attachments() if p.get_filename().endswith(".docx")]
    document = docx.Document(io.BytesIO(attachment.get_content()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "mercredi 2 décembre 2026" in text
    assert f"8{NBSP}h{NBSP}30" in text and f"10{NBSP}h{NBSP}30" in text
    assert "Salle Kaori" in text and "Immeuble Foch, 2e étage" in text
    assert "Point sur l'enveloppe budgétaire" in text
    assert "Nouméa, le 23 novembre 2026" in text
    table_text = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "XOWIE Thérèse" in table_text and "Suppléant" in table_text
    assert (tmp_path / "documents").rglob("*.docx")

    row = planning_row(tmp_path, 6)
    assert row["Invitations envoyées le"].date() == date(2026, 11, 23)
    # the outbox only names the room in the invitation: nothing booked it, « Salle réservée » stays empty
    assert row["Salle réservée"] is None
    assert planning_row(tmp_path, 7)["Invitations envoyées le"] is None


def test_second_run_does_nothing(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    ctx = context(tmp_path / "config.toml", clock)
    loaded = commands.load(ctx)
    with Journal(ctx.config.paths.journal) as journal:
        plans = commands.make_plans(ctx, loaded, journal, None, ctx.make_transport())
    assert [(automation.name, plan.actions) for automation, plan in plans] == [
        ("invitations", []), ("packs", []), ("minutes", []), ("followups", [])]
    report = run(tmp_path, clock)
    assert report.done == [] and len(outbox(tmp_path)) == 1


def test_changes_give_updates_then_a_cancellation(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    edit_planning(tmp_path, 6, Heure="14h")
    report = run(tmp_path, clock)
    assert [a.kind for a in report.done] == ["update"]
    edit_planning(tmp_path, 6, Date=datetime(2026, 12, 3))  # date changed in place: same meeting
    assert [a.kind for a in run(tmp_path, clock).done] == ["update"]
    edit_planning(tmp_path, 6, Statut="Annulée")
    assert [a.kind for a in run(tmp_path, clock).done] == ["cancel"]
    assert run(tmp_path, clock).done == []

    messages = outbox(tmp_path)
    assert len(messages) == 4
    events = [calendar_of(m).walk("VEVENT")[0] for m in messages]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2, 3]
    assert [calendar_of(m)["METHOD"] for m in messages] == ["REQUEST", "REQUEST", "REQUEST", "CANCEL"]
    assert events[1].decoded("DTSTART") == datetime(2026, 12, 2, 14, 0, tzinfo=NOUMEA)
    assert events[2].decoded("DTSTART") == datetime(2026, 12, 3, 14, 0, tzinfo=NOUMEA)
    assert str(events[3]["STATUS"]) == "CANCELLED"
    assert messages[1]["Subject"].startswith("Modification – Convocation")
    assert messages[3]["Subject"] == ("Annulation – Commission maintien dans le logement – "
                                      "jeudi 3 décembre 2026 à 14 h")
    assert sorted(a.addr_spec for a in messages[3]["To"].addresses) == [
        "ko.ounou@cafat.nc", "salle.kaori@province-sud.nc", "therese.xowie@ville-noumea.nc",
        "wassissi.lalie@fsh.nc"]
    assert planning_row(tmp_path, 6)["Salle réservée"] is None


NEW_MEMBER = ["NEA", "Paul", "Université", "Élu(e)", "paul.nea@unc.nc", COMMITTEE, "Titulaire"]
TITLE = f"Convocation – {COMMITTEE} – jeudi 3 décembre 2026 à 9 h"


def body_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def summary_of(message: email.message.EmailMessage) -> str:
    [event] = calendar_of(message).walk("VEVENT")
    return str(event["SUMMARY"])


def test_an_update_says_what_changed_and_the_meeting_keeps_its_title(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    edit_planning(tmp_path, 6, Date=datetime(2026, 12, 3), Heure="9h", Lieu="Salle Niaouli")
    replace_member(tmp_path, "therese.xowie@ville-noumea.nc", NEW_MEMBER)
    assert [a.kind for a in run(tmp_path, clock).done] == ["update"]
    _, *later = outbox(tmp_path)
    [update] = [m for m in later if m["Subject"].startswith("Modification")]
    [withdrawal] = [m for m in later if m is not update]
    assert update["Subject"] == f"Modification – {TITLE}"
    body = body_of(update)
    assert ("La séance a changé depuis la convocation précédente :\n"
            "- Date : mercredi 2 décembre 2026 → jeudi 3 décembre 2026\n"
            "- Heure : 8 h 30 → 9 h\n"
            "- Salle : Salle Kaori → Salle Niaouli\n"
            "- Membres ajoutés : NEA Paul\n"
            "- Membres retirés : XOWIE Thérèse\n") in body
    # the calendar keeps the meeting's name, and its description says the same as the mail
    assert summary_of(update) == TITLE
    [event] = calendar_of(update).walk("VEVENT")
    assert "- Heure : 8 h 30 → 9 h" in str(event["DESCRIPTION"])
    # the convocation itself says what it replaces
    [attachment] = [p for p in update.iter_attachments() if p.get_filename().endswith(".docx")]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(attachment.get_content())).paragraphs)
    assert typeset("Date : mercredi 2 décembre 2026 → jeudi 3 décembre 2026 ; Heure : 8 h 30 → 9 h") in text
    # the member struck off and the old room are told, without a stack of prefixes
    assert withdrawal["Subject"] == f"Annulation – {TITLE}"
    assert summary_of(withdrawal) == TITLE
    assert {a.addr_spec: a.display_name for a in withdrawal["To"].addresses} == {
        "therese.xowie@ville-noumea.nc": "XOWIE Thérèse", "salle.kaori@province-sud.nc": "Salle Kaori"}
    assert f"Votre participation à la réunion « {TITLE} » n'est plus requise" in body_of(withdrawal)
    # RFC 5546 §3.2.5: uninviting some attendees lists only them and carries no STATUS; the old room stays a
    # resource, so its mailbox frees the slot
    [withdrawn] = calendar_of(withdrawal).walk("VEVENT")
    assert calendar_of(withdrawal)["METHOD"] == "CANCEL" and "STATUS" not in withdrawn
    assert {str(a): (a.params["CUTYPE"], a.params["ROLE"]) for a in withdrawn["ATTENDEE"]} == {
        "mailto:therese.xowie@ville-noumea.nc": ("INDIVIDUAL", "REQ-PARTICIPANT"),
        "mailto:salle.kaori@province-sud.nc": ("RESOURCE", "NON-PARTICIPANT")}

    edit_planning(tmp_path, 6, Statut="Annulée")
    assert [a.kind for a in run(tmp_path, clock).done] == ["cancel"]
    cancel = outbox(tmp_path)[-1]
    assert calendar_of(cancel)["METHOD"] == "CANCEL"
    [called_off] = calendar_of(cancel).walk("VEVENT")
    assert called_off["STATUS"] == "CANCELLED"  # the whole meeting is off: RFC 5546 §3.2.5 requires it
    assert cancel["Subject"] == f"Annulation – {COMMITTEE} – jeudi 3 décembre 2026 à 9 h"
    assert summary_of(cancel) == TITLE
    assert (f"La séance de la {COMMITTEE} prévue le jeudi 3 décembre 2026 à 9 h (Salle Niaouli) est annulée"
            in body_of(cancel))


def test_a_cancellation_gives_the_meeting_as_members_have_it(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    edit_planning(tmp_path, 6, Heure="14h", Statut="Annulée")  # the time typed over as the session is called off
    assert [a.kind for a in run(tmp_path, clock).done] == ["cancel"]
    cancel = outbox(tmp_path)[-1]
    first = f"Convocation – {COMMITTEE} – mercredi 2 décembre 2026 à 8 h 30"
    assert cancel["Subject"] == f"Annulation – {COMMITTEE} – mercredi 2 décembre 2026 à 8 h 30"
    assert summary_of(cancel) == first
    [event] = calendar_of(cancel).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA)
    assert "prévue le mercredi 2 décembre 2026 à 8 h 30 (Salle Kaori) est annulée" in body_of(cancel)


def test_an_update_names_a_new_end_and_a_new_agenda(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    edit_planning(tmp_path, 6, **{"Durée (h)": 3, "Ordre du jour / observations": "Examen des dossiers"})
    run(tmp_path, clock)
    update = outbox(tmp_path)[-1]
    assert "- Fin : 10 h 30 → 11 h 30\n- Ordre du jour : modifié (voir la convocation jointe)\n" in body_of(update)
    assert "Heure :" not in body_of(update) and "Date :" not in body_of(update)
    assert summary_of(update) == f"Convocation – {COMMITTEE} – mercredi 2 décembre 2026 à 8 h 30"


def test_a_new_room_frees_the_old_one(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    run(tmp_path, clock)
    edit_planning(tmp_path, 6, Lieu="Salle Niaouli")
    report = run(tmp_path, clock)
    assert [a.kind for a in report.done] == ["update"]
    first, *later = outbox(tmp_path)
    [update] = [m for m in later if calendar_of(m)["METHOD"] == "REQUEST"]
    [withdrawal] = [m for m in later if m is not update]
    [event] = calendar_of(update).walk("VEVENT")
    assert str(event["LOCATION"]) == "Salle Niaouli"
    assert "salle.niaouli@province-sud.nc" in str(update["To"])
    assert "salle.kaori@province-sud.nc" not in str(update["To"])
    # the old room gets the cancellation, with the meeting's UID, so it is free again
    assert calendar_of(withdrawal)["METHOD"] == "CANCEL"
    assert [a.addr_spec for a in withdrawal["To"].addresses] == ["salle.kaori@province-sud.nc"]
    [cancelled] = calendar_of(withdrawal).walk("VEVENT")
    assert str(cancelled["UID"]) == str(event["UID"]) and int(cancelled["SEQUENCE"]) == 1
    assert planning_row(tmp_path, 6)["Salle réservée"] is None  # the outbox names the room, nothing booked it


def test_lock_file_defers_the_write_back_without_resending(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    lock = tmp_path / "registres" / "~$Planning des instances 2026.xlsx"
    lock.write_bytes(b"owner")
    before = (tmp_path / PLANNING).read_bytes()
    ctx = context(tmp_path / "config.toml", clock)
    report = commands.run(ctx)
    assert len(report.done) == 1 and report.written == 0
    assert report.deferred and "ouvert dans Excel" in report.deferred[0]
    assert "écriture reportée" in ctx.out.getvalue()
    assert (tmp_path / PLANNING).read_bytes() == before
    lock.unlink()
    report = run(tmp_path, clock)
    assert report.done == [] and report.written == 1
    assert planning_row(tmp_path, 6)["Invitations envoyées le"].date() == date(2026, 11, 23)
    assert len(outbox(tmp_path)) == 1


def test_session_convened_by_hand_is_not_convened_again(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    edit_planning(tmp_path, 6, **{"Invitations envoyées le": datetime(2026, 11, 20)})
    assert run(tmp_path, clock).done == []
    assert outbox(tmp_path) == []


def test_crash_between_send_and_journal_never_sends_twice(tmp_path: Path, clock, monkeypatch) -> None:
    make_service(tmp_path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies right after the mail left

    monkeypatch.setattr(Journal, "complete", crash)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, clock)
    monkeypatch.undo()
    assert len(outbox(tmp_path)) == 1
    report = run(tmp_path, clock)
    assert report.done == [] and len(report.recovered) == 1
    assert len(outbox(tmp_path)) == 1
    assert planning_row(tmp_path, 6)["Invitations envoyées le"].date() == date(2026, 11, 23)
    assert run(tmp_path, clock).recovered == []


def test_a_failed_action_is_retried_on_the_next_run(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    template = tmp_path / "modeles" / "convocation.docx"
    saved = template.read_bytes()
    template.unlink()
    ctx = context(tmp_path / "config.toml", clock)
    report = commands.run(ctx)
    assert report.done == [] and len(report.failed) == 1
    assert "Modèle introuvable" in report.failed[0][1]
    assert "nouvel essai au prochain passage" in ctx.out.getvalue()
    assert commands.run_exit_code(report) == 1
    template.write_bytes(saved)
    report = run(tmp_path, clock)
    assert len(report.done) == 1 and len(outbox(tmp_path)) == 1


def test_invitation_waits_for_the_lead_time(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    clock.moment = datetime(2026, 11, 16, 7, 30, tzinfo=NOUMEA)  # 16 days before: too early
    assert run(tmp_path, clock).done == []
    clock.moment = datetime(2026, 11, 17, 7, 30, tzinfo=NOUMEA)  # 15 days before
    assert len(run(tmp_path, clock).done) == 1


def busy_rooms(*emails: str):
    from automations.transports.memory import MemoryTransport

    transport = MemoryTransport()
    for email_address in emails:
        transport.busy[email_address] = [(datetime(2026, 12, 2, 8, 0, tzinfo=NOUMEA),
                                          datetime(2026, 12, 2, 12, 0, tzinfo=NOUMEA))]
    return transport


def test_a_busy_room_gives_the_next_free_room_big_enough(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    ctx = context(tmp_path / "config.toml", clock)
    transport = busy_rooms("salle.kaori@province-sud.nc")
    ctx.transport_factory = lambda _: transport
    report = commands.run(ctx)
    [meeting] = transport.sent
    assert meeting.location == "Salle Niaouli" and meeting.room.email == "salle.niaouli@province-sud.nc"
    assert len(report.done) == 1
    assert planning_row(tmp_path, 6)["Salle réservée"] == "Salle Niaouli"
    # our own booking does not make the room look busy on the next run
    transport.busy["salle.niaouli@province-sud.nc"] = transport.busy["salle.kaori@province-sud.nc"]
    assert commands.run(ctx).done == []


def test_no_free_room_sends_nothing_and_says_so(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    ctx = context(tmp_path / "config.toml", clock)
    transport = busy_rooms("salle.kaori@province-sud.nc", "salle.niaouli@province-sud.nc")
    ctx.transport_factory = lambda _: transport
    commands.plan(ctx)
    assert ("aucune salle libre assez grande sur ce créneau (« Salle Kaori » est occupée) ; convocation non "
            "envoyée") in ctx.out.getvalue()
    assert commands.run(ctx).done == [] and transport.sent == []
