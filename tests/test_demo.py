"""``python run.py demo``: builds a service, sends on the outbox, and a second run does nothing."""

from __future__ import annotations

import email
import email.policy
import io
import subprocess
import sys
from pathlib import Path

import docx
import icalendar
import openpyxl

from automations.demo.service import run_demo

from .conftest import PROJECT


def messages(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))]


def test_demo_end_to_end_then_idempotent(tmp_path: Path, clock) -> None:
    folder = tmp_path / "demo"
    out = io.StringIO()
    assert run_demo(folder, clock=clock, out=out) == 0
    text = out.getvalue()
    assert text.startswith(f"Service de démonstration créé dans {folder}")
    assert "Bilan : 3 envoi(s), 0 échec(s), 6 cellule(s) reportée(s) dans les registres." in text
    sent = messages(folder)
    assert len(sent) == 3
    for message in sent:
        calendar = icalendar.Calendar.from_ical(
            next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_content())
        [event] = calendar.walk("VEVENT")
        assert event.decoded("DTSTART").tzinfo is not None
        assert str(event["DTSTART"].params["TZID"]) == "Pacific/Noumea"
        assert message["To"].addresses
        [attachment] = list(message.iter_attachments())
        body = "\n".join(p.text for p in docx.Document(io.BytesIO(attachment.get_content())).paragraphs)
        assert "Nouméa, le 23 novembre 2026" in body
    planning = openpyxl.load_workbook(folder / "registres" / "Planning des instances 2026.xlsx")["Planning 2026"]
    header = [c.value for c in planning[4]]
    sent_on = header.index("Invitations envoyées le") + 1
    stamped = [r for r in range(5, planning.max_row + 1)
               if getattr(planning.cell(r, sent_on).value, "date", lambda: None)() == clock().date()]
    assert len(stamped) == 3

    again = io.StringIO()
    assert run_demo(folder, clock=clock, out=again) == 0
    assert again.getvalue().startswith(f"Service de démonstration repris dans {folder}")
    assert "Bilan : 0 envoi(s), 0 échec(s), 0 cellule(s) reportée(s)" in again.getvalue()
    assert len(messages(folder)) == 3


def test_demo_command_from_the_shell(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(PROJECT / "run.py"), "demo", "--dir", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Où trouver le résultat" in result.stdout
    assert list((tmp_path / "d" / "boite-d-envoi").glob("*/*.eml"))
