"""Follow-ups on the two services' own registers, through their configs, on copies of their workbooks."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import docx
import openpyxl

from automations.cli import commands
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, PROJECT, SAMPLES, FakeClock
from ..printed import NBSP

TODAY = date(2026, 11, 23)
GRANTED = ("Accord", "Accord partiel", "Favorable", "Favorable partiel")


def copy_service(tmp_path: Path, name: str) -> Path:
    """The example config, pointing at a copy of the service's registers."""
    registers = tmp_path / "registres"
    shutil.copytree(SAMPLES / name, registers)
    for path in [registers, *registers.iterdir()]:  # the samples are shipped read-only: staff's copies are not
        path.chmod(path.stat().st_mode | 0o200)
    text = (PROJECT / "examples" / name / "config.toml").read_text(encoding="utf-8")
    text = text.replace(f'registers = "../../../shared/samples/{name}"', f'registers = "{registers.as_posix()}"')
    text = text.replace('mapping = "../../mappings', f'mapping = "{(PROJECT / "mappings").as_posix()}')
    text = text.replace('templates = "../../templates"', f'templates = "{(PROJECT / "templates").as_posix()}"')
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return config


def run(config: Path) -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()),
                  clock=FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), out=io.StringIO())
    commands.run(ctx, "followups")
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def sheet_rows(path: Path, sheet: str, header_row: int) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [list(r) for r in ws.iter_rows(min_row=header_row, values_only=True)]


def day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and value.count("/") == 2:
        d, m, y = value.split("/")
        return date(int(y), int(m), int(d))
    return value if isinstance(value, date) else None


def amount(value: object) -> int:
    return int("".join(ch for ch in str(value) if ch.isdigit())) if value not in (None, "") else 0


def cells(document: docx.document.Document) -> list[list[str]]:
    return [[c.text.strip() for c in row.cells] for t in document.tables for row in t.rows]


def test_province_letters_and_supplier_notices(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "province-sud-del")
    register = tmp_path / "registres" / "Registre des demandes 2026.xlsx"
    before = sheet_rows(register, "Demandes", 1)
    header = before[0]
    col = {name: header.index(name) for name in header}
    # what the register says is due, row by row: decided in the last 30 days, not yet notified
    seen: set[str] = set()
    due = []
    for row in before[1:]:
        number = row[col["N° dossier"]]
        if not number or number in seen:
            continue
        seen.add(number)
        held = day(row[col["Date commission"]])
        if row[col["Décision"]] and held and TODAY - timedelta(days=30) <= held <= TODAY \
                and not row[col["Notifié le"]]:
            due.append(number)
    out = run(config)
    # the register has no e-mail addresses: every letter is prepared for the post, none is said sent
    assert out.count("✓ préparé pour impression : Courrier de décision") == len(due) > 10
    assert "✓ envoi : Courrier de décision" not in out
    # without PDFs (the example's config), no single file to print: the run says where the Word files are
    assert (f"! À imprimer : {len(due) + out.count('✓ préparé pour impression : Avis')} documents Word dans les "
            "dossiers des séances (Courriers, Fournisseurs, Bons) ; sans PDF ([documents] pdf = false), pas de "
            "fichier unique à imprimer.") in out
    after = sheet_rows(register, "Demandes", 1)
    # « Notifié le » waits for staff to post the letters; the mapping has no « Préparé le »: nothing is written
    assert after == before

    # every notice lists aids the register grants to that supplier, and its total is their sum
    granted = {r[col["N° dossier"]]: (r[col["Fournisseur"]], amount(r[col["Montant accordé"]])) for r in before[1:]
               if r[col["Décision"]] in GRANTED}
    notices = sorted((tmp_path / "documents").glob("*/*/Fournisseurs/*.docx"))
    assert notices
    for path in notices:
        supplier = path.name.removeprefix("Avis ").rsplit(" ", 1)[0]
        rows = cells(docx.Document(str(path)))
        listed = [r for r in rows if r[1] in granted]
        assert listed and all(granted[r[1]][0] == supplier for r in listed)
        assert all(amount(r[4]) == granted[r[1]][1] for r in listed)
        total = next(r for r in rows if r[0] == "Total" or "Total" in r[:2])
        assert amount(total[4]) == sum(granted[r[1]][1] for r in listed)
    assert out.count("✓ envoi : Avis au fournisseur") == len(notices)


def test_ccas_vouchers_continue_the_register_and_outgoing_rows_are_appended(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "ccas-lifou")
    workbook = tmp_path / "registres" / "CCAS We - registres.xlsx"
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Demandes AF"]
    cleared = []
    for row in ws.iter_rows(min_row=3):
        if row[1].value in ("2026/186", "2026/187"):  # two vouchers of the 2 November session not yet issued
            row[10].value = row[11].value = None
            cleared.append(row[1].value)
    wb.save(workbook)
    before_outgoing = sheet_rows(workbook, "Courrier départ", 1)
    before_applications = sheet_rows(workbook, "Demandes AF", 1)
    decided = [r for r in before_applications[2:] if day(r[7]) == date(2026, 11, 2) and r[8]]

    out = run(config)
    assert out.count("✓ préparé pour impression : Bon") == 2
    assert out.count("✓ préparé pour impression : Courrier de décision") == len(decided) == 23
    applications = sheet_rows(workbook, "Demandes AF", 1)
    issued = {r[1]: r[10] for r in applications if r[1] in cleared}
    assert sorted(issued.values()) == ["BA-2026-0111", "BA-2026-0112"]  # after BA-2026-0110, typed by hand
    changed = [(a[1], i) for a, b in zip(before_applications, applications) for i in range(len(a)) if a[i] != b[i]]
    assert sorted(changed) == [("2026/186", 10), ("2026/187", 10)]

    outgoing = sheet_rows(workbook, "Courrier départ", 1)
    assert outgoing[:len(before_outgoing)] == before_outgoing  # existing rows untouched
    added = outgoing[len(before_outgoing):]
    assert [r[1] for r in added] == [f"D2026-{n:04d}" for n in range(400, 400 + 25)]
    assert {r[4] for r in added} == {"Accueil CCAS"}
    assert sum(1 for r in added if str(r[3]).startswith("Bon BA-2026-011")) == 2
    letters = sorted((tmp_path / "documents").glob("*/2026-11-02/Courriers/*.docx"))
    assert len(letters) == 23
    text = "\n".join(p.text for p in docx.Document(str(letters[0])).paragraphs)
    assert f"N/Réf.{NBSP}: D2026-04" in text
