"""Whether a staff workbook may be written at all: not while it is open, not read-only, not a package the
surgical writer cannot edit safely (its values then go to the sidecar)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import UserError
from . import container

class WorkbookBusy(UserError):
    """The workbook is open elsewhere: the write waits for a later run."""


class WorkbookUnsafe(UserError):
    """A workbook the tool must not write: its values go to the sidecar."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why

    @property
    def reason(self) -> str:
        """Why the workbook is left alone, to follow « L'outil n'enregistre pas ce classeur : »."""
        return f"il {self.why}"


def lock_file(path: Path) -> Path | None:
    # Excel names its owner file "~$" + name, dropping the first two characters of long names;
    # LibreOffice uses ".~lock.<name>#".
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


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
    return WorkbookUnsafe(f"{why} : aucune écriture dans ce classeur.", f"ne peut pas être modifié sans risque ({why})")


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
