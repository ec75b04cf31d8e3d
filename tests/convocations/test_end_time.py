"""A planning that gives each session's end (« Fin ») instead of its duration: the convocation and the
meeting end when the planning says; an end before the start is said, on its row, before anything leaves."""

from __future__ import annotations

import io
from datetime import datetime, time
from pathlib import Path

import docx

from automations.cli import commands

from ..conftest import NOUMEA
from ..printed import NBSP
from ..service_factory import context, edit_planning, make_service
from .test_invitations import calendar_of, outbox

SESSION_DURATION = 'duration_hours = { headers = ["Durée (h)"], type = "number" }\nroom = '


def planning_with_end_times(folder: Path) -> Path:
    config = make_service(folder)
    mapping = folder / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    assert text.count(SESSION_DURATION) == 1  # the committees keep their usual duration (2 h)
    mapping.write_text(text.replace(SESSION_DURATION, 'end_time = { headers = ["Fin"], type = "time" }\nroom = '),
                       encoding="utf-8")
    edit_planning(folder, 4, **{"Durée (h)": "Fin"})  # the header row: « Durée (h) » becomes « Fin »
    edit_planning(folder, 5, Fin=time(10, 30))
    edit_planning(folder, 6, Fin="11h15")
    edit_planning(folder, 7, Fin=time(8, 0))  # before its start, 9 h
    return config


def test_the_convocation_ends_at_the_end_time_of_the_planning(tmp_path: Path, clock) -> None:
    config = planning_with_end_times(tmp_path)

    commands.run(context(config, clock))

    [message] = outbox(tmp_path)
    [event] = calendar_of(message).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 8, 30, tzinfo=NOUMEA)
    assert event.decoded("DTEND") == datetime(2026, 12, 2, 11, 15, tzinfo=NOUMEA)
    [attachment] = [p for p in message.iter_attachments() if p.get_filename().endswith(".docx")]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(attachment.get_content())).paragraphs)
    assert f"de 8{NBSP}h{NBSP}30 à 11{NBSP}h{NBSP}15" in text


def test_an_end_before_the_start_is_a_warning_naming_the_row(tmp_path: Path, clock) -> None:
    config = planning_with_end_times(tmp_path)

    loaded = commands.load(context(config, clock))

    said = [f.describe() for f in loaded.service.findings if "heure de fin" in f.reason]
    assert said == ["« Planning des instances 2026.xlsx », feuille « Planning 2026 », ligne 7, colonne « Fin » "
                    "(valeur « 8 h ») : heure de fin avant l'heure de début (9 h) : corrigez-la ; la durée "
                    "habituelle de l'instance (2 h) est retenue"]
    late = next(s for s in loaded.service.sessions if s.record.source.row == 7)
    assert late.duration_hours == 2
