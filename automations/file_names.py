"""Names of files and folders made from register values: valid on Windows and Linux, readable by staff.

Every name the tool writes that holds a value staff typed (a committee, a dossier or voucher number, a
supplier, a mail's subject) goes through ``file_name``, and so does every mail attachment's name
(``attachment_name``). The rules are Windows' (Microsoft Learn, « Naming Files, Paths, and
Namespaces »), the strictest of the places the documents folder lives or is copied to:

- no ``< > : " / \\ | ? *`` and no control character (0 to 31): « logement/emploi » gives
  « logement-emploi », a double quote becomes an apostrophe;
- no name ending with a dot or a space (Windows drops them, and two names would be one), none starting
  with a dot (hidden on Linux) or a dash, never empty, never ``.`` or ``..``;
- no device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, their superscript forms, CONIN$, CONOUT$), even
  followed by an extension: such a name gets a leading ``_``;
- at most ``MAX_BYTES`` bytes of UTF-8, under ext4's 255 bytes and NTFS's 255 UTF-16 units, with room
  left for the temporary names written beside a document.

Unicode is made plain too: NFC (an « é » typed on a Mac is the « é » of Windows), and the invisible
format characters removed — after a right-to-left override (U+202E) the program « facture<U+202E>cod.exe »
shows as « factureexe.doc », and a zero-width space makes two names that look the same differ. French
accents stay.

``inside`` is the second line of defence: a path built from such names is refused unless it stays,
once resolved, inside the folder it is meant for.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .errors import UserError

# a whole file or folder name, in UTF-8 bytes: ext4 takes 255; ".<name>.tmp" and ".partiel" go beside it
MAX_BYTES = 200
# a register value inside a longer name (« Décision <n°> (refus).docx »): the whole path stays far from
# Windows' 260 characters under a documents folder of ordinary depth
PART = 80
FALLBACK = "sans-nom"

_SUPERSCRIPTS = ("¹", "²", "³")
DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                     *(f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", *_SUPERSCRIPTS))})
# the characters Windows reserves: a run of them is one dash (« a / b » reads « a - b »); a double quote
# becomes an apostrophe
_RUN = re.compile(r'[<>:/\\|?*]+')
# stripped at both ends: Windows drops a final dot or space, a leading dot hides the file, a dash
# reads as a command-line option
_ENDS = " .-"


class UnsafePath(UserError):
    """A path made from register values would leave the folder it belongs to: nothing is written."""


def file_name(text: str, extension: str = "", *, length: int | None = None) -> str:
    """``text`` made a valid, readable name, then ``extension`` (``".docx"``, from the code) appended.

    ``length`` caps the characters kept of ``text`` (a register value inside a longer name); the whole
    name never exceeds ``MAX_BYTES``, the extension kept.
    """
    name = _RUN.sub("-", _plain(text).replace('"', "'"))
    name = " ".join(name.split()).strip(_ENDS)
    if length is not None:
        name = name[:length].strip(_ENDS)
    budget = MAX_BYTES - len(extension.encode("utf-8"))
    while len(name.encode("utf-8")) > budget:
        name = name[:-1]
    name = name.strip(_ENDS) or FALLBACK
    if is_device(name):
        name = f"_{name}"
    return name + extension


def attachment_name(name: str) -> str:
    """A mail attachment's name made valid, its extension (``.docx``, ``.pdf``) kept as it was."""
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.isascii() and extension.isalnum() and len(extension) <= 8:
        return file_name(stem, f".{extension}")
    return file_name(name)


def is_device(name: str) -> bool:
    """Whether Windows takes this name for a device: « CON », « nul.txt », « COM¹ », « aux .docx »."""
    return name.split(".", 1)[0].rstrip(" ").upper() in DEVICES


def _plain(text: str) -> str:
    """NFC text without format characters, every control character or odd space made a plain space."""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category in ("Cf", "Cs"):  # bidi overrides and isolates, zero-width characters; lone surrogates
            continue
        kept.append(" " if category in ("Cc", "Zs", "Zl", "Zp") else char)
    return unicodedata.normalize("NFC", "".join(kept))


def inside(root: Path, *names: str) -> Path:
    """``root/names...``, refused (``UnsafePath``) unless it resolves to somewhere inside ``root``."""
    path = root.joinpath(*names)
    base, target = root.resolve(), path.resolve()
    if target == base or not target.is_relative_to(base):
        raise UnsafePath(f"Chemin refusé : « {path} » sortirait du dossier « {root} » ; rien n'y est écrit. "
                         "Vérifiez les noms saisis dans les registres.")
    return path
