"""Registers of an invented service, laid out like a Province's real workbooks.

Sessions are placed relative to ``today`` so that a demo run always has work:
three sessions inside their invitation lead time (one without a room, one
whose date is typed as text), two of them inside their meeting-pack lead
time, and a held session per committee whose minutes are not yet circulated
(none marked validated: no draft exists yet for staff to have read); the
rest either past or further ahead. This year's applications are examined at
those sessions; the latest held session of each committee has its decisions
entered and its follow-ups (letters, vouchers, supplier notices) still to do.
The quirks staff leave in real registers are there too: title rows above the
header, times typed three ways, amounts typed as text, a member without an
e-mail, the last application typed twice.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from ..engine.actions import slug

COMMITTEES = [  # name, scheme, invitation lead, pack lead, usual room, hours
    ("Commission maintien dans le logement", "Maintien dans le logement", 15, 5, "Salle Kaori", 2),
    ("Commission première entrée", "Première entrée", 15, 5, "Salle Niaouli", 2),
    ("Comité prévention des expulsions", "Prévention des expulsions", 21, 7, "Salle Kaori", 3),
    ("Commission insertion logement-emploi", "Insertion par le logement et l'emploi", 15, 5, "Salle Banian", 2),
]
ROOMS = [("Salle Kaori", 20, "Immeuble Foch, 2e étage"), ("Salle Niaouli", 12, "Immeuble Foch, 1er étage"),
         ("Salle Banian", 30, "Hôtel de la Province, rez-de-chaussée")]
SUPPLIERS = [("SIC", "bailleur"), ("FSH", "bailleur"), ("Promo Sud", "bailleur"), ("EEC Engie", "energie"),
             ("Calédonienne des Eaux", "eau"), ("Casino Johnston", "commerce"),
             ("Mobilier Calédonien", "commerce"), ("Karuïa Bus", "transport")]
AIDS = {
    "Maintien dans le logement": [("Impayés de loyer", "SIC"), ("Facture d'électricité", "EEC Engie"),
                                  ("Facture d'eau", "Calédonienne des Eaux")],
    "Première entrée": [("Premier loyer", "FSH"), ("Dépôt de garantie", "Promo Sud"),
                        ("Équipement mobilier", "Mobilier Calédonien")],
    "Prévention des expulsions": [("Apurement de dette locative", "SIC")],
    "Insertion par le logement et l'emploi": [("Aide alimentaire", "Casino Johnston"),
                                              ("Frais de transport", "Karuïa Bus")],
}
LAST = ["WAIA", "XOWIE", "OUNOU", "GOPE", "TEIN", "WAHEO", "KASARHEROU", "LALIE", "POADJA", "SIWENE",
        "TRAN", "NGUYEN", "MARTIN", "DUPONT", "BOEWA", "WENEHOUA", "HNAUTRA", "TROLUE", "WAMYTAN", "SAKO"]
FIRST = ["Marie", "Josépha", "Wassissi", "Kalolo", "Sione", "Hélène", "Yann", "Malia", "Cyprien",
         "Gaëlle", "Ko", "Thérèse", "Sylvain", "Nadège", "Hnadrune", "Tevita", "Lindsay", "Ignace"]
ORGS = [("Province Sud", "province-sud.nc"), ("CAFAT", "cafat.nc"), ("FSH", "fsh.nc"), ("SIC", "sic.nc"),
        ("Ville de Nouméa", "ville-noumea.nc"), ("Croix-Rouge NC", "croix-rouge.nc")]
FUNCTIONS = ["Élu(e)", "Directeur(rice)", "Chargé(e) de mission", "Travailleur social"]
COMMUNES = ["Nouméa", "Dumbéa", "Mont-Dore", "Païta", "Bourail", "La Foa", "Thio", "Yaté", "Boulouparis"]
WORKERS = ["Mme Tein", "M. Sako", "Mme Lévêque", "M. Waia"]
PLANNING_HEADER = ["Instance", "Date", "Heure", "Durée (h)", "Lieu", "Président(e)", "Statut",
                   "Ordre du jour / observations", "Salle réservée", "Invitations envoyées le",
                   "Dossier envoyé le", "CR diffusé le", "CR validé"]
APPLICATION_HEADER = ["N° dossier", "Date de dépôt", "Nom", "Prénom", "Commune", "Dispositif",
                      "Nature de l'aide", "Montant demandé", "Référent", "Date commission", "Décision",
                      "Montant accordé", "Motif", "Fournisseur", "Notifié le", "Observations", "Courriel",
                      "Adresse", "Bon n°", "Préparé le", "Pièces manquantes", "Accusé envoyé le",
                      "Accusé préparé le", "Relance le"]
# what a file may lack when it is filed, as the referents write it
MISSING = ["Justificatif de domicile", "Avis d'imposition", "Relevé d'identité bancaire", "Quittance de loyer"]
OUTGOING_HEADER = ["Date", "N°", "Destinataire", "Objet", "Rédacteur"]
INCOMING_HEADER = ["Date", "N° d'enregistrement", "Expéditeur", "Objet", "Destinataire", "Suite donnée",
                   "Pièces jointes", "Remarques"]
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _header(ws, row: int, titles: list[str], widths: list[int] | None = None) -> None:
    for column, title in enumerate(titles, 1):
        cell = ws.cell(row=row, column=column, value=title)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = (widths or [])[column - 1] if widths else 18


def _sessions(today: date, rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    times = ["8h30", "08:30", time(8, 30), "14h00", time(13, 30), "9h00"]
    agenda = ["Examen des dossiers", "Point sur l'enveloppe budgétaire", "Bilan semestriel + dossiers", ""]
    chairs = ["Mme la présidente de commission", "M. le 2e vice-président"]
    soon = {0: (4, "empty room"), 2: (12, "text date"), 3: (3, "")}  # inside their lead time
    for index, (name, _, lead, pack, room, hours) in enumerate(COMMITTEES):
        for months_back in range(4, 0, -1):
            day = _weekday(today - timedelta(days=30 * months_back - 2 * index))
            cancelled = index == 0 and months_back == 2
            latest = months_back == 1  # its minutes are still to be written
            rows.append([name, day, rng.choice(times), hours, room, rng.choice(chairs),
                         "Annulée" if cancelled else "Tenue", rng.choice(agenda),
                         None if cancelled else room,
                         None if cancelled else day - timedelta(days=lead),
                         None if cancelled else day - timedelta(days=pack),
                         None if cancelled or latest else day + timedelta(days=10),
                         None])
        offset, quirk = soon.get(index, (20, ""))  # the 2nd committee's next session is beyond its lead
        day = _weekday(today + timedelta(days=offset))
        rows.append([name, day.strftime("%d/%m/%Y") if quirk == "text date" else day, times[index], hours,
                     None if quirk == "empty room" else room, chairs[index % 2], "Prévue",
                     "Examen des dossiers; Point sur l'enveloppe budgétaire", None, None, None, None, None])
        for ahead in (40, 70):
            day = _weekday(today + timedelta(days=ahead + 3 * index))
            rows.append([name, day, rng.choice(times), hours, room, rng.choice(chairs), "Prévue",
                         rng.choice(agenda), None, None, None, None, None])
    return sorted(rows, key=lambda r: r[1] if isinstance(r[1], date) else date(*map(int, r[1].split("/")[::-1])))


def _planning(path: Path, today: date, rows: list[list[object]], rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Planning {today.year}"
    ws["A1"] = "DIRECTION DE L'EMPLOI ET DU LOGEMENT – Service accompagnement social"
    ws["A2"] = f"Planning des instances de concertation – {today.year}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(bold=True, size=12)
    ws.merge_cells("A1:M1")
    ws.merge_cells("A2:M2")
    _header(ws, 4, PLANNING_HEADER, [38, 12, 9, 9, 16, 30, 11, 40, 16, 14, 14, 14, 10])
    ws["G4"].comment = Comment("Prévue, Tenue, Annulée ou Reportée (liste déroulante)", "Secrétariat")
    ws["M4"].comment = Comment("Oui quand le compte rendu est relu et peut être diffusé aux membres", "Secrétariat")
    for r, values in enumerate(rows, 5):
        for c, value in enumerate(values, 1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, time):
                cell.number_format = "HH:MM"
    last = 4 + len(rows)
    validation = DataValidation(type="list", formula1='"Prévue,Tenue,Annulée,Reportée"', allow_blank=True)
    validation.add(f"G5:G{last + 50}")
    ws.add_data_validation(validation)
    ws.conditional_formatting.add(f"G5:G{last + 50}", CellIsRule(
        operator="equal", formula=['"Annulée"'], fill=PatternFill("solid", fgColor="F8CBAD")))
    ws.freeze_panes = "B5"

    committees = wb.create_sheet("Instances")
    # every column the shipped mapping names: `check` on the demo warns of none missing
    _header(committees, 1, ["Instance", "Dispositif", "Délai invitation (jours)", "Délai dossier (jours)",
                            "Salle habituelle", "Durée (h)", "Quorum", "Dossier anonymisé"],
            [38, 36, 14, 14, 16, 9, 9, 12])
    for values in COMMITTEES:
        committees.append([*values, 4, "Non"])  # four titular members of six

    members = wb.create_sheet("Membres")
    _header(members, 1, ["Nom", "Prénom", "Organisme", "Fonction", "Courriel", "Instances", "Rôle", "Suppléant de"],
            [16, 14, 18, 22, 36, 38, 11, 20])
    members.append([])
    people = rng.sample([(last, first) for last in LAST for first in FIRST], 6 * len(COMMITTEES))
    for index, (last, first) in enumerate(people):
        committee = COMMITTEES[index // 6][0]
        org, domain = rng.choice(ORGS)
        address = f"{first.lower()}.{last.lower()}@{domain}".replace("é", "e").replace("ë", "e").replace("è", "e")
        members.append([last, first, org, rng.choice(FUNCTIONS), None if index == 9 else address, committee,
                        "Titulaire" if index % 6 < 4 else "Suppléant"])

    rooms = wb.create_sheet("Salles")
    _header(rooms, 1, ["Salle", "Adresse Exchange", "Capacité", "Site"], [16, 32, 10, 36])
    rooms.append([])
    for name, capacity, site in ROOMS:
        rooms.append([name, f"salle.{name.split()[-1].lower()}@province-sud.nc", capacity, site])
    wb.save(path)


def _session_dates(rows: list[list[object]], today: date) -> dict[str, list[date]]:
    """Per scheme, the dates of its committee's sessions that examine applications: held, or coming soon."""
    dates: dict[str, list[date]] = {}
    schemes = {name: scheme for name, scheme, *_ in COMMITTEES}
    for row in rows:
        day = row[1] if isinstance(row[1], date) else date(*map(int, str(row[1]).split("/")[::-1]))
        if row[6] != "Annulée" and day.year == today.year and day <= today + timedelta(days=15):
            dates.setdefault(schemes[str(row[0])], []).append(day)
    return dates


def _applications(path: Path, year: int, today: date, rng: random.Random, table: bool,
                  sessions: dict[str, list[date]] | None = None) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Demandes"
    _header(ws, 1, APPLICATION_HEADER)
    ws.append([None] * len(APPLICATION_HEADER))
    count = 120
    # the latest held session of each scheme: its decisions are entered, its follow-ups not yet done
    latest = {scheme: max((d for d in days if d < today), default=None) for scheme, days in (sessions or {}).items()}
    for n in range(1, count + 1):
        committee = COMMITTEES[n % len(COMMITTEES)]
        aid, supplier = rng.choice(AIDS[committee[1]])
        if sessions and sessions.get(committee[1]):
            session = rng.choice(sessions[committee[1]])
            filed = session - timedelta(days=rng.randrange(14, 45))
        else:
            filed = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330))
            session = filed + timedelta(days=rng.randrange(14, 45))
        asked = rng.randrange(5, 450) * 1000 if aid != "Aide alimentaire" else rng.randrange(8, 40) * 1000
        decided = session < today
        decision = rng.choice(["Accord", "Accord", "Accord", "Accord partiel", "Refus", "Ajourné"]) if decided else None
        granted = {"Accord": asked, "Accord partiel": asked // 2000 * 1000}.get(decision or "")
        last, first = rng.choice(LAST), rng.choice(FIRST)
        followed = decided and session != latest.get(committee[1]) and session + timedelta(days=7) < today
        # addresses as servers take them: plain ASCII (an accented one is refused, as in a real register)
        email = f"{slug(first)}.{slug(last)}@mail.nc" if n % 3 == 0 else None
        ws.append([f"DEL-{year}-{n:04d}", filed, last, first, rng.choice(COMMUNES),
                   committee[1], aid, f"{asked:,} F".replace(",", " ") if n % 17 == 0 else asked,
                   rng.choice(WORKERS), session, decision, granted,
                   "Dossier incomplet" if decision == "Refus" else None,
                   supplier if granted else None, session + timedelta(days=7) if followed else None, None,
                   email, f"{n} rue des Cocotiers", None, None,
                   # not drawn from ``rng``: the rest of the demo stays as it was
                   None if decided or n % 4 else ", ".join(MISSING[n % 3:n % 3 + 2]), None, None, None])
    ws.append([c.value for c in ws[ws.max_row]])  # the last line typed twice, as it happens
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    if table:
        ref = f"A1:{get_column_letter(len(APPLICATION_HEADER))}{ws.max_row}"
        grid = Table(displayName=f"Demandes{year}", ref=ref)
        grid.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(grid)
    ws.freeze_panes = "A3"
    wb.save(path)


def _suppliers(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Fournisseurs"
    _header(ws, 1, ["Raison sociale", "Catégorie", "Courriel", "Téléphone", "Adresse", "N° RIDET"])
    ws.append([])
    for index, (name, category) in enumerate(SUPPLIERS):
        domain = name.lower().replace(" ", "").replace("é", "e").replace("ï", "i")[:12]
        ws.append([name, category, f"contact@{domain}.nc", f"2{index}.{10 + index}.{40 + index}",
                   f"{10 + 7 * index} rue Anatole France, Nouméa", f"{300000 + 1111 * index}.00{index}"])
    wb.save(path)


def _outgoing(path: Path, today: date) -> None:
    """The courrier départ register, with this year's first entries typed by hand."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Courrier départ"
    _header(ws, 1, OUTGOING_HEADER, [12, 12, 30, 50, 24])
    ws.append([])
    subjects = ["Transmission de dossier", "Courrier administratif", "Réponse à réclamation"]
    for n in range(1, 13):
        day = _weekday(date(today.year, 1, 5) + timedelta(days=21 * n))
        ws.append([day, f"D{today.year}-{n:04d}", "CAFAT" if n % 2 else "Mairie de Nouméa", subjects[n % 3],
                   "Secrétariat des commissions"])
        ws.cell(row=ws.max_row, column=1).number_format = "DD/MM/YYYY"
    wb.save(path)


def _incoming(path: Path, today: date) -> None:
    """The courrier arrivé register, with this year's first entries typed by hand."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Courrier arrivé"
    _header(ws, 1, INCOMING_HEADER, [12, 16, 30, 40, 24, 30, 30, 40])
    senders = ["CAFAT", "Mairie de Nouméa", "OPT", "Province Sud – DPASS"]
    subjects = ["Attestation de droits", "Demande de renseignements", "Transmission de dossier"]
    for n in range(1, 9):
        day = _weekday(date(today.year, 1, 5) + timedelta(days=30 * n))
        if day >= today:
            break
        ws.append([day, f"A{today.year}-{n:04d}", senders[n % 4], subjects[n % 3], "Secrétariat des commissions"])
        ws.cell(row=ws.max_row, column=1).number_format = "DD/MM/YYYY"
    wb.save(path)


def build_demo_registers(folder: Path, today: date, seed: int = 2026) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = [folder / f"Planning des instances {today.year}.xlsx",
             folder / f"Registre des demandes {today.year - 1}.xlsx",
             folder / f"Registre des demandes {today.year}.xlsx", folder / "Fournisseurs.xlsx",
             folder / f"Courrier départ {today.year}.xlsx", folder / f"Courrier arrivé {today.year}.xlsx"]
    sessions = _sessions(today, rng)
    _planning(paths[0], today, sessions, rng)
    _applications(paths[1], today.year - 1, today, rng, table=False)
    _applications(paths[2], today.year, today, rng, table=True, sessions=_session_dates(sessions, today))
    _suppliers(paths[3])
    _outgoing(paths[4], today)
    _incoming(paths[5], today)
    return paths
