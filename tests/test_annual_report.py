"""The annual report end to end: on both services' registers its totals equal the registers' sums,
the files reopen with their charts and tables, the command line writes them, and the manager gets it once a year."""

from __future__ import annotations

import email
import email.policy
import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations import commands
from automations.annual_report import make_report
from automations.context import Context
from automations.demo.service import set_up
from automations.settings import load_config
from automations.transports import settings_checks

from .conftest import NOUMEA, PROJECT, FakeClock, child_env
from .test_follow_ups_samples import amount, copy_service, day

GRANTED = ("Accord", "Accord partiel", "Favorable", "Favorable partiel")


def ctx_for(config: Path, moment: datetime) -> Context:
    return Context(config=load_config(config, backends=settings_checks()), clock=FakeClock(moment), out=io.StringIO())


def register_rows(path: Path, sheet: str, header: int) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(min_row=header, values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def sheet(workbook: openpyxl.Workbook, title: str) -> list[tuple[object, ...]]:
    return [r for r in workbook[title].iter_rows(values_only=True)]


def total_row(rows: list[tuple[object, ...]]) -> tuple[object, ...]:
    return next(r for r in rows if r and r[0] == "Total")


@pytest.mark.parametrize("name, files, columns", [
    ("province-sud-del", ["Registre des demandes 2025.xlsx", "Registre des demandes 2026.xlsx"],
     {"sheet": "Demandes", "number": "N° dossier", "session": "Date commission", "decision": "Décision",
      "granted": "Montant accordé", "asked": "Montant demandé"}),
    ("ccas-lifou", ["CCAS We - registres.xlsx"],
     {"sheet": "Demandes AF", "number": "N°", "session": "Passage commission", "decision": "Avis",
      "granted": "Montant attribué", "asked": "Montant sollicité"}),
])
def test_totals_equal_the_registers(tmp_path: Path, name: str, files: list[str], columns: dict[str, str]) -> None:
    config = copy_service(tmp_path, name)
    files_made = make_report(ctx_for(config, datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), 2026)
    # the registers, row by row: a line typed twice counts once, as the report lists it among the rows left out
    seen: dict[object, dict[str, object]] = {}
    for file in files:
        for row in register_rows(tmp_path / "registres" / file, columns["sheet"], 1):
            seen.setdefault(row[columns["number"]], row)
    examined = [r for r in seen.values()
                if (d := day(r[columns["session"]])) is not None and d.year == 2026 and d <= date(2026, 11, 23)]
    granted = sum(amount(r[columns["granted"]]) for r in examined if r[columns["decision"]] in GRANTED)
    asked = sum(amount(r[columns["asked"]]) for r in examined)

    workbook = openpyxl.load_workbook(files_made.workbook)
    amounts = sheet(workbook, "Montants par type d'aide")
    header = amounts[0]
    total = total_row(amounts)
    assert total[header.index("Montant accordé")] == granted > 0
    assert total[header.index("Montant demandé")] == asked
    requests = sheet(workbook, "Demandes de l'année")
    assert next(r for r in requests if r[0] == "Examinées")[1] == len(examined)
    decisions = total_row(sheet(workbook, "Décisions"))
    assert decisions[1] == sum(1 for r in examined if r[columns["decision"]])
    # the rows left out are listed, with why
    left_out = sheet(workbook, "Lignes écartées")
    duplicates = [r for r in left_out if r and any("saisie deux fois" in str(v) for v in r)]
    assert len(duplicates) == len(files_made.report.excluded) == (2 if name == "province-sud-del" else 0)
    # native charts the manager can restyle
    assert sum(len(ws._charts) for ws in workbook.worksheets) >= 4
    document = docx.Document(str(files_made.document))
    assert len(document.tables) >= 8 and len(document.inline_shapes) >= 4
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Rapport d'activité 2026" in text and "[À compléter par le service]" in text


def test_the_ccas_report_counts_by_tribe_and_district(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "ccas-lifou")
    report = make_report(ctx_for(config, datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), 2026).report
    keys = [t.key for t in report.tables]
    assert "territoire" in keys and "territoire_district" in keys and "courrier" in keys
    mail = report.table("courrier")
    rows = register_rows(tmp_path / "registres" / "CCAS We - registres.xlsx", "Courrier départ", 1)
    departures = sum(1 for r in rows if (d := day(r["Date"])) is not None and d.year == 2026)
    assert total_row(list(mail.rows))[2] == departures


def test_report_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    set_up(folder, date(2026, 11, 23))
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(folder / "config.toml"),
                             "report", "--year", "2026"], capture_output=True, text=True, timeout=300,
                            env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert result.returncode == 0, result.stderr
    assert "Rapport d'activité 2026 :" in result.stdout
    assert " séance(s) tenue(s), 107 demande(s) examinée(s), 15 409 000 F CFP accordés." in result.stdout
    assert (folder / "rapports" / "Rapport d'activité 2026.xlsx").is_file()
    assert (folder / "rapports" / "Rapport d'activité 2026.docx").is_file()
    bad = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(folder / "config.toml"),
                          "report", "--year", "deux mille"], capture_output=True, text=True, timeout=60,
                         env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert bad.returncode == 2 and "nombre entier" in bad.stderr and "Traceback" not in bad.stderr


def test_last_years_report_is_mailed_to_the_manager_once(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    set_up(folder, date(2026, 11, 23))
    config = folder / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'timezone = "Pacific/Noumea"\n', 'timezone = "Pacific/Noumea"\nmanager = "cheffe@province-sud.nc"\n'),
        encoding="utf-8")
    early = ctx_for(config, datetime(2027, 1, 14, 7, 30, tzinfo=NOUMEA))
    assert commands.run(early, "report").done == []
    due = ctx_for(config, datetime(2027, 1, 15, 7, 30, tzinfo=NOUMEA))
    assert [a.key for a in commands.run(due, "report").done] == ["report/2026"]
    assert commands.run(ctx_for(config, datetime(2027, 2, 1, 7, 30, tzinfo=NOUMEA)), "report").done == []
    # installed in November, the service does not mail the report of the year before
    assert commands.run(ctx_for(config, datetime(2027, 11, 23, 7, 30, tzinfo=NOUMEA)), "report").done == []
    [message] = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                 for p in (folder / "boite-d-envoi").glob("*/*.eml")]
    assert message["Subject"] == "Rapport d'activité 2026 des commissions"
    assert message["To"].addresses[0].addr_spec == "cheffe@province-sud.nc"
    names = sorted(a.get_filename() for a in message.iter_attachments())
    assert names == ["Rapport d'activité 2026.docx", "Rapport d'activité 2026.xlsx"]
    workbook = openpyxl.load_workbook(io.BytesIO(next(a for a in message.iter_attachments()
                                                      if a.get_filename().endswith(".xlsx")).get_content()))
    assert "Synthèse" in workbook.sheetnames


def test_generated_registers_give_known_figures(tmp_path: Path) -> None:
    """The demo's generated workbooks, counted here row by row, against the report's tables."""
    folder = tmp_path / "demo"
    set_up(folder, date(2026, 11, 23))
    report = make_report(ctx_for(folder / "config.toml", datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), 2026).report
    rows: dict[object, dict[str, object]] = {}
    for year in (2025, 2026):
        for row in register_rows(folder / "registres" / f"Registre des demandes {year}.xlsx", "Demandes", 1):
            rows.setdefault(row["N° dossier"], row)
    per_scheme: dict[str, list[int]] = {}
    for row in rows.values():
        counts = per_scheme.setdefault(str(row["Dispositif"]), [0, 0, 0])
        filed, held = day(row["Date de dépôt"]), day(row["Date commission"])
        counts[0] += filed is not None and filed.year == 2026
        examined = held is not None and held.year == 2026 and held <= date(2026, 11, 23)
        counts[1] += examined
        counts[2] += examined and bool(row["Décision"])
    table = report.table("demandes_dispositif")
    assert {r[0]: list(r[1:4]) for r in table.rows if r[0] != "Total"} == per_scheme
    planning = register_rows(folder / "registres" / "Planning des instances 2026.xlsx", "Planning 2026", 4)
    held_per_month = [0] * 12
    for row in planning:
        when = day(row["Date"])
        if row["Statut"] == "Tenue" and when is not None and when.year == 2026:
            held_per_month[when.month - 1] += 1
    months = report.table("seances_mois")
    assert [r[1] for r in months.rows if r[0] != "Total"] == held_per_month
    cancelled = sum(1 for r in planning if r["Statut"] == "Annulée" and (d := day(r["Date"])) and d.year == 2026)
    assert report.key_figures["sessions_cancelled"] == cancelled == 1
