"""The idle tick: a run that could only find nothing to do reads no register at all.

Automations are pure planners over the registers, the templates, the config, the
journal and the clock; a run whose plans had no action cannot find one later
while none of those change. So once a run found nothing to do, its inputs are
remembered in the journal's database, per selection of automations, and the next
run with the same selection is skipped when all of these still hold:

- the same register files (those the mapping's patterns find), templates, config,
  mapping and program files, and for the minutes the drafts staff may save: same
  size and modification time, or, when only the modification time moved, the
  same content (SHA-256);
- the same day in the service's time zone: every rule that makes something due
  (N days before a session, the digest's week, the report's date, the retention
  of the journal) counts in days, so a new day is planned from the registers again;
- the same journal: no action recorded since, no register write waiting;
- no transport answering for the members (Exchange) when invitations are planned:
  their answers in Outlook are an input that no file shows.

A run that did or tried anything, or whose registers were unreadable, is not
remembered: the next one works in full.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .context import Context
from ..errors import UserError
from .executor import RunReport
from .journal import Journal
from ..registers.mapping import load_mapping
from ..registers.reader import register_files
from ..transports import BACKENDS, Transport

_SCHEMA = """
CREATE TABLE IF NOT EXISTS idle_runs (
    selection TEXT PRIMARY KEY,        -- the automations of the run, sorted
    inputs TEXT NOT NULL,              -- JSON: day, journal state, and per file [size, mtime_ns, sha256]
    at TEXT NOT NULL                   -- when that run found nothing to do
)
"""
_PROGRAM = Path(__file__).resolve().parent
_Stat = tuple[int, int]  # size, mtime_ns


@dataclass
class Inputs:
    selection: str
    day: str
    files: dict[str, _Stat]

    def state(self, journal_state: list[object], digests: dict[str, str | None]) -> str:
        files = {path: [*stat, digests.get(path)] for path, stat in sorted(self.files.items())}
        return json.dumps({"day": self.day, "journal": journal_state, "files": files}, ensure_ascii=False)


def inputs(ctx: Context, names: Sequence[str]) -> Inputs | None:
    """What the run depends on now; None when it depends on something no file shows."""
    if "invitations" in names and _reads_answers(ctx):
        return None
    config = ctx.config
    try:
        mapping = load_mapping(config.paths.mapping)
    except UserError:
        return None  # the run itself says what is wrong with it
    paths = [config.source, config.paths.mapping, *sorted(_PROGRAM.rglob("*.py"))]
    for spec in mapping.registers.values():
        paths += register_files(spec, config.paths.registers)
    if config.paths.templates.is_dir():
        paths += sorted(p for p in config.paths.templates.rglob("*") if p.is_file())
    files: dict[str, _Stat] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            return None
        files[str(path)] = (stat.st_size, stat.st_mtime_ns)
    if "minutes" in names:
        # the minutes plan from their drafts too: staff saving one (or removing it) may make it due
        for path in _drafts(config.paths.journal):
            try:
                stat = path.stat()
            except OSError:
                files[str(path)] = (-1, -1)
                continue
            files[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return Inputs(",".join(sorted(names)), ctx.now().date().isoformat(), files)


def _drafts(journal_path: Path) -> list[Path]:
    """The documents staff may edit that the tool rendered (the minutes' drafts), as the journal knows them."""
    if not journal_path.exists():
        return []
    with Journal(journal_path, readonly=True) as journal:
        return [Path(row[0]) for row in journal.db.execute("SELECT path FROM renders ORDER BY path")]


def unchanged_since(ctx: Context, current: Inputs) -> str | None:
    """When the last run of this selection found nothing to do, if nothing it reads changed since; else None."""
    with Journal(ctx.config.paths.journal) as journal:
        db = _table(journal)
        row = db.execute("SELECT inputs, at FROM idle_runs WHERE selection = ?", (current.selection,)).fetchone()
        if row is None:
            return None
        before = json.loads(row["inputs"])
        if before["day"] != current.day or before["journal"] != _journal_state(db) or _pending_writes(db):
            return None
    known: dict[str, list[object]] = before["files"]
    if set(known) != set(current.files):
        return None
    for path, (size, mtime_ns) in current.files.items():
        old_size, old_mtime, digest = known[path]
        if (size, mtime_ns) == (old_size, old_mtime):
            continue
        # saved again without a change (or copied back): the content says whether it changed
        if size != old_size or digest is None or _digest(Path(path)) != digest:
            return None
    return str(row["at"])


def remember(ctx: Context, current: Inputs, report: RunReport, planned: int) -> None:
    """Keep the inputs of a run that found nothing to do; forget them after any other run."""
    with Journal(ctx.config.paths.journal) as journal:
        db = _table(journal)
        idle = (planned == 0 and not report.done and not report.recovered and not report.failed
                and not report.unreadable and not report.write_problems and not report.deferred
                and not report.interrupted and not _pending_writes(db))
        if not idle:
            db.execute("DELETE FROM idle_runs WHERE selection = ?", (current.selection,))
            return
        row = db.execute("SELECT inputs FROM idle_runs WHERE selection = ?", (current.selection,)).fetchone()
        known = json.loads(row["inputs"])["files"] if row else {}
        # a file unchanged since the last idle run keeps its digest: only new or changed files are read
        digests = {path: known[path][2] if known.get(path, [None, None])[:2] == list(stat)
                   else _digest_if_same(Path(path), stat) for path, stat in current.files.items()}
        db.execute("INSERT OR REPLACE INTO idle_runs (selection, inputs, at) VALUES (?, ?, ?)",
                   (current.selection, current.state(_journal_state(db), digests), ctx.now().isoformat()))


def say_skipped(ctx: Context, since: str) -> None:
    moment = datetime.fromisoformat(since).astimezone(ctx.zone)
    ctx.say(f"Rien à faire : registres, modèles et configuration inchangés depuis le passage du "
            f"{moment:%d/%m/%Y à %H:%M}, qui n'avait rien trouvé à faire (registres non relus).")


def _reads_answers(ctx: Context) -> bool:
    """Whether the transport reads the members' answers back (Exchange): then invitations always plan anew."""
    if ctx.transport_factory is None:
        kind: type[Transport] = BACKENDS[ctx.config.transport.backend]
    else:
        transport = ctx.transport_factory(ctx)
        try:
            kind = type(getattr(transport, "inner", transport))  # under the pilot mode's guard
        finally:
            transport.close()
    return kind.answers is not Transport.answers


def _table(journal: Journal) -> sqlite3.Connection:
    journal.db.execute(_SCHEMA)
    return journal.db


def _journal_state(db: sqlite3.Connection) -> list[object]:
    """Changes with every action recorded, attempted or answered for, and every write queued."""
    row = db.execute("SELECT (SELECT max(id) FROM events), (SELECT count(*) FROM actions), "
                     "(SELECT max(updated_at) FROM actions), (SELECT max(id) FROM writebacks), "
                     "(SELECT max(at) FROM attendance)").fetchone()
    return list(row)


def _pending_writes(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM writebacks WHERE status = 'pending' LIMIT 1").fetchone() is not None


def _digest(path: Path) -> str | None:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def _digest_if_same(path: Path, stat: _Stat) -> str | None:
    """The content's digest, if the file is still as it was before the run (else the next run works)."""
    try:
        now = path.stat()
    except OSError:
        return None
    return _digest(path) if (now.st_size, now.st_mtime_ns) == stat else None
