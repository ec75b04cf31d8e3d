"""Acknowledgements on the Province Sud sample's own registers: no e-mail column, so every one is printed."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl

from automations.cli import commands
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock
from ..follow_ups.test_follow_ups_samples import copy_service

SINCE = date(2026, 11, 18)
ENABLE = """
[receipts]
enabled = true
since = "18/11/2026"

[documents]
pdf = false
"""


def _context(config: Path, hour: int = 7) -> Context:
    return Context(config=load_config(config, backends=settings_checks()),
                   clock=FakeClock(datetime(2026, 11, 23, hour, 30, tzinfo=NOUMEA)), out=io.StringIO())


def _due(register: Path) -> list[str]:
    """What the register says is due: filed on or after ``since``, not decided."""
    ws = openpyxl.load_workbook(register)["Demandes"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in header}
    due = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        filed = row[col["Date de dépôt"]]
        if isinstance(filed, datetime) and filed.date() >= SINCE and not row[col["Décision"]]:
            due.append(row[col["N° dossier"]])
    return sorted(set(due))


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_province_applications_filed_since_the_day_are_acknowledged_on_paper(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "province-sud-del")
    config.write_text(config.read_text(encoding="utf-8") + ENABLE, encoding="utf-8")
    register = tmp_path / "registres" / "Registre des demandes 2026.xlsx"
    due = _due(register)
    assert due == ["DEL-2026-0002", "DEL-2026-0333", "DEL-2026-0346", "DEL-2026-0391"]
    before = register.read_bytes()

    ctx = _context(config)
    commands.run(ctx, "receipts")
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    done = [line for line in out.splitlines() if "✓" in line]
    assert done == [f"  ✓ préparé pour impression : Accusé de réception – dossier {n}, à imprimer" for n in due]

    folder = tmp_path / "documents" / "Accusés de réception"
    maintien = _text(folder / "Accusé de réception DEL-2026-0002.docx")
    assert "déposée le 18 novembre 2026" in maintien
    # the register's « Date commission » (14 December) is no session of that committee: the next one is named
    assert "séance de la Commission maintien dans le logement du mardi 15 décembre 2026" in maintien
    assert "Votre référent(e), M. Waia, reste à votre disposition" in maintien
    assert "Votre dossier est complet à ce jour." in maintien  # the sample keeps no missing-documents column
    expulsions = _text(folder / "Accusé de réception DEL-2026-0333.docx")
    assert "séance du Comité prévention des expulsions du lundi 14 décembre 2026" in expulsions
    # the sample has no acknowledgement column: nothing written, the journal keeps the truth
    assert register.read_bytes() == before

    again = _context(config, 9)
    commands.run(again, "receipts")
    assert "✓" not in again.out.getvalue()  # type: ignore[attr-defined]


def test_check_says_what_the_acknowledgements_lack_in_the_sample(tmp_path: Path) -> None:
    config = copy_service(tmp_path, "province-sud-del")
    config.write_text(config.read_text(encoding="utf-8") + ENABLE, encoding="utf-8")
    ctx = _context(config)
    commands.check(ctx)
    out = ctx.out.getvalue()  # type: ignore[attr-defined]
    assert ("Accusés de réception : champ « missing_documents » absent du registre des demandes — les accusés ne "
            "citeront aucune pièce manquante et aucune relance ne partira.") in out
    assert ("Accusés de réception : ni « receipt_sent_on » ni « receipt_prepared_on » dans le registre des demandes "
            "— la date de l'accusé ne sera pas reportée dans le registre des demandes (le journal la garde).") in out
    assert "accuse_reception.docx" in out and "relance_pieces.docx" in out
