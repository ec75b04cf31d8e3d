"""Reading the registers after one cell of the planning changed, on 5 years × 10,000 applications.

    python -m bench cache

The service is built as the idle tick's (``bench/data.py``) in a folder of its own, run until it has nothing
left to do, its reading cache filled; then one cell of the planning workbook changes, as staff typing an agenda
would. The tool reads the registers with its cache (the planning parsed again, the applications taken from the
cache); the naive way reads them all. Each way keeps a digest of what it read: both must be the same.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import openpyxl

from automations.registers.mapping import load_mapping
from automations.registers.read_cache import ReadCache
from automations.registers.reader import Registers, read_registers
from automations.settings import load_config
from automations.transports import settings_checks

from .cases import TODAY, number

AGENDA = "Ordre du jour / observations"


def prepare(config: Path) -> str:
    """The cache filled from the settled service, then the agenda of the planning's first session changed."""
    loaded = load_config(config, backends=settings_checks())
    with ReadCache.beside(loaded.paths.journal) as cache:
        read_registers(load_mapping(loaded.paths.mapping), loaded.paths.registers, TODAY.year, cache)
    planning = next(loaded.paths.registers.glob("Planning des instances *.xlsx"))
    workbook = openpyxl.load_workbook(planning)
    sheet = workbook[f"Planning {TODAY.year}"]
    column = next(c.column for c in sheet[4] if c.value == AGENDA)
    cell = sheet.cell(row=5, column=column)
    # another text each time: a kept data folder measured again still has a changed cell
    cell.value = "Ordre du jour modifié" if cell.value != "Ordre du jour modifié" else "Ordre du jour revu"
    workbook.save(planning)
    return f"une cellule du planning changée ({planning.name}, « {AGENDA} »)"


def read(config: Path, way: str) -> tuple[float, str]:
    """Seconds to read every register, with the cache (``outil``) or without (``naif``); a detail."""
    loaded = load_config(config, backends=settings_checks())
    mapping = load_mapping(loaded.paths.mapping)
    started = time.perf_counter()
    if way == "outil":
        with ReadCache.beside(loaded.paths.journal) as cache:
            registers = read_registers(mapping, loaded.paths.registers, TODAY.year, cache)
        seconds = time.perf_counter() - started
        detail = f"{cache.hits} lectures reprises du cache, {cache.misses} refaites"
    else:
        registers = read_registers(mapping, loaded.paths.registers, TODAY.year)
        seconds = time.perf_counter() - started
        detail = ""
    records = sum(len(r) for r in registers.records.values())
    (config.parent / f"lecture-{way}.sha256").write_text(digest(registers), encoding="utf-8")
    return seconds, detail or f"{number(records)} lignes lues, {number(len(registers.findings))} constats"


def same(config: Path) -> bool:
    return len({(config.parent / f"lecture-{way}.sha256").read_text(encoding="utf-8") for way in ("naif", "outil")}) == 1


def digest(registers: Registers) -> str:
    """Every record (role, place, values, key, headers, status columns), finding, layout and unmatched header."""
    h = hashlib.sha256()
    for records in registers.records.values():
        for r in records:
            h.update(repr((r.role, r.source, r.values, r.identity, r.headers, sorted(r.writable))).encode())
    for item in (*registers.findings, *registers.layouts.items()):
        h.update(repr(item).encode())
    for u in registers.unmatched:
        h.update(u.describe().encode())
    return h.hexdigest()
