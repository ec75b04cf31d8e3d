"""Sheet XML as other producers write it, streamed through the writer in small chunks."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from automations.registers import sheet_stream
from automations.registers.xlsx_writer import write_cells

SHEET = "xl/worksheets/sheet1.xml"
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _workbook(path: Path, sheet_xml: bytes, date1904: bool = False) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Suivi"
    wb.active["B1"].number_format = "DD/MM/YYYY"  # a date style at index 1
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members:
            if name == SHEET:
                data = sheet_xml
            elif name == "xl/workbook.xml" and date1904:
                data = data.replace(b"<workbookPr/>", b'<workbookPr date1904="1"/>')
            out.writestr(name, data)


def _rows(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Suivi").to_python()


def test_rows_split_across_chunks_are_copied_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>ligne %d</t></is></c><c r="B%d"><v>%d</v></c>'
                    b"</row>" % (r, r, r, r, r) for r in range(1, 401))
    _workbook(tmp_path / "in.xlsx", b'<worksheet xmlns="%s"><dimension ref="A1:B400"/><sheetData>%s</sheetData>'
              b"</worksheet>" % (MAIN, rows))
    monkeypatch.setattr(sheet_stream, "CHUNK", 97)  # every row and tag straddles a chunk boundary somewhere
    written = {(r, 3): f"vu {r}" for r in range(1, 401, 7)} | {(401, 1): "après", (200, 2): -1}

    write_cells(tmp_path / "in.xlsx", tmp_path / "out.xlsx", "Suivi", written)

    expected = [[f"ligne {r}", float(r), written.get((r, 3), "")] for r in range(1, 401)]
    expected[199][1] = -1.0
    assert _rows(tmp_path / "out.xlsx") == expected + [["après", "", ""]]
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read(SHEET)
    untouched = b'<row r="2"><c r="A2" t="inlineStr"><is><t>ligne 2</t></is></c><c r="B2"><v>2</v></c></row>'
    assert untouched in sheet and b'<dimension ref="A1:C401"/>' in sheet


def test_prefixed_sheet_without_cell_references(tmp_path: Path) -> None:
    # some generators write the main namespace with a prefix and leave out the optional r attributes
    _workbook(tmp_path / "in.xlsx", b'<x:worksheet xmlns:x="%s"><x:sheetData><x:row><x:c t="inlineStr"><x:is>'
              b"<x:t>a</x:t></x:is></x:c><x:c><x:v>5</x:v></x:c></x:row><x:row><x:c><x:v>7</x:v></x:c></x:row>"
              b"</x:sheetData></x:worksheet>" % MAIN)

    write_cells(tmp_path / "in.xlsx", tmp_path / "out.xlsx", "Suivi", {(2, 2): "b", (1, 2): 6, (3, 1): "c"})

    assert _rows(tmp_path / "out.xlsx") == [["a", 6.0], [7.0, "b"], ["c", ""]]
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Suivi"]
    assert (ws["A1"].value, ws["B1"].value, ws["A2"].value, ws["B2"].value, ws["A3"].value) == ("a", 6, 7, "b", "c")
    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read(SHEET).decode()
    assert re.findall(r"<x:row[ >]", sheet) and "<row" not in sheet and sheet.count("xmlns:x=") == 1


def test_dates_in_a_1904_workbook_and_an_empty_sheet(tmp_path: Path) -> None:
    _workbook(tmp_path / "in.xlsx", b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN, date1904=True)

    write_cells(tmp_path / "in.xlsx", tmp_path / "out.xlsx", "Suivi",
                {(2, 1): date(2026, 12, 3), (2, 2): datetime(2026, 12, 3, 14, 5), (1, 1): "Date"})

    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read(SHEET).decode()
    assert "<v>44897</v>" in sheet  # 2026-12-03 counted from 1904-01-01, not 46359 from 1900
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Suivi"]
    assert (ws["A1"].value, ws["A2"].value, ws["B2"].value) == ("Date", datetime(2026, 12, 3),
                                                                datetime(2026, 12, 3, 14, 5))
    assert ws["A2"].number_format == "DD/MM/YYYY" and ws["B2"].number_format == "DD/MM/YYYY HH:MM"


def test_text_that_xml_cannot_carry_is_escaped_as_excel_does(tmp_path: Path) -> None:
    _workbook(tmp_path / "in.xlsx", b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN)

    write_cells(tmp_path / "in.xlsx", tmp_path / "out.xlsx", "Suivi", {(1, 1): "tab\tbip\x07 _x0041_ <&>"})

    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet = archive.read(SHEET).decode()
    assert "<t>tab\tbip_x0007_ _x005F_x0041_ &lt;&amp;&gt;</t>" in sheet
    assert _rows(tmp_path / "out.xlsx") == [["tab\tbip\x07 _x0041_ <&>"]]
