"""Whether a staff workbook may be written at all: not while it is open, not if saving would strip it.

openpyxl drops on save what it does not understand (images, charts, pivot
tables, slicers, some worksheet extensions...). Such a workbook is never
written: staff would lose work without noticing.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from ..errors import UserError
from . import container

# French names of what openpyxl does not round-trip, with the zip part prefixes that hold it
_DROPPED_PARTS: dict[str, tuple[str, ...]] = {
    "images": ("xl/media/",), "graphiques": ("xl/charts/", "xl/chartsheets/"), "SmartArt": ("xl/diagrams/",),
    "tableaux croisés dynamiques": ("xl/pivotTables/", "xl/pivotCache/"),
    "segments": ("xl/slicers/", "xl/slicerCaches/"), "chronologies": ("xl/timelines/", "xl/timelineCaches/"),
    "liaisons vers d'autres classeurs": ("xl/externalLinks/",),
    "connexions de données": ("xl/connections.xml", "xl/queryTables/"),
    "modèle de données Power Pivot": ("xl/model/",), "contrôles de formulaire": ("xl/ctrlProps/",),
    "contrôles ActiveX": ("xl/activeX/",), "objets incorporés": ("xl/embeddings/",),
    "commentaires modernes (conversations)": ("xl/threadedComments/",),
    "images dans les cellules ou types de données": ("xl/richData/",),
    "compléments Office": ("xl/webextensions/",), "affichages de feuille personnels": ("xl/namedSheetViews/",),
}
# A drawing part that is not comments' VML: openpyxl keeps only its charts and images.
_DRAWING = re.compile(r"xl/drawings/drawing\d*\.xml$")
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml$")
# Worksheet extensions openpyxl reads and drops (openpyxl.xml.constants.EXT_TYPES).
_SHEET_EXTENSIONS = {
    "{78C0D931-6437-407D-A8EE-F0AAD7539E65}": "mises en forme conditionnelles avancées",
    "{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}": "listes déroulantes renvoyant à une autre feuille",
    "{05C60535-1F16-4FD2-B633-F4F36F0B64E0}": "graphiques sparkline",
    "{A8765BA9-456A-4DAB-B4F3-ACF838C121DE}": "segments", "{3A4CF648-6AED-40F4-86FF-DC5316D8AED3}": "segments",
    "{FC87AEE6-9EDD-4A0A-B7FB-166176984837}": "plages protégées",
    "{01252117-D84E-4E92-8308-4BE1C098FCBB}": "erreurs ignorées",
    "{F7C9EE02-42E1-4005-9D12-6889AFFD525C}": "compléments Office",
    "{7E03D99C-DC04-49D9-9315-930204A7B6E9}": "chronologies",
}


class WorkbookBusy(UserError):
    """The workbook is open elsewhere: the write waits for a later run."""


class WorkbookUnsafe(UserError):
    """A workbook the tool must not write: its values go to the sidecar."""

    def __init__(self, message: str, parts: list[str], why: str | None = None) -> None:
        super().__init__(message)
        self.parts = parts
        self.why = why

    @property
    def reason(self) -> str:
        """Why the workbook is left alone, to follow « L'outil n'enregistre pas ce classeur : »."""
        if self.why is not None:
            return f"il {self.why}"
        return f"il contient des éléments qu'un enregistrement ferait perdre ({', '.join(self.parts)})"


def lock_file(path: Path) -> Path | None:
    # Excel names its owner file "~$" + name, dropping the first two characters of long names;
    # LibreOffice uses ".~lock.<name>#".
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def unsafe_parts(path: Path) -> list[str]:
    if container.refusal(path) is not None:
        return []  # refused before any parsing, with its own message: a zip bomb is not inflated here
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            found = [label for label, prefixes in _DROPPED_PARTS.items()
                     if any(n.startswith(prefixes) for n in names)]
            if any(_DRAWING.match(n) for n in names) and not {"images", "graphiques"} & set(found):
                found.append("formes ou zones de texte")
            for name in names:
                if _WORKSHEET.match(name):
                    found += _sheet_extensions(archive, name)
    except (zipfile.BadZipFile, OSError, ElementTree.ParseError):
        return []  # an unreadable file is refused by openpyxl itself, with its own message
    return list(dict.fromkeys(found))


def _sheet_extensions(archive: zipfile.ZipFile, name: str) -> list[str]:
    # Only the worksheet's own <extLst> matters: rules carry nested ones pointing into it.
    labels: list[str] = []
    stack: list[str] = []
    with archive.open(name) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                stack.append(element.tag.rsplit("}", 1)[-1])
                if stack[1:] == ["extLst", "ext"]:
                    uri = element.get("uri", "").upper()
                    labels.append(_SHEET_EXTENSIONS.get(uri, "extensions Excel non prises en charge"))
            else:
                stack.pop()
                if len(stack) <= 2:
                    element.clear()  # rows of a long register need not stay in memory
    return labels


LEGACY = ("classeur Excel 97-2003 (.xls), que l'outil lit mais où il ne peut rien reporter ; enregistrez-le au "
          "format « Classeur Excel (*.xlsx) » et corrigez les fichiers de la correspondance")


def refuse_unwritable(path: Path) -> None:
    """Say in French why openpyxl must not open this file: gone since it was read, legacy, or not a workbook."""
    if not path.is_file():
        raise UserError(f"« {path.name} » introuvable pour l'écriture du suivi : le classeur a été déplacé, "
                        "renommé ou supprimé depuis sa lecture ; le report attend qu'il soit remis à sa place.")
    if path.suffix.lower() == ".xls":
        raise UserError(f"« {path.name} » : {LEGACY}.")
    reason = container.refusal(path)
    if reason is not None:
        raise UserError(f"« {path.name} » illisible pour l'écriture du suivi : {reason}.")


def busy(path: Path, lock: Path | None, why: str = "") -> WorkbookBusy:
    if lock is not None:
        program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
        why = f"est ouvert dans {program} (fichier « {lock.name} »)"
    return WorkbookBusy(f"« {path.name} » {why} : écriture reportée au prochain passage.")


def refused(path: Path, why: str) -> WorkbookUnsafe:
    """The surgical writer cannot edit this package safely (``why``, its French words)."""
    return WorkbookUnsafe(f"{why} : aucune écriture dans ce classeur.", [],
                          f"ne peut pas être modifié sans risque ({why})")


def unsafe(path: Path, parts: list[str]) -> WorkbookUnsafe:
    return WorkbookUnsafe(f"« {path.name} » contient des éléments que l'écriture ferait perdre "
                          f"({', '.join(parts)}) : aucune écriture dans ce classeur.", parts)


_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def target_of(path: Path) -> Path:
    """The workbook a register's path stands for: a symbolic link is written through, and stays a link."""
    return path.resolve() if path.is_symlink() else path


def read_only(path: Path) -> str | None:
    """Why the tool must not write this workbook although it could: staff made it read-only, or it belongs to an
    account the service's may not write for. The tool's own rule, since root (or an administrator) writes anyway,
    and a save replaces the file, read-only or not."""
    real = target_of(path)
    try:
        mode = real.stat().st_mode
    except OSError:
        return None  # gone: refuse_unwritable says so
    if not mode & _ANY_WRITE:  # chmod 444, or the read-only attribute on Windows
        return "est en lecture seule"
    if hasattr(os, "geteuid") and os.geteuid() != 0 and not os.access(real, os.W_OK):
        return "n'est pas modifiable par le compte du service (droits ou propriétaire du fichier)"
    return None


def refuse_read_only_folder(path: Path) -> None:
    """A folder without write bits is refused as its workbooks are: the save would create a file in it."""
    folder = target_of(path).parent
    try:
        mode = folder.stat().st_mode
    except OSError:
        return
    if not mode & _ANY_WRITE:
        raise UserError(f"« {path.name} » : l'outil ne peut pas écrire dans le dossier « {folder.name} » (dossier en "
                        f"lecture seule) : le suivi attend le prochain passage ; {GRANT_FOLDER}.")


def refuse_read_only(path: Path) -> None:
    reason = read_only(path)
    if reason is not None:
        raise UserError(f"« {path.name} » {reason} : le suivi attend le prochain passage ; "
                        f"{_UNLOCK if reason.startswith('est') else _GRANT_FILE}.")


_UNLOCK = "retirez la lecture seule (Propriétés du fichier, ou chmod u+w)"
_GRANT_FILE = "donnez au compte du service le droit d'écrire dans ce classeur"
GRANT_FOLDER = "donnez au compte du service le droit d'écrire dans ce dossier"


def read_only_finding(path: Path) -> str | None:
    """``check``'s words for a workbook the tool will not write, to follow « « name » : »."""
    reason = read_only(path)
    if reason is None:
        return None
    if reason.startswith("est"):
        return f"classeur en lecture seule : l'outil n'y reportera pas le suivi ; {_UNLOCK} pour qu'il le fasse"
    return ("classeur non modifiable par le compte du service (droits ou propriétaire du fichier) : l'outil n'y "
            f"reportera pas le suivi ; {_GRANT_FILE}")


def folder_refusal(folder: Path) -> str | None:
    """Why no file can be created in ``folder``, where a save writes its temporary copy. Write bits removed are
    the tool's own rule (root would write anyway); otherwise a file is really created and removed, since an
    immutable folder or a read-only share refuses even root, whatever the rights say."""
    try:
        if not folder.stat().st_mode & _ANY_WRITE:
            return "dossier en lecture seule"
        handle, name = tempfile.mkstemp(prefix=".verification-ecriture.", dir=folder)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    os.close(handle)
    os.unlink(name)
    return None
