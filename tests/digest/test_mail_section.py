"""The digest's « Courrier » section: mail received this week, mail not answered, acknowledgements, incomplete
files, and the mail the tool registered with a remark; on the CCAS's own registers and on a built service."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from automations import french
from automations.cli import commands
from automations.digest import digest
from automations.digest.content import gather
from automations.digest.mail_facts import mail_facts
from automations.digest.render import render_html, render_text
from automations.domain.service import Application, Service
from automations.engine.context import Context
from automations.engine.journal import Entry, Journal
from automations.registers.reader import Record, Source
from automations.settings import load_config
from automations.settings.model import DigestSettings
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..digest_factory import Tables
from ..follow_ups.test_follow_ups_samples import copy_service
from .test_digest_render import screenshot

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=NOUMEA)
TODAY = NOW.date()
BOOK = "CCAS We - registres.xlsx"


def _ccas(tmp_path: Path) -> Context:
    config = load_config(copy_service(tmp_path, "ccas-lifou"), backends=settings_checks())
    config = dataclasses.replace(config, service=dataclasses.replace(config.service, manager="chef@lifou.nc"))
    return Context(config=config, clock=FakeClock(NOW), out=io.StringIO())


def _mail(ctx: Context, tmp_path: Path, html: bool = False) -> str:
    """The digest's text (or HTML), built as a run builds it (registers read, journal opened)."""
    loaded = commands.load(ctx)
    journal = Journal(tmp_path / "journal.sqlite3")
    [action] = digest.plan(ctx, loaded.service, journal, {}).actions
    mail = digest.build(ctx, action)
    return (mail.body_html or "") if html else mail.body_text


def _section(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("COURRIER")
    return lines[start + 1:lines.index("", start)]


def _incoming_rows(folder: Path) -> list[tuple[date, str, str, str]]:
    sheet = openpyxl.load_workbook(folder / BOOK)["Courrier arrivée"]
    return [(r[0].date(), r[1], r[2], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)
            if isinstance(r[0], datetime)]


def _line(day: date, number: str, sender: str, subject: str) -> str:
    return f"    - {number} du {french.date_short(day)} – {sender} – {subject}"


def test_ccas_week_and_mail_without_answer_until_a_departure_cites_it(tmp_path: Path) -> None:
    ctx = _ccas(tmp_path)
    folder = ctx.config.paths.registers
    rows = _incoming_rows(folder)
    week = sorted((r for r in rows if TODAY - timedelta(days=6) <= r[0] <= TODAY), key=lambda r: (r[0], r[1]),
                  reverse=True)
    waiting = sorted((r for r in rows if date(2025, 11, 23) <= r[0] <= date(2026, 11, 8)), key=lambda r: (r[0], r[1]))
    assert week and len(waiting) > 10  # the sample has mail this week, and no departure cites an incoming number

    section = _section(_mail(ctx, tmp_path))
    assert section[0] == f"  Courriers arrivés ces 7 derniers jours : {len(week)}"
    assert section[1:11] == [_line(*r) for r in week[:10]]
    assert f"  Sans réponse après 15 jours (reçus depuis le 23/11/2025) : {len(waiting)}" in section
    first = section.index(f"  Sans réponse après 15 jours (reçus depuis le 23/11/2025) : {len(waiting)}")
    assert section[first + 1:first + 11] == [_line(*r) for r in waiting[:10]]
    assert "Particulier" in "\n".join(section) and "@" not in "\n".join(section)
    shown = Tables(_mail(ctx, tmp_path, html=True))
    assert shown.rows("courrier-sans-reponse") == [[r[1], french.date_short(r[0]), r[2], r[3]] for r in waiting[:10]]
    assert f"Les plus anciens d&#x27;abord ; et {len(waiting) - 10} autres." in _mail(ctx, tmp_path, html=True)

    # staff answer the two oldest: one by its V/Réf typed loosely, one cited in the subject
    book = openpyxl.load_workbook(folder / BOOK)
    sheet = book["Courrier départ"]
    (a, b) = waiting[0][1], waiting[1][1]
    sheet.append([datetime(2026, 11, 20), "D2026-0900", "CAFAT", f"Réponse à votre courrier n° {b.lower()}.", "x"])
    book.save(folder / BOOK)
    # a mapping that knows the departures' « V/Réf » column: the first answer cites the number there
    mapping = ctx.config.paths.mapping.read_text(encoding="utf-8").replace(
        'author = { headers = ["Rédacteur"], type = "text" }',
        'author = { headers = ["Rédacteur"], type = "text" }\nreference = { headers = ["V/Réf"], type = "text" }')
    own = tmp_path / "mapping.toml"
    own.write_text(mapping, encoding="utf-8")
    sheet["F1"] = "V/Réf"
    sheet.append([datetime(2026, 11, 21), "D2026-0901", "Mairie", "Transmission de dossier", "x",
                  a.replace("-", " - ")])
    book.save(folder / BOOK)
    ctx = dataclasses.replace(ctx, config=dataclasses.replace(
        ctx.config, paths=dataclasses.replace(ctx.config.paths, mapping=own)))

    section = _section(_mail(ctx, tmp_path))
    assert f"  Sans réponse après 15 jours (reçus depuis le 23/11/2025) : {len(waiting) - 2}" in section
    assert all(a not in line and b not in line for line in section)
    assert _line(*waiting[2]) in section


def _record(role: str, row: int, **values: Any) -> Record:
    return Record(role, Source(Path("registre.xlsx"), role, row, 1), values)


def _application(number: str, filed: date, decision: str | None = None, **values: Any) -> Application:
    return Application(number, "Waneux", filed_on=filed, decision=decision,
                       record=_record("applications", 2, number=number, **values))


def _entry(number: str, at: str, **payload: Any) -> Entry:
    key = f"incoming/{number}"
    return Entry(key, "incoming", "done", "file", 0, "f", {"number": number, **payload}, None, 0, None, None, None,
                 None, at)


def _built() -> Service:
    mail_in = [
        _record("mail_in", 3, date=date(2026, 11, 20), number="A2026-0901", sender="Marie Wamo <marie.wamo@mail.nc>",
                subject="Demande de rendez-vous"),
        _record("mail_in", 4, date=date(2026, 11, 17), number="A2026-0902", sender="jdoe@gmail.com",
                subject="Facture"),
        _record("mail_in", 5, date=date(2026, 11, 16), number="A2026-0903", sender="CAFAT", subject="Hors semaine"),
        _record("mail_in", 6, date=date(2026, 10, 1), number="A2026-0800", sender="Mairie", subject="Réclamation"),
        _record("mail_in", 7, date=date(2026, 10, 2), number="A2026-0801", sender="Mairie", subject="Classé",
                follow_up="Classé sans suite"),
        _record("mail_in", 8, date=date(2026, 11, 10), number="A2026-0850", sender="CAFAT", subject="Trop récent"),
        _record("mail_in", 9, date=date(2025, 6, 1), number="A2025-0100", sender="CAFAT", subject="Trop ancien"),
    ]
    mail_out = [_record("mail_out", 3, date=date(2026, 10, 5), number="D2026-0500", subject="Réponse",
                        reference="A2026-08001")]  # cites another number, not A2026-0800
    applications = [
        _application("2026/120", date(2026, 11, 18), receipt_sent_on=date(2026, 11, 18),
                     missing_documents="Avis d'imposition"),
        _application("2026/121", date(2026, 11, 19), receipt_prepared_on=date(2026, 11, 19)),
        _application("2026/090", date(2026, 10, 2), reminder_sent_on=date(2026, 11, 20),
                     receipt_sent_on=date(2026, 10, 3), missing_documents="RIB ; justificatif de domicile"),
        _application("2026/050", date(2026, 9, 1), decision="accord", missing_documents="RIB"),
    ]
    return Service(mail_in=mail_in, mail_out=mail_out, applications=applications)


def _facts(service: Service, incoming: dict[str, Entry]) -> Any:
    mail = mail_facts(service, incoming, TODAY, 15)
    return gather(service, [], {}, NOW, DigestSettings(), 30, {}, {}, mail=mail)


INCOMING = {
    "incoming/a": _entry("A2026-0901", "2026-11-20T09:00:00+11:00",
                         refused=[["facture.exe", "fichier exécutable"], ["scan\u202egnp.pdf", "trop lourde (34 Mo)"]],
                         notes=["courrier sans expéditeur"]),
    "incoming/b": _entry("A2026-0850", "2026-11-10T09:00:00+11:00", notes=["semaine passée"]),
    "incoming/c": _entry("A2026-0902", "2026-11-17T09:00:00+11:00", refused=[], notes=[]),
}


def test_built_service_lines_without_any_address() -> None:
    facts = _facts(_built(), INCOMING)
    text = render_text(facts, "CCAS")

    assert _section(text) == [
        "  Courriers arrivés ces 7 derniers jours : 2",
        "    - A2026-0901 du 20/11/2026 – Marie Wamo – Demande de rendez-vous",
        "    - A2026-0902 du 17/11/2026 – (adresse e-mail masquée) – Facture",
        "  Sans réponse après 15 jours (reçus depuis le 23/11/2025) : 1",
        "    - A2026-0800 du 01/10/2026 – Mairie – Réclamation",
        "  Accusés de réception envoyés : 1 (2026/120) ; préparés pour impression : 1 (2026/121).",
        "  Relances pour pièces manquantes : 1 (2026/090).",
        "  Dossiers incomplets sans décision : 2",
        "    - 2026/090 (déposé le 02/10/2026)",
        "    - 2026/120 (déposé le 18/11/2026)",
        "  Courriers enregistrés avec une remarque :",
        "    ⚠ A2026-0901 : pièce non enregistrée : facture.exe (fichier exécutable)",
        "    ⚠ A2026-0901 : pièce non enregistrée : scan<U+202E>gnp.pdf (trop lourde (34 Mo))",
        "    ⚠ A2026-0901 : courrier sans expéditeur",
    ]
    assert "@" not in text and "Waneux" not in text

    html = render_html(facts, "CCAS")
    tables = Tables(html)
    assert tables.rows("courrier-recu") == [["A2026-0901", "20/11/2026", "Marie Wamo", "Demande de rendez-vous"],
                                                 ["A2026-0902", "17/11/2026", "(adresse e-mail masquée)", "Facture"]]
    assert tables.rows("courrier-sans-reponse") == [["A2026-0800", "01/10/2026", "Mairie", "Réclamation"]]
    assert ">Courrier</h2>" in html and "@" not in html and "\u202e" not in html
    assert "A2026-0901 : pièce non enregistrée : facture.exe (fichier exécutable)" in html


def test_an_answer_in_the_subject_closes_the_mail() -> None:
    service = _built()
    service.mail_out.append(_record("mail_out", 4, date=date(2026, 10, 9), number="D2026-0501",
                                    subject="Suite à votre courrier A2026 - 0800 du 1er octobre"))
    text = render_text(_facts(service, {}), "CCAS")

    assert "  Sans réponse après 15 jours (reçus depuis le 23/11/2025) : 0" in _section(text)
    assert "Courriers enregistrés avec une remarque" not in text


def test_no_section_without_mail_register(tmp_path: Path) -> None:
    text = render_text(gather(Service(), [], {}, NOW, DigestSettings(), 30, {}, {}), "Service")
    assert "COURRIER" not in text.splitlines()


def test_chromium_draws_the_mail_section(tmp_path: Path) -> None:
    html = render_html(_facts(_built(), INCOMING), "CCAS")
    shot = screenshot(html, tmp_path, 720, 2400)
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    # the section's red remark lines are drawn: some pixels of the digest's red
    reds = sum(1 for pixel in image.getdata() if abs(pixel[0] - 0xB4) < 8 and pixel[1] < 0x40 and pixel[2] < 0x40)
    assert reds > 50
