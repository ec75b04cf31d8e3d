"""The file system against the tool: a hostile Word template, registers it may not write, a register that is a
symbolic link, and paths the mapping's pattern matches that are no workbook at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl

from . import files
from .cases_files import written_again
from .cases_layout import ONLY_INVITATION, notified_rows
from .runner import NOTHING, Case, cli
from .service import ALL_MAILS, APPLICATIONS, INVITATION, register
from ..conftest import PROJECT

NAME = "« Registre des demandes 2026.xlsx »"
OLDER = "Registre des demandes 2025.xlsx"
TEMPLATE_REFUSED = ("Modèle « convocation.docx » refusé (la partie « word/document.xml » ferait 2,0 Go une fois "
                    "décompressée, au plus 32 Mo) : fichier piégé ou abîmé, il n'est pas ouvert ; remettez le modèle "
                    "d'origine ou enregistrez-le de nouveau dans Word")


def _template_bomb(folder: Path) -> Path:
    # a small body whose header declares 2 GiB: python-docx would inflate all of it to parse it
    body = b"<w:document/>"
    files.with_document(PROJECT / "templates" / "convocation.docx", folder / "modeles" / "convocation.docx",
                        zlib.compress(body)[2:-4], zlib.crc32(body), 2 * 1024 ** 3)
    return register(folder, APPLICATIONS)


def _invitation_failed(folder: Path) -> list[str]:
    """The convocation waits for a sound template; the other documents went."""
    documents = sorted(p.name for p in (folder / "documents").rglob("*.docx"))
    return [f"a convocation was made: {documents}"] * any(n.startswith("Convocation") for n in documents)


def _immutable(path: Path, on: bool) -> None:
    # even root cannot create a file in an immutable folder: the condition a read-only share gives
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True)


def _folder_read_only(folder: Path) -> Path:
    _immutable(folder / "registres", True)
    return register(folder, APPLICATIONS)


def _written_once_writable(undo: Callable[[Path], None]) -> Callable[[Path], list[str]]:
    """Once the administrator fixes the rights, the next run writes what waited and sends nothing again."""
    def check(folder: Path) -> list[str]:
        undo(folder)
        return written_again(folder)
    return check


def _read_only_file(folder: Path) -> Path:
    path = register(folder, APPLICATIONS)
    path.chmod(0o444)
    return path


def _linked(folder: Path) -> Path:
    """The register kept in a shared folder, the registers folder holding a symbolic link to it."""
    shared = folder / "partage"
    shared.mkdir()
    path = register(folder, APPLICATIONS)
    target = shared / "Demandes 2026 (secrétariat).xlsx"
    shutil.move(path, target)
    path.symlink_to(target)
    return path


def _written_through_the_link(folder: Path) -> list[str]:
    path = register(folder, APPLICATIONS)
    target = folder / "partage" / "Demandes 2026 (secrétariat).xlsx"
    problems = [] if path.is_symlink() and path.resolve() == target.resolve() else ["the link was replaced"]
    copies = sorted(p.name for p in (folder / "sauvegardes").glob("*.xlsx"))
    if not any(n.startswith("Demandes 2026 (secrétariat).") for n in copies):
        problems.append(f"no backup of the link's target: {copies}")
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
    return problems + [f"temporary files left: {leftovers}"] * bool(leftovers) + notified_rows(2, 3, 4)(folder)


def _restored_through_the_link(folder: Path) -> list[str]:
    """``restore`` finds the copies by the register's name, and puts the copy back into the link's target."""
    path = register(folder, APPLICATIONS)
    listed = cli(folder / "config.toml", "restore", APPLICATIONS)
    restored = cli(folder / "config.toml", "restore", APPLICATIONS, "--copy", "1")
    problems = [] if "1. copie du 23/11/2026" in " ".join(listed.lines) else [f"restore listed:\n{listed.text}"]
    if restored.code != 0 or not path.is_symlink():
        problems.append(f"restore replaced the link or failed:\n{restored.text}")
    return problems + notified_rows()(folder)


def _older_year(folder: Path, name: str = OLDER) -> None:
    """An older year's register, beside this year's, with no decision to act on."""
    older = register(folder, name)
    shutil.copy(register(folder, APPLICATIONS), older)
    wb = openpyxl.load_workbook(older)
    wb["Demandes"].delete_rows(2, 10)
    wb.save(older)


def _replaced_by(make: Callable[[Path], None]) -> Callable[[Path], Path]:
    """This year's register replaced by what ``make`` puts at its path, last year's still matching the pattern."""
    def replaced(folder: Path) -> Path:
        _older_year(folder)
        path = register(folder, APPLICATIONS)
        kept = folder / "ailleurs.xlsx"
        shutil.move(path, kept)
        make(path)
        return path
    return replaced


def _directory(path: Path) -> None:
    path.mkdir()
    shutil.copy(path.parent.parent / "ailleurs.xlsx", path / APPLICATIONS)  # a copy filed into a folder of its name


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _not_a_file(reason: str, title: str, name: str, make: Callable[[Path], None]) -> Case:
    return Case(name, title, _replaced_by(make), check=(f"✗ {NAME} : {reason}",),
                run=(f"✗ Registre non lu : {NAME} : {reason}",), mails=ONLY_INVITATION, watch=NOTHING)


def _year_gap(folder: Path) -> Path:
    """The registers of 2024 and 2026 are there, 2025's was moved away."""
    _older_year(folder, "Registre des demandes 2024.xlsx")
    return register(folder, APPLICATIONS)


GAP = ("✗ « registres » : registre des demandes : aucun classeur pour 2025, alors que ceux de 2024 et de 2026 sont "
       "lus : s'il a été déplacé ou renommé, remettez-le dans le dossier des registres (ce qu'il contient n'est pas "
       "traité)")

DIRECTORY = ("dossier à la place du registre (le nom correspond à « Registre des demandes *.xlsx ») : remettez le "
             "classeur à sa place ou renommez le dossier ; les autres classeurs du registre ne suffisent pas, "
             "ce qu'il contient n'est pas traité")

CASES = [
    Case("template_bomb", "modèle Word qui se décompresse en 2 Go", _template_bomb,
         check=(f"✗ {TEMPLATE_REFUSED}",), run_exit=1, mails=ALL_MAILS - {INVITATION}, watch=NOTHING,
         run=(f"✗ Convocation – Commission maintien dans le logement, séance du 02/12/2026 : {TEMPLATE_REFUSED} "
              "(nouvel essai au prochain passage)",), after=(_invitation_failed,)),
    Case("registers_folder_read_only", "dossier des registres en lecture seule", _folder_read_only,
         check=("⚠ Dossier des registres : l'outil ne peut pas y créer de fichier (Operation not permitted), il ne "
                "pourra reporter le suivi dans aucun classeur : donnez au compte du service le droit d'écrire dans "
                "ce dossier",),
         check_exit=0, run_exit=1,
         run=(f"✗ Report dans le registre impossible : {NAME} : l'outil ne peut pas écrire dans le dossier "
              "« registres » (Operation not permitted) : le suivi attend le prochain passage ; donnez au compte du "
              "service le droit d'écrire dans ce dossier.",),
         after=(_written_once_writable(lambda f: _immutable(f / "registres", False)),)),
    Case("workbook_read_only", "classeur en lecture seule (chmod 444)", _read_only_file,
         check=(f"⚠ {NAME} : classeur en lecture seule : l'outil n'y reportera pas le suivi ; retirez la lecture "
                "seule (Propriétés du fichier, ou chmod u+w) pour qu'il le fasse",),
         check_exit=0, run_exit=1,
         run=(f"✗ Report dans le registre impossible : {NAME} est en lecture seule : le suivi attend le prochain "
              "passage ; retirez la lecture seule (Propriétés du fichier, ou chmod u+w).",),
         after=(_written_once_writable(lambda f: register(f, APPLICATIONS).chmod(0o644)),)),
    Case("symlinked_register", "registre qui est un lien symbolique vers un dossier partagé", _linked,
         check=(), check_exit=0, watch=NOTHING, after=(_written_through_the_link, _restored_through_the_link)),
    _not_a_file(DIRECTORY, "dossier nommé comme le registre de l'année", "directory_register", _directory),
    _not_a_file("lien symbolique cassé (sa cible n'existe plus) : remettez le classeur à sa place ou supprimez le "
                "lien ; les autres classeurs du registre ne suffisent pas, ce qu'il contient n'est pas traité",
                "lien symbolique cassé à la place du registre", "broken_symlink",
                lambda path: path.symlink_to(path.with_name("disparu.xlsx"))),
    _not_a_file("fichier spécial (tube ou prise réseau) à la place du registre : remettez le classeur à sa place ; "
                "les autres classeurs du registre ne suffisent pas, ce qu'il contient n'est pas traité",
                "tube nommé à la place du registre", "fifo_register", _fifo),
    Case("year_missing", "registre d'une année absent entre deux autres", _year_gap, check=(GAP,),
         run=(f"✗ Registre non lu : {GAP[2:]}",), watch=NOTHING),
]
