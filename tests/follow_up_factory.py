"""A service whose last session has its decisions entered: applications, suppliers and outgoing-mail registers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from automations.cli.demo import demo_mapping

from .service_factory import APPLICATION_HEADER, make_service, planning_rows

SCHEME = "Maintien dans le logement"
HELD = date(2026, 11, 13)
HEADER = [*APPLICATION_HEADER, "Courriel", "Adresse", "Bon n°", "Préparé le"]
SUPPLIERS = [["SIC", "bailleur", "contentieux@sic.nc", "21 13 44", "54 rue Anatole France, Nouméa", "294257.009"],
             ["EEC Engie", "energie", "recouvrement@eec.nc", "24 14 92", "63 rue Anatole France, Nouméa", "1.008"],
             ["Casino Johnston", "commerce", None, "21 92 94", "66 rue Jules Ferry, Nouméa", "658127.005"]]
OUTGOING = [[date(2026, 1, 12), "D2026-0001", "CAFAT", "Transmission de dossier", "Accueil"],
            [date(2026, 3, 2), "D2026-0002", "Mairie", "Courrier administratif", "Accueil"],
            [date(2026, 6, 30), "D2026-0003", "CAFAT", "Réponse à réclamation", "Accueil"]]
CONFIG_EXTRA = """
# the weekly digest would go to the manager too: tests of the digest are test_digest*.py
[digest]
enabled = false

[follow_ups]
voucher_aids = ["Aide alimentaire"]
outgoing_author = "Secrétariat des commissions"
"""


def application(number: str, last: str, first: str, aid: str, asked: int, decision: str | None,
                granted: int | None = None, *, reason: str | None = None, supplier: str | None = None,
                email: str | None = None, day: date = HELD, notified: date | None = None,
                voucher: str | None = None) -> list[object]:
    """A row in HEADER's order."""
    return [number, date(2026, 10, 20), last, first, "Dumbéa", SCHEME, aid, asked, "Mme Tein", day, decision,
            granted, reason, supplier, notified, None, email, "12 rue des Cocotiers", voucher, None]


APPLICATIONS = [
    application("DEL-2026-0301", "WAHEO", "Gaëlle", "Impayés de loyer", 180000, "Accord", 180000,
                supplier="SIC", email="gaelle.waheo@mail.nc"),
    application("DEL-2026-0302", "GOPE", "Sione", "Facture d'électricité", 45500, "Accord partiel", 20000,
                reason="Plafond du dispositif", supplier="EEC Engie"),
    application("DEL-2026-0303", "TROLUE", "Malia", "Facture d'eau", 32000, "Refus",
                reason="Ressources supérieures au plafond", email="malia.trolue@mail.nc"),
    application("DEL-2026-0304", "SAKO", "Yann", "Impayés de loyer", 99000, "Ajourné", reason="Pièces manquantes"),
    application("DEL-2026-0305", "KASARHEROU", "Ko", "Impayés de loyer", 120000, "Accord", 120000, supplier="SIC"),
    application("DEL-2026-0306", "POADJA", "Marie", "Aide alimentaire", 15000, "Accord", 15000,
                supplier="Casino Johnston"),
    application("DEL-2026-0307", "TEIN", "Sylvain", "Aide alimentaire", 20000, "Accord", 18000,
                supplier="Casino Johnston", email="sylvain.tein@mail.nc"),
]


def _workbook(path: Path, sheet: str, header: list[str], rows: list[list[object]], *, blank_row: bool = False) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    if blank_row:
        ws.append([])  # staff leave a blank row under the header
    for row in rows:
        ws.append(row)
    wb.save(path)


def write_registers(folder: Path, rows: list[list[object]]) -> None:
    registers = folder / "registres"
    _workbook(registers / "Registre des demandes 2026.xlsx", "Demandes", HEADER, rows)
    _workbook(registers / "Fournisseurs.xlsx", "Fournisseurs",
              ["Raison sociale", "Catégorie", "Courriel", "Téléphone", "Adresse", "N° RIDET"], SUPPLIERS)
    _workbook(registers / "Courrier départ 2026.xlsx", "Courrier départ",
              ["Date", "N°", "Destinataire", "Objet", "Rédacteur"], OUTGOING, blank_row=True)


def make_follow_up_service(folder: Path, rows: list[list[object]] | None = None, extra: str = "",
                           planning: list[list[object]] | None = None) -> Path:
    if planning is None:
        planning = planning_rows()
        planning[0][1] = HELD  # the planning's held session is the one that decided
    config = make_service(folder, planning)
    (folder / "correspondance.toml").write_text(demo_mapping(), encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace(
        'signatory = "La cheffe de service"\n', 'signatory = "La cheffe de service"\nmanager = "cheffe@province-sud.nc"\n')
    config.write_text(text + CONFIG_EXTRA + extra, encoding="utf-8")
    write_registers(folder, APPLICATIONS if rows is None else rows)
    return config


def register_rows(folder: Path, name: str = "Registre des demandes 2026.xlsx",
                  sheet: str = "Demandes") -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "registres" / name)[sheet]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row)) for row in ws.iter_rows(min_row=2, values_only=True) if any(row)]


def edit_application(folder: Path, number: str, **cells: object) -> None:
    """Change cells of one application's row the way staff would, by header name."""
    path = folder / "registres" / "Registre des demandes 2026.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Demandes"]
    columns = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == number)
    for header, value in cells.items():
        ws.cell(row=row, column=columns[header], value=value)
    wb.save(path)
