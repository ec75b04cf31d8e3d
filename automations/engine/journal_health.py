"""Is the journal fit to act on? A damaged, foreign or lost journal is said in French before anything is done.

The journal is what keeps the tool from sending twice and from writing over
staff's documents: a run on a damaged one would fail halfway, and a run on an
empty one (deleted, emptied, replaced by a new file) while the documents
folder holds what the tool made would redo everything over staff's work. Both
are refused with one line naming the file and the way back (``restore
journal``, see ``journal_backups``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import UserError
from ..french import plural

RESTORE_HINT = ("remettez la dernière copie du journal : « python run.py restore journal » liste les copies "
                "(dossier des sauvegardes), « python run.py restore journal --copy 1 » remet la plus récente")


class JournalError(UserError):
    """The journal cannot be read or trusted: nothing is done until it is put back."""


def unusable(path: Path, exc: sqlite3.Error | OSError) -> JournalError:
    """One French line for what SQLite or the system said about the journal file."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return JournalError(f"Journal occupé : {path} est verrouillé par un autre programme (une copie ou un "
                            "antivirus en cours ?) ; rien n'a été fait, réessayez dans quelques minutes.")
    if isinstance(exc, PermissionError) or "readonly" in text or "unable to open" in text or "permission" in text:
        return JournalError(f"Journal inaccessible : {path} ne peut pas être ouvert en lecture et écriture par ce "
                            "compte (droits du fichier ou de son dossier) ; rien n'a été fait. Rendez-le accessible "
                            "au compte du service, ou " + RESTORE_HINT + ".")
    return damaged(path, "le fichier n'est pas une base SQLite lisible (abîmé ou tronqué)")


def damaged(path: Path, why: str) -> JournalError:
    return JournalError(f"Journal abîmé : {path} — {why} ; rien n'a été fait. Pour repartir, {RESTORE_HINT}.")


# (file, size, modification time) of journals this process has checked: a run opens its journal many times,
# and a quick check reads the whole file; a file changed since (by anyone) is checked again
_CHECKED: set[tuple[str, int, int]] = set()


def _stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def checked(path: Path) -> bool:
    stamp = _stamp(path)
    return stamp is not None and stamp in _CHECKED


def note_checked(path: Path) -> None:
    stamp = _stamp(path)
    if stamp is not None:
        _CHECKED.add(stamp)


def verify(db: sqlite3.Connection, path: Path, schema: str) -> None:
    """SQLite's own quick check, then the tables and columns the tool needs: raises :class:`JournalError`."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        raise damaged(path, "SQLite y trouve des pages abîmées (vérification « quick_check »)")
    expected = _columns(sqlite3.connect(":memory:"), schema)
    found = _columns(db, None)
    for table, columns in expected.items():
        if table in found and not columns <= found[table]:
            missing = ", ".join(sorted(columns - found[table]))
            raise damaged(path, f"la table « {table} » n'a pas les colonnes attendues ({missing}) : "
                                "ce n'est pas un journal de cet outil, ou d'une autre version")


def _columns(db: sqlite3.Connection, schema: str | None) -> dict[str, set[str]]:
    if schema is not None:
        db.executescript(schema)
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {table: {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')} for table in tables}


def tool_documents(output: Path) -> list[Path]:
    """The documents the tool files (Word, PDF) found in the documents folder."""
    if not output.is_dir():
        return []
    return sorted(p for p in output.rglob("*") if p.is_file() and p.suffix.lower() in (".docx", ".pdf")
                  and not p.name.startswith((".", "~$")))


def lost_journal(path: Path, used: bool, output: Path) -> str | None:
    """The French line « Journal perdu : … » when no run ever acted on the journal while the documents folder
    holds documents already made; None otherwise."""
    if used:
        return None
    found = tool_documents(output)
    if not found:
        return None
    return (f"Journal perdu : le journal {path} est vide (nouveau, vidé ou remplacé) alors que le dossier des "
            f"documents {output} "
            f"contient {plural(len(found), 'document déjà produit', 'documents déjà produits')} : un passage referait ces documents par-dessus ceux "
            f"que l'équipe a pu modifier, et referait les envois. Rien n'est fait : {RESTORE_HINT} ; si aucune "
            "copie n'existe, déplacez ces documents hors du dossier avant de relancer.")
