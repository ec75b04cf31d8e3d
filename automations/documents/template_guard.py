"""Whether a Word template may be opened at all: the same container limits as the staff's workbooks.

python-docx reads each part of a .docx whole and lxml then parses it: a template of a few megabytes that
inflates to gigabytes would take all the server's memory before failing in English. ``archive_guard``
checks it first, without inflating anything big; a refused template makes no document.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

from .. import archive_guard
from ..errors import TemplateError

T = TypeVar("T")

# A letter or a meeting pack is a few hundred kilobytes; a logo or a scanned signature adds a few megabytes.
LIMITS = archive_guard.Limits(part=32 * 1024 * 1024, total=128 * 1024 * 1024, entries=2_000, ratio=200,
                              stream=32 * 1024 * 1024)

_verdicts = archive_guard.Verdicts(64)


def content_key(path: Path) -> tuple[str, bytes]:
    """The template's name and a digest of its bytes, read in chunks; OSError when it cannot be read."""
    with path.open("rb") as file:
        return path.name, hashlib.file_digest(file, lambda: hashlib.blake2b(digest_size=20)).digest()


class ByContent(Generic[T]):
    """What was worked out from a template, kept for its name and bytes (and ``also``: a day, a service…):
    the same template copied elsewhere or put back is not worked on again."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._kept: dict[tuple[Hashable, ...], T] = {}

    def of(self, path: Path, work: Callable[[Path], T], also: tuple[Hashable, ...] = ()) -> T:
        """``work(path)``, or what it gave for these bytes; reading ``path``'s OSError is the caller's."""
        key = (*content_key(path), *also)
        if key not in self._kept:
            if len(self._kept) >= self._most:
                self._kept.clear()
            self._kept[key] = work(path)
        return self._kept[key]


# Streaming every part of a template is most of what checking it costs: the same name and bytes (a service
# folder copied, a template put back) get the same verdict without inflating anything again.
_by_content: ByContent[str | None] = ByContent(128)


def refusal(path: Path) -> str | None:
    """Why the template must not be opened, as « Modèle « X » refusé : … »; None when it may be."""
    try:
        return _verdicts.of(path, lambda known: _by_content.of(known, _refusal))
    except OSError:
        return None  # a missing template is reported by its reader, with its own words


def _refusal(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            problem = archive_guard.inspect(archive, LIMITS)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return None  # not a zip at all: the reader says it is no Word document
    if problem is None:
        return None
    return (f"Modèle « {path.name} » refusé ({problem.reason}) : fichier piégé ou abîmé, il n'est pas ouvert ; "
            "remettez le modèle d'origine ou enregistrez-le de nouveau dans Word")


def guard(path: Path) -> None:
    """Raise the French refusal of a template that must not be opened."""
    reason = refusal(path)
    if reason is not None:
        raise TemplateError(reason)
