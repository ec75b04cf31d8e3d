"""A batch of convocation letters: one page, about fifteen fields and a table of ten members.

    python -m bench courriers

The tool renders each letter from the template compiled once; the naive way
is docxtpl's own loop, ``DocxTemplate(path)`` then ``render`` then ``save``
for every letter, with the same sandboxed Jinja environment.
"""

from __future__ import annotations

import io
import time
from datetime import datetime, time as time_of_day, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from automations.convocations import invitations
from automations.engine.actions import Action
from automations.engine.context import Context
from automations.cli.demo import set_up
from automations.documents.render import render_docx
from automations.registers.reader import Record, Source
from automations.domain.service import Committee, Member, Session
from automations.settings import load_config
from automations.transports import settings_checks

PROJECT = Path(__file__).resolve().parents[1]
TEMPLATE = PROJECT / "templates" / invitations.TEMPLATE
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Pacific/Noumea"))


def letter_context(folder: Path, number: int) -> dict[str, Any]:
    """What the invitations automation renders the convocation with, for a session of ten members."""
    if not (folder / "config.toml").exists():
        set_up(folder, NOW.date())  # the demo's service: its name, address and signatory fill the letter
    ctx = Context(config=load_config(folder / "config.toml", backends=settings_checks()), clock=lambda: NOW,
                  out=io.StringIO())
    committee = Committee(name="Commission maintien dans le logement", scheme="Maintien dans le logement")
    record = Record(role="sessions", source=Source(Path("planning.xlsx"), "Planning", 5, 4), values={})
    session = Session(committee=committee, date=NOW.date() + timedelta(days=9 + number % 5),
                      time=time_of_day(8, 30), duration_hours=2, room="Salle Kaori", chair="Mme la présidente",
                      status="prevue", agenda="Examen des dossiers; Point sur l'enveloppe budgétaire; Questions",
                      record=record)
    members = [Member(full_name=f"Membre {n} WÉNÉHOUA", email=f"membre{n}@province-sud.nc",
                      organisation="Province Sud", function="Élu(e)", role="suppleant" if n > 7 else "titulaire")
               for n in range(10)]
    action = Action("bench", invitations.NAME, "create", 0, "", "", {"room": session.room},
                    {"session": session, "required": members[:8], "optional": members[8:], "room": None})
    return invitations.template_context(ctx, action)


def render_letters(folder: Path, count: int, way: str = "outil") -> list[Path]:
    return _render(folder, count, way, letter_context(folder / "service", 0))


def _render(folder: Path, count: int, way: str, data: dict[str, Any]) -> list[Path]:
    targets = [folder / f"Convocation {n:04d}.docx" for n in range(count)]
    for target in targets:
        if way == "outil":
            render_docx(TEMPLATE, data, target)
        else:
            document = DocxTemplate(str(TEMPLATE))
            document.render(data, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
            document.save(str(target))
    return targets


def render(folder: Path, count: int, way: str) -> float:
    """Seconds to render ``count`` letters, the tool's way (``outil``) or docxtpl's (``naif``)."""
    data = letter_context(folder / "service", 0)
    started = time.perf_counter()
    _render(folder, count, way, data)
    return time.perf_counter() - started
