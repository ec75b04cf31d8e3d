"""The copier's folder of scanned paper mail: each PDF is a mail whose sender and subject staff fill in."""

from __future__ import annotations

from pathlib import Path

from ..transports.eml_folder import move_marked, oldest_first
from ..transports.inbox import IncomingMail, MailSource


class ScanFolder(MailSource):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"courrier numérisé (dossier {folder.name})"

    def new_mails(self, limit: int) -> list[IncomingMail]:
        return [IncomingMail(reference=str(path), raw=path.read_bytes(), scanned=True, name=path.name)
                for path in oldest_first(self.folder, ".pdf", limit)]

    def mark(self, mail: IncomingMail, number: str) -> None:
        move_marked(Path(mail.reference), number)
