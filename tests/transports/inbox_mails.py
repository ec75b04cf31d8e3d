"""The mails the inbox tests deliver to the Exchange and Microsoft 365 test servers, as they came from outside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

FIRST = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)
FOLDER = "À enregistrer"
STAFF = "Urgent"  # a category staff set before the mail is registered: it stays


@dataclass
class Delivered:
    raw: bytes
    received: datetime
    folder: str = "inbox"  # or FOLDER
    categories: tuple[str, ...] = ()


def mail_numbered(index: int, *, message_id: bool = True, attachment: bytes | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Usager {index} <usager{index}@example.nc>"
    message["To"] = "commissions@province-sud.nc"
    message["Subject"] = f"Demande d'aide n° {index} — pièces jointes"
    message["Date"] = format_datetime(FIRST + timedelta(hours=index))
    if message_id:
        message["Message-ID"] = f"<demande-{index}@example.nc>"
    message.set_content(f"Bonjour,\nveuillez trouver ma demande n° {index}.\n")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="justificatif.pdf")
    return bytes(message)


def twenty_five() -> list[Delivered]:
    """25 mails, delivered out of order: one with a large attachment (3 MB), one without Message-ID, one that
    staff already registered, one with a staff category, one in the folder « À enregistrer »."""
    mails = []
    for index in range(25):
        received = FIRST + timedelta(hours=(index * 7) % 25)  # each hour once, not in delivery order
        raw = mail_numbered(index, message_id=index != 4,
                    attachment=bytes(range(256)) * 12_000 if index == 3 else None)
        categories = ("Enregistré", STAFF) if index == 5 else (STAFF,) if index == 6 else ()
        mails.append(Delivered(raw, received, FOLDER if index == 7 else "inbox", categories))
    return mails


def expected_inbox(mails: list[Delivered]) -> list[Delivered]:
    """What the Inbox gives as new, oldest first."""
    return sorted((m for m in mails if m.folder == "inbox" and "Enregistré" not in m.categories),
                  key=lambda m: m.received)


def room_answer(store: Any, email: str) -> None:
    """A room's acceptance of one of the service's meetings, in the Inbox as the booking assistant leaves it:
    the meetings read it, the register does not take it."""
    from ..ews.store import Item, Person

    box = store.mailboxes[email]
    item = Item(item_id=store.new_id("AAMkR"), kind="MeetingResponse", folder="inbox",
                subject="Accepté : Commission des aides", item_class="IPM.Schedule.Meeting.Resp.Pos",
                sender=Person("salle.kaori@province-sud.nc", "Salle Kaori"), received=FIRST)
    box.items[item.item_id] = item


# -- the checks both sources pass, each against its own test server ------------------------------------------
SERVICE = "commissions@province-sud.nc"


def deliver_all(store: Any) -> tuple[list[Delivered], list[str]]:
    """The 25 mails and a room's answer delivered to the service's mailbox; the mails and their item ids.
    « À enregistrer » is made under the Inbox by the first mail delivered there."""
    mails = twenty_five()
    ids = [store.deliver_mime(SERVICE, m.raw, m.received, folder=m.folder, categories=list(m.categories)).item_id
           for m in mails]
    room_answer(store, SERVICE)
    return mails, ids


def categories(store: Any, item_id: str) -> list[str]:
    hit = store.item(item_id)
    assert hit is not None
    return list(hit[1].categories)


def check_listing(source: Any, mails: list[Delivered]) -> None:
    found = source.new_mails(100)
    wanted = expected_inbox(mails)
    assert len(found) == 23  # 25, less the one registered by staff and the one in « À enregistrer »
    assert [m.raw for m in found] == [m.raw for m in wanted]
    assert [m.received for m in found] == [m.received for m in wanted]
    assert any(len(m.raw) > 3_000_000 for m in found)  # the large attachment, whole
    assert any(b"Message-ID" not in m.raw for m in found)
    assert all(m.raw for m in found)  # the room's answer to a meeting is left to the meetings
    assert source.name.startswith(f"boîte de réception de « {SERVICE} » (")


def check_marking(server: Any, transport: Any, ids: list[str], update: str) -> None:
    """Marking adds the category beside staff's, once; the mails marked are no longer listed."""
    source = transport.inbox()
    found = source.new_mails(100)
    staff = next(m for m in found if m.reference == ids[6])
    source.mark(found[0], "A2026-0901")
    source.mark(staff, "A2026-0902")
    assert categories(server.store, found[0].reference) == ["Enregistré"]
    assert categories(server.store, ids[6]) == [STAFF, "Enregistré"]
    updates = server.count(update)
    source.mark(staff, "A2026-0902")
    assert categories(server.store, ids[6]) == [STAFF, "Enregistré"]
    assert server.count(update) == updates  # already marked: nothing written
    again = transport.inbox().new_mails(100)
    assert len(again) == 21
    assert {m.reference for m in again}.isdisjoint({found[0].reference, ids[6]})


def check_named_folder(server: Any, transport: Any, mails: list[Delivered], ids: list[str]) -> None:
    source = transport.inbox(FOLDER)
    [found] = source.new_mails(100)
    assert found.raw == next(m.raw for m in mails if m.folder == FOLDER)
    assert "« À enregistrer »" in source.name
    source.mark(found, "A2026-0903")
    assert categories(server.store, ids[7]) == ["Enregistré"]
    assert transport.inbox(FOLDER).new_mails(100) == []
