"""What ``run planning`` writes: next year's workbook (Province Sud) or rows under the others (CCAS), twice idle."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from automations.cli import commands
from automations.documents.pdf import find_libreoffice
from automations.engine.context import Context
from automations.errors import UserError
from automations.planning.draft import draft_year
from automations.planning.write import planning_writes
from automations.registers.year_copy import write_year
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, PROJECT, FakeClock

SAMPLES = PROJECT.parent / "shared" / "samples"
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
PLANNING_2026 = "Planning des instances 2026.xlsx"
PLANNING_2027 = "Planning des instances 2027.xlsx"


def _context(name: str, tmp_path: Path) -> Context:
    folder = tmp_path / name
    shutil.copytree(SAMPLES / name, folder)
    for path in (folder, *folder.iterdir()):  # the shipped samples are read-only
        path.chmod(path.stat().st_mode | 0o200)
    config = load_config(PROJECT / "examples" / name / "config.toml", backends=settings_checks())
    config = dataclasses.replace(config, paths=dataclasses.replace(config.paths, registers=folder,
                                                                   backups=tmp_path / "sauvegardes"))
    return Context(config=config, clock=FakeClock(NOW), out=io.StringIO())


def _run(ctx: Context):
    """One ``run planning``'s writes: the registers read afresh, 2027 drafted, then written."""
    loaded = commands.load(ctx)
    drafted = draft_year(loaded.service, 2027, [], [], NOW.date())
    writes = planning_writes(loaded.service, loaded.mapping.registers["sessions"],
                             loaded.registers.layouts["sessions"], loaded.registers.files, drafted, 2027)
    write_year(writes.new_workbook, writes.appends, backup_dir=ctx.config.paths.backups, now=NOW)
    return writes, drafted


def _values(path: Path, sheet: str, rows: range | None = None) -> list[tuple]:
    book = openpyxl.load_workbook(path)
    cells = list(book[sheet].iter_rows(values_only=True))
    return cells if rows is None else [cells[r - 1] for r in rows]


def _look(cell) -> tuple:
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment), cell.number_format)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _libreoffice_csv(path: Path, tmp_path: Path) -> list[list[str]]:
    soffice = find_libreoffice()
    assert soffice is not None
    done = subprocess.run([str(soffice), f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir",
                           str(tmp_path / "lo"), str(path)], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0 and "Error" not in done.stderr, done.stderr
    with open(tmp_path / "lo" / (path.stem + ".csv"), encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_next_years_workbook_is_made_from_this_years(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    folder = ctx.config.paths.registers
    before = _digest(folder / PLANNING_2026)
    writes, drafted = _run(ctx)
    assert writes.new_workbook is not None and not writes.appends and len(writes.sessions) == len(drafted) > 30
    assert _digest(folder / PLANNING_2026) == before  # this year's workbook is not touched
    old, new = openpyxl.load_workbook(folder / PLANNING_2026), openpyxl.load_workbook(folder / PLANNING_2027)
    assert new.sheetnames == ["Planning 2027", "Instances", "Membres", "Salles"]
    sheet, was = new["Planning 2027"], old["Planning 2026"]
    # the title rows with the year changed, the header as it was
    assert sheet["A1"].value == was["A1"].value
    assert sheet["A2"].value == "Planning des instances de concertation – 2027"
    assert [c.value for c in sheet[4]] == [c.value for c in was[4]]
    # this year's rows left out, next year's rows in date order, « Prévue »
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == len(drafted)
    first = drafted[0]
    assert rows[0][:7] == (first.committee, datetime.combine(first.date, datetime.min.time()),
                           f"{first.time.hour}h{first.time.minute:02d}" if first.time.minute else f"{first.time.hour}h",
                           int(first.duration_hours), first.room, None, "Prévue")
    assert all(r[1].year == 2027 and r[6] == "Prévue" for r in rows)
    # formatting kept: merged titles, widths, fonts, validation, conditional format, comment
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:L1", "A2:L2"}
    assert {k: d.width for k, d in sheet.column_dimensions.items()} == \
        {k: d.width for k, d in was.column_dimensions.items()}
    for row in (1, 2, 4):
        assert [_look(c) for c in sheet[row]] == [_look(c) for c in was[row]]
    assert _look(was["A4"])[1] != _look(was["A5"])[1]  # the header's fill is not a row's
    for row in (5, 6, 5 + len(drafted) - 1):  # the new rows look like this year's first
        assert [_look(c) for c in sheet[row]] == [_look(c) for c in was[5]]
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["G5:G253"]
    assert len(sheet.conditional_formatting) == len(was.conditional_formatting) > 0
    assert [(c.coordinate, c.comment.text) for row in sheet.iter_rows(max_row=4) for c in row if c.comment] == \
        [(c.coordinate, c.comment.text) for row in was.iter_rows(max_row=4) for c in row if c.comment]
    for name in ("Instances", "Membres", "Salles"):
        assert _values(folder / PLANNING_2027, name) == _values(folder / PLANNING_2026, name)
    with zipfile.ZipFile(folder / PLANNING_2026) as a, zipfile.ZipFile(folder / PLANNING_2027) as b:
        assert a.namelist() == b.namelist() and b.testzip() is None
    assert _libreoffice_csv(folder / PLANNING_2027, tmp_path)[4][6] == "Prévue"


def test_a_second_run_is_idle_and_a_started_year_is_completed(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    target = ctx.config.paths.registers / PLANNING_2027
    first, drafted = _run(ctx)
    made = _digest(target)
    again, redrafted = _run(ctx)
    assert redrafted == [] and again.idle and _digest(target) == made
    # the same sessions offered again are found in the planning: none is written twice
    loaded = commands.load(ctx)
    offered = planning_writes(loaded.service, loaded.mapping.registers["sessions"],
                              loaded.registers.layouts["sessions"], loaded.registers.files, drafted, 2027)
    assert offered.idle and offered.already == tuple(drafted)
    # a year started by staff: two sessions missing, one row typed with their own room
    year = first.new_workbook
    assert year is not None
    staff_row = tuple((h, "Salle du personnel" if h == "Lieu" else v) for h, v in year.rows[2])
    target.unlink()
    write_year(dataclasses.replace(year, rows=(staff_row, *year.rows[3:])), (),
               backup_dir=ctx.config.paths.backups, now=NOW)
    staff_rows = _values(target, "Planning 2027")
    assert staff_rows[4][4] == "Salle du personnel"
    third, _ = _run(ctx)
    assert third.new_workbook is None and [a.values for _, a in third.appends] == [year.rows[0], year.rows[1]]
    after = _values(target, "Planning 2027")
    assert after[:len(staff_rows)] == staff_rows and len(after) == len(staff_rows) + 2
    assert [r[:2] for r in after[-2:]] == [(s.committee, datetime.combine(s.date, datetime.min.time()))
                                           for s in first.sessions[:2]]
    done = _digest(target)
    fourth, _ = _run(ctx)
    assert fourth.idle and _digest(target) == done


def test_one_sheet_for_every_year_gets_rows_under_the_others(tmp_path: Path) -> None:
    ctx = _context("ccas-lifou", tmp_path)
    workbook = ctx.config.paths.registers / "CCAS We - registres.xlsx"
    before = _values(workbook, "Commission AF")
    writes, drafted = _run(ctx)
    assert writes.new_workbook is None and len(writes.appends) == len(drafted) > 5
    assert sorted(p.name for p in ctx.config.paths.registers.iterdir()) == ["CCAS We - registres.xlsx"]
    after = _values(workbook, "Commission AF")
    assert after[:len(before)] == before  # every staff row and the header the same
    added = after[len(before):]
    assert [r[1].date() for r in added] == [s.date for s in drafted]
    assert added[0][2:4] == ("9h", drafted[0].room)
    assert [r[0] for r in added] == list(range(22, 22 + len(added)))  # « N° » goes on after the 21st session
    book = openpyxl.load_workbook(workbook)
    assert book["Commission AF"]["B" + str(len(before) + 1)].number_format == \
        book["Commission AF"]["B" + str(len(before))].number_format
    written = _digest(workbook)
    again, _ = _run(ctx)
    assert again.idle and _digest(workbook) == written
    assert _libreoffice_csv(workbook, tmp_path)[len(before)][2] == "9h"


@pytest.mark.parametrize("name", ["province-sud-del", "ccas-lifou"])
def test_nothing_drafted_writes_nothing(name: str, tmp_path: Path) -> None:
    ctx = _context(name, tmp_path)
    loaded = commands.load(ctx)
    writes = planning_writes(loaded.service, loaded.mapping.registers["sessions"],
                             loaded.registers.layouts["sessions"], loaded.registers.files, [], 2027)
    assert writes.idle and writes.sessions == ()


def test_two_committees_on_the_same_day_are_both_written(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    target = ctx.config.paths.registers / PLANNING_2027
    first, _ = _run(ctx)
    year = first.new_workbook
    assert year is not None
    # staff typed another committee on the day of the first session, which is still missing
    other = next(s.committee for s in first.sessions if s.committee != first.sessions[0].committee)
    same_day = tuple((h, other if h == "Instance" else v) for h, v in year.rows[0])
    target.unlink()
    write_year(dataclasses.replace(year, rows=(same_day, *year.rows[1:])), (), backup_dir=ctx.config.paths.backups,
               now=NOW)
    _run(ctx)
    rows = _values(target, "Planning 2027")
    day = datetime.combine(first.sessions[0].date, datetime.min.time())
    assert {r[0] for r in rows if r[1] == day} == {other, first.sessions[0].committee}


def test_next_years_workbook_without_a_planning_sheet_is_said(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    target = ctx.config.paths.registers / PLANNING_2027
    book = openpyxl.Workbook()
    book.active.title = "Brouillon"
    book.save(target)
    made = _digest(target)
    with pytest.raises(UserError, match="« Planning des instances 2027.xlsx » : aucune feuille de planning n'y a "
                                        "été lue .* le planning 2027 ne peut pas y être complété"):
        _run(ctx)
    assert _digest(target) == made and sorted(p.name for p in (ctx.config.paths.backups,) if p.exists()) == []
    assert _digest(ctx.config.paths.registers / PLANNING_2026) == _digest(SAMPLES / "province-sud-del" /
                                                                           PLANNING_2026)
