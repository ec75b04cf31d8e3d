"""Write-back keeps the staff's workbook whole: formatting, validations, tables, comments..."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from automations.registers.writeback import (
    CellWrite,
    WorkbookBusy,
    WorkbookUnsafe,
    apply_writes,
    lock_file,
)

NOW = datetime(2026, 11, 23, 7, 30)
HEADER = ["Instance", "Date", "Heure", "Statut", "Salle réservée", "Invitations envoyées le"]


def build(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Planning 2026"
    ws["A1"] = "DIRECTION DE L'EMPLOI ET DU LOGEMENT"
    ws["A2"] = "Planning des instances"
    ws.merge_cells("A1:F1")
    ws.merge_cells("A2:F2")
    for column, title in enumerate(HEADER, 1):
        cell = ws.cell(row=4, column=column, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.border = Border(bottom=Side(style="thick"))
    ws["D4"].comment = Comment("Prévue / Tenue / Annulée / Reportée", "Secrétariat")
    rows = [["Commission A", datetime(2026, 12, 2), "8h30", "Prévue", None, None],
            ["Commission B", "15/12/2026", "14h", "Prévue", None, None],
            ["Commission A", datetime(2027, 1, 20), "9h", "Prévue", None, None]]
    for r, values in enumerate(rows, 5):
        for c, value in enumerate(values, 1):
            ws.cell(row=r, column=c, value=value)
    ws["B5"].number_format = "DD/MM/YYYY"
    ws["G5"] = "=B5-15"
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["H"].hidden = True
    ws.row_dimensions[4].height = 30
    validation = DataValidation(type="list", formula1='"Prévue,Tenue,Annulée,Reportée"', allow_blank=True)
    validation.add("D5:D200")
    ws.add_data_validation(validation)
    ws.conditional_formatting.add("D5:D200", CellIsRule(operator="equal", formula=['"Annulée"'],
                                                         fill=PatternFill("solid", fgColor="F8CBAD")))
    ws.freeze_panes = "B5"
    other = wb.create_sheet("Demandes")
    other.append(["N° dossier", "Montant"])
    other.append(["DEL-2026-0001", 35000])
    other.append(["DEL-2026-0002", 12000])
    table = Table(displayName="Demandes2026", ref="A1:B3")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    other.add_table(table)
    wb.save(path)


def snapshot(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    ws = wb["Planning 2026"]
    other = wb["Demandes"]
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "width": ws.column_dimensions["A"].width, "hidden": ws.column_dimensions["H"].hidden,
        "height": ws.row_dimensions[4].height, "freeze": ws.freeze_panes,
        "validations": [(str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation],
        "conditional": [str(r.sqref) for r in ws.conditional_formatting],
        "comment": ws["D4"].comment.text if ws["D4"].comment else None,
        "header_style": (ws["A4"].font.b, ws["A4"].fill.fgColor.rgb, ws["A4"].border.bottom.style),
        "formula": ws["G5"].value, "date_format": ws["B5"].number_format,
        "tables": dict(other.tables.items()),  # name -> ref
        "values": [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=7, max_col=4)],
        "other": [[c.value for c in row] for row in other.iter_rows()],
    }


def write(row: int, committee: str, day: object, column: str, value: object) -> CellWrite:
    return CellWrite(sheet="Planning 2026", header_row=4, row=row,
                     expect=(("Instance", committee), ("Date", day)), column=column, value=value)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Planning des instances 2026.xlsx"
    build(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_everything_survives_and_the_cells_are_written(workbook: Path, tmp_path: Path) -> None:
    before = snapshot(workbook)
    outcome = apply_writes(workbook, [
        write(5, "Commission A", date(2026, 12, 2), "Invitations envoyées le", date(2026, 11, 23)),
        write(5, "Commission A", date(2026, 12, 2), "Salle réservée", "Salle Kaori"),
        write(6, "Commission B", date(2026, 12, 15), "Salle réservée", "Salle Niaouli"),  # date typed as text
    ], backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert len(outcome.written) == 3 and outcome.not_found == []
    assert snapshot(workbook) == before
    ws = openpyxl.load_workbook(workbook)["Planning 2026"]
    assert ws["F5"].value == datetime(2026, 11, 23) and ws["F5"].number_format == "DD/MM/YYYY"
    assert ws["E5"].value == "Salle Kaori" and ws["E6"].value == "Salle Niaouli"
    assert outcome.backup == tmp_path / "sauvegardes" / "Planning des instances 2026.20261123-073000.xlsx"
    assert not list(workbook.parent.glob(".*"))


def test_a_sorted_sheet_still_finds_its_row(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Planning 2026"]
    ws.insert_rows(5)  # staff inserted a line above
    wb.save(workbook)
    outcome = apply_writes(workbook, [write(7, "Commission A", date(2027, 1, 20), "Salle réservée", "Salle Kaori")],
                           backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found == []
    assert openpyxl.load_workbook(workbook)["Planning 2026"]["E8"].value == "Salle Kaori"


def test_removed_record_and_missing_column_are_reported(workbook: Path, tmp_path: Path) -> None:
    outcome = apply_writes(workbook, [
        write(5, "Commission Z", date(2026, 12, 2), "Salle réservée", "X"),
        write(5, "Commission A", date(2026, 12, 2), "CR diffusé le", date(2026, 11, 23)),
    ], backup_dir=tmp_path / "b", now=NOW)
    reasons = [reason for _, reason in outcome.not_found]
    assert reasons == ["ligne introuvable (Instance = Commission Z, Date = 2026-12-02) : "
                       "elle a été supprimée ou modifiée",
                       "colonne « CR diffusé le » introuvable à la ligne 4"]
    assert outcome.backup is None  # nothing written: the file is not touched


def test_excel_lock_file_defers_the_write(workbook: Path, tmp_path: Path) -> None:
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_bytes(b"owner")
    before = digest(workbook)
    with pytest.raises(WorkbookBusy) as caught:
        apply_writes(workbook, [write(5, "Commission A", date(2026, 12, 2), "Salle réservée", "K")],
                     backup_dir=tmp_path / "b", now=NOW)
    assert caught.value.message == ("« Planning des instances 2026.xlsx » est ouvert dans Excel "
                                    "(fichier « ~$Planning des instances 2026.xlsx ») : "
                                    "écriture reportée au prochain passage.")
    assert digest(workbook) == before and not (tmp_path / "b").exists()
    assert lock_file(workbook) == lock


def test_a_workbook_with_a_chart_is_never_written(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Demandes"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "D2")
    wb.save(workbook)
    before = digest(workbook)
    with pytest.raises(WorkbookUnsafe) as caught:
        apply_writes(workbook, [write(5, "Commission A", date(2026, 12, 2), "Salle réservée", "K")],
                     backup_dir=tmp_path / "b", now=NOW)
    assert "contient des éléments que l'écriture ferait perdre (graphiques)" in caught.value.message
    assert digest(workbook) == before


def test_a_failed_save_leaves_the_original_intact(workbook: Path, tmp_path: Path, monkeypatch) -> None:
    before = digest(workbook)

    def broken_save(self, filename):
        Path(filename).write_bytes(b"half")
        raise OSError("disque plein")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError):
        apply_writes(workbook, [write(5, "Commission A", date(2026, 12, 2), "Salle réservée", "K")],
                     backup_dir=tmp_path / "b", now=NOW)
    assert digest(workbook) == before
    assert [p.name for p in workbook.parent.iterdir() if p.name.startswith(".")] == []


def test_backups_are_pruned(workbook: Path, tmp_path: Path) -> None:
    for minute in range(5):
        apply_writes(workbook, [write(5, "Commission A", date(2026, 12, 2), "Salle réservée", f"S{minute}")],
                     backup_dir=tmp_path / "b", now=NOW.replace(minute=minute), keep_backups=3)
    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names == [f"Planning des instances 2026.20261123-07{m:02d}00.xlsx" for m in (2, 3, 4)]
