"""The Exchange mailbox as a source of incoming mail, against the EWS test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.errors import TransportError
from automations.transports import BACKENDS

from ..ews.server import PASSWORD, SERVICE, ews_server
from .inbox_mails import check_listing, check_marking, check_named_folder, deliver_all, expected_inbox
from .test_transports import STAMP


@pytest.fixture
def mailbox(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EWS_TEST_PASSWORD", PASSWORD)
    with ews_server(tmp_path) as server:
        mails, ids = deliver_all(server.store)
        transport = BACKENDS["exchange"](server.settings(), base=tmp_path, now=lambda: STAMP)
        yield server, transport, mails, ids
        transport.close()


def test_new_mails_oldest_first_across_pages_with_their_bytes(mailbox) -> None:
    server, transport, mails, _ = mailbox
    source = transport.inbox()
    source.page_size = 10
    check_listing(source, mails)
    assert server.count("FindItem") == 3  # the Inbox's 25 (a room's answer among them) listed 10 + 10 + 5
    assert server.count("GetItem") == 23  # each new one read with its MIME in a request of its own


def test_limit_gives_the_oldest(mailbox) -> None:
    _, transport, mails, _ = mailbox
    found = transport.inbox().new_mails(5)
    assert [m.raw for m in found] == [m.raw for m in expected_inbox(mails)[:5]]


def test_mark_sets_the_category_keeps_staffs_and_is_harmless_twice(mailbox) -> None:
    server, transport, _, ids = mailbox
    check_marking(server, transport, ids, "UpdateItem")


def test_named_folder_with_accents(mailbox) -> None:
    server, transport, mails, ids = mailbox
    check_named_folder(server, transport, mails, ids)
    assert transport.inbox("À enregistrer").name == f"dossier « À enregistrer » de « {SERVICE} » (Exchange)"
    assert server.count("FindFolder") == 2  # once per source: found by its display name


def test_unknown_folder_is_said_in_french(mailbox) -> None:
    _, transport, _, _ = mailbox
    with pytest.raises(TransportError, match="le dossier « Courrier scanné » est introuvable"):
        transport.inbox("Courrier scanné").new_mails(10)


def test_a_mail_deleted_before_its_marking_is_left_alone(mailbox) -> None:
    server, transport, _, _ = mailbox
    source = transport.inbox()
    first = source.new_mails(1)[0]
    del server.store.mailboxes[SERVICE].items[first.reference]  # staff deleted it meanwhile
    source.mark(first, "A2026-0901")  # nothing to show the category on: no error, nothing written
    assert server.count("UpdateItem") == 0
