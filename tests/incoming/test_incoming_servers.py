"""Incoming mail through the service's own mailbox, end to end: Exchange (EWS, through exchangelib) and
Microsoft 365 (Graph) test servers hold the mail; a run registers it in the register, files its attachment
under its number and sets the category « Enregistré » on the server; a second run is idle."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ..conftest import NOUMEA
from ..ews.server import PASSWORD, ews_server
from ..graph.server import CLIENT_SECRET, SERVICE, graph_server
from ..transports.inbox_mails import categories
from ..transports.test_exchange import exchange_config
from .mails import mail
from .service import files_under, registered, run, service

RECEIVED = datetime(2026, 11, 20, 8, 15, tzinfo=NOUMEA)


@pytest.fixture(params=["exchange", "graph"])
def mailbox(request, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    starter = ews_server if request.param == "exchange" else graph_server
    (tmp_path / "serveur").mkdir()
    with starter(tmp_path / "serveur") as server:
        config = service(tmp_path / "service", 'folder = "À enregistrer"\n')
        exchange_config(config, server.settings(), kind=request.param)
        yield server, config


def test_the_mailbox_folder_is_registered_and_marked_on_the_server(mailbox) -> None:
    server, config = mailbox
    folder = server.store.add_folder(SERVICE, "À enregistrer", parent="inbox")
    ids = [server.store.deliver_mime(SERVICE, mail("<pj@cafat.nc>", subject="Attestation de droits",
                                                   attachments=[("attestation.pdf", b"%PDF-1.4 droits")]),
                                     RECEIVED, folder=folder).item_id,
           server.store.deliver_mime(SERVICE, mail("<arrete@we.nc>", subject="Arrêté municipal"),
                                     RECEIVED.replace(hour=9), folder=folder).item_id]
    # a mail left in the inbox is not the folder staff named: not registered
    other = server.store.deliver_mime(SERVICE, mail("<autre@opt.nc>"), RECEIVED).item_id

    out = run(config.parent / "config.toml")

    rows = registered(config.parent)
    assert [(r["N° d'enregistrement"], r["Objet"]) for r in rows] == [
        ("A2026-0009", "Attestation de droits"), ("A2026-0010", "Arrêté municipal")]
    assert rows[0]["Date"] == datetime(2026, 11, 20)
    assert files_under(config.parent / "documents" / "Courrier arrivé") == ["A2026-0009/attestation.pdf"]
    assert [categories(server.store, i) for i in ids] == [["Enregistré"], ["Enregistré"]]
    assert categories(server.store, other) == []
    assert "✗" not in out
    # the next run: nothing new, nothing written, nothing marked again
    again = run(config.parent / "config.toml", minute=5)
    assert len(registered(config.parent)) == 2 and "enregistré :" not in again


def test_an_imap_mailbox_beside_smtp_is_registered_and_its_mails_get_the_keyword(tmp_path: Path,
                                                                                  monkeypatch) -> None:
    from ..imap_server import PASSWORD as IMAP_PASSWORD
    from ..imap_server import imap_server
    from ..transports.test_smtp import smtp_config
    from automations.transports.imap_inbox import KEYWORD

    monkeypatch.setenv("IMAP_TEST_PASSWORD", IMAP_PASSWORD)
    monkeypatch.setenv("SMTP_TEST_PASSWORD", "inutile : rien n'est envoyé")
    (tmp_path / "serveur").mkdir()
    with imap_server(tmp_path / "serveur") as server:
        config = service(tmp_path / "service")
        smtp_config(config, server.settings())
        first = server.append(mail("<imap-1@cafat.nc>", subject="Relevé de situation",
                                   attachments=[("releve.pdf", b"%PDF-1.4 releve")]), RECEIVED)
        second = server.append(mail("<imap-2@we.nc>", subject="Demande de rendez-vous"), RECEIVED.replace(hour=9))

        out = run(config)

        rows = registered(config.parent)
        assert [(r["N° d'enregistrement"], r["Objet"], r["Date"]) for r in rows] == [
            ("A2026-0009", "Relevé de situation", datetime(2026, 11, 20)),
            ("A2026-0010", "Demande de rendez-vous", datetime(2026, 11, 20))]
        assert files_under(config.parent / "documents" / "Courrier arrivé") == ["A2026-0009/releve.pdf"]
        assert server.flags() == {first: [KEYWORD], second: [KEYWORD]} and "✗" not in out
        again = run(config, minute=5)
        assert len(registered(config.parent)) == 2 and "enregistré :" not in again
