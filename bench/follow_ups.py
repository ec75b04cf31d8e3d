"""Follow-ups of a busy commission: 200 decisions, 40 vouchers, a courrier départ register of 1,500 rows.

    python bench/follow_ups.py

Runs the real ``followups`` automation on a demo service folder whose latest
session has 200 decisions, then writes its status cells and register rows
back the way the tool does (one load and one save per workbook, whatever the
number of writes) and the naive way (one load and one save per write), each
on its own copy of the registers, and checks both give the same workbooks.
"""

from __future__ import annotations

import io
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from automations import commands, executor  # noqa: E402
from automations.context import Context  # noqa: E402
from automations.demo.registers import APPLICATION_HEADER  # noqa: E402
from automations.demo.service import set_up  # noqa: E402
from automations.registers.writeback import apply_writes  # noqa: E402
from automations.settings import load_config  # noqa: E402
from automations.transports import settings_checks  # noqa: E402

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Pacific/Noumea"))
HELD = date(2026, 11, 13)
DECISIONS, OUTGOING_ROWS = 200, 1500
AIDS = [("Impayés de loyer", "SIC"), ("Facture d'électricité", "EEC Engie"), ("Aide alimentaire", "Casino Johnston"),
        ("Frais de transport", "Karuïa Bus"), ("Premier loyer", "FSH")]


def _registers(folder: Path) -> None:
    rng = random.Random(5)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append(APPLICATION_HEADER)
    for n in range(1, DECISIONS + 1):
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
    for n in range(1, OUTGOING_ROWS + 1):
        ws.append([date(2026, 1, 2) + timedelta(days=n // 10), f"D2026-{n:04d}", "CAFAT", "Courrier", "Accueil"])
    wb.save(folder / "Courrier départ 2026.xlsx")
    (folder / "Registre des demandes 2025.xlsx").unlink()


def _values(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    return {p.name: [tuple(r) for ws in openpyxl.load_workbook(p).worksheets for r in ws.iter_rows(values_only=True)]
            for p in sorted(folder.glob("*.xlsx"))}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "service"
        set_up(folder, NOW.date())
        _registers(folder / "registres")
        text = (folder / "config.toml").read_text(encoding="utf-8").replace("pdf = true", "pdf = false")
        (folder / "config.toml").write_text(text, encoding="utf-8")
        pristine = Path(tmp) / "registres-avant"
        shutil.copytree(folder / "registres", pristine)
        queued: list[tuple[Path, object]] = []

        def record_only(ctx, journal, report):  # type: ignore[no-untyped-def]
            queued.extend((Path(w), executor.decode_write(cell)) for _, w, cell in journal.pending_writes())

        executor_apply, commands.apply_pending_writes = commands.apply_pending_writes, record_only
        ctx = Context(config=load_config(folder / "config.toml", backends=settings_checks()), clock=lambda: NOW,
                      out=io.StringIO())
        started = time.perf_counter()
        report = commands.run(ctx, "followups")
        planned_and_sent = time.perf_counter() - started
        commands.apply_pending_writes = executor_apply
        filed = sum(1 for a in report.done if a.kind == "file")

        timings = {}
        results = {}
        for way in ("naive", "ours"):
            target = Path(tmp) / way
            shutil.copytree(pristine, target)
            backups = Path(tmp) / f"sauvegardes-{way}"
            started = time.perf_counter()
            if way == "naive":
                for workbook, write in queued:
                    apply_writes(target / workbook.name, [write], backup_dir=backups, now=NOW)  # type: ignore[list-item]
            else:
                by_workbook: dict[str, list[object]] = {}
                for workbook, write in queued:
                    by_workbook.setdefault(workbook.name, []).append(write)
                for name, writes in by_workbook.items():
                    apply_writes(target / name, writes, backup_dir=backups, now=NOW)  # type: ignore[arg-type]
            timings[way] = time.perf_counter() - started
            results[way] = _values(target)
        assert results["naive"] == results["ours"], "the two ways must give the same workbooks"

    print(f"Suites de {DECISIONS} décisions : {len(report.done) - filed} e-mail(s), {filed} document(s) "
          f"(courriers, avis, bons), {len(report.failed)} échec(s)")
    print(f"  planification, rendu et envois : {planned_and_sent:6.2f} s")
    print(f"  reports dans les registres ({len(queued)} écritures, registre de {OUTGOING_ROWS} lignes) :")
    print(f"    naïf (un chargement et un enregistrement par écriture) : {timings['naive']:7.2f} s")
    print(f"    outil (un chargement et un enregistrement par classeur)  : {timings['ours']:7.2f} s")
    print(f"    rapport : {timings['naive'] / timings['ours']:.1f}×, classeurs identiques")


if __name__ == "__main__":
    main()
