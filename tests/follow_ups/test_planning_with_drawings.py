"""The Province Sud planning, with a logo, a chart and a pivot table added as staff do, gets its follow-up
columns written by a run; every other part of its package stays byte for byte the same."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.drawing.image import Image
from PIL import Image as Picture

from automations.cli import commands
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..registers.xlsx_corpus import PIVOT_CACHE, PIVOT_TABLE, R, _before, _rels, _rewrite
from .test_follow_ups_samples import copy_service

CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def dress_up(path: Path) -> str:
    """A logo in the title rows, a chart beside the planning and a pivot table on its own sheet; returns the
    planning's sheet part."""
    wb = openpyxl.load_workbook(path)
    ws = wb[next(name for name in wb.sheetnames if name.startswith("Planning"))]
    logo = io.BytesIO()
    Picture.new("RGB", (60, 30), (0, 80, 160)).save(logo, "PNG")
    logo.seek(0)
    ws.add_image(Image(logo), "J1")
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=ws.min_row, max_row=ws.max_row), titles_from_data=True)
    ws.add_chart(chart, "P2")
    wb.create_sheet("TCD")
    pivot_sheet = len(wb.sheetnames)
    planning = wb.sheetnames.index(ws.title) + 1
    wb.save(path)
    _rewrite(path, {
        "[Content_Types].xml": _before(b"</Types>", (
            f'<Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="{CT}.pivotCacheDefinition'
            f'+xml"/><Override PartName="/xl/pivotTables/pivotTable1.xml" ContentType="{CT}.pivotTable+xml"/>'
        ).encode()),
        "xl/_rels/workbook.xml.rels": _before(b"</Relationships>", (
            f'<Relationship Id="rId91" Type="{R}/pivotCacheDefinition" '
            'Target="pivotCache/pivotCacheDefinition1.xml"/>').encode()),
        "xl/workbook.xml": _before(b"</workbook>", (
            f'<pivotCaches><pivotCache xmlns:r="{R}" cacheId="1" r:id="rId91"/></pivotCaches>').encode()),
    }, {
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE.encode(),
        "xl/pivotTables/pivotTable1.xml": PIVOT_TABLE.encode(),
        "xl/pivotTables/_rels/pivotTable1.xml.rels": _rels(
            "rId1", f"{R}/pivotCacheDefinition", "../pivotCache/pivotCacheDefinition1.xml"),
        f"xl/worksheets/_rels/sheet{pivot_sheet}.xml.rels": _rels(
            "rId1", f"{R}/pivotTable", "../pivotTables/pivotTable1.xml"),
    })
    return f"xl/worksheets/sheet{planning}.xml"


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_planning_with_a_logo_a_chart_and_a_pivot_table_gets_its_follow_up_written(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "province-sud-del")
    planning = tmp_path / "registres" / "Planning des instances 2026.xlsx"
    sheet_part = dress_up(planning)
    before = members(planning)
    cells_before = {(ws.title, c.coordinate): c.value for ws in openpyxl.load_workbook(planning)
                    for row in ws.iter_rows() for c in row}
    ctx = Context(config=load_config(config, backends=settings_checks()),
                  clock=FakeClock(datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)), out=io.StringIO())
    report = commands.run(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert report.sidecars == [] and "à reporter à la main" not in out
    after = members(planning)
    assert list(after) == list(before)  # same parts, same order
    # the planning's sheet, and styles.xml for the date format its status column lacked
    assert [name for name in before if before[name] != after[name]] == [sheet_part, "xl/styles.xml"]
    assert any(n.startswith("xl/media/") for n in after) and any(n.startswith("xl/charts/") for n in after)
    assert "xl/pivotTables/pivotTable1.xml" in after
    cells_after = {(ws.title, c.coordinate): c.value for ws in openpyxl.load_workbook(planning)
                   for row in ws.iter_rows() for c in row}
    changed = {k: v for k, v in cells_after.items() if cells_before.get(k) != v}
    # the convocation of the 14/12 committee went out: its « Invitations envoyées le » (J) says when, and only it
    assert cells_after[("Planning 2026", "J4")] == "Invitations envoyées le"
    assert cells_after[("Planning 2026", "A47")] == "Comité prévention des expulsions"
    assert changed == {("Planning 2026", "J47"): datetime(2026, 11, 23)}
    assert openpyxl.load_workbook(planning)["Planning 2026"]["J47"].is_date
