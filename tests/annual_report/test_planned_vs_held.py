"""The annual report's sessions planned against held, per committee, and how many of them the tool proposed:
in the workbook's sheet, the Word report's table and its sentence, on both services' registers."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from automations.annual_report.data import APPLICATION_COLUMNS
from automations.annual_report.figures import build_report
from automations.annual_report.model import AnnualData
from automations.annual_report.planned import Proposal
from automations.annual_report.report import make_report
from automations.documents.pdf import convert_to_pdf, find_libreoffice
from automations.engine.journal import Journal

from ..conftest import NOUMEA
from ..follow_ups.test_follow_ups_samples import copy_service, day
from .test_annual_report import ctx_for, register_rows

NOW = datetime(2027, 1, 15, 8, 0, tzinfo=NOUMEA)  # the 2026 report, made in January as services do
SHEET = "Séances prévues et tenues"
HEADER = ("Commission", "Prévues", "Tenues", "Annulées", "Reportées", "Restées prévues")
PROPOSED = "Proposées par l'outil"
STATUSES = {"Tenue": "Tenues", "Annulée": "Annulées", "Reportée": "Reportées", "Prévue": HEADER[-1]}


def _expected(planning: Path) -> dict[str, Counter[str]]:
    """The 2026 planning as staff read it: each committee's rows of 2026 by status."""
    result: dict[str, Counter[str]] = {}
    for row in register_rows(planning, "Planning 2026", 4):
        when = day(row["Date"])
        if when is None or when.year != 2026:
            continue
        counts = result.setdefault(str(row["Instance"]), Counter())
        counts["Prévues"] += 1
        counts[STATUSES[str(row["Statut"])]] += 1
    return result


def _seed_planning(journal_path: Path, sessions: list[list[str]], revision: int = 0) -> None:
    """The journal of a service whose « run planning » wrote the 2026 planning in October 2025."""
    written_on = datetime(2025, 10, 1, 8, 0, tzinfo=NOUMEA)
    payload = {"year": 2026, "file": "Planning des instances 2026.xlsx", "made": True, "sessions": sessions}
    with Journal(journal_path) as journal:
        journal.begin("planning/2026", "planning", "file", revision, "f", payload, written_on)
        journal.complete("planning/2026", "planning", "file", revision, "f", payload, "", "Planning 2026", written_on,
                         [])


def _sheet(path: Path) -> list[tuple[object, ...]]:
    return [r for r in openpyxl.load_workbook(path)[SHEET].iter_rows(values_only=True) if any(v is not None for v in r)]


def _word_table(path: Path) -> list[list[str]]:
    """The Word table's rows, headers first; a table the layout turned a quarter (few committees) is turned back."""
    for table in docx.Document(str(path)).tables:
        cells = [[c.text.replace("\u00a0", " ") for c in row.cells] for row in table.rows]
        if cells[0][:2] == ["Commission", "Prévues"]:
            return cells
        if [row[0] for row in cells[:2]] == ["Commission", "Prévues"]:
            return [list(column) for column in zip(*cells)]
    raise AssertionError("aucun tableau « Séances prévues et tenues » dans le rapport")


def _paragraphs(path: Path) -> list[str]:
    return [p.text.replace("\u00a0", " ") for p in docx.Document(str(path)).paragraphs]


def test_province_sud_planned_held_and_proposed_per_committee(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "province-sud-del")
    planning = tmp_path / "registres" / "Planning des instances 2026.xlsx"
    expected = _expected(planning)
    rows = register_rows(planning, "Planning 2026", 4)
    # the tool proposed every 2026 session of « Commission première entrée », and one staff later moved away
    proposed = [[str(r["Instance"]), day(r["Date"]).isoformat()] for r in rows
                if r["Instance"] == "Commission première entrée" and day(r["Date"]).year == 2026]
    proposed.append(["Commission première entrée", "2026-12-31"])
    journal = tmp_path / "journal.sqlite"
    _seed_planning(journal, proposed)

    files = make_report(ctx_for(config, NOW, reports=tmp_path / "rapports", journal=journal), 2026)

    committees = sorted(expected)
    body = [(name, *(expected[name][title] for title in HEADER[1:]),
             len(proposed) - 1 if name == "Commission première entrée" else 0) for name in committees]
    total = ("Total", *(sum(expected[n][title] for n in committees) for title in HEADER[1:]), len(proposed) - 1)
    sheet = _sheet(files.workbook)
    assert sheet[0] == (*HEADER, PROPOSED)
    assert sheet[1:len(body) + 2] == [*body, total]
    assert "Proposées par l'outil : écrites au planning 2026 par la commande « run planning »" in str(sheet[-1][0])

    assert _word_table(files.document)[1:] == [[str(v) for v in row] for row in (*body, total)]
    held, cancelled, postponed, unmarked = (total[2], total[3], total[4], total[5])
    assert (f"Le planning 2026 comptait {total[1]} séances prévues : {held} tenues, {cancelled} annulée, "
            f"{postponed} reportée et {unmarked} encore « Prévue » au planning. L'outil en avait proposé "
            f"{len(proposed) - 1} en écrivant le planning.") in _paragraphs(files.document)
    assert cancelled == 1 and postponed == 1 and unmarked >= 2  # the sample has each case, December's not marked


def test_ccas_planning_without_status_says_not_available(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "ccas-lifou")
    book = openpyxl.load_workbook(tmp_path / "registres" / "CCAS We - registres.xlsx")
    days = [d for r in book["Commission AF"].iter_rows(min_row=3, values_only=True)
            if (d := day(r[1])) and d.year == 2026]
    # without a status column a session is held when a decision of its day is entered, as the report's other
    # tables count it; cancelled or postponed cannot be told
    decided = {day(r[7]) for r in book["Demandes AF"].iter_rows(min_row=3, values_only=True) if r[8]}
    planned, held = len(days), sum(1 for d in days if d in decided)
    assert 0 < held < planned

    files = make_report(ctx_for(config, NOW, reports=tmp_path / "rapports", journal=tmp_path / "journal.sqlite"),
                        2026)

    sheet = _sheet(files.workbook)
    n = "non disponible"
    # no journal of « run planning »: no column claims what the tool proposed
    assert sheet[:3] == [HEADER, ("Commission d'aide facultative", planned, held, n, n, n),
                         ("Total", planned, held, n, n, n)]
    assert "n'a pas de colonne de statut" in str(sheet[-1][0])
    assert (f"Le planning 2026 comptait {planned} séances prévues, dont {held} tenues (une décision de ce jour "
            "saisie) ; sans colonne de statut au planning, les séances annulées ou reportées n'y sont pas "
            "distinguées (non disponible).") in _paragraphs(files.document)
    assert _word_table(files.document)[1] == ["Commission d'aide facultative", str(planned), str(held), n, n, n]


def test_a_year_without_a_planning_has_no_sentence(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "ccas-lifou")
    files = make_report(ctx_for(config, NOW, reports=tmp_path / "rapports", journal=tmp_path / "journal.sqlite"),
                        2024)

    assert not [p for p in _paragraphs(files.document) if p.startswith("Le planning 2024")]


def test_the_printed_report_shows_the_table_and_its_sentence(tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None or find_libreoffice() is None:
        pytest.fail("pdftotext et LibreOffice sont nécessaires pour imprimer le rapport")
    config = copy_service(tmp_path, "province-sud-del")
    journal = tmp_path / "journal.sqlite"
    _seed_planning(journal, [["Commission première entrée", "2026-02-23"]], revision=2)
    files = make_report(ctx_for(config, NOW, reports=tmp_path / "rapports", journal=journal), 2026)
    pdf = convert_to_pdf([files.document])[files.document]
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())

    assert "Séances prévues et tenues" in text and "Proposées par l'outil" in text
    assert "Le planning a été écrit en 3 passages : seules les séances du dernier sont comptées." in text
    assert "L'outil en avait proposé" in text


def test_the_same_planning_gives_the_same_table_whatever_the_day_and_the_last_write_counts() -> None:
    """A « Prévue » session is counted so whether the report is made before or after its date, as every figure."""
    def at(text: str) -> pd.Timestamp:
        return pd.Timestamp(text)

    sessions = pd.DataFrame({"committee": ["Commission A", "Commission A", "Commission A", "Commission B"],
                             "date": [at("2026-03-02"), at("2026-10-05"), at("2026-12-07"), at("2026-12-14")],
                             "status": ["tenue", "prevue", "prevue", "annulee"], "scheme": [""] * 4})
    applications = pd.DataFrame({name: [] for name in APPLICATION_COLUMNS})
    # the journal's last write: A on 7 December as planned; B written on the 15th, which staff moved to the 14th
    proposal = Proposal(frozenset({("commission a", date(2026, 12, 7)), ("commission b", date(2026, 12, 15))}), 2)
    reports = [build_report(AnnualData(applications, sessions), 2026, "Service", day, proposal)
               for day in (date(2026, 11, 23), date(2027, 1, 15))]

    assert reports[0].table("planifiees") == reports[1].table("planifiees")
    table = reports[0].table("planifiees")
    assert [c.title for c in table.columns] == [*HEADER, PROPOSED]
    assert table.rows == (("Commission A", 3, 1, 0, 0, 2, 1), ("Commission B", 1, 0, 1, 0, 0, 0),
                          ("Total", 4, 1, 1, 0, 2, 1))
    assert reports[0].planned.replace("\u00a0", " ") == (
        "Le planning 2026 comptait 4 séances prévues : 1 tenue, 1 annulée, 0 reportée et 2 encore « Prévue » au "
        "planning. L'outil en avait proposé 1 en écrivant le planning.")
    assert "Le planning a été écrit en 2 passages : seules les séances du dernier sont comptées." in table.note
