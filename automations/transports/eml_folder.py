"""A folder of ``.eml`` files as a mailbox: the outbox transport's incoming mail.

Each ``*.eml`` directly in the folder is a mail not yet registered, oldest first (by modification
time). Marking moves it into the subfolder « enregistrés », its register number before its name, so
staff see at a glance what was registered under which number.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..file_names import file_name
from .inbox import IncomingMail, MailSource

DONE = "enregistrés"


def move_marked(path: Path, number: str) -> None:
    """Move ``path`` into ``<its folder>/enregistrés/<number> <name>``; already moved: nothing to do."""
    if not path.exists():
        return
    done = path.parent / DONE
    done.mkdir(exist_ok=True)
    target = done / file_name(f"{number} {path.stem}", path.suffix)
    n = 2
    while target.exists():  # a second copy of the same mail keeps its own file
        target = done / file_name(f"{number} {path.stem} ({n})", path.suffix)
        n += 1
    os.replace(path, target)


def oldest_first(folder: Path, suffix: str, limit: int) -> list[Path]:
    """The files ``*<suffix>`` (any case) directly in ``folder``, oldest first; hidden ones are partial copies."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir()
             if p.suffix.lower() == suffix and p.is_file() and not p.name.startswith(".")]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))[:limit]


class EmlFolder(MailSource):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"boîte de réception (dossier {folder.name})"

    def new_mails(self, limit: int) -> list[IncomingMail]:
        return [IncomingMail(reference=str(path), raw=path.read_bytes())
                for path in oldest_first(self.folder, ".eml", limit)]

    def mark(self, mail: IncomingMail, number: str) -> None:
        move_marked(Path(mail.reference), number)
