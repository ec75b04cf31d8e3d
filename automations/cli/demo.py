"""``python run.py demo``: a sample service in a folder, run end to end on the outbox."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from . import commands
from ..engine import print_batch
from ..annual_report.report import make_report, reports_folder
from ..engine.context import Context, system_clock
from ..documents.pdf import find_libreoffice
from ..errors import EXIT_OK, EXIT_PROBLEMS
from ..settings import load_config
from ..transports import settings_checks
from ..demo.mails import INBOX, drop_demo_mails
from ..demo.registers import build_demo_registers

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
{manager}
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
# le courrier reçu, en fichiers .eml : enregistré au courrier arrivé, puis rangé dans « enregistrés »
inbox = "boite-de-reception"

[incoming]
enabled = true

[receipts]
# un accusé de réception à chaque demande déposée depuis deux semaines, une relance tant qu'il manque des pièces
enabled = true
since = "{since}"

[invitations]
enabled = true
lead_days = 15
duration_hours = 2

[packs]
lead_days = 5

[follow_ups]
# l'aide alimentaire du dispositif d'insertion est remise en bons numérotés
voucher_aids = ["Aide alimentaire"]
outgoing_author = "Secrétariat des commissions"

[budget.{year}]
"Maintien dans le logement" = 12000000
"Première entrée" = 10000000
"Prévention des expulsions" = 5000000
"Insertion par le logement et l'emploi" = 1700000

{report}[documents]
pdf = {pdf}
"""

# The demo's registers keep a little more than the Province's: the voucher numbers, the day a
# letter to post was prepared, an outgoing-mail register and an incoming-mail register.
DEMO_MAPPING_FIELDS = ('voucher_number = { headers = ["Bon n°"], type = "text", write_back = true }\n'
                       'prepared_on = { headers = ["Préparé le"], type = "date", write_back = true }\n')
# the acknowledgements' columns of the demo's applications register, in its own mapping only (as the incoming one)
DEMO_MAPPING_RECEIPTS = ('missing_documents = { headers = ["Pièces manquantes"], type = "text" }\n'
                         'receipt_sent_on = { headers = ["Accusé envoyé le"], type = "date", write_back = true }\n'
                         'receipt_prepared_on = { headers = ["Accusé préparé le"], type = "date", write_back = true }\n'
                         'reminder_sent_on = { headers = ["Relance le"], type = "date", write_back = true }\n')
DEMO_MAPPING_OUTGOING = """
[registers.mail_out]
files = ["Courrier départ *.xlsx"]
sheets = ["Courrier départ"]
header_row = "auto"
key = ["number"]

[registers.mail_out.fields]
date = { headers = ["Date"], type = "date", required = true }
number = { headers = ["N°"], type = "text", required = true }
recipient = { headers = ["Destinataire"], type = "text" }
subject = { headers = ["Objet"], type = "text" }
author = { headers = ["Rédacteur"], type = "text" }
"""
# the demo's own incoming-mail register: not in ``demo_mapping``, which services built by the tests share
DEMO_MAPPING_INCOMING = """
[registers.mail_in]
files = ["Courrier arrivé *.xlsx"]
sheets = ["Courrier arrivé"]
header_row = "auto"
key = ["number"]

[registers.mail_in.fields]
date = { headers = ["Date"], type = "date", required = true }
number = { headers = ["N° d'enregistrement"], type = "text", required = true }
sender = { headers = ["Expéditeur"], type = "text" }
subject = { headers = ["Objet"], type = "text" }
recipient = { headers = ["Destinataire"], type = "text" }
follow_up = { headers = ["Suite donnée"], type = "text" }
attachments = { headers = ["Pièces jointes"], type = "text" }
notes = { headers = ["Remarques"], type = "text" }
"""


def demo_mapping(receipts: bool = False) -> str:
    """The mapping test services share; ``receipts``: with the demo's own acknowledgement columns."""
    text = (PROJECT / "mappings" / "province-sud-del.toml").read_text(encoding="utf-8")
    # the applicant's e-mail then address: the suppliers' fields are in another order
    anchor = ('email = { headers = ["Courriel", "E-mail"], type = "email" }\n'
              'address = { headers = ["Adresse"], type = "text" }\n')
    if text.count(anchor) != 1:
        raise RuntimeError("mappings/province-sud-del.toml: the applications' « Courriel » and « Adresse » lines moved")
    fields = DEMO_MAPPING_FIELDS + (DEMO_MAPPING_RECEIPTS if receipts else "")
    return text.replace(anchor, anchor + fields) + DEMO_MAPPING_OUTGOING


DEMO_MANAGER = "cheffe.service@province-sud.nc"
MANAGER_LINE = """\
# la cheffe de service reçoit le résumé hebdomadaire, les alertes et le rapport d'activité
manager = "{address}"
"""
REPORT_NOW = """\
[report]
# d'ordinaire à partir du 15 janvier ; ici dès aujourd'hui, pour voir le rapport de l'an dernier arriver
from_day = "{today}"

"""


def set_up(folder: Path, today_date: object, *, manager: str = DEMO_MANAGER, report_now: bool = True) -> None:
    """The demo's folder; ``manager`` "" leaves the service without one, ``report_now`` False keeps the
    usual day (15 January) for last year's report."""
    folder.mkdir(parents=True, exist_ok=True)
    build_demo_registers(folder / "registres", today_date)  # type: ignore[arg-type]
    drop_demo_mails(folder / INBOX, today_date)  # type: ignore[arg-type]
    shutil.copytree(PROJECT / "templates", folder / "modeles", dirs_exist_ok=True)
    (folder / "correspondance.toml").write_text(demo_mapping(receipts=True) + DEMO_MAPPING_INCOMING,
                                                  encoding="utf-8")
    # written last: its presence marks a complete demo folder
    pdf = "true" if find_libreoffice() else "false"  # PDFs when LibreOffice is there to make them
    since = today_date - timedelta(days=14)  # type: ignore[operator]
    config = (DEMO_CONFIG.replace("{pdf}", pdf).replace("{year}", str(today_date.year))  # type: ignore[attr-defined]
              .replace("{since}", f"{since:%d/%m/%Y}")
              .replace("{manager}", MANAGER_LINE.format(address=manager) if manager else "")
              .replace("{report}", REPORT_NOW.format(today=f"{today_date:%m-%d}") if report_now else ""))
    (folder / "config.toml").write_text(config, encoding="utf-8")
    if os.name == "posix":
        (folder / "config.toml").chmod(0o600)  # as check advises: the config is the service's alone


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
    year = ctx.now().year
    reports = reports_folder(ctx)
    if not (reports / f"Rapport d'activité {year}.xlsx").exists():  # a second demo rewrites nothing
        files = make_report(ctx, year)
        ctx.say(f"  ✓ Rapport d'activité {year} (année en cours) écrit : {len(files.report.tables)} tableaux")
    ctx.say("")
    ctx.say("Où trouver le résultat :")
    ctx.say(f"  - registres (avec le suivi reporté) : {config.paths.registers}")
    ctx.say(f"  - e-mails et invitations (.eml)     : {folder / 'boite-d-envoi'}")
    ctx.say(f"  - courrier reçu, enregistré (.eml)  : {folder / INBOX / 'enregistrés'}")
    ctx.say(f"    ses pièces jointes, par numéro    : {config.paths.output / 'Courrier arrivé'}")
    ctx.say(f"    dont, pour la cheffe de service, le résumé hebdomadaire et le rapport d'activité {year - 1}")
    ctx.say("  - convocations, dossiers de séance,")
    ctx.say("    projets de compte rendu, courriers")
    ctx.say(f"    de décision, avis, bons (.docx)   : {config.paths.output}")
    ctx.say(f"  - à imprimer et poster (un PDF)     : {config.paths.output / print_batch.FOLDER}")
    ctx.say(f"  - rapports d'activité (.xlsx, .docx): {reports}")
    ctx.say(f"  - journal                           : python run.py --config \"{config_path}\" history")
    ctx.say(f"  - vérification des registres        : python run.py --config \"{config_path}\" check")
    return EXIT_OK if report.ok else EXIT_PROBLEMS
