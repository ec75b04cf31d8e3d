"""A service's own columns in the mapping: declared under [registers.<role>.own_fields], read like the others."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from automations.errors import ConfigError
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers

MAPPING = """
[registers.applications]
files = ["Demandes.xlsx"]
key = ["number"]

[registers.applications.fields]
number = { headers = ["N° dossier"], required = true }
last_name = { headers = ["Nom"] }

[registers.applications.own_fields]
quartier = { headers = ["Quartier"] }
aide_caf = { headers = ["Aide CAF"], type = "amount" }
rdv = { headers = ["Rendez-vous"], type = "date" }
"""


def _service(tmp_path: Path, mapping: str = MAPPING) -> Path:
    (tmp_path / "correspondance.toml").write_text(mapping, encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["N° dossier", "Nom", "Quartier", "Aide CAF", "Rendez-vous"])
    ws.append(["MD/22", "WAIA", "Rivière-Salée", "12 000 XPF", "08.01.2026"])
    ws.append(["MD/113", "GOPE", None, None, None])
    wb.save(tmp_path / "Demandes.xlsx")
    return tmp_path / "correspondance.toml"


def test_own_columns_are_read_into_each_record(tmp_path: Path) -> None:
    mapping = load_mapping(_service(tmp_path))
    spec = mapping.registers["applications"]
    assert list(spec.own_fields) == ["quartier", "aide_caf", "rdv"]
    assert "quartier" not in spec.fields  # the known fields stay apart
    registers = read_registers(mapping, tmp_path)
    assert registers.findings == []
    first, second = registers.of("applications")
    assert (first.get("quartier"), first.get("aide_caf"), first.get("rdv")) == ("Rivière-Salée", 12000,
                                                                                 date(2026, 1, 8))
    assert (second.get("quartier"), second.get("aide_caf")) == (None, None)
    assert list(registers.own_fields["applications"]) == ["quartier", "aide_caf", "rdv"]


def test_an_unreadable_own_cell_is_a_finding_naming_its_column(tmp_path: Path) -> None:
    config = _service(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "Demandes.xlsx")
    wb.active["E3"] = "pas une date"
    wb.save(tmp_path / "Demandes.xlsx")
    registers = read_registers(load_mapping(config), tmp_path)
    [finding] = registers.findings
    assert (finding.sheet, finding.row, finding.column, finding.value) == ("Sheet", 3, "Rendez-vous", "pas une date")


@pytest.mark.parametrize(("table", "message"), [
    ('Quartier = { headers = ["Quartier"] }',
     "[registers.applications.own_fields] Quartier : nom de champ invalide : lettres minuscules sans accent, "
     "chiffres et « _ », en commençant par une lettre (par exemple quartier, numero_caf)"),
    ('district = { headers = ["District"] }',
     "[registers.applications.own_fields] district : c'est un champ connu de l'outil : "
     "décrivez-le dans [registers.applications.fields]"),
    ('items = { headers = ["Articles"] }',
     "[registers.applications.own_fields] items : nom réservé (les modèles liraient autre chose que la colonne) : "
     "choisissez-en un autre, par exemple « items_2 »"),
    ('suivi = { headers = ["Suivi"], write_back = true }',
     "[registers.applications.own_fields.suivi] write_back : l'outil ne reporte rien dans une colonne propre au "
     "service"),
    ('quartier = { headers = ["Quartier"], typ = "text" }',
     "[registers.applications.own_fields.quartier] typ : clé inconnue"),
    ('quartier = { type = "texte", headers = ["Quartier"] }',
     "[registers.applications.own_fields.quartier] type : type inconnu « texte » (au choix : text, date, time, "
     "amount, integer, number, bool, email, choice)"),
])
def test_a_wrong_own_field_is_refused_in_french(tmp_path: Path, table: str, message: str) -> None:
    text = MAPPING.split("[registers.applications.own_fields]")[0] + "[registers.applications.own_fields]\n" + table
    with pytest.raises(ConfigError) as raised:
        load_mapping(_service(tmp_path, text))
    assert raised.value.problems == [message]
