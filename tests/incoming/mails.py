"""Received mails built for the tests: well-formed ones with the ``email`` package, broken ones as raw bytes."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path


def mail(message_id: str | None, sender: str | None = "Mairie de We <mairie@we.nc>",
         subject: str = "Demande de rendez-vous", date: str = "Mon, 23 Nov 2026 08:15:00 +1100",
         attachments: list[tuple[str, bytes]] = ()) -> bytes:  # type: ignore[assignment]
    message = EmailMessage()
    if sender is not None:
        message["From"] = sender
    message["To"] = "ccas@lifou.nc"
    message["Subject"] = subject
    message["Date"] = date
    if message_id is not None:
        message["Message-ID"] = message_id
    message.set_content("Bonjour,\nveuillez trouver ci-joint notre courrier.\n")
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def drop(folder: Path, name: str, raw: bytes, mtime: int) -> Path:
    """An .eml in the inbox folder, with a modification time that orders it among the others."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(raw)
    os.utime(path, (mtime, mtime))
    return path
