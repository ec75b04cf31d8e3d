"""The digest's « Planning 2027 » section: next year's sessions as the planning holds them, and only what the
journal says the tool did (written, holding invitations sent, rooms booked or declined)."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PIL import Image

from automations import french
from automations.cli import commands
from automations.digest.content import gather
from automations.digest.planning_facts import planning_facts
from automations.digest.render import PAGE, render_html, render_text
from automations.engine.context import Context
from automations.engine.journal import Entry, Journal
from automations.planning.draft import DraftedSession
from automations.planning.planning import start_of_drafting
from automations.registers.types import normalize_label
from automations.settings.model import DigestSettings

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import Tables, a_date, demo_service, digests
from ..planning.test_write import _context as planning_context
from ..planning.test_write import _run as write_2027
from ..service_factory import context
from .test_digest_render import screenshot

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
WRITTEN_ON = "2026-10-01T08:00:00+11:00"
PLANNING_2027 = "Planning des instances 2027.xlsx"
CCAS_BOOK = "CCAS We - registres.xlsx"
CCAS_COMMITTEE = "Commission d'aide facultative"


def _context(name: str, tmp_path: Path, *, enabled: bool = True, now: datetime = NOW) -> Context:
    """The service's sample registers copied, as ``run planning`` finds them; its planning on or off."""
    config = planning_context(name, tmp_path).config
    config = dataclasses.replace(config, planning=dataclasses.replace(config.planning, enabled=enabled))
    return Context(config=config, clock=FakeClock(now), out=io.StringIO())


def _write_2027(ctx: Context) -> tuple[DraftedSession, ...]:
    """What ``run planning`` writes into the staff's planning: 2027 drafted and written, as the tool does it."""
    writes, _ = write_2027(ctx)
    assert writes.sessions
    return writes.sessions


def _entry(key: str, automation: str, payload: dict[str, Any], *, revision: int | None = 0, status: str = "done",
           kind: str = "file", at: str = WRITTEN_ON) -> Entry:
    return Entry(key, automation, status, kind, revision, "f", payload, None, 0, None, None, None, None, at)


def _slug(name: str) -> str:
    return normalize_label(name).replace(" ", "-")


def _holds(sessions: Iterable[DraftedSession], booked: int) -> dict[str, Entry]:
    """Holding invitations sent for ``sessions``: the first ``booked`` booked their room on the server."""
    result = {}
    for n, s in enumerate(sessions):
        key = f"invitation/{_slug(s.committee)}/{s.date.isoformat()}"
        result[key] = _entry(key, "invitations", {
            "committee": s.committee, "date": s.date.isoformat(), "time": None, "duration_hours": s.duration_hours,
            "room": s.room, "room_email": "salle@province-sud.nc" if n < booked else "", "required": [],
            "optional": [], "state": "hold", "room_booking": "reservee" if n < booked else "indiquee",
            "natural": key.removeprefix("invitation/")}, kind="create")
    return result


def _written(sessions: Iterable[DraftedSession], file: str, made: bool, revision: int = 0) -> dict[str, Entry]:
    return {"planning/2027": _entry("planning/2027", "planning", {
        "year": 2027, "file": file, "made": made,
        "sessions": [[s.committee, s.date.isoformat()] for s in sessions]}, revision=revision)}


def _declined(session: DraftedSession, room: str) -> dict[str, Entry]:
    key = f"planning/salle/{_slug(session.committee)}/{session.date.isoformat()}"
    return {key: _entry(key, "planning", {"year": 2027, "committee": session.committee,
                                          "date": session.date.isoformat(), "room": room, "state": "refusee"})}


def _digest(ctx: Context, planning: dict[str, Entry], invitations: dict[str, Entry]) -> tuple[str, str]:
    """The digest's text and HTML, from the registers as ``run`` reads them and the given journal entries."""
    service = commands.load(ctx).service
    settings, today = ctx.config.planning, ctx.now().date()
    found = planning_facts(service, planning, invitations, settings, today, start_of_drafting(settings, today))
    facts = gather(service, [], {"invitations": invitations}, ctx.now(), DigestSettings(), 30, {}, {},
                   planning=found)
    return render_text(facts, "Service"), render_html(facts, "Service")


def _section(text: str, year: int = 2027) -> list[str]:
    lines = text.splitlines()
    start = lines.index(f"PLANNING {year}")
    end = lines.index("", start)
    return lines[start + 1:end]


def _by_committee(rows: Iterable[tuple[str, date]]) -> dict[str, list[date]]:
    result: dict[str, list[date]] = {}
    for committee, day in rows:
        if day.year == 2027:
            result.setdefault(committee, []).append(day)
    return result


def _province_rows(folder: Path) -> dict[str, list[date]]:
    """2027's sessions as staff see them in the planning workbooks: « Instance » and « Date » columns."""
    rows = []
    for path in sorted(folder.glob("Planning des instances *.xlsx")):
        sheet = openpyxl.load_workbook(path)[f"Planning {path.stem[-4:]}"]
        for values in sheet.iter_rows(min_row=5, values_only=True):
            day = a_date(values[1])
            if values[0] and day is not None:
                rows.append((str(values[0]), day))
    return _by_committee(rows)


def _ccas_rows(folder: Path) -> dict[str, list[date]]:
    sheet = openpyxl.load_workbook(folder / CCAS_BOOK)["Commission AF"]
    days = (a_date(v[1]) for v in sheet.iter_rows(min_row=3, values_only=True))
    return _by_committee((CCAS_COMMITTEE, day) for day in days if day is not None)


def _committee_lines(rows: dict[str, list[date]]) -> list[str]:
    ordered = sorted(rows.items(), key=lambda item: (min(item[1]), item[0]))
    return [f"    - {name} : {french.plural(len(days), 'séance', 'séances')}, du {french.date_long(min(days))} au "
            f"{french.date_long(max(days))}" for name, days in ordered]


def test_province_sud_next_years_workbook_written_held_and_a_room_to_replace(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    written = _write_2027(ctx)
    rows = _province_rows(ctx.config.paths.registers)
    total = sum(len(days) for days in rows.values())
    refused = written[2]  # its room, as written in the planning, declined the holding invitation
    assert refused.room
    text, html = _digest(ctx, {**_written(written, PLANNING_2027, True), **_declined(refused, refused.room)},
                         _holds(written, booked=3))

    assert _section(text) == [
        f"  Au planning : {total} séances de 2027 pour {len(rows)} instances.",
        *_committee_lines(rows),
        f"  Écrit par l'outil le 01/10/2026 : « {PLANNING_2027} » créé avec {len(written)} séances.",
        (f"  Invitations de réservation envoyées : {len(written)} (agendas des membres bloqués), dont 3 salles "
         "réservées."),
        "  Salles des séances réservées à l'avance :",
        f"    - {refused.committee}, {french.date_long(refused.date)} : {refused.room} a refusé – à remplacer",
    ]
    tables = Tables(html)
    assert tables.rows("planning") == [[name, str(len(days)), french.date_medium(min(days)),
                                        french.date_medium(max(days))]
                                       for name, days in sorted(rows.items(), key=lambda i: (min(i[1]), i[0]))]
    assert tables.rows("salles-a-remplacer") == [[refused.committee, french.date_medium(refused.date),
                                                  f"{refused.room} a refusé – à remplacer"]]
    assert "<h2" in html and ">Planning 2027</h2>" in html
    assert "pas encore écrit" not in text.lower()


def test_ccas_rows_added_under_the_others_by_a_second_run(tmp_path: Path) -> None:
    ctx = _context("ccas-lifou", tmp_path)
    written = _write_2027(ctx)
    rows = _ccas_rows(ctx.config.paths.registers)
    assert list(rows) == [CCAS_COMMITTEE]
    # the room named in the planning for the declined session is the one staff typed instead
    text, _ = _digest(ctx, {**_written(written[-2:], CCAS_BOOK, False, revision=1),
                            **_declined(written[0], "Salle polyvalente")}, {})

    assert _section(text) == [
        f"  Au planning : {len(rows[CCAS_COMMITTEE])} séances de 2027 pour 1 instance.",
        *_committee_lines(rows),
        f"  Écrit par l'outil le 01/10/2026 : 2 séances ajoutées dans « {CCAS_BOOK} » (dernier de 2 passages).",
        "  Aucune invitation de réservation envoyée.",
        "  Salles des séances réservées à l'avance :",
        (f"    - {CCAS_COMMITTEE}, {french.date_long(written[0].date)} : Salle polyvalente a refusé – remplacée "
         f"par {written[0].room} au planning"),
    ]


@pytest.mark.parametrize("name", ["province-sud-del", "ccas-lifou"])
def test_due_and_not_written_says_the_command(name: str, tmp_path: Path) -> None:
    text, html = _digest(_context(name, tmp_path), {}, {})

    assert _section(text)[-2:] == ["  Pas encore écrit par l'outil : python run.py run planning",
                                   "  Aucune invitation de réservation envoyée."]
    assert "Pas encore écrit par l&#x27;outil : python run.py run planning" in html


@pytest.mark.parametrize(("enabled", "now"), [(False, NOW), (True, datetime(2026, 9, 30, 7, 30, tzinfo=NOUMEA))])
def test_no_section_out_of_season_when_nothing_was_written(enabled: bool, now: datetime, tmp_path: Path) -> None:
    text, html = _digest(_context("province-sud-del", tmp_path, enabled=enabled, now=now), {}, {})

    assert "PLANNING 2027" not in text and "Planning 2027" not in html


def test_written_before_the_season_is_still_told(tmp_path: Path) -> None:
    """A service that turned the automation off after it wrote next year's planning still reads what it did."""
    ctx = _context("province-sud-del", tmp_path, enabled=False)
    written = _write_2027(ctx)
    text, _ = _digest(ctx, _written(written, PLANNING_2027, True), _holds(written[:1], booked=0))

    assert f"  Écrit par l'outil le 01/10/2026 : « {PLANNING_2027} » créé avec {len(written)} séances." \
        in _section(text)
    assert "  Invitations de réservation envoyées : 1 (agendas des membres bloqués), dont 0 salle réservée." \
        in _section(text)


def test_a_failed_write_is_said_and_nothing_claimed(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    failed = {"planning/2027": _entry("planning/2027", "planning", {}, revision=None, status="failed")}
    text, _ = _digest(ctx, failed, {})

    assert _section(text)[-3:] == ["  ⚠ Écriture du planning en échec : nouvel essai au prochain passage.",
                                   "  Pas encore écrit par l'outil : python run.py run planning",
                                   "  Aucune invitation de réservation envoyée."]


def _seed(journal: Journal, key: str, automation: str, kind: str, payload: dict[str, Any], now: datetime) -> None:
    journal.begin(key, automation, kind, 0, "f", payload, now)
    journal.complete(key, automation, kind, 0, "f", payload, "ref", f"{key}", now, [])


def test_the_managers_digest_mail_has_the_section(tmp_path: Path) -> None:
    """The weekly mail itself, sent by a run: the journal's planning entries read where the run keeps them."""
    folder = tmp_path / "demo"
    config = demo_service(folder, NOW.date())
    config.write_text(config.read_text(encoding="utf-8") + "\n[planning]\nenabled = true\n", encoding="utf-8")
    ctx = context(config, FakeClock(NOW))
    with Journal(ctx.config.paths.journal) as journal:
        written_on = datetime(2026, 10, 1, 8, 0, tzinfo=NOUMEA)
        _seed(journal, "planning/2027", "planning", "file",
              {"year": 2027, "file": PLANNING_2027, "made": True,
               "sessions": [["Commission maintien dans le logement", "2027-02-08"]]}, written_on)
        _seed(journal, "invitation/commission-maintien-dans-le-logement/2027-02-08", "invitations", "create",
              {"committee": "Commission maintien dans le logement", "date": "2027-02-08", "room": "Salle Kaori",
               "room_email": "salle.kaori@province-sud.nc", "state": "hold", "room_booking": "reservee",
               "natural": "commission-maintien-dans-le-logement/2027-02-08"}, written_on)
    commands.run(ctx, "digest")
    [message] = digests(folder)
    text = message.get_body(("plain",)).get_content()

    assert f"  Écrit par l'outil le 01/10/2026 : « {PLANNING_2027} » créé avec 1 séance." in _section(text)
    assert "  Invitations de réservation envoyées : 1 (agendas des membres bloqués), dont 1 salle réservée." \
        in _section(text)
    assert ">Planning 2027</h2>" in message.get_body(("html",)).get_content()


def test_chromium_draws_the_section_inside_the_mail(tmp_path: Path) -> None:
    ctx = _context("province-sud-del", tmp_path)
    written = _write_2027(ctx)
    _, html = _digest(ctx, {**_written(written, PLANNING_2027, True), **_declined(written[2], "Salle Banian")},
                      _holds(written, booked=3))
    with Image.open(screenshot(html, tmp_path, 760, 3000)) as image:
        pixels = image.convert("RGB")
        # the mail is 680 pixels wide, centred: nothing of the section spills into the page's margin
        margin = {pixels.getpixel((x, y)) for x in range(725, 745) for y in range(0, 3000, 7)}
    assert margin == {tuple(int(PAGE[i:i + 2], 16) for i in (1, 3, 5))}
