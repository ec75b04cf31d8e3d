"""Absurd values: durations of a million hours and more, amounts of 1e308, negative, NaN or infinite, dates in
year 9999, and a stray cell on Excel's last row of the outgoing-mail register.

Each absurd value is a finding naming its cell and leaves its row out, as any unreadable cell does; none may
stop `check` or `run`. The stray cell is found by `check`; `run` still sends, writes the other registers, and
keeps the outgoing-mail rows queued until staff clear the cell.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl

from automations.engine.journal import Journal

from . import files
from .cases_cells import COMING_ROW, NO_INVITATION, NO_WAHEO, PLAN, REG, _cell_case
from .runner import Case, cli
from .service import (ALL_MAILS, APPLICATIONS, OUTGOING, PLANNING, ROW_WAHEO, column_letter, edit, edit_application,
                      register, today)

HOURS = "durée d'une séance hors plage (attendu : plus de 0 et au plus 24 h)"
HUGE_AMOUNT = "montant démesuré (au plus 1 000 000 000 000 F CFP) : vérifiez la saisie"
UNREADABLE_AMOUNT = "montant illisible (attendu par exemple 125 000)"
GRANTED = "Montant accordé"
OUT_SHEET = "Courrier départ"
STRAY = "B1048576"


def _duration(value: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit(folder, PLANNING, "Planning 2026", COMING_ROW, header_row=4, **{"Durée (h)": value})
        return register(folder, PLANNING)
    return make


def _duration_case(name: str, title: str, value: object, shown: str) -> Case:
    return _cell_case(name, title, _duration(value),
                      f"✗ {PLAN}, ligne 6, colonne « Durée (h) » (valeur « {shown} ») : {HOURS}",
                      NO_INVITATION, COMING_ROW, "Planning 2026")


def _granted(value: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit_application(folder, ROW_WAHEO, **{GRANTED.replace(" ", "_"): value})
        return register(folder, APPLICATIONS)
    return make


def _filed_on(day: date):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit_application(folder, ROW_WAHEO, Date_de_dépôt=day)
        return register(folder, APPLICATIONS)
    return make


def _raw_granted(token: str):  # type: ignore[no-untyped-def]
    """A number no spreadsheet writes (NaN, INF), put in the XML of the amount granted to WAHEO."""
    def make(folder: Path) -> Path:
        path = register(folder, APPLICATIONS)
        ref = f"{column_letter(GRANTED)}{ROW_WAHEO}".encode()
        cell = re.compile(rb'(<c r="' + ref + rb'"[^>]*>)<v>[^<]*</v>')
        files.rewrite_part(path, files.SHEET_PART, lambda xml: cell.sub(rb"\1<v>" + token.encode() + rb"</v>", xml))
        return path
    return make


def _amount_case(name: str, title: str, make, shown: str, why: str) -> Case:  # type: ignore[no-untyped-def]
    return _cell_case(name, title, make, f"✗ {REG}, ligne 2, colonne « {GRANTED} » (valeur « {shown} ») : {why}",
                      NO_WAHEO, ROW_WAHEO)


def _stray_last_row(folder: Path) -> Path:
    # a number typed on the very last row after a Ctrl+↓ too many
    path = register(folder, OUTGOING)
    wb = openpyxl.load_workbook(path)
    wb[OUT_SHEET][STRAY] = "x"
    wb.save(path)
    return path


def _planning_records_the_invitation(folder: Path) -> list[str]:
    ws = openpyxl.load_workbook(register(folder, PLANNING))["Planning 2026"]
    column = next(c.column for c in ws[4] if c.value == "Invitations envoyées le")
    written = ws.cell(COMING_ROW, column).value
    return [] if written is not None and written.date() == today() else [f"planning records {written!r}"]


def _rows_wait_then_go(folder: Path) -> list[str]:
    """The outgoing-mail rows stay queued; once staff clear the cell, the next run appends them under the data."""
    with Journal(folder / "journal.sqlite3") as journal:
        waiting = [w for w in journal.pending_writes() if Path(w[1]).name == OUTGOING]
    # three letters, two supplier notices and a voucher
    problems = [] if len(waiting) == 6 else [f"{len(waiting)} outgoing-mail rows queued, expected 6"]
    path = register(folder, OUTGOING)
    wb = openpyxl.load_workbook(path)
    wb[OUT_SHEET][STRAY] = None
    wb.save(path)
    again = cli(folder / "config.toml", "run")
    if again.code != 0:
        problems.append(f"second run exited {again.code}:\n{again.text}")
    ws = openpyxl.load_workbook(path)[OUT_SHEET]
    numbers = [ws.cell(r, 2).value for r in range(6, 12)]  # under the three rows typed by staff
    if numbers != [f"D2026-000{n}" for n in range(4, 10)] or ws.max_row != 11:
        problems.append(f"outgoing register after clearing the cell: {numbers}, last row {ws.max_row}")
    return problems


STRAY_FINDING = (f"✗ « {OUTGOING} », feuille « {OUT_SHEET} », ligne 1048576, colonne « N° » (valeur « x ») : la dernière "
                 "ligne d'une feuille Excel est occupée : l'outil ne peut plus ajouter de ligne à ce registre (courrier "
                 "départ) ; effacez cette cellule (Ctrl+Fin y mène)")
STRAY_REFUSAL = (f"✗ Report dans le registre impossible : « {OUTGOING} », feuille « {OUT_SHEET} » : la dernière ligne "
                 f"d'une feuille Excel (1048576) est occupée (cellule {STRAY}, valeur « x ») : aucune ligne ne peut être "
                 "ajoutée au registre ; effacez cette cellule, les ajouts attendent le prochain passage.")

CASES = [
    _duration_case("duration_million_hours", "durée d'une séance de 1 000 000 h", 1_000_000, "1000000.0"),
    _duration_case("duration_1e8_hours", "durée d'une séance de 1e8 h", 1e8, "100000000.0"),
    _duration_case("duration_1e12_hours", "durée d'une séance de 1e12 h", 1e12, "1000000000000.0"),
    _duration_case("duration_negative", "durée d'une séance négative", -2, "-2.0"),
    _amount_case("amount_1e308", "montant de 1e308 F CFP", _granted(1e308), "1e+308", HUGE_AMOUNT),
    _amount_case("amount_beyond_1e12", "montant de 2 000 milliards de F CFP", _granted(2e12), "2000000000000.0",
                 HUGE_AMOUNT),
    _amount_case("amount_negative", "montant négatif", _granted(-180000), "-180000.0", "montant négatif"),
    # typed as text, the only way Excel (and openpyxl) keeps them
    _amount_case("amount_nan_text", "montant « NaN »", _granted("NaN"), "NaN", UNREADABLE_AMOUNT),
    _amount_case("amount_infinite_text", "montant « inf »", _granted("inf"), "inf", UNREADABLE_AMOUNT),
    # numbers no spreadsheet writes, put in the file's XML: read as unreadable amounts; the register cannot be
    # written back (openpyxl refuses the file), which `run` says in French, keeping the writes for later
    # the write-back leaves such a cell as it is and writes the register's other rows
    _amount_case("amount_nan_in_file", "montant NaN dans le fichier", _raw_granted("NaN"), "nan", UNREADABLE_AMOUNT),
    _amount_case("amount_infinite_in_file", "montant infini dans le fichier", _raw_granted("INF"), "inf",
                 UNREADABLE_AMOUNT),
    _cell_case("date_year_9999", "date en l'an 9999", _filed_on(date(9999, 12, 31)),
               f"✗ {REG}, ligne 2, colonne « Date de dépôt » (valeur « 9999-12-31 ») : année hors plage (1900 à 2099)",
               NO_WAHEO, ROW_WAHEO),
    Case("stray_cell_last_row", "cellule isolée sur la dernière ligne du courrier départ", _stray_last_row,
         check=(STRAY_FINDING,), run=(STRAY_REFUSAL,), run_exit=1, mails=ALL_MAILS,
         after=(_planning_records_the_invitation, _rows_wait_then_go)),
]


def _formatted(header: str, value: float, number_format: str):  # type: ignore[no-untyped-def]
    """A number typed in a cell formatted as a date or a duration, far beyond any date."""
    def make(folder: Path) -> Path:
        if header == "Durée (h)":
            path, sheet, row, header_row = register(folder, PLANNING), "Planning 2026", COMING_ROW, 4
        else:
            path, sheet, row, header_row = register(folder, APPLICATIONS), "Demandes", ROW_WAHEO, 1
        wb = openpyxl.load_workbook(path)
        ws = wb[sheet]
        column = next(c.column for c in ws[header_row] if c.value == header)
        cell = ws.cell(row, column, value)
        cell.number_format = number_format
        wb.save(path)
        return path
    return make


CASES += [
    # calamine overflows on a duration of a billion hours, and panics in Rust on a date of -1e12 days
    _cell_case("duration_formatted_billion_hours", "durée au format [h]:mm d'un milliard d'heures",
               _formatted("Durée (h)", 1e9, "[h]:mm"),
               f"✗ {PLAN}, ligne 6, colonne « Durée (h) » (valeur « 1000000000.0 ») : {HOURS}",
               NO_INVITATION, COMING_ROW, "Planning 2026"),
    # the write-back leaves the cell as typed (openpyxl's load and save made it #VALUE!) and writes the other rows
    _cell_case("date_serial_absurd", "date au format date valant -1e12 jours",
               _formatted("Date de dépôt", -1e12, "DD/MM/YYYY"),
               f"✗ {REG}, ligne 2, colonne « Date de dépôt » (valeur « -1000000000000.0 ») : date illisible "
               "(attendu JJ/MM/AAAA)", NO_WAHEO, ROW_WAHEO),
]
