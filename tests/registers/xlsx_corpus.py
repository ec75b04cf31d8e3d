"""A staff register holding what openpyxl drops: built with openpyxl, then completed part by part in its zip.

Sheet « Suivi »: a logo in the title rows, a header row 3, ten applications in
a table (rows 4-13) with a data validation, a conditional format, a slicer,
a legacy comment, threaded comments, sparklines and an Excel 2010 data bar, formulas in column D with their
cached results and a calcChain.xml, a chart. Sheet « Calculs » sums the
register, sheet « TCD » holds a pivot table. The workbook also links an
external workbook and carries a vbaProject.bin (saved as .xlsm).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table
from PIL import Image as Picture

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
FIRST, LAST = 4, 13
AMOUNTS = {row: (row - 3) * 1000 for row in range(FIRST, LAST + 1)}
VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # kept as bytes: nobody runs it here


def _logo() -> io.BytesIO:
    data = io.BytesIO()
    Picture.new("RGB", (60, 30), (0, 80, 160)).save(data, "PNG")
    data.seek(0)
    return data


def _openpyxl_part(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Suivi"
    ws["A1"] = "CCAS — suivi des demandes d'aide"
    ws.add_image(Image(_logo()), "F1")
    ws.append([])
    ws.append(["Nom", "Date", "Montant", "Double", "Statut"])
    for row in range(FIRST, LAST + 1):
        ws.append([f"Demandeur {row}", date(2026, 1, row), AMOUNTS[row], f"=C{row}*2", None])
        ws.cell(row, 2).number_format = "DD/MM/YYYY"
    ws.add_table(Table(displayName="Demandes", ref=f"A3:E{LAST}"))
    validation = DataValidation(type="list", formula1='"accordé,refusé"', allow_blank=True)
    validation.add(f"E{FIRST}:E{LAST}")
    ws.add_data_validation(validation)
    ws.conditional_formatting.add(f"C{FIRST}:C{LAST}", CellIsRule(operator="greaterThan", formula=["5000"]))
    ws["A4"].comment = Comment("Dossier complet", "Accueil")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=3, max_row=LAST), titles_from_data=True)
    ws.add_chart(chart, "H3")
    calc = wb.create_sheet("Calculs")
    calc["A1"] = "Total"
    calc["B1"] = f"=SUM(Suivi!C{FIRST}:C{LAST})"
    wb.create_sheet("TCD")
    wb.save(path)


def _rewrite(path: Path, edits: dict[str, Callable[[bytes], bytes]], added: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            out.writestr(info, edits.get(info.filename, lambda d: d)(data))
        for name, data in added.items():
            out.writestr(name, data)


def _before(closing: bytes, text: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(closing, text + closing, 1)


def _cached_results(sheet: bytes) -> bytes:
    # openpyxl writes formulas without results; Excel keeps each one's last result in <v>
    sheet = re.sub(rb"<f>C(\d+)\*2</f><v>\s*</v>", lambda m: b"<f>C%s*2</f><v>%d</v>" % (
        m.group(1), 2 * AMOUNTS[int(m.group(1))]), sheet)
    sparklines = (
        b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup displayEmptyCellsAs="gap">'
        b'<x14:colorSeries rgb="FF376092"/><x14:sparklines><x14:sparkline><xm:f>Suivi!C4:C13</xm:f>'
        b"<xm:sqref>E13</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups>"
        b'</ext><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="%s"><x14:conditionalFormattings>'
        b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-0000000000DB}"><x14:dataBar minLength="0" '
        b'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
        b"<xm:sqref>C4:C13</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings>"
        b'</ext><ext uri="{3A4CF648-6AED-40f4-86FF-DC5316D8AED3}" xmlns:x15="%s">'
        b'<x14:slicerList xmlns:x14="%s"><x14:slicer xmlns:r="%s" r:id="rId81"/></x14:slicerList></ext></extLst>'
        % (X14.encode(), X15.encode(), X14.encode(), R.encode()))
    return _before(b"</worksheet>", sparklines)(sheet)


def _calc(sheet: bytes) -> bytes:
    return sheet.replace(b"<v></v>", b"<v>%d</v>" % sum(AMOUNTS.values())).replace(b"<v />", b"<v>%d</v>" % sum(
        AMOUNTS.values()))


CALC_CHAIN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<calcChain xmlns="{MAIN}"><c r="D4" i="1"/>'
              + "".join(f'<c r="D{row}"/>' for row in range(FIRST + 1, LAST + 1)) + '<c r="B1" i="2"/></calcChain>')
PIVOT_CACHE = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotCacheDefinition xmlns="{MAIN}" '
               f'xmlns:r="{R}" saveData="0" refreshOnLoad="1" recordCount="0" createdVersion="3" '
               'refreshedVersion="3" minRefreshableVersion="3"><cacheSource type="worksheet">'
               f'<worksheetSource ref="A3:C{LAST}" sheet="Suivi"/></cacheSource><cacheFields count="3">'
               '<cacheField name="Nom" numFmtId="0"><sharedItems/></cacheField>'
               '<cacheField name="Date" numFmtId="14"><sharedItems/></cacheField>'
               '<cacheField name="Montant" numFmtId="0"><sharedItems containsSemiMixedTypes="0" '
               'containsString="0" containsNumber="1" containsInteger="1" minValue="1000" maxValue="10000"/>'
               "</cacheField></cacheFields></pivotCacheDefinition>")
PIVOT_TABLE = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<pivotTableDefinition xmlns="{MAIN}" '
               'name="TCD1" cacheId="1" dataCaption="Valeurs" updatedVersion="3" minRefreshableVersion="3" '
               'createdVersion="3" outline="1" outlineData="1"><location ref="A1" firstHeaderRow="1" '
               'firstDataRow="1" firstDataCol="0"/><pivotFields count="3"><pivotField showAll="0"/>'
               '<pivotField showAll="0"/><pivotField dataField="1" showAll="0"/></pivotFields>'
               '<dataFields count="1"><dataField name="Somme de Montant" fld="2" baseField="0" baseItem="0"/>'
               "</dataFields></pivotTableDefinition>")
EXTERNAL_LINK = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<externalLink xmlns="{MAIN}" '
                 f'xmlns:r="{R}"><externalBook r:id="rId1"><sheetNames><sheetName val="Budget"/></sheetNames>'
                 '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>42</v></cell></row></sheetData>'
                 "</sheetDataSet></externalBook></externalLink>")
THREADED = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments '
            'xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
            '<threadedComment ref="A4" dT="2026-01-05T10:00:00.00" personId="{00000000-0000-0000-0000-000000000001}" '
            'id="{00000000-0000-0000-0000-000000000002}"><text>Dossier complet</text></threadedComment>'
            "</ThreadedComments>")
SLICER_CACHE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<slicerCacheDefinition xmlns="{X14}" name="Segment_Statut" sourceName="Statut"><extLst>'
                f'<x:ext xmlns:x="{MAIN}" xmlns:x15="{X15}" uri="{{2F2917AC-EB37-4324-AD4E-5DD8C200BD13}}">'
                '<x15:tableSlicerCache tableId="1" column="5"/></x:ext></extLst></slicerCacheDefinition>')
SLICER = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          f'<slicers xmlns="{X14}"><slicer name="Statut" cache="Segment_Statut" caption="Statut" '
          'rowHeight="241300"/></slicers>')
PERSONS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList '
           'xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
           '<person displayName="Accueil" id="{00000000-0000-0000-0000-000000000001}" providerId="None"/>'
           "</personList>")


def _rels(rid: str, kind: str, target: str, mode: str = "") -> bytes:
    body = f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>').encode()


def build(path: Path) -> None:
    """Write the corpus workbook at ``path`` (an .xlsm)."""
    _openpyxl_part(path)
    ms = "http://schemas.microsoft.com/office/2017/10/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = (f'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
             f'<Override PartName="/xl/calcChain.xml" ContentType="{ct}.calcChain+xml"/>'
             f'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" '
             f'ContentType="{ct}.pivotCacheDefinition+xml"/>'
             f'<Override PartName="/xl/pivotTables/pivotTable1.xml" ContentType="{ct}.pivotTable+xml"/>'
             f'<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="{ct}.externalLink+xml"/>'
             '<Override PartName="/xl/threadedComments/threadedComment1.xml" '
             'ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
             '<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
             '<Override PartName="/xl/slicers/slicer1.xml" ContentType="application/vnd.ms-excel.slicer+xml"/>'
             '<Override PartName="/xl/slicerCaches/slicerCache1.xml" '
             'ContentType="application/vnd.ms-excel.slicerCache+xml"/>')
    workbook_rels = (f'<Relationship Id="rId90" Type="{R}/calcChain" Target="calcChain.xml"/>'
                     f'<Relationship Id="rId91" Type="{R}/pivotCacheDefinition" '
                     'Target="pivotCache/pivotCacheDefinition1.xml"/>'
                     f'<Relationship Id="rId92" Type="{R}/externalLink" Target="externalLinks/externalLink1.xml"/>'
                     '<Relationship Id="rId93" Type="http://schemas.microsoft.com/office/2006/relationships/'
                     'vbaProject" Target="vbaProject.bin"/>'
                     f'<Relationship Id="rId94" Type="{ms}/person" Target="persons/person.xml"/>'
                     '<Relationship Id="rId95" Type="http://schemas.microsoft.com/office/2007/relationships/'
                     'slicerCache" Target="slicerCaches/slicerCache1.xml"/>')
    _rewrite(path, {
        "[Content_Types].xml": lambda d: _before(b"</Types>", types.encode())(
            d.replace(f"{ct}.sheet.main+xml".encode(), b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")),
        "xl/_rels/workbook.xml.rels": _before(b"</Relationships>", workbook_rels.encode()),
        "xl/workbook.xml": lambda d: _before(b"</workbook>", f'<pivotCaches><pivotCache xmlns:r="{R}" cacheId="1" '
                                             'r:id="rId91"/></pivotCaches><extLst><ext xmlns:x15="'
                                             f'{X15}" uri="{{46BE6895-7355-4a93-B00E-2C351335B9C9}}">'
                                             f'<x15:slicerCaches xmlns:x14="{X14}"><x14:slicerCache '
                                             f'xmlns:r="{R}" r:id="rId95"/></x15:slicerCaches></ext>'
                                             "</extLst>".encode())(d.replace(
            b"</sheets>", f'</sheets><externalReferences><externalReference xmlns:r="{R}" r:id="rId92"/>'
                         "</externalReferences>".encode())),
        "xl/worksheets/sheet1.xml": _cached_results,
        "xl/worksheets/sheet2.xml": _calc,
        "xl/worksheets/_rels/sheet1.xml.rels": _before(b"</Relationships>", (
            f'<Relationship Id="rId80" Type="{ms}/threadedComment" '
            'Target="../threadedComments/threadedComment1.xml"/><Relationship Id="rId81" '
            'Type="http://schemas.microsoft.com/office/2007/relationships/slicer" '
            'Target="../slicers/slicer1.xml"/>').encode()),
    }, {
        "xl/calcChain.xml": CALC_CHAIN.encode(),
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE.encode(),
        "xl/pivotTables/pivotTable1.xml": PIVOT_TABLE.encode(),
        "xl/pivotTables/_rels/pivotTable1.xml.rels": _rels(
            "rId1", f"{R}/pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml"),
        "xl/worksheets/_rels/sheet3.xml.rels": _rels("rId1", f"{R}/pivotTable", "../pivotTables/pivotTable1.xml"),
        "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK.encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": _rels(
            "rId1", f"{R}/externalLinkPath", "Budget.xlsx", ' TargetMode="External"'),
        "xl/threadedComments/threadedComment1.xml": THREADED.encode(),
        "xl/persons/person.xml": PERSONS.encode(),
        "xl/slicers/slicer1.xml": SLICER.encode(),
        "xl/slicerCaches/slicerCache1.xml": SLICER_CACHE.encode(),
        "xl/vbaProject.bin": VBA,
    })
