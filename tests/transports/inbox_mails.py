"""The mails the inbox tests deliver to the Exchange and Microsoft 365 test servers, as they came from outside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

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


def room_answer(store: object, email: str) -> None:
    """A room's acceptance of one of the service's meetings, in the Inbox as the booking assistant leaves it:
    the meetings read it, the register does not take it."""
    from ..ews.store import Item, Person

    box = store.mailboxes[email]  # type: ignore[attr-defined]
    item = Item(item_id=store.new_id("AAMkR"), kind="MeetingResponse", folder="inbox",  # type: ignore[attr-defined]
                subject="Accepté : Commission des aides", item_class="IPM.Schedule.Meeting.Resp.Pos",
                sender=Person("salle.kaori@province-sud.nc", "Salle Kaori"), received=FIRST)
    box.items[item.item_id] = item
