"""The CCAS of Lifou's « Courrier arrivée » register continues its own numbering with the mail received."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import openpyxl

from automations.cli import commands
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..follow_ups.test_follow_ups_samples import copy_service
from .mails import drop, mail

REGISTER = "CCAS We - registres.xlsx"


def lifou(tmp_path: Path) -> Path:
    config = copy_service(tmp_path, "ccas-lifou")
    text = config.read_text(encoding="utf-8").replace('folder = "boite-d-envoi"\n',
                                                       'folder = "boite-d-envoi"\ninbox = "boite-de-reception"\n')
    config.write_text(text + '\n[incoming]\nenabled = true\n', encoding="utf-8")
    return config


def run(config: Path, automation: str = "incoming") -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()),
                  clock=FakeClock(datetime(2026, 11, 23, 9, 30, tzinfo=NOUMEA)), out=io.StringIO())
    commands.run(ctx, automation)
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def rows(path: Path) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(path)["Courrier arrivée"].iter_rows(values_only=True))


def test_three_mails_continue_the_register_then_a_second_run_is_idle(tmp_path: Path) -> None:
    config = lifou(tmp_path)
    inbox = tmp_path / "boite-de-reception"
    drop(inbox, "b.eml", mail("<1@cafat.nc>", "CAFAT <contact@cafat.nc>", "Attestation de droits"), 1_000)
    drop(inbox, "a.eml", mail("<2@we.nc>", "Mairie de We <mairie@we.nc>", "Demande de rendez-vous",
                              attachments=[("courrier.pdf", b"%PDF-1.4 lettre")]), 2_000)
    drop(inbox, "c.eml", mail("<3@province-iles.nc>", "Province des Îles <dpass@province-iles.nc>",
                              "=?utf-8?q?R=C3=A9ponse_=C3=A0_votre_demande?="), 3_000)
    register = tmp_path / "registres" / REGISTER
    before = rows(register)

    out = run(config)

    after = rows(register)
    assert after[:len(before)] == before  # nothing staff typed is touched
    added = after[len(before):]
    assert [(r[0].date(), r[1], r[2], r[3]) for r in added] == [  # type: ignore[union-attr]
        (datetime(2026, 11, 23).date(), "A2026-0901", "CAFAT <contact@cafat.nc>", "Attestation de droits"),
        (datetime(2026, 11, 23).date(), "A2026-0902", "Mairie de We <mairie@we.nc>", "Demande de rendez-vous"),
        (datetime(2026, 11, 23).date(), "A2026-0903", "Province des Îles <dpass@province-iles.nc>",
         "Réponse à votre demande"),
    ]
    assert "enregistré sous A2026-0902" in out
    saved = tmp_path / "documents" / "Courrier arrivé" / "A2026-0902" / "courrier.pdf"
    assert saved.read_bytes() == b"%PDF-1.4 lettre"
    assert sorted(p.name for p in inbox.iterdir()) == ["enregistrés"]
    assert sorted(p.name for p in (inbox / "enregistrés").iterdir()) == ["A2026-0901 b.eml", "A2026-0902 a.eml",
                                                                         "A2026-0903 c.eml"]
    content = register.read_bytes()
    again = run(config)
    assert register.read_bytes() == content
    assert "A2026-09" not in again
