"""The surgical xlsx writer on a register holding what openpyxl drops (see xlsx_corpus)."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from automations.documents.pdf import find_libreoffice
from automations.registers.xlsx_package import PackageRefused, copy_package
from automations.registers.xlsx_writer import append_rows, refusal, write_cells

from .xlsx_corpus import AMOUNTS, LAST, build

SHEET = "xl/worksheets/sheet1.xml"
# openpyxl, one of the readers checked, warns that it would drop the sparklines, the data bar and the slicer;
# the writer keeps them
pytestmark = pytest.mark.filterwarnings("ignore:.* extension is not supported and will be removed:UserWarning")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "registre.xlsm"
    build(path)
    return path


def _members(path: Path) -> list[tuple[str, str, int, int, int, tuple[int, ...]]]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, hashlib.sha256(archive.read(info)).hexdigest(), info.CRC, info.compress_size,
                 info.compress_type, info.date_time) for info in archive.infolist()]


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _assert_untouched(before: Path, after: Path, changed: set[str], removed: frozenset[str] = frozenset()) -> None:
    old, new = _members(before), _members(after)
    assert [m[0] for m in new] == [m[0] for m in old if m[0] not in removed]  # same names, same order
    new_by_name = {m[0]: m for m in new}
    differing = {name for name, *_ in old if name not in removed and new_by_name[name] != next(
        m for m in old if m[0] == name)}
    assert differing == changed


def _calamine(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _calc_chain(path: Path) -> list[tuple[str, str | None]]:
    return re.findall(r'<c r="(\w+)"(?: i="(\d+)")?/>', _part(path, "xl/calcChain.xml").decode())


def test_written_cells_change_only_their_sheet_styles_and_calc_chain(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "écrit.xlsm"
    result = write_cells(corpus, out, "Suivi", {
        (4, 5): "accordé", (5, 5): "=pas une formule", (7, 4): 123, (8, 2): date(2026, 2, 1),
        (4, 6): datetime(2026, 3, 15, 9, 30), (2, 3): "  note  "})

    _assert_untouched(corpus, out, {SHEET, "xl/styles.xml", "xl/calcChain.xml"})
    assert set(result.changed) == {SHEET, "xl/styles.xml", "xl/calcChain.xml"}
    ws = openpyxl.load_workbook(out)["Suivi"]
    assert (ws["E4"].value, ws["E5"].value, ws["D7"].value) == ("accordé", "=pas une formule", 123)
    assert ws["E5"].data_type == "s" and ws["E5"].quotePrefix and not ws["E4"].quotePrefix
    assert ws["B8"].value == datetime(2026, 2, 1) and ws["B8"].style_id == ws["B9"].style_id  # its own date style
    assert ws["F4"].value == datetime(2026, 3, 15, 9, 30) and ws["F4"].number_format == "DD/MM/YYYY HH:MM"
    assert ws["C2"].value == "  note  "
    rows = _calamine(out, "Suivi")
    assert rows[3][4] == "accordé" and rows[4][4] == "=pas une formule" and rows[6][3] == 123
    assert rows[7][1] == date(2026, 2, 1) and rows[3][5] == datetime(2026, 3, 15, 9, 30)
    # formulas nobody wrote keep their cached results, for calamine as for every reader but Excel
    assert [rows[r - 1][3] for r in (4, 5, 6, 8, LAST)] == [2 * AMOUNTS[r] for r in (4, 5, 6, 8, LAST)]
    assert _calamine(out, "Calculs") == [["Total", sum(AMOUNTS.values())]]
    # the written formula leaves the calculation chain; the entry after it keeps its sheet
    chain = _calc_chain(out)
    assert ("D7", "") not in chain and ("D8", "1") in chain and chain[-1] == ("B1", "2") and len(chain) == 10
    sheet = _part(out, SHEET)
    assert b'<dimension ref="A1:F13"/>' in sheet
    assert sheet.endswith(_part(corpus, SHEET)[_part(corpus, SHEET).index(b"<conditionalFormatting"):])


def test_cells_stay_in_order_without_duplicates(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "ordre.xlsm"
    write_cells(corpus, out, "Suivi", {(4, 10): 1, (4, 7): 2, (4, 1): "remplacé", (2, 2): 3, (20, 1): "loin",
                                       (4, 2): None, (4, 9): None})

    sheet = _part(out, SHEET).decode()
    assert re.findall(r'<row r="(\d+)"', sheet) == ["1", "2", "3", *[str(r) for r in range(4, LAST + 1)], "20"]
    row4 = re.search(r'<row r="4".*?</row>', sheet).group()
    assert re.findall(r'<c r="(\w+)"', row4) == ["A4", "B4", "C4", "D4", "G4", "J4"]
    ws = openpyxl.load_workbook(out)["Suivi"]
    assert (ws["A4"].value, ws["G4"].value, ws["J4"].value, ws["B2"].value, ws["A20"].value) == (
        "remplacé", 2, 1, 3, "loin")
    assert ws["A4"].comment is not None  # the comment on the replaced cell is another part, untouched
    assert ws["B4"].value is None and ws["B4"].number_format == "DD/MM/YYYY"  # cleared, its format kept
    assert _calamine(out, "Suivi")[3][3] == 2 * AMOUNTS[4]


def test_appended_row_grows_table_validation_and_format(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "ajout.xlsm"
    append_rows(corpus, out, "Suivi", {LAST + 1: {1: "Demandeur 14", 2: date(2026, 1, 14), 3: 11000}})

    _assert_untouched(corpus, out, {SHEET, "xl/tables/table1.xml"})  # the date takes the style of the cell above
    table = _part(out, "xl/tables/table1.xml").decode()
    assert 'ref="A3:E14"' in table and '<autoFilter ref="A3:E14"/>' in table
    sheet = _part(out, SHEET).decode()
    assert '<conditionalFormatting sqref="C4:C14">' in sheet and 'sqref="E4:E14"' in sheet
    assert "<xm:sqref>C4:C14</xm:sqref>" in sheet  # the data bar of Excel 2010, in the sheet's extLst
    assert "<xm:sqref>E13</xm:sqref>" in sheet  # a sparkline stays in its one cell
    assert '<dimension ref="A1:E14"/>' in sheet
    ws = openpyxl.load_workbook(out)["Suivi"]
    assert [c.value for c in ws[14]][:3] == ["Demandeur 14", datetime(2026, 1, 14), 11000]
    assert ws["B14"].number_format == "DD/MM/YYYY"
    assert ws.tables["Demandes"].ref == "A3:E14"
    assert _calamine(out, "Suivi")[13][:4] == ["Demandeur 14", date(2026, 1, 14), 11000, ""]


def test_calc_chain_left_empty_is_removed_with_its_references(corpus: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "un.xlsm", tmp_path / "deux.xlsm"
    write_cells(corpus, first, "Suivi", {(row, 4): 0 for row in range(4, LAST + 1)})
    result = write_cells(first, second, "Calculs", {(1, 2): "plus de formule"})

    assert result.removed == ("xl/calcChain.xml",)
    _assert_untouched(first, second, {"xl/worksheets/sheet2.xml", "xl/_rels/workbook.xml.rels",
                                      "[Content_Types].xml"}, removed=frozenset({"xl/calcChain.xml"}))
    assert b"calcChain" not in _part(second, "xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in _part(second, "[Content_Types].xml")
    assert openpyxl.load_workbook(second)["Calculs"]["B1"].value == "plus de formule"
    assert _calamine(second, "Calculs") == [["Total", "plus de formule"]]


def test_workbook_written_opens_in_libreoffice(corpus: Path, tmp_path: Path) -> None:
    written, out = tmp_path / "écrit.xlsm", tmp_path / "final.xlsm"
    write_cells(corpus, written, "Suivi", {(4, 5): "accordé", (5, 5): "=pas une formule"})
    append_rows(written, out, "Suivi", {LAST + 1: {1: "Demandeur 14", 2: date(2026, 1, 14), 3: 11000}})
    soffice = find_libreoffice()
    assert soffice is not None
    for target in ('csv:Text - txt - csv (StarCalc):44,34,76', "xlsx"):
        done = subprocess.run([str(soffice), f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}",
                               "--headless", "--convert-to", target, "--outdir", str(tmp_path / "lo"), str(out)],
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0 and "Error" not in done.stderr, done.stderr
    with open(tmp_path / "lo" / "final.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[3][:5] == ["Demandeur 4", "04/01/2026", "1000", "2000", "accordé"]
    assert rows[4][4] == "=pas une formule" and rows[13][:3] == ["Demandeur 14", "14/01/2026", "11000"]
    saved_by_libreoffice = tmp_path / "lo" / "final.xlsx"
    assert openpyxl.load_workbook(saved_by_libreoffice)["Suivi"]["E4"].value == "accordé"
    # LibreOffice's own packages (members followed by a data descriptor) are copied as faithfully
    again = tmp_path / "encore.xlsx"
    write_cells(saved_by_libreoffice, again, "Suivi", {(6, 5): "refusé"})
    _assert_untouched(saved_by_libreoffice, again, {SHEET})
    with zipfile.ZipFile(again) as archive:
        assert archive.testzip() is None
    assert [row[4] for row in _calamine(again, "Suivi")[3:6]] == ["accordé", "=pas une formule", "refusé"]


def test_shared_formula_master_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "partagé.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Suivi"
    wb.save(source)
    with zipfile.ZipFile(source) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(source, "w") as archive:
        for name, data in members:
            if name == SHEET:
                data = re.sub(rb"<sheetData\s*/>|<sheetData>.*</sheetData>", b'<sheetData><row r="1">'
                              b'<c r="A1"><f t="shared" ref="A1:A2" si="0">B1</f><v>1</v></c></row><row r="2">'
                              b'<c r="A2"><f t="shared" si="0"/><v>2</v></c></row></sheetData>', data)
            archive.writestr(name, data)

    with pytest.raises(PackageRefused) as refused:
        write_cells(source, tmp_path / "out.xlsx", "Suivi", {(1, 1): "x"})
    assert refused.value.message == ("partagé.xlsx, feuille « Suivi » : cellule A1 : sa formule sert aussi à "
                                     "d'autres cellules, elle n'est pas remplacée")
    assert not (tmp_path / "out.xlsx").exists()


def test_strict_workbook_and_unknown_sheet_are_refused(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(PackageRefused) as refused:
        write_cells(corpus, tmp_path / "out.xlsm", "Absente", {(1, 1): "x"})
    assert refused.value.message == "registre.xlsm : feuille « Absente » introuvable"

    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(corpus) as archive, zipfile.ZipFile(strict, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                    b"http://purl.oclc.org/ooxml/spreadsheetml/main")
            out.writestr(info.filename, data)
    with pytest.raises(PackageRefused) as refused:
        write_cells(strict, tmp_path / "out.xlsx", "Suivi", {(1, 1): "x"})
    assert refused.value.message.startswith("strict.xlsx : classeur au format « Open XML strict »")
    assert refusal(strict, "Suivi") == refused.value.message  # what check says before a run
    assert refusal(corpus, "Suivi") is None


def test_package_copy_interrupted_leaves_no_half_workbook(corpus: Path, tmp_path: Path) -> None:
    def broken(member: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        copy_package(corpus, tmp_path / "moitié.xlsm", {SHEET: broken})
    assert not (tmp_path / "moitié.xlsm").exists()


def test_binary_workbooks_are_refused_in_french(tmp_path: Path) -> None:
    legacy = tmp_path / "ancien.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    binary = tmp_path / "binaire.xlsb"
    with zipfile.ZipFile(binary, "w") as archive:
        archive.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        archive.writestr("xl/workbook.bin", bytes(range(40)))

    assert refusal(legacy, "Suivi") == ("ancien.xls : ce n'est pas un classeur .xlsx que l'outil sait compléter "
                                        "(ancien format .xls, ou fichier abîmé) ; enregistrez-le au format "
                                        "« Classeur Excel (*.xlsx) »")
    assert refusal(tmp_path / "absent.xlsx", "Suivi") == f"absent.xlsx : fichier introuvable ({tmp_path})"
    with pytest.raises(PackageRefused) as refused:
        write_cells(binary, tmp_path / "out.xlsx", "Suivi", {(1, 1): "x"})
    assert refused.value.message == ("binaire.xlsb : classeur binaire (.xlsb), que l'outil ne sait pas compléter ; "
                                     "enregistrez-le au format « Classeur Excel (*.xlsx) »")


def test_damaged_part_is_refused_and_nothing_written(corpus: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "abîmé.xlsm"
    with zipfile.ZipFile(corpus) as archive, zipfile.ZipFile(damaged, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            out.writestr(info.filename, data[: len(data) // 2] if info.filename == "xl/styles.xml" else data)

    with pytest.raises(PackageRefused) as refused:
        write_cells(damaged, tmp_path / "out.xlsm", "Suivi", {(4, 5): "accordé"})
    assert refused.value.message == ("abîmé.xlsm : fichier illisible (classeur abîmé ou incomplet : copie "
                                     "interrompue ?) : remettez-le depuis une sauvegarde, ou enregistrez-le de "
                                     "nouveau dans Excel")
    assert not (tmp_path / "out.xlsm").exists()
