"""The annual report end to end: on both services' registers its totals equal the registers' sums,
the files reopen with their charts and tables, the command line writes them, and the manager gets it once a year."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import html
import io
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from automations.cli import commands
from automations.annual_report.report import make_report
from automations.engine.context import Context
from automations.cli.demo import DEMO_MAPPING_INCOMING, set_up
from automations.documents.pdf import convert_to_pdf, find_libreoffice
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, PROJECT, FakeClock, child_env
from ..follow_ups.test_follow_ups_samples import amount, copy_service, day

GRANTED = ("Accord", "Accord partiel", "Favorable", "Favorable partiel")


def ctx_for(config: Path, moment: datetime, **paths: Path) -> Context:
    """A context on ``config`` at ``moment``; ``paths`` replace the config's (reports, registers...)."""
    settings = load_config(config, backends=settings_checks())
    settings = dataclasses.replace(settings, paths=dataclasses.replace(settings.paths, **paths))
    return Context(config=settings, clock=FakeClock(moment), out=io.StringIO())


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
    # examined: a decision entered (every application of the samples' held sessions has one), whatever the date
    examined = [r for r in seen.values()
                if (d := day(r[columns["session"]])) is not None and d.year == 2026 and r[columns["decision"]]]
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


@pytest.mark.parametrize("name", ["province-sud-del", "ccas-lifou"])
def test_a_later_day_changes_no_figure_of_the_sample_services(tmp_path: Path, name: str) -> None:
    """Sessions planned after 23 November 2026 stay « Prévue » without decisions: made in March 2027, the report
    of 2026 counts no more sessions held (the CCAS's planning has no status column) nor applications examined."""
    config = copy_service(tmp_path, name)
    early = make_report(ctx_for(config, datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA), reports=tmp_path / "a"), 2026)
    late = make_report(ctx_for(config, datetime(2027, 3, 1, 7, 30, tzinfo=NOUMEA), reports=tmp_path / "b"), 2026)
    assert late.report.key_figures == early.report.key_figures
    assert late.report.tables == early.report.tables
    figures = early.report.key_figures
    assert figures["applications_examined"] == figures["applications_decided"] > 300


def test_report_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    set_up(folder, date(2026, 11, 23))
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(folder / "config.toml"),
                             "report", "--year", "2026"], capture_output=True, text=True, timeout=300,
                            env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert result.returncode == 0, result.stderr
    assert "Rapport d'activité 2026 :" in result.stdout
    assert "  15 séances tenues, 107 demandes examinées, 15 409 000 F CFP accordés." in result.stdout
    assert "  2 lignes de registre écartées des chiffres" in result.stdout and "(s)" not in result.stdout
    assert (folder / "rapports" / "Rapport d'activité 2026.xlsx").is_file()
    assert (folder / "rapports" / "Rapport d'activité 2026.docx").is_file()
    bad = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(folder / "config.toml"),
                          "report", "--year", "deux mille"], capture_output=True, text=True, timeout=60,
                         env=child_env(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)))
    assert bad.returncode == 2 and "nombre entier" in bad.stderr and "Traceback" not in bad.stderr


def test_last_years_report_is_mailed_to_the_manager_once(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    set_up(folder, date(2026, 11, 23), manager="cheffe@province-sud.nc", report_now=False)
    config = folder / "config.toml"
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
    body = message.get_body(("plain",)).get_content()
    assert "2 lignes de registre ont été écartées des chiffres" in body and "(s)" not in body


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
        # the demo's sessions before 23 November are « Tenue » with their decisions, later ones « Prévue » without
        examined = held is not None and held.year == 2026 and bool(row["Décision"])
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


DEMO_DAY = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo service as built on 23 November 2026, its registers never touched again."""
    folder = tmp_path_factory.mktemp("demo")
    set_up(folder, DEMO_DAY.date())
    return folder


def test_the_same_registers_give_the_same_report_whatever_the_day(demo: Path, tmp_path: Path) -> None:
    """Sessions of 26 and 27 November are still « Prévue », without decisions: passing their date changes nothing."""
    reports = []
    for moment in (DEMO_DAY, datetime(2026, 12, 3, 7, 30, tzinfo=NOUMEA), datetime(2027, 6, 15, 7, 30, tzinfo=NOUMEA)):
        ctx = ctx_for(demo / "config.toml", moment, reports=tmp_path / moment.date().isoformat())
        reports.append(make_report(ctx, 2026).report)
    figures = reports[0].key_figures
    assert figures["applications_examined"] == figures["applications_decided"] == 107
    assert figures["sessions_held"] == 15 and figures["amount_granted"] == 15_409_000
    for report in reports[1:]:
        assert report.key_figures == figures
        assert report.tables == reports[0].tables
        assert report.table("demandes").rows[1][:2] == ("Examinées", 107)


def test_a_register_not_kept_is_said_so(demo: Path, tmp_path: Path) -> None:
    """A service keeping outgoing mail only: incoming mail reads « registre non tenu », never a dash or a 0."""
    kept = tmp_path / "service"
    shutil.copytree(demo, kept)
    mapping = kept / "correspondance.toml"  # the demo's incoming-mail register left out of its mapping
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(DEMO_MAPPING_INCOMING, ""), encoding="utf-8")
    files = make_report(ctx_for(kept / "config.toml", DEMO_DAY, reports=tmp_path), 2026)
    lines = [p.text.replace("\u00a0", " ") for p in docx.Document(str(files.document)).paragraphs]
    (mail,) = [line for line in lines if line.startswith("Courrier enregistré en 2026")]
    assert mail.startswith("Courrier enregistré en 2026 – arrivé : registre non tenu ; départ : 12 courriers")
    assert "—" not in mail and "(s)" not in "\n".join(lines)
    summary = {row[0]: row[1:3] for row in sheet(openpyxl.load_workbook(files.workbook), "Synthèse") if row[0]}
    assert summary["Courriers arrivés"] == ("registre non tenu", "registre non tenu")
    assert summary["Courriers départ"][0] == 12
    note = files.report.table("courrier").note
    assert "Courrier arrivé : registre non tenu par le service." in note


def test_a_year_without_data_says_so(demo: Path) -> None:
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "--config", str(demo / "config.toml"), "report",
                             "--year", "2020"], capture_output=True, text=True, timeout=300, env=child_env(DEMO_DAY),
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "Aucune donnée pour 2020 dans les registres du service" in result.stdout
    assert "séance" not in result.stdout.replace("ni séance", "")  # no « 0 séance tenue » that pretends
    folder = demo / "rapports"
    workbook = openpyxl.load_workbook(folder / "Rapport d'activité 2020.xlsx")
    assert workbook.sheetnames == ["Synthèse", "Lignes écartées"]
    assert any("Aucune donnée pour 2020" in str(row[0]) for row in sheet(workbook, "Synthèse") if row)
    document = docx.Document(str(folder / "Rapport d'activité 2020.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ne contiennent aucune donnée pour 2020" in text
    assert document.tables == [] and "Les séances" not in text and "0\u00a0séance" not in text


def test_rows_left_out_name_no_server_path_and_quote_no_cell(demo: Path, tmp_path: Path) -> None:
    """The manager receives the « Lignes écartées » sheet: workbook name, sheet, row, column and why only."""
    registers = tmp_path / "registres"
    shutil.copytree(demo / "registres", registers)
    path = registers / "Registre des demandes 2026.xlsx"
    book = openpyxl.load_workbook(path)
    ws = book["Demandes"]
    header = [c.value for c in ws[1]]
    ws.cell(4, header.index("Courriel") + 1, "marie wete@mail.nc")  # a space: the row is kept without it
    ws.cell(5, header.index("Date de dépôt") + 1, "chez Marie Wete")  # words typed in a date
    ws.cell(6, header.index("Montant demandé") + 1, "Dupont Kaloï")  # a name typed in an amount
    book.save(path)
    files = make_report(ctx_for(demo / "config.toml", DEMO_DAY, registers=registers, reports=tmp_path), 2026)
    rows = sheet(openpyxl.load_workbook(files.workbook), "Lignes écartées")
    assert rows[2] == ("Fichier", "Feuille", "Ligne", "Colonne", "Raison")
    listed = {(r[0], r[2], r[3]) for r in rows[3:]}
    assert {("Registre des demandes 2026.xlsx", 5, "Date de dépôt"),
            ("Registre des demandes 2026.xlsx", 6, "Montant demandé")} <= listed
    assert not any(r[2] == 4 and r[0] == "Registre des demandes 2026.xlsx" for r in rows[3:])  # only a warning
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "@" not in text and "Marie" not in text and "Wete" not in text and "Dupont" not in text
    assert "Kaloï" not in text
    # no folder of the server: a date's expected form « JJ/MM/AAAA » is the only slash
    assert str(tmp_path) not in text and "/" not in text.replace("JJ/MM/AAAA", "") and "\\" not in text
    assert all(r[4] for r in rows[3:])  # each says why


def test_the_printed_report_breaks_no_amount_and_no_header_word(demo: Path, tmp_path: Path) -> None:
    """LibreOffice prints the demo's report: every header word whole, every amount on one line, no tiny
    upright headers (the commissions' twelve months are turned into rows)."""
    if shutil.which("pdftotext") is None or find_libreoffice() is None:
        pytest.fail("pdftotext and LibreOffice are needed to print the report")
    files = make_report(ctx_for(demo / "config.toml", DEMO_DAY, reports=tmp_path), 2026)
    pdf = convert_to_pdf([files.document])[files.document]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\u00a0", " ")
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # each word as printed, one box per piece of a line: a word cut across two lines would be two boxes
    words = {html.unescape(word) for word in re.findall(r"<word [^>]*>([^<]*)</word>", boxes)}
    document = docx.Document(str(files.document))
    amounts = set()
    for table in document.tables:
        assert not table._tbl.xpath(".//w:textDirection")
        for cell in table.rows[0].cells:
            for word in re.split(r"[\s\-]+", cell.text.replace("\u00a0", " ")):
                word = word.strip("()")
                if len(word) > 2:  # a header word printed whole, not cut across two lines
                    assert word in words, word
        for row in table.rows[1:]:
            amounts |= {c.text.replace("\u00a0", " ") for c in row.cells if re.fullmatch(r"\d{1,3}( \d{3})+",
                                                                                   c.text.replace("\u00a0", " "))}
    assert "15 409 000" in amounts and len(amounts) > 20
    lines = text.splitlines()
    for figure in amounts:
        assert any(figure in line for line in lines), figure
    # the key figures in the narrative: an amount and its unit on one line
    assert any("15 409 000 F CFP" in line for line in lines)
