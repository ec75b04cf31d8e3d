"""The Microsoft 365 mailbox as a source of incoming mail, against the Graph test server."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.errors import TransportError
from automations.transports import BACKENDS
from automations.transports.inbox import REGISTERED, IncomingMail

from ..graph.server import CLIENT_SECRET, SERVICE, GraphServer, graph_server
from .inbox_mails import (
    FIRST,
    FOLDER,
    STAFF,
    expected_inbox,
    mail_numbered,
    room_answer,
    twenty_five,
)
from .test_transports import STAMP


@pytest.fixture
def mailbox(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GRAPH_TEST_SECRET", CLIENT_SECRET)
    with graph_server(tmp_path) as server:
        folder_id = server.store.add_folder(SERVICE, FOLDER, parent="inbox")
        mails = twenty_five()
        ids = [server.store.deliver_mime(SERVICE, m.raw, m.received, folder=folder_id if m.folder == FOLDER
                                         else "inbox", categories=list(m.categories)).item_id for m in mails]
        room_answer(server.store, SERVICE)
        transport = BACKENDS["graph"](server.settings(), base=tmp_path, now=lambda: STAMP)
        yield server, transport, mails, ids
        transport.close()


def _categories(server: GraphServer, item_id: str) -> list[str]:
    hit = server.store.item(item_id)
    assert hit is not None
    return hit[1].categories


def test_new_mails_oldest_first_across_pages_with_their_bytes(mailbox) -> None:
    server, transport, mails, _ = mailbox
    source = transport.inbox()
    found = source.new_mails(100)
    wanted = expected_inbox(mails)
    assert len(found) == 23  # 25, less the one registered by staff and the one in « À enregistrer »
    assert [m.raw for m in found] == [m.raw for m in wanted]
    assert [m.received for m in found] == [m.received for m in wanted]
    assert any(len(m.raw) > 3_000_000 for m in found)  # the large attachment, whole
    assert any(b"Message-ID" not in m.raw for m in found)
    assert all(m.raw for m in found)  # the room's answer to a meeting is left to the meetings
    assert server.count("GET folder messages") == 3  # the Inbox's 25 (a room's answer among them) listed 10 + 10 + 5
    assert server.count("GET $value") == 23
    assert "boîte de réception" in source.name


def test_limit_reads_only_the_oldest(mailbox) -> None:
    server, transport, mails, _ = mailbox
    found = transport.inbox().new_mails(5)
    assert [m.raw for m in found] == [m.raw for m in expected_inbox(mails)[:5]]
    assert server.count("GET $value") == 5


def test_mark_sets_the_category_keeps_staffs_and_is_harmless_twice(mailbox) -> None:
    server, transport, _, ids = mailbox
    source = transport.inbox()
    found = source.new_mails(100)
    staff = next(m for m in found if m.reference == ids[6])
    source.mark(found[0], "A2026-0901")
    source.mark(staff, "A2026-0902")
    assert _categories(server, found[0].reference) == [REGISTERED]
    assert _categories(server, ids[6]) == [STAFF, REGISTERED]
    patches = server.count("PATCH message")
    source.mark(staff, "A2026-0902")
    assert _categories(server, ids[6]) == [STAFF, REGISTERED]
    assert server.count("PATCH message") == patches  # already marked: nothing written
    again = transport.inbox().new_mails(100)
    assert len(again) == 21
    assert {m.reference for m in again}.isdisjoint({found[0].reference, ids[6]})


def test_named_folder_with_accents(mailbox) -> None:
    server, transport, mails, ids = mailbox
    source = transport.inbox(FOLDER)
    [found] = source.new_mails(100)
    assert found.raw == next(m.raw for m in mails if m.folder == FOLDER)
    assert "« À enregistrer »" in source.name
    source.mark(found, "A2026-0903")
    assert _categories(server, ids[7]) == [REGISTERED]
    assert transport.inbox(FOLDER).new_mails(100) == []


def test_folder_at_the_top_of_the_mailbox(mailbox) -> None:
    server, transport, _, _ = mailbox
    top = server.store.add_folder(SERVICE, "Courrier de l'usager", parent="msgfolderroot")
    server.store.deliver_mime(SERVICE, mail_numbered(99), FIRST, folder=top)
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
