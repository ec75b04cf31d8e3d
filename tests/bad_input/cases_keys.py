"""Register text that reaches keys, mail headers and the terminal: look-alike dossier numbers, line breaks
(Alt+Entrée), invisible control characters, escape sequences, a name of 5 000 characters.

Two numbers that differ only by punctuation would share the tool's keys: both rows are left out until one
is corrected. A line break in a name or a number becomes a space, with a warning. An invisible character in
a column that identifies the row leaves the row out. Whatever a register holds, the terminal never receives
an escape sequence, and no header line of a mail passes 998 characters.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from ..service_factory import COMMITTEE
from . import files, runner
from .runner import NOTHING, Case, row_of
from .service import (ALL_MAILS, APPLICATIONS, INVITATION, PLANNING, ROW_TEIN, ROW_TROLUE, ROW_WAHEO, SIC, TEIN,
                      TROLUE, WAHEO, coming, edit, edit_application, register, row_values)

REG = "« Registre des demandes 2026.xlsx », feuille « Demandes »"
PLAN = "« Planning des instances 2026.xlsx », feuille « Planning 2026 »"
MEMBERS = "« Planning des instances 2026.xlsx », feuille « Membres »"
NO_TROLUE = ALL_MAILS - {TROLUE}


def _application(row: int, **cells: object):  # type: ignore[no-untyped-def]
    def make(folder: Path) -> Path:
        edit_application(folder, row, **cells)
        return register(folder, APPLICATIONS)
    return make


def _raw_cell(typed: str, stored: str):  # type: ignore[no-untyped-def]
    """A cell as Excel saves a character openpyxl refuses to write: ``_x000B_`` for U+000B."""
    def make(folder: Path) -> Path:
        path = register(folder, APPLICATIONS)
        files.rewrite_part(path, files.SHEET_PART, lambda xml: xml.replace(
            f"<t>{typed}</t>".encode(), f"<t>{stored}</t>".encode()))
        return path
    return make


def _typed_then_stored(header: str, stored: str):  # type: ignore[no-untyped-def]
    """A text typed into a cell of TROLUE's row, then stored as Excel would with its invisible characters."""
    def make(folder: Path) -> Path:
        edit_application(folder, ROW_TROLUE, **{header.replace(" ", "_"): "PLACEHOLDER"})
        return _raw_cell("PLACEHOLDER", stored)(folder)
    return make


def _left_out(name: str, title: str, make, header: str, shown: str, why: str) -> Case:  # type: ignore[no-untyped-def]
    """TROLUE's row refused for one cell: its finding in `check`, no letter, the row left as it was."""
    return Case(name, title, make,
                check=(f"✗ {REG}, ligne 3, colonne « {header} » (valeur « {shown} ») : {why}",),
                run=("1 ligne de registre écartée : lancez « check » pour le détail.",),
                mails=NO_TROLUE, watch=row_of(ROW_TROLUE))


def _twin_numbers(folder: Path) -> Path:
    # TROLUE's file typed with spaces and a slash, TEIN's with dashes: the same letters and digits
    edit_application(folder, ROW_TROLUE, **{"N° dossier": "DEL 2026/0307"})
    return register(folder, APPLICATIONS)


def _row_unchanged(row: int):  # type: ignore[no-untyped-def]
    def check(folder: Path) -> list[str]:
        values = row_values(register(folder, APPLICATIONS), "Demandes", row)
        return [] if values[14] is None else [f"« Notifié le » filled on row {row}: {values[14]!r}"]
    return check


def _look_alike_committees(folder: Path) -> Path:
    # a second committee whose name differs by a final full stop, meeting the same day as the first
    path = register(folder, PLANNING)
    wb = openpyxl.load_workbook(path)
    committees = wb["Instances"]
    committees.append([f"{COMMITTEE}.", "Maintien dans le logement", 15, 5, "Salle Niaouli", 2])
    planning = wb["Planning 2026"]
    planning.append([f"{COMMITTEE}.", coming(), "14h", 2, "Salle Niaouli", "Mme la présidente", "Prévue",
                     "Examen des dossiers"])
    wb.save(path)
    return path


def _planning_row_unchanged(row: int):  # type: ignore[no-untyped-def]
    def check(folder: Path) -> list[str]:
        values = row_values(register(folder, PLANNING), "Planning 2026", row)
        return [] if values[9] is None else [f"« Invitations envoyées le » filled on planning row {row}"]
    return check


def _member_line_break(folder: Path) -> Path:
    edit(folder, PLANNING, "Membres", 3, Prénom="Wassissi\nMarie")
    return register(folder, PLANNING)


def _invitation_to(folder: Path) -> list[str]:
    found = [m for m in runner.messages(folder) if INVITATION in m["To"]]
    names = [a.display_name for m in found for a in m["To"].addresses if a.addr_spec == INVITATION]
    return [] if names and names[0] == "LALIE Wassissi Marie" else [f"invitation addressed to {names!r}"]


def _letter_to(name: str):  # type: ignore[no-untyped-def]
    def check(folder: Path) -> list[str]:
        found = [a.display_name for m in runner.messages(folder) for a in m["To"].addresses if a.addr_spec == TROLUE]
        return [] if found == [name] else [f"TROLUE's letter addressed to {found!r}"]
    return check


def _subject_has(text: str):  # type: ignore[no-untyped-def]
    def check(folder: Path) -> list[str]:
        found = [str(m["Subject"]) for m in runner.messages(folder) if TROLUE in m["To"]]
        return [] if found and text in found[0] else [f"TROLUE's letter subject {found!r}"]
    return check


def _short_header_lines(folder: Path) -> list[str]:
    long = [(p.name, len(line)) for p in sorted((folder / "boite-d-envoi").glob("*/*.eml"))
            for line in p.read_bytes().split(b"\r\n") if len(line) > 998]
    return [f"header lines over 998 characters: {long}"] if long else []


LONG = "M" * 5000
TELL_APART = ("écrivez-les de la même façon s'il s'agit du même, sinon distinguez-les ; rien ne part pour ces "
              "lignes d'ici là")
LINE_BREAK = "saut de ligne (Alt+Entrée) remplacé par une espace"

CASES = [
    Case("look_alike_numbers", "deux numéros de dossier qui ne diffèrent que par la ponctuation", _twin_numbers,
         check=(f"✗ {REG}, ligne 3, colonne « N° dossier » (valeur « DEL 2026/0307 ») : même numéro que la ligne 4 "
                "(« DEL-2026-0307 ») aux espaces, à la ponctuation ou aux majuscules près : l'outil ne les distingue "
                f"pas ; {TELL_APART}",
                f"✗ {REG}, ligne 4, colonne « N° dossier » (valeur « DEL-2026-0307 ») : même numéro que la ligne 3 "
                "(« DEL 2026/0307 ») aux espaces, à la ponctuation ou aux majuscules près : l'outil ne les distingue "
                f"pas ; {TELL_APART}"),
         run=("2 lignes de registre écartées : lancez « check » pour le détail.",),
         mails=ALL_MAILS - {TROLUE, TEIN}, watch=row_of(ROW_TROLUE), after=(_row_unchanged(ROW_TEIN),)),
    Case("look_alike_suppliers", "un fournisseur écrit de deux façons qui ne diffèrent que par la ponctuation",
         _application(ROW_TEIN, Fournisseur="SIC."),
         check=(f"✗ {REG}, ligne 2, colonne « Fournisseur » (valeur « SIC ») : même fournisseur que la ligne 4 "
                f"(« SIC. ») aux espaces, à la ponctuation ou aux majuscules près : l'outil ne les distingue pas ; "
                f"{TELL_APART}",
                f"✗ {REG}, ligne 4, colonne « Fournisseur » (valeur « SIC. ») : même fournisseur que la ligne 2 "
                f"(« SIC ») aux espaces, à la ponctuation ou aux majuscules près : l'outil ne les distingue pas ; "
                f"{TELL_APART}"),
         run=("2 lignes de registre écartées : lancez « check » pour le détail.",),
         mails=ALL_MAILS - {WAHEO, SIC, TEIN}, watch=row_of(ROW_TEIN), after=(_row_unchanged(ROW_WAHEO),)),
    # the committees' own check (domain/committee_names.py) sees them first: the later one in « Instances »
    # would share the first one's folder and document names, so it is refused with its sessions
    Case("look_alike_committees", "deux instances dont les noms ne diffèrent que par la ponctuation, le même jour",
         _look_alike_committees,
         check=(f"✗ « {PLANNING} », feuille « Instances », ligne 3, colonne « Instance » (valeur « {COMMITTEE}. ») : "
                f"même dossier et mêmes noms de documents que l'instance « {COMMITTEE} » de la ligne 2 (dossier "
                f"« commission-maintien-dans-le-logement ») : les documents de l'une remplaceraient ceux de l'autre ; "
                f"renommez l'une des deux ; cette instance et ses séances sont écartées",
                f"✗ {PLAN}, ligne 7, colonne « Instance » (valeur « {COMMITTEE}. ») : instance écartée : ses documents "
                f"remplaceraient ceux d'une autre instance (voir la liste des instances) ; la séance est ignorée"),
         run=("2 lignes de registre écartées : lancez « check » pour le détail.",),
         watch=row_of(7, "Planning 2026"), after=(_planning_row_unchanged(7),)),
    Case("line_break_in_member_name", "saut de ligne (Alt+Entrée) dans le nom d'un membre", _member_line_break,
         check=(f"⚠ {MEMBERS}, ligne 3, colonne « Prénom » (valeur « Wassissi Marie ») : {LINE_BREAK}",),
         check_exit=0, watch=NOTHING, after=(_invitation_to,)),
    Case("line_break_in_applicant_name", "saut de ligne (Alt+Entrée) dans le nom d'un demandeur",
         _application(ROW_TROLUE, Nom="TROLUE\népouse WAMYTAN"),
         check=(f"⚠ {REG}, ligne 3, colonne « Nom » (valeur « TROLUE épouse WAMYTAN ») : {LINE_BREAK}",),
         check_exit=0, watch=NOTHING, after=(_letter_to("Malia TROLUE épouse WAMYTAN"),)),
    Case("line_break_in_number", "saut de ligne (Alt+Entrée) dans un numéro de dossier",
         _application(ROW_TROLUE, **{"N° dossier": "DEL-2026\n0303"}),
         check=(f"⚠ {REG}, ligne 3, colonne « N° dossier » (valeur « DEL-2026 0303 ») : {LINE_BREAK}",),
         check_exit=0, watch=NOTHING, after=(_subject_has("DEL-2026 0303"),)),
    _left_out("control_character_in_key", "caractère invisible (U+000B) dans un numéro de dossier",
              _raw_cell("DEL-2026-0303", "DEL-2026_x000B_0303"), "N° dossier", "DEL-2026␋0303",
              "caractère invisible (U+000B) dans une colonne qui identifie la ligne : retapez la valeur ; "
              "la ligne est écartée"),
    Case("escape_sequence_in_cell", "séquence d'échappement du terminal dans une cellule",
         _raw_cell("Facture d'eau", "_x001B_]0;piège_x0007_"),
         check=(f"⚠ {REG}, ligne 3, colonne « Nature de l'aide » (valeur « ]0;piège ») : caractères invisibles "
                "(U+001B, U+0007) retirés",),
         check_exit=0, watch=NOTHING),
    # a refused cell is quoted as it is: the terminal shows the escape sequence, it does not obey it
    _left_out("escape_sequence_in_message", "séquence d'échappement dans une valeur refusée",
              _typed_then_stored("Date commission", "_x001B_]0;piège_x0007_"), "Date commission",
              "␛]0;piège␇", "date illisible (attendu JJ/MM/AAAA)"),
    Case("name_of_5000_characters", "nom de 5 000 caractères", _application(ROW_TROLUE, Prénom=LONG),
         check=(f"⚠ {REG}, ligne 3, colonne « Prénom » (valeur « {'M' * 57}... ») : texte de 5 000 caractères, "
                "anormalement long : vérifiez la cellule ; les en-têtes des e-mails n'en gardent que le début",),
         check_exit=0, watch=NOTHING, after=(_short_header_lines,)),
]
