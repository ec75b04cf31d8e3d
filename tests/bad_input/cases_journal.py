"""A journal that cannot be trusted: damaged (bytes that are not SQLite), or emptied while the documents folder
holds what earlier runs made. ``check`` reports it naming the file, ``run`` does nothing and sends nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .runner import Case, cli
from .service import APPLICATIONS, register

RESTORE = ("remettez la dernière copie du journal : « python run.py restore journal » liste les copies (dossier des "
           "sauvegardes), « python run.py restore journal --copy 1 » remet la plus récente")


def _journal(folder: Path) -> Path:
    return folder / "journal.sqlite3"


def _garbage(folder: Path) -> Path:
    _journal(folder).write_bytes(b"SQLite format 3\x00" + b"\xde\xad\xbe\xef" * 2048)  # a header, then nonsense
    return register(folder, APPLICATIONS)


def _emptied(folder: Path) -> Path:
    letter = folder / "documents" / "commission-maintien-dans-le-logement" / "2026-11-13" / "Courriers"
    letter.mkdir(parents=True)
    (letter / "Décision DEL-2026-0301 (accord).docx").write_bytes(b"PK\x03\x04 le courrier corrige par l'accueil")
    _journal(folder).write_bytes(b"")  # : > journal.sqlite3
    return register(folder, APPLICATIONS)


def _damaged_lines(folder: Path) -> tuple[str, str]:
    journal = _journal(folder)
    said = (f"Journal abîmé : {journal} — le fichier n'est pas une base SQLite lisible (abîmé ou tronqué) ; rien n'a "
            f"été fait. Pour repartir, {RESTORE}.")
    return f"✗ {said}", f"Erreur : {said}"


def _lost_lines(folder: Path) -> tuple[str, str]:
    said = (f"Journal perdu : le journal {_journal(folder)} est vide (nouveau, vidé ou remplacé) alors que le dossier "
            f"des documents {folder / 'documents'} contient 1 document déjà produit : un passage referait ces "
            "documents par-dessus ceux que l'équipe a pu modifier, et referait les envois. Rien n'est fait : "
            f"{RESTORE} ; si aucune copie n'existe, déplacez ces documents hors du dossier avant de relancer.")
    return f"✗ {said}", f"Erreur : {said}"


def _said_by_both(lines: Callable[[Path], tuple[str, str]]) -> Callable[[Path], list[str]]:
    """The exact lines name the service's folder: read again once the case has run, with that folder."""
    def after(folder: Path) -> list[str]:
        in_check, in_run = lines(folder)
        problems = []
        check = cli(folder / "config.toml", "check")
        if in_check not in check.lines:
            problems.append(f"check did not say {in_check!r}:\n{check.text}")
        run = cli(folder / "config.toml", "run")
        if run.lines != [in_run] or run.code != 1:
            problems.append(f"run did not say only {in_run!r} (exit {run.code}):\n{run.text}")
        letter = next((folder / "documents").rglob("*.docx"), None)
        if letter is not None and b"corrig" not in letter.read_bytes():
            problems.append(f"run wrote over {letter.name}")
        return problems
    return after


CASES = [
    Case("journal_damaged", "journal abîmé (octets qui ne sont pas du SQLite)", _garbage, check=(), run=(),
         run_exit=1, mails=frozenset(), after=(_said_by_both(_damaged_lines),)),
    Case("journal_emptied", "journal vidé alors que des documents existent", _emptied, check=(), run=(),
         run_exit=1, mails=frozenset(), after=(_said_by_both(_lost_lines),)),
]
