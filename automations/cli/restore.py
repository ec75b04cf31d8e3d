"""``python run.py restore``: put back a dated copy of a register, the way it was before a write.

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


def restore(ctx: Context, name: str, choice: int | None) -> int:
    """Without ``choice``, list the copies, newest first; with it, put that copy back."""
    path = _workbook(ctx, name)
    real = target_of(path)  # a register kept behind a symbolic link: its copies bear the workbook's name
    backup_dir = ctx.config.paths.backups
    copies = list(reversed(backups_of(backup_dir, real)))
    if not copies:
        ctx.say(f"Aucune copie de « {path.name} » dans {backup_dir}.")
        return 0
    if choice is None:
        ctx.say(f"Copies de « {path.name} » (la plus récente d'abord) :")
        for index, copy in enumerate(copies, 1):
            ctx.say(f"  {index}. copie du {_when(copy)}  ({copy.name})")
        again = ctx.command("restore", '"' + path.name + '"', "--copy", "1")
        ctx.say(f"Pour remettre la copie 1 : {again}")
        return 0
    if not 1 <= choice <= len(copies):
        raise UsageError(f"Copie {choice} inconnue : choisissez entre 1 et {len(copies)}.")
    lock = lock_file(path) or lock_file(real)
    if lock is not None:
        raise busy(path, lock, "")
    chosen = copies[choice - 1]
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
