"""Bad cells: a text in each typed column, formula errors, dates out of range, duplicates, unknown names.

Each bad row is left out with its finding and the other rows still work: the mails of the valid rows
leave, and the bad row is not written to. An unusable e-mail address is the exception: the person is
still there, so the row is kept without it (a warning), and an applicant's letter is prepared for print.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from . import files, runner
from .runner import NOTHING, Case, row_of
from .service import (ALL_MAILS, APPLICATIONS, INVITATION, PLANNING, ROW_TEIN, ROW_TROLUE, ROW_WAHEO, SIC, TEIN,
                      TROLUE, WAHEO, column_letter, edit, edit_application, register)

REG = "« Registre des demandes 2026.xlsx », feuille « Demandes »"
PLAN = "« Planning des instances 2026.xlsx », feuille « Planning 2026 »"
ONE_LEFT_OUT = "1 ligne de registre écartée : lancez « check » pour le détail."
COMING_ROW = 6  # the coming session's row in the planning (four title and header rows, then the held session)


def _application(row: int, **cells: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit_application(folder, row, **cells)
        return register(folder, APPLICATIONS)
    return make


def _coming_session(**cells: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit(folder, PLANNING, "Planning 2026", COMING_ROW, header_row=4, **cells)
        return register(folder, PLANNING)
    return make


def _sheet(name: str, row: int, **cells: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit(folder, PLANNING, name, row, **cells)
        return register(folder, PLANNING)
    return make


def _formula_error(row: int, header: str, formula: str, error: str):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit_application(folder, row, **{header.replace(" ", "_"): formula})
        path = register(folder, APPLICATIONS)
        files.cache_formula(path, f"{column_letter(header)}{row}", error, error=True)
        return path
    return make


def _cell_case(name: str, title: str, make, line: str, mails: frozenset[str], watch_row: int,  # type: ignore[no-untyped-def]
               sheet: str = "Demandes") -> Case:
    return Case(name, title, make, check=(line,), run=(ONE_LEFT_OUT,), mails=mails, watch=row_of(watch_row, sheet))


KEPT = ("la ligne est gardée sans adresse e-mail : rien ne partira par e-mail à cette adresse, les courriers sont "
        "préparés pour l'impression")
TROLUE_PRINTED = "✓ préparé pour impression : Courrier de décision (Refus) – dossier DEL-2026-0303, à imprimer"


def _letter_to_print(folder: Path) -> list[str]:
    found = list((folder / "documents").rglob("Décision DEL-2026-0303 (refus).docx"))
    return [] if found else ["no letter prepared for print for DEL-2026-0303"]


def _address_case(name: str, title: str, value: str, why: str) -> Case:
    """An applicant's unusable address: a warning naming the cell, and the letter goes to print."""
    return Case(name, title, _application(ROW_TROLUE, Courriel=value),
                check=(f"⚠ {REG}, ligne 3, colonne « Courriel » (valeur « {value} ») : adresse e-mail invalide : "
                       f"{why} ; {KEPT}",),
                check_exit=0, run=(TROLUE_PRINTED,), mails=NO_TROLUE, watch=NOTHING, after=(_letter_to_print,))


NO_TROLUE = ALL_MAILS - {TROLUE}
NO_WAHEO = ALL_MAILS - {WAHEO, SIC}  # the SIC's notice lists WAHEO's aid only
NO_INVITATION = ALL_MAILS - {INVITATION}
FORMULA = "la formule de cette cellule donne une erreur ({}) : corrigez-la dans le classeur ; la ligne est écartée"

CASES = [
    # a text in each typed column ("text" itself takes any text)
    _cell_case("text_in_date", "texte dans une colonne de dates", _application(ROW_TROLUE, Date_commission="à fixer"),
               f"✗ {REG}, ligne 3, colonne « Date commission » (valeur « à fixer ») : date illisible (attendu JJ/MM/AAAA)",
               NO_TROLUE, ROW_TROLUE),
    _cell_case("text_in_time", "texte dans une colonne d'heures", _coming_session(Heure="matin"),
               f"✗ {PLAN}, ligne 6, colonne « Heure » (valeur « matin ») : heure illisible (attendu 8h30 ou 08:30)",
               NO_INVITATION, COMING_ROW, "Planning 2026"),
    _cell_case("text_in_integer", "texte dans une colonne de nombres entiers", _sheet("Salles", 2, Capacité="vingt"),
               "✗ « Planning des instances 2026.xlsx », feuille « Salles », ligne 2, colonne « Capacité » "
               "(valeur « vingt ») : nombre entier attendu", ALL_MAILS, 2, "Salles"),
    _cell_case("text_in_number", "texte dans une colonne de nombres", _coming_session(**{"Durée (h)": "deux heures"}),
               f"✗ {PLAN}, ligne 6, colonne « Durée (h) » (valeur « deux heures ») : nombre attendu (par exemple 2,5)",
               NO_INVITATION, COMING_ROW, "Planning 2026"),
    _cell_case("text_in_amount", "texte dans une colonne de montants", _application(ROW_WAHEO, Montant_accordé="voir dossier"),
               f"✗ {REG}, ligne 2, colonne « Montant accordé » (valeur « voir dossier ») : montant illisible "
               "(attendu par exemple 125 000)", NO_WAHEO, ROW_WAHEO),
    _address_case("text_in_email", "texte dans une colonne d'e-mails", "néant", "il manque « @ »"),
    _cell_case("text_in_bool", "texte dans une colonne oui/non", _coming_session(CR_validé="peut-être"),
               f"✗ {PLAN}, ligne 6, colonne « CR validé » (valeur « peut-être ») : oui ou non attendu",
               NO_INVITATION, COMING_ROW, "Planning 2026"),
    _cell_case("text_in_choice", "texte hors liste dans une colonne à choix", _application(ROW_TROLUE, Décision="En attente"),
               f"✗ {REG}, ligne 3, colonne « Décision » (valeur « En attente ») : valeur inconnue ; valeurs acceptées : "
               "Accord, Accord partiel, Refus, Ajourné", NO_TROLUE, ROW_TROLUE),
    # formula errors, which calamine reads as empty cells
    _cell_case("formula_ref", "formule en erreur #REF!", _formula_error(ROW_WAHEO, "Montant accordé", "=#REF!*1", "#REF!"),
               f"✗ {REG}, ligne 2, colonne « Montant accordé » (valeur « #REF! ») : {FORMULA.format('#REF!')}",
               NO_WAHEO, ROW_WAHEO),
    _cell_case("formula_na", "formule en erreur #N/A", _formula_error(ROW_TROLUE, "Courriel", "=NA()", "#N/A"),
               f"✗ {REG}, ligne 3, colonne « Courriel » (valeur « #N/A ») : {FORMULA.format('#N/A')}",
               NO_TROLUE, ROW_TROLUE),
    _cell_case("formula_div0", "formule en erreur #DIV/0!", _formula_error(ROW_TEIN, "Montant demandé", "=1/0", "#DIV/0!"),
               f"✗ {REG}, ligne 4, colonne « Montant demandé » (valeur « #DIV/0! ») : {FORMULA.format('#DIV/0!')}",
               ALL_MAILS - {TEIN}, ROW_TEIN),
    _cell_case("formula_value", "formule en erreur #VALUE!",
               _formula_error(ROW_TROLUE, "Date commission", '="x"+1', "#VALUE!"),
               f"✗ {REG}, ligne 3, colonne « Date commission » (valeur « #VALUE! ») : {FORMULA.format('#VALUE!')}",
               NO_TROLUE, ROW_TROLUE),
    # dates out of range
    _cell_case("date_before_1900", "date avant 1900", _application(ROW_TROLUE, Date_commission="12/11/1899"),
               f"✗ {REG}, ligne 3, colonne « Date commission » (valeur « 12/11/1899 ») : année hors plage (1900 à 2099)",
               NO_TROLUE, ROW_TROLUE),
    _cell_case("date_after_2099", "date après 2099", _application(ROW_TROLUE, Date_de_dépôt="03/01/2100"),
               f"✗ {REG}, ligne 3, colonne « Date de dépôt » (valeur « 03/01/2100 ») : année hors plage (1900 à 2099)",
               NO_TROLUE, ROW_TROLUE),
    # rows that do not hold together
    _cell_case("duplicate_key", "même numéro de dossier sur deux lignes", _application(ROW_TEIN, **{"N° dossier": "DEL-2026-0303"}),
               f"✗ {REG}, ligne 4, colonne « N° dossier » (valeur « DEL-2026-0303 ») : doublon : même N° dossier qu'à "
               "la ligne 3 ; cette ligne est ignorée", ALL_MAILS - {TEIN}, ROW_TEIN),
    _cell_case("unknown_committee", "séance d'une instance inconnue du planning",
               _coming_session(Instance="Commission des aides diverses"),
               f"✗ {PLAN}, ligne 6, colonne « Instance » (valeur « Commission des aides diverses ») : instance inconnue : "
               "ajoutez-la à la liste des instances ou corrigez son nom ; la séance est ignorée",
               NO_INVITATION, COMING_ROW, "Planning 2026"),
    _address_case("email_without_at", "adresse e-mail sans @", "malia.trolue.mail.nc", "il manque « @ »"),
    _address_case("email_with_accent", "adresse e-mail avec accents", "malia.trolué@mail.nc",
                  "accents ou caractères spéciaux avant « @ », que les serveurs de messagerie refusent : "
                  "vérifiez-la auprès de la personne"),
    _address_case("email_with_space", "adresse e-mail avec une espace", "malia trolue@mail.nc", "espace dans l'adresse"),
    _address_case("two_emails", "deux adresses e-mail dans la même cellule", "malia.trolue@mail.nc; mt@mail.nc",
                  "plusieurs adresses, une seule est possible"),
    # a member without a usable address is still a member: convened by no mail, listed in the minutes
    Case("member_email_without_at", "adresse e-mail d'un membre sans @", _sheet("Membres", 3, Courriel="wassissi.lalie-fsh.nc"),
         check=("⚠ « Planning des instances 2026.xlsx », feuille « Membres », ligne 3, colonne « Courriel » "
                f"(valeur « wassissi.lalie-fsh.nc ») : adresse e-mail invalide : il manque « @ » ; {KEPT}",),
         check_exit=0, mails=NO_INVITATION | {"therese.xowie@ville-noumea.nc"}, watch=row_of(3, "Membres")),
]


def _control_character(folder: Path) -> Path:
    # pasted from Word: a line break before the married name, which Excel saves as _x000B_
    path = register(folder, APPLICATIONS)
    files.rewrite_part(path, files.SHEET_PART, lambda xml: xml.replace(
        b"<t>TROLUE</t>", "<t>TROLUE_x000B_(épouse WAMYTAN)</t>".encode()))
    return path


def _addressed_with_a_space(folder: Path) -> list[str]:
    to = next(m["To"].addresses[0] for m in runner.messages(folder) if TROLUE in m["To"])
    return [] if to.display_name == "Malia TROLUE (épouse WAMYTAN)" else [f"letter addressed to {to!r}"]


CASES += [
    Case("control_character", "caractère de contrôle collé dans un nom", _control_character,
         check=("Problèmes dans les registres : 0 erreur, 3 avertissements.",
                f"⚠ {REG}, ligne 3, colonne « Nom » (valeur « TROLUE (épouse WAMYTAN) ») : saut de ligne (Alt+Entrée) "
                "remplacé par une espace"), check_exit=0,
         after=(_addressed_with_a_space,), watch=NOTHING),
]


def _twice(folder: Path) -> Path:
    # the same application typed again at the end of the register
    path = register(folder, APPLICATIONS)
    wb = openpyxl.load_workbook(path)
    ws = wb["Demandes"]
    ws.append([c.value for c in ws[ROW_TROLUE]])
    wb.save(path)
    return path


CASES += [
    _cell_case("same_row_twice", "ligne saisie deux fois", _twice,
               f"✗ {REG}, ligne 5, colonne « N° dossier » (valeur « DEL-2026-0303 ») : ligne saisie deux fois : "
               "identique à la ligne 3 ; cette ligne est ignorée", ALL_MAILS, 5),
    Case("session_in_2099", "séance datée de 2099 (année mal saisie)", _coming_session(Date=date(2099, 12, 3)),
         check=(f"⚠ {PLAN}, ligne 6, colonne « Date » (valeur « 03/12/2099 ») : séance prévue dans plus de deux ans : "
                "vérifiez l'année ; rien ne partira pour elle d'ici là",), check_exit=0,
         mails=NO_INVITATION, watch=row_of(COMING_ROW, "Planning 2026")),
]
