"""What reading each workbook gave, kept between runs so that an unchanged workbook is not parsed again.

A run after one cell of the planning changed would otherwise parse five years of applications again. The
result of one workbook for one register (its records, findings, sheet layouts and unmatched headers, before
the steps that span the register's workbooks) is stored under a key made of:

- the SHA-256 of the workbook's bytes (a copy restored over it, or a save in Excel, changes it);
- the digest of the register's mapping: every setting of the ``RegisterSpec`` that changes what is read;
- the program: the source of the reading modules, calamine's version, Python's.

Reading depends on nothing else: no clock, no year (the year only chooses which workbooks are read), and the
workbook's path is part of the row's identity. A workbook whose reading ended in a finding on the whole file
(refused, unreadable, no sheet matching) is not stored: it is looked at again on every run.

The file is an SQLite database beside the journal: each row is written in one transaction, so a process killed
in the middle leaves the previous rows. A damaged file is deleted and made anew, an entry that does not load
(damaged, or naming anything but the reading's own classes: an entry is never trusted to run code) is parsed
again: the cache can make a run faster, never stop it. It holds what the registers hold (names,
addresses, amounts), so it is readable by the service's account only (0600), and the entries of workbooks no
longer on disk are removed at each reading.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import importlib.metadata
import io
import logging
import os
import pickle
import sqlite3
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

from ..french import plural
from .findings import Finding, Severity
from .mapping import FieldSpec, RegisterSpec
from .sheet_typing import collector_paused
from .unmatched import Unmatched

FILE_NAME = "cache-lecture.sqlite3"
# bumped when what is stored changes shape (the program's digest already follows the reading code)
FORMAT = 1
log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
# the modules a workbook's reading runs through: a change in one of them makes every entry stale
_PROGRAM_FILES = (*sorted(_PACKAGE.glob("*.py")),
                  *(_PACKAGE.parent / name for name in ("addresses.py", "invisible.py", "archive_guard.py")))
# what an entry may hold: loading anything else fails, so a planted entry cannot run code
_ALLOWED = {
    "automations.registers.reader": {"Record", "Source", "Layout"},
    "automations.registers.sheet_typing": {"FormulaError"},
    "automations.registers.findings": {"Finding", "Severity"},
    "pathlib": {"PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath"},
    "datetime": {"date", "datetime", "time", "timedelta"},
}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS workbooks (
    role TEXT NOT NULL,           -- the register the workbook was read for
    path TEXT NOT NULL,           -- as the mapping's patterns found it
    key TEXT NOT NULL,            -- SHA-256 of the content, the mapping's digest and the program's
    checksum INTEGER NOT NULL,    -- CRC-32 of data: a damaged entry is parsed again
    data BLOB NOT NULL,           -- pickle of (records, findings, layouts, unmatched)
    PRIMARY KEY (role, path)
)
"""


@dataclass
class FileRead:
    """What one workbook gave for one register, before the steps across its workbooks."""

    records: list[Any] = field(default_factory=list)  # reader.Record
    findings: list[Finding] = field(default_factory=list)
    layouts: list[Any] = field(default_factory=list)  # reader.Layout
    unmatched: list[Unmatched] = field(default_factory=list)


class ReadCache:
    """The cache file at ``path``; ``create`` False: used only when it already exists (``check`` and ``plan`` on a
    service that never ran leave nothing behind)."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.create = create
        self.hits = 0  # workbooks served from the cache
        self.misses = 0  # workbooks parsed
        self._db: sqlite3.Connection | None = None
        self._opened = False

    @classmethod
    def beside(cls, journal: Path) -> ReadCache:
        """The service's cache, in the journal's folder; made once the service has a journal (its first run)."""
        return cls(journal.with_name(FILE_NAME), create=journal.exists())

    def __enter__(self) -> ReadCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def read(self, spec: RegisterSpec, path: Path, parse: Callable[[RegisterSpec, Path], FileRead]) -> FileRead:
        """``parse(spec, path)``, or what it gave for the same bytes, mapping and program."""
        if self._connection() is None:  # no cache here (yet): nothing to hash the workbook for
            self.misses += 1
            return parse(spec, path)
        before = _signature(path)
        key = _key(spec, path) if before is not None else None
        if key is not None:
            found = self._load(spec, path, key)
            if found is not None:
                self.hits += 1
                return found
        self.misses += 1
        result = parse(spec, path)
        # a workbook replaced while it was parsed is not stored under the key of its former bytes
        if key is not None and _storable(result) and _signature(path) == before:
            self._store(spec.role, path, key, result)
        return result

    def prune(self, roles: Iterable[str]) -> None:
        """Remove the entries of workbooks no longer on disk, and of registers no longer in the mapping."""
        db = self._connection()
        if db is None:
            return
        kept = set(roles)
        try:
            rows = db.execute("SELECT role, path FROM workbooks").fetchall()
            gone = [(role, path) for role, path in rows if role not in kept or not Path(path).is_file()]
            if gone:
                with _transaction(db):
                    db.executemany("DELETE FROM workbooks WHERE role = ? AND path = ?", gone)
        except sqlite3.Error as exc:
            self._failed(exc)
        log.debug("cache de lecture : %s du cache, %s", plural(self.hits, "classeur repris", "classeurs repris"),
                  plural(self.misses, "classeur lu", "classeurs lus"))

    def _connection(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            self._db = self._open()
        return self._db

    def _open(self) -> sqlite3.Connection | None:
        if not self.path.exists() and not self.create:
            return None
        try:
            return _connect(self.path)
        except (sqlite3.OperationalError, OSError) as exc:
            # busy with another command's write, or out of this account's reach: read without it this time
            log.debug("cache de lecture %s inaccessible (%s)", self.path.name, exc)
            return None
        except sqlite3.DatabaseError as exc:
            log.debug("cache de lecture %s illisible, refait (%s)", self.path.name, exc)
        return self._rebuilt()

    def _rebuilt(self) -> sqlite3.Connection | None:
        """A new, empty file in place of a damaged one (or of another program's file): it only held a cache."""
        self.close()
        try:
            for leftover in (self.path, *(self.path.with_name(self.path.name + s) for s in ("-journal", "-wal", "-shm"))):
                leftover.unlink(missing_ok=True)
            return _connect(self.path)
        except (sqlite3.Error, OSError) as exc:
            log.debug("cache de lecture %s inutilisable (%s) : registres lus sans lui", self.path.name, exc)
            return None

    def _failed(self, exc: sqlite3.Error) -> None:
        log.debug("cache de lecture %s : %s", self.path.name, exc)
        # damaged pages are found when read; a busy file (another command reading) is left as it is
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._db = self._rebuilt()

    def _load(self, spec: RegisterSpec, path: Path, key: str) -> FileRead | None:
        db = self._connection()
        if db is None:
            return None
        try:
            row = db.execute("SELECT checksum, data FROM workbooks WHERE role = ? AND path = ? AND key = ?",
                             (spec.role, str(path), key)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return None
        if row is None or zlib.crc32(row[1]) != row[0]:
            return None
        try:
            with collector_paused():
                records, findings, layouts, unmatched = _Unpickler(io.BytesIO(row[1])).load()
            return FileRead(records, findings, layouts, [_unmatched(spec, *u) for u in unmatched])
        except Exception as exc:  # whatever an entry holds, it is parsed again rather than trusted
            log.debug("cache de lecture %s : entrée de %s écartée (%s)", self.path.name, path.name, exc)
            return None

    def _store(self, role: str, path: Path, key: str, result: FileRead) -> None:
        db = self._connection()
        if db is None:
            return
        unmatched = [(u.file, u.sheet, u.header_row, u.field, u.closest) for u in result.unmatched]
        data = pickle.dumps((_shared(result.records), result.findings, result.layouts, unmatched),
                            protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with _transaction(db):
                db.execute("INSERT OR REPLACE INTO workbooks (role, path, key, checksum, data) VALUES (?, ?, ?, ?, ?)",
                           (role, str(path), key, zlib.crc32(data), data))
        except sqlite3.Error as exc:  # a full disk, a read-only folder: the next run parses again
            self._failed(exc)


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # created for the service's account alone: it holds what the registers hold
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)
    db = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    try:
        # a write-ahead log: a process killed mid-write leaves the last committed state, and a commit waits for no
        # disk flush (a power cut may lose the last entries, which the next run parses again)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            with _transaction(db):
                db.execute("DROP TABLE IF EXISTS workbooks")
                db.execute(_SCHEMA)
                db.execute(f"PRAGMA user_version = {FORMAT}")
        try:
            db.execute("SELECT role, path, key, checksum, data FROM workbooks LIMIT 0")
        except sqlite3.OperationalError as exc:  # another program's database under this name
            raise sqlite3.DatabaseError(str(exc)) from exc
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if name not in _ALLOWED.get(module, ()):
            raise pickle.UnpicklingError(f"{module}.{name} refusé")
        return super().find_class(module, name)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        seen = path.stat()
    except OSError:
        return None
    return seen.st_mtime_ns, seen.st_size, seen.st_ino


def _key(spec: RegisterSpec, path: Path) -> str | None:
    try:
        with open(path, "rb") as stream:
            content = hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None  # the reading says what is wrong with it
    return hashlib.sha256(f"{content}\n{spec_digest(spec)}\n{program_digest()}".encode()).hexdigest()


def _storable(result: FileRead) -> bool:
    """False when the workbook as a whole was not read: refused, unreadable, no sheet found."""
    return not any(f.sheet is None and f.row is None and f.severity is Severity.ERROR for f in result.findings)


def spec_digest(spec: RegisterSpec) -> str:
    """A digest of everything in the register's mapping that changes what reading a workbook gives."""
    described = (spec.role, spec.files, spec.sheets, spec.header_row, spec.key,
                 [_field(fs) for fs in spec.fields.values()], [_field(fs) for fs in spec.own_fields.values()])
    return hashlib.sha256(repr(described).encode()).hexdigest()


def _field(fs: FieldSpec) -> tuple[Any, ...]:
    kind = type(fs.type)
    # a type's public settings (a choice's values and spellings, a number's range); its own caches start with _
    settings = sorted((name, repr(value)) for name, value in vars(fs.type).items() if not name.startswith("_"))
    return (fs.name, fs.headers, f"{kind.__module__}.{kind.__qualname__}", settings, fs.required, fs.write_back,
            repr(fs.default), repr(fs.value))


@cache
def program_digest() -> str:
    try:
        calamine = importlib.metadata.version("python-calamine")
    except importlib.metadata.PackageNotFoundError:  # a frozen build: its program files say the version
        calamine = "?"
    digest = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]} {calamine}".encode())
    for path in _PROGRAM_FILES:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def _shared(records: list[Any]) -> list[Any]:
    """The records with each distinct text, number and date held once: thousands of rows repeat a commune, a
    worker, an amount, a session's date; a smaller entry loads faster. Values stay equal and of the same type."""
    seen: dict[tuple[type, Any], Any] = {}

    def one(value: Any) -> Any:
        kind = value.__class__
        # floats are left alone: 0.0 and -0.0 are equal but not the same value
        if kind is str or kind is int or kind is date or kind is time:
            return seen.setdefault((kind, value), value)
        return value

    return [dataclasses.replace(r, values={k: one(v) for k, v in r.values.items()},
                                identity=tuple((h, one(v)) for h, v in r.identity)) for r in records]


def _unmatched(spec: RegisterSpec, file: Path, sheet: str, header_row: int, name: str,
               closest: tuple[str, ...]) -> Unmatched:
    # the mapping's own field, not a copy: the digest in the key says it is the same
    return Unmatched(file, sheet, header_row, name, spec.all_fields[name], closest)
