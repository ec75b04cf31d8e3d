"""Dated copies of the journal, beside the registers' copies: the way back from a damaged or lost journal.

A copy is made through SQLite's online backup API (a file copy of a journal
in WAL mode can miss what the ``-wal`` file holds, or catch a page half
written), at the start of each run that reads the registers, once the journal
has passed its check; the newest ``keep`` copies stay, as for the registers.
``restore_journal`` puts one back, keeping the journal it replaces.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from ..registers.backups import backups_of, prune
from .journal import Journal
from .journal_health import JournalError


def backup_journal(journal: Journal, backup_dir: Path, now: datetime, keep: int) -> Path | None:
    """A consistent copy of the open journal, named like a register's copy; None when one of this second exists."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    path = journal.path
    copy = backup_dir / f"{path.stem}.{now.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    if copy.exists():
        return None
    _copy_database(journal.db, copy)
    prune(backup_dir, path, keep)
    return copy


def journal_copies(backup_dir: Path, journal: Path) -> list[Path]:
    """The dated copies of the journal, oldest first."""
    return backups_of(backup_dir, journal)


def restore_journal(journal: Path, chosen: Path, backup_dir: Path, now: datetime) -> Path | None:
    """Put ``chosen`` back as the journal; the journal it replaces (even damaged) is kept, and returned.

    The caller holds the run lock: no run writes to the journal meanwhile."""
    _checked(chosen)
    kept = None
    if journal.exists():
        kept = backup_dir / f"{journal.stem}.remplace-{now.strftime('%Y%m%d-%H%M%S')}{journal.suffix}"
        os.replace(journal, kept)  # kept whole, as it was: a damaged journal may still tell what was done
    for side in ("-wal", "-shm"):
        # what SQLite left beside the replaced journal belongs to it: on the restored one it would corrupt it
        stale = journal.with_name(journal.name + side)
        if stale.exists():
            if kept is not None:
                os.replace(stale, kept.with_name(kept.name + side))
            else:
                stale.unlink()
    source = sqlite3.connect(f"file:{chosen}?mode=ro", uri=True)
    try:
        _copy_database(source, journal)
    finally:
        source.close()
    return kept


def _checked(copy: Path) -> None:
    try:
        db = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        try:
            fine = [row[0] for row in db.execute("PRAGMA quick_check")] == ["ok"]
        finally:
            db.close()
    except sqlite3.Error:
        fine = False
    if not fine:
        raise JournalError(f"La copie « {copy.name} » est elle-même abîmée : choisissez-en une plus ancienne.")


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into a new file, written in full before it is named ``target``."""
    temp = target.with_name(f".{target.name}.tmp")
    temp.unlink(missing_ok=True)
    destination = sqlite3.connect(temp)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone, with no -wal beside it
    finally:
        destination.close()
    os.replace(temp, target)
