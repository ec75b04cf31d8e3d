"""The Microsoft 365 mailbox as a source of incoming mail, against the Graph test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.errors import TransportError
from automations.transports import BACKENDS
from automations.transports.inbox import IncomingMail

from ..graph.server import CLIENT_SECRET, SERVICE, graph_server
from .inbox_mails import (
    FIRST, check_listing, check_marking, check_named_folder, deliver_all, expected_inbox, mail_numbered,
)
from .test_transports import STAMP


@pytest.fixture
def mailbox(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    with graph_server(tmp_path) as server:
        mails, ids = deliver_all(server.store)
        transport = BACKENDS["graph"](server.settings(), base=tmp_path, now=lambda: STAMP)
        yield server, transport, mails, ids
        transport.close()


def test_new_mails_oldest_first_across_pages_with_their_bytes(mailbox) -> None:
    server, transport, mails, _ = mailbox
    check_listing(transport.inbox(), mails)
    # the Inbox's 25 (a room's answer among them) in the server's pages of 10, through the next links
    assert server.count("GET folder messages") == 3
    assert server.count("GET $value") == 23


def test_limit_reads_only_the_oldest(mailbox) -> None:
    server, transport, mails, _ = mailbox
    found = transport.inbox().new_mails(5)
    assert [m.raw for m in found] == [m.raw for m in expected_inbox(mails)[:5]]
    assert server.count("GET $value") == 5


def test_mark_sets_the_category_keeps_staffs_and_is_harmless_twice(mailbox) -> None:
    server, transport, _, ids = mailbox
    check_marking(server, transport, ids, "PATCH message")


def test_named_folder_with_accents(mailbox) -> None:
    server, transport, mails, ids = mailbox
    check_named_folder(server, transport, mails, ids)
    assert transport.inbox("À enregistrer").name == f"dossier « À enregistrer » de « {SERVICE} » (Microsoft 365)"


def test_folder_at_the_top_of_the_mailbox(mailbox) -> None:
    server, transport, _, _ = mailbox
    server.store.deliver_mime(SERVICE, mail_numbered(99), FIRST,
                              folder=server.store.add_folder(SERVICE, "Courrier de l'usager", parent="msgfolderroot"))
    [found] = transport.inbox("Courrier de l'usager").new_mails(10)
    assert found.raw == mail_numbered(99)


def test_unknown_folder_is_said_in_french(mailbox) -> None:
    _, transport, _, _ = mailbox
    with pytest.raises(TransportError, match="le dossier « Courrier scanné » est introuvable"):
        transport.inbox("Courrier scanné").new_mails(10)


def test_a_mail_deleted_meanwhile_is_left_for_the_next_run(mailbox) -> None:
    server, transport, mails, ids = mailbox
    source = transport.inbox()
    listed = transport.client.pages
    oldest = expected_inbox(mails)[0]
    gone = ids[[m.raw for m in mails].index(oldest.raw)]

    def staff_deletes_after_the_listing(path: str) -> list:
        found = listed(path)
        del server.store.mailboxes[SERVICE].items[gone]
        return found

    transport.client.pages = staff_deletes_after_the_listing
    found = source.new_mails(3)
    assert [m.raw for m in found] == [m.raw for m in expected_inbox(mails)[1:3]]
    source.mark(IncomingMail(reference=gone, raw=oldest.raw), "A2026-0901")  # no error, nothing written
    assert server.count("PATCH message") == 0
