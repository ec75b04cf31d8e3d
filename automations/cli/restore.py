"""``python run.py restore``: put back a dated copy of a register, the way it was before a write, or of the journal.

The workbook as it is now is copied first, so a restore can itself be undone;
nothing happens while the workbook is open in Excel or LibreOffice.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from ..engine.context import Context
from ..engine.journal_backup import journal_copies, restore_journal
from ..engine.run_lock import exclusive_run
from ..errors import UsageError
from ..registers.workbook_guard import busy, lock_file, target_of
from ..registers.backups import backups_of


def _when(copy: Path) -> str:
    found = re.search(r"\.(\d{8}-\d{6})\.[^.]+$", copy.name)
    stamp = datetime.strptime(found.group(1), "%Y%m%d-%H%M%S") if found else None
    return stamp.strftime("%d/%m/%Y à %H:%M:%S") if stamp else copy.name


def _workbook(ctx: Context, name: str) -> Path:
    given = Path(name)
    path = given if given.is_absolute() else ctx.config.paths.registers / given
    if not path.is_file():
        raise UsageError(f"Classeur introuvable : {path} (indiquez son nom dans le dossier des registres).")
    return path


def _pick(ctx: Context, what: str, oldest_first: list[Path], backup_dir: Path, again: str,
          choice: int | None) -> Path | None:
    """The copy to put back; None once the copies are listed (no ``choice``) or when there is none."""
    copies = list(reversed(oldest_first))
    if not copies:
        ctx.say(f"Aucune copie {what} dans {backup_dir}.")
        return None
    if choice is None:
        ctx.say(f"Copies {what} (la plus récente d'abord) :")
        for index, copy in enumerate(copies, 1):
            ctx.say(f"  {index}. copie du {_when(copy)}  ({copy.name})")
        ctx.say(f"Pour remettre la copie 1 : {again}")
        return None
    if not 1 <= choice <= len(copies):
        raise UsageError(f"Copie {choice} inconnue : choisissez entre 1 et {len(copies)}.")
    return copies[choice - 1]


def _is_journal(ctx: Context, name: str) -> bool:
    journal = ctx.config.paths.journal
    return name.lower() == "journal" or name == journal.name or Path(name) == journal


def restore_journal_copy(ctx: Context, choice: int | None) -> int:
    """The journal's copies, or one put back under the run lock (no run writes to the journal meanwhile)."""
    journal, backup_dir = ctx.config.paths.journal, ctx.config.paths.backups
    chosen = _pick(ctx, f"du journal « {journal.name} »", journal_copies(backup_dir, journal), backup_dir,
                   ctx.command("restore", "journal", "--copy", "1"), choice)
    if chosen is None:
        return 0
    with exclusive_run(journal, ctx.lock_wait_seconds):
        kept = restore_journal(journal, chosen, backup_dir, ctx.now())
    ctx.say(f"Journal « {journal.name} » remis comme le {_when(chosen)}"
            + (f" ; celui qu'il remplace est gardé dans « {kept.name} »." if kept else "."))
    ctx.say("Ce qui a été fait après cette copie n'y figure pas : lancez « check », puis « plan » pour voir ce "
            "qui serait refait avant tout « run ».")
    return 0


def restore(ctx: Context, name: str, choice: int | None) -> int:
    """Without ``choice``, list the copies, newest first; with it, put that copy back."""
    if _is_journal(ctx, name):
        return restore_journal_copy(ctx, choice)
    path = _workbook(ctx, name)
    real = target_of(path)  # a register kept behind a symbolic link: its copies bear the workbook's name
    backup_dir = ctx.config.paths.backups
    chosen = _pick(ctx, f"de « {path.name} »", backups_of(backup_dir, real), backup_dir,
                   ctx.command("restore", '"' + path.name + '"', "--copy", "1"), choice)
    if chosen is None:
        return 0
    lock = lock_file(path) or lock_file(real)
    if lock is not None:
        raise busy(path, lock, "")
    moment = ctx.now()
    current = backup_dir / f"{real.stem}.{moment.strftime('%Y%m%d-%H%M%S')}{real.suffix}"
    while current.exists():  # a copy taken this very second (by the run just before) is never overwritten
        moment += timedelta(seconds=1)
        current = backup_dir / f"{real.stem}.{moment.strftime('%Y%m%d-%H%M%S')}{real.suffix}"
    shutil.copy2(real, current)  # the workbook as it is now: a restore can be undone too
    handle, temp = tempfile.mkstemp(prefix=f".{real.stem}.", suffix=real.suffix, dir=real.parent)
    os.close(handle)
    try:
        shutil.copyfile(chosen, temp)
        os.replace(temp, real)  # the link, if any, stays a link
    finally:
        Path(temp).unlink(missing_ok=True)
    ctx.say(f"« {path.name} » remis comme le {_when(chosen)} ; l'état d'avant est gardé dans « {current.name} ».")
    return 0
