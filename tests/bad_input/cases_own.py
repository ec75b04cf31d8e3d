"""The service's own columns (``[registers.<role>.own_fields]``): a wrong name in the mapping, an unreadable
own cell, a template asking for an own column the mapping does not declare.

A misnamed own field stops `check` and `run` before anything is read; an unreadable own cell is a finding like
any other, and its row is left out; a template reading an undeclared own column is named by `check`, with the
table to complete and the closest declared name.
"""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from .runner import NOTHING, Case, row_of
from .service import ALL_MAILS, APPLICATIONS, ROW_TROLUE, TROLUE, register

REG = "« Registre des demandes 2026.xlsx », feuille « Demandes »"
OWN = """
[registers.applications.own_fields]
quartier = { headers = ["Quartier"] }
rdv_caf = { headers = ["RDV CAF"], type = "date" }
"""


def _declared(folder: Path, table: str = OWN) -> None:
    mapping = folder / "correspondance.toml"
    mapping.write_text(mapping.read_text(encoding="utf-8") + table, encoding="utf-8")


def _own_columns(folder: Path, rdv_of_trolue: object) -> Path:
    """The register with the service's own « Quartier » and « RDV CAF » columns, filled on every row."""
    path = register(folder, APPLICATIONS)
    wb = openpyxl.load_workbook(path)
    ws = wb["Demandes"]
    first = ws.max_column + 1
    ws.cell(1, first, "Quartier")
    ws.cell(1, first + 1, "RDV CAF")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, first, "Rivière-Salée")
        ws.cell(row, first + 1, rdv_of_trolue if row == ROW_TROLUE else "08/01/2026")
    wb.save(path)
    return path


def _unreadable_own_date(folder: Path) -> Path:
    _declared(folder)
    return _own_columns(folder, "bientôt")


def _misnamed_own_field(folder: Path) -> Path:
    _declared(folder, '\n[registers.applications.own_fields]\n"Quartier de résidence" = { headers = ["Quartier"] }\n')
    return _own_columns(folder, "08/01/2026")


def _undeclared_in_template(folder: Path) -> Path:
    _declared(folder)
    template = folder / "modeles" / "lettre_accord.docx"
    document = docx.Document(str(template))
    document.add_paragraph("Quartier : {{ application.own.quartiers }}")
    document.save(str(template))
    return _own_columns(folder, "08/01/2026")


MISNAMED = ("[registers.applications.own_fields] Quartier de résidence : nom de champ invalide : lettres minuscules "
            "sans accent, chiffres et « _ », en commençant par une lettre (par exemple quartier, numero_caf)")

CASES = [
    Case("own_date_unreadable", "colonne propre au service illisible (date « bientôt »)", _unreadable_own_date,
         check=(f"✗ {REG}, ligne 3, colonne « RDV CAF » (valeur « bientôt ») : date illisible (attendu JJ/MM/AAAA)",),
         run=("1 ligne de registre écartée : lancez « check » pour le détail.",),
         mails=ALL_MAILS - {TROLUE}, watch=row_of(ROW_TROLUE)),
    Case("own_field_misnamed", "colonne propre mal nommée dans la correspondance", _misnamed_own_field,
         check=(f"- {MISNAMED}",), check_exit=2, run=(f"- {MISNAMED}",), run_exit=2, mails=frozenset()),
    Case("own_field_undeclared_in_template", "modèle qui lit une colonne propre non déclarée",
         _undeclared_in_template, watch=NOTHING,
         check=("✗ Modèle « lettre_accord.docx » : 1 champ que l'outil ne fournit pas (il restera vide dans les "
                "documents) :",
                "- « {{ application.own.quartiers }} » (paragraphe 33) : colonne propre non déclarée dans "
                "correspondance.toml (ajoutez-la sous [registers.applications.own_fields]) ; vouliez-vous dire "
                "« quartier » ?")),
]
