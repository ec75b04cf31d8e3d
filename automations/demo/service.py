"""``python run.py demo``: a sample service in a folder, run end to end on the outbox."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .. import commands
from ..context import Context, system_clock
from ..documents.pdf import find_libreoffice
from ..errors import EXIT_OK, EXIT_PROBLEMS
from ..settings import load_config
from ..transports import settings_checks
from .registers import build_demo_registers

PROJECT = Path(__file__).resolve().parents[2]

DEMO_CONFIG = """\
# Service de démonstration : registres inventés, e-mails déposés dans « boite-d-envoi ».
[service]
name = "Direction de l'emploi et du logement – Service accompagnement social (démonstration)"
email = "commissions@province-sud.nc"
city = "Nouméa"
address = "6 route des Artifices, 98800 Nouméa"
phone = "20 30 40"
signatory = "La cheffe de service"
signatory_title = "Service accompagnement social"
timezone = "Pacific/Noumea"

[paths]
registers = "registres"
mapping = "correspondance.toml"
templates = "modeles"
output = "documents"
journal = "journal.sqlite3"
backups = "sauvegardes"

[transport]
kind = "outbox"
folder = "boite-d-envoi"

[invitations]
enabled = true
lead_days = 15
duration_hours = 2

[packs]
lead_days = 5

[documents]
pdf = {pdf}
"""


def set_up(folder: Path, today_date: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    build_demo_registers(folder / "registres", today_date)  # type: ignore[arg-type]
    shutil.copytree(PROJECT / "templates", folder / "modeles", dirs_exist_ok=True)
    shutil.copyfile(PROJECT / "mappings" / "province-sud-del.toml", folder / "correspondance.toml")
    # written last: its presence marks a complete demo folder
    pdf = "true" if find_libreoffice() else "false"  # PDFs when LibreOffice is there to make them
    (folder / "config.toml").write_text(DEMO_CONFIG.replace("{pdf}", pdf), encoding="utf-8")


def run_demo(folder: Path | None, clock: Callable[[], datetime] = system_clock,
             out: TextIO | None = None) -> int:
    out = out or sys.stdout
    folder = (folder or Path.cwd() / "service-demo").resolve()
    config_path = folder / "config.toml"
    fresh = not config_path.exists()
    if fresh:
        set_up(folder, clock().date())
    config = load_config(config_path, backends=settings_checks())
    ctx = Context(config=config, clock=clock, out=out)
    ctx.say(f"Service de démonstration {'créé' if fresh else 'repris'} dans {folder}")
    ctx.say("")
    report = commands.run(ctx)
    ctx.say("")
    ctx.say("Où trouver le résultat :")
    ctx.say(f"  - registres (avec le suivi reporté) : {config.paths.registers}")
    ctx.say(f"  - e-mails et invitations (.eml)     : {folder / 'boite-d-envoi'}")
    ctx.say("  - convocations, dossiers de séance,")
    ctx.say(f"    projets de compte rendu (.docx)   : {config.paths.output}")
    ctx.say(f"  - journal                           : python run.py --config \"{config_path}\" history")
    ctx.say(f"  - vérification des registres        : python run.py --config \"{config_path}\" check")
    return EXIT_OK if report.ok else EXIT_PROBLEMS
