"""The reading cache: the same records and findings as a full reading, with only changed workbooks parsed again."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from automations.cli.demo import set_up
from automations.registers.mapping import Mapping, load_mapping
from automations.registers.read_cache import FILE_NAME, ReadCache
from automations.registers.reader import Registers, read_registers

from ..conftest import NOUMEA, PROJECT, SAMPLES, child_env

DAY = date(2026, 11, 23)
MOMENT = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)


def _sample(name: str, tmp_path: Path) -> tuple[Path, Mapping]:
    folder = tmp_path / name
    shutil.copytree(SAMPLES / name, folder)
    for path in (folder, *folder.iterdir()):  # the shipped samples are read-only
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return folder, load_mapping(PROJECT / "mappings" / f"{name}.toml")


def _demo(tmp_path: Path) -> tuple[Path, Mapping]:
    set_up(tmp_path / "demo", DAY)
    return tmp_path / "demo" / "registres", load_mapping(tmp_path / "demo" / "correspondance.toml")


def service(name: str, tmp_path: Path) -> tuple[Path, Mapping]:
    return _demo(tmp_path) if name == "demo" else _sample(name, tmp_path)


def dump(registers: Registers) -> list[str]:
    """Everything reading gives, as text: records, findings, sheet layouts, unmatched headers."""
    lines = [repr((r.role, r.source, r.values, r.identity, r.headers, sorted(r.writable)))
             for role in registers.records for r in registers.records[role]]
    lines += [repr(f) for f in registers.findings]
    lines += [repr((role, layouts)) for role, layouts in registers.layouts.items()]
    lines += [repr((u.file, u.sheet, u.header_row, u.field, u.closest, u.describe())) for u in registers.unmatched]
    lines += [repr(registers.files), repr(registers.role_files)]
    return lines


def read(folder: Path, mapping: Mapping, cache_file: Path | None = None) -> tuple[Registers, ReadCache | None]:
    if cache_file is None:
        return read_registers(mapping, folder, DAY.year), None
    with ReadCache(cache_file) as cache:
        return read_registers(mapping, folder, DAY.year, cache), cache


def pairs(registers: Registers) -> int:
    """The (register, workbook) readings: a workbook holding several registers is read once for each."""
    return sum(len(files) for files in registers.role_files.values())


def rows(cache_file: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(cache_file) as db:
        return sorted((Path(path).name, role) for role, path in db.execute("SELECT role, path FROM workbooks"))


@pytest.mark.parametrize("name", ["province-sud-del", "ccas-lifou", "demo"])
def test_cold_and_warm_cache_give_what_a_full_reading_gives(name: str, tmp_path: Path) -> None:
    folder, mapping = service(name, tmp_path)
    cache_file = tmp_path / FILE_NAME
    plain, _ = read(folder, mapping)
    cold, first = read(folder, mapping, cache_file)
    warm, second = read(folder, mapping, cache_file)
    assert dump(cold) == dump(plain) and dump(warm) == dump(plain)
    assert plain.of("applications") and plain.findings  # there is something to compare
    assert (first.hits, first.misses) == (0, pairs(plain))
    assert (second.hits, second.misses) == (pairs(plain), 0)  # nothing parsed the second time
    # the records of one sheet share their headers and status columns, as a full reading's do (memory, speed)
    sheets: dict[tuple[str, Path, str], set[tuple[int, int]]] = {}
    for role, records in warm.records.items():
        for r in records:
            sheets.setdefault((role, r.source.file, r.source.sheet), set()).add((id(r.headers), id(r.writable)))
    assert sheets and all(len(shared) == 1 for shared in sheets.values())
    # unmatched headers point at the mapping's own fields, as a full reading's do
    assert all(any(u.spec is spec.all_fields.get(u.field) for spec in mapping.registers.values())
               for u in warm.unmatched)
    if sys.platform != "win32":
        assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600  # as personal as the registers


def _planning(folder: Path) -> Path:
    return next(folder.glob("Planning des instances *.xlsx"))


def _set_cell(path: Path, sheet: str, column_header: str, row: int, value: object) -> None:
    workbook = openpyxl.load_workbook(path)
    ws = workbook[sheet]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if any(c.value == column_header for c in r))
    column = next(c.column for c in header if c.value == column_header)
    ws.cell(row=row, column=column, value=value)
    workbook.save(path)


def test_a_changed_workbook_is_read_again_and_the_others_come_from_the_cache(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    before, _ = read(folder, mapping, cache_file)
    session = next(r for r in before.of("sessions") if r.values["room"])
    _set_cell(_planning(folder), session.source.sheet, session.headers["room"], session.source.row, "Salle Kanaky")
    after, cache = read(folder, mapping, cache_file)
    plain, _ = read(folder, mapping)
    changed = next(r for r in after.of("sessions") if r.source == session.source)
    assert changed.values["room"] == "Salle Kanaky"
    assert dump(after) == dump(plain)
    planning_roles = [role for role, files in after.role_files.items() if _planning(folder) in files]
    assert sorted(planning_roles) == ["committees", "members", "rooms", "sessions"]
    # the planning parsed again for each register it holds; both years of applications and the suppliers not
    assert (cache.hits, cache.misses) == (pairs(after) - 4, 4)


@pytest.mark.parametrize("old, new, seen", [
    # a header renamed: the column is no longer found
    ('commune = { headers = ["Commune"], type = "text" }', 'commune = { headers = ["Commune de résidence"], type = "text" }',
     "champ « commune » sans colonne"),
    # a choice taken away: its rows become findings
    ('accord_partiel = ["Accord partiel"], ', "", "valeur inconnue"),
], ids=["header", "choices"])
def test_a_changed_mapping_reads_its_register_again(old: str, new: str, seen: str, tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    before, _ = read(folder, mapping, cache_file)
    text = (PROJECT / "mappings" / "province-sud-del.toml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "changed.toml").write_text(text.replace(old, new), encoding="utf-8")
    changed = load_mapping(tmp_path / "changed.toml")
    after, cache = read(folder, changed, cache_file)
    plain, _ = read(folder, changed)
    assert dump(after) == dump(plain) != dump(before)
    said = [u.describe() for u in after.unmatched] + [f.reason for f in after.findings]
    assert any(seen in line for line in said) and not any(seen in line for line in
                                                           [u.describe() for u in before.unmatched] + [f.reason for f in before.findings])
    applications = len(after.role_files["applications"])
    assert (cache.hits, cache.misses) == (pairs(after) - applications, applications)


# The child reads the registers with a cache it kills at the commit of its first write: SQLite has written the
# entry's pages into the write-ahead log by then (its page cache is kept tiny), not yet marked as committed.
KILLED_AT_COMMIT = """
import os, signal, sys
from pathlib import Path
from automations.registers import read_cache
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers

connect = read_cache._connect

def dying(path):
    db = connect(path)
    db.execute("PRAGMA cache_size = -8")
    db.set_trace_callback(lambda sql: os.kill(os.getpid(), signal.SIGKILL) if sql == "COMMIT" else None)
    return db

read_cache._connect = dying
folder, mapping, cache_file = Path(sys.argv[1]), load_mapping(Path(sys.argv[2])), Path(sys.argv[3])
with read_cache.ReadCache(cache_file) as cache:
    read_registers(mapping, folder, 2026, cache)
"""


def test_a_run_killed_while_writing_the_cache_leaves_it_usable(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    read(folder, mapping, cache_file)
    register = folder / "Registre des demandes 2025.xlsx"
    first = next(r for r in read(folder, mapping)[0].of("applications") if r.source.file == register)
    _set_cell(register, first.source.sheet, first.headers["last_name"], first.source.row, "KILLED")
    child = subprocess.run([sys.executable, "-c", KILLED_AT_COMMIT, str(folder), str(mapping.source), str(cache_file)],
                           cwd=PROJECT, env=child_env(MOMENT), capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    # killed halfway: the new entry's pages are written beside the file, in its write-ahead log
    log = cache_file.with_name(FILE_NAME + "-wal")
    assert log.exists() and log.stat().st_size > 100_000
    after, cache = read(folder, mapping, cache_file)
    plain, _ = read(folder, mapping)
    assert dump(after) == dump(plain)
    assert next(r for r in after.of("applications") if r.source == first.source).values["last_name"] == "KILLED"
    assert (cache.hits, cache.misses) == (pairs(after) - 1, 1)  # the rest of the cache was kept
    again, cache = read(folder, mapping, cache_file)
    assert dump(again) == dump(plain) and (cache.hits, cache.misses) == (pairs(after), 0)


def test_a_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    cache_file.write_bytes(b"\x00garbage" * 500)
    plain, _ = read(folder, mapping)
    damaged, cache = read(folder, mapping, cache_file)
    assert dump(damaged) == dump(plain) and cache.misses == pairs(plain)
    warm, cache = read(folder, mapping, cache_file)
    assert dump(warm) == dump(plain) and (cache.hits, cache.misses) == (pairs(plain), 0)


def test_a_damaged_entry_is_parsed_again(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    plain, _ = read(folder, mapping, cache_file)
    with sqlite3.connect(cache_file) as db:  # one byte changed in every entry
        db.execute("UPDATE workbooks SET data = CAST(substr(data, 1, 200) || 'x' || substr(data, 202) AS BLOB)")
    again, cache = read(folder, mapping, cache_file)
    assert dump(again) == dump(plain) and (cache.hits, cache.misses) == (0, pairs(plain))


def test_an_entry_naming_other_code_is_never_loaded(tmp_path: Path) -> None:
    import pickle
    import zlib

    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    plain, _ = read(folder, mapping, cache_file)
    planted = pickle.dumps((print, ("planted",)))
    with sqlite3.connect(cache_file) as db:
        db.execute("UPDATE workbooks SET data = ?, checksum = ?", (planted, zlib.crc32(planted)))
    again, cache = read(folder, mapping, cache_file)
    assert dump(again) == dump(plain) and cache.hits == 0


def test_entries_of_deleted_workbooks_are_removed(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    read(folder, mapping, cache_file)
    assert ("Registre des demandes 2025.xlsx", "applications") in rows(cache_file)
    (folder / "Registre des demandes 2025.xlsx").unlink()
    after, _ = read(folder, mapping, cache_file)
    assert dump(after) == dump(read(folder, mapping)[0])
    assert rows(cache_file) == [
        ("Fournisseurs.xlsx", "suppliers"), ("Planning des instances 2026.xlsx", "committees"),
        ("Planning des instances 2026.xlsx", "members"), ("Planning des instances 2026.xlsx", "rooms"),
        ("Planning des instances 2026.xlsx", "sessions"), ("Registre des demandes 2026.xlsx", "applications")]


def test_an_unreadable_workbook_is_looked_at_again_each_time(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    cache_file = tmp_path / FILE_NAME
    (folder / "Registre des demandes 2024.xlsx").write_bytes(b"PK\x03\x04 cut short")
    for _ in range(2):
        registers, cache = read(folder, mapping, cache_file)
        assert any(f.file.endswith("2024.xlsx") and "fichier illisible" in f.reason for f in registers.findings)
        assert cache.misses >= 1
    assert ("Registre des demandes 2024.xlsx", "applications") not in rows(cache_file)
    (folder / "Registre des demandes 2024.xlsx").unlink()
    shutil.copy(folder / "Registre des demandes 2025.xlsx", folder / "Registre des demandes 2024.xlsx")
    registers, _ = read(folder, mapping, cache_file)
    assert not any(f.file.endswith("2024.xlsx") and "fichier illisible" in f.reason for f in registers.findings)


def test_no_cache_file_is_made_for_a_service_that_never_ran(tmp_path: Path) -> None:
    folder, mapping = _sample("province-sud-del", tmp_path)
    with ReadCache.beside(tmp_path / "journal.sqlite3") as cache:
        read_registers(mapping, folder, DAY.year, cache)
    assert not (tmp_path / FILE_NAME).exists()
    (tmp_path / "journal.sqlite3").touch()
    with ReadCache.beside(tmp_path / "journal.sqlite3") as cache:
        read_registers(mapping, folder, DAY.year, cache)
    assert (tmp_path / FILE_NAME).exists()


def _check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "--verbose", "check"],
                          cwd=PROJECT, env=child_env(MOMENT), capture_output=True, text=True, timeout=300)


def test_check_from_the_shell_says_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    from automations.engine.journal import Journal

    set_up(tmp_path, DAY)
    config = tmp_path / "config.toml"
    without = _check(config)  # no journal yet: the service never ran, no cache is made
    assert not (tmp_path / FILE_NAME).exists()
    Journal(tmp_path / "journal.sqlite3").close()
    cold, warm = _check(config), _check(config)
    (tmp_path / FILE_NAME).write_bytes(b"\x7fELF not a database" * 100)
    damaged = _check(config)
    assert without.returncode == cold.returncode == warm.returncode == damaged.returncode == 1  # the demo's findings
    assert "ligne saisie deux fois" in without.stdout
    assert without.stdout == cold.stdout == warm.stdout == damaged.stdout
    assert "cache de lecture : 0 classeur repris du cache, 9 classeurs lus" in cold.stderr
    assert "cache de lecture : 9 classeurs repris du cache, 0 classeur lu" in warm.stderr
    assert "cache de lecture : 0 classeur repris du cache, 9 classeurs lus" in damaged.stderr
    for result in (cold, warm, damaged):
        assert "Traceback" not in result.stderr + result.stdout and "Erreur inattendue" not in result.stdout
    with sqlite3.connect(tmp_path / FILE_NAME) as db:  # rebuilt
        assert db.execute("SELECT count(*) FROM workbooks").fetchone()[0] == 9
