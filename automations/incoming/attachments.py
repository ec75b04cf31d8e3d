"""What a received mail's attachments become on disk: a folder per register number, nothing outside it.

Every name goes through ``attachment_name`` (path traversal, Windows device names, bidi overrides made
harmless). A program (``.exe``, ``.js``…, also hidden behind a double extension « facture.pdf.exe ») or
a file over the size cap is recorded in the register, not saved. Files are written through a temporary
name and an atomic replace, so a crash never leaves half a file under a real name.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..file_names import attachment_name, inside
from .parse import Part

# programs and scripts Windows runs on a double click: never put where staff open files
EXECUTABLES = frozenset({"exe", "bat", "cmd", "com", "scr", "js", "vbs", "ps1", "msi", "jar", "dll", "lnk", "hta",
                         "pif", "wsf", "vbe", "jse", "cpl", "reg"})


@dataclass
class Filed:
    saved: list[str] = field(default_factory=list)  # names written into the mail's folder
    refused: list[tuple[str, str]] = field(default_factory=list)  # (safe name, French reason)



def attachments_text(saved: list[str], refused: list[list[str]] | list[tuple[str, str]]) -> str:
    """The « Pièces jointes » cell: the saved names, then each refused one with why."""
    return " ; ".join([*saved, *(f"{name} (non enregistrée : {why})" for name, why in refused)])


def is_executable(name: str) -> bool:
    """« x.exe », « facture.pdf.exe », « x.EXE. »: the last extension Windows would use."""
    extension = name.strip(" .").rpartition(".")[2].lower()
    return "." in name.strip(" .") and extension in EXECUTABLES


def megabytes(size: int) -> str:
    return f"{max(1, round(size / 1_000_000))} Mo"


def _unique(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        return name
    stem, dot, extension = name.rpartition(".")
    stem, extension = (stem, f".{extension}") if dot and stem else (name, "")
    n = 2
    while f"{stem} ({n}){extension}".lower() in taken:
        n += 1
    return f"{stem} ({n}){extension}"


def file_attachments(parts: list[Part], folder: Path | None, max_mb: int) -> Filed:
    """Save ``parts`` into ``folder`` (the mail's own, emptied first: what is there came from an attempt
    that crashed before it was recorded, under a number given out again). ``folder`` None: decide only."""
    filed = Filed()
    taken: set[str] = set()
    if folder is not None and folder.exists():
        shutil.rmtree(folder)
    for part in parts:
        name = _unique(attachment_name(part.name), taken)
        taken.add(name.lower())
        if is_executable(name):
            filed.refused.append((name, "programme, possible virus"))
        elif part.size > max_mb * 1_000_000:
            filed.refused.append((name, f"trop lourde ({megabytes(part.size)}, au-delà de {max_mb} Mo)"))
        else:
            if folder is not None:
                _write(inside(folder.parent, folder.name, name), part.data)
            filed.saved.append(name)
    return filed


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, target)
