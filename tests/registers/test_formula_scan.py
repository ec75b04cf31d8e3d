"""The formula cells of a sheet, found in its XML bytes as Excel, LibreOffice or another program writes them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from automations.registers.container import formula_cells, formula_problems

SHEET_PART = "xl/worksheets/sheet1.xml"


def with_sheet_data(path: Path, rows: bytes, prefix: str = "") -> Path:
    """An openpyxl workbook whose sheet's rows are replaced by ``rows`` (written with ``prefix`` on every tag)."""
    openpyxl.Workbook().save(path)
    p = f"{prefix}:" if prefix else ""
    declaration = f'xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {declaration}><{p}sheetData>'.encode()
           + rows.replace(b"<", b"<" + p.encode()).replace(b"<" + p.encode() + b"/", b"</" + p.encode())
           + f"</{p}sheetData></{p}worksheet>".encode())
    copy = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for info in source.infolist():
            target.writestr(info, xml if info.filename == SHEET_PART else source.read(info))
    copy.replace(path)
    return path


ROWS = (b'<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c><c r="B1"><f>1+1</f><v>2</v></c></row>'
        b'<row r="2"><c s="3" r="C2"><f>A1&amp;"x"</f></c>'  # reference after the style: never computed
        b'<c r="D2" t="str"><f>""</f><v></v></c>'  # an empty text Excel computed
        b'<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="F2" t="e"><v>#N/A</v></c>'  # an error typed without a formula
        b'<c r="G2"><f t="shared" si="0" ref="G2:G3">B1*2</f><v>4</v></c></row>'
        b'<row r="3"><c r="G3"><f t="shared" si="0"/><v>4</v></c><c r="H3"><v>7</v></c></row>')
EXPECTED = {(0, 1): None, (1, 2): "", (1, 3): None, (1, 4): "#DIV/0!", (1, 5): "#N/A", (1, 6): None, (2, 6): None}


@pytest.mark.parametrize("prefix", ["", "x"])
def test_every_formula_cell_and_what_excel_last_computed(tmp_path: Path, prefix: str) -> None:
    path = with_sheet_data(tmp_path / "Registre.xlsx", ROWS, prefix)
    assert formula_cells(path, "Sheet") == EXPECTED
    assert formula_problems(path, "Sheet") == {(1, 2): "", (1, 4): "#DIV/0!", (1, 5): "#N/A"}


def test_rows_cut_between_reads_lose_no_cell(tmp_path: Path) -> None:
    # more than a read's megabyte of rows, every one with a formula
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d"><f>A%d</f><v>1</v>'
                    b"</c></row>" % (r, r, b"x" * 40, r, r) for r in range(1, 40_001))
    path = with_sheet_data(tmp_path / "Registre.xlsx", rows)
    assert formula_cells(path, "Sheet") == {(r, 1): None for r in range(40_000)}
