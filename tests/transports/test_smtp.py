"""The smtp transport against a real SMTP server (aiosmtpd), with TLS and login."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from automations.cli import commands
from automations.errors import TransportError
from automations.transports import BACKENDS

from ..service_factory import COMMITTEE, context, edit_planning, make_service, replace_member
from ..smtp_server import PASSWORD, USER, smtp_server
from ..convocations.test_invitations import NEW_MEMBER, TITLE, body_of, summary_of
from .test_transports import STAMP, mail, meeting


def smtp_config(config: Path, settings: dict[str, object]) -> None:
    lines = [f"{key} = {value!r}".replace("'", '"') for key, value in settings.items()]
    text = config.read_text(encoding="utf-8").replace(
        'kind = "outbox"\nfolder = "boite-d-envoi"', 'kind = "smtp"\n' + "\n".join(lines))
    text = text.replace('\ninbox = "boite-de-reception"', "")  # the demo's inbox folder: an outbox key
    config.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_invitation_arrives_as_an_outlook_meeting(tmp_path: Path, clock, monkeypatch, security: str) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    config = make_service(tmp_path / "service")
    with smtp_server(tmp_path, security) as server:
        smtp_config(config, server.settings())
        ctx = context(config, clock)
        assert commands.check(ctx) == 1  # registers of applications are missing, the transport is fine
        assert f"Envois : serveur SMTP 127.0.0.1:{server.port} joignable, connexion de {USER} acceptée" in (
            ctx.out.getvalue())
        report = commands.run(context(config, clock))
        assert len(report.done) == 1
        [received] = server.inbox.received
    assert server.inbox.logins and set(server.inbox.logins) == {USER}
    assert received.mail_from == "commissions@province-sud.nc"
    assert sorted(received.rcpt_tos) == ["ko.ounou@cafat.nc", "salle.kaori@province-sud.nc",
                                         "therese.xowie@ville-noumea.nc", "wassissi.lalie@fsh.nc"]
    message = received.message
    assert message["Subject"] == ("Convocation – Commission maintien dans le logement – "
                                  "mercredi 2 décembre 2026 à 8 h 30")
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    [event] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:commissions@province-sud.nc"
    assert [a.get_filename() for a in message.iter_attachments()] == [
        "Convocation Commission maintien dans le logement 02-12-2026.docx"]


def test_an_update_says_what_changed_and_the_meeting_keeps_its_title(tmp_path: Path, clock, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    config = make_service(tmp_path / "service")
    with smtp_server(tmp_path) as server:
        smtp_config(config, server.settings())
        commands.run(context(config, clock))
        edit_planning(config.parent, 6, Date=datetime(2026, 12, 3), Heure="9h", Lieu="Salle Niaouli")
        replace_member(config.parent, "therese.xowie@ville-noumea.nc", NEW_MEMBER)
        clock.moment += timedelta(minutes=5)
        assert [a.kind for a in commands.run(context(config, clock)).done] == ["update"]
        edit_planning(config.parent, 6, Statut="Annulée")
        clock.moment += timedelta(minutes=5)
        assert [a.kind for a in commands.run(context(config, clock)).done] == ["cancel"]
    _, withdrawal, update, cancel = [r.message for r in server.inbox.received]
    assert update["Subject"] == f"Modification – {TITLE}" and summary_of(update) == TITLE
    assert ("- Date : mercredi 2 décembre 2026 → jeudi 3 décembre 2026\n- Heure : 8 h 30 → 9 h\n"
            "- Salle : Salle Kaori → Salle Niaouli\n- Membres ajoutés : NEA Paul\n"
            "- Membres retirés : XOWIE Thérèse\n") in body_of(update)
    assert withdrawal["Subject"] == f"Annulation – {TITLE}" and summary_of(withdrawal) == TITLE
    assert cancel["Subject"] == f"Annulation – {COMMITTEE} – jeudi 3 décembre 2026 à 9 h"
    assert summary_of(cancel) == TITLE
    [part] = [p for p in cancel.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "CANCEL"


def test_a_resend_after_a_crash_is_found_in_the_sent_log(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        delivered = transport.send_meeting(meeting())
        transport.close()
        # a new process, as after a crash: it reads the log the first one kept
        again = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        assert again.lookup("invitation/x/2026-12-02#0").reference == delivered.reference
        assert len(server.inbox.received) == 1
    assert delivered.reference == str(server.inbox.received[0].message["Message-ID"])


def test_a_mail_refused_at_its_end_is_marked_and_sent_again_later(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    with smtp_server(tmp_path) as server:
        accept = server.inbox.handle_DATA

        async def refuse(*args: object) -> str:
            return "554 5.7.1 Message refusé"

        server.inbox.handle_DATA = refuse  # type: ignore[method-assign]
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError):
            transport.send_mail(mail())
        # the log said the mail was ending, then that the server did not take it
        states = [line.split("\t")[3:] for line in (tmp_path / "smtp-envois.log").read_text("utf-8").splitlines()]
        assert states == [["fin en cours"], ["non remis"]]
        assert transport.lookup("test/mail#0") is None
        transport.close()  # the server reads its hooks once per connection
        server.inbox.handle_DATA = accept  # type: ignore[method-assign]
        delivered = transport.send_mail(mail())
        transport.close()
    assert [str(r.message["Message-ID"]) for r in server.inbox.received] == [delivered.reference]
    assert transport.lookup("test/mail#0") == delivered


def test_a_mail_whose_process_died_at_its_end_is_not_sent_again(tmp_path: Path, monkeypatch) -> None:
    """The sent log's last word on a mail is « fin en cours »: the process died once the whole mail was on the
    wire, when the server may have it (the crash matrix kills a real run there)."""
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    (tmp_path / "smtp-envois.log").write_text(
        "test/mail#0\t<a1b2@province-sud.nc>\t2026-11-23T07:30:00+11:00\tfin en cours\n", encoding="utf-8")
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        assert transport.lookup("test/mail#0").reference == "<a1b2@province-sud.nc>"
        assert transport.lookup("test/autre#0") is None
    assert server.inbox.received == []


def test_wrong_password_is_reported_in_french(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", "faux")
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError) as caught:
            transport.send_meeting(meeting())
    assert caught.value.message.startswith(f"SMTP : le serveur 127.0.0.1 refuse l'identifiant « {USER} » (code 535)")
    assert "faux" not in caught.value.message
    assert server.inbox.received == []


@pytest.mark.usefixtures("keyring_file")  # the message says the keyring lacks it: a known, empty one
def test_missing_password_variable(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SMTP_TEST_PASSWORD", raising=False)
    with smtp_server(tmp_path) as server:
        transport = BACKENDS["smtp"](server.settings(), base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError) as caught:
            transport.verify()
    assert "ni la variable d'environnement « SMTP_TEST_PASSWORD » ni le trousseau du système" in caught.value.message


def test_certificate_is_verified(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    with smtp_server(tmp_path) as server:
        settings = server.settings()
        del settings["ca_file"]  # the test authority is unknown to the system
        transport = BACKENDS["smtp"](settings, base=tmp_path, now=lambda: STAMP)
        with pytest.raises(TransportError) as caught:
            transport.verify()
    assert caught.value.message.startswith("SMTP : connexion chiffrée impossible avec 127.0.0.1:")


def test_unreachable_server_is_retried_then_reported(tmp_path: Path, monkeypatch) -> None:
    from ..smtp_server import free_port

    monkeypatch.setenv("SMTP_TEST_PASSWORD", PASSWORD)
    monkeypatch.setattr("time.sleep", lambda seconds: None)
    settings = {"host": "127.0.0.1", "port": free_port(), "security": "starttls", "retries": 3, "timeout": 2}
    transport = BACKENDS["smtp"](settings, base=tmp_path, now=lambda: STAMP)
    with pytest.raises(TransportError) as caught:
        transport.send_meeting(meeting())
    assert "injoignable après 3 essais" in caught.value.message
    assert transport.lookup("invitation/x/2026-12-02#0") is None


def test_smtp_settings_are_checked() -> None:
    check = BACKENDS["smtp"].check_settings
    assert check({"host": "smtp.province-sud.nc"}) == []
    assert check({"security": "tls", "username": "x", "mot": 1}) == [
        "mot : clé inconnue pour le transport « smtp »",
        "host : nom du serveur SMTP obligatoire (par exemple « smtp.province-sud.nc »)",
        "security : « tls » inconnu (au choix : starttls, ssl, none)",
        "password_env : indiquez la variable d'environnement qui contient le mot de passe"]


def test_check_reports_an_unreachable_transport(tmp_path: Path, clock, monkeypatch) -> None:
    from ..smtp_server import free_port

    monkeypatch.setattr("time.sleep", lambda seconds: None)
    config = make_service(tmp_path)
    smtp_config(config, {"host": "127.0.0.1", "port": free_port(), "retries": 1})
    ctx = context(config, clock)
    assert commands.check(ctx) == 1
    assert "Envois : ✗ SMTP : serveur 127.0.0.1:" in ctx.out.getvalue()
    assert isinstance(ctx.out, io.StringIO)
