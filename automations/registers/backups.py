"""Dated copies of a register, taken before each save: the way back from any write-back (``restore``)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path


def take_backup(path: Path, backup_dir: Path, now: datetime) -> tuple[Path, bool]:
    """The dated copy of ``path`` before this save, and whether this call made it."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    backup = backup_dir / f"{path.stem}.{now.strftime('%Y%m%d-%H%M%S')}{path.suffix}"
    # a second write in the same second must not overwrite the copy of the true original
    if backup.exists():
        return backup, False
    shutil.copy2(path, backup)
    return backup, True


def backups_of(backup_dir: Path, path: Path) -> list[Path]:
    """The dated copies of ``path``, oldest first."""
    # an exact pattern: "Planning.xlsx" must not take the copies of "Planning.2026 bis.xlsx"
    own = re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}" + re.escape(path.suffix) + "$")
    return sorted(p for p in backup_dir.iterdir() if own.match(p.name)) if backup_dir.is_dir() else []


def prune(backup_dir: Path, path: Path, keep: int) -> None:
    """Keep the ``keep`` newest copies of ``path``."""
    copies = backups_of(backup_dir, path)
    for old in copies[:-keep] if keep > 0 else copies:
        old.unlink(missing_ok=True)
