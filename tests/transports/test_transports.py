"""One contract every transport passes; then what the outbox writes, read as a mail client would."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import datetime, timedelta
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest

from automations.transports import BACKENDS, Address, Attachment, Mail, Meeting, Transport

from ..conftest import NOUMEA
from ..ews.server import PASSWORD as EWS_PASSWORD
from ..ews.server import ews_server
from ..graph.server import CLIENT_SECRET as GRAPH_SECRET
from ..graph.server import graph_server
from ..smtp_server import PASSWORD, smtp_server

STAMP = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
ORGANIZER = Address("commissions@province-sud.nc", "Service accompagnement social")


def mail(delivery_id: str = "test/mail#0") -> Mail:
    return Mail(delivery_id=delivery_id, subject="Décision de la commission – réponse",
                sender=ORGANIZER, to=(Address("therese.xowie@ville-noumea.nc", "XOWIE Thérèse"),),
                body_text="Madame,\nVotre demande a été examinée.",
                attachments=(Attachment("Lettre été.docx", b"PK\x03\x04 docx", "application/vnd.openxmlformats-"
                                        "officedocument.wordprocessingml.document"),))


def meeting(delivery_id: str = "invitation/x/2026-12-02#0", method: str = "REQUEST") -> Meeting:
    return Meeting(delivery_id=delivery_id, uid="invitation-x@province-sud.nc", sequence=0, method=method,
                   subject="Convocation – Commission – mercredi 2 décembre 2026 à 8 h 30",
                   start=datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA), end=datetime(2026, 12, 2, 10, 30, tzinfo=NOUMEA),
                   location="Salle Kaori", organizer=ORGANIZER,
                   required=(Address("wassissi.lalie@fsh.nc", "LALIE Wassissi"),),
                   optional=(Address("ko.ounou@cafat.nc", "OUNOU Ko"),),
                   room=Address("salle.kaori@province-sud.nc", "Salle Kaori"),
                   body_text="Vous êtes convoqués.", stamp=STAMP)


@pytest.fixture(params=sorted(BACKENDS))
def transport(request, tmp_path: Path, monkeypatch) -> Iterator[Transport]:
    if request.param == "exchange":
        monkeypatch.setenv("EWS_TEST_PASSWORD", EWS_PASSWORD)
        with ews_server(tmp_path) as server:
            server.store.add_mailbox("salle.kaori@province-sud.nc", "Salle Kaori", room=True, capacity=20)
            transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=lambda: STAMP)
            yield transport
            transport.close()
        return
    if request.param == "graph":
        monkeypatch.setenv("GRAPH_TEST_SECRET", GRAPH_SECRET)
        with graph_server(tmp_path) as server:
            server.store.add_mailbox("salle.kaori@province-sud.nc", "Salle Kaori", room=True, capacity=20)
            transport = BACKENDS["graph"](server.settings(), base=tmp_path, now=lambda: STAMP)
            yield transport
            transport.close()
        return
    if request.param != "smtp":
        yield BACKENDS[request.param]({}, base=tmp_path, now=lambda: STAMP)
        return
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        yield transport
        transport.close()


def test_contract_lookup_finds_what_was_sent(transport: Transport) -> None:
    assert transport.lookup("test/mail#0") is None
    sent = transport.send_mail(mail())
    assert transport.lookup("test/mail#0").reference == sent.reference
    assert transport.lookup("test/mail#1") is None
    invited = transport.send_meeting(meeting())
    assert transport.lookup("invitation/x/2026-12-02#0").reference == invited.reference
    assert sent.reference != invited.reference


def test_contract_free_room_without_free_busy_is_the_first(transport: Transport) -> None:
    from automations.transports import RoomChoice

    rooms = [RoomChoice("Salle Kaori", "salle.kaori@province-sud.nc", 20), RoomChoice("Salle Niaouli", None, 12)]
    end = STAMP + timedelta(hours=2)
    assert transport.free_room(rooms, STAMP, end).name == "Salle Kaori"
    assert transport.free_room([], STAMP, end) is None


def read(path: str) -> email.message.EmailMessage:
    return email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)


def test_outbox_mail_is_a_valid_utf8_message(tmp_path: Path) -> None:
    outbox = BACKENDS["outbox"]({"folder": "envois"}, base=tmp_path, now=lambda: STAMP)
    delivered = outbox.send_mail(mail())
    assert Path(delivered.reference).parent == tmp_path / "envois" / "2026-11-23"
    message = read(delivered.reference)
    assert message["Subject"] == "Décision de la commission – réponse"
    assert message["To"].addresses[0].display_name == "XOWIE Thérèse"
    assert message["Date"].datetime == STAMP
    assert message["X-Commission-Key"] == "test/mail#0"
    assert message.get_body(("plain",)).get_content().startswith("Madame,")
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "Lettre été.docx"
    assert attachment.get_content() == b"PK\x03\x04 docx"
    raw = Path(delivered.reference).read_bytes()
    assert raw.isascii()  # headers are RFC 2047-encoded, bodies transfer-encoded
    assert not list((tmp_path / "envois").rglob(".*.tmp"))


def test_outbox_meeting_is_an_imip_request(tmp_path: Path) -> None:
    outbox = BACKENDS["outbox"]({}, base=tmp_path, now=lambda: STAMP)
    message = read(outbox.send_meeting(meeting()).reference)
    assert message.get_content_type() == "multipart/mixed"
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "invitation-x@province-sud.nc"
    assert event.decoded("DTSTAMP") == STAMP
    assert [str(a) for a in event["ATTENDEE"]] == [
        "mailto:wassissi.lalie@fsh.nc", "mailto:ko.ounou@cafat.nc", "mailto:salle.kaori@province-sud.nc"]
    assert sorted(a.addr_spec for a in message["To"].addresses) == [
        "ko.ounou@cafat.nc", "salle.kaori@province-sud.nc", "wassissi.lalie@fsh.nc"]


def test_outbox_cancellation(tmp_path: Path) -> None:
    outbox = BACKENDS["outbox"]({}, base=tmp_path, now=lambda: STAMP)
    message = read(outbox.send_meeting(meeting("invitation/x/2026-12-02#1", "CANCEL")).reference)
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "CANCEL"
    [event] = icalendar.Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def calendar_parts(message: email.message.EmailMessage) -> tuple[str, icalendar.Event]:
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")
    return calendar_part.get_param("method"), event


def updated(**changes: object) -> Meeting:
    """The meeting's first update: its mail says « Modification – », a member was struck off."""
    return replace(meeting("invitation/x/2026-12-02#1"), sequence=1, title=meeting().subject,
                   subject=f"Modification – {meeting().subject}",
                   removed=(Address("therese.xowie@ville-noumea.nc", "XOWIE Thérèse"),), **changes)


def test_outbox_update_keeps_the_meeting_title_and_withdraws_without_stacking(tmp_path: Path) -> None:
    outbox = BACKENDS["outbox"]({}, base=tmp_path, now=lambda: STAMP)
    request = read(outbox.send_meeting(updated()).reference)
    [withdrawal] = [read(str(f)) for f in tmp_path.rglob("*.eml") if str(f) != str(outbox.lookup(
        "invitation/x/2026-12-02#1").reference)]
    title = "Convocation – Commission – mercredi 2 décembre 2026 à 8 h 30"
    assert request["Subject"] == f"Modification – {title}"
    method, event = calendar_parts(request)
    assert (method, str(event["SUMMARY"])) == ("REQUEST", title)
    assert withdrawal["Subject"] == f"Annulation – {title}"
    assert [a.addr_spec for a in withdrawal["To"].addresses] == ["therese.xowie@ville-noumea.nc"]
    method, event = calendar_parts(withdrawal)
    assert (method, str(event["SUMMARY"])) == ("CANCEL", title)
    assert f"Votre participation à la réunion « {title} » n'est plus requise" in str(event["DESCRIPTION"])


def test_outbox_settings_are_checked() -> None:
    check = BACKENDS["outbox"].check_settings
    assert check({"folder": "envois"}) == []
    assert check({"dossier": "x", "folder": 3}) == [
        "dossier : clé inconnue pour le transport « outbox »", "folder : un chemin de dossier (texte) est attendu"]


def test_pilot_mode_redirects_everything_to_one_address(tmp_path: Path) -> None:
    from automations.transports.guard import GuardedTransport

    inner = BACKENDS["outbox"]({}, base=tmp_path, now=lambda: STAMP)
    guarded = GuardedTransport(inner, pilot_address="pilote@province-sud.nc")
    message = read(guarded.send_meeting(meeting()).reference)
    assert [a.addr_spec for a in message["To"].addresses] == ["pilote@province-sud.nc"]
    assert message["Subject"].startswith("[PILOTE] Convocation")
    body = message.get_body(("plain",)).get_content()
    assert body.startswith("[Mode pilote] Destinataires réels : wassissi.lalie@fsh.nc, ko.ounou@cafat.nc, "
                           "salle.kaori@province-sud.nc")
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    [event] = icalendar.Calendar.from_ical(calendar_part.get_content()).walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:pilote@province-sud.nc"  # one attendee: not a list
    assert guarded.lookup("invitation/x/2026-12-02#0") is not None
    # a member struck off by an update is not written to in pilot mode; the pilot gets the update alone
    guarded.send_meeting(updated())
    sent = [read(str(f)) for f in sorted(tmp_path.rglob("*.eml"))]
    assert {a.addr_spec for m in sent for a in m["To"].addresses} == {"pilote@province-sud.nc"}
    assert [m["Subject"] for m in sent if "Modification" in m["Subject"]] == [
        "[PILOTE] Modification – Convocation – Commission – mercredi 2 décembre 2026 à 8 h 30"]
    assert len(sent) == 2


def test_allowed_domains_block_an_unexpected_recipient(tmp_path: Path) -> None:
    from automations.errors import TransportError
    from automations.transports.guard import GuardedTransport

    inner = BACKENDS["memory"]({}, base=tmp_path, now=lambda: STAMP)
    guarded = GuardedTransport(inner, allowed_domains=["province-sud.nc", "fsh.nc"])
    with pytest.raises(TransportError) as caught:
        guarded.send_meeting(meeting())
    assert caught.value.message == ("envoi bloqué : 1 destinataire hors des domaines autorisés "
                                    "(province-sud.nc, fsh.nc) : ko.ounou@cafat.nc")
    assert inner.sent == []
    guarded = GuardedTransport(inner, allowed_domains=["province-sud.nc", "fsh.nc", "cafat.nc"])
    with pytest.raises(TransportError) as caught:  # a struck-off member is written to as well
        guarded.send_meeting(updated())
    assert caught.value.message.endswith(" : therese.xowie@ville-noumea.nc")
    assert inner.sent == []
    guarded.send_meeting(meeting())
    assert len(inner.sent) == 1


def test_mime_refuses_an_accented_address_rather_than_encoding_it() -> None:
    from dataclasses import replace

    from automations.errors import TransportError
    from automations.transports.mime import as_bytes, mail_message

    for bad in ("élodie.wamo@mairie.nc", "jean wamo@mairie.nc"):
        with pytest.raises(TransportError) as caught:
            mail_message(replace(mail(), to=(Address(bad, "Élodie WAMO"),)), STAMP)
        assert caught.value.message.startswith("adresse e-mail invalide en « À » (")
        assert "rien n'est envoyé" in caught.value.message and bad not in caught.value.message
    # an accented display name is encoded, the address beside it stays plain ASCII
    raw = as_bytes(mail_message(replace(mail(), to=(Address("elodie.wamo@mairie.nc", "Élodie WAMO"),)), STAMP))
    [to_line] = [line for line in raw.split(b"\r\n") if line.startswith(b"To: ")]
    assert to_line == b"To: =?utf-8?q?=C3=89lodie?= WAMO <elodie.wamo@mairie.nc>"
    # a domain with accents goes as IDNA, never as an encoded word
    raw = as_bytes(mail_message(replace(mail(), to=(Address("accueil@mairie-dumbéa.nc", "Accueil"),)), STAMP))
    assert b"To: Accueil <accueil@xn--mairie-dumba-leb.nc>\r\n" in raw and b"=?utf-8?" not in raw.split(b"To: ")[1][:60]


def test_the_guard_refuses_an_accented_address_for_every_transport(tmp_path: Path) -> None:
    from dataclasses import replace

    from automations.errors import TransportError
    from automations.transports.guard import GuardedTransport

    inner = BACKENDS["memory"]({}, base=tmp_path, now=lambda: STAMP)  # Exchange and Graph write no MIME
    guarded = GuardedTransport(inner)
    with pytest.raises(TransportError) as caught:
        guarded.send_meeting(replace(meeting(), optional=(Address("ko.óunou@cafat.nc", "OUNOU Ko"),)))
    assert caught.value.message.startswith("adresse e-mail invalide en « Facultatif » (accents")
    with pytest.raises(TransportError):
        guarded.send_mail(replace(mail(), sender=Address("commissions@province sud.nc")))
    assert inner.sent == []
    guarded.send_mail(replace(mail(), to=(Address("accueil@mairie-dumbéa.nc"),)))
    assert inner.sent[-1].to[0].email == "accueil@xn--mairie-dumba-leb.nc"
    # the allow-list names the domain as staff write it
    allowing = GuardedTransport(inner, allowed_domains=["province-sud.nc", "mairie-dumbéa.nc"])
    allowing.send_mail(replace(mail(), to=(Address("accueil@mairie-dumbéa.nc"),)))
    assert len(inner.sent) == 2
