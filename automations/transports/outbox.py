"""The embedded default transport: ``.eml`` files in a dated folder; nothing leaves the machine."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import TransportError
from ..file_names import file_name
from .base import Delivered, Mail, Meeting, Transport
from .eml_folder import EmlFolder
from .inbox import MailSource
from .mime import as_bytes, delivery_hash, mail_message, meeting_message


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-")[:60].strip("-") or "message"


class OutboxTransport(Transport):
    name = "outbox"

    def __init__(self, settings: Mapping[str, Any], *, base: Path, now: Callable[[], datetime]) -> None:
        super().__init__(settings, base=base, now=now)
        self.folder = base / str(settings.get("folder", "boite-d-envoi"))
        # the folder where received mail is dropped as .eml files (the demo, a service without a mailbox)
        self.inbox_folder = base / str(settings["inbox"]) if settings.get("inbox") else None

    @classmethod
    def check_settings(cls, settings: Mapping[str, Any]) -> list[str]:
        unknown = set(settings) - {"folder", "inbox"}
        problems = [f"{key} : clé inconnue pour le transport « outbox »" for key in sorted(unknown)]
        for key in ("folder", "inbox"):
            if key in settings and not isinstance(settings[key], str):
                problems.append(f"{key} : un chemin de dossier (texte) est attendu")
        return problems

    def inbox(self, folder: str | None = None) -> MailSource | None:
        """The ``inbox`` folder's .eml files (``folder``, a mailbox's folder name, has no meaning here)."""
        return EmlFolder(self.inbox_folder) if self.inbox_folder is not None else None

    def _write(self, delivery_id: str, subject: str, payload: bytes) -> Delivered:
        now: datetime = self.now()
        day = self.folder / now.strftime("%Y-%m-%d")
        day.mkdir(parents=True, exist_ok=True)
        target = day / file_name(f"{now.strftime('%H%M%S')}-{delivery_hash(delivery_id)}-{_slug(subject)}", ".eml")
        temp = day / f".{target.name}.tmp"
        # a write killed before its rename left a hidden, partial copy: never a mail, only clutter
        for leftover in self.folder.glob(f"*/.*-{delivery_hash(delivery_id)}-*.eml.tmp"):
            leftover.unlink(missing_ok=True)
        try:
            with open(temp, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise TransportError(f"Boîte d'envoi : écriture impossible dans {day} ({exc.strerror})") from exc
        return Delivered(reference=str(target))

    def send_mail(self, mail: Mail) -> Delivered:
        return self._write(mail.delivery_id, mail.subject, as_bytes(mail_message(mail, self.now())))

    def send_meeting(self, meeting: Meeting) -> Delivered:
        # the removed attendees' cancellation goes first: the lookup only knows the request, so a rerun after
        # a crash between the two files must find the cancellation by itself
        withdrawn = meeting.for_removed()
        if withdrawn is not None and self.lookup(withdrawn.delivery_id) is None:
            self._write(withdrawn.delivery_id, withdrawn.subject, as_bytes(meeting_message(withdrawn, self.now())))
        return self._write(meeting.delivery_id, meeting.subject, as_bytes(meeting_message(meeting, self.now())))

    def verify(self) -> str:
        return f"boîte d'envoi locale {self.folder} (aucun e-mail ne quitte la machine)"

    def lookup(self, delivery_id: str) -> Delivered | None:
        found = sorted(self.folder.glob(f"*/*-{delivery_hash(delivery_id)}-*.eml"))
        return Delivered(reference=str(found[0])) if found else None
