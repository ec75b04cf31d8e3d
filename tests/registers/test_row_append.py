"""Appending a row to a register (the outgoing-mail register): after the data, once, in the table."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.worksheet.table import Table, TableStyleInfo

from automations.engine.executor import RunReport, apply_pending_writes, decode_write, encode_write
from automations.engine.journal import Journal
from automations.registers.writeback import CellWrite, RowAppend, WorkbookBusy, apply_writes

NOW = datetime(2026, 11, 23, 7, 30)
SHEET = "Départ"
HEADER = ["Date", "N°", "Destinataire", "Objet", "Rédacteur"]
THIN = Side(style="thin")
# staff keep a blank row under the header and do not keep the numbers in order
ROWS = {3: [datetime(2026, 11, 2), "2026-0003", "CAF", "Relance dossier", "M. Wamytan"],
        4: [datetime(2026, 10, 14), "2026-0001", "Mairie", "Convocation", "Mme Kaloi"],
        5: [datetime(2026, 10, 20), "2026-0002", "Province Sud", "=Demande de pièces", "M. Wamytan"]}


def build(path: Path, *, table: bool = False) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    for column, title in enumerate(HEADER, 1):
        ws.cell(row=1, column=column, value=title).font = Font(bold=True)
    rows = {r - 1: values for r, values in ROWS.items()} if table else ROWS  # a table has no gap
    for r, values in rows.items():
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=value)
            cell.border = Border(left=THIN, right=THIN, bottom=THIN)
            cell.font = Font(name="Calibri", size=10, italic=c == 4)
        ws.cell(row=r, column=1).number_format = "dd mmm yyyy"
        ws.cell(row=r, column=4).data_type = "s"  # an object typed "=..." is text
    ws.cell(row=5, column=6).border = Border(left=THIN)  # a border past the register's columns
    for r in range(10, 40):  # formatted in advance, still empty
        for c in range(1, 6):
            ws.cell(row=r, column=c).fill = PatternFill("solid", fgColor="FFF2CC")
    if table:
        ws.add_table(Table(displayName="Courrier", ref="A1:E4",
                           tableStyleInfo=TableStyleInfo(name="TableStyleLight9", showRowStripes=True)))
    other = wb.create_sheet("Arrivée")
    other.append(["Date", "N°", "Expéditeur"])
    other.append([datetime(2026, 11, 3), "A-2026-0107", "CAF"])
    wb.save(path)


def values(path: Path) -> dict[tuple[str, str], Any]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, cell.coordinate): cell.value
            for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mail(number: str = "2026-0004", subject: Any = "Notification de décision", **more: Any) -> RowAppend:
    return RowAppend(sheet=SHEET, header_row=1, unique=("N°", number), values=(
        ("Date", date(2026, 11, 23)), ("N°", number), ("Destinataire", "M. Gowé"), ("Objet", subject),
        ("Rédacteur", "Mme Kaloi"), *more.items()))


@pytest.fixture
def register(tmp_path: Path) -> Path:
    folder = tmp_path / "registres"
    folder.mkdir()
    path = folder / "Courrier départ 2026.xlsx"
    build(path)
    return path


def test_rows_go_after_the_last_filled_row_and_nothing_else_changes(register: Path, tmp_path: Path) -> None:
    before = values(register)
    outcome = apply_writes(register, [mail(), mail("2026-0005", "Accusé de réception")],
                           backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert outcome.not_found == [] and len(outcome.written) == 2
    after = values(register)
    assert {k: v for k, v in after.items() if k in before} == before and before.keys() <= after.keys()
    ws = openpyxl.load_workbook(register)[SHEET]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=6, max_row=7, max_col=6)] == [
        [datetime(2026, 11, 23), "2026-0004", "M. Gowé", "Notification de décision", "Mme Kaloi", None],
        [datetime(2026, 11, 23), "2026-0005", "M. Gowé", "Accusé de réception", "Mme Kaloi", None]]
    assert {k for k in after if k not in before} == {(SHEET, f"{c}{r}") for c in "ABCDE" for r in (6, 7)}
    # the staff's date format is kept; the cells written look like the last filled row's
    assert ws["A6"].number_format == "dd mmm yyyy" and ws["A6"].is_date
    assert ws["D7"].font.i and ws["B7"].font.sz == 10 and ws["E7"].border.bottom.style == "thin"
    assert ws["F6"].value is None
    assert ws["A10"].fill.fgColor.rgb == "00FFF2CC" and ws["A10"].value is None
    assert outcome.backup == tmp_path / "sauvegardes" / "Courrier départ 2026.20261123-073000.xlsx"
    assert values(outcome.backup) == before


@pytest.mark.parametrize("subject", ["=1+1", "+687 27 12 34", "-2+3", "@SUM(A1:A9)"])
def test_a_date_gets_a_date_format_and_a_formula_stays_text(tmp_path: Path, subject: str) -> None:
    path = tmp_path / "Courrier.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    wb.active.append(HEADER)  # no row yet: nothing to copy the look from
    wb.save(path)
    apply_writes(path, [mail(subject=subject)], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(path)[SHEET]
    assert (ws["A2"].value, ws["A2"].number_format) == (datetime(2026, 11, 23), "DD/MM/YYYY")
    assert (ws["D2"].value, ws["D2"].data_type, ws["D2"].quotePrefix) == (subject, "s", True)
    with zipfile.ZipFile(path) as archive:  # what Excel reads: a string, no <f> element to run
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    assert ws["B2"].font.b is False  # the header's bold is not copied down


def test_the_same_append_twice_leaves_one_row(register: Path, tmp_path: Path) -> None:
    first = apply_writes(register, [mail()], backup_dir=tmp_path / "b", now=NOW)
    saved = digest(register)
    # a crash after the save, before the journal recorded it: the next run replays the append
    again = apply_writes(register, [mail(), RowAppend(SHEET, 1, (("Objet", "x"),), ("n°", " 2026-0004"))],
                         backup_dir=tmp_path / "b", now=NOW.replace(minute=31))
    assert len(again.written) == 2 and again.not_found == [] and again.backup is None
    assert digest(register) == saved and [p.name for p in (tmp_path / "b").iterdir()] == [first.backup.name]
    column = [c.value for c in openpyxl.load_workbook(register)[SHEET]["B"]]
    assert column.count("2026-0004") == 1


def test_the_same_number_twice_in_one_run_adds_it_once(register: Path, tmp_path: Path) -> None:
    outcome = apply_writes(register, [mail(), mail()], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(register)[SHEET]
    assert len(outcome.written) == 2 and ws["B6"].value == "2026-0004" and ws["B7"].value is None


def test_the_table_grows_to_hold_the_row(tmp_path: Path) -> None:
    path = tmp_path / "Courrier.xlsx"
    build(path, table=True)
    apply_writes(path, [mail(), mail("2026-0005")], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(path)[SHEET]
    table = ws.tables["Courrier"]
    assert table.ref == "A1:E6" and table.autoFilter.ref == "A1:E6"
    assert ws["B5"].value == "2026-0004" and ws["B6"].value == "2026-0005"


def test_a_missing_column_is_reported_and_nothing_is_saved(register: Path, tmp_path: Path) -> None:
    before = digest(register)
    outcome = apply_writes(register, [mail(**{"Réponse attendue le": date(2026, 12, 1)}),
                                      RowAppend("Départ 2025", 1, (("N°", "1"),), ("N°", "1")),
                                      RowAppend(SHEET, 1, (("Objet", "Sans numéro"),), ("N°", " "))],
                           backup_dir=tmp_path / "b", now=NOW)
    assert [reason for _, reason in outcome.not_found] == [
        "colonne « Réponse attendue le » introuvable à la ligne 1",
        "feuille « Départ 2025 » introuvable",
        "« N° » est vide : impossible de reconnaître la ligne, elle n'est pas ajoutée"]
    assert outcome.written == [] and outcome.backup is None
    assert digest(register) == before and not (tmp_path / "b").exists()


def test_merged_cells_under_the_data_are_stepped_over(register: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(register)
    wb[SHEET].merge_cells("A6:E7")  # an empty box staff drew under the register
    wb.save(register)
    outcome = apply_writes(register, [mail()], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(register)[SHEET]
    assert outcome.not_found == [] and ws["B8"].value == "2026-0004"


def test_an_uncomputed_number_formula_is_not_guessed(register: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(register)
    wb[SHEET]["B4"] = '="2026-"&"0001"'  # saved by openpyxl: no result until Excel computes it
    wb.save(register)
    outcome = apply_writes(register, [mail()], backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found == [(mail(), "la colonne « N° » contient des formules qui n'ont pas été calculées : "
                                          "ouvrez le classeur dans Excel puis enregistrez-le")]
    assert outcome.backup is None


def test_an_open_register_defers_the_append(register: Path, tmp_path: Path) -> None:
    register.with_name("~$" + register.name).write_bytes(b"owner")
    before = digest(register)
    with pytest.raises(WorkbookBusy):
        apply_writes(register, [mail()], backup_dir=tmp_path / "b", now=NOW)
    assert digest(register) == before and not (tmp_path / "b").exists()


def test_cells_and_rows_together(register: Path, tmp_path: Path) -> None:
    cell = CellWrite(SHEET, 1, 4, (("N°", "2026-0001"),), "Rédacteur", "Mme Nouméa")
    outcome = apply_writes(register, [cell, mail()], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(register)[SHEET]
    assert outcome.written == [cell, mail()] and ws["E4"].value == "Mme Nouméa" and ws["B6"].value == "2026-0004"


def test_a_unique_value_contradicting_the_row_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        RowAppend(SHEET, 1, (("N°", "2026-0004"),), ("N°", "2026-0005"))


def test_both_kinds_of_write_survive_the_journal() -> None:
    cell = CellWrite(SHEET, 4, 7, (("Instance", "Commission A"), ("Date", date(2026, 12, 2))), "Envoyé le",
                     datetime(2026, 11, 23, 9, 5))
    row = mail(**{"Enregistré le": datetime(2026, 11, 23, 9, 5), "Pages": 3})
    assert decode_write(encode_write(cell)) == cell and decode_write(encode_write(row)) == row
    assert '"op"' not in encode_write(cell)  # journals written before appends hold cells without it
    # two committees meeting the same day: the row is its date and its committee, after a replay too
    planned = RowAppend("Commission AF", 2, (("Date", date(2027, 3, 22)), ("Instance", "Commission AF")),
                        ("Date", date(2027, 3, 22)), also=(("Instance", "Commission AF"),))
    assert decode_write(encode_write(planned)) == planned
    old = ('{"sheet": "Planning", "header_row": 4, "row": 5, "expect": [["Instance", "A"]], '
           '"column": "Salle", "value": {"$date": "2026-11-23"}}')
    assert decode_write(old) == CellWrite("Planning", 4, 5, (("Instance", "A"),), "Salle", date(2026, 11, 23))


def test_pending_appends_are_applied_and_a_missing_column_reported(register: Path, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.sqlite")
    ctx = SimpleNamespace(now=lambda: NOW, config=SimpleNamespace(
        write_back=SimpleNamespace(enabled=True, keep_backups=5), paths=SimpleNamespace(backups=tmp_path / "b")))
    journal.complete("k", "courrier", "create", 1, "f", {}, "ref", "Courrier", NOW, [
        (str(register), encode_write(mail())), (str(register), encode_write(mail("2026-0005", Copie="DG")))])
    report = RunReport()
    apply_pending_writes(ctx, journal, report)  # type: ignore[arg-type]
    assert report.written == 1 and journal.pending_writes() == []
    assert report.write_problems == ["« Courrier départ 2026.xlsx », feuille « Départ », ajout de la ligne "
                                     "N° = 2026-0005 : colonne « Copie » introuvable à la ligne 1"]
    assert openpyxl.load_workbook(register)[SHEET]["B6"].value == "2026-0004"
    journal.close()


def test_columns_left_empty_keep_the_borders_of_the_row_above(register: Path, tmp_path: Path) -> None:
    # no writer given: the « Rédacteur » cell of the new row stays empty, framed like the ones above it
    row = RowAppend(sheet=SHEET, header_row=1, unique=("N°", "2026-0004"), values=(
        ("Date", date(2026, 11, 23)), ("N°", "2026-0004"), ("Destinataire", "M. Gowé"), ("Objet", "Relance")))
    outcome = apply_writes(register, [row], backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert outcome.not_found == []
    ws = openpyxl.load_workbook(register)[SHEET]
    assert ws["E6"].value is None
    assert (ws["E6"].border.left.style, ws["E6"].border.bottom.style) == ("thin", "thin")
    assert ws["E6"].font.sz == 10 and ws["D6"].value == "Relance"
