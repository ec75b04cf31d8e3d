"""A register the writer cannot edit safely is never written: its follow-up goes to a workbook beside it, and staff
are told. A register with a chart is written, the chart kept."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from automations.cli import commands
from automations.digest.content import DigestFacts, Problems
from automations.digest.render import render_html, render_text
from automations.engine.journal import Journal
from automations.registers import writeback, xlsx_writer

from ..service_factory import context, edit_planning, make_service
from ..convocations.test_invitations import PLANNING, outbox, run

SIDECAR = Path("registres") / "Planning des instances 2026 – suivi à reporter.xlsx"


def add_chart(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Planning 2026"]
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=4, min_row=4, max_row=8), titles_from_data=True)
    sheet.add_chart(chart, "P2")
    workbook.save(path)


REFUSED = "Planning des instances 2026.xlsx : classeur chiffré, il ne peut pas être complété"


def refuse_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The writer refuses the planning as it refuses a protected package; the reader, which refuses such a package
    too, still reads it, so that what happens to its follow-up can be seen end to end."""
    def refused(path: Path, sheet: str) -> str | None:
        return REFUSED if path.name == PLANNING.name else None

    monkeypatch.setattr(xlsx_writer, "refusal", refused)
    monkeypatch.setattr(writeback, "refusal", refused)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in openpyxl.load_workbook(path)[sheet].iter_rows(min_row=4, values_only=True)]


def test_a_register_with_a_chart_is_written_and_keeps_it(tmp_path: Path, clock) -> None:
    make_service(tmp_path)
    add_chart(tmp_path / PLANNING)
    before = members(tmp_path / PLANNING)
    report = commands.run(context(tmp_path / "config.toml", clock))
    assert len(report.done) == 1 and report.written == 1 and report.sidecars == [] and report.ok
    after = members(tmp_path / PLANNING)
    assert list(after) == list(before) and any(name.startswith("xl/charts/") for name in after)
    assert [name for name in before if before[name] != after[name]] == ["xl/worksheets/sheet1.xml"]
    assert not (tmp_path / SIDECAR).exists()


def test_a_register_the_writer_cannot_edit_keeps_its_bytes_and_gets_a_sidecar(
        tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    make_service(tmp_path)
    refuse_edits(monkeypatch)
    before = sha(tmp_path / PLANNING)
    ctx = context(tmp_path / "config.toml", clock)
    report = commands.run(ctx)
    assert len(report.done) == 1 and report.written == 0 and report.ok
    assert sha(tmp_path / PLANNING) == before  # not one byte of the staff's workbook changed
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert ("⚠ « Planning des instances 2026.xlsx » n'est pas enregistré par l'outil (ne peut pas être modifié sans "
            "risque (Planning des instances 2026.xlsx : classeur chiffré, il ne peut pas être complété)) : 1 valeur "
            "de plus à reporter à la main, listées dans « Planning des instances 2026 – suivi à reporter.xlsx ».") in out
    sidecar = openpyxl.load_workbook(tmp_path / SIDECAR)
    assert sidecar.sheetnames == ["Cellules à remplir"]
    sheet = sidecar["Cellules à remplir"]
    assert sheet["A1"].value == "À reporter à la main dans « Planning des instances 2026.xlsx »"
    assert "classeur chiffré" in sheet["A2"].value
    header, *values = rows(tmp_path / SIDECAR, "Cellules à remplir")
    assert header == ("Noté le", "Feuille", "Ligne", "Repère de la ligne", "Colonne", "À inscrire")
    noted = clock.moment.replace(tzinfo=None)
    # the outbox books no room: only the invitation's date is to be written
    assert [(v[1], v[2], v[4], v[5]) for v in values] == [
        ("Planning 2026", 6, "Invitations envoyées le", datetime(noted.year, noted.month, noted.day))]
    assert all(v[0] == noted for v in values)
    assert values[0][3].startswith("Instance : Commission maintien dans le logement ; Date : 02/12/2026")

    # the next run neither resends nor lists the values twice; the sidecar is not read as a register
    again = run(tmp_path, clock)
    assert again.done == [] and again.sidecars == [] and again.written == 0
    assert len(outbox(tmp_path)) == 1
    assert len(rows(tmp_path / SIDECAR, "Cellules à remplir")) == 2
    with Journal(tmp_path / "journal.sqlite3", readonly=True) as journal:
        assert journal.pending_writes() == []
        [(workbook, status, count, _)] = journal.write_backlog()
    assert (Path(workbook).name, status, count) == ("Planning des instances 2026.xlsx", "sidecar", 1)


def test_check_and_history_say_where_the_follow_up_is(
        tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    make_service(tmp_path)
    refuse_edits(monkeypatch)
    ctx = context(tmp_path / "config.toml", clock)
    commands.check(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert ("  - Planning des instances 2026.xlsx\n    ⚠ l'outil n'y écrira pas (Planning des instances 2026.xlsx : "
            "classeur chiffré, il ne peut pas être complété) ; ce qu'il faudrait y reporter ira dans "
            "« Planning des instances 2026 – suivi à reporter.xlsx ».") in out
    run(tmp_path, clock)
    for command in (commands.check, commands.history):
        ctx = context(tmp_path / "config.toml", clock)
        command(ctx)
        assert ("« Planning des instances 2026.xlsx » : 1 valeur à reporter à la main, listées dans "
                "« Planning des instances 2026 – suivi à reporter.xlsx » (l'outil n'enregistre pas ce classeur)."
                ) in ctx.out.getvalue()  # type: ignore[attr-defined]


def test_new_values_join_the_earlier_ones_and_an_open_sidecar_waits(
        tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:
    make_service(tmp_path)
    refuse_edits(monkeypatch)
    run(tmp_path, clock)
    lock = tmp_path / "registres" / "~$Planning des instances 2026 – suivi à reporter.xlsx"
    lock.write_bytes(b"owner")
    edit_planning(tmp_path, 6, Heure="14h")  # the invitation is updated
    ctx = context(tmp_path / "config.toml", clock)
    report = commands.run(ctx)
    assert len(report.done) == 1 and report.sidecars == []
    assert any("suivi à reporter.xlsx » est ouvert dans Excel" in line for line in report.deferred)
    assert len(rows(tmp_path / SIDECAR, "Cellules à remplir")) == 2  # untouched while open
    lock.unlink()
    report = run(tmp_path, clock)
    header, *values = rows(tmp_path / SIDECAR, "Cellules à remplir")
    # the value of the first run, then the update's, noted when its action ran
    assert [v[4] for v in values] == ["Invitations envoyées le"] * 2
    assert values[1][0] - values[0][0] == timedelta(minutes=5)


def test_the_digest_tells_the_manager() -> None:
    now = datetime(2026, 11, 23, 8, 5)
    line = ("« Planning.xlsx » : 2 valeurs à reporter à la main, listées dans « Planning – suivi à reporter.xlsx » "
            "(l'outil n'enregistre pas ce classeur).")
    found = DigestFacts(now=now, week="2026-W48", monday=now.date(), ahead_until=now.date(), sent_since=now,
                        late_after_days=7, sessions=(), sent=(), undecided=(), unsent=(), year=2026, budget=(),
                        problems=Problems(0, 0, ()), backlog=(line,))
    assert f"REPORTS DANS LES REGISTRES\n  ⚠ {line}\n" in render_text(found, "CCAS")
    html = render_html(found, "CCAS")
    assert "Reports dans les registres" in html and "« Planning.xlsx » : 2 valeurs" in html
    assert "REPORTS DANS LES REGISTRES" not in render_text(replace(found, backlog=()), "CCAS")
