"""Bad layouts: sheets and columns missing or renamed, headers moved or merged, blank and hidden rows, formulas."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from . import files
from .cases_cells import ONE_LEFT_OUT, REG
from .runner import NOTHING, Case, row_of
from .service import ALL_MAILS, APPLICATIONS, INVITATION, ROW_WAHEO, SIC, WAHEO, column_letter, edit_application, \
    register, today

NOTIFIED = "Notifié le"


def _reshape(change: Callable[[Worksheet], None]) -> Callable[[Path], Path]:
    """Change the applications sheet as staff would in Excel, then save."""
    def make(folder: Path) -> Path:
        path = register(folder, APPLICATIONS)
        wb = openpyxl.load_workbook(path)
        change(wb["Demandes"])
        wb.save(path)
        return path
    return make


def _header(old: str, new: str) -> Callable[[Worksheet], None]:
    def change(ws: Worksheet) -> None:
        next(c for c in ws[1] if c.value == old).value = new
    return change


def _titles(count: int) -> Callable[[Worksheet], None]:
    def change(ws: Worksheet) -> None:
        ws.insert_rows(1, count)
        ws["A1"] = "REGISTRE DES DEMANDES D'AIDE"
    return change


def _two_row_header(ws: Worksheet) -> None:
    # "Demandeur" over « Nom » and « Prénom »; every other header merged down over both rows
    ws.insert_rows(1)
    for cell in ws[2]:
        ws.cell(row=1, column=cell.column, value=cell.value)
        if cell.value not in ("Nom", "Prénom"):
            ws.cell(row=2, column=cell.column, value=None)
            ws.merge_cells(start_row=1, start_column=cell.column, end_row=2, end_column=cell.column)
    ws["C1"], ws["D1"] = "Demandeur", None
    ws.merge_cells("C1:D1")


def _merged_session_dates(ws: Worksheet) -> None:
    # one session date for the three applications, typed once over their rows
    column = column_letter("Date commission")
    ws.merge_cells(f"{column}2:{column}4")


def _blank_rows_and_column(ws: Worksheet) -> None:
    ws.insert_rows(3)
    ws.insert_rows(5)
    ws.insert_cols(6)


def _hide(ws: Worksheet) -> None:
    ws.row_dimensions[3].hidden = True


def _formula(cached: str | None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        amount = column_letter("Montant accordé")
        edit_application(folder, ROW_WAHEO, Montant_accordé=f"={column_letter('Montant demandé')}{ROW_WAHEO}")
        path = register(folder, APPLICATIONS)
        if cached is not None:
            files.cache_formula(path, f"{amount}{ROW_WAHEO}", cached, error=False)
        return path
    return make


def notified_rows(*rows: int, header_row: int = 1, header: str = NOTIFIED) -> Callable[[Path], list[str]]:
    """After the run, « Notifié le » holds today's date on these rows only: the write-back found its rows."""
    def check(folder: Path) -> list[str]:
        ws = openpyxl.load_workbook(register(folder, APPLICATIONS))["Demandes"]
        column = next(c.column for r in range(1, header_row + 1) for c in ws[r] if c.value == header)
        filled = {r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, column).value is not None}
        wrong = {r for r in filled if ws.cell(r, column).value.date() != today()}
        return [f"« {header} » filled on rows {sorted(filled)}, expected {sorted(rows)}"] * (
            filled != set(rows) or bool(wrong))
    return check


def formula_kept(folder: Path) -> list[str]:
    ws = openpyxl.load_workbook(register(folder, APPLICATIONS))["Demandes"]
    cell = ws[f"{column_letter('Montant accordé')}{ROW_WAHEO}"]
    return [] if cell.value == f"={column_letter('Montant demandé')}{ROW_WAHEO}" else [f"formula lost: {cell.value!r}"]


def sheet_left_out(reason: str, where: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The lines of check, and of run, for a sheet or a workbook not read at all."""
    line = f"« Registre des demandes 2026.xlsx »{where} : {reason}"
    return (f"✗ {line}",), (f"✗ Registre non lu : {line}", ONE_LEFT_OUT)


ONLY_INVITATION = frozenset({INVITATION})
# the service's two usual warnings (a member, a supplier without an address), and nothing else
CLEAN = "Problèmes dans les registres : 0 erreur, 2 avertissements."
MISSING_COLUMN = "colonne obligatoire introuvable (en-têtes acceptés : « {} ») : la feuille n'est pas lue"

CASES = [
    Case("missing_sheet", "feuille absente (renommée)", _reshape(lambda ws: setattr(ws, "title", "Feuil1")),
         *sheet_left_out("aucune feuille ne correspond à « Demandes » (feuilles présentes : « Feuil1 »)"),
         mails=ONLY_INVITATION),
    Case("missing_column", "colonne obligatoire supprimée", _reshape(lambda ws: ws.delete_cols(3)),
         check=(f"✗ {REG}, ligne 1, colonne « Nom » : {MISSING_COLUMN.format('Nom')}",),
         run=(ONE_LEFT_OUT,), mails=ONLY_INVITATION),
    Case("renamed_column", "colonne obligatoire renommée", _reshape(_header("N° dossier", "Numéro de dossier")),
         check=(f"✗ {REG}, ligne 1, colonne « N° dossier » : {MISSING_COLUMN.format('N° dossier')}",),
         run=(ONE_LEFT_OUT,), mails=ONLY_INVITATION),
    Case("renamed_status_column", "colonne de suivi renommée", _reshape(_header(NOTIFIED, "Date de notification")),
         check=(f"⚠ {REG}, ligne 1, colonne « Notifié le » : colonne de suivi introuvable (en-têtes acceptés : "
                "« Notifié le ») : rien n'y sera reporté",), check_exit=0, watch=NOTHING,
         after=(notified_rows(header="Date de notification"),)),
    Case("header_lower", "en-têtes sous des lignes de titre", _reshape(_titles(5)), check=(CLEAN,),
         check_exit=0, watch=NOTHING, after=(notified_rows(7, 8, 9, header_row=6),)),
    Case("header_too_low", "en-têtes au-delà de la 30e ligne", _reshape(_titles(34)),
         *sheet_left_out("ligne d'en-têtes introuvable dans les 30 premières lignes : aucun des en-têtes attendus "
                         "n'y figure", ", feuille « Demandes »"), mails=ONLY_INVITATION),
    Case("merged_header", "en-têtes fusionnés sur deux lignes", _reshape(_two_row_header),
         check=(CLEAN,), check_exit=0, watch=NOTHING,
         after=(notified_rows(3, 4, 5, header_row=2),)),
    Case("merged_cells", "date de séance saisie une fois dans des cellules fusionnées", _reshape(_merged_session_dates),
         check=(CLEAN,), check_exit=0, watch=NOTHING, after=(notified_rows(2, 3, 4),)),
    Case("blank_rows_and_column", "lignes et colonne vides au milieu", _reshape(_blank_rows_and_column),
         check=(CLEAN,), check_exit=0, watch=NOTHING, after=(notified_rows(2, 4, 6),)),
    Case("hidden_row", "ligne masquée", _reshape(_hide), check=(CLEAN,), check_exit=0,
         watch=NOTHING, after=(notified_rows(2, 3, 4),)),
    Case("formula", "montant calculé par une formule", _formula("180000"), check=(CLEAN,),
         check_exit=0, watch=NOTHING, after=(notified_rows(2, 3, 4), formula_kept)),
    Case("formula_not_computed", "formule jamais calculée (classeur écrit par un autre programme)", _formula(None),
         check=(f"✗ {REG}, ligne 2, colonne « Montant accordé » : formule sans résultat enregistré (classeur "
                "enregistré par un programme qui ne calcule pas les formules, ou par l'outil lors d'un report) : "
                "ouvrez-le dans Excel et enregistrez-le ; la ligne est écartée",),
         run=(ONE_LEFT_OUT,), mails=ALL_MAILS - {WAHEO, SIC}, watch=row_of(ROW_WAHEO)),
]
