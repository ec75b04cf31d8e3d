"""Field names of a mapping: an unknown one is refused with a suggestion, the service's own columns have
their own table and are read like the others, and a mapped header no column matches is listed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from automations.errors import MappingError
from automations.registers.mapping import load_mapping
from automations.registers.reader import read_registers

from ..conftest import PROJECT

HEAD = """
[registers.applications]
files = ["Demandes.xlsx"]
key = ["number"]
[registers.applications.fields]
number = { headers = ["N° dossier"], type = "text", required = true }
last_name = { headers = ["Nom"], type = "text", required = true }
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "correspondance.toml"
    path.write_text(HEAD + text, encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        load_mapping(path)
    assert refused.value.message.startswith(f"Correspondance des registres invalide ({path}) :")
    return refused.value.problems


def test_a_misspelled_field_is_refused_with_the_closest_name(tmp_path: Path) -> None:
    assert problems_of(tmp_path, 'amount_grantd = { headers = ["Montant accordé"], type = "amount" }\n') == [
        "[registers.applications.fields] amount_grantd : champ inconnu — vouliez-vous dire amount_granted ?"]


def test_a_misspelled_write_back_field_is_refused_too(tmp_path: Path) -> None:
    text = 'notifed_on = { headers = ["Notifié le"], type = "date", write_back = true }\n'
    assert problems_of(tmp_path, text) == [
        "[registers.applications.fields] notifed_on : champ inconnu — vouliez-vous dire notified_on ?"]


def test_a_name_close_to_none_lists_the_fields_and_the_own_fields_table(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, 'quartier = { headers = ["Quartier"] }\n')
    assert problem.startswith("[registers.applications.fields] quartier : champ inconnu (champs des demandes : "
                              "number, filed_on, last_name, first_name, full_name, commune, tribe, district,")
    assert problem.endswith("; une colonne propre au service se décrit dans "
                            "[registers.applications.own_fields.quartier]")


@pytest.mark.parametrize(("text", "expected"), [
    ('[registers.applications.own_fields]\ndistrict = { headers = ["District"] }\n',
     "[registers.applications.own_fields] district : c'est un champ connu de l'outil : décrivez-le dans "
     "[registers.applications.fields]"),
    ('[registers.applications.own_fields]\nQuartier = { headers = ["Quartier"] }\n',
     "[registers.applications.own_fields] Quartier : nom de champ invalide : lettres minuscules sans accent, "
     "chiffres et « _ », en commençant par une lettre (par exemple quartier, numero_caf)"),
    ('[registers.applications.own_fields]\nquartier = { headers = ["Quartier"], write_back = true }\n',
     "[registers.applications.own_fields.quartier] write_back : l'outil ne reporte rien dans une colonne propre "
     "au service"),
    ('[registers.applications.own_fields]\nquartier = { headers = ["Quartier"], type = "texte" }\n',
     "[registers.applications.own_fields.quartier] type : type inconnu « texte » (au choix : text, date, time, "
     "amount, integer, number, bool, email, choice)"),
])
def test_own_fields_follow_the_field_rules(tmp_path: Path, text: str, expected: str) -> None:
    assert problems_of(tmp_path, text) == [expected]


def test_own_fields_are_read_into_each_record(tmp_path: Path) -> None:
    path = tmp_path / "correspondance.toml"
    path.write_text(HEAD + """
[registers.applications.own_fields]
quartier = { headers = ["Quartier"], required = true }
visite = { headers = ["Visite à domicile"], type = "date" }
[registers.applications.own_fields.suite]
headers = ["Suite"]
type = "choice"
choices = { relance = ["À relancer"], close = ["Classé"] }
""", encoding="utf-8")
    mapping = load_mapping(path)
    spec = mapping.registers["applications"]
    assert list(spec.own_fields) == ["quartier", "visite", "suite"] and "quartier" not in spec.fields
    wb = openpyxl.Workbook()
    wb.active.append(["N° dossier", "Nom", "Quartier", "Visite à domicile", "Suite"])
    wb.active.append(["D-1", "WAHEO", "Rivière-Salée", "02/12/2026", "À relancer"])
    wb.active.append(["D-2", "TEIN", None, None, None])
    wb.save(tmp_path / "Demandes.xlsx")
    registers = read_registers(mapping, tmp_path)
    [record] = registers.of("applications")
    assert record.values["quartier"] == "Rivière-Salée"
    assert record.values["visite"] == date(2026, 12, 2)
    assert record.values["suite"] == "relance"
    # a required own column is required as any other
    [finding] = registers.findings
    assert finding.describe() == ("« Demandes.xlsx », feuille « Sheet », ligne 3, colonne « Quartier » : "
                                  "valeur obligatoire manquante")


def test_end_time_is_a_known_time_field_of_sessions(tmp_path: Path) -> None:
    path = tmp_path / "correspondance.toml"
    path.write_text("""
[registers.sessions]
files = ["Planning.xlsx"]
[registers.sessions.fields]
committee = { headers = ["Instance"], required = true }
date = { headers = ["Date"], type = "date", required = true }
end_time = { headers = ["Fin"], type = "text" }
""", encoding="utf-8")
    with pytest.raises(MappingError) as refused:
        load_mapping(path)
    assert refused.value.problems == ["[registers.sessions.fields.end_time] type : le champ « end_time » doit être "
                                      "de type « time »"]


@pytest.mark.parametrize("name", ["province-sud-del", "ccas-lifou"])
def test_the_shipped_mappings_name_only_known_fields(name: str) -> None:
    assert load_mapping(PROJECT / "mappings" / f"{name}.toml").registers


def test_a_header_no_column_matches_is_listed_with_the_closest_headers(tmp_path: Path) -> None:
    path = tmp_path / "correspondance.toml"
    path.write_text(HEAD + """commune = { headers = ["Commune"] }
notified_on = { headers = ["Notifié le"], type = "date", write_back = true }
[registers.applications.own_fields]
quartier = { headers = ["Quartiers"] }
""", encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active.title = "Demandes"
    wb.active.append(["N° dossier", "Nom", "Quartier", "Communes", "Date de notification"])
    wb.active.append(["D-1", "WAHEO", "Rivière-Salée", "Nouméa", None])
    wb.save(tmp_path / "Demandes.xlsx")
    registers = read_registers(load_mapping(path), tmp_path)
    assert [u.describe() for u in registers.unmatched] == [
        "« Demandes.xlsx », feuille « Demandes », ligne 1 : champ « commune » sans colonne (en-têtes essayés : "
        "« Commune ») ; en-têtes proches dans la feuille : « Communes » ; ce champ restera vide",
        "« Demandes.xlsx », feuille « Demandes », ligne 1 : champ « notified_on » sans colonne (en-têtes essayés : "
        "« Notifié le ») ; aucun en-tête proche dans la feuille ; rien n'y sera reporté",
        "« Demandes.xlsx », feuille « Demandes », ligne 1 : champ « quartier » sans colonne (en-têtes essayés : "
        "« Quartiers ») ; en-têtes proches dans la feuille : « Quartier » ; ce champ restera vide",
    ]
