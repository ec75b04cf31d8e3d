"""The smtp transport's inbox read over IMAP, against a real IMAP server (Twisted's) with TLS and login."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from automations.errors import TransportError
from automations.transports import BACKENDS
from automations.transports.imap_inbox import KEYWORD, folder_name

from ..imap_server import PASSWORD, imap_server
from ..smtp_server import PASSWORD as SMTP_PASSWORD
from ..smtp_server import smtp_server

NOUMEA = ZoneInfo("Pacific/Noumea")
ARRIVED = datetime(2026, 11, 23, 8, 0, tzinfo=NOUMEA)
TO_REGISTER = "À enregistrer"


def eml(n: int) -> bytes:
    # CRLF as on the wire, an accent in the subject and the body: the bytes must come back unchanged
    return (f"From: =?utf-8?q?Usager_n=C2=B0{n}?= <usager{n}@example.nc>\r\n"
            f"To: commissions@province-sud.nc\r\nSubject: =?utf-8?q?Demande_d=27aide_n=C2=B0{n}?=\r\n"
            f"Message-ID: <demande-{n}@example.nc>\r\nDate: Mon, 23 Nov 2026 08:{n:02d}:00 +1100\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            f"Bonjour,\r\nveuillez trouver ma demande n° {n}.\r\n").encode("utf-8")


def transport(server, tmp_path: Path, **overrides: object):
    return BACKENDS["smtp"](server.settings(**overrides), base=tmp_path, now=lambda: ARRIVED)


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_TEST_PASSWORD", PASSWORD)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_new_mails_come_oldest_first_and_a_marked_one_is_not_read_again(tmp_path: Path, security: str) -> None:
    with imap_server(tmp_path, security) as server:
        uids = [server.append(eml(n), ARRIVED + timedelta(minutes=n)) for n in range(1, 12)]
        server.append(eml(12), ARRIVED, folder=TO_REGISTER)
        inbox = transport(server, tmp_path).inbox()
        validity = server.validity()
        mails = inbox.new_mails(50)
        assert [m.raw for m in mails] == [eml(n) for n in range(1, 12)]
        assert [m.reference for m in mails] == [f"{validity}:{uid}" for uid in uids]
        assert mails[0].received == ARRIVED + timedelta(minutes=1)
        assert inbox.new_mails(3) == mails[:3]
        inbox.mark(mails[0], "A2026-0901")
        inbox.mark(mails[0], "A2026-0901")  # a rerun after a crash marks again: harmless
        inbox.close()
        flags = server.flags()
        assert flags[uids[0]] == [KEYWORD] and all(flags[uid] == [] for uid in uids[1:])
        # read without being marked « \Seen »: staff still see the mail as unread in Outlook
        again = transport(server, tmp_path).inbox()
        assert [m.raw for m in again.new_mails(50)] == [eml(n) for n in range(2, 12)]
        again.close()


def test_a_folder_with_an_accent_is_read(tmp_path: Path) -> None:
    assert folder_name(TO_REGISTER) == b'"&AMA- enregistrer"'
    with imap_server(tmp_path) as server:
        server.append(eml(1), ARRIVED)
        server.append(eml(12), ARRIVED, folder=TO_REGISTER)
        inbox = transport(server, tmp_path).inbox(TO_REGISTER)
        [mail] = inbox.new_mails(10)
        inbox.mark(mail, "A2026-0901")
        assert inbox.new_mails(10) == []
        inbox.close()
        assert mail.raw == eml(12) and server.flags(TO_REGISTER) == {1: [KEYWORD]} and server.flags() == {1: []}


@pytest.mark.parametrize("move", [True, False], ids=["move", "copy"])
def test_a_server_that_does_not_keep_keywords_gets_the_mail_moved(tmp_path: Path, move: bool) -> None:
    with imap_server(tmp_path, keywords=False, move=move) as server:
        for n in (1, 2, 3):
            server.append(eml(n), ARRIVED + timedelta(minutes=n))
        inbox = transport(server, tmp_path).inbox()
        first, second, third = inbox.new_mails(10)
        inbox.mark(first, "A2026-0901")
        inbox.mark(second, "A2026-0902")
        inbox.mark(second, "A2026-0902")
        assert inbox.new_mails(10) == [third]
        inbox.close()
        assert server.raw("Enregistrés") == [eml(1), eml(2)]
        left = {uid: flags for uid, flags in server.flags().items() if "\\Deleted" not in flags}
        assert left == {3: []}


def test_a_wrong_password_is_said_in_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_TEST_PASSWORD", "pas le bon")
    with imap_server(tmp_path) as server:
        inbox = transport(server, tmp_path).inbox()
        with pytest.raises(TransportError) as refused:
            inbox.new_mails(10)
    assert str(refused.value) == ("IMAP : le serveur 127.0.0.1 refuse l'identifiant « commissions@province-sud.nc » "
                                  "(LOGIN failed) ; vérifiez l'identifiant et le mot de passe de la variable "
                                  "« IMAP_TEST_PASSWORD ».")


def test_a_certificate_from_another_authority_is_refused(tmp_path: Path) -> None:
    with imap_server(tmp_path) as server:
        inbox = transport(server, tmp_path, ca_file=None).inbox()
        with pytest.raises(TransportError, match=r"^IMAP : connexion chiffrée impossible avec 127\.0\.0\.1:\d+ "
                                                 r"\(CERTIFICATE_VERIFY_FAILED\)"):
            inbox.new_mails(10)


def test_an_unreachable_server_and_a_missing_folder(tmp_path: Path) -> None:
    with imap_server(tmp_path) as server:
        port = server.port
        missing = transport(server, tmp_path).inbox("Courrier scanné")
        with pytest.raises(TransportError) as unknown:
            missing.new_mails(10)
    assert str(unknown.value).startswith("IMAP : le dossier « Courrier scanné » est introuvable dans la boîte de "
                                         "commissions@province-sud.nc")
    gone = transport(server, tmp_path).inbox()
    with pytest.raises(TransportError, match=rf"^IMAP : serveur 127\.0\.0\.1:{port} injoignable .*; nouvel essai "
                                             "au prochain passage\\.$"):
        gone.new_mails(10)


def test_no_imap_host_no_inbox_and_check_reads_the_keys(tmp_path: Path) -> None:
    smtp = BACKENDS["smtp"]
    assert smtp({"host": "smtp.province-sud.nc"}, base=tmp_path, now=lambda: ARRIVED).inbox() is None
    assert smtp.check_settings({"host": "smtp.province-sud.nc", "imap_host": "imap.province-sud.nc",
                                "imap_security": "none", "imap_port": "993"}) == [
        "imap_security : « none » (mot de passe en clair) n'est accepté que pour un serveur sur cette machine "
        "(127.0.0.1) ; choisissez « ssl » ou « starttls »",
        "imap_port : un nombre entier est attendu",
        "imap_username : indiquez le compte de la boîte de réception",
        "imap_password_env : indiquez le NOM de la variable qui contient le mot de passe IMAP"]
    assert smtp.check_settings({"host": "smtp.province-sud.nc", "username": "commissions@province-sud.nc",
                                "password_env": "SMTP_MDP", "imap_host": "imap.province-sud.nc"}) == []
    assert smtp.check_settings({"host": "smtp.province-sud.nc", "imap_port": 993}) == [
        "imap_port : sans imap_host, la boîte de réception n'est pas lue"]


def test_check_opens_the_mailbox_beside_the_smtp_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_TEST_PASSWORD", SMTP_PASSWORD)
    with smtp_server(tmp_path) as smtp, imap_server(tmp_path) as server:
        # one file with both test authorities, as a service's private authority signs both of its servers
        bundle = tmp_path / "autorites.pem"
        bundle.write_bytes(smtp.ca_file.read_bytes() + server.ca_file.read_bytes())
        said = transport(server, tmp_path, **smtp.settings(ca_file=str(bundle))).verify()
    assert said == (f"serveur SMTP 127.0.0.1:{smtp.port} joignable, connexion de commissions@province-sud.nc "
                    f"acceptée ; boîte IMAP de commissions@province-sud.nc ouverte sur 127.0.0.1:{server.port} "
                    "(dossier INBOX)")


def test_a_password_with_accents_logs_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # IMAP's LOGIN takes ASCII only: the password goes through AUTHENTICATE PLAIN, in UTF-8
    monkeypatch.setenv("IMAP_TEST_PASSWORD", "Sécurité-2026")
    with imap_server(tmp_path, password="Sécurité-2026") as server:
        server.append(eml(1), ARRIVED)
        inbox = transport(server, tmp_path).inbox()
        assert [m.raw for m in inbox.new_mails(10)] == [eml(1)]
        inbox.close()
