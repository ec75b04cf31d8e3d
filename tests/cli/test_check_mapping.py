"""`check` on a mapping: never « correcte » before an error of its own, an unknown field named with its
suggestion, and each mapped header no column matches listed as a warning with the sheet's closest headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.cli.main import main

from ..service_factory import make_service

SESSION_ROOM = 'room = { headers = ["Lieu", "Salle"], type = "text" }\n'


def edit_mapping(folder: Path, old: str, new: str) -> Path:
    mapping = folder / "correspondance.toml"
    text = mapping.read_text(encoding="utf-8")
    assert text.count(old) == 1
    mapping.write_text(text.replace(old, new), encoding="utf-8")
    return mapping


def test_a_wrong_mapping_is_never_said_correct_nor_called_the_configuration(tmp_path: Path,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = make_service(tmp_path)
    mapping = edit_mapping(tmp_path, 'amount_granted = { headers', 'amount_grantd = { headers')

    assert main(["--config", str(config), "check"]) == 2

    out = capsys.readouterr()
    assert out.out.splitlines() == [f"Configuration : {config} — correcte."]
    assert out.err.splitlines() == [
        f"Erreur : Correspondance des registres invalide ({mapping}) :",
        "  - [registers.applications.fields] amount_grantd : champ inconnu — vouliez-vous dire amount_granted ?"]
    assert "Configuration invalide" not in out.err and "Correspondance des registres :" not in out.out


def test_a_header_matching_no_column_is_a_warning_with_the_closest_headers(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = make_service(tmp_path)
    mapping = edit_mapping(tmp_path, SESSION_ROOM, 'room = { headers = ["Lieux"], type = "text" }\n')
    with mapping.open("a", encoding="utf-8") as end:
        end.write('\n[registers.sessions.own_fields]\nquartier = { headers = ["Quartiers"] }\n')

    main(["--config", str(config), "check"])

    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    planning = "« Planning des instances 2026.xlsx », feuille « Planning 2026 », ligne 4"
    assert f"⚠ {planning} : champ « room » sans colonne (en-têtes essayés : « Lieux ») ; en-têtes proches dans la " \
           "feuille : « Lieu » ; ce champ restera vide" in lines
    assert f"⚠ {planning} : champ « quartier » sans colonne (en-têtes essayés : « Quartiers ») ; aucun en-tête " \
           "proche dans la feuille ; ce champ restera vide" in lines
    heading = next(line for line in lines if line.startswith("Correspondance : "))
    assert heading.endswith("champs sans colonne dans les feuilles lues.")
