"""``check`` says, for each enabled automation, the fields its mapping lacks and what it will do without them."""

from __future__ import annotations

import re
from pathlib import Path

from automations.cli.main import main
from automations.engine.field_needs import NEEDS
from automations.registers.field_catalog import CATALOG

from ..service_factory import make_service

LETTERS = ("  ! Courriers de décision : champ « email » absent du registre des demandes — "
           "les courriers seront préparés pour impression.")


def _without(config: Path, pattern: str) -> None:
    mapping = config.parent / "correspondance.toml"
    text, count = re.subn(pattern, "", mapping.read_text(encoding="utf-8"), flags=re.M | re.S)
    assert count == 1
    mapping.write_text(text, encoding="utf-8")


def _check(config: Path, capsys) -> list[str]:
    main(["--config", str(config), "check"])
    return capsys.readouterr().out.splitlines()


def test_a_complete_mapping_gets_no_such_line(tmp_path: Path, capsys) -> None:
    lines = _check(make_service(tmp_path), capsys)
    assert not [line for line in lines if line.startswith("  ! Courriers de décision")]
    assert "  ! Convocations : champ « room_booked » absent du registre des séances" not in "\n".join(lines)


def test_letters_without_an_email_column_are_said_to_be_printed(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    _without(config, r'^email = \{ headers = \["Courriel", "E-mail"\], type = "email" \}\n(?=address)')
    lines = _check(config, capsys)
    assert LETTERS in lines
    # said right after the mapping, before the templates
    assert lines.index(LETTERS) < lines.index(next(line for line in lines if line.startswith("Modèles")))


def test_a_part_switched_off_is_not_spoken_of(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    _without(config, r'^email = \{ headers = \["Courriel", "E-mail"\], type = "email" \}\n(?=address)')
    config.write_text(config.read_text(encoding="utf-8") + "[follow_ups]\nletters = false\n", encoding="utf-8")
    assert LETTERS not in _check(config, capsys)


def test_an_absent_register_and_alternative_fields(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    _without(config, r"^\[registers\.suppliers\].*?(?=^\[registers\.(?!suppliers)|\Z)")
    _without(config, r"^duration_hours = [^\n]*\n(?=room)")
    config.write_text(config.read_text(encoding="utf-8") + "[minutes]\nenabled = false\n", encoding="utf-8")
    lines = _check(config, capsys)
    assert ("  ! Avis aux fournisseurs : registre des fournisseurs absent de la correspondance — "
            "les avis seront préparés pour un envoi par courrier.") in lines
    assert ("  ! Convocations : ni « duration_hours » ni « end_time » dans le registre des séances — "
            "la durée habituelle de l'instance, ou [invitations] duration_hours, sera retenue.") in lines
    assert not [line for line in lines if line.startswith("  ! Comptes rendus")]
    # the province's mapping has no outgoing-mail register
    assert ("  ! Courrier départ : registre du courrier départ absent de la correspondance — "
            "aucune ligne ne sera ajoutée au courrier départ.") in lines


def test_each_need_is_a_use_the_catalogue_lists() -> None:
    for need in NEEDS:
        for name in need.fields:
            assert need.automation in CATALOG[need.role][name].uses, (need.role, name, need.automation)


def test_a_part_a_missing_field_stops_says_nothing_more(tmp_path: Path, capsys) -> None:
    config = make_service(tmp_path)
    _without(config, r'^supplier = \{ headers = \["Fournisseur"\], type = "text" \}\n')
    _without(config, r"^\[registers\.suppliers\].*?(?=^\[registers\.(?!suppliers)|\Z)")
    notices = [line for line in _check(config, capsys) if line.startswith("  ! Avis aux fournisseurs")]
    assert notices == ["  ! Avis aux fournisseurs : champ « supplier » absent du registre des demandes — aucun avis ne "
                       "sera préparé : la demande ne dit pas quel fournisseur est payé."]
