"""The annual report over 5 years × 10,000 applications, from the command line: time and peak memory.

    python bench/annual_report.py

Writes a service folder with one applications workbook per year (10,000 rows
each), the planning and the mail registers, runs ``python run.py report
--year 2026`` in a child process and prints its wall time and peak memory
(resident set size). For scale, the same workbooks are also read the naive
way, ``pandas.read_excel(engine="openpyxl")``, in the same run.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from automations.demo.registers import APPLICATION_HEADER, COMMITTEES, COMMUNES  # noqa: E402
from automations.demo.service import set_up  # noqa: E402

YEARS, PER_YEAR = range(2022, 2027), 10_000
AIDS = ["Impayés de loyer", "Facture d'électricité", "Facture d'eau", "Premier loyer", "Dépôt de garantie",
        "Aide alimentaire", "Frais de transport"]


def _applications(path: Path, year: int, rng: random.Random) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Demandes")
    ws.append(APPLICATION_HEADER)
    for n in range(1, PER_YEAR + 1):
        filed = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330))
        session = filed + timedelta(days=rng.randrange(10, 40))
        asked = rng.randrange(5, 450) * 1000
        decision = rng.choice(["Accord", "Accord", "Accord partiel", "Refus", "Ajourné"])
        granted = {"Accord": asked, "Accord partiel": asked // 2}.get(decision)
        ws.append([f"DEL-{year}-{n:05d}", filed, "NOM", "Prénom", rng.choice(COMMUNES), rng.choice(COMMITTEES)[1],
                   rng.choice(AIDS), asked, "Mme Tein", session, decision, granted, None, "SIC" if granted else None,
                   session + timedelta(days=rng.randrange(2, 20)), None, None, None, None])
    wb.save(path)


def build_service(folder: Path) -> Path:
    set_up(folder, date(2026, 11, 23))
    registers = folder / "registres"
    for old in registers.glob("Registre des demandes *.xlsx"):
        old.unlink()
    rng = random.Random(7)
    for year in YEARS:
        _applications(registers / f"Registre des demandes {year}.xlsx", year, rng)
    return folder / "config.toml"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        config = build_service(Path(tmp) / "service")
        built = time.perf_counter() - started
        started = time.perf_counter()
        child = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(config), "report",
                                "--year", "2026"], capture_output=True, text=True)
        ours = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if child.returncode != 0:
            raise SystemExit(child.stderr or child.stdout)
        started = time.perf_counter()
        frames = [pd.read_excel(p, engine="openpyxl")
                  for p in sorted((config.parent / "registres").glob("Registre des demandes *.xlsx"))]
        naive_read = time.perf_counter() - started
        rows = sum(len(f) for f in frames)
    print(f"Rapport d'activité sur {len(YEARS)} ans × {PER_YEAR:,} demandes ({rows:,} lignes) :".replace(",", " "))
    print(f"  registres générés en {built:.1f} s")
    print(f"  python run.py report --year 2026 : {ours:6.2f} s, mémoire maximale {peak_mb:6.0f} Mo "
          "(lecture, chiffres, classeur et rapport Word compris)")
    print(f"  lecture seule des mêmes classeurs par pandas.read_excel(openpyxl) : {naive_read:6.2f} s "
          f"({naive_read / ours:.1f}× le rapport complet)")
    print(child.stdout.strip())


if __name__ == "__main__":
    main()
