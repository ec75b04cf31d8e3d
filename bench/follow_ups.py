"""Follow-ups of a busy commission: 200 decisions, 40 vouchers, a courrier départ register of 1,500 rows.

    python -m bench suites

Runs the real ``followups`` automation on a demo service folder whose latest
session has 200 decisions, keeping the status cells and register rows it
queues; then writes them back the way the tool does (one load and one save per
workbook, whatever the number of writes) and the naive way (one load and one
save per write), each on its own copy of the registers. The two copies must
give the same workbooks.
"""

from __future__ import annotations

import io
import pickle
import random
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from automations.cli import commands
from automations.engine import executor
from automations.engine.context import Context
from automations.demo.registers import APPLICATION_HEADER
from automations.cli.demo import set_up
from automations.french import plural
from automations.registers.writeback import apply_writes
from automations.settings import load_config
from automations.transports import settings_checks

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Pacific/Noumea"))
HELD = date(2026, 11, 13)
AIDS = [("Impayés de loyer", "SIC"), ("Facture d'électricité", "EEC Engie"), ("Aide alimentaire", "Casino Johnston"),
        ("Frais de transport", "Karuïa Bus"), ("Premier loyer", "FSH")]


def _registers(folder: Path, decisions: int, outgoing_rows: int) -> None:
    rng = random.Random(5)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append(APPLICATION_HEADER)
    for n in range(1, decisions + 1):
        aid, supplier = AIDS[n % len(AIDS)]
        asked = rng.randrange(5, 300) * 1000
        decision = ["Accord", "Accord", "Accord partiel", "Refus", "Ajourné"][n % 5]
        granted = {"Accord": asked, "Accord partiel": asked // 2}.get(decision)
        ws.append([f"DEL-2026-{n:04d}", HELD - timedelta(days=30), "WAIA", f"Prénom{n}", "Nouméa",
                   "Insertion par le logement et l'emploi", aid, asked, "Mme Tein", HELD, decision, granted,
                   "Dossier incomplet" if decision == "Refus" else None, supplier if granted else None, None, None,
                   f"demandeur{n}@mail.nc" if n % 4 == 0 else None, f"{n} rue des Cocotiers", None])
    wb.save(folder / "Registre des demandes 2026.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Courrier départ"
    ws.append(["Date", "N°", "Destinataire", "Objet", "Rédacteur"])
    for n in range(1, outgoing_rows + 1):
        ws.append([date(2026, 1, 2) + timedelta(days=n // 10), f"D2026-{n:04d}", "CAFAT", "Courrier", "Accueil"])
    wb.save(folder / "Courrier départ 2026.xlsx")
    (folder / "Registre des demandes 2025.xlsx").unlink()


def _values(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    return {p.name: [tuple(r) for ws in openpyxl.load_workbook(p).worksheets for r in ws.iter_rows(values_only=True)]
            for p in sorted(folder.glob("*.xlsx"))}


def prepare(folder: Path, decisions: int, outgoing_rows: int) -> str:
    """The follow-ups run, its writes kept in ``folder`` with the registers as they were; returns a detail."""
    service = folder / "service"
    set_up(service, NOW.date(), manager="", report_now=False)
    _registers(service / "registres", decisions, outgoing_rows)
    text = (service / "config.toml").read_text(encoding="utf-8").replace("pdf = true", "pdf = false")
    (service / "config.toml").write_text(text, encoding="utf-8")
    shutil.copytree(service / "registres", folder / "registres-avant")
    queued: list[tuple[Path, object]] = []

    def record_only(ctx, journal, report):  # type: ignore[no-untyped-def]
        queued.extend((Path(w), executor.decode_write(cell)) for _, w, cell in journal.pending_writes())

    applying, commands.apply_pending_writes = commands.apply_pending_writes, record_only
    try:
        ctx = Context(config=load_config(service / "config.toml", backends=settings_checks()), clock=lambda: NOW,
                      out=io.StringIO())
        report = commands.run(ctx, "followups")
    finally:
        commands.apply_pending_writes = applying
    (folder / "ecritures.pickle").write_bytes(pickle.dumps(queued))
    filed = sum(1 for a in report.done if a.kind == "file")
    rows = f"{outgoing_rows:,}".replace(",", "\u202f")
    return (f"{decisions} décisions : {plural(len(report.done) - filed, 'e-mail', 'e-mails')}, "
            f"{plural(filed, 'document', 'documents')}, {len(queued)} "
            f"écritures dans les registres (courrier départ de {rows} lignes)")


def write_back(folder: Path, way: str) -> float:
    """Seconds to write the queued cells and rows: one load and save per workbook (``outil``) or per write."""
    queued: list[tuple[Path, object]] = pickle.loads((folder / "ecritures.pickle").read_bytes())
    target = folder / way
    shutil.copytree(folder / "registres-avant", target)
    backups = folder / f"sauvegardes-{way}"
    started = time.perf_counter()
    if way == "naif":
        for workbook, write in queued:
            apply_writes(target / workbook.name, [write], backup_dir=backups, now=NOW)  # type: ignore[list-item]
    else:
        by_workbook: dict[str, list[object]] = {}
        for workbook, write in queued:
            by_workbook.setdefault(workbook.name, []).append(write)
        for name, writes in by_workbook.items():
            apply_writes(target / name, writes, backup_dir=backups, now=NOW)  # type: ignore[arg-type]
    return time.perf_counter() - started


def same_workbooks(folder: Path) -> bool:
    return _values(folder / "naif") == _values(folder / "outil")
