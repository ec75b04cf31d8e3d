"""Next year's workbook made from this year's: titles and header kept, this year's rows left out, new rows styled."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table

from automations.errors import UserError
from automations.registers import sheet_stream
from automations.registers.year_copy import NextYearWorkbook, make_next_year

HEADERS = ("Instance", "Date", "Statut")


def _planning(path: Path, rows: int = 300) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Planning 2026"
    sheet["A1"] = "Planning des séances 2026"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:C1")
    sheet.append([])
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.fill = PatternFill("solid", fgColor="1F4E78")
    for n in range(rows):
        sheet.append([f"Commission {n}", date(2026, 1, 1 + n % 28), "Tenue"])
        sheet.cell(4 + n, 2).number_format = "DD/MM/YYYY"
        sheet.cell(4 + n, 3).font = Font(italic=True)
    sheet.merge_cells("A10:C10")  # a staff row merged: it goes with the rows
    sheet.column_dimensions["A"].width = 42
    sheet.add_table(Table(displayName="Seances", ref=f"A3:C{3 + rows}"))
    sheet.print_title_rows = "3:3"
    book.create_sheet("Salles").append(["Salle Kaori"])
    book.save(path)


def _plan(tmp_path: Path, rows: tuple = ()) -> NextYearWorkbook:
    return NextYearWorkbook(tmp_path / "Planning 2026.xlsx", tmp_path / "Planning 2027.xlsx", "Planning 2026", 3,
                            2026, 2027, rows)


def _new_rows() -> tuple:
    return tuple(((HEADERS[0], f"Commission {n}"), (HEADERS[1], date(2027, 2, 1 + n)), (HEADERS[2], "Prévue"))
                 for n in range(3))


def test_rows_left_out_across_chunks_and_new_rows_styled_like_the_first(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _planning(tmp_path / "Planning 2026.xlsx")
    monkeypatch.setattr(sheet_stream, "CHUNK", 97)  # rows and tags straddle the chunk boundaries
    make_next_year(_plan(tmp_path, _new_rows()))

    book = openpyxl.load_workbook(tmp_path / "Planning 2027.xlsx")
    assert book.sheetnames == ["Planning 2027", "Salles"]
    sheet = book["Planning 2027"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Planning des séances 2027", None, None], [None, None, None], list(HEADERS),
        *[[f"Commission {n}", datetime(2027, 2, 1 + n), "Prévue"] for n in range(3)]]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14 and sheet["A3"].fill.fgColor.rgb == "001F4E78"
    assert all(sheet.cell(r, 2).number_format == "DD/MM/YYYY" and sheet.cell(r, 3).font.i for r in (4, 5, 6))
    assert not sheet["A4"].fill.fgColor.rgb.endswith("1F4E78")  # the header's look is not given to the rows
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:C1"}
    assert sheet.column_dimensions["A"].width == 42
    assert sheet.tables["Seances"].ref == "A3:C6" and sheet.dimensions == "A1:C6"
    assert sheet.print_title_rows == "$3:$3"  # the defined name follows the sheet's new name
    assert [list(r) for r in book["Salles"].iter_rows(values_only=True)] == [["Salle Kaori"]]
    with zipfile.ZipFile(tmp_path / "Planning 2027.xlsx") as archive:
        assert archive.testzip() is None
        assert b"Planning 2026" not in archive.read("xl/workbook.xml")


def test_no_row_to_write_keeps_the_titles_and_the_header(tmp_path: Path) -> None:
    _planning(tmp_path / "Planning 2026.xlsx", rows=5)
    make_next_year(_plan(tmp_path))
    sheet = openpyxl.load_workbook(tmp_path / "Planning 2027.xlsx")["Planning 2027"]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["Planning des séances 2027", None, None], [None, None, None], list(HEADERS)]


def test_an_existing_workbook_is_never_replaced(tmp_path: Path) -> None:
    _planning(tmp_path / "Planning 2026.xlsx", rows=5)
    (tmp_path / "Planning 2027.xlsx").write_bytes(b"fichier du service")
    with pytest.raises(UserError, match="« Planning 2027.xlsx » existe déjà : le planning 2027 y est complété"):
        make_next_year(_plan(tmp_path, _new_rows()))
    assert (tmp_path / "Planning 2027.xlsx").read_bytes() == b"fichier du service"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Planning 2026.xlsx", "Planning 2027.xlsx"]


def test_a_column_missing_is_said_and_nothing_is_made(tmp_path: Path) -> None:
    _planning(tmp_path / "Planning 2026.xlsx", rows=5)
    with pytest.raises(UserError, match="feuille « Planning 2026 » : colonne « Salle » introuvable à la ligne 3"):
        make_next_year(_plan(tmp_path, (((HEADERS[0], "Commission 1"), ("Salle", "Kaori")),)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Planning 2026.xlsx"]


def test_the_same_workbook_each_time_and_a_killed_runs_copy_removed(tmp_path: Path) -> None:
    _planning(tmp_path / "Planning 2026.xlsx", rows=5)
    # Excel lists the sheets' names in docProps/app.xml: the new name is listed there too
    with zipfile.ZipFile(tmp_path / "Planning 2026.xlsx") as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(tmp_path / "Planning 2026.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == "docProps/app.xml":
                data = data.replace(b"</Properties>", b"<TitlesOfParts><vt:vector size=\"2\" baseType=\"lpstr\" "
                                    b"xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
                                    b"\"><vt:lpstr>Planning 2026</vt:lpstr><vt:lpstr>Salles</vt:lpstr></vt:vector>"
                                    b"</TitlesOfParts></Properties>")
            out.writestr(info, data)
    leftover = tmp_path / ".Planning 2027-999999999-abc.xlsx"  # a process number no process has
    leftover.write_bytes(b"copie d'un passage interrompu")
    make_next_year(_plan(tmp_path, _new_rows()))
    first = (tmp_path / "Planning 2027.xlsx").read_bytes()
    (tmp_path / "Planning 2027.xlsx").unlink()
    make_next_year(_plan(tmp_path, _new_rows()))
    assert (tmp_path / "Planning 2027.xlsx").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Planning 2026.xlsx", "Planning 2027.xlsx"]
    with zipfile.ZipFile(tmp_path / "Planning 2027.xlsx") as archive:
        assert b"<vt:lpstr>Planning 2027</vt:lpstr><vt:lpstr>Salles</vt:lpstr>" in archive.read("docProps/app.xml")
