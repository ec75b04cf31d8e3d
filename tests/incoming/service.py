"""A demo service whose inbox the incoming tests fill, and what a person checks afterwards."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl

from automations.cli import commands
from automations.cli.demo import set_up
from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from ..conftest import NOUMEA, FakeClock

TODAY = date(2026, 11, 23)
HEADER = ["Date", "N° d'enregistrement", "Expéditeur", "Objet", "Destinataire", "Suite donnée", "Pièces jointes",
          "Remarques"]


def service(folder: Path, incoming: str = "") -> Path:
    """The demo's folder with an empty inbox; ``incoming``: more lines for its [incoming] section."""
    set_up(folder, TODAY, manager="")
    shutil.rmtree(folder / "boite-de-reception")
    config = folder / "config.toml"
    text = config.read_text(encoding="utf-8").replace("[incoming]\nenabled = true\n",
                                                      f"[incoming]\nenabled = true\n{incoming}")
    config.write_text(text, encoding="utf-8")
    return config


def run(config: Path, minute: int = 0) -> str:
    ctx = Context(config=load_config(config, backends=settings_checks()),
                  clock=FakeClock(datetime(2026, 11, 23, 9, minute, tzinfo=NOUMEA)), out=io.StringIO())
    commands.run(ctx, "incoming")
    return ctx.out.getvalue()  # type: ignore[attr-defined]


def registered(folder: Path) -> list[dict[str, object]]:
    """The rows the tool added after the eight the demo typed by hand, by column title."""
    ws = openpyxl.load_workbook(folder / "registres" / "Courrier arrivé 2026.xlsx")["Courrier arrivé"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1]]
    assert [r[1] for r in rows[:8]] == [f"A2026-{n:04d}" for n in range(1, 9)]
    return [dict(zip(HEADER, r)) for r in rows[8:]]


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
