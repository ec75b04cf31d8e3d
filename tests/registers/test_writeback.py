"""Write-back keeps the staff's workbook whole: formatting, validations, tables, comments, macros..."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from python_calamine import CalamineWorkbook

from automations.errors import UserError
from automations.registers import cell_match, writeback
from automations.registers.writeback import (
    CellWrite,
    WorkbookBusy,
    WorkbookUnsafe,
    apply_writes,
    lock_file,
)

NOW = datetime(2026, 11, 23, 7, 30)
SHEET = "Planning 2026"
HEADER = ["Instance", "Date", "Heure", "Statut", "Salle réservée", "Invitations envoyées le"]
ROWS = [["Commission A", datetime(2026, 12, 2), "8h30", "Prévue"],
        ["Commission B", "15/12/2026", "14h", "Prévue"],  # a date typed as text
        ["Commission A", datetime(2027, 1, 20), "9h", "Prévue"]]


def build(path: Path, rows: list[list[Any]] = ROWS) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "DIRECTION DE L'EMPLOI ET DU LOGEMENT"
    ws["A2"] = "Planning des instances"
    ws["A1"].font = Font(name="Arial", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:F1")
    ws.merge_cells("A2:F2")
    for column, title in enumerate(HEADER, 1):
        cell = ws.cell(row=4, column=column, value=title)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E78")
        cell.border = Border(bottom=Side(style="thick"))
    ws["D4"].comment = Comment("Prévue / Tenue / Annulée / Reportée", "Secrétariat")
    for r, values in enumerate(rows, 5):
        for c, value in enumerate(values, 1):
            ws.cell(row=r, column=c, value=value)
        ws.cell(row=r, column=2).number_format = "DD/MM/YYYY"
    ws["C5"].font = Font(italic=True, color="C00000")
    ws["G5"] = "=B5-15"
    ws["G5"].number_format = "DD/MM/YYYY"
    ws.column_dimensions["A"].width = 38
    ws.column_dimensions["F"].width = 21
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
    other["B2"].number_format = '#,##0.00 "€"'
    table = Table(displayName="Demandes2026", ref="A1:B3")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    other.add_table(table)
    wb.save(path)


def style(cell: Any) -> tuple[Any, ...]:
    return (cell.font.name, cell.font.sz, cell.font.b, cell.font.i, cell.font.color and cell.font.color.rgb,
            cell.fill.fill_type, cell.fill.fgColor.rgb, cell.border.bottom.style, cell.number_format,
            cell.alignment.horizontal)


def snapshot(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path)
    ws, other = wb[SHEET], wb["Demandes"]
    return {
        "sheets": wb.sheetnames,
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": (ws.column_dimensions["A"].width, ws.column_dimensions["F"].width),
        "hidden": ws.column_dimensions["H"].hidden, "height": ws.row_dimensions[4].height,
        "freeze": ws.freeze_panes,
        "validations": [(str(v.sqref), v.formula1, v.type) for v in ws.data_validations.dataValidation],
        "conditional": [(str(r.sqref), [rule.formula for rule in r.rules]) for r in ws.conditional_formatting],
        "comment": (ws["D4"].comment.text, ws["D4"].comment.author),
        "styles": [style(ws[c]) for c in ("A1", "A4", "D4", "B5", "C5", "G5", "B6")] + [style(other["B2"])],
        "formula": ws["G5"].value,
        "tables": {t.displayName: (t.ref, t.tableStyleInfo.name) for t in other.tables.values()},
        "values": [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=7, max_col=4)],
        "other": [[c.value for c in row] for row in other.iter_rows()],
    }


def write(row: int, committee: str, day: object, column: str, value: object) -> CellWrite:
    return CellWrite(sheet=SHEET, header_row=4, row=row, expect=(("Instance", committee), ("Date", day)),
                     column=column, value=value)


def room(value: str = "Salle Kaori") -> CellWrite:
    return write(5, "Commission A", date(2026, 12, 2), "Salle réservée", value)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hidden_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def patch_zip(path: Path, edit: Callable[[dict[str, bytes]], None]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    folder = tmp_path / "registres"
    folder.mkdir()
    path = folder / "Planning des instances 2026.xlsx"
    build(path)
    return path


def test_everything_survives_and_the_cells_are_written(workbook: Path, tmp_path: Path) -> None:
    before = snapshot(workbook)
    outcome = apply_writes(workbook, [
        write(5, "Commission A", date(2026, 12, 2), "Invitations envoyées le", date(2026, 11, 23)),
        write(5, "commission a ", datetime(2026, 12, 2), "salle\u00a0RESERVEE", "Salle Kaori"),
        write(6, "Commission B", date(2026, 12, 15), "Salle réservée", "Salle Niaouli"),
    ], backup_dir=tmp_path / "sauvegardes", now=NOW)
    assert len(outcome.written) == 3 and outcome.not_found == []
    assert snapshot(workbook) == before
    ws = openpyxl.load_workbook(workbook)[SHEET]
    assert ws["F5"].value == datetime(2026, 11, 23) and ws["F5"].number_format == "DD/MM/YYYY"
    assert ws["E5"].value == "Salle Kaori" and ws["E6"].value == "Salle Niaouli"
    assert outcome.backup == tmp_path / "sauvegardes" / "Planning des instances 2026.20261123-073000.xlsx"
    assert snapshot(outcome.backup) == before and openpyxl.load_workbook(outcome.backup)[SHEET]["E5"].value is None
    assert hidden_files(workbook.parent) == []
    assert ws.max_row == 7  # looking rows up added no empty cells below the register


def test_resorted_and_inserted_rows_are_found_again(workbook: Path, tmp_path: Path) -> None:
    build(workbook, [ROWS[2], ROWS[1], ROWS[0]])  # staff sorted the sheet by date, descending
    wb = openpyxl.load_workbook(workbook)
    wb[SHEET].insert_rows(5)  # ... and inserted a line above
    wb.save(workbook)
    outcome = apply_writes(workbook, [room(), write(7, "Commission A", date(2027, 1, 20), "Salle réservée", "B")],
                           backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found == []
    ws = openpyxl.load_workbook(workbook)[SHEET]
    assert [ws[f"E{r}"].value for r in (6, 7, 8)] == ["B", None, "Salle Kaori"]


def test_removed_record_missing_column_and_sheet_are_reported(workbook: Path, tmp_path: Path) -> None:
    before = digest(workbook)
    outcome = apply_writes(workbook, [
        write(5, "Commission Z", date(2026, 12, 2), "Salle réservée", "X"),
        write(5, "Commission A", date(2026, 12, 2), "CR diffusé le", date(2026, 11, 23)),
        CellWrite("Planning 2025", 4, 5, (("Instance", "Commission A"),), "Salle réservée", "X"),
    ], backup_dir=tmp_path / "b", now=NOW)
    assert [reason for _, reason in outcome.not_found] == [
        "ligne introuvable (Instance = Commission Z, Date = 02/12/2026) : "
        "elle a été supprimée ou ses valeurs ont changé",
        "colonne « CR diffusé le » introuvable à la ligne 4",
        "feuille « Planning 2025 » introuvable"]
    assert outcome.written == [] and outcome.backup is None
    assert digest(workbook) == before and not (tmp_path / "b").exists()


def test_two_matching_rows_are_not_guessed(workbook: Path, tmp_path: Path) -> None:
    build(workbook, [ROWS[1], ROWS[0], ROWS[0]])
    outcome = apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found[0][1].startswith("plusieurs lignes correspondent (Instance = Commission A")


@pytest.mark.parametrize("owner", ["~$Planning des instances 2026.xlsx", "~$anning des instances 2026.xlsx",
                                   ".~lock.Planning des instances 2026.xlsx#"])
def test_an_open_workbook_defers_the_write(workbook: Path, tmp_path: Path, owner: str) -> None:
    lock = workbook.with_name(owner)
    lock.write_bytes(b"owner")
    before = digest(workbook)
    with pytest.raises(WorkbookBusy) as caught:
        apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    program = "LibreOffice" if owner.startswith(".~") else "Excel"
    assert caught.value.message == (f"« Planning des instances 2026.xlsx » est ouvert dans {program} "
                                    f"(fichier « {owner} ») : écriture reportée au prochain passage.")
    assert digest(workbook) == before and not (tmp_path / "b").exists()
    assert lock_file(workbook) == lock


@pytest.mark.parametrize("meanwhile", ["opened", "saved"])
def test_a_workbook_opened_or_saved_during_the_write_is_left_alone(
        workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: str) -> None:
    save = writeback.write_cells
    edited = tmp_path / "edited.xlsx"
    build(edited, [ROWS[0], ROWS[1]])

    def staff_meanwhile(*args: Any) -> Any:
        written = save(*args)
        if meanwhile == "opened":
            workbook.with_name("~$" + workbook.name).write_bytes(b"owner")
        else:
            shutil.copyfile(edited, workbook)
        return written

    monkeypatch.setattr(writeback, "write_cells", staff_meanwhile)
    expected = digest(workbook if meanwhile == "opened" else edited)
    with pytest.raises(WorkbookBusy):
        apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert digest(workbook) == expected
    assert openpyxl.load_workbook(workbook)[SHEET]["E5"].value is None
    assert hidden_files(workbook.parent) == [] and list((tmp_path / "b").iterdir()) == []


def add_image(ws: Any, tmp_path: Path) -> None:
    import PIL  # noqa: F401 - openpyxl needs Pillow to embed an image
    from PIL import Image as PILImage
    from openpyxl.drawing.image import Image

    PILImage.new("RGB", (40, 20), "navy").save(tmp_path / "logo.png")
    ws.add_image(Image(str(tmp_path / "logo.png")), "H1")


def add_chart(ws: Any, tmp_path: Path) -> None:
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "D2")


@pytest.mark.parametrize(("add", "label"), [(add_image, "images"), (add_chart, "graphiques")])
def test_a_workbook_with_images_or_charts_is_written_and_keeps_them(
        workbook: Path, tmp_path: Path, add: Callable[[Any, Path], None], label: str) -> None:
    wb = openpyxl.load_workbook(workbook)
    add(wb["Demandes"], tmp_path)
    wb.save(workbook)
    before = members(workbook)
    outcome = apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found == [] and outcome.backup is not None and outcome.backup.exists()
    assert openpyxl.load_workbook(workbook)[SHEET]["E5"].value == "Salle Kaori"
    after = members(workbook)
    assert list(after) == list(before)  # same parts, same order
    # only the sheet written changes: the drawing, its image or chart, are the same bytes
    assert [name for name in before if before[name] != after[name]] == ["xl/worksheets/sheet1.xml"]
    assert any(name.startswith(("xl/media/", "xl/charts/")) for name in after)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_what_openpyxl_would_drop_is_kept_by_the_write(workbook: Path, tmp_path: Path) -> None:
    # a comment on a cell hidden by a merge: openpyxl warns it would remove it; the writer does not touch it
    def merge_over_the_comment(parts: dict[str, bytes]) -> None:
        sheet = parts["xl/worksheets/sheet1.xml"]
        parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<mergeCell ref="A2:F2"/>', b'<mergeCell ref="C4:D4"/>')

    patch_zip(workbook, merge_over_the_comment)
    before = members(workbook)
    outcome = apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert outcome.not_found == []
    after = members(workbook)
    assert [name for name in before if before[name] != after[name]] == ["xl/worksheets/sheet1.xml"]
    assert b'<mergeCell ref="C4:D4"/>' in after["xl/worksheets/sheet1.xml"]


def test_a_package_the_writer_cannot_edit_goes_to_the_sidecar(workbook: Path, tmp_path: Path) -> None:
    # a strict Open XML workbook: the writer refuses it rather than write what Excel would not read
    patch_zip(workbook, lambda parts: parts.update({"xl/workbook.xml": parts["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main")}))
    before = digest(workbook)
    with pytest.raises(WorkbookUnsafe) as caught:
        apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert "« Open XML strict »" in caught.value.message
    assert caught.value.message.endswith(" : aucune écriture dans ce classeur.")
    assert digest(workbook) == before and not (tmp_path / "b").exists()


def test_backups_are_dated_and_pruned(workbook: Path, tmp_path: Path) -> None:
    other = workbook.with_name("Planning des instances 2026 bis.xlsx")
    build(other)
    apply_writes(other, [room()], backup_dir=tmp_path / "b", now=NOW)
    for minute in range(5):
        outcome = apply_writes(workbook, [room(f"S{minute}")], backup_dir=tmp_path / "b",
                               now=NOW.replace(minute=minute), keep_backups=3)
        assert outcome.backup == tmp_path / "b" / f"Planning des instances 2026.20261123-07{minute:02d}00.xlsx"
    names = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert names == ["Planning des instances 2026 bis.20261123-073000.xlsx"] + [
        f"Planning des instances 2026.20261123-07{m:02d}00.xlsx" for m in (2, 3, 4)]
    assert openpyxl.load_workbook(tmp_path / "b" / names[-1])[SHEET]["E5"].value == "S3"


def test_a_failed_save_leaves_the_original_intact(
        workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = digest(workbook)

    def broken_save(path_in: Path, path_out: Path, *args: Any) -> None:
        path_out.write_bytes(b"half")
        raise OSError("disque plein")

    monkeypatch.setattr(writeback, "write_cells", broken_save)
    with pytest.raises(UserError) as failed:  # said in French, the writes kept for the next run
        apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert f"l'outil ne peut pas écrire dans le dossier « {workbook.parent.name} » (disque plein)" in failed.value.message
    assert digest(workbook) == before
    assert hidden_files(workbook.parent) == [] and list((tmp_path / "b").iterdir()) == []


def make_xlsm(path: Path) -> bytes:
    macro = b"\xd0\xcf\x11\xe0 fake VBA project"
    override = (b'<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>")
    relation = (b'<Relationship Id="rIdVBA" Target="vbaProject.bin" '
                b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>')

    def add_macros(parts: dict[str, bytes]) -> None:
        types = parts["[Content_Types].xml"].replace(
            b"spreadsheetml.sheet.main+xml", b"spreadsheetml.sheet.main+xml_").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml_",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        parts["[Content_Types].xml"] = types.replace(b"</Types>", override)
        rels = "xl/_rels/workbook.xml.rels"
        parts[rels] = parts[rels].replace(b"</Relationships>", relation)
        parts["xl/vbaProject.bin"] = macro

    build(path)
    patch_zip(path, add_macros)
    return macro


def test_a_macro_workbook_keeps_its_macros(tmp_path: Path) -> None:
    path = tmp_path / "Planning.xlsm"
    macro = make_xlsm(path)
    outcome = apply_writes(path, [room()], backup_dir=tmp_path / "b", now=NOW)
    assert outcome.written and outcome.backup and outcome.backup.suffix == ".xlsm"
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == macro
        assert b"macroEnabled" in archive.read("[Content_Types].xml")
        assert b"vbaProject" in archive.read("xl/_rels/workbook.xml.rels")
    assert openpyxl.load_workbook(path)[SHEET]["E5"].value == "Salle Kaori"


@pytest.mark.parametrize("computed", [True, False])
def test_a_key_computed_by_a_formula_is_compared_by_its_result(
        workbook: Path, tmp_path: Path, computed: bool) -> None:
    wb = openpyxl.load_workbook(workbook)
    wb[SHEET]["B5"] = "=DATE(2026,12,2)"
    wb.save(workbook)
    if computed:  # as Excel leaves it: the formula and its last result
        value = f"<v>{to_excel(datetime(2026, 12, 2)):g}</v>".encode()
        patch_zip(workbook, lambda parts: parts.update({"xl/worksheets/sheet1.xml": parts[
            "xl/worksheets/sheet1.xml"].replace(b"<f>DATE(2026,12,2)</f><v></v>", b"<f>DATE(2026,12,2)</f>" + value)}))
    outcome = apply_writes(workbook, [room()], backup_dir=tmp_path / "b", now=NOW)
    if computed:
        assert outcome.not_found == []
        assert openpyxl.load_workbook(workbook)[SHEET]["B5"].value == "=DATE(2026,12,2)"
        # the formula's result is still in the file: readers that do not compute formulas see it
        assert openpyxl.load_workbook(workbook, data_only=True)[SHEET]["B5"].value == datetime(2026, 12, 2)
        calamine = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(SHEET).to_python()
        assert calamine[4][1] == date(2026, 12, 2) and calamine[4][4] == "Salle Kaori"
    else:
        assert outcome.not_found[0][1].startswith("ligne 5 impossible à vérifier")


def test_cell_formats_and_formulas_of_the_status_column(workbook: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(workbook)
    ws = wb[SHEET]
    ws["F5"].number_format = "dd mmm yyyy"
    ws["F6"].number_format = "@"
    ws["E7"] = "=A7"
    wb.save(workbook)
    outcome = apply_writes(workbook, [
        write(5, "Commission A", date(2026, 12, 2), "Invitations envoyées le", date(2026, 11, 23)),
        write(6, "Commission B", "15/12/2026", "Invitations envoyées le", datetime(2026, 11, 23, 9, 5)),
        write(6, "Commission B", "15/12/2026", "Salle réservée", "=cmd|' /C calc'!A0"),
        write(7, "Commission A", date(2027, 1, 20), "Salle réservée", "Salle Kaori"),
    ], backup_dir=tmp_path / "b", now=NOW)
    ws = openpyxl.load_workbook(workbook)[SHEET]
    assert (ws["F5"].value, ws["F5"].number_format) == (datetime(2026, 11, 23), "dd mmm yyyy")
    # a cell formatted as text takes the date format of the column above it
    assert (ws["F6"].value, ws["F6"].number_format) == (datetime(2026, 11, 23, 9, 5), "dd mmm yyyy")
    assert ws["E6"].data_type == "s" and ws["E6"].value == "=cmd|' /C calc'!A0"
    assert ws["E7"].value == "=A7"
    assert outcome.not_found == [(outcome.not_found[0][0], "la cellule E7 contient une formule : "
                                                           "elle n'est pas remplacée")]


@pytest.mark.parametrize(("expected", "actual"), [
    (date(2026, 12, 2), datetime(2026, 12, 2)),
    (date(2026, 12, 2), datetime(2026, 12, 2, 14, 30)),
    (date(2026, 1, 22), "22/01/2026"),
    ("22/01/2026", datetime(2026, 1, 22)),
    (datetime(2026, 1, 22, 9, 0, 0, 999_990), datetime(2026, 1, 22, 9, 0, 1)),
    (12, 12.0),
    (0.1 * 3, 0.3),
    ("Commission\u00a0d'Attribution ", "commission  d'attribution"),
    ("Médiation", "MEDIATION"),
    ("", None),
    (time(8, 30), time(8, 30)),
])
def test_values_read_compare_as_staff_would(expected: Any, actual: Any) -> None:
    assert cell_match.same(expected, actual)


@pytest.mark.parametrize(("expected", "actual"), [
    (date(2026, 12, 2), datetime(2026, 12, 3)), ("Commission A", "Commission B"), (12, 12.5), ("", 0),
])
def test_different_values_do_not_match(expected: Any, actual: Any) -> None:
    assert not cell_match.same(expected, actual)
