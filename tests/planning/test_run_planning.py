"""``run planning`` on both shipped services, late November 2026: the planning written in the staff's layout,
a holding invitation per session, a second run idle, then the convocation on the same meeting."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import icalendar
import openpyxl
import pytest

from automations.cli import commands
from automations.engine.context import Context
from automations.engine.journal import Journal
from automations.planning.calendar import DaysOff
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..follow_ups.test_follow_ups_samples import copy_service

NOVEMBER = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
WORKBOOK = {"province-sud-del": "Planning des instances 2027.xlsx", "ccas-lifou": "CCAS We - registres.xlsx"}
SHEET = {"province-sud-del": "Planning 2027", "ccas-lifou": "Commission AF"}
HEADER = {"province-sud-del": 4, "ccas-lifou": 1}
DATE = {"province-sud-del": "Date", "ccas-lifou": "Date commission"}
STATUS = {"province-sud-del": {"Prévue"}, "ccas-lifou": {None}}  # the CCAS keeps no status column


def _service(tmp_path: Path, sample: str) -> Path:
    config = copy_service(tmp_path, sample)
    config.write_text(config.read_text(encoding="utf-8") + "\n[planning]\nenabled = true\n", encoding="utf-8")
    return config


def _run(config: Path, clock: FakeClock, name: str = "planning") -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=clock, out=io.StringIO())
    commands.run(ctx, name)
    clock.moment += timedelta(minutes=5)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def _mails(tmp_path: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((tmp_path / "boite-d-envoi").glob("*/*.eml"))]


def _event(message: email.message.EmailMessage) -> icalendar.cal.Component:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return next(c for c in icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT"))


def _rows(path: Path, sheet: str, header: int) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    names = [c.value for c in ws[header]]
    return [dict(zip(names, row)) for row in ws.iter_rows(min_row=header + 1, values_only=True) if any(row)]


def _day(value: object) -> date:
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


@pytest.mark.parametrize("sample", ["province-sud-del", "ccas-lifou"])
def test_a_run_writes_the_year_and_holds_each_session_then_idles(sample: str, tmp_path: Path) -> None:
    config = _service(tmp_path, sample)
    workbook = tmp_path / "registres" / WORKBOOK[sample]
    before = _rows(workbook, SHEET[sample], HEADER[sample]) if workbook.exists() else []
    clock = FakeClock(NOVEMBER)
    out = _run(config, clock)
    rows = _rows(workbook, SHEET[sample], HEADER[sample])
    assert rows[:len(before)] == before  # the staff's rows as they were
    new = [r for r in rows[len(before):]]
    dates = [_day(r[DATE[sample]]) for r in new]
    assert new and all(d.year == 2027 for d in dates)
    assert {r.get("Statut") for r in new} == STATUS[sample]
    if sample == "ccas-lifou":  # its sessions are numbered since 2025: the numbering goes on
        assert [r["N°"] for r in new] == list(range(before[-1]["N°"] + 1, before[-1]["N°"] + 1 + len(new)))
    days_off = DaysOff([2027])
    assert [d for d in dates if not days_off.is_working(d)] == []
    assert f"✓ document : Planning 2027 : " in out
    # one holding invitation per session: tentative, « convocation à suivre », nothing to attach yet
    mails = _mails(tmp_path)
    holds = [m for m in mails if m["Subject"].startswith("Réservation – ")]
    assert len(holds) == len(mails) >= len(new)
    first = holds[0]
    assert first["Subject"].endswith("(convocation à suivre)")
    assert "la convocation, avec l'ordre du jour, suivra" in first.get_body(("plain",)).get_content().replace(
        "La convocation", "la convocation")
    event = _event(first)
    assert int(event["SEQUENCE"]) == 0 and str(event["SUMMARY"]).startswith("Convocation à suivre – ")
    assert str(event["STATUS"]) == "TENTATIVE" and str(event["X-MICROSOFT-CDO-BUSYSTATUS"]) == "TENTATIVE"
    assert not [p for p in first.walk() if p.get_filename() and p.get_filename().endswith((".pdf", ".docx"))]
    # a second run: the same file, no mail
    made = hashlib.sha256(workbook.read_bytes()).hexdigest()
    again = _run(config, clock)
    assert "Bilan : 0 envoi" in again and hashlib.sha256(workbook.read_bytes()).hexdigest() == made
    assert len(_mails(tmp_path)) == len(mails)
    # nor do the convocations, reading back the rows written: the held meetings are as they were sent
    assert "Réservation" not in _run(config, clock, "invitations")
    # the lists kept in both years' workbooks are read once: nothing « saisie deux fois »
    assert [line for line in _check(config, clock).splitlines() if "deux fois" in line and "Planning" in line] == []


def _check(config: Path, clock: FakeClock) -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()), clock=clock, out=io.StringIO())
    commands.check(ctx)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def test_the_convocation_updates_the_held_meeting(tmp_path: Path) -> None:
    config = _service(tmp_path, "ccas-lifou")
    clock = FakeClock(NOVEMBER)
    _run(config, clock)
    holds = {str(_event(m)["UID"]): m for m in _mails(tmp_path)}
    with Journal(tmp_path / "journal.sqlite3") as journal:
        held = {e.payload["date"]: e for e in journal.entries("invitations").values()}
    first = min(day for day in held if day.startswith("2027"))
    # ten days before that session (the CCAS's lead time), the convocations' run
    session = date.fromisoformat(first)
    clock.moment = datetime.combine(session - timedelta(days=10), datetime.min.time(), NOUMEA).replace(hour=7)
    out = _run(config, clock, "invitations")
    convocations = [m for m in _mails(tmp_path) if str(_event(m)["UID"]) in holds and int(_event(m)["SEQUENCE"]) == 1]
    assert len(convocations) == 1, out
    [mail] = convocations
    assert mail["Subject"].startswith("Convocation – ") and "Modification" not in mail["Subject"]
    event = _event(mail)
    assert str(event["SUMMARY"]).startswith("Convocation – ") and str(event["STATUS"]) == "CONFIRMED"
    assert [p.get_filename() for p in mail.walk() if p.get_filename()]  # the convocation is attached
    assert "✗" not in out


def test_a_held_session_moved_or_cancelled_in_the_planning_moves_or_frees_the_meeting(tmp_path: Path) -> None:
    config = _service(tmp_path, "ccas-lifou")
    clock = FakeClock(NOVEMBER)
    _run(config, clock)
    uids = {str(_event(m)["UID"]) for m in _mails(tmp_path)}
    workbook = tmp_path / "registres" / WORKBOOK["ccas-lifou"]
    book = openpyxl.load_workbook(workbook)
    sheet = book["Commission AF"]
    rows = [r for r in range(3, sheet.max_row + 1) if isinstance(sheet.cell(r, 2).value, datetime)
            and sheet.cell(r, 2).value.year == 2027]
    moved, cancelled = rows[3], rows[5]
    was = sheet.cell(moved, 2).value
    sheet.cell(moved, 2).value = was + timedelta(days=1)  # staff move one session a day later
    book.save(workbook)
    count = len(_mails(tmp_path))
    out = _run(config, clock, "invitations")
    new = [m for m in _mails(tmp_path)[count:] if str(_event(m)["UID"]) in uids]  # this year's own aside
    assert len(new) == 1, out
    [mail] = new
    event = _event(mail)
    assert int(event["SEQUENCE"]) == 1  # the same meeting, moved
    assert mail["Subject"].startswith("Modification – Réservation – ") and mail["Subject"].endswith(
        "(convocation à suivre)")
    assert event.decoded("DTSTART").date() == (was + timedelta(days=1)).date()
    assert str(event["STATUS"]) == "TENTATIVE"  # still no convocation
    assert not [p for p in mail.walk() if p.get_filename()]
    # staff cancel another: the held meeting is called off, the same UID
    book = openpyxl.load_workbook(workbook)
    book["Commission AF"].cell(cancelled, 6).value = None
    book["Commission AF"].delete_rows(cancelled)
    book.save(workbook)
    count = len(_mails(tmp_path))
    out = _run(config, clock, "invitations")
    assert "déjà convoquée mais absente du planning" in out  # a row deleted: staff are asked to say « Annulée »


def test_a_planning_that_cannot_be_written_invites_nobody_and_is_written_later(tmp_path: Path) -> None:
    config = _service(tmp_path, "province-sud-del")
    folder = tmp_path / "registres"
    folder.chmod(0o555)  # the registers' folder read-only: next year's workbook cannot be made
    clock = FakeClock(NOVEMBER)
    try:
        out = _run(config, clock)
    finally:
        folder.chmod(0o755)
    assert not (folder / WORKBOOK["province-sud-del"]).exists()
    assert ("✗ Planning 2027 : classeur « Planning des instances 2027.xlsx » créé avec 40 séances « Prévue » : "
            "« Planning des instances 2027.xlsx » : l'outil ne peut pas écrire dans le dossier « registres » "
            "(dossier en lecture seule)") in out
    assert "Traceback" not in out and "inattendue" not in out
    # the sessions of the workbook not made are held in nobody's calendar; those already typed in 2026's are
    held = {str(_event(m)["DTSTART"].dt.date()) for m in _mails(tmp_path)}
    assert held == {"2027-01-13", "2027-01-18", "2027-01-20"}
    assert ("… Planning de l'année suivante : 40 actions attendent le prochain passage (invitation de réservation "
            "d'une séance que le planning n'a pas pu écrire)") in out
    # once the folder is writable again, the next run writes the year and holds its sessions
    again = _run(config, clock)
    assert (folder / WORKBOOK["province-sud-del"]).exists() and "✗" not in again
    assert len(_mails(tmp_path)) == 44
