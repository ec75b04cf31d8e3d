"""The journal: what was done, with which key, in SQLite.

One row per action key holds the last state that was delivered (revision,
fingerprint, payload) and the state of the attempt under way. An attempt is
recorded as begun *before* the transport is called, so a crash between the
send and the record is detected on the next run and resolved by asking the
transport whether that delivery exists.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import journal_health

_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    key TEXT PRIMARY KEY,
    automation TEXT NOT NULL,
    status TEXT NOT NULL,              -- done | pending | failed
    kind TEXT NOT NULL,                -- create | update | cancel (of the last attempt)
    revision INTEGER,                  -- last delivered revision, NULL before the first
    fingerprint TEXT,                  -- of the last delivered state
    payload TEXT NOT NULL DEFAULT '{}',-- last delivered state (JSON)
    external_ref TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    pending_revision INTEGER,
    pending_fingerprint TEXT,
    pending_payload TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    automation TEXT NOT NULL,
    kind TEXT NOT NULL,
    revision INTEGER NOT NULL,
    outcome TEXT NOT NULL,             -- sent | recovered | prepared | failed
    summary TEXT NOT NULL,
    external_ref TEXT,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS writebacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    workbook TEXT NOT NULL,
    cell TEXT NOT NULL,                -- JSON of the CellWrite or RowAppend
    status TEXT NOT NULL,              -- pending | done | failed | sidecar
    last_error TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE TABLE IF NOT EXISTS numbers (
    series TEXT NOT NULL,              -- voucher | mail_out
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    owner TEXT NOT NULL,               -- the delivery (key#revision) the number was given to
    at TEXT NOT NULL,
    PRIMARY KEY (series, year, seq),
    UNIQUE (series, owner)
);
CREATE TABLE IF NOT EXISTS incidents (
    automation TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    message TEXT NOT NULL,             -- French, without personal data
    closed_at TEXT,
    PRIMARY KEY (automation, opened_at)
);
CREATE TABLE IF NOT EXISTS renders (
    path TEXT PRIMARY KEY,             -- a document staff may edit (the minutes' draft)
    digest TEXT NOT NULL,              -- of the version the tool put there last
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS printed (
    key TEXT NOT NULL,                 -- a document prepared for the post (event outcome « prepared »)
    revision INTEGER NOT NULL,
    batch TEXT NOT NULL,               -- the print batch it went into ("" when none could be made)
    at TEXT NOT NULL,
    PRIMARY KEY (key, revision)
);
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,             -- first_run: when a run first acted on this journal
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerts (
    key TEXT PRIMARY KEY,              -- the alert's action key: its mail is due until that action is delivered
    text TEXT NOT NULL,                -- French, as raised by a planner
    raised_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attendance (
    key TEXT PRIMARY KEY,              -- the meeting's action key
    rows TEXT NOT NULL,                -- JSON: expected attendance, for the minutes
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Entry:
    key: str
    automation: str
    status: str
    kind: str
    revision: int | None
    fingerprint: str | None
    payload: dict[str, Any]
    external_ref: str | None
    attempts: int
    pending_revision: int | None
    pending_fingerprint: str | None
    pending_payload: dict[str, Any] | None
    last_error: str | None
    updated_at: str

    @property
    def delivered(self) -> bool:
        return self.revision is not None


@dataclass(frozen=True)
class Event:
    key: str
    automation: str
    kind: str
    revision: int
    outcome: str
    summary: str
    external_ref: str | None
    at: str


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


class Journal:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly  # check and plan: nothing done, only looked at
        # check and plan must not leave a journal behind where none was
        target = ":memory:" if readonly and not path.exists() else str(path)
        try:
            if target != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: explicit transactions, so each step is durable on its own
            self.db = sqlite3.connect(target, isolation_level=None, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise journal_health.unusable(path, exc) from exc
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            # damage found now, in French and naming the file, rather than halfway through a run
            if target == ":memory:" or not journal_health.checked(path):
                journal_health.verify(self.db, path, _SCHEMA)
            self.db.executescript(_SCHEMA)
            if target != ":memory:":
                journal_health.note_checked(path)
        except (sqlite3.Error, OSError) as exc:
            self.db.close()
            raise journal_health.unusable(path, exc) from exc
        except journal_health.JournalError:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def entries(self, automation: str) -> dict[str, Entry]:
        rows = self.db.execute("SELECT * FROM actions WHERE automation = ?", (automation,))
        return {row["key"]: _entry(row) for row in rows}

    def used(self) -> bool:
        """Whether any run has acted on this journal (even one killed before its first action was recorded)."""
        if self.db.execute("SELECT 1 FROM actions LIMIT 1").fetchone():
            return True
        return self.db.execute("SELECT 1 FROM meta WHERE name='first_run'").fetchone() is not None

    def note_first_run(self, now: datetime) -> None:
        """Said before a run renders anything: the documents it leaves, even killed, are known to this journal."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('first_run', ?)", (now.isoformat(),))

    def first_run(self) -> datetime | None:
        """When a run first acted on this journal: what came before is the service's history, not news."""
        row = self.db.execute("SELECT value FROM meta WHERE name='first_run'").fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def note_alerts(self, alerts: list[tuple[str, str]], now: datetime) -> None:
        """(key, text) of alerts raised by this run's plans, kept until their mail is recorded as sent."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO alerts (key, text, raised_at) VALUES (?, ?, ?)",
                           [(key, text, now.isoformat()) for key, text in alerts])

    def unsent_alerts(self) -> list[str]:
        """Texts of the alerts raised by earlier runs whose mail was never recorded as delivered, oldest first."""
        rows = self.db.execute("SELECT l.text FROM alerts l LEFT JOIN actions a ON a.key = l.key "
                               "WHERE a.revision IS NULL ORDER BY l.raised_at, l.key")
        return [r["text"] for r in rows]

    def entry(self, key: str) -> Entry | None:
        row = self.db.execute("SELECT * FROM actions WHERE key = ?", (key,)).fetchone()
        return _entry(row) if row else None

    def begin(self, key: str, automation: str, kind: str, revision: int, fingerprint: str,
              payload: dict[str, Any], now: datetime) -> None:
        """Record the attempt before the transport is called (see the module's docstring)."""
        stamp = now.isoformat()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO actions (key, automation, status, kind, attempts, pending_revision,"
                " pending_fingerprint, pending_payload, created_at, updated_at)"
                " VALUES (?, ?, 'pending', ?, 1, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET status='pending', kind=excluded.kind, attempts=attempts+1,"
                " pending_revision=excluded.pending_revision, pending_fingerprint=excluded.pending_fingerprint,"
                " pending_payload=excluded.pending_payload, updated_at=excluded.updated_at",
                (key, automation, kind, revision, fingerprint, dumps(payload), stamp, stamp))

    def complete(self, key: str, automation: str, kind: str, revision: int, fingerprint: str,
                 payload: dict[str, Any], external_ref: str, summary: str, now: datetime,
                 writes: list[tuple[str, str]], recovered: bool = False) -> None:
        """Record a delivery and queue its write-backs, in one transaction."""
        stamp = now.isoformat()
        with self.transaction() as db:
            db.execute(
                "UPDATE actions SET status='done', kind=?, revision=?, fingerprint=?, payload=?,"
                " external_ref=?, pending_revision=NULL, pending_fingerprint=NULL, pending_payload=NULL,"
                " last_error=NULL, attempts=0, updated_at=? WHERE key=?",
                (kind, revision, fingerprint, dumps(payload), external_ref, stamp, key))
            db.execute(
                "INSERT INTO events (key, automation, kind, revision, outcome, summary, external_ref, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, automation, kind, revision, _outcome(kind, recovered), summary, external_ref, stamp))
            db.executemany(
                "INSERT INTO writebacks (key, workbook, cell, status, created_at) VALUES (?, ?, ?, 'pending', ?)",
                [(key, workbook, cell, stamp) for workbook, cell in writes])

    def fail(self, key: str, automation: str, kind: str, revision: int, error: str, now: datetime) -> None:
        stamp = now.isoformat()
        with self.transaction() as db:
            db.execute("UPDATE actions SET status='failed', last_error=?, updated_at=? WHERE key=?",
                       (error, stamp, key))
            db.execute(
                "INSERT INTO events (key, automation, kind, revision, outcome, summary, at)"
                " VALUES (?, ?, ?, ?, 'failed', ?, ?)", (key, automation, kind, revision, error, stamp))

    def events(self, limit: int = 50, automation: str | None = None) -> list[Event]:
        sql = "SELECT * FROM events"
        args: tuple[Any, ...] = ()
        if automation:
            sql += " WHERE automation = ?"
            args = (automation,)
        rows = self.db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [Event(r["key"], r["automation"], r["kind"], r["revision"], r["outcome"], r["summary"],
                      r["external_ref"], r["at"]) for r in reversed(rows)]

    def event_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def events_since(self, start: datetime) -> list[Event]:
        """Events at or after ``start``, oldest first."""
        # stamps are ISO texts with their UTC offset: the text comparison only narrows the rows (a day's
        # margin covers any offset), the exact comparison is made on the parsed moments
        rows = self.db.execute("SELECT * FROM events WHERE at >= ? ORDER BY id",
                               ((start - timedelta(days=1)).isoformat(),)).fetchall()
        return [Event(r["key"], r["automation"], r["kind"], r["revision"], r["outcome"], r["summary"],
                      r["external_ref"], r["at"]) for r in rows if datetime.fromisoformat(r["at"]) >= start]

    def unbatched(self, automations: Collection[str]) -> list[tuple[Event, dict[str, Any]]]:
        """Documents prepared for the post and in no print batch yet, each with its action's payload.

        Read from the events, which the delivery's own transaction writes: a run killed before its
        batch leaves them here for the next run's batch."""
        marks = ",".join("?" * len(automations))
        rows = self.db.execute(
            "SELECT e.*, a.payload AS action_payload FROM events e LEFT JOIN actions a ON a.key = e.key"
            f" WHERE e.outcome = 'prepared' AND e.automation IN ({marks}) AND NOT EXISTS"
            " (SELECT 1 FROM printed p WHERE p.key = e.key AND p.revision = e.revision) ORDER BY e.id",
            tuple(automations)).fetchall()
        return [(Event(r["key"], r["automation"], r["kind"], r["revision"], r["outcome"], r["summary"],
                       r["external_ref"], r["at"]), json.loads(r["action_payload"] or "{}")) for r in rows]

    def note_batched(self, items: list[tuple[str, int]], batch: str, now: datetime) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO printed (key, revision, batch, at) VALUES (?, ?, ?, ?)",
                           [(key, revision, batch, now.isoformat()) for key, revision in items])

    def note_attendance(self, key: str, rows: list[dict[str, str]], now: datetime) -> None:
        """The members' latest answers to a meeting: the minutes start from them."""
        with self.transaction() as db:
            db.execute("INSERT INTO attendance (key, rows, at) VALUES (?, ?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET rows=excluded.rows, at=excluded.at",
                       (key, dumps(rows), now.isoformat()))

    def attendance(self, key: str) -> list[dict[str, str]] | None:
        row = self.db.execute("SELECT rows FROM attendance WHERE key=?", (key,)).fetchone()
        return json.loads(row["rows"]) if row else None

    def pending_writes(self) -> list[tuple[int, str, str]]:
        rows = self.db.execute("SELECT id, workbook, cell FROM writebacks WHERE status='pending' ORDER BY id")
        return [(r["id"], r["workbook"], r["cell"]) for r in rows]

    def mark_writes(self, ids: list[int], status: str, now: datetime, error: str | None = None) -> None:
        if not ids:
            return
        with self.transaction() as db:
            db.executemany("UPDATE writebacks SET status=?, last_error=?, done_at=? WHERE id=?",
                           [(status, error, now.isoformat() if status == "done" else None, i) for i in ids])

    def note_render(self, path: str, digest: str, now: datetime) -> None:
        """What the tool is about to put in a document staff may edit, recorded before the file changes."""
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO renders (path, digest, at) VALUES (?, ?, ?)",
                       (path, digest, now.isoformat()))

    def rendered(self, path: str) -> str | None:
        row = self.db.execute("SELECT digest FROM renders WHERE path=?", (path,)).fetchone()
        return row["digest"] if row else None

    def sidecar_writes(self, workbook: str) -> list[tuple[str, str]]:
        """(noted at, write) of the values a register could not take, for its sidecar workbook."""
        # retention empties old ones to '{}': they leave the sidecar with the rest of their details
        rows = self.db.execute("SELECT created_at, cell FROM writebacks WHERE status='sidecar' AND workbook=? "
                               "AND cell != '{}' ORDER BY id", (workbook,))
        return [(r["created_at"], r["cell"]) for r in rows]

    def write_backlog(self) -> list[tuple[str, str, int, str | None]]:
        """(workbook, status, count, last error) of the writes still pending or sent to a sidecar."""
        rows = self.db.execute("SELECT workbook, status, COUNT(*) AS n, MAX(last_error) AS error FROM writebacks "
                               "WHERE status IN ('pending', 'sidecar') GROUP BY workbook, status ORDER BY workbook")
        return [(r["workbook"], r["status"], r["n"], r["error"]) for r in rows]

    def note_write_error(self, ids: list[int], error: str) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE writebacks SET last_error=? WHERE id=?", [(error, i) for i in ids])


def _outcome(kind: str, recovered: bool) -> str:
    # a document filed for staff (kind "file") was prepared, not sent: nothing left the service yet
    if recovered:
        return "recovered"
    return "prepared" if kind == "file" else "sent"


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(key=row["key"], automation=row["automation"], status=row["status"], kind=row["kind"],
                 revision=row["revision"], fingerprint=row["fingerprint"], payload=json.loads(row["payload"]),
                 external_ref=row["external_ref"], attempts=row["attempts"],
                 pending_revision=row["pending_revision"], pending_fingerprint=row["pending_fingerprint"],
                 pending_payload=json.loads(row["pending_payload"]) if row["pending_payload"] else None,
                 last_error=row["last_error"],
                 updated_at=row["updated_at"])
