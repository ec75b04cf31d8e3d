"""The reading cache beside the journal, damaged: ``check`` and ``run`` read every workbook as if it were not there,
say nothing of it, and leave a sound cache behind."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from automations.registers.read_cache import FILE_NAME

from .runner import NOTHING, Case
from .service import APPLICATIONS, register


def _garbage(folder: Path) -> Path:
    (folder / FILE_NAME).write_bytes(b"SQLite format 3\x00" + b"\xde\xad\xbe\xef" * 2048)  # a header, then nonsense
    return register(folder, APPLICATIONS)


def _rebuilt(folder: Path) -> list[str]:
    try:
        with sqlite3.connect(folder / FILE_NAME) as db:
            entries = db.execute("SELECT count(*) FROM workbooks").fetchone()[0]
    except sqlite3.Error as exc:
        return [f"the cache was not rebuilt: {exc}"]
    problems = [] if entries else ["the rebuilt cache holds nothing"]
    if stat.S_IMODE((folder / FILE_NAME).stat().st_mode) != 0o600:
        problems.append("the rebuilt cache is readable by other accounts")
    return problems


CASES = [
    Case("cache_damaged", "cache de lecture abîmé (octets qui ne sont pas du SQLite)", _garbage, check=(),
         check_exit=0, watch=NOTHING, after=(_rebuilt,)),
]
