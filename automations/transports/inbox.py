"""Mail that arrives: where the ``incoming`` automation reads it and how it says a mail is registered.

Each transport may give a :class:`MailSource` (``Transport.inbox()``): the outbox's folder of ``.eml``
files, an IMAP mailbox beside SMTP, the Exchange (EWS) or Microsoft 365 (Graph) mailbox. The copier's
folder of scanned paper mail is a source too, whatever the transport. A source only reads and marks:
what a mail becomes (its number, its row, its files) is decided by the automation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

# the category (Outlook, Graph), keyword (IMAP) or folder name that says « registered » to staff
REGISTERED = "Enregistré"


@dataclass(frozen=True)
class IncomingMail:
    """One mail as the source holds it."""

    reference: str  # the source's own handle, to mark it later: file path, IMAP UID, EWS item id, Graph id
    raw: bytes  # the message as received (RFC 5322), or the scanned PDF's bytes
    received: datetime | None = None  # when the mailbox received it (aware); None: the Date header says
    scanned: bool = False  # paper mail from the copier (a PDF): sender and subject are left for staff
    name: str = ""  # a scan's file name, shown to staff


class MailSource(ABC):
    """A mailbox, or a folder of files, that the incoming automation reads and marks."""

    name: str = ""  # French, for people: « boîte de réception (dossier boite-de-reception) »

    @abstractmethod
    def new_mails(self, limit: int) -> list[IncomingMail]:
        """Mails not yet marked as registered, oldest first, at most ``limit`` (paging the server as needed)."""

    @abstractmethod
    def mark(self, mail: IncomingMail, number: str) -> None:
        """Say in the mailbox that ``mail`` is registered under ``number``: a category, a keyword, a move.
        Marking twice is harmless (a rerun after a crash marks again)."""

    def close(self) -> None:
        """Let go of the connection, if any."""
