"""Registers for the benches: a demo service whose applications span several years and many rows.

The service is the demo's (``automations.demo``): planning, members, rooms,
suppliers, templates and this year's applications laid out so that a run has
work. Past years are added as big applications workbooks of 20 columns (the
19 the mapping reads, and a phone column it does not), with the quirks staff
leave: amounts typed as text, dates typed as text, a few unreadable cells. Their
decisions are all notified long ago, so that once the demo's own work is done a
scheduled run has nothing left to do whatever the size of the registers.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import openpyxl

from automations.demo.registers import AIDS, APPLICATION_HEADER, COMMITTEES, COMMUNES, FIRST, LAST, WORKERS
from automations.cli.demo import set_up

from .cases import TODAY

# 20 columns, one of them unmapped; the demo's « Préparé le » is left out, as a register of past
# years never had it, so the figures stay comparable from one release to the next
HEADER = [*(h for h in APPLICATION_HEADER if h != "Préparé le"), "Téléphone"]
DECISIONS = ["Accord", "Accord", "Accord partiel", "Refus", "Ajourné", "Avis favorable"]


def application_rows(year: int, count: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """``count`` rows of a past year's register, every decision notified."""
    for n in range(1, count + 1):
        committee = COMMITTEES[n % len(COMMITTEES)]
        aid, supplier = rng.choice(AIDS[committee[1]])
        filed = date(year, 1, 1) + timedelta(days=rng.randrange(0, 320))
        session = filed + timedelta(days=rng.randrange(10, 40))
        asked = rng.randrange(5, 450) * 1000
        decision = rng.choice(DECISIONS)
        granted = {"Accord": asked, "Avis favorable": asked, "Accord partiel": asked // 2000 * 1000}.get(decision)
        last, first = rng.choice(LAST), rng.choice(FIRST)
        quirk = n % 97
        yield [f"DEL-{year}-{n:05d}", filed.strftime("%d/%m/%Y") if quirk == 3 else filed, last, first,
               rng.choice(COMMUNES), committee[1], aid, f"{asked:,} F".replace(",", " ") if n % 13 == 0 else asked,
               rng.choice(WORKERS), session, decision, granted, "Dossier incomplet" if decision == "Refus" else None,
               supplier if granted else None, session + timedelta(days=rng.randrange(3, 15)),
               "montant à revoir ?" if quirk == 5 else None,
               f"{first.lower()}.{n}@mail.nc" if n % 3 == 0 else ("pas d'adresse" if quirk == 7 else None),
               f"{n} rue des Cocotiers", None, f"{rng.randrange(200000, 999999)}"]


def write_applications(path: Path, year: int, count: int, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Demandes")
    ws.append(HEADER)
    for row in application_rows(year, count, random.Random(seed * 10_000 + year)):
        ws.append(row)
    wb.save(path)
    return path


def build_service(folder: Path, rows: int, years: int = 5, pdf: bool = False) -> Path:
    """A demo service whose past years hold ``rows`` applications in all; returns its config file."""
    set_up(folder, TODAY, manager="", report_now=False)
    registers = folder / "registres"
    (registers / f"Registre des demandes {TODAY.year - 1}.xlsx").unlink()
    for year in range(TODAY.year - years, TODAY.year):
        write_applications(registers / f"Registre des demandes {year}.xlsx", year, rows // years)
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("pdf = true", f"pdf = {'true' if pdf else 'false'}"), encoding="utf-8")
    return config
