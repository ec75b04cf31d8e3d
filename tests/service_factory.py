"""A small service folder for tests: config, mapping, templates and a planning workbook."""

from __future__ import annotations

import shutil
from datetime import date, time
from pathlib import Path

import openpyxl

from automations.engine.context import Context
from automations.settings import load_config
from automations.transports import settings_checks

from .conftest import PROJECT

PLANNING_HEADER = ["Instance", "Date", "Heure", "Durée (h)", "Lieu", "Président(e)", "Statut",
                   "Ordre du jour / observations", "Salle réservée", "Invitations envoyées le",
                   "Dossier envoyé le", "CR diffusé le", "CR validé"]
APPLICATION_HEADER = ["N° dossier", "Date de dépôt", "Nom", "Prénom", "Commune", "Dispositif", "Nature de l'aide",
                      "Montant demandé", "Référent", "Date commission", "Décision", "Montant accordé", "Motif",
                      "Fournisseur", "Notifié le", "Observations"]

COMMITTEE = "Commission maintien dans le logement"

MEMBERS = [
    ["LALIE", "Wassissi", "FSH", "Élu(e)", "wassissi.lalie@fsh.nc", COMMITTEE, "Titulaire"],
    ["XOWIE", "Thérèse", "Ville de Nouméa", "Élu(e)", "therese.xowie@ville-noumea.nc", COMMITTEE, "Titulaire"],
    ["OUNOU", "Ko", "CAFAT", "Directeur(rice)", "ko.ounou@cafat.nc", COMMITTEE, "Suppléant"],
    ["WAIA", "Josépha", "SIC", "Chargée de mission", None, COMMITTEE, "Titulaire"],
]

CONFIG = """
[service]
name = "Service accompagnement social"
email = "commissions@province-sud.nc"
signatory = "La cheffe de service"
[paths]
registers = "registres"
mapping = "correspondance.toml"
templates = "modeles"
[transport]
kind = "outbox"
folder = "boite-d-envoi"
"""


def planning_rows() -> list[list[object]]:
    return [
        [COMMITTEE, date(2026, 10, 14), "8h30", 2, "Salle Kaori", "Mme la présidente", "Tenue",
         "Examen des dossiers", "Salle Kaori", date(2026, 9, 29), None, None],
        [COMMITTEE, date(2026, 12, 2), "8h30", 2, None, "Mme la présidente", "Prévue",
         "Examen des dossiers; Point sur l'enveloppe budgétaire", None, None, None, None],
        [COMMITTEE, date(2027, 1, 20), time(9, 0), 2, "Salle Kaori", None, "Prévue", None, None, None, None, None],
    ]


def write_planning(path: Path, rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Planning 2026"
    ws.append(["DIRECTION DE L'EMPLOI ET DU LOGEMENT"])
    ws.append(["Planning des instances de concertation – 2026"])
    ws.merge_cells("A1:L1")
    ws.merge_cells("A2:L2")
    ws.append([])
    ws.append(PLANNING_HEADER)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A5"
    committees = wb.create_sheet("Instances")
    committees.append(["Instance", "Dispositif", "Délai invitation (jours)", "Délai dossier (jours)",
                       "Salle habituelle", "Durée (h)"])
    committees.append([COMMITTEE, "Maintien dans le logement", 15, 5, "Salle Kaori", 2])
    members = wb.create_sheet("Membres")
    members.append(["Nom", "Prénom", "Organisme", "Fonction", "Courriel", "Instances", "Rôle"])
    members.append([])
    for member in MEMBERS:
        members.append(member)
    rooms = wb.create_sheet("Salles")
    rooms.append(["Salle", "Adresse Exchange", "Capacité", "Site"])
    rooms.append(["Salle Kaori", "salle.kaori@province-sud.nc", 20, "Immeuble Foch, 2e étage"])
    rooms.append(["Salle Niaouli", "salle.niaouli@province-sud.nc", 12, "Immeuble Foch, 1er étage"])
    wb.save(path)


def make_service(folder: Path, rows: list[list[object]] | None = None) -> Path:
    (folder / "registres").mkdir(parents=True)
    write_planning(folder / "registres" / "Planning des instances 2026.xlsx", rows or planning_rows())
    shutil.copytree(PROJECT / "templates", folder / "modeles")
    shutil.copyfile(PROJECT / "mappings" / "province-sud-del.toml", folder / "correspondance.toml")
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    return folder / "config.toml"


def context(config_path: Path, clock) -> Context:
    import io

    return Context(config=load_config(config_path, backends=settings_checks()), clock=clock, out=io.StringIO())


def edit_planning(folder: Path, row: int, **cells: object) -> None:
    """Change cells of one planning row the way staff would, by header name."""
    path = folder / "registres" / "Planning des instances 2026.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Planning 2026"]
    columns = {cell.value: cell.column for cell in ws[4]}
    for header, value in cells.items():
        ws.cell(row=row, column=columns[header.replace("_", " ")], value=value)
    wb.save(path)


def write_applications(folder: Path, rows: list[list[object]]) -> Path:
    """The applications register, one row per application, in APPLICATION_HEADER's order."""
    path = folder / "registres" / "Registre des demandes 2026.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append(APPLICATION_HEADER)
    for row in rows:
        ws.append(row + [None] * (len(APPLICATION_HEADER) - len(row)))
    wb.save(path)
    return path


def set_committee(folder: Path, header: str, value: object) -> None:
    """Add or fill a column of the committee's line in the « Instances » sheet."""
    path = folder / "registres" / "Planning des instances 2026.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Instances"]
    columns = {cell.value: cell.column for cell in ws[1]}
    column = columns.get(header) or ws.max_column + 1
    ws.cell(row=1, column=column, value=header)
    ws.cell(row=2, column=column, value=value)
    wb.save(path)


def replace_member(folder: Path, email: str, row: list[object]) -> None:
    """Put another member (a row in MEMBERS' order) in place of the one with this e-mail, as staff would."""
    path = folder / "registres" / "Planning des instances 2026.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Membres"]
    [line] = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 5).value == email]
    for column, value in enumerate(row, 1):
        ws.cell(row=line, column=column, value=value)
    wb.save(path)
